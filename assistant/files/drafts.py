"""Crash-safe drafts of calls in progress.

A :class:`DraftJournal` is an append-only JSONL file ``<drafts_dir>/<call_id>.jsonl``:
a header line, then one line per session operation (final transcript segment, field edit,
category choice, alert). Each final/edit line is flushed and ``fsync``-ed before
:meth:`DraftJournal.record` returns; partial segments are written at most every
``partial_interval`` seconds (they are not needed to restore the call). After a crash or
``kill -9``, :func:`find_unfinished` lists the drafts left behind and :func:`restore`
replays one into a :class:`~assistant.core.session.CallSession`.
:meth:`DraftJournal.complete` / :meth:`DraftJournal.discard` remove the draft once the
ticket is submitted or the call is dropped.

Writing cannot tear a line: each line is encoded whole and appended by
:class:`asr.jsonl.JsonlAppender`, which cuts the file back if the disk fills up part-way;
resuming a journal first cuts off a torn tail left by a crash. The file is private (``0600``
in a ``0700`` folder, :mod:`asr.fileio`). If the file disappears while the call runs (the
data folder was deleted), the next write notices it and writes the whole journal again.

Reading tolerates damage (:mod:`assistant.files.journal_read`): every good line is restored,
the others are skipped and reported (:attr:`DraftInfo.report`: counts, first bad line, torn
tail) for the restore prompt to show; a damaged draft is still offered, never hidden, and
never crashes the caller. A journal that cannot be written raises
:class:`~assistant.errors.DraftWriteError`: the call is then NOT protected, so it must not
pass for a :class:`~assistant.errors.StoreError` (whose advice to the call-taker is that the
draft is safe). A draft that cannot be read at all raises
:class:`~assistant.errors.SessionFileError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asr.fileio import fsync_dir as _fsync_dir
from asr.fileio import open_private, private_dir
from asr.jsonl import JsonlAppender
from assistant.core.session import CallSession, EngineLike, Op
from assistant.errors import AssistantError, DraftWriteError
from assistant.files.journal_read import SAFE_CALL_ID, JournalProblem, JournalReport, read_journal

__all__ = ["SUFFIX", "DraftInfo", "DraftJournal", "JournalReport", "find_unfinished",
           "read_ops", "restore"]  # fmt: skip

SUFFIX = ".jsonl"
log = logging.getLogger(__name__)


class DraftJournal:
    """The on-disk journal of one call. Use :meth:`attach` to follow a session."""

    def __init__(
        self,
        drafts_dir: Path | str,
        call_id: str,
        *,
        started_at: datetime | None = None,
        k: int = 5,
        partial_interval: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not SAFE_CALL_ID.match(call_id):
            raise DraftWriteError(
                f"call id {call_id!r} cannot be used as a draft file name "
                "(letters, digits, '-', '_' and '.' only)"
            )
        self.dir = Path(drafts_dir)
        self.call_id = call_id
        self.path = self.dir / f"{call_id}{SUFFIX}"
        self.partial_interval = partial_interval
        self._monotonic = monotonic
        self._last_partial = -1e18
        self._pending: dict[str, Op] = {}  # per speaker: the newest partial not yet written
        self._fh: JsonlAppender | None = None
        self._session: CallSession | None = None  # to write the journal again if deleted
        self._started_at = started_at
        self._k = k

    # ---------------------------------------------------------------- writing
    def _open(self) -> JsonlAppender:
        if self._fh is None:
            try:
                private_dir(self.dir, tighten=True)
                fh = JsonlAppender(open_private(self.path, "a+b"), compact=True)
                try:
                    fh.repair_tail()  # a line torn by an earlier crash: cut it off
                    new = os.fstat(fh.fh.fileno()).st_size == 0
                except OSError:
                    fh.close()
                    raise
                self._fh = fh
            except OSError as exc:
                raise DraftWriteError(
                    f"cannot write the call draft {self.path}: {exc}; check that "
                    "the data folder exists and is writable"
                ) from exc
            if new:
                header = {
                    "op": "header",
                    "version": 1,
                    "call_id": self.call_id,
                    "started_at": (self._started_at or datetime.now().astimezone()).isoformat(),
                    "k": self._k,
                }
                self._write(header, sync=True)
                _fsync_dir(self.dir)
        return self._fh

    def _write(self, op: Op, *, sync: bool) -> None:
        fh = self._fh
        assert fh is not None
        try:
            fh.write(op, sync=sync)
        except OSError as exc:
            raise DraftWriteError(
                f"cannot write the call draft {self.path}: {exc} (disk full?)"
            ) from exc

    def _sync(self) -> None:
        fh = self._fh
        assert fh is not None
        try:
            os.fsync(fh.fh.fileno())
        except OSError as exc:
            raise DraftWriteError(
                f"cannot write the call draft {self.path}: {exc} (disk full?)"
            ) from exc

    def _gone(self) -> bool:
        """The file was deleted (or its folder) while open: writes would go nowhere."""
        fh = self._fh
        if fh is None:
            return False
        try:
            return os.fstat(fh.fh.fileno()).st_nlink == 0
        except OSError:
            return True

    def _rewrite(self) -> None:
        """Write the whole journal again at its path (header and every operation so far)."""
        with contextlib.suppress(OSError):
            assert self._fh is not None
            self._fh.close()
        self._fh = None
        self._open()
        if self._session is not None:
            for op in self._session.ops:
                self._write(op, sync=False)
        self._sync()
        log.warning("call draft %s had been deleted; written again", self.path)

    def record(self, op: Op) -> None:
        """Append one session operation (the :class:`CallSession` listener)."""
        self._open()
        kind = op.get("op")
        speaker = str((op.get("event") or {}).get("speaker", ""))
        if kind == "event":
            self._pending.pop(speaker, None)  # the final supersedes the speaker's partial
        elif kind == "partial":
            self._pending[speaker] = op
        if kind != "partial" and self._session is not None and self._gone():
            self._rewrite()  # ``op`` is in the session's ops already: written with them
            return
        now = self._monotonic()
        if self._pending and now - self._last_partial >= self.partial_interval:
            self._last_partial = now
            for pending in self._pending.values():
                self._write(pending, sync=False)
            self._pending.clear()
            if kind == "partial":
                self._sync()
                return
        if kind != "partial":
            self._write(op, sync=True)

    __call__ = record

    def attach(self, session: CallSession) -> CallSession:
        """Journal every change of ``session`` from now on (writes the header at once)."""
        self._started_at = session.started_at
        self._k = session.k
        self._session = session
        self._open()
        for op in session.ops:  # anything fed before attaching
            self._write(op, sync=False)
        if self._fh is not None:
            self._sync()
        session.add_listener(self.record)
        return session

    def close(self) -> None:
        if self._fh is not None and self._pending:  # an orderly close keeps the last partials
            with contextlib.suppress(DraftWriteError, OSError):
                for pending in self._pending.values():
                    self._write(pending, sync=True)
        self._pending.clear()
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    def complete(self) -> None:
        """The ticket was saved: remove the draft."""
        self._remove()

    def discard(self) -> None:
        """The call-taker dropped the call: remove the draft."""
        self._remove()

    def _remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        _fsync_dir(self.dir)


@dataclass(frozen=True, slots=True)
class DraftInfo:
    """A draft left behind by a call that was not finished (``report``: any damage found)."""

    call_id: str
    path: Path
    started_at: datetime | None
    modified: datetime
    n_events: int
    last_text: str
    report: JournalReport = field(default_factory=JournalReport)


def read_ops(path: Path | str) -> tuple[dict[str, Any], list[Op]]:
    """The header and the good operations of a draft (damaged lines skipped: see
    :func:`assistant.files.journal_read.read_journal` for what was skipped)."""
    read = read_journal(path)
    return read.header, read.ops


def _info(p: Path) -> DraftInfo:
    try:
        modified = datetime.fromtimestamp(p.stat().st_mtime).astimezone()
    except OSError:
        modified = datetime.now().astimezone()
    try:
        read = read_journal(p)
    except Exception as exc:  # unreadable (permissions, ...): offered with its problem
        report = JournalReport(good=0, problems=(JournalProblem(1, str(exc)),), header_ok=False)
        return DraftInfo(p.stem, p, None, modified, 0, "", report)
    events = [o for o in read.ops if o.get("op") == "event"]
    last = next((str(o["event"]["text"]) for o in reversed(events)), "")
    try:
        started: datetime | None = datetime.fromisoformat(str(read.header.get("started_at")))
    except ValueError:
        started = None
    return DraftInfo(
        call_id=str(read.header.get("call_id") or p.stem),
        path=p,
        started_at=started,
        modified=modified,
        n_events=len(events),
        last_text=last,
        report=read.report,
    )


def find_unfinished(drafts_dir: Path | str) -> list[DraftInfo]:
    """Drafts of calls that were not completed (newest first); a damaged one is listed too,
    with what is wrong in :attr:`DraftInfo.report`."""
    d = Path(drafts_dir)
    if not d.is_dir():
        return []
    out = [_info(p) for p in d.glob(f"*{SUFFIX}") if p.is_file()]
    return sorted(out, key=lambda x: x.modified, reverse=True)


def _partials_as_finals(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sentence still being recognised when the call was cut off was on screen: keep the
    last partial of each speaker that came after their last final, as a final (in place);
    drop the other partials."""
    last_final: dict[str, int] = {}
    last_partial: dict[str, int] = {}
    for i, o in enumerate(ops):
        speaker = str((o.get("event") or {}).get("speaker", ""))
        if o.get("op") == "event":
            last_final[speaker] = i
        elif o.get("op") == "partial" and str(o["event"].get("text", "")).strip():
            last_partial[speaker] = i
    keep = {i for sp, i in last_partial.items() if i > last_final.get(sp, -1)}
    out: list[dict[str, Any]] = []
    for i, o in enumerate(ops):
        if o.get("op") != "partial":
            out.append(o)
        elif i in keep:
            out.append({"op": "event", "event": {**o["event"], "final": True}})
    return out


def restore(
    path_or_info: Path | str | DraftInfo,
    engine: EngineLike,
    *,
    clock: Callable[[], datetime] | None = None,
    resume: bool = True,
) -> tuple[CallSession, DraftJournal | None]:
    """Rebuild the session of a draft. With ``resume`` the returned journal keeps appending
    to the same file (continue the call); else it is None and the file is left as is."""
    path = path_or_info.path if isinstance(path_or_info, DraftInfo) else Path(path_or_info)
    header, ops = read_ops(path)
    ops = _partials_as_finals(ops)
    data = {
        "call_id": str(header.get("call_id") or path.stem),
        "started_at": header["started_at"],
        "k": header.get("k", 5),
        "ops": [],
    }
    session = CallSession.from_dict(data, engine, clock=clock)
    for op in ops:  # one by one: an operation that cannot be replayed costs only itself
        try:
            session.apply_op(op)
        except (AssistantError, KeyError, TypeError, ValueError) as exc:
            log.warning("draft %s: skipped an operation that cannot be replayed (%s)", path, exc)
    if not resume:
        return session, None
    journal = DraftJournal(path.parent, session.call_id, started_at=session.started_at, k=session.k)
    journal._open()
    journal._session = session
    session.add_listener(journal.record)
    return session, journal
