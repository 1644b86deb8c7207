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
    if {"asr", "whisper"} & set(names):
        speech = speech_summary(out_dir)
        if speech:
            print_table(console, "speech engines side by side (latest results)", speech)
            (out_dir / "speech.json").write_text(json.dumps(speech, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def _load(out_dir: Path, name: str) -> list[dict]:
    try:
        rows = json.loads((out_dir / f"{name}.json").read_text())
    except (OSError, ValueError):
        return []
    return rows if isinstance(rows, list) else []


def speech_summary(out_dir: Path) -> list[dict]:
    """Vosk's and Whisper's figures in one table, from the latest ``asr`` / ``whisper``
    results (either may be missing: its column then says so)."""
    vosk = {r.get("case"): r for r in _load(out_dir, "asr")}
    whisper = {r.get("metric"): r.get("value") for r in _load(out_dir, "whisper")}
    if not vosk and not whisper:
        return []
    v_model = next((r.get("model") for r in vosk.values() if r.get("model")), None)

    def v(case: str, key: str) -> object:
        return vosk.get(case, {}).get(key) if vosk else "not run"

    def w(metric: str) -> object:
        return whisper.get(metric, "-") if whisper else "not run"

    lat = "partial latency (plain partials)"
    return [
        {"figure": "model", "vosk": v_model or "not run", "whisper": "whisper-base int8"},
        {"figure": "model load (s)", "vosk": v("load", "load_s"), "whisper": w("model load (s)")},
        {"figure": "RSS after load (MB)", "vosk": v("load", "rss_after_load_mb"),
         "whisper": w("RSS after load (MB)")},
        {"figure": "RTF, 1 channel", "vosk": v("rtf 1 channel, 1 core", "rtf"),
         "whisper": w("RTF one channel (as fast as possible)")},
        {"figure": "RTF, 2 channels at once", "vosk": v("rtf 2 channels, 2 cores", "rtf"),
         "whisper": w("RTF two channels, both talking (as fast as possible)")},
        {"figure": "partial shown after its audio, p95 (s)",
         "vosk": v(lat, "partial_event_delay_p95_s"), "whisper": "-"},
        {"figure": "word / final settled after speech, p95 (s)",
         "vosk": v(lat, "word_latency_p95_s"),
         "whisper": w("paced both talking: final latency p95 (s)")},
        {"figure": "CER, 10 real Mandarin clips",
         "vosk": "needs a Mandarin Vosk model (the Korean test model only exercises the code)",
         "whisper": w("CER real clips, beam 5 (default)")},
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
