"""Practice scoring: trainee ticket vs the recording's reference ticket.

Uses ``assistant.qa.trainee`` (the shared scorer) when it is installed; until then a plain
field-by-field comparison is used and the report says so. Nothing here imports textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.labels import TICKET_FIELD_LABELS
from tui.format import pad


@dataclass(frozen=True, slots=True)
class FieldScore:
    field: str
    score: float  # 0..1
    trainee: str
    reference: str
    note: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class PracticeScore:
    fields: tuple[FieldScore, ...]
    total: float  # 0..100
    category_ok: bool | None
    scorer: str  # "assistant.scoring" or "simple"
    raw: Any = None
    improvements: tuple[str, ...] = ()


def _ratio(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    if not a and not b:
        return 1.0
    return float(fuzz.ratio(a, b)) / 100.0


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def simple_score(trainee: dict[str, Any], reference: dict[str, Any]) -> PracticeScore:
    rows: list[FieldScore] = []
    for f in ("name", "phone", "address", "department", "verdict", "channel", "urgency", "summary"):
        if f not in reference:
            continue
        ref = str(reference.get(f) or "")
        got = str(trainee.get(f) or "")
        if f == "phone":
            score = 1.0 if _digits(ref) == _digits(got) else 0.0
        elif f in ("address", "summary"):
            score = _ratio(got, ref)
        else:
            score = 1.0 if got == ref else 0.0
        rows.append(FieldScore(f, round(score, 2), got, ref))
    total = 100.0 * sum(r.score for r in rows) / max(1, len(rows))
    dep = next((r for r in rows if r.field == "department"), None)
    return PracticeScore(
        tuple(rows), round(total, 1), None if dep is None else dep.score == 1.0, "simple"
    )


def _from_scoring(result: Any) -> PracticeScore:
    """Normalise an ``assistant.qa.trainee`` result (duck-typed)."""
    items = getattr(result, "fields", None) or getattr(result, "items", None) or ()
    if isinstance(items, dict):
        items = [
            {"field": k, **(v if isinstance(v, dict) else {"score": v})} for k, v in items.items()
        ]
    rows: list[FieldScore] = []
    for it in items:
        get = it.get if isinstance(it, dict) else lambda k, d=None, it=it: getattr(it, k, d)
        rows.append(
            FieldScore(
                field=str(get("field", get("name", "?"))),
                label=str(get("label", "") or ""),
                score=float(get("score", 0.0) or 0.0),
                trainee=str(get("trainee", get("got", "")) or ""),
                reference=str(get("reference", get("expected", "")) or ""),
                note=str(get("note", get("comment", "")) or ""),
            )
        )
    total = getattr(result, "total", None)  # 0..100
    if total is None:
        total = 100.0 * sum(r.score for r in rows) / max(1, len(rows))
    cat = getattr(result, "category_ok", None)
    if cat is None:
        cat = getattr(result, "category_correct", None)
    improvements = tuple(str(x) for x in getattr(result, "improvements", ()) or ())
    return PracticeScore(
        tuple(rows), round(float(total), 1), cat, "assistant.scoring", result, improvements
    )


def score_practice(
    trainee: dict[str, Any], reference: dict[str, Any], engine: Any = None
) -> PracticeScore:
    try:
        from assistant.qa import trainee as scoring
    except ImportError:
        return simple_score(trainee, reference)
    fn = getattr(scoring, "score_ticket", None)
    if fn is None:
        return simple_score(trainee, reference)
    try:
        result = fn(trainee, reference, catalogue=getattr(engine, "catalogue", None))
    except TypeError:
        result = fn(trainee, reference)
    return _from_scoring(result)


def report_lines(score: PracticeScore) -> list[str]:
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
    if score.scorer == "simple":
        lines.append("")
        lines.append("（简易逐项对比：评分模块 assistant.scoring 未安装）")
    return lines
