"""Scope rules: emergencies on recogniser-style text, and the lonely-pattern overfitting audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import load_devset
from knowledge.rules import load_rules
from knowledge.scope import lonely_pattern_hits

RULES = load_rules()
DEV = sorted(Path("tests/data/devset").glob("*.jsonl"))
# Lonely hits: 10 when this audit was added (issue 17), 6 once the patterns that only one dev line
# needed were removed (the case bank now finds those lines by meaning); the figure may only go down.
KNOWN_LONELY = 6


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


def test_audit_flags_a_pattern_only_one_line_needs(tmp_path: Path) -> None:
    f = tmp_path / "rules.yaml"
    f.write_text(
        "rules:\n"
        "  - id: wish\n    name: 个人愿望\n    verdict: decline\n    reason: no_substance\n"
        "    keywords: [介绍对象]\n    patterns: ['涨工资', '买彩票']\n"
        "    examples: [帮我介绍对象, 想让政府介绍对象, 给我介绍对象吧]\n"
        "    basis: 依据\n    script: 话术\n",
        encoding="utf-8",
    )
    rules = load_rules(f)
    rows = [
        {"id": "a", "text": "我想让你们给我涨工资", "verdict": "decline"},
        {"id": "b", "text": "帮我买彩票", "verdict": "decline"},
        {"id": "c", "text": "老板不给涨工资", "verdict": "accept"},
        {"id": "d", "text": "帮我介绍对象", "verdict": "decline"},
    ]
    # a: 涨工资 also matches line c; b: 买彩票 matches nothing else; d fires by keyword
    assert [h.line_id for h in lonely_pattern_hits(rules, rows)] == ["b"]


def test_dev_set_lonely_pattern_hits_do_not_grow() -> None:
    hits = lonely_pattern_hits(RULES, load_devset(DEV))
    report = "\n".join(f"{h.line_id} {h.rule_id} {h.pattern}" for h in hits)
    assert len(hits) <= KNOWN_LONELY, report
