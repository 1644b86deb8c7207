"""Crash safety of call drafts: a real subprocess is killed with SIGKILL mid-call."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from session_fixtures import FakeEngine

from asr.events import TranscriptEvent
from assistant.core.session import CallSession
from assistant.errors import DraftWriteError, SessionFileError, StoreError
from assistant.files.drafts import DraftJournal, find_unfinished, read_ops, restore

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)

_CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    sys.path.insert(0, {tests!r})
    from session_fixtures import FakeEngine
    from asr.events import TranscriptEvent
    from assistant.files.drafts import DraftJournal
    from assistant.core.session import CallSession

    t0 = datetime(2024, 5, 15, 9, 0, tzinfo=timezone.utc)
    session = CallSession(FakeEngine(), call_id="crash1", started_at=t0, clock=lambda: t0)
    DraftJournal({drafts!r}, "crash1").attach(session)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        speaker = "caller" if i % 2 else "agent"
        text = "第%d句，我们小区门口的路灯坏了" % i if speaker == "caller" else "好的，第%d句" % i
        session.feed(TranscriptEvent(speaker, text + "…", i, i + 0.5, False))
        session.feed(TranscriptEvent(speaker, text, i, i + 1.0, True))
        if i == 3:
            session.set_field("name", "李")
        print("fed", i, time.monotonic(), flush=True)
        time.sleep(0.05)
    """
)


def test_kill_9_loses_nothing_fed_before(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(tests=str(ROOT / "tests"), drafts=str(drafts)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    assert proc.stdout is not None
    fed: list[tuple[int, float]] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            parts = line.split()
            if parts[0] == "fed":
                fed.append((int(parts[1]), float(parts[2])))
                if len(fed) >= 6:
                    break
        assert len(fed) >= 6, proc.stderr.read() if proc.stderr else "child died"
        time.sleep(1.2)  # the child keeps feeding meanwhile
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        for line in proc.stdout.read().splitlines():  # what it reported before dying
            parts = line.split()
            if parts and parts[0] == "fed":
                fed.append((int(parts[1]), float(parts[2])))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len(fed) > 6

    infos = find_unfinished(drafts)
    assert [i.call_id for i in infos] == ["crash1"]
    session, journal = restore(infos[0], FakeEngine())
    assert journal is not None
    texts = [e.text for e in session.state.transcript]
    # the requirement is "nothing fed more than 1 s before the kill is lost"; each final is
    # fsynced before feed() returns, so even the ones reported just before the kill survive
    assert sum(killed_at - at > 1.0 for _i, at in fed) >= 6
    for i, _at in fed:
        assert any(f"第{i}句" in t for t in texts), i
    assert session.state.fields["name"].value == "李"
    assert session.state.fields["name"].status == "edited"
    # the restored call continues in the same journal
    session.feed(TranscriptEvent("caller", "电话一三八一二三四五六七八", 99, 100, True))
    journal.close()
    _header, ops = read_ops(infos[0].path)
    assert ops[-1]["event"]["text"] == "电话一三八一二三四五六七八"
    journal.complete()
    assert find_unfinished(drafts) == []


def test_torn_last_line_is_ignored_and_corruption_skipped_and_reported(tmp_path: Path) -> None:
    eng = FakeEngine()
    s = CallSession(eng, call_id="torn", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path, "torn")
    j.attach(s)
    s.feed(TranscriptEvent("caller", "我们小区停水了", 1, 2, True))
    j.close()
    with j.path.open("a", encoding="utf-8") as fh:
        fh.write('{"op":"event","event":{"speaker":"cal')  # died mid-write
    restored, _ = restore(j.path, eng, resume=False)
    assert [e.text for e in restored.state.transcript] == ["我们小区停水了"]
    lines = j.path.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "garbage")
    j.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _header, ops = read_ops(j.path)  # the good lines, the garbage line skipped
    assert [o["event"]["text"] for o in ops] == ["我们小区停水了"]
    (info,) = find_unfinished(tmp_path)  # still offered, with what is wrong
    assert info.report.first_bad == 2 and info.report.bad_count == 1
    with pytest.raises(SessionFileError):
        read_ops(tmp_path / "missing.jsonl")


def test_partials_are_throttled(tmp_path: Path) -> None:
    now = [0.0]
    s = CallSession(FakeEngine(), call_id="p1", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path, "p1", monotonic=lambda: now[0])
    j.attach(s)
    for i in range(10):
        now[0] = i * 0.1
        s.feed(TranscriptEvent("caller", "我们" * (i + 1), 0, 1, False))
    _h, ops = read_ops(j.path)
    assert 1 <= len([o for o in ops if o["op"] == "partial"]) <= 2
    j.discard()
    assert not j.path.exists()


def test_bad_call_id_and_unwritable_dir(tmp_path: Path) -> None:
    with pytest.raises(DraftWriteError):
        DraftJournal(tmp_path, "../escape")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    j = DraftJournal(blocker / "sub", "ok")
    with pytest.raises(DraftWriteError, match="writable"):
        j.record({"op": "event", "event": json.loads("{}")})


def test_a_draft_that_cannot_be_written_is_a_draft_error_not_a_store_error(tmp_path: Path) -> None:
    """The UI tells the call-taker a StoreError's draft is safe; a journal failure must not
    pass for one (regression: it used to raise StoreError)."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (a device that is always full)")
    (tmp_path / "w1.jsonl").symlink_to("/dev/full")  # every write: ENOSPC, no space left
    s = CallSession(FakeEngine(), call_id="w1", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path, "w1")
    with pytest.raises(DraftWriteError, match="disk full") as info:
        j.attach(s)
        s.feed(TranscriptEvent("caller", "我家停水了", 0, 1, True))
    assert not isinstance(info.value, StoreError)


def test_a_sentence_cut_off_mid_recognition_is_restored(tmp_path: Path) -> None:
    s = CallSession(FakeEngine(), call_id="cut1", started_at=T0, clock=lambda: T0)
    j = DraftJournal(tmp_path, "cut1")
    j.attach(s)
    s.feed(TranscriptEvent("caller", "我们小区门口的路灯坏了", 1, 3, True))
    s.feed(TranscriptEvent("agent", "请问您贵", 3.5, 4, False))  # superseded by its final
    s.feed(TranscriptEvent("agent", "请问您贵姓？", 3.5, 4.5, True))
    s.feed(TranscriptEvent("caller", "我姓李，电话是一三八", 5, 7, False))  # the crash hits here
    j.close()
    restored, _ = restore(j.path, FakeEngine(), clock=lambda: T0, resume=False)
    texts = [(e.speaker, e.text, e.final) for e in restored.state.transcript]
    assert texts == [
        ("caller", "我们小区门口的路灯坏了", True),
        ("agent", "请问您贵姓？", True),
        ("caller", "我姓李，电话是一三八", True),
    ]
    assert restored.state.fields["name"].value == "李"
