"""Model setup: what is installed where, and the downloads behind `hotline models`.

* :mod:`.status` — :func:`collect_status` (`hotline models status`): each speech and
  embedding model, where it is, its size, which engine is in use and why;
* :mod:`.downloads` — :func:`download_embedding` (`hotline models download embedding`),
  an atomic install into the models folder.

Both are light (settings only); the speech-model checks they report on are imported from
``asr`` inside the functions.
"""

from __future__ import annotations

from assistant.setup.downloads import EMBEDDING_FILES, download_embedding
from assistant.setup.status import (
    ModelStatus,
    collect_status,
    embedding_local_path,
    folder_size_mb,
)

__all__ = [
    "EMBEDDING_FILES",
    "ModelStatus",
    "collect_status",
    "download_embedding",
    "embedding_local_path",
    "folder_size_mb",
]
