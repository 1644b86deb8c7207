"""Dev-set evaluation of the knowledge engine (used by ``hotline eval``, tests, benchmarks).

A dev-set line is ``{"id", "text", "department", "leaf", "verdict", "channel", "reason",
"urgency", "emotion", "variant": "clean"|"asr", "of", "tags"}``. Metrics are computed
separately for clean and ASR-style lines:

* department top-1 / top-3: the gold department is the first / among the first three
  *distinct* departments of the ranked categories (lines with a department label);
* leaf top-1 / top-3 (lines with a leaf label);
* verdict accuracy (all lines); channel/reason accuracy among refer/decline lines;
* emergency recall: gold urgency ``emergency`` predicted as ``emergency``; plus the false
  emergency rate among the other lines;
* emotion accuracy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.types import Analysis

METRICS = (
    "department_top1", "department_top3", "leaf_top1", "leaf_top3", "verdict_accuracy",
    "route_accuracy", "emergency_recall", "false_emergency_rate", "emotion_accuracy",
    "urgency_accuracy",
)  # fmt: skip


def load_devset(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    """Read JSON Lines dev-set files; a bad line raises naming file:line."""
    rows: list[dict[str, Any]] = []
    for p in paths:
        path = Path(p)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KnowledgeError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict) or "text" not in row:
                raise KnowledgeError(f"{path}:{n}: a dev-set line needs at least 'text'")
            row.setdefault("variant", "clean")
            row["_source"] = f"{path.name}:{n}"
            rows.append(row)
    return rows


def default_devset_dir() -> Path | None:
    """``tests/data/devset`` of a source checkout, when present."""
    here = Path(__file__).resolve().parent.parent / "tests" / "data" / "devset"
    return here if here.is_dir() else None


@dataclass
class Tally:
    """Hits out of a count (``value`` is None when nothing was counted)."""

    n: int = 0
    ok: int = 0

    def add(self, good: bool) -> None:
        self.n += 1
        self.ok += int(good)

    @property
    def value(self) -> float | None:
        return self.ok / self.n if self.n else None


@dataclass
class EvalReport:
    """Metric -> value (None when no line applies) per variant, plus the misses."""

    metrics: dict[str, dict[str, float | None]]
    counts: dict[str, int]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def get(self, variant: str, metric: str) -> float | None:
        return self.metrics.get(variant, {}).get(metric)


def _distinct_departments(a: Analysis) -> list[str]:
    return list(dict.fromkeys(s.leaf.department for s in a.categories))


def evaluate(
    analyze: Callable[[str], Analysis],
    rows: Sequence[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Run ``analyze`` (e.g. ``lambda t: engine.analyze(t, k=10)``) over the rows."""
    accs: dict[str, dict[str, Tally]] = {}
    counts: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        variant = "asr" if row.get("variant") == "asr" else "clean"
        groups = [variant, "all"]
        a = analyze(str(row["text"]))
        depts = _distinct_departments(a)
        leaves = [s.leaf.id for s in a.categories]
        checks: dict[str, bool] = {}
        if row.get("department"):
            checks["department_top1"] = depts[:1] == [row["department"]]
            checks["department_top3"] = row["department"] in depts[:3]
        if row.get("leaf"):
            checks["leaf_top1"] = leaves[:1] == [row["leaf"]]
            checks["leaf_top3"] = row["leaf"] in leaves[:3]
        if row.get("verdict"):
            checks["verdict_accuracy"] = a.verdict == row["verdict"]
            if row["verdict"] != "accept":
                checks["route_accuracy"] = (a.verdict, a.channel, a.reason) == (
                    row["verdict"], row.get("channel"), row.get("reason"),
                )  # fmt: skip
        if row.get("urgency"):
            checks["urgency_accuracy"] = a.urgency == row["urgency"]
            if row["urgency"] == "emergency":
                checks["emergency_recall"] = a.urgency == "emergency"
            else:
                checks["false_emergency_rate"] = a.urgency == "emergency"
        if row.get("emotion"):
            checks["emotion_accuracy"] = a.emotion == row["emotion"]
        for g in groups:
            counts[g] = counts.get(g, 0) + 1
            acc = accs.setdefault(g, {m: Tally() for m in METRICS})
            for m, good in checks.items():
                acc[m].add(good)
        bad = [m for m, good in checks.items() if good == (m == "false_emergency_rate")]
        if bad:
            errors.append({
                "id": row.get("id"), "source": row.get("_source"), "variant": variant,
                "text": row["text"], "failed": bad,
                "gold": {k: row.get(k) for k in ("department", "leaf", "verdict", "channel",
                                                 "reason", "urgency", "emotion")},
                "got": {"departments": depts[:3], "leaves": leaves[:3], "verdict": a.verdict,
                        "channel": a.channel, "reason": a.reason, "urgency": a.urgency,
                        "emotion": a.emotion, "rule": a.rule_id, "uncertain": a.uncertain},
            })  # fmt: skip
        if progress is not None:
            progress(i + 1)
    metrics = {g: {m: acc[m].value for m in METRICS} for g, acc in accs.items()}
    return EvalReport(metrics, counts, errors)
