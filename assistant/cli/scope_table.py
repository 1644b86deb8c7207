"""The scope model's table by source (`hotline eval-scope` and the last section of `hotline eval`)."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

__all__ = ["print_scope_section"]

_SCOPE_COLUMNS = (
    ("bank", "tune", "published cases, tune hotlines (leave-one-hotline-out)"),
    ("bank", "report", "published cases, report hotlines (never tuned on)"),
    ("dev", "tune", "scope dev lines"),
    ("inscope", "tune", "ordinary requests, tune half"),
    ("inscope", "report", "ordinary requests, report half"),
    ("heard", "tune", "heard variants, tune"),
    ("heard", "report", "heard variants, report"),
)


def print_scope_section(engine: Any, console: Any, errors: int = 0) -> dict[str, Any] | None:
    """The scope table (see :mod:`knowledge.scope.evaluate`); None without an embedding backend."""
    from rich.table import Table

    from knowledge.scope.evaluate import SCOPE_METRICS, evaluate_scope

    if not engine.semantic_ready or engine.classifier.bank is None:
        console.print("[dim]scope section skipped: it needs the embedding backend[/]")
        return None
    with contextlib.redirect_stdout(sys.stderr):
        report = evaluate_scope(engine)
    table = Table(title="scope model by source (rows: metric; columns: set / split)")
    table.add_column("metric")
    keys = [(s, sp) for s, sp, _ in _SCOPE_COLUMNS if (s, sp) in report.cells]
    for s, sp in keys:
        n = report.value((s, sp), "verdict")[1]
        table.add_column(f"{s} {sp} (n={n})", justify="right")
    for metric, label in SCOPE_METRICS:
        cells = []
        for key in keys:
            ok, n = report.value(key, metric)
            cells.append("—" if not n else f"{ok / n:.3f} ({ok}/{n})")
        table.add_row(label, *cells)
    console.print(table)
    for s, sp, what in _SCOPE_COLUMNS:
        console.print(f"[dim]{s} {sp}: {what}[/]")
    for miss in report.misses[:errors]:
        console.print(f"[dim]{miss['set']} {miss['split']} {miss['id']}[/] {miss['text']}")
        console.print(f"  failed={miss['failed']} gold={miss['gold']} got={miss['got']}")
    return report.as_dict()
