"""Local model folders and vector helpers shared by the embedding backends.

* :func:`locate_st_model` — the local folder of a sentence-transformers model (a path, or a
  hub name already in the Hugging Face cache), never downloading;
* :func:`fingerprint` — a cheap identity of a model folder (names, sizes, mtimes) for caches;
* :func:`normalise` — float32, L2-normalised rows;
* :func:`looks_like_path` — whether a model setting names a folder rather than a hub model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["fingerprint", "locate_st_model", "looks_like_path", "normalise"]


def normalise(x: Any) -> np.ndarray:
    import numpy as np

    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def looks_like_path(model: str) -> bool:
    return (
        model.startswith(("/", ".", "~"))
        or model.count("/") > 1
        or "\\" in model
        or Path(model).expanduser().exists()
    )


def _hf_cached_dir(name: str) -> Path | None:
    """The local snapshot folder of a hub model if it is in the HF cache, else None."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover
        return None
    for probe in ("modules.json", "config.json"):
        try:
            found = try_to_load_from_cache(name, probe)
        except Exception:  # invalid repo id etc.
            return None
        if isinstance(found, str):
            return Path(found).parent
    return None


def fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix in (".json", ".safetensors", ".bin", ".onnx", ".txt", ".model"):
            st = f.stat()
            h.update(f"{f.relative_to(folder)}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def locate_st_model(model: str) -> Path | None:
    """The local folder of ``model`` (a path, or a hub name in the HF cache), or None."""
    if not model.strip():
        return None
    p = Path(model).expanduser()
    if p.is_dir():
        return p.resolve()
    if looks_like_path(model):
        return None
    return _hf_cached_dir(model)
