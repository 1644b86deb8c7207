"""Overfitting audit: dev lines that fire a rule only through a pattern nothing else needs.

A refer / decline dev line whose rule fires *only* through a regular expression that matches no
other dev line and none of the rule's own examples was most likely written for that line: the
figure on the dev set then says nothing about unseen callers. :func:`lonely_pattern_hits` lists
such lines so that a test can flag them (``tests/test_scope_audit.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.rules import RuleSet

__all__ = ["LonelyHit", "lonely_pattern_hits"]


@dataclass(frozen=True, slots=True)
class LonelyHit:
    line_id: str
    rule_id: str
    pattern: str
    text: str


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lonely_pattern_hits(rules: RuleSet, lines: Iterable[Mapping[str, Any]]) -> list[LonelyHit]:
    """Refer / decline lines whose first rule fires only through a pattern used by no other line.

    A line counts as supported when its rule also fires by keyword or pinyin, or when one of the
    patterns that match it matches another dev line or one of the rule's examples.
    """
    rows = [r for r in lines if r.get("text")]
    compact = [_compact(str(r["text"])) for r in rows]
    out: list[LonelyHit] = []
    for i, row in enumerate(rows):
        if row.get("verdict") not in ("refer", "decline"):
            continue
        matches = rules.match(compact[i], pinyin=True)
        if not matches or matches[0].how != "pattern":
            continue
        rule = matches[0].rule
        hits = [p for p in rule.patterns if re.search(p, compact[i])]
        if any(kw in compact[i] for kw in rule.keywords):
            continue
        others = [c for j, c in enumerate(compact) if j != i]
        others += [_compact(e) for e in rule.examples]
        if not any(re.search(p, o) for p in hits for o in others):
            out.append(LonelyHit(str(row.get("id", i)), rule.id, hits[0], str(row["text"])))
    return out
