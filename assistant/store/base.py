"""The shared core of `TicketStore`: its state, sessions, error translation and row helpers.

`StoreBase` holds what every part of the store needs: the engine and settings, the read and
write sessions (writes are ``BEGIN IMMEDIATE`` on SQLite), the translation of database
errors into `StoreLockedError` / `StoreUnavailableError` / `TicketNotSavedError` (saving the
draft that could not be stored), ticket lookup by number or id, and ORM row <-> record
conversion. The operations live in mixins beside it (`submit`, `edits`, `queries`,
`duplicates`); `repository.TicketStore` puts them together.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import (
    FieldInvalidError,
    StoreError,
    StoreLockedError,
    StoreUnavailableError,
    TicketNotFoundError,
    TicketNotSavedError,
)
from assistant.store.draft import CallInfo, TicketDraft
from assistant.store.records import NUMBER_PREFIX, Ticket

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from assistant.store.orm import TicketRow


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
        saved = self._save_unsaved(draft, suggestions, call) if draft is not None else None
        keep = ""
        if draft is not None:
            keep = " The ticket was NOT saved; the form keeps it, submit again to retry."
            if saved is not None:
                keep += f" A copy was written to {saved}."
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

        if isinstance(exc, OperationalError):
            return StoreUnavailableError(
                f"工单库无法访问。Could not {action}: the ticket database {self.describe()} "
                f"is unreachable or not writable ({text_.strip()}).{keep} Check that the "
                "database server is running and reachable, the file's folder is writable, "
                "and `database_url` (HOTLINE_DATABASE_URL) is right.",
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

    def _save_unsaved(
        self,
        draft: TicketDraft,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> Path | None:
        if self.drafts_dir is None:
            return None
        try:
            folder = self.drafts_dir / "unsaved-tickets"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = self._clock().strftime("%Y%m%dT%H%M%S")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
            payload = {
                "draft": draft.to_dict(),
                "suggestions": dict(suggestions or {}),
                "call": call.to_dict() if call is not None else None,
                "database": self.describe(),
            }
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(path)
            return path
        except OSError:
            return None

    @contextlib.contextmanager
    def _write(self, action: str, **ctx: Any) -> Iterator[Session]:
        with self._errors(action, **ctx), self._write_sessions() as s, s.begin():
            yield s

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
