"""The ticket store under a deleted data folder and a full disk (issue 18, items 2 and 6)."""

from __future__ import annotations

import resource
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_fixtures import FakeClock, make_draft

from assistant.errors import StoreFileGoneError, StoreUnavailableError, TicketNotSavedError
from assistant.settings import load_settings
from assistant.store import TicketStore
from assistant.store.base import GONE_MARKER


def test_submit_refuses_when_the_database_file_is_gone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = TicketStore.open(data / "tickets.db", seat_id="s1", duplicate_window_days=30,
                             drafts_dir=data / "drafts", clock=FakeClock())  # fmt: skip
    first = store.submit(make_draft())
    assert first.number.endswith("-0001")
    shutil.rmtree(data)  # the data folder deleted while a call is open
    with pytest.raises(StoreFileGoneError) as info:
        store.submit(make_draft(summary="第二张"))
    err = info.value
    assert isinstance(err, StoreUnavailableError)  # the TUI keeps the form and the journal
    assert err.draft is not None and err.draft.summary == "第二张"
    assert "工单库文件" in str(err) and "tickets.db" in str(err)
    assert err.saved_to is not None and err.saved_to.is_file()  # the copy of the ticket
    assert not (data / "tickets.db").exists()  # no fresh empty database made in its place
    with pytest.raises(StoreFileGoneError):  # and not on the next try either
        store.submit(make_draft())
    store.dispose()
    # the next start must not create an empty database that numbers from 0001 again
    with pytest.raises(StoreFileGoneError, match="0001"):
        TicketStore.open(data / "tickets.db", seat_id="s1", duplicate_window_days=30,
                         drafts_dir=data / "drafts", clock=FakeClock())  # fmt: skip
    assert not (data / "tickets.db").exists()
    (data / "drafts" / GONE_MARKER).unlink()  # the administrator decides to start anew
    with TicketStore.open(data / "tickets.db", seat_id="s1", duplicate_window_days=30,
                          drafts_dir=data / "drafts", clock=FakeClock()) as fresh:  # fmt: skip
        assert fresh.count() == 0


def test_submit_refuses_when_the_database_file_was_replaced(tmp_path: Path) -> None:
    db = tmp_path / "tickets.db"
    store = TicketStore.open(db, seat_id="s1", duplicate_window_days=30, clock=FakeClock())
    store.submit(make_draft())
    db.rename(tmp_path / "moved.db")
    with TicketStore.open(db, seat_id="s2", duplicate_window_days=30) as other:
        other.count()  # someone else created a new, empty database at the same path
    with pytest.raises(StoreFileGoneError, match="重启"):
        store.submit(make_draft())
    store.dispose()


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Iterator[TicketStore]:
    """A store whose every ticket INSERT fails the way SQLite reports a full disk."""
    import sqlite3

    from sqlalchemy import event

    def open_store(path: Path, drafts: Path) -> TicketStore:
        store = TicketStore.open(path, seat_id="s1", duplicate_window_days=30,
                                 drafts_dir=drafts, clock=FakeClock())  # fmt: skip

        @event.listens_for(store.engine, "before_cursor_execute")
        def _full(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("INSERT INTO TICKETS"):
                raise sqlite3.OperationalError("database or disk is full")

        return store

    yield open_store  # type: ignore[misc]


def test_disk_full_at_submit_keeps_a_copy_and_says_so(tmp_path: Path, disk_full) -> None:  # type: ignore[no-untyped-def]
    store = disk_full(tmp_path / "tickets.db", tmp_path / "drafts")
    with pytest.raises(TicketNotSavedError) as info:
        store.submit(make_draft())
    text = str(info.value)
    assert info.value.saved_to is not None and info.value.saved_to.is_file()
    assert "磁盘" in text and str(info.value.saved_to) in text
    assert "server" not in text and "服务器" not in text  # SQLite: no database server advice
    store.dispose()


def test_a_failed_unsaved_copy_is_reported_and_leaves_no_tmp(tmp_path: Path, disk_full) -> None:  # type: ignore[no-untyped-def]
    drafts = tmp_path / "drafts"
    (drafts / "unsaved-tickets").mkdir(parents=True)
    store = disk_full(tmp_path / "tickets.db", drafts)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, old_limit[1]))  # the disk is full now
    try:
        with pytest.raises(TicketNotSavedError) as info:
            store.submit(make_draft())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    text = str(info.value)
    assert info.value.saved_to is None
    assert "副本也未能保存" in text, text
    assert list((drafts / "unsaved-tickets").iterdir()) == []  # no .tmp left behind
    store.dispose()


def test_the_tui_store_keeps_unsaved_copies_in_the_drafts_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.services import open_store

    monkeypatch.setenv("HOTLINE_CONFIG", str(tmp_path / "none.toml"))
    settings = load_settings(data_dir=tmp_path / "data", seat_id="seat-9")
    store = open_store(settings)
    try:
        assert store.drafts_dir == settings.drafts_dir
        assert store.seat_id == "seat-9"
    finally:
        store.dispose()


def test_the_call_taker_is_told_that_retrying_will_not_help() -> None:
    from tui.format import error_brief, error_text

    err = StoreFileGoneError("工单库文件已不存在 … tickets.db is gone")
    assert "重启" in error_text("提交工单", err) and "草稿" in error_text("提交工单", err)
    assert error_brief("提交工单", err) == "工单库文件不见了（请联系管理员）"
