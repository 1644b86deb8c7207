"""The shared core of `TicketStore`: its state, sessions, error translation and row helpers.

`StoreBase` holds what every part of the store needs: the engine and settings, the read and
write sessions (writes are ``BEGIN IMMEDIATE`` on SQLite), the translation of database
errors into `StoreLockedError` / `StoreUnavailableError` / `TicketNotSavedError` (saving the
draft that could not be stored, and saying so when even that copy failed), ticket lookup by
number or id, and ORM row <-> record conversion.

Every write first checks that a SQLite store's file is still the one it opened (and again
just before the commit): when the data folder was deleted or the file replaced, SQLite would
happily write into the unlinked file, so the write is refused with `StoreFileGoneError`
instead (the ticket is not reported as stored, the call's journal stays). It also leaves a
note (`GONE_MARKER` in the drafts folder) so that the next start does not silently create a
new, empty database whose numbering would restart at 0001 (`refuse_restart_after_loss`). The operations live in mixins beside it (`submit`, `edits`, `queries`,
`duplicates`); `repository.TicketStore` puts them together.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.fileio import atomic_write, private_dir
from assistant.errors import (
    FieldInvalidError,
    StoreError,
    StoreFileGoneError,
    StoreLockedError,
    StoreUnavailableError,
    TicketNotFoundError,
    TicketNotSavedError,
)
from assistant.store.draft import CallInfo, TicketDraft
from assistant.store.engine import sqlite_file
from assistant.store.records import NUMBER_PREFIX, Ticket

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from assistant.store.orm import TicketRow


#: Written into the drafts folder when a store finds its SQLite file gone.
GONE_MARKER = "database-gone.json"


def refuse_restart_after_loss(db_file: Path, drafts_dir: Path) -> None:
    """Raise `StoreFileGoneError` when ``drafts_dir`` holds the note that ``db_file`` vanished
    under a running program: creating a new, empty file there would restart the numbering."""
    marker = drafts_dir / GONE_MARKER
    try:
        noted = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(noted, dict) or str(noted.get("database")) != os.path.abspath(db_file):
        return
    raise StoreFileGoneError(
        f"工单库文件 {db_file} 曾在程序运行中丢失，为避免工单编号从 0001 重新开始、与已派出的"
        "工单重号，不会自动新建空的工单库。请管理员恢复该文件；确认要启用新的空工单库时，"
        f"删除 {marker} 后重启。The ticket database file vanished while in use "
        f"(noted {noted.get('detected_at', '?')}); refusing to create an empty one in its place."
    )


class StoreBase:
    """State and plumbing shared by the parts of `TicketStore` (not used on its own)."""

    def __init__(
        self,
        engine: Engine,
        *,
        busy_timeout: float,
        seat_id: str,
        duplicate_window_days: int,
        drafts_dir: Path | None,
        clock: Callable[[], datetime],
        tz: tzinfo | None,
    ) -> None:
        from sqlalchemy.orm import sessionmaker

        self.engine = engine
        self.backend = engine.dialect.name  # "sqlite" | "postgresql"
        self.busy_timeout = busy_timeout
        self.seat_id = seat_id
        self.duplicate_window_days = duplicate_window_days
        self.drafts_dir = drafts_dir
        self._clock = clock
        self._tz = tz
        self._read_sessions: sessionmaker[Session] = sessionmaker(
            bind=engine, expire_on_commit=False
        )
        self._write_sessions: sessionmaker[Session] = sessionmaker(
            bind=engine.execution_options(hotline_write=True), expire_on_commit=False
        )
        self._db_file = sqlite_file(engine)
        self._db_id = _file_id(self._db_file)

    def describe(self) -> str:
        """The database URL without password (for messages and logs)."""
        return self.engine.url.render_as_string(hide_password=True)

    # ---------------------------------------------------------------- sessions & errors
    @contextlib.contextmanager
    def _errors(
        self,
        action: str,
        *,
        draft: TicketDraft | None = None,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
    ) -> Iterator[None]:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        try:
            yield
        except (StoreError, FieldInvalidError):
            raise
        except DBAPIError as exc:
            raise self._translate(exc, action, draft, suggestions, call) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not {action} in {self.describe()}: {exc}") from exc

    def _translate(
        self,
        exc: Any,
        action: str,
        draft: TicketDraft | None,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> StoreError:
        orig = getattr(exc, "orig", None)
        text_ = str(orig if orig is not None else exc)
        sqlstate = getattr(orig, "sqlstate", None)
        saved, keep = self._keep_copy(draft, suggestions, call)
        locked = (
            "database is locked" in text_
            or "database table is locked" in text_
            or "database is busy" in text_
            or sqlstate in ("55P03", "57014", "40P01", "40001")
        )
        if locked:
            return StoreLockedError(
                f"工单库正忙，请稍后再提交。Could not {action}: the ticket database "
                f"{self.describe()} stayed locked by another seat or program for more than "
                f"{self.busy_timeout:g} s ({text_.strip()}).{keep} If this keeps happening, "
                "look for a long-running export or a stuck process on another seat.",
                draft=draft,
                suggestions=suggestions,
                call=call,
                saved_to=saved,
            )
        from sqlalchemy.exc import IntegrityError, OperationalError

        full = "database or disk is full" in text_ or sqlstate in ("53100", "53200")
        if isinstance(exc, OperationalError) or full:
            if full:
                head = (
                    f"磁盘已满，工单未保存。Could not {action}: the disk of the ticket database "
                    f"{self.describe()} is full ({text_.strip()})."
                )
            else:
                head = (
                    f"工单库无法访问。Could not {action}: the ticket database {self.describe()} "
                    f"is unreachable or not writable ({text_.strip()})."
                )
            return StoreUnavailableError(
                f"{head}{keep} {self._advice(full)}",
                draft=draft,
                suggestions=suggestions,
                call=call,
                saved_to=saved,
            )
        if isinstance(exc, IntegrityError):
            message = (
                f"Could not {action}: the database rejected the change as inconsistent "
                f"({text_.strip()}).{keep}"
            )
        else:
            message = f"Could not {action} in {self.describe()}: {text_.strip()}.{keep}"
        return TicketNotSavedError(
            message, draft=draft, suggestions=suggestions, call=call, saved_to=saved
        )

    def _advice(self, disk_full: bool) -> str:
        """What to check, for this backend (no "database server" talk for a SQLite file)."""
        url = "`database_url` (HOTLINE_DATABASE_URL)"
        if self.backend == "sqlite":
            where = self._db_file.parent if self._db_file is not None else "the database"
            if disk_full:
                return f"Free disk space where {where} is, then submit again."
            return (
                f"Check that the folder {where} exists and is writable and has free space, "
                f"and that {url} is right."
            )
        if disk_full:
            return "The database server's disk is full: ask its administrator to free space."
        return f"Check that the database server is running and reachable, and that {url} is right."

    def _keep_copy(
        self,
        draft: TicketDraft | None,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> tuple[Path | None, str]:
        """Write the ticket that was not stored to ``<drafts>/unsaved-tickets/`` (when the
        store has a drafts folder); returns the file and the sentence saying what happened."""
        if draft is None:
            return None, ""
        keep = " The ticket was NOT saved; the form keeps it, submit again to retry."
        if self.drafts_dir is None:
            return None, keep
        try:
            saved = self._save_unsaved(draft, suggestions, call)
        except OSError as exc:
            folder = self.drafts_dir / "unsaved-tickets"
            return None, (
                f"{keep} 备用副本也未能保存：could not write a copy to {folder} "
                f"({exc.strerror or exc}); keep the screen open until it is submitted."
            )
        return saved, f"{keep} A copy was written to {saved}."

    def _save_unsaved(
        self,
        draft: TicketDraft,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> Path:
        """The JSON copy of a ticket that could not be stored (raises ``OSError``)."""
        assert self.drafts_dir is not None
        folder = private_dir(self.drafts_dir / "unsaved-tickets", tighten=True)
        stamp = self._clock().strftime("%Y%m%dT%H%M%S")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
        payload = {
            "draft": draft.to_dict(),
            "suggestions": dict(suggestions or {}),
            "call": call.to_dict() if call is not None else None,
            "database": self.describe(),
        }
        return atomic_write(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")

    def _check_file(
        self,
        action: str,
        draft: TicketDraft | None = None,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
    ) -> None:
        """Refuse to write when the SQLite file opened is gone or was replaced."""
        if self._db_file is None:
            return
        now = _file_id(self._db_file)
        if self._db_id is None:  # not created when the store opened: adopt it now
            self._db_id = now
            return
        if now == self._db_id:
            return
        what = "已不存在" if now is None else "已被另一个文件替换"
        why = (
            "is gone (was its folder deleted or moved?)"
            if now is None
            else "was replaced by another file"
        )
        saved, keep = self._keep_copy(draft, suggestions, call)
        if now is None and self.drafts_dir is not None:
            with contextlib.suppress(OSError):
                note = {"database": os.path.abspath(self._db_file),
                        "detected_at": self._clock().isoformat(timespec="seconds")}  # fmt: skip
                atomic_write(self.drafts_dir / GONE_MARKER, json.dumps(note) + "\n")
        raise StoreFileGoneError(
            f"工单库文件{what}，工单未保存，请联系管理员恢复数据文件夹后重启程序。Could not "
            f"{action}: the ticket database file {self._db_file} {why}; this program refuses "
            f"to write into a file nobody could open again.{keep} Restore the file (or fix "
            "data_dir / database_url) and restart the program.",
            draft=draft,
            suggestions=suggestions,
            call=call,
            saved_to=saved,
        )

    @contextlib.contextmanager
    def _write(self, action: str, **ctx: Any) -> Iterator[Session]:
        self._check_file(action, **ctx)
        with self._errors(action, **ctx), self._write_sessions() as s, s.begin():
            yield s
            self._check_file(action, **ctx)  # deleted while waiting for the lock: roll back

    @contextlib.contextmanager
    def _read(self, action: str = "read tickets") -> Iterator[Session]:
        with self._errors(action), self._read_sessions() as s, s.begin():
            yield s

    # ---------------------------------------------------------------- helpers
    def _row(self, s: Session, ticket_id: int | str, *, lock: bool = False) -> TicketRow:
        from sqlalchemy import select

        from assistant.store.orm import TicketRow

        stmt = select(TicketRow)
        ref = str(ticket_id).strip()
        if isinstance(ticket_id, int) or ref.isdigit():
            stmt = stmt.where(TicketRow.id == int(ref))
        else:
            number = ref if ref.startswith(f"{NUMBER_PREFIX}-") else f"{NUMBER_PREFIX}-{ref}"
            stmt = stmt.where(TicketRow.number == number)
        if lock and self.backend == "postgresql":
            stmt = stmt.with_for_update()
        row = s.execute(stmt).scalar_one_or_none()
        if row is None:
            raise TicketNotFoundError(
                f"No ticket {ticket_id!r} in {self.describe()} (give the ticket number like "
                f"{NUMBER_PREFIX}-20261124-0007 or its numeric id)."
            )
        return row

    def _tickets(self, s: Session, rows: Iterable[TicketRow]) -> builtins.list[Ticket]:
        from sqlalchemy import select

        from assistant.store.orm import TicketRow

        rows = builtins.list(rows)
        targets = {r.merged_into for r in rows if r.merged_into is not None}
        numbers: dict[int, str] = {}
        if targets:
            numbers = {
                i: n
                for i, n in s.execute(
                    select(TicketRow.id, TicketRow.number).where(TicketRow.id.in_(targets))
                ).all()
            }
        return [_to_ticket(r, numbers.get(r.merged_into or -1)) for r in rows]

    def _audit_row(
        self,
        ticket_id: int,
        at: datetime,
        actor: str,
        action: str,
        field_: str | None,
        old: str | None,
        new: str | None,
        seat: str,
    ) -> Any:
        from assistant.store.orm import AuditRow

        return AuditRow(
            ticket_id=ticket_id,
            at=at,
            actor=actor,
            action=action,
            field=field_,
            old_value=old,
            new_value=new,
            seat=seat,
        )

    def _call_row(self, call: CallInfo, ticket_id: int, seat: str, note: str, at: datetime) -> Any:
        from assistant.store.orm import CallSessionRow

        transcript = (
            json.dumps([e.to_dict() for e in call.transcript], ensure_ascii=False)
            if call.transcript
            else None
        )
        return CallSessionRow(
            call_id=call.call_id,
            started_at=call.started_at,
            ended_at=call.ended_at,
            seat=seat,
            transcript_json=transcript,
            session_path=call.session_path,
            note=note,
            ticket_id=ticket_id,
            linked_at=at,
        )


def _file_id(path: Path | None) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or None when it does not exist (or no path)."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _to_ticket(r: TicketRow, merged_number: str | None) -> Ticket:
    return Ticket(
        id=r.id,
        number=r.number,
        status=r.status,
        name=r.caller_name,
        phone=r.phone,
        address=r.address,
        address_norm=r.address_norm,
        incident_time=r.incident_time,
        category_id=r.category_id,
        category_path=r.category_path,
        department=r.department,
        deadline=r.deadline,
        verdict=r.verdict,
        channel=r.channel,
        reason=r.reason,
        urgency=r.urgency,
        summary=r.summary,
        assign_by=r.assign_by,
        resolve_by=r.resolve_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
        seat_id=r.seat_id,
        merged_into=r.merged_into,
        merged_into_number=merged_number,
    )
