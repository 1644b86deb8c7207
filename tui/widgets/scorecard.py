"""The QA scorecard (:class:`assistant.qa.Scorecard`) as rich text: total, then one line per
item (✔ passed, ✘ missed, · does not apply) with the scorer's explanation."""

from __future__ import annotations

from rich.text import Text

from assistant.qa.scorecard import Scorecard

PASS_STYLE = "#87d787"
FAIL_STYLE = "#ff5f5f"


def scorecard_text(card: Scorecard | None) -> Text:
    """The scorecard block of the review screen ("计算中…" while it is being computed)."""
    t = Text()
    t.append("质检评分", style="bold")
    if card is None:
        t.append("  计算中…\n", style="dim")
        return t
    t.append(f"  {card.total:.0f} 分")
    t.append("\n")
    for item in card.items:
        passed = item.passed
        mark = "✔" if passed else ("✘" if passed is False else "·")
        style = PASS_STYLE if passed else (FAIL_STYLE if passed is False else "")
        t.append(f"{mark} {item.name}", style=style)
        if item.detail:
            t.append(f"  {item.detail}", style="dim")
        t.append("\n")
    return t
