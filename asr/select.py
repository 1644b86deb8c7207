"""Choose and load the speech engine (``vosk`` | ``whisper`` | ``auto``)."""

from __future__ import annotations

from pathlib import Path

from asr.engine import EngineFactory
from asr.errors import ASRError, EngineUnavailableError
from asr.models import DEFAULT_VOSK_MODEL, KNOWN_VOSK_MODELS, check_vosk_model

DEFAULT_WHISPER_FOLDER = "whisper-base"


def default_vosk_model_path(models_dir: Path) -> Path:
    return Path(models_dir) / KNOWN_VOSK_MODELS[DEFAULT_VOSK_MODEL].folder


def _load_vosk(path: Path, rescoring: bool = False) -> EngineFactory:
    from asr.vosk_engine import VoskEngine

    return VoskEngine(path, rescoring=rescoring)


def _load_whisper(
    whisper_model: str | None, models_dir: Path, hotwords: str | None = None
) -> tuple[EngineFactory, str]:
    model: str | Path
    if whisper_model:
        model = whisper_model
    else:
        default = Path(models_dir) / DEFAULT_WHISPER_FOLDER
        if not default.exists():
            raise EngineUnavailableError(
                f"No Whisper model configured and {default} does not exist: run "
                "`hotline models install whisper-base` or set HOTLINE_WHISPER_MODEL"
            )
        model = default
    try:
        from asr.whisper.decoder import WhisperEngine  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise EngineUnavailableError(
            "The Whisper engine is not available (install the extra: pip install "
            f"'hotline-assistant[whisper]'): {exc}"
        ) from exc
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
    """Load the requested engine; return it with a one-line reason for the status bar/logs.

    ``auto``: Vosk when a Mandarin Vosk model is configured (``vosk_model``) or the default
    ``<models_dir>/vosk-model-small-cn-0.22`` is installed; otherwise faster-whisper. A
    configured model that cannot be loaded, or whose folder name says another language,
    makes ``auto`` fall back to Whisper and say why; ``vosk`` uses it anyway (or raises the
    model error). ``vosk_rescoring``: keep a large model's RNNLM rescoring (better finals,
    seconds later: batch transcription only; live use drops it). ``whisper_hotwords``:
    space-separated words that bias Whisper's decoding (e.g. from the dispatch catalogue).
    """
    choice = (engine or "auto").strip().lower()
    models_dir = Path(models_dir).expanduser()
    if choice == "vosk":
        path = Path(vosk_model) if vosk_model else default_vosk_model_path(models_dir)
        factory = _load_vosk(path, vosk_rescoring)
        return factory, f"Vosk (requested): {factory.model_description}"
    if choice == "whisper":
        factory, desc = _load_whisper(whisper_model, models_dir, whisper_hotwords)
        return factory, f"Whisper (requested): {desc}"
    if choice != "auto":
        raise ValueError(f"Unknown engine {engine!r}: use vosk, whisper or auto")

    vosk_problem = ""
    if vosk_model is not None:
        try:
            info = check_vosk_model(Path(vosk_model))
            if info.language is not None and not info.is_mandarin:
                vosk_problem = (
                    f"configured Vosk model {info.name} is not Mandarin ({info.language}); "
                    "set asr_engine=vosk to use it anyway"
                )
            else:
                factory = _load_vosk(info.path, vosk_rescoring)
                return factory, f"Vosk (configured model): {factory.model_description}"
        except ASRError as exc:
            vosk_problem = f"configured Vosk model unusable ({exc})"
    else:
        default = default_vosk_model_path(models_dir)
        try:
            info = check_vosk_model(default)
        except ASRError:
            vosk_problem = f"no Mandarin Vosk model at {default}"
        else:
            factory = _load_vosk(info.path, vosk_rescoring)
            return factory, f"Vosk (Mandarin model installed): {factory.model_description}"
    try:
        factory, desc = _load_whisper(whisper_model, models_dir, whisper_hotwords)
    except ASRError as exc:
        raise EngineUnavailableError(
            f"No speech engine available: {vosk_problem}; and Whisper: {exc}. Install one "
            f"with `hotline models download {DEFAULT_VOSK_MODEL}` or "
            "`hotline models install whisper-base`."
        ) from exc
    return factory, f"Whisper ({vosk_problem}): {desc}"
