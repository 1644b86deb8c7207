"""The batch QA report: self-contained HTML for the sample sessions, the CLI, and a real
render in headless Chromium whose screenshot shows the charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import need_real
from e2e_fixtures import SAMPLE_IDS, SAMPLES

from assistant.errors import SessionFileError
from assistant.qa.report import HIST_COLOUR, MISS_COLOUR, write_report

SESSIONS = [SAMPLES / i / "session" for i in SAMPLE_IDS]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(SESSIONS, tmp_path_factory.mktemp("report") / "qa.html")


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing external
    assert not re.search(r"url\(", html)
    assert html.count("<svg") == 2 and 'id="score-histogram"' in html
    assert "得分分布" in html and "最常见的扣分项" in html and "通话列表" in html
    # every call is in the table and has an anchored scorecard
    for i, call_id in enumerate(SAMPLE_IDS):
        anchor = f"call-{i + 1}-{call_id}"
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    # the rude call's misses and a quoted moment
    assert "你爱找谁找谁" in html and "[00:12.6] 话务员" in html
    assert html.count("不合格</span>") >= 1


def test_report_lists_unreadable_sessions(tmp_path: Path) -> None:
    out = write_report([SESSIONS[0], tmp_path / "missing"], tmp_path / "r.html")
    assert "无法读取的会话" in out.read_text(encoding="utf-8")
    with pytest.raises(SessionFileError, match="no readable session"):
        write_report([tmp_path / "missing"], tmp_path / "r2.html")


def test_cli_review_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tui.cli import app

    out = tmp_path / "out.html"
    res = CliRunner().invoke(app, ["review", "--report", str(out), str(SAMPLES)])
    assert res.exit_code == 0, res.output
    assert f"of {len(SAMPLE_IDS)} session(s)" in res.output
    assert out.read_text(encoding="utf-8").count('class="card"') == len(SAMPLE_IDS)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                      else None)  # fmt: skip
        if path:
            return path
    return None


def _read_png(path: Path, max_rows: int | None = None) -> np.ndarray:
    """RGB pixels of the first ``max_rows`` rows of a PNG (8-bit RGB/RGBA, no interlace),
    decoded with zlib and the PNG row filters (no imaging library is installed)."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, ihdr = 8, [], b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IHDR":
            ihdr = data[pos + 8 : pos + 8 + n]
        elif kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + n])
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", ihdr[:13])
    assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = w * bpp
    rows = min(h, max_rows or h)
    out = bytearray()
    prev = bytearray(stride)
    for y in range(rows):
        base = y * (stride + 1)
        f = raw[base]
        line = raw[base + 1 : base + 1 + stride]
        cur = bytearray(line)
        if f == 1:
            for x in range(bpp, stride):
                cur[x] = (cur[x] + cur[x - bpp]) & 0xFF
        elif f == 2:
            cur = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif f == 3:
            for x in range(stride):
                left = cur[x - bpp] if x >= bpp else 0
                cur[x] = (cur[x] + ((left + prev[x]) >> 1)) & 0xFF
        elif f == 4:
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (cur[x] + pred) & 0xFF
        out += cur
        prev = cur
    return np.frombuffer(bytes(out), np.uint8).reshape(rows, w, bpp)[:, :, :3]


def _colour_pixels(img: np.ndarray, hex_colour: str) -> int:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img.astype(int) - rgb).max(axis=2) <= 12).sum())


@pytest.mark.slow
def test_report_renders_charts_in_chromium(report: Path, tmp_path: Path) -> None:
    browser = _chromium()
    need_real("Chromium (/usr/bin/chromium) for the report render test", browser is not None)
    assert browser is not None

    def shot(html: Path, name: str) -> np.ndarray:
        png = tmp_path / f"{name}.png"
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / ('profile-' + name)}", f"--screenshot={png}",
               "--window-size=1200,1600", "--hide-scrollbars", html.resolve().as_uri()]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        return _read_png(png, max_rows=600)  # the overview (charts) is at the top

    with_charts = shot(report, "charts")
    # the same page with the two chart elements removed
    html = report.read_text(encoding="utf-8")
    stripped = re.sub(r'<div class="chart" id="chart-\w+">.*?</svg></div>', "", html, flags=re.S)
    assert stripped != html and "<svg" not in stripped
    bare = tmp_path / "bare.html"
    bare.write_text(stripped, encoding="utf-8")
    without = shot(bare, "bare")

    assert _colour_pixels(with_charts, HIST_COLOUR) > 2000  # histogram bars
    assert _colour_pixels(with_charts, MISS_COLOUR) > 2000  # misses bars
    # without the chart elements the bar colours are (nearly) gone: a few anti-aliased pixels
    # of the red "不合格" badge / link text may come close to the misses colour
    assert _colour_pixels(without, HIST_COLOUR) < 100
    assert _colour_pixels(without, MISS_COLOUR) < 100
