"""Files holding personal data are owner-only (0600, folders 0700) whatever the umask, and
whole files are replaced atomically (issue 18, items 1 and 9)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from session_fixtures import FakeEngine
from store_fixtures import make_draft

from asr.events import AudioChunk, TranscriptEvent
from asr.fileio import atomic_write, private_dir
from assistant.core.session import CallSession
from assistant.files.drafts import DraftJournal
from assistant.files.export import export_tickets
from assistant.files.session_writer import SessionWriter, save_review_notes
from assistant.store import TicketStore

T0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def assert_private(root: Path) -> None:
    """Every file under ``root`` is 0600 and every folder 0700 (``root`` included)."""
    wide = [
        (str(p.relative_to(root.parent)), oct(mode(p)))
        for p in [root, *root.rglob("*")]
        if mode(p) != (0o700 if p.is_dir() else 0o600)
    ]
    assert wide == [], wide


def test_ticket_database_and_its_wal_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with TicketStore.open(data / "tickets.db", seat_id="s", duplicate_window_days=30) as st:
        st.submit(make_draft())
        assert (data / "tickets.db-wal").exists()
        assert_private(data)


def test_draft_journal_is_private(tmp_path: Path) -> None:
    s = CallSession(FakeEngine(), call_id="c1", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path / "data" / "drafts", "c1")
    j.attach(s)
    s.feed(TranscriptEvent("caller", "我叫张三，电话13800138000", 0, 1, True))
    j.close()
    assert_private(tmp_path / "data")


def test_saved_session_with_audio_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "sessions" / "c1"
    with SessionWriter(folder, call_id="c1", started_at=T0, record_audio=False) as w:
        rec = w.open_audio(16000, 1)
        rec.write_audio(AudioChunk(0, np.zeros(1600, dtype=np.int16), 16000, 0.0))
        w.write_event(TranscriptEvent("caller", "我叫张三", 0, 1, True))
        w.write_ticket(make_draft())
    save_review_notes(folder, "语气友好", reviewer="qa-1")
    assert {p.name for p in folder.iterdir()} >= {"audio.wav", "events.jsonl", "ticket.json"}
    assert_private(tmp_path / "sessions")


def test_export_and_unsaved_copy_are_private(tmp_path: Path) -> None:
    with TicketStore.open(tmp_path / "db" / "t.db", seat_id="s", duplicate_window_days=1,
                          drafts_dir=tmp_path / "drafts") as st:  # fmt: skip
        tickets = [st.submit(make_draft())]
        st._save_unsaved(make_draft(), {}, None)
    export_tickets(tickets, tmp_path / "out" / "tickets.csv", masked=False)
    assert_private(tmp_path / "out")
    assert_private(tmp_path / "drafts")


def test_log_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.applog import configure_file_logging, get_logger
    from assistant.settings import load_settings

    monkeypatch.setenv("HOTLINE_CONFIG", str(tmp_path / "none.toml"))
    path = configure_file_logging(load_settings(data_dir=tmp_path / "data"))
    assert path is not None
    try:
        get_logger("test").warning("submit failed for 13800138000")
        assert_private(tmp_path / "data")
    finally:
        logger = logging.getLogger("hotline")
        for h in list(logger.handlers):
            logger.removeHandler(h)
            h.close()


def test_atomic_write_refuses_to_replace_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write(target, "一")
    with pytest.raises(FileExistsError):
        atomic_write(target, "二", overwrite=False)
    assert target.read_text(encoding="utf-8") == "一"
    atomic_write(target, "三")
    assert target.read_text(encoding="utf-8") == "三" and mode(target) == 0o600
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_private_dir_tightens_only_when_asked(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    private_dir(shared)
    assert mode(shared) == 0o755  # a folder the user chose keeps its permissions
    private_dir(shared, tighten=True)
    assert mode(shared) == 0o700
