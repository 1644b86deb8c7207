"""Hybrid search: normalisation, BM25, homophone keywords, RRF fusion, uncertain flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.retrievers.semantic import SemanticIndex, leaf_passages
from knowledge.search import HybridSearcher, SearchConfig
from knowledge.tokenizer import normalize_text
from tests.knowledge_fixtures import FakeEmbedder, write_small_catalogue


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> HybridSearcher:
    folder = write_small_catalogue(tmp_path_factory.mktemp("cat"))
    return HybridSearcher(load_catalogue([folder]))


@pytest.fixture(scope="module")
def bundled() -> HybridSearcher:
    return HybridSearcher(load_catalogue())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我家 听水 两天 了", "我家听水两天了"),
        ("喂 我 是 海淀区 学院路 那边 的", "喂我是海淀区学院路那边的"),
        ("ＡＢＣ１２３ 小区", "abc123小区"),
        ("  多个   空格  ", "多个空格"),
        ("wifi  is   down", "wifi is down"),
        ("呃 我们 那个 路灯", "我们那个路灯"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_bm25_ranks_the_leaf_with_the_words(small: HybridSearcher) -> None:
    ranks, _kw, _s, _a = small.rankings(normalize_text("门口的路灯不亮了"))
    assert small.catalogue.leaves[ranks["bm25"][0]].name == "路灯不亮"
    assert "semantic" not in ranks


@pytest.mark.parametrize(
    ("text", "leaf_name", "pair"),
    [
        ("我们 小区 无业 不管 楼道 灯 坏了", "物业不作为", "无业不管→物业不管"),
        ("我家 听水 两天 了", "突发停水", "听水→停水"),
        ("我 被 关 在 电提 里 了", "电梯困人", "关在电提里→关在电梯里"),
    ],
)
def test_keyword_retriever_survives_homophones(
    small: HybridSearcher, text: str, leaf_name: str, pair: str
) -> None:
    result = small.search(text, k=3)
    top = result.suggestions[0]
    assert top.leaf.name == leaf_name
    assert pair in top.evidence.fuzzy
    assert top.evidence.ranks.get("keyword") == 1


@pytest.mark.parametrize(
    ("text", "leaf_name"),
    [
        ("我们 小区 无业 不管事 楼道 灯 坏了 三个月 了", "物业不作为"),
        ("我家 听水 两天 了 也 没人 通知", "突发停水"),
        ("我家 暖器 从 昨天 就 一点 都 不热 了", "暖气完全不热"),
    ],
)
def test_homophones_on_the_bundled_catalogue(
    bundled: HybridSearcher, text: str, leaf_name: str
) -> None:
    names = [s.leaf.name for s in bundled.search(text, k=3).suggestions]
    assert leaf_name in names, names


def test_short_keywords_need_exact_pinyin(small: HybridSearcher) -> None:
    """2-character terms match by toneless pinyin only, not by the fuzzy classes."""
    hits = small.keyword.match("我们公司")  # gong si — must not match anything
    assert not any("→" in f for h in hits.values() for f in h.fuzzy)


def test_rrf_fusion_math(small: HybridSearcher) -> None:
    cfg = small.config
    result = small.search("楼下 有人 摆摊 人行道 走不了", k=5)
    top = result.suggestions[0]
    assert top.leaf.name == "占道经营"
    ranks = top.evidence.ranks
    expected = sum(
        {"bm25": cfg.w_bm25, "keyword": cfg.w_keyword}[n] / (cfg.rrf_k + r)
        for n, r in ranks.items()
    ) / ((cfg.w_bm25 + cfg.w_keyword) / (cfg.rrf_k + 1))
    assert top.score == pytest.approx(expected, abs=1e-3)
    assert "摆摊" in top.evidence.keywords
    assert [s.score for s in result.suggestions] == sorted(
        (s.score for s in result.suggestions), reverse=True
    )


def test_weights_change_the_scores(small: HybridSearcher) -> None:
    """A retriever with weight 0 contributes nothing; the score is then BM25's alone."""
    text = "无业 不管 楼道"
    both = small.search(text).suggestions[0]
    assert both.leaf.name == "物业不作为" and both.evidence.ranks.get("keyword") == 1
    cfg = SearchConfig(w_keyword=0.0)
    alone = HybridSearcher(small.catalogue, cfg).search(text).suggestions
    same = next(s for s in alone if s.leaf.id == both.leaf.id)
    r = same.evidence.ranks["bm25"]
    assert same.score == pytest.approx(
        (cfg.w_bm25 / (cfg.rrf_k + r)) / (cfg.w_bm25 / (cfg.rrf_k + 1)), abs=1e-3
    )
    assert same.score < both.score or r == 1


def test_uncertain_flag(bundled: HybridSearcher) -> None:
    clear = bundled.search("小区门口的路灯不亮了好几天了，晚上走路看不见", k=5)
    assert not clear.uncertain
    assert bundled.search("嗯 那个 就是 我想 问 一下", k=5).uncertain
    assert bundled.search("", k=5).uncertain
    assert bundled.search("   ", k=5).suggestions == ()


def test_semantic_retriever_with_fake_embedder(tmp_path: Path) -> None:
    cat = load_catalogue([write_small_catalogue(tmp_path)])
    searcher = HybridSearcher(cat)
    emb = FakeEmbedder()
    index = SemanticIndex.build(cat, emb)
    assert index.vectors.shape == (sum(len(leaf_passages(lf)) for lf in cat.leaves), emb.dim)
    searcher.attach_semantic(index)
    res = searcher.search("门口的路灯黑了好几天了", k=3)
    assert res.semantic_ready
    top = res.suggestions[0]
    assert top.leaf.name == "路灯不亮"
    assert top.evidence.semantic is not None and top.evidence.ranks.get("semantic") == 1
    assert top.evidence.nearest_example == "我们门口的路灯黑了好几天了"


def test_evidence_names_only_words_the_caller_said_and_the_leaf_contains(
    bundled: HybridSearcher,
) -> None:
    """``matched`` (BM25 evidence) is honest: every word is in the query and in the leaf's
    text, common words are left out, and no semantic claim is made without the model."""
    import json

    lines = Path(__file__).parent / "data" / "devset" / "catalogue_a.jsonl"
    texts = [json.loads(x)["text"] for x in lines.read_text(encoding="utf-8").splitlines()[:60]]
    seen = 0
    for text in texts:
        query = normalize_text(text)
        for s in bundled.search(text, k=5).suggestions:
            leaf = s.leaf
            leaf_text = " ".join((*leaf.path, *leaf.keywords, leaf.description, *leaf.examples))
            for word in s.evidence.matched:
                seen += 1
                assert word in query and word in leaf_text, (word, text, leaf.id)
                assert word not in {"我们", "他们", "现在", "已经"}
            assert s.evidence.semantic is None
    assert seen > 20  # the evidence is there for keyword-less matches
