"""Crash-safe drafts of calls in progress.

A :class:`DraftJournal` is an append-only JSONL file ``<drafts_dir>/<call_id>.jsonl``:
a header line, then one line per session operation (final transcript segment, field edit,
category choice, alert). Each final/edit line is flushed and ``fsync``-ed before
:meth:`DraftJournal.record` returns; partial segments are written at most every
``partial_interval`` seconds (they are not needed to restore the call). After a crash or
``kill -9``, :func:`find_unfinished` lists the drafts left behind and :func:`restore`
replays one into a :class:`~assistant.core.session.CallSession`. A torn last line (the process
died mid-write) is ignored. :meth:`DraftJournal.complete` / :meth:`DraftJournal.discard`
remove the draft once the ticket is submitted or the call is dropped.

Lines are written (compact separators) and read (torn last line) through :mod:`asr.jsonl`.
A journal that cannot be written raises :class:`~assistant.errors.DraftWriteError`: the call
is then NOT protected, so it must not pass for a :class:`~assistant.errors.StoreError`
(whose advice to the call-taker is that the draft is safe). Reading a bad draft raises
:class:`~assistant.errors.SessionFileError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asr.jsonl import JsonlWriter, read_lines
from assistant.core.session import CallSession, EngineLike, Op
from assistant.errors import DraftWriteError, SessionFileError

__all__ = ["SUFFIX", "DraftInfo", "DraftJournal", "find_unfinished", "read_ops", "restore"]

SUFFIX = ".jsonl"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not supported on every platform/filesystem
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        if not _SAFE_ID.match(call_id):
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
        self._fh: JsonlWriter | None = None
        self._started_at = started_at
        self._k = k

    # ---------------------------------------------------------------- writing
    def _open(self) -> JsonlWriter:
        if self._fh is None:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                new = not self.path.exists()
                self._fh = JsonlWriter(self.path.open("a", encoding="utf-8"), compact=True)
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

    def record(self, op: Op) -> None:
        """Append one session operation (the :class:`CallSession` listener)."""
        self._open()
        kind = op.get("op")
        speaker = str((op.get("event") or {}).get("speaker", ""))
        if kind == "event":
            self._pending.pop(speaker, None)  # the final supersedes the speaker's partial
        elif kind == "partial":
            self._pending[speaker] = op
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
    """A draft left behind by a call that was not finished."""

    call_id: str
    path: Path
    started_at: datetime | None
    modified: datetime
    n_events: int
    last_text: str


def read_ops(path: Path | str) -> tuple[dict[str, Any], list[Op]]:
    """The header and the operations of a draft; a torn last line is skipped."""
    p = Path(path)
    try:
        lines = list(read_lines(p))
    except FileNotFoundError as exc:
        raise SessionFileError(f"draft {p} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"cannot read draft {p}: {exc}") from exc
    header: dict[str, Any] | None = None
    ops: list[Op] = []
    for line in lines:
        if line.error is not None:
            if line.last:
                break  # torn write at the moment of the crash
            raise SessionFileError(
                f"draft {p} line {line.number} is corrupt ({line.error}); "
                "move the file aside to continue"
            ) from line.error
        op = line.value
        if op.get("op") == "header":
            header = op
        else:
            ops.append(op)
    if header is None:
        raise SessionFileError(f"draft {p} has no header line; it was not written by this program")
    return header, ops


def find_unfinished(drafts_dir: Path | str) -> list[DraftInfo]:
    """Drafts of calls that were not completed (newest first)."""
    d = Path(drafts_dir)
    if not d.is_dir():
        return []
    out: list[DraftInfo] = []
    for p in d.glob(f"*{SUFFIX}"):
        try:
            header, ops = read_ops(p)
        except SessionFileError:
            continue
        events = [o for o in ops if o.get("op") == "event"]
        last = next((str(o["event"].get("text", "")) for o in reversed(events)), "")
        try:
            started: datetime | None = datetime.fromisoformat(str(header.get("started_at")))
        except ValueError:
            started = None
        out.append(
            DraftInfo(
                call_id=str(header.get("call_id", p.stem)),
                path=p,
                started_at=started,
                modified=datetime.fromtimestamp(p.stat().st_mtime).astimezone(),
                n_events=len(events),
                last_text=last,
            )
        )
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
        "call_id": header.get("call_id", path.stem),
        "started_at": header["started_at"],
        "k": header.get("k", 5),
        "ops": ops,
    }
    session = CallSession.from_dict(data, engine, clock=clock)
    if not resume:
        return session, None
    journal = DraftJournal(path.parent, session.call_id, started_at=session.started_at, k=session.k)
    journal._open()
    session.add_listener(journal.record)
    return session, journal
