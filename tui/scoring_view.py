"""Practice scoring as the trainee reads it: :mod:`assistant.qa.trainee` scores the ticket
against the recording's reference; this module only turns the score into lines of text.
Nothing here imports textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.labels import TICKET_FIELD_LABELS
from assistant.qa.trainee import TicketScore, score_ticket
from tui.format import pad

__all__ = ["report_lines", "score_practice"]


def score_practice(
    trainee: Mapping[str, Any], reference: Mapping[str, Any], engine: Any = None
) -> TicketScore:
    """Score ``trainee`` against ``reference`` (the engine's catalogue maps leaves to paths)."""
    return score_ticket(trainee, reference, catalogue=getattr(engine, "catalogue", None))


def report_lines(score: TicketScore) -> list[str]:
    lines = [f"总分 {score.total:.0f} / 100"]
    if score.category_ok is not None:
        lines.append("分类/承办部门：" + ("正确 ✔" if score.category_ok else "不正确 ✘"))
    lines.append("")
    for r in score.fields:
        mark = "✔" if r.score >= 0.99 else ("≈" if r.score >= 0.6 else "✘")
        label = pad(r.label or TICKET_FIELD_LABELS.get(r.field, r.field), 10)
        lines.append(f"{mark} {label}{r.score * 100:>4.0f}%  你的：{r.trainee or '—'}")
        if r.score < 0.99:
            lines.append(f"  {pad('', 10)}      参考：{r.reference or '—'}")
        if r.note:
            lines.append(f"  {pad('', 10)}      {r.note}")
    if score.improvements:
        lines.append("")
        lines.append("改进建议：")
        lines.extend(f"· {x}" for x in score.improvements)
    return lines
