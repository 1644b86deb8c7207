"""Several seats at once: concurrent submits from separate processes, and a locked database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_fixtures import db_url, make_draft, pg_server, pg_url  # noqa: F401

from assistant.store import (
    StoreLockedError,
    StoreUnavailableError,
    TicketDraft,
    TicketStore,
)

WORKER = r"""
import json, sys, time
from assistant.store import TicketStore, TicketDraft
url, n, seat, start_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
store = TicketStore.open(url, seat_id=seat, duplicate_window_days=30, busy_timeout=30)
while time.time() < start_at:
    time.sleep(0.002)
numbers = []
for i in range(n):
    t = store.submit(
        TicketDraft(name="张三", phone="13800138000", address=f"幸福小区{i}号楼",
                    category_id="cg-x", summary=f"{seat} 第{i}件"),
        suggestions={"name": "张三"},
    )
    numbers.append(t.number)
store.dispose()
print(json.dumps(numbers))
"""

PER_WORKER = 25


def test_concurrent_submits_from_two_processes(db_url: str) -> None:  # noqa: F811
    store = TicketStore.open(db_url, seat_id="parent", duplicate_window_days=30)
    start_at = time.time() + 2.5  # both workers import, open, then start together
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, str(PER_WORKER), f"seat-{k}", str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    all_numbers = [n for r in results for n in r]
    assert len(all_numbers) == 2 * PER_WORKER
    assert len(set(all_numbers)) == len(all_numbers), "duplicate ticket numbers"
    # one per-day sequence, gap-free: 1..2N
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in all_numbers)
    assert seqs == list(range(1, 2 * PER_WORKER + 1))
    for r in results:  # each seat sees its own numbers increase
        assert r == sorted(r)

    stored = store.list(limit=None)
    assert sorted(t.number for t in stored) == sorted(all_numbers)
    for seat, numbers in zip(("seat-1", "seat-2"), results, strict=True):
        mine = [t for t in stored if t.seat_id == seat]
        assert sorted(t.number for t in mine) == sorted(numbers)
        assert {t.summary for t in mine} == {f"{seat} 第{i}件" for i in range(PER_WORKER)}
    # every ticket was written whole: its audit trail has exactly one "created" row
    for t in stored[:: max(1, len(stored) // 10)]:
        assert [a.action for a in store.audit(t.id)].count("created") == 1
    if store.backend == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_sqlite_locked_database_gives_clear_error_and_keeps_draft(tmp_path: Path) -> None:
    path = tmp_path / "tickets.db"
    drafts = tmp_path / "drafts"
    store = TicketStore.open(path, seat_id="seat-1", duplicate_window_days=30,
                             busy_timeout=0.5, drafts_dir=drafts)  # fmt: skip
    draft = make_draft()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        start = time.perf_counter()
        with pytest.raises(StoreLockedError) as info:
            store.submit(draft, suggestions={"name": "张山"})
        waited = time.perf_counter() - start
        assert 0.4 <= waited < 5, f"waited {waited:.2f}s for a 0.5s busy timeout"
        err = info.value
        assert "locked" in str(err) and "submit again" in str(err)
        assert err.draft == draft and err.suggestions == {"name": "张山"}
        assert err.saved_to is not None and err.saved_to.is_file()
        saved = json.loads(err.saved_to.read_text(encoding="utf-8"))
        assert TicketDraft.from_dict(saved["draft"]) == draft
        assert str(err.saved_to) in str(err)
        # reading still works while another seat writes (WAL)
        assert store.count() == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    ticket = store.submit(err.draft, suggestions=err.suggestions)  # the retry succeeds
    assert ticket.number.endswith("-0001")
    assert store.count() == 1
    store.dispose()


@pytest.mark.postgres
def test_postgres_lock_timeout_gives_clear_error(pg_url: str) -> None:  # noqa: F811
    import psycopg
    from sqlalchemy.engine import make_url

    store = TicketStore.open(pg_url, seat_id="seat-1", duplicate_window_days=30,
                             busy_timeout=0.5)  # fmt: skip
    u = make_url(pg_url)
    blocker = psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}")
    try:
        blocker.execute("LOCK TABLE day_counters IN ACCESS EXCLUSIVE MODE")
        start = time.perf_counter()
        with pytest.raises(StoreLockedError) as info:
            store.submit(make_draft())
        assert 0.4 <= time.perf_counter() - start < 5
        assert info.value.draft == make_draft()
        assert "locked" in str(info.value)
    finally:
        blocker.rollback()
        blocker.close()
    assert store.submit(make_draft()).number.endswith("-0001")
    assert store.count() == 1
    store.dispose()


def test_unreachable_postgres_is_a_clear_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(StoreUnavailableError) as info:
        TicketStore.open(f"postgresql+psycopg://u:secret@127.0.0.1:{port}/tickets",
                         seat_id="x", duplicate_window_days=30, busy_timeout=1)  # fmt: skip
    msg = str(info.value)
    assert f"127.0.0.1:{port}" in msg and "secret" not in msg
    assert "HOTLINE_DATABASE_URL" in msg
