"""THE speech-engine choice (``vosk`` | ``whisper`` | ``auto``), and loading the chosen engine.

:func:`choose_engine` is the one rule, a pure function of what is installed; everything
that needs to know which engine ``auto`` means calls it: :func:`create_engine` (which then
loads it), ``hotline models status`` (which says what is in use and why) and the TUI's
practice screen (which recognises live only when a speech model is there).

``auto`` picks Vosk when a Mandarin Vosk model is configured (``vosk_model``) or the
default ``<models_dir>/vosk-model-small-cn-0.22`` is installed; otherwise faster-whisper. A
configured model that cannot be loaded, or whose folder name says another language, makes
``auto`` fall back to Whisper and say why; a configured model of unknown language is used.
``vosk`` / ``whisper`` name the engine whatever is installed (loading then raises the model
error).

:func:`probe_vosk` and :func:`probe_whisper` look at the disk only (no model is loaded).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from asr.engine import EngineFactory
from asr.errors import ASRError, EngineUnavailableError
from asr.models import DEFAULT_VOSK_MODEL, KNOWN_VOSK_MODELS, VoskModelInfo, check_vosk_model

__all__ = [
    "DEFAULT_WHISPER_FOLDER",
    "EngineChoice",
    "VoskProbe",
    "WhisperProbe",
    "choose_engine",
    "create_engine",
    "default_vosk_model_path",
    "probe_vosk",
    "probe_whisper",
]

DEFAULT_WHISPER_FOLDER = "whisper-base"


def default_vosk_model_path(models_dir: Path) -> Path:
    return Path(models_dir) / KNOWN_VOSK_MODELS[DEFAULT_VOSK_MODEL].folder


@dataclass(frozen=True)
class VoskProbe:
    """The Vosk model the settings point at, checked on disk."""

    path: Path
    configured: bool  # ``vosk_model`` was set (else: the default folder)
    info: VoskModelInfo | None  # ``None`` when the folder is missing or not a model
    problem: str = ""  # why ``info`` is ``None``


@dataclass(frozen=True)
class WhisperProbe:
    """The Whisper model the settings point at, checked on disk."""

    source: str  # the configured model (folder or cached name) or the default folder
    configured: bool  # ``whisper_model`` was set
    available: bool
    problem: str = ""  # why it is not available


@dataclass(frozen=True)
class EngineChoice:
    """Which engine to run and why (see :func:`choose_engine`)."""

    name: str  # "vosk" | "whisper" | "none"
    reason: str  # "requested", "configured model", "Mandarin model installed", or why not Vosk
    requested: bool  # named by the setting rather than picked by ``auto``
    ready: bool  # the chosen engine's model is on disk
    vosk: VoskProbe
    whisper: WhisperProbe
    not_mandarin: str | None = None  # language of a Vosk model ``auto`` passed over


def probe_vosk(vosk_model: Path | None, models_dir: Path) -> VoskProbe:
    """Check the configured Vosk model, or the default one under ``models_dir``."""
    configured = vosk_model is not None
    path = Path(vosk_model) if vosk_model is not None else default_vosk_model_path(models_dir)
    try:
        return VoskProbe(path, configured, check_vosk_model(path))
    except ASRError as exc:
        return VoskProbe(path, configured, None, str(exc))


def probe_whisper(whisper_model: str | None, models_dir: Path) -> WhisperProbe:
    """Check the configured Whisper model, or ``<models_dir>/whisper-base``, as the loader
    will: a folder must hold a CTranslate2 model; a model name (not a path) is looked up in
    the local Hugging Face cache only when loading, so it counts as available."""
    from asr.whisper.model import check_whisper_folder

    if whisper_model:
        path = Path(whisper_model).expanduser()
        if not (path.exists() or os.sep in whisper_model or whisper_model.startswith(".")):
            return WhisperProbe(whisper_model, True, True)
        source, configured = whisper_model, True
    else:
        path = Path(models_dir) / DEFAULT_WHISPER_FOLDER
        source, configured = str(path), False
        if not path.exists():
            problem = (
                f"No Whisper model configured and {path} does not exist: run "
                "`hotline models install whisper-base` or set HOTLINE_WHISPER_MODEL"
            )
            return WhisperProbe(source, configured, False, problem)
    try:
        check_whisper_folder(path)
    except ASRError as exc:
        return WhisperProbe(source, configured, False, str(exc))
    return WhisperProbe(source, configured, True)


def choose_engine(requested: str, vosk: VoskProbe, whisper: WhisperProbe) -> EngineChoice:
    """THE engine rule (see the module docstring). Raises ``ValueError`` for an unknown
    engine name."""
    choice = (requested or "auto").strip().lower()
    if choice == "vosk":
        return EngineChoice("vosk", "requested", True, vosk.info is not None, vosk, whisper)
    if choice == "whisper":
        return EngineChoice("whisper", "requested", True, whisper.available, vosk, whisper)
    if choice != "auto":
        raise ValueError(f"Unknown engine {requested!r}: use vosk, whisper or auto")
    info = vosk.info
    not_mandarin: str | None = None
    if vosk.configured:
        if info is None:
            why = f"configured Vosk model unusable ({vosk.problem})"
        elif info.language is not None and not info.is_mandarin:
            not_mandarin = info.language
            why = (
                f"configured Vosk model {info.name} is not Mandarin ({info.language}); "
                "set asr_engine=vosk to use it anyway"
            )
        else:
            return EngineChoice("vosk", "configured model", False, True, vosk, whisper)
    elif info is not None:
        return EngineChoice("vosk", "Mandarin model installed", False, True, vosk, whisper)
    else:
        why = f"no Mandarin Vosk model at {vosk.path}"
    name = "whisper" if whisper.available else "none"
    return EngineChoice(name, why, False, whisper.available, vosk, whisper, not_mandarin)


def _load_vosk(path: Path, rescoring: bool = False) -> EngineFactory:
    from asr.vosk_engine import VoskEngine

    return VoskEngine(path, rescoring=rescoring)


def _load_whisper(probe: WhisperProbe, hotwords: str | None = None) -> tuple[EngineFactory, str]:
    if not probe.configured and not Path(probe.source).exists():
        raise EngineUnavailableError(probe.problem)
    from asr.whisper.decoder import WhisperEngine

    model: str | Path = probe.source if probe.configured else Path(probe.source)
    engine: EngineFactory = WhisperEngine(model, hotwords=hotwords)
    return engine, str(model)


def create_engine(
    engine: str,
    vosk_model: Path | None,
    whisper_model: str | None,
    models_dir: Path,
    *,
    vosk_rescoring: bool = False,
    whisper_hotwords: str | None = None,
) -> tuple[EngineFactory, str]:
    """Load the engine :func:`choose_engine` picks; return it with a one-line reason for the
    status bar/logs.

    ``vosk_rescoring``: keep a large model's RNNLM rescoring (better finals, seconds later:
    batch transcription only; live use drops it). ``whisper_hotwords``: space-separated
    words that bias Whisper's decoding (e.g. from the dispatch catalogue).
    """
    models_dir = Path(models_dir).expanduser()
    choice = choose_engine(
        engine, probe_vosk(vosk_model, models_dir), probe_whisper(whisper_model, models_dir)
    )
    if choice.name == "vosk":
        info = choice.vosk.info
        factory = _load_vosk(info.path if info else choice.vosk.path, vosk_rescoring)
        return factory, f"Vosk ({choice.reason}): {factory.model_description}"
    if choice.requested:
        factory, desc = _load_whisper(choice.whisper, whisper_hotwords)
        return factory, f"Whisper (requested): {desc}"
    try:
        if not choice.ready:
            raise EngineUnavailableError(choice.whisper.problem)
        factory, desc = _load_whisper(choice.whisper, whisper_hotwords)
    except ASRError as exc:
        raise EngineUnavailableError(
            f"No speech engine available: {choice.reason}; and Whisper: {exc}. Install one "
            f"with `hotline models download {DEFAULT_VOSK_MODEL}` or "
            "`hotline models install whisper-base`."
        ) from exc
    return factory, f"Whisper ({choice.reason}): {desc}"
