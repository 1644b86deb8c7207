"""The onnx-int8 embedding backend, built from the real e5-small folder and run for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import get_embedder
from knowledge.embedding_onnx import OnnxInt8Embedder
from knowledge.errors import EmbeddingError

pytestmark = pytest.mark.slow

DEVSET = Path(__file__).parent / "data" / "devset" / "catalogue_b.jsonl"


def _texts(n: int) -> list[str]:
    return [json.loads(line)["text"] for line in DEVSET.read_text("utf-8").splitlines()][:n]


@pytest.fixture(scope="module")
def onnx_cache() -> Path:
    """The test session's vector cache: what `hotline analyze` uses, so it builds once."""
    from assistant.settings import load_settings

    return load_settings().vector_cache_dir


@pytest.fixture(scope="module")
def onnx_embedder(embedding_model_path: str, onnx_cache: Path) -> OnnxInt8Embedder:
    return OnnxInt8Embedder(embedding_model_path, cache_dir=onnx_cache)


def test_vectors_close_to_sentence_transformers(onnx_embedder, embedding_model_path) -> None:
    texts = _texts(24)
    got = onnx_embedder.encode_queries(texts)
    assert got.shape == (24, 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    ref = get_embedder("sentence-transformers", embedding_model_path).encode_queries(texts)
    cos = (got * ref).sum(axis=1)
    assert cos.min() > 0.98, cos.min()  # int8 per-channel: 0.99+ measured
    # query and passage prompts are applied (E5): the same text embeds differently
    assert not np.allclose(onnx_embedder.encode_passages(texts[:2]), got[:2])


def test_a_vector_does_not_depend_on_its_batch(onnx_embedder) -> None:
    texts = _texts(12)
    together = onnx_embedder.encode_queries(texts)
    alone = np.concatenate([onnx_embedder.encode_queries([t]) for t in texts[::-1]])[::-1]
    assert np.array_equal(together, alone)
    assert onnx_embedder.encode_queries([]).shape == (0, 384)


def test_built_once_then_loaded(onnx_embedder, embedding_model_path, onnx_cache) -> None:
    path = onnx_embedder.path
    assert path.is_file() and onnx_cache in path.parents
    stamp = path.stat().st_mtime_ns
    again = OnnxInt8Embedder(embedding_model_path, cache_dir=onnx_cache, threads=1)
    assert again.path == path and path.stat().st_mtime_ns == stamp
    texts = _texts(4)
    # the thread count changes nothing in the vectors
    assert np.array_equal(again.encode_queries(texts), onnx_embedder.encode_queries(texts))


def test_missing_model_and_corrupt_build_are_clear_errors(
    tmp_path, embedding_model_path, onnx_embedder
) -> None:
    with pytest.raises(EmbeddingError, match="not found"):
        OnnxInt8Embedder(str(tmp_path / "nowhere"), cache_dir=tmp_path)
    # a truncated model file (disk full during an earlier build by another tool)
    cache = tmp_path / "c"
    target = cache / "onnx" / onnx_embedder.path.parent.name / onnx_embedder.path.name
    target.parent.mkdir(parents=True)
    target.write_bytes(onnx_embedder.path.read_bytes()[:1000])
    with pytest.raises(EmbeddingError, match="cannot load the onnx-int8 model"):
        OnnxInt8Embedder(embedding_model_path, cache_dir=cache)


def test_analyze_with_onnx_backend_same_in_workers(embedding_model_path, monkeypatch) -> None:
    """`hotline analyze --backend onnx-int8`: batches and 2 worker processes give the
    one-record-at-a-time output, byte for byte."""
    from assistant.batch import analyze_line
    from assistant.batch_run import build_engine, run_batches

    monkeypatch.setenv("HOTLINE_EMBEDDING_MODEL", embedding_model_path)
    engine = build_engine("onnx-int8")
    assert engine.semantic_ready and "onnx-int8" in engine.backend_description
    lines = [
        (i + 1, json.dumps({"id": i, "text": t}, ensure_ascii=False), None)
        for i, t in enumerate(_texts(20))
    ]
    want = [analyze_line(engine, text, n, 5) for n, text, _ in lines]
    dump = lambda rs: [json.dumps(r, ensure_ascii=False) for r in rs]  # noqa: E731
    assert dump(run_batches(lines, engine=engine, batch_size=6)) == dump(want)
    got = run_batches(lines, backend="onnx-int8", workers=2, batch_size=6)
    assert dump(got) == dump(want)
    assert all(r["categories"] for r in want)
