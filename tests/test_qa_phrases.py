"""Forbidden phrases judged in context (issue 18, item 16).

``tests/data/qa_phrases/`` holds agent lines: 35 polite ones (a forbidden word used literally,
about the agent's own work, negated, or quoting the caller: 楼道里滚滚浓烟, 我自己查一下系统,
我在忙着给您登记 ...) and 35 rude ones, written before the rules changed, plus one of each
(the last line of each file) from a held-out probe afterwards. A line is *flagged* when the
scorecard's ``forbidden`` item fails on it.

Measured on the 36 + 36 lines: before the context rules (assistant.qa.phrases) precision 0.61
(23 polite lines flagged), recall 1.00; after: precision 1.00, recall 1.00.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asr.events import TranscriptEvent
from assistant.qa import checks
from knowledge.scripts import Scripts, load_scripts

DATA = Path(__file__).parent / "data" / "qa_phrases"


def lines(name: str) -> list[str]:
    return [x.strip() for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def scripts() -> Scripts:
    return load_scripts()


def flagged(text: str, scripts: Scripts) -> bool:
    ev = TranscriptEvent(speaker="agent", text=text, start=0.0, end=2.0, final=True)
    return checks.forbidden([ev], scripts).status == "fail"


def test_the_set_is_large_enough() -> None:
    assert len(lines("polite.txt")) >= 30 and len(lines("rude.txt")) >= 30


@pytest.mark.parametrize("text", ["楼道里滚滚浓烟，您先离开楼道。", "我自己查一下系统。",
                                  "我在忙着给您登记。"])  # fmt: skip
def test_the_issue_lines_are_not_flagged(text: str, scripts: Scripts) -> None:
    assert not flagged(text, scripts)


def test_precision_and_recall_on_polite_and_rude_lines(scripts: Scripts) -> None:
    polite, rude = lines("polite.txt"), lines("rude.txt")
    false_pos = [t for t in polite if flagged(t, scripts)]
    missed = [t for t in rude if not flagged(t, scripts)]
    tp = len(rude) - len(missed)
    precision = tp / max(1, tp + len(false_pos))
    recall = tp / len(rude)
    print(f"\nprecision {precision:.2f}, recall {recall:.2f}; false flags {false_pos}; "
          f"missed {missed}")  # fmt: skip
    assert precision >= 0.97, false_pos
    assert recall >= 0.97, missed
