"""The scope case bank: validation, the calibrated matcher (fake vectors), and the figures
split by source through the real engine with the real embedding model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.errors import CatalogueError
from knowledge.rules import load_rules
from knowledge.scope.cases import load_cases
from knowledge.scope.evaluate import heard_variants, load_inscope
from knowledge.scope.matcher import CaseMatcher, ScopeThresholds

RULES = load_rules()


def test_bundled_bank_has_many_hotlines_and_both_splits() -> None:
    bank = load_cases(rules=RULES)
    used = {c.source.id for c in bank.cases}
    assert {s.id for s in bank.sources} == used  # every source contributes cases
    assert len(used) >= 8
    for split in ("tune", "report"):
        sources = {c.source.id for c in bank.cases if c.split == split}
        assert len(sources) >= 4, split
        assert any(c.rule is None for c in bank.cases if c.split == split)  # accepted examples
    # every published or paraphrased case is a caller's sentence, not a list heading
    assert all(c.kind in ("published", "list_item", "paraphrase") for c in bank.cases)


def _write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "cases.yaml"
    f.write_text(
        "sources:\n"
        "  - {id: a, hotline: 某市12345, url: 'https://example.org/a', title: 清单, split: tune}\n"
        "cases:\n" + body,
        encoding="utf-8",
    )
    return f


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        ("  - {rule: nope, source: a, kind: paraphrase, text: 帮我算算命吧}\n", "cases[0].rule", 4),
        (
            "  - {rule: null, source: b, kind: paraphrase, text: 路灯坏了好几天}\n",
            "cases[0].source",
            4,
        ),
        ("  - {rule: null, source: a, kind: rumour, text: 路灯坏了好几天}\n", "cases[0].kind", 4),
        (
            "  - {rule: null, source: a, kind: paraphrase, text: 路灯坏了好几天}\n"
            "  - {rule: null, source: a, kind: published, text: 路灯坏了好几天}\n",
            "cases[1].text",
            5,
        ),
    ],
)
def test_bad_case_names_file_line_and_field(
    tmp_path: Path, body: str, field: str, line: int
) -> None:
    f = _write(tmp_path, body)
    with pytest.raises(CatalogueError) as err:
        load_cases(f, rules=RULES)
    msg = str(err.value)
    assert field in msg and "cases.yaml" in msg and f":{line}" in msg, msg


class _Fake:
    """Vectors on two axes: out-of-scope (x) and ordinary (y); enough to exercise thresholds."""

    backend = "fake"
    model_id = "fake"

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if "算命" in t or "风水" in t else [0.0, 1.0] for t in texts])


def _matcher(tmp_path: Path, t: ScopeThresholds) -> CaseMatcher:
    f = _write(tmp_path, "  - {rule: null, source: a, kind: paraphrase, text: 路灯坏了好几天}\n")
    m = CaseMatcher(RULES, load_cases(f, rules=RULES), t)
    m.attach(_Fake())  # type: ignore[arg-type]
    return m


def _q(x: float) -> Any:
    v = np.array([x, (1 - x * x) ** 0.5])
    return v / np.linalg.norm(v)


def test_matcher_declines_only_when_confident_and_notes_when_unsure(tmp_path: Path) -> None:
    t = ScopeThresholds(decline_score=0.9, decline_margin=0.1, note_score=0.7, note_margin=0.0)
    m = _matcher(tmp_path, t)
    sure = m.judge("帮我看看风水", _q(0.99), best_leaf_cosine=0.2)
    assert sure is not None and sure.confident and sure.rule.id == "superstition"
    unsure = m.judge("帮我看看风水", _q(0.8), best_leaf_cosine=0.2)
    assert unsure is not None and not unsure.confident
    # as close to an accepted case / catalogue leaf as to the rule: nothing at all
    assert m.judge("帮我看看风水", _q(0.8), best_leaf_cosine=0.95) is None
    # leaving the only source out removes its accepted case from the comparison
    assert m.view(exclude_sources={"a"}).exclude_sources == {"a"}


def test_heard_variants_drop_punctuation_and_use_homophones() -> None:
    v = heard_variants("救命！我家着火了，有人晕倒了")
    assert "救命我家着火了有人晕倒了" in v
    assert any("着货" in x for x in v) and any("云倒" in x for x in v)
    assert heard_variants("电梯困人了", cry=False) == ["电梯困人了"]


def test_inscope_set_is_large_varied_and_split() -> None:
    rows = load_inscope()
    assert len(rows) >= 300
    assert len({r["department"] for r in rows}) >= 20
    assert {r["split"] for r in rows} == {"tune", "report"}


# ------------------------------------------------------------------ real engine, real model
@pytest.fixture(scope="module")
def scope_report() -> Any:
    from knowledge.scope.evaluate import evaluate_scope
    from tests.e2e_fixtures import real_engine

    engine = real_engine()
    assert engine.semantic_ready and engine.classifier.bank is not None
    return evaluate_scope(engine)


def _rate(report: Any, key: tuple[str, str], metric: str) -> float:
    ok, n = report.value(key, metric)
    assert n > 0, (key, metric)
    return ok / n


@pytest.mark.slow
def test_scope_figures_split_by_source_through_the_real_engine(scope_report: Any) -> None:
    r = scope_report
    # cases of hotlines never used while tuning: in-scope vs out-of-scope
    assert _rate(r, ("bank", "report"), "in_out") >= 0.80
    # ordinary requests wrongly called refer / decline, both halves
    assert _rate(r, ("inscope", "tune"), "false_out_of_scope") <= 0.03
    assert _rate(r, ("inscope", "report"), "false_out_of_scope") <= 0.035
    # the rules' own dev lines, and their heard variants: every emergency still an emergency
    assert _rate(r, ("dev", "tune"), "verdict") >= 0.98
    assert _rate(r, ("dev", "tune"), "emergency_recall") == 1.0
    assert _rate(r, ("heard", "tune"), "emergency_recall") >= 0.98


@pytest.mark.slow
def test_an_unsure_match_is_accepted_with_a_visible_note() -> None:
    from tests.e2e_fixtures import real_engine

    engine = real_engine()
    bank = engine.classifier.bank
    assert bank is not None
    # a bank that is never confident but always has a candidate: every match becomes a note
    never_sure = bank.with_thresholds(decline_score=9.0, emergency_score=9.0, confirm_cosine=9.0,
                                      note_score=-1.0,
                                      note_margin=-9.0)  # fmt: skip
    engine.classifier.bank = never_sure
    try:
        a = engine.analyze("我在家闲着没事，就想找你们接线员聊聊天", k=5)
    finally:
        engine.classifier.bank = bank
    assert a.verdict == "accept" and a.rule_id is None
    assert a.scope_note is not None
    assert a.scope_note.startswith("可能不属于受理范围：") and a.scope_note.endswith("请核实")
    assert a.guidance is not None and a.guidance.startswith(a.scope_note)
