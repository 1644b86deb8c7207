"""Reading the ticket store: one ticket (`get`, `find`), filtered lists, counts, a ticket's
audit trail and calls, and a caller's history by phone number."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from assistant.errors import FieldInvalidError, TicketNotFoundError
from assistant.store.base import StoreBase
from assistant.store.keys import normalize_phone
from assistant.store.records import STATUSES, AuditEntry, CallerHistory, CallRecord, Ticket


class QueryMixin(StoreBase):
    """`TicketStore` reads (no writes)."""

    def get(self, ref: int | str) -> Ticket:
        """A ticket by number (``12345-20261124-0007`` or ``20261124-0007``) or numeric id."""
        with self._read() as s:
            return self._tickets(s, [self._row(s, ref)])[0]

    def find(self, ref: int | str) -> Ticket | None:
        try:
            return self.get(ref)
        except TicketNotFoundError:
            return None

    def list(
        self,
        *,
        status: str | Iterable[str] | None = None,
        text: str | None = None,
        phone: str | None = None,
        category: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        seat: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> builtins.list[Ticket]:
        """Tickets, newest first. ``text`` searches number, summary, address, name and category
        path; ``phone`` matches any part of the number; ``category`` is a leaf id or part of the
        path; ``since``/``until`` bound ``created_at`` (a date means that whole local day)."""
        from sqlalchemy import or_, select

        from assistant.store.orm import TicketRow

        stmt = select(TicketRow)
        if status:
            statuses = [status] if isinstance(status, str) else builtins.list(status)
            bad = [x for x in statuses if x not in STATUSES]
            if bad:
                raise FieldInvalidError("status", f"状态应为 {'/'.join(STATUSES)}，不是 {bad[0]}")
            stmt = stmt.where(TicketRow.status.in_(statuses))
        if text:
            stmt = stmt.where(
                or_(
                    TicketRow.number.contains(text, autoescape=True),
                    TicketRow.summary.contains(text, autoescape=True),
                    TicketRow.address.contains(text, autoescape=True),
                    TicketRow.caller_name.contains(text, autoescape=True),
                    TicketRow.category_path.contains(text, autoescape=True),
                )
            )
        if phone:
            digits = normalize_phone(phone)
            if digits:
                stmt = stmt.where(TicketRow.phone_norm.contains(digits, autoescape=True))
        if category:
            stmt = stmt.where(
                or_(
                    TicketRow.category_id == category,
                    TicketRow.category_path.contains(category, autoescape=True),
                )
            )
        if since is not None:
            stmt = stmt.where(TicketRow.created_at >= self._bound(since, end=False))
        if until is not None:
            stmt = stmt.where(TicketRow.created_at < self._bound(until, end=True))
        if seat:
            stmt = stmt.where(TicketRow.seat_id == seat)
        stmt = stmt.order_by(TicketRow.created_at.desc(), TicketRow.id.desc()).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as s:
            return self._tickets(s, s.execute(stmt).scalars().all())

    def _bound(self, value: datetime | date, *, end: bool) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.astimezone()
        d = value + timedelta(days=1) if end else value
        tz = self._tz or datetime.now().astimezone().tzinfo
        return datetime.combine(d, time(0), tzinfo=tz)

    def count(self, *, status: str | None = None) -> int:
        from sqlalchemy import func, select

        from assistant.store.orm import TicketRow

        stmt = select(func.count(TicketRow.id))
        if status:
            stmt = stmt.where(TicketRow.status == status)
        with self._read() as s:
            return int(s.execute(stmt).scalar_one())

    def audit(self, ticket_id: int | str) -> builtins.list[AuditEntry]:
        """Every audit row of the ticket, oldest first."""
        from sqlalchemy import select

        from assistant.store.orm import AuditRow

        with self._read() as s:
            row = self._row(s, ticket_id)
            rows = s.execute(
                select(AuditRow).where(AuditRow.ticket_id == row.id).order_by(AuditRow.id)
            ).scalars()
            return [
                AuditEntry(
                    id=a.id,
                    ticket_id=a.ticket_id,
                    at=a.at,
                    actor=a.actor,
                    action=a.action,
                    field=a.field,
                    old_value=a.old_value,
                    new_value=a.new_value,
                    seat=a.seat,
                )
                for a in rows
            ]

    def calls(self, ticket_id: int | str) -> builtins.list[CallRecord]:
        """Calls linked to the ticket, oldest first."""
        from sqlalchemy import select

        from assistant.store.orm import CallSessionRow

        with self._read() as s:
            row = self._row(s, ticket_id)
            rows = s.execute(
                select(CallSessionRow)
                .where(CallSessionRow.ticket_id == row.id)
                .order_by(CallSessionRow.id)
            ).scalars()
            return [
                CallRecord(
                    id=c.id,
                    call_id=c.call_id,
                    ticket_id=c.ticket_id,
                    started_at=c.started_at,
                    ended_at=c.ended_at,
                    seat=c.seat,
                    note=c.note,
                    session_path=c.session_path,
                    transcript=tuple(json.loads(c.transcript_json or "[]")),
                    linked_at=c.linked_at,
                )
                for c in rows
            ]

    def caller_history(self, phone: str, *, limit: int = 5) -> CallerHistory:
        """How often this number called before: ticket count, open count, linked calls, and
        the last ``limit`` tickets (newest first)."""
        from sqlalchemy import func, select

        from assistant.store.orm import CallSessionRow, TicketRow

        digits = normalize_phone(phone)
        if not digits:
            return CallerHistory(phone=phone, count=0, open_count=0, call_count=0, last=())
        with self._read("look up the caller's history") as s:
            count = s.execute(
                select(func.count(TicketRow.id)).where(TicketRow.phone_norm == digits)
            ).scalar_one()
            open_count = s.execute(
                select(func.count(TicketRow.id)).where(
                    TicketRow.phone_norm == digits, TicketRow.status == "open"
                )
            ).scalar_one()
            calls = s.execute(
                select(func.count(CallSessionRow.id))
                .join(TicketRow, CallSessionRow.ticket_id == TicketRow.id)
                .where(TicketRow.phone_norm == digits)
            ).scalar_one()
            rows = (
                s.execute(
                    select(TicketRow)
                    .where(TicketRow.phone_norm == digits)
                    .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            return CallerHistory(
                phone=phone,
                count=int(count),
                open_count=int(open_count),
                call_count=int(calls),
                last=tuple(self._tickets(s, rows)),
            )
