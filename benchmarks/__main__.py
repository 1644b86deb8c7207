"""Run every benchmark module (``benchmarks/bench_*.py``) and print one table each.

Each module exposes ``run() -> list[dict]``; the rows are printed as a table and also
written to ``bench-results/<name>.json``. ``python -m benchmarks knowledge asr`` runs a
subset.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table


def discover() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )


def print_table(console: Console, name: str, rows: list[dict]) -> None:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    table = Table(*columns, title=f"benchmark: {name}")
    for row in rows:
        table.add_row(*[_fmt(row.get(c)) for c in columns])
    console.print(table)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str]) -> int:
    # Wide tables stay readable when the output is a file or a CI log.
    console = Console() if sys.stdout.isatty() else Console(width=220)
    names = argv or discover()
    out_dir = Path("bench-results")
    out_dir.mkdir(exist_ok=True)
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        t0 = time.perf_counter()
        try:
            rows = module.run()
        except Exception:
            failed += 1
            console.print(f"[red]benchmark {name} failed:[/red]\n{traceback.format_exc()}")
            continue
        print_table(console, name, rows)
        console.print(f"({name}: {time.perf_counter() - t0:.1f} s)\n")
        (out_dir / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
