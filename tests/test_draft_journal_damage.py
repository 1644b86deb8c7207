"""A damaged crash journal restores every good line and says what it skipped; a full disk
never tears a line (issue 18, item 3)."""

from __future__ import annotations

import json
import resource
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from session_fixtures import FakeEngine

from asr.events import TranscriptEvent
from asr.jsonl import dumps_line
from assistant.core.session import CallSession
from assistant.errors import DraftWriteError
from assistant.files.drafts import DraftJournal, find_unfinished, read_ops, restore
from tui.restore import summarise_draft, unfinished_drafts

T0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)


def journal_with(folder: Path, n: int, call_id: str = "c1") -> Path:
    """A journal of ``n`` caller finals (closed as by a crash: never completed)."""
    s = CallSession(FakeEngine(), call_id=call_id, started_at=T0, clock=lambda: T0)
    j = DraftJournal(folder, call_id)
    j.attach(s)
    for i in range(n):
        s.feed(TranscriptEvent("caller", f"第{i + 1}句，楼道里的灯坏了", i, i + 1.0, True))
    j.close()
    return j.path


def big_journal(folder: Path, n: int) -> Path:
    """Like :func:`journal_with`, written directly (``n`` fsyncs would take a minute)."""
    path = journal_with(folder, 1)
    with path.open("a", encoding="utf-8") as fh:
        for i in range(1, n):
            ev = TranscriptEvent("caller", f"第{i + 1}句，楼道里的灯坏了", i, i + 1.0, True)
            fh.write(dumps_line({"op": "event", "event": ev.to_dict()}, compact=True))
    return path


def texts(path: Path) -> list[str]:
    session, _ = restore(path, FakeEngine(), resume=False)
    return [e.text for e in session.state.transcript]


def insert_line(path: Path, index: int, raw: bytes) -> None:
    lines = path.read_bytes().split(b"\n")
    lines.insert(index, raw)
    path.write_bytes(b"\n".join(lines))


def test_a_tail_cut_inside_a_chinese_character_restores_the_rest(tmp_path: Path) -> None:
    path = big_journal(tmp_path, 820)
    cut = '{"op":"event","event":{"speaker":"caller","text":"我们小区'.encode()[:-1]
    with path.open("ab") as fh:
        fh.write(cut)  # the disk filled up mid-character
    infos = find_unfinished(tmp_path)
    assert [i.n_events for i in infos] == [820]
    report = infos[0].report
    assert report.torn_tail and report.good == 821  # header + 820 finals
    assert len(read_ops(path)[1]) == 820  # (replaying 820 finals takes long: see issue 18 #13)
    brief = summarise_draft(infos[0])
    assert "最后一行不完整" in brief.problems


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage",
        b"\x00" * 4096,
        b"[1,2,3]",
        b'"text"',
        b'{"op":"event","event":{"speaker":"caller"}}',
        b'{"op":"event","event":"x"}',
        b'{"op":"set_field","name":"name"}',
        b'{"op":"nonsense"}',
        b'{"op":"event","event":{"speaker":"caller","text":"\xff\xfe"}}',
    ],
    ids=[
        "garbage",
        "nul-block",
        "list",
        "string",
        "no-text",
        "event-not-object",
        "set-field-no-value",
        "unknown-op",
        "bad-utf8",
    ],
)
def test_one_bad_line_in_the_middle_is_skipped_and_reported(tmp_path: Path, raw: bytes) -> None:
    path = journal_with(tmp_path, 5)
    insert_line(path, 3, raw)  # line 4 of the file
    header, ops = read_ops(path)
    assert header["call_id"] == "c1" and len(ops) == 5
    infos = unfinished_drafts(tmp_path)
    assert len(infos) == 1 and infos[0].n_events == 5
    report = infos[0].report
    assert report.good == 6 and report.bad_count == 1 and report.first_bad == 4
    assert len(texts(path)) == 5  # restore does not fail on the bad line
    problems = summarise_draft(infos[0]).problems
    assert "1 行" in problems and "第 4 行" in problems, problems


def test_a_bad_header_still_restores_the_call(tmp_path: Path) -> None:
    path = journal_with(tmp_path, 3, call_id="call-hdr")
    lines = path.read_bytes().split(b"\n")
    lines[0] = b'{"op":"header","version":1,"call_id":"call-hdr","started_at":"yesterday"'
    path.write_bytes(b"\n".join(lines))
    infos = find_unfinished(tmp_path)
    assert len(infos) == 1 and infos[0].call_id == "call-hdr" and infos[0].n_events == 3
    assert infos[0].report.first_bad == 1
    session, _ = restore(infos[0], FakeEngine(), resume=False)
    assert session.call_id == "call-hdr" and len(session.state.transcript) == 3


def test_a_nul_block_at_the_end_is_a_torn_tail(tmp_path: Path) -> None:
    path = journal_with(tmp_path, 4)
    with path.open("ab") as fh:
        fh.write(b"\x00" * 8192)  # what a filesystem may leave after a power cut
    infos = find_unfinished(tmp_path)
    assert infos[0].n_events == 4 and infos[0].report.torn_tail
    assert len(texts(path)) == 4


def test_an_unreadable_draft_is_offered_with_its_problem_not_hidden(tmp_path: Path) -> None:
    (tmp_path / "junk.jsonl").write_bytes(b"\xff\xfe\x00garbage\n[1,2,3]\n")
    infos = unfinished_drafts(tmp_path)  # must not raise (it crashed the TUI at start-up)
    assert len(infos) == 1 and infos[0].n_events == 0
    assert infos[0].report.bad_count == 2
    assert "无法读取" in summarise_draft(infos[0]).problems


def test_resuming_after_a_torn_tail_appends_clean_lines(tmp_path: Path) -> None:
    path = journal_with(tmp_path, 2)
    with path.open("ab") as fh:
        fh.write('{"op":"event","event":{"text":"半'.encode()[:-2])
    session, journal = restore(path, FakeEngine(), resume=True)
    assert journal is not None
    session.feed(TranscriptEvent("caller", "恢复后的第一句", 5, 6, True))
    journal.close()
    report = find_unfinished(tmp_path)[0].report
    assert report.bad_count == 0 and not report.torn_tail
    assert texts(path)[-1] == "恢复后的第一句"


def test_a_full_disk_never_tears_a_line(tmp_path: Path) -> None:
    s = CallSession(FakeEngine(), call_id="full", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path, "full")
    j.attach(s)
    s.feed(TranscriptEvent("caller", "我们小区停水了", 1, 2, True))
    room = j.path.stat().st_size + 40  # room for part of the next line only
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (room, old_limit[1]))
    try:
        with pytest.raises(DraftWriteError):
            s.feed(
                TranscriptEvent("caller", "已经三天没有水了，老人孩子都没法生活" * 3, 2, 3, True)
            )
        data = j.path.read_bytes()  # what a crash right now would leave
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
        j.close()
    assert data.endswith(b"\n")
    data.decode("utf-8")  # not a single torn character
    assert [json.loads(x)["op"] for x in data.splitlines()] == ["header", "event"]


def test_a_journal_whose_file_was_deleted_writes_it_again(tmp_path: Path) -> None:
    drafts = tmp_path / "data" / "drafts"
    s = CallSession(FakeEngine(), call_id="gone", started_at=T0, clock=lambda: T0)
    j = DraftJournal(drafts, "gone")
    j.attach(s)
    s.feed(TranscriptEvent("caller", "第一句", 1, 2, True))
    shutil.rmtree(tmp_path / "data")  # the data folder deleted while the call is open
    s.feed(TranscriptEvent("caller", "第二", 2, 2.5, False))
    s.feed(TranscriptEvent("caller", "第二句", 2, 3, True))
    j.close()
    assert texts(drafts / "gone.jsonl") == ["第一句", "第二句"]
