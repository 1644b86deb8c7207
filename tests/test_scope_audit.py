"""Scope rules: emergencies on recogniser-style text, and the lonely-pattern overfitting audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import load_devset
from knowledge.rules import load_rules
from knowledge.scope import lonely_pattern_hits

RULES = load_rules()
DEV = sorted(Path("tests/data/devset").glob("*.jsonl"))
# Lonely hits present when this audit was added (issue 17); the figure may only go down.
KNOWN_LONELY = 10


@pytest.mark.parametrize(
    ("heard", "channel"),
    [
        ("救命啊 快来人", "110"),
        ("救命啊我家着货了", "119"),
        ("着货了 快来人", "119"),
        ("有人晕倒了", "120"),
        ("有人云倒了", "120"),
        ("救命 我爸晕倒了", "120"),
        ("有人倒地不起了", "120"),
    ],
)
def test_emergencies_fire_on_heard_text(heard: str, channel: str) -> None:
    m = RULES.match(heard)
    assert m and m[0].rule.channel == channel


@pytest.mark.parametrize("text", ["这是我的救命钱 被他骗走了", "他是我的救命恩人 想表扬一下"])
def test_cry_for_help_is_not_a_figure_of_speech(text: str) -> None:
    assert not RULES.match(text)


def test_audit_flags_a_pattern_only_one_line_needs() -> None:
    rows = [
        {"id": "a", "text": "救命啊 快来人", "verdict": "refer"},
        {"id": "b", "text": "今天天气不错", "verdict": "accept"},
    ]
    assert lonely_pattern_hits(RULES, rows) == []  # the rule's own examples use the pattern
    rows = [{"id": "c", "text": "有人倒地不起了", "verdict": "refer"}]
    assert [h.line_id for h in lonely_pattern_hits(RULES, rows)] == ["c"]


def test_dev_set_lonely_pattern_hits_do_not_grow() -> None:
    hits = lonely_pattern_hits(RULES, load_devset(DEV))
    report = "\n".join(f"{h.line_id} {h.rule_id} {h.pattern}" for h in hits)
    assert len(hits) <= KNOWN_LONELY, report
