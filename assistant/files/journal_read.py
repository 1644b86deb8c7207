"""Reading a crash journal (draft) that may be damaged: every good line, and a report of the rest.

A journal is written by the program that crashed, so its last line may be torn (the process
died, the disk filled up), and a filesystem may leave garbage or a block of NUL bytes after a
power cut. None of that may cost the call-taker the rest of the call, nor crash the app that
offers the restore. :func:`read_journal` therefore reads line by line (through
:func:`asr.jsonl.read_lines`, which decodes each line on its own) and checks each operation's
shape before anyone replays it:

* a line that is not UTF-8, not JSON, not an object, an unknown ``op`` or an operation
  missing what replaying it needs (an event without ``text``, a field edit without a value)
  is skipped and counted, with its line number;
* a torn last line is dropped and reported as such (expected after a crash);
* a missing or damaged header is replaced by defaults (call id from the file name, start
  time from the file's modification time) and reported.

The result, :class:`JournalRead`, carries the :class:`JournalReport` that the restore prompt
shows (:meth:`JournalReport.describe`, in Chinese). Only a file that cannot be read at all
(missing, no permission) raises :class:`~assistant.errors.SessionFileError`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asr.jsonl import read_lines
from assistant.errors import SessionFileError

__all__ = [
    "SAFE_CALL_ID",
    "JournalProblem",
    "JournalRead",
    "JournalReport",
    "op_problem",
    "read_journal",
]

#: Call ids that can name a draft file (letters, digits, "-", "_", ".").
SAFE_CALL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")

#: Operations that name a ticket field.
_FIELD_OPS = ("set_field", "confirm_field")
_KNOWN_OPS = ("header", "event", "partial", "set_field", "confirm_field", "choose_category",
              "alert")  # fmt: skip


@dataclass(frozen=True, slots=True)
class JournalProblem:
    """One line that could not be used: its 1-based number and why (English, for logs)."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class JournalReport:
    """What reading a journal found: lines used, lines skipped, a torn tail, the header."""

    good: int = 0
    """Lines used (the header included)."""
    problems: tuple[JournalProblem, ...] = ()
    """Lines skipped, in file order (the torn tail is not among them)."""
    torn_tail: bool = False
    """The last line was cut off (crash or full disk) and dropped."""
    header_ok: bool = True
    """False when the header was missing or damaged and defaults were used."""

    @property
    def bad_count(self) -> int:
        return len(self.problems)

    @property
    def first_bad(self) -> int | None:
        """Line number of the first skipped line (None when none was skipped)."""
        return self.problems[0].line if self.problems else None

    @property
    def clean(self) -> bool:
        return not self.problems and not self.torn_tail and self.header_ok

    def describe(self) -> str:
        """What the restore prompt says about the damage (Chinese; "" when the file is clean)."""
        if self.clean:
            return ""
        if self.good == 0:
            return (
                f"这份记录无法读取（{self.bad_count} 行损坏，第 {self.first_bad or 1} 行起），"
                "没有可恢复的内容。"
            )
        parts: list[str] = [f"已读取 {self.good} 行"]
        if self.problems:
            parts.append(f"{self.bad_count} 行损坏已跳过（第 {self.first_bad} 行起）")
        if self.torn_tail:
            parts.append("最后一行不完整（写入时中断），已舍弃")
        if not self.header_ok:
            parts.append("文件头损坏，通话开始时间取自文件时间")
        return "记录文件有损坏：" + "；".join(parts) + "。"


@dataclass(frozen=True, slots=True)
class JournalRead:
    """A journal as read: header (always usable), the good operations, the report."""

    header: dict[str, Any]
    ops: list[dict[str, Any]]
    report: JournalReport
    lines: list[int] = field(default_factory=list)
    """The line number of each operation in ``ops``."""


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _event_problem(ev: Any) -> str | None:
    if not isinstance(ev, dict):
        return "event is not an object"
    if not isinstance(ev.get("text"), str):
        return "event has no text"
    if not isinstance(ev.get("speaker"), str):
        return "event has no speaker"
    if not (_is_number(ev.get("start")) and _is_number(ev.get("end"))):
        return "event has no start/end time"
    if "final" not in ev:
        return "event has no 'final'"
    words = ev.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, dict) for w in words):
        return "event words are not a list of objects"
    for key in ("raw", "engine"):
        if key in ev and not isinstance(ev[key], str):
            return f"event {key} is not text"
    if "channel" in ev and not isinstance(ev["channel"], int):
        return "event channel is not a number"
    return None


def op_problem(op: Any) -> str | None:
    """Why ``op`` cannot be replayed (None when its shape is right)."""
    if not isinstance(op, dict):
        return f"not an object but {type(op).__name__}"
    kind = op.get("op")
    if kind not in _KNOWN_OPS:
        return f"unknown operation {kind!r}"
    if kind in ("event", "partial"):
        return _event_problem(op.get("event"))
    if kind in _FIELD_OPS and not isinstance(op.get("name"), str):
        return f"{kind} names no field"
    if kind == "set_field" and not (
        isinstance(op.get("value"), str) and op.get("status") in ("edited", "confirmed")
    ):
        return "set_field has no text value or no valid status"
    if kind == "choose_category" and not isinstance(op.get("leaf_id"), str):
        return "choose_category has no leaf id"
    if kind == "alert":
        a = op.get("alert")
        if not (isinstance(a, dict) and all(isinstance(a.get(k), str) for k in
                                            ("kind", "title", "script"))):  # fmt: skip
            return "alert lacks kind/title/script"
    return None


def _header_ok(op: dict[str, Any]) -> bool:
    try:
        datetime.fromisoformat(str(op.get("started_at")))
    except ValueError:
        return False
    k = op.get("k", 5)
    call_id = op.get("call_id")
    return (
        isinstance(call_id, str)
        and SAFE_CALL_ID.match(call_id) is not None
        and isinstance(k, int)
        and 1 <= k <= 50
    )


def _default_header(path: Path) -> dict[str, Any]:
    try:
        started = datetime.fromtimestamp(path.stat().st_mtime, UTC).astimezone()
    except OSError:
        started = datetime.now().astimezone()
    return {"op": "header", "version": 1, "call_id": path.stem,
            "started_at": started.isoformat(), "k": 5}  # fmt: skip


def read_journal(path: Path | str) -> JournalRead:
    """Every usable line of the journal ``path`` and a report of the others (never raises for
    damage; :class:`SessionFileError` when the file cannot be read at all)."""
    p = Path(path)
    try:
        lines = list(read_lines(p))
    except FileNotFoundError as exc:
        raise SessionFileError(f"draft {p} does not exist") from exc
    except OSError as exc:
        raise SessionFileError(f"cannot read draft {p}: {exc}") from exc
    header: dict[str, Any] | None = None
    ops: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[JournalProblem] = []
    torn = False
    header_damaged = False
    for line in lines:
        if line.error is not None:
            if line.last:
                torn = True  # cut off at the moment of the crash
            else:
                problems.append(JournalProblem(line.number, f"not JSON ({line.error})"))
            if line.number == 1:
                header_damaged = True
            continue
        op = line.value
        if isinstance(op, dict) and op.get("op") == "header":
            if header is None and _header_ok(op):
                header = op
            else:
                header_damaged = True
                problems.append(JournalProblem(line.number, "damaged or repeated header"))
            continue
        problem = op_problem(op)
        if problem is not None:
            problems.append(JournalProblem(line.number, problem))
            continue
        ops.append(op)
        numbers.append(line.number)
    good = len(ops) + (1 if header is not None else 0)
    if header is None:
        header_damaged = True
        header = _default_header(p)
    report = JournalReport(good=good, problems=tuple(problems), torn_tail=torn,
                           header_ok=not header_damaged)  # fmt: skip
    return JournalRead(header=header, ops=ops, report=report, lines=numbers)
