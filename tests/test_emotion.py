"""Caller emotion (issue 20): training data, the calibrated model, call-level tracking.

Fast unit tests use tiny synthetic features; ``test_report_half_through_real_model`` runs the
shipped weights through the real embedding model on the untouched report half of the dev set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.emotion.data import EMOTIONS, TRAIN_PATH, load_train
from knowledge.emotion.evaluate import dev_rows, dev_split, emotion_report
from knowledge.emotion.model import MODEL_PATH, EmotionModel, default_model
from knowledge.emotion.track import CallEmotion
from knowledge.errors import CatalogueError

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"


# ---------------------------------------------------------------------------- data


def test_training_data_is_valid_and_not_the_dev_set() -> None:
    lines = load_train()
    counts = {e: sum(t.emotion == e for t in lines) for e in EMOTIONS}
    assert len(lines) >= 600 and min(counts.values()) >= 150
    assert counts["calm"] > counts["angry"] and counts["calm"] > counts["distressed"]
    assert len({t.department for t in lines if t.department}) == 24  # every department
    dev = {json.loads(x)["text"] for p in DEVSET.glob("*.jsonl") for x in p.open(encoding="utf-8")}
    assert not dev & {t.text for t in lines}


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('{"id": "x", "text": "你好", "emotion": "happy"}', "[emotion]"),
        ('{"id": "x", "text": "", "emotion": "calm"}', "[text]"),
        ('{"id": "x", "text": "你好", "emotion": "calm", "department": "天文"}', "[department]"),
        ("not json", ":2"),
    ],
)
def test_bad_training_line_names_file_line_field(tmp_path: Path, line: str, where: str) -> None:
    p = tmp_path / "train.jsonl"
    p.write_text('{"id": "a", "text": "路灯坏了", "emotion": "calm"}\n' + line + "\n", "utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_train(p)
    assert str(p) in str(exc.value) and ":2" in str(exc.value) and where in str(exc.value)


def test_dev_halves_are_fixed_and_disjoint() -> None:
    tune, report = dev_rows(DEVSET, "tune"), dev_rows(DEVSET, "report")
    assert {r["_source"].split(":")[0] for r in tune} >= {"catalogue_a.jsonl", "scope.jsonl"}
    assert "catalogue_b.jsonl" not in {r["_source"].split(":")[0] for r in tune}
    assert not {r["_source"] for r in tune} & {r["_source"] for r in report}
    # an ASR variant stays in the half of the line it was derived from
    scope = [r for r in tune + report if r["_source"].startswith("scope")]
    by_id = {r["id"]: dev_split(r) for r in scope}
    assert all(dev_split(r) == by_id[r["of"]] for r in scope if r.get("of") in by_id)


# ---------------------------------------------------------------------------- model


def test_shipped_weights_match_the_training_data() -> None:
    """Edit train.jsonl -> rebuild: `python -m knowledge.emotion.train`."""
    model = default_model()
    assert model is not None and model.is_current(TRAIN_PATH)
    assert 0.0 <= model.threshold_distressed <= 1.0 and 0.0 <= model.threshold_angry <= 1.0


def test_export_reproduces_sklearn_and_survives_a_save(tmp_path: Path) -> None:
    from knowledge.emotion.train import fit

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    x = rng.normal(size=(120, 6)) + np.eye(3, 6)[y] * 2.0
    model = fit(x, y, np.arange(120) // 2)  # asserts equality with predict_proba inside
    p = model.proba(x)
    assert np.allclose(p.sum(axis=1), 1.0) and (p.argmax(axis=1) == y).mean() > 0.8
    model.save(tmp_path / "m.npz")
    again = EmotionModel.load(tmp_path / "m.npz")
    assert np.allclose(again.proba(x), p, atol=1e-5)


def test_neutral_default_needs_the_threshold() -> None:
    model = EmotionModel.load(MODEL_PATH)
    ta, td = model.threshold_angry, model.threshold_distressed
    assert model.decide(np.array([0.1, 0.1, max(ta - 0.01, 0)]), "angry") in ("calm", "angry")
    assert model.decide(np.array([0.0, 0.0, 1.0]), "angry") == "angry"
    assert model.decide(np.array([0.0, 1.0, 0.0]), "distressed") == "distressed"
    assert model.decide(np.array([1.0, 0.0, 0.0]), "angry") == ("angry" if ta == 0 else "calm")
    assert model.decide(np.array([1.0, 0.0, 0.0]), "distressed") == (
        "distressed" if td == 0 else "calm"
    )
    assert model.decide(np.array([0.0, 0.0, 1.0]), "calm") == "calm"  # never adds a label


def test_unreadable_weights_say_how_to_rebuild(tmp_path: Path) -> None:
    from knowledge.errors import KnowledgeError

    bad = tmp_path / "model.npz"
    bad.write_bytes(b"nope")
    with pytest.raises(KnowledgeError, match=r"knowledge\.emotion\.train"):
        EmotionModel.load(bad)


def test_without_embedding_the_lexicon_decides() -> None:
    from knowledge.classify import detect_emotion

    assert detect_emotion("你们到底管不管！我都快气死了！") == "angry"
    assert detect_emotion("路灯坏了好几天了，麻烦你们看看") == "calm"


# ---------------------------------------------------------------------------- call level


def test_call_level_rises_once_and_falls_after_calm_turns() -> None:
    mood = CallEmotion()
    seq = ["calm", "angry", "angry", "calm", "angry", "calm", "calm", "distressed", "angry"]
    rose = [mood.update(e) for e in seq]
    assert rose == [False, True, False, False, False, False, False, True, True]
    assert mood.level == "angry" and mood.peak == "angry" and len(mood.rises) == 3


def test_session_offers_empathy_when_emotion_rises_not_every_turn() -> None:
    from datetime import UTC, datetime

    from session_fixtures import FakeEngine

    from asr.events import TranscriptEvent
    from assistant.core import CallSession

    def ev(speaker: str, text: str, t: float) -> TranscriptEvent:
        return TranscriptEvent(speaker=speaker, text=text, start=t, end=t + 2, final=True)  # type: ignore[arg-type]

    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    s = CallSession(FakeEngine(), call_id="c1", clock=lambda: t0, started_at=t0)  # type: ignore[arg-type]
    st = s.feed(ev("caller", "你们到底管不管！工地老板三个月工资都不给，我都快气死了！", 1))
    assert st.emotion == "angry" and st.empathy_script
    st = s.feed(ev("agent", "您先别着急，我理解您的心情，您慢慢说。", 4))
    st = s.feed(ev("caller", "凭什么不给钱！我都去了好几次了！", 7))
    assert st.emotion == "angry" and st.empathy_script is None  # still angry: not repeated
    assert st.guidance is None or st.guidance not in FakeEngine().scripts.empathy_variants("angry")
    for i, calm in enumerate(["我姓王。", "电话一三九零一二三四五六七。"]):
        st = s.feed(ev("caller", calm, 10 + 3 * i))
    assert st.emotion == "calm"  # it falls after calm turns ...
    st = s.feed(ev("caller", "你们这是什么态度！气死我了！", 20))
    assert st.emotion == "angry" and st.empathy_script  # ... and a new rise is offered again


# ---------------------------------------------------------------------------- real model


def test_report_half_through_real_model(embedding_model_path: str) -> None:
    """The shipped weights on the untouched report half (floors measured, see the report)."""
    from knowledge.classify import detect_emotion
    from knowledge.embedding import get_embedder
    from knowledge.emotion.features import embed_texts

    embedder = get_embedder("sentence-transformers", embedding_model_path)
    rows = dev_rows(DEVSET, "report")
    texts = [str(r["text"]) for r in rows]
    vecs = embed_texts(embedder, texts)
    gold = [str(r["emotion"]) for r in rows]
    got = [detect_emotion(t, qvec=v) for t, v in zip(texts, vecs, strict=True)]
    lexicon = [detect_emotion(t) for t in texts]
    rep, lex = emotion_report(gold, got), emotion_report(gold, lexicon)
    assert rep.calm_flagged is not None and lex.calm_flagged is not None
    assert rep.calm_flagged <= FLOOR_CALM_FLAGGED
    assert rep.accuracy >= FLOOR_ACCURACY
    assert (rep.precision("angry") or 0) >= FLOOR_ANGRY_PRECISION
    assert (rep.precision("distressed") or 0) >= FLOOR_ANGRY_PRECISION
    assert rep.calm_flagged < lex.calm_flagged  # the model's point: calm callers left alone


# Measured 2026-12-02 on the report half (260 lines): calm flagged 0.09 (lexicon alone 0.16),
# accuracy 0.385, angry precision 0.75, distressed precision 0.89. The targets
# (accuracy >= 0.85, P/R >= 0.70) are NOT met; these floors guard what was reached.
FLOOR_CALM_FLAGGED = 0.12
FLOOR_ACCURACY = 0.35
FLOOR_ANGRY_PRECISION = 0.65
