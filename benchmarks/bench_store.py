"""Ticket store throughput: submits per second on SQLite and PostgreSQL, one seat and two
seats (processes) at once, plus duplicate-check and list latency with a filled store.

PostgreSQL runs on a temporary private server started like the test fixture does
(``tests/pg_fixtures.py``: initdb + pg_ctl, 127.0.0.1, fsync ON here for realistic numbers);
when the server binaries are missing the PostgreSQL rows say so instead of a number.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

N_SINGLE = 300
N_PER_WORKER = 150

_WORKER = r"""
import json, sys, time
from assistant.store import TicketStore, TicketDraft
url, n, seat, start_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
store = TicketStore.open(url, seat_id=seat, duplicate_window_days=30, busy_timeout=60)
store.warm_up()
while time.time() < start_at:
    time.sleep(0.001)
lat = []
t0 = time.perf_counter()
for i in range(n):
    s = time.perf_counter()
    store.submit(TicketDraft(name="张三", phone="13800138000", address=f"幸福小区{i % 50}号楼",
                             category_id="cg-bench", summary=f"{seat} 第{i}件 下水道堵塞"),
                 suggestions={"name": "张三", "category": "cg-bench"})
    lat.append(time.perf_counter() - s)
print(json.dumps({"elapsed": time.perf_counter() - t0, "lat": lat}))
"""


def _draft(i: int) -> Any:
    from assistant.store import TicketDraft

    return TicketDraft(
        name="张三",
        phone=f"1380013{i % 10000:04d}",
        address=f"朝阳区幸福小区{i % 50}号楼{i % 6 + 1}单元",
        category_id=f"cg-{i % 20}",
        category_path="城乡建设 > 排水 > 下水道堵塞",
        summary=f"幸福小区{i % 50}号楼下水道堵塞第{i}次，污水外溢",
    )


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def _single(url: str, backend: str) -> list[dict[str, Any]]:
    from assistant.store import TicketStore

    rows: list[dict[str, Any]] = []
    with TicketStore.open(url, seat_id="bench", duplicate_window_days=30) as store:
        store.warm_up()
        store.submit(_draft(0))
        lat = []
        t0 = time.perf_counter()
        for i in range(N_SINGLE):
            s = time.perf_counter()
            store.submit(_draft(i), suggestions={"name": "张三", "category": f"cg-{i % 20}"})
            lat.append(time.perf_counter() - s)
        total = time.perf_counter() - t0
        rows.append(
            {
                "backend": backend,
                "case": "submit, 1 seat",
                "n": N_SINGLE,
                "per_s": N_SINGLE / total,
                "p50_ms": _pct(lat, 0.5),
                "p95_ms": _pct(lat, 0.95),
                "note": "ticket + ~10 audit rows, 1 transaction, durable commit",
            }
        )
        probe = _draft(7)
        dup_lat = []
        for _ in range(20):
            s = time.perf_counter()
            store.find_duplicates(probe)
            dup_lat.append(time.perf_counter() - s)
        rows.append(
            {
                "backend": backend,
                "case": f"find_duplicates, {store.count(status='open')} open tickets",
                "n": 20,
                "per_s": 20 / sum(dup_lat),
                "p50_ms": _pct(dup_lat, 0.5),
                "p95_ms": _pct(dup_lat, 0.95),
                "note": "address+category and rapidfuzz summary scan",
            }
        )
        list_lat = []
        for _ in range(50):
            s = time.perf_counter()
            store.list(text="幸福", limit=50)
            list_lat.append(time.perf_counter() - s)
        rows.append(
            {
                "backend": backend,
                "case": "list(text, limit=50)",
                "n": 50,
                "per_s": 50 / sum(list_lat),
                "p50_ms": _pct(list_lat, 0.5),
                "p95_ms": _pct(list_lat, 0.95),
                "note": "",
            }
        )
    return rows


def _two_seats(url: str, backend: str) -> dict[str, Any]:
    from assistant.store import TicketStore

    TicketStore.open(url, seat_id="bench", duplicate_window_days=30).dispose()  # schema
    start_at = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, str(N_PER_WORKER), f"seat-{k}", str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"bench worker failed: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    lat = [x for r in results for x in r["lat"]]
    wall = max(r["elapsed"] for r in results)
    return {
        "backend": backend,
        "case": "submit, 2 seats (processes) at once",
        "n": 2 * N_PER_WORKER,
        "per_s": 2 * N_PER_WORKER / wall,
        "p50_ms": _pct(lat, 0.5),
        "p95_ms": _pct(lat, 0.95),
        "note": f"max latency {max(lat) * 1000:.0f} ms",
    }


def _pg_fixtures() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "tests" / "pg_fixtures.py"
    spec = importlib.util.spec_from_file_location("hotline_pg_fixtures", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        rows += _single(f"sqlite:///{Path(tmp) / 'one.db'}", "sqlite")
        rows.append(_two_seats(f"sqlite:///{Path(tmp) / 'two.db'}", "sqlite"))
    try:
        pgf = _pg_fixtures()
        server = pgf.TemporaryPostgres(fsync=True)
        base = server.start()
    except Exception as exc:  # binaries missing, not permitted, ...
        rows.append({"backend": "postgresql", "case": "skipped", "note": str(exc)[:200]})
        return rows
    try:
        rows += _single(pgf.create_database(base), "postgresql")
        rows.append(_two_seats(pgf.create_database(base), "postgresql"))
    finally:
        server.stop()
    return rows


if __name__ == "__main__":
    for row in run():
        print({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})
