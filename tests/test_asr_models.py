"""Vosk model download/installation against a loopback HTTP server (no internet)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from asr.errors import ModelDownloadError
from asr.models import (
    KNOWN_VOSK_MODELS,
    check_vosk_model,
    download_vosk_model,
    install_vosk_zip,
)

pytestmark = pytest.mark.timeout(60)

FOLDER = "vosk-model-small-cn-0.22"
MODEL_FILES = {
    "am/final.mdl": b"A" * 50_000,
    "conf/model.conf": b"--endpoint.rule2.min-trailing-silence=0.5\n",
    "conf/mfcc.conf": b"--sample-frequency=16000\n--use-energy=false\n",
    "graph/HCLr.fst": b"H" * 20_000,
    "graph/Gr.fst": b"G" * 20_000,
    "ivector/final.ie": b"I" * 1_000,
}


def make_zip(files: dict[str, bytes], top: str = FOLDER) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, data in files.items():
            zf.writestr(f"{top}/{rel}" if top else rel, data)
    return buf.getvalue()


class Server:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.lie_length: dict[str, int] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                data = outer.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(outer.lie_length.get(self.path, len(data))))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture()
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_download_verifies_and_installs(server: Server, tmp_path: Path) -> None:
    data = make_zip(MODEL_FILES)
    server.files["/m.zip"] = data
    progress: list[tuple[int, int | None]] = []
    info = download_vosk_model(
        "vosk-small-cn",
        tmp_path,
        lambda d, t: progress.append((d, t)),
        url=server.url("/m.zip"),
        expected_sha256=hashlib.sha256(data).hexdigest(),
    )
    assert info.path == tmp_path / FOLDER and info.name == FOLDER
    assert info.sample_rate == 16000 and info.language == "zh" and info.graph == "HCLr+Gr"
    assert (info.path / "am" / "final.mdl").read_bytes() == MODEL_FILES["am/final.mdl"]
    assert progress[-1] == (len(data), len(data))
    assert _leftovers(tmp_path) == [FOLDER]  # no temp dir, no zip left behind
    # already installed: returns at once, no network needed
    server.files.clear()
    assert (
        download_vosk_model("vosk-model-small-cn-0.22", tmp_path, url=server.url("/m.zip")).path
        == info.path
    )


def test_official_checksum_is_enforced(server: Server, tmp_path: Path) -> None:
    server.files["/m.zip"] = make_zip(MODEL_FILES)  # not the official zip
    assert KNOWN_VOSK_MODELS["vosk-small-cn"].sha256 is not None
    with pytest.raises(ModelDownloadError, match="SHA-256 mismatch"):
        download_vosk_model("vosk-small-cn", tmp_path, url=server.url("/m.zip"))
    assert _leftovers(tmp_path) == []


def test_unknown_checksum_checks_the_files(server: Server, tmp_path: Path) -> None:
    incomplete = {k: v for k, v in MODEL_FILES.items() if k != "graph/Gr.fst"}
    server.files["/big.zip"] = make_zip(incomplete, top="vosk-model-cn-0.22")
    with pytest.raises(ModelDownloadError, match="incomplete model"):
        download_vosk_model("vosk-cn", tmp_path, url=server.url("/big.zip"))
    assert _leftovers(tmp_path) == []
    server.files["/big.zip"] = make_zip(MODEL_FILES, top="vosk-model-cn-0.22")
    info = download_vosk_model("vosk-cn", tmp_path, url=server.url("/big.zip"))
    assert info.path.name == "vosk-model-cn-0.22"


def test_offline_error_says_what_to_download_and_where(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ModelDownloadError) as err:
        download_vosk_model(
            "vosk-small-cn",
            tmp_path / "models",
            url=f"http://127.0.0.1:{port}/vosk-model-small-cn-0.22.zip",
            timeout=2,
        )
    msg = str(err.value)
    assert "vosk-model-small-cn-0.22.zip" in msg and str(tmp_path / "models") in msg
    assert "unzip" in msg and "am/final.mdl" in msg
    assert _leftovers(tmp_path / "models") == []
    spec = KNOWN_VOSK_MODELS["vosk-small-cn"]
    assert spec.url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"


def test_http_error_and_short_download(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ModelDownloadError, match="HTTP 404"):
        download_vosk_model("vosk-cn", tmp_path, url=server.url("/missing.zip"))
    data = make_zip(MODEL_FILES, top="vosk-model-cn-0.22")
    server.files["/short.zip"] = data
    server.lie_length["/short.zip"] = len(data) + 1000  # connection ends early
    with pytest.raises(ModelDownloadError):
        download_vosk_model("vosk-cn", tmp_path, url=server.url("/short.zip"), timeout=3)
    assert _leftovers(tmp_path) == []


def test_interrupt_leaves_no_half_model(server: Server, tmp_path: Path) -> None:
    data = make_zip(MODEL_FILES)
    server.files["/m.zip"] = data

    def ctrl_c(done: int, total: int | None) -> None:
        if done > 10_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_vosk_model(
            "vosk-small-cn",
            tmp_path,
            ctrl_c,
            url=server.url("/m.zip"),
            expected_sha256=hashlib.sha256(data).hexdigest(),
        )
    assert _leftovers(tmp_path) == []


def test_install_local_zip_and_reject_path_traversal(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    good.write_bytes(make_zip(MODEL_FILES))
    info = install_vosk_zip(good, tmp_path / "models", "vosk-small-cn", expected_sha256="")
    assert check_vosk_model(info.path).graph == "HCLr+Gr"
    evil = tmp_path / "evil.zip"
    evil.write_bytes(make_zip({**MODEL_FILES, "../../escape.txt": b"x"}, top=""))
    with pytest.raises(ModelDownloadError, match="leaves the folder"):
        install_vosk_zip(evil, tmp_path / "other", "vosk-cn")
    assert not (tmp_path / "escape.txt").exists()
    notzip = tmp_path / "not.zip"
    notzip.write_bytes(b"hello")
    with pytest.raises(ModelDownloadError, match="not a valid zip"):
        install_vosk_zip(notzip, tmp_path / "third", "vosk-cn")
    assert _leftovers(tmp_path / "third") == []
