"""Writing new tickets and links: `TicketStore.submit` (ticket, audit rows and call link in
one transaction, with the day's next ticket number), `append_call` and `merge`.

Numbers look like ``12345-20261124-0007``: the sequence restarts every (local) day and comes
from a ``day_counters`` row incremented by ``UPDATE … RETURNING`` in the same transaction as
the ticket insert, so numbers are unique and gap-free on both backends (the UPDATE row lock
serialises seats on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from assistant.errors import DraftInvalidError, FieldInvalidError
from assistant.store.base import StoreBase
from assistant.store.draft import CallInfo, TicketDraft
from assistant.store.keys import normalize_address, normalize_phone
from assistant.store.records import NUMBER_PREFIX, Actor, Ticket

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_AUDITED_DRAFT_FIELDS: tuple[str, ...] = (
    "name", "phone", "address", "incident_time", "category", "summary", "verdict", "channel",
    "reason", "urgency",
)  # fmt: skip


class SubmitMixin(StoreBase):
    """`TicketStore` writes that create tickets, link calls and merge duplicates."""

    def _day_of(self, at: datetime) -> str:
        local = at.astimezone(self._tz) if self._tz is not None else at.astimezone()
        return local.strftime("%Y%m%d")

    def _allocate_number(self, s: Session, day: str) -> tuple[int, str]:
        from sqlalchemy import update

        from assistant.store.orm import DayCounterRow

        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            s.execute(
                pg_insert(DayCounterRow)
                .values(day=day, last_seq=0)
                .on_conflict_do_nothing(index_elements=["day"])
            )
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            s.execute(
                sqlite_insert(DayCounterRow)
                .values(day=day, last_seq=0)
                .on_conflict_do_nothing(index_elements=["day"])
            )
        seq = s.execute(
            update(DayCounterRow)
            .where(DayCounterRow.day == day)
            .values(last_seq=DayCounterRow.last_seq + 1)
            .returning(DayCounterRow.last_seq),
            execution_options={"synchronize_session": False},
        ).scalar_one()
        return int(seq), f"{NUMBER_PREFIX}-{day}-{int(seq):04d}"

    # ---------------------------------------------------------------- writing
    def submit(
        self,
        draft: TicketDraft,
        *,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
        seat: str | None = None,
    ) -> Ticket:
        """Store a confirmed ticket with its audit trail and call link in one transaction.

        ``suggestions``: what the assistant proposed per field (``name``, ``phone``,
        ``address``, ``incident_time``, ``category`` (leaf id), ``summary``, ``verdict``,
        ``urgency``); each becomes a ``suggested`` audit row, and the final value a
        ``confirmed`` (same) or ``edited`` (changed) row.
        Raises `DraftInvalidError` for invalid fields, `StoreLockedError` /
        `StoreUnavailableError` (carrying the draft) when the database cannot take it now.
        """
        problems = draft.validate()
        if problems:
            raise DraftInvalidError(problems)
        suggestions = dict(suggestions or {})
        seat = seat if seat is not None else self.seat_id
        from assistant.store.orm import TicketRow

        with self._write("submit the ticket", draft=draft, suggestions=suggestions, call=call) as s:
            now = self._clock()
            day = self._day_of(now)
            seq, number = self._allocate_number(s, day)
            row = TicketRow(
                number=number,
                day=day,
                seq=seq,
                status="open",
                caller_name=draft.name.strip(),
                phone=draft.phone.strip(),
                phone_norm=normalize_phone(draft.phone),
                address=draft.address.strip(),
                address_norm=normalize_address(draft.address),
                incident_time=draft.incident_time.strip(),
                category_id=draft.category_id.strip(),
                category_path=draft.category_path.strip(),
                department=draft.department.strip(),
                deadline=draft.deadline,
                verdict=draft.verdict,
                channel=draft.channel or None,
                reason=draft.reason or None,
                urgency=draft.urgency,
                summary=draft.summary.strip(),
                assign_by=draft.assign_by,
                resolve_by=draft.resolve_by,
                created_at=now,
                updated_at=now,
                seat_id=seat,
            )
            s.add(row)
            s.flush()
            audit = [
                self._audit_row(row.id, now, "assistant", "suggested", f, None, v, seat)
                for f, v in suggestions.items()
            ]
            audit.append(
                self._audit_row(row.id, now, "call_taker", "created", None, None, number, seat)
            )
            for f in _AUDITED_DRAFT_FIELDS:
                value = draft.value_of(f)
                status = draft.field_status.get(f)
                if f in suggestions:
                    action = "confirmed" if value == suggestions[f] else "edited"
                    audit.append(
                        self._audit_row(
                            row.id, now, "call_taker", action, f, suggestions[f], value, seat
                        )
                    )
                elif value:
                    # No suggestion recorded: "edited" only when the form says the call-taker
                    # typed/changed it, otherwise the submitted value counts as confirmed.
                    action = "edited" if status == "edited" else "confirmed"
                    audit.append(
                        self._audit_row(row.id, now, "call_taker", action, f, None, value, seat)
                    )
            if call is not None:
                audit.extend(self._change_rows(row.id, call, seat, now))
            s.add_all(audit)
            if call is not None:
                s.add(self._call_row(call, row.id, seat, "", now))
            s.flush()
            return self._tickets(s, [row])[0]

    def _change_rows(self, ticket_id: int, call: CallInfo, seat: str, now: datetime) -> list[Any]:
        """The call-taker's edits and confirmations during the call, each at its moment."""
        rows = []
        for ch in call.changes:
            at = ch.get("at")
            when = (
                call.started_at + timedelta(seconds=float(at))
                if call.started_at is not None and isinstance(at, int | float)
                else now
            )
            value = ch.get("value")
            rows.append(
                self._audit_row(
                    ticket_id, when, "call_taker", ch["action"], ch["field"], None,
                    None if value is None else str(value), seat,
                )
            )  # fmt: skip
        return rows

    def append_call(
        self,
        ticket_id: int | str,
        call: CallInfo,
        note: str = "",
        *,
        seat: str | None = None,
        actor: Actor = "call_taker",
    ) -> Ticket:
        """Link another call (a repeat caller) to an existing ticket; a merged ticket forwards
        to the ticket it was merged into. Returns the ticket the call was linked to."""
        seat = seat if seat is not None else self.seat_id
        with self._write("link the call to the ticket") as s:
            row = self._row(s, ticket_id, lock=True)
            hops = 0
            while row.merged_into is not None and hops < 20:
                row = self._row(s, row.merged_into, lock=True)
                hops += 1
            now = self._clock()
            s.add(self._call_row(call, row.id, seat, note, now))
            detail = f"{call.call_id}: {note}" if note else call.call_id
            s.add(self._audit_row(row.id, now, actor, "appended", "call", None, detail, seat))
            row.updated_at = now
            s.flush()
            return self._tickets(s, [row])[0]

    def merge(
        self,
        duplicate_id: int | str,
        into_id: int | str,
        *,
        seat: str | None = None,
        actor: Actor = "call_taker",
    ) -> Ticket:
        """Mark ``duplicate_id`` as merged into ``into_id``; returns the updated duplicate."""
        seat = seat if seat is not None else self.seat_id
        with self._write("merge the tickets") as s:
            dup = self._row(s, duplicate_id, lock=True)
            into = self._row(s, into_id, lock=True)
            if dup.id == into.id:
                raise FieldInvalidError("merged_into", "不能把工单合并到它自己")
            if dup.status == "merged":
                raise FieldInvalidError(
                    "merged_into", f"工单 {dup.number} 已经合并过，不能再次合并"
                )
            if into.status == "merged":
                raise FieldInvalidError(
                    "merged_into", f"目标工单 {into.number} 本身已被合并，请合并到最终工单"
                )
            now = self._clock()
            old_status = dup.status
            dup.status = "merged"
            dup.merged_into = into.id
            dup.updated_at = now
            into.updated_at = now
            s.add_all(
                [
                    self._audit_row(
                        dup.id, now, actor, "merged", "merged_into", None, into.number, seat
                    ),
                    self._audit_row(
                        dup.id, now, actor, "status", "status", old_status, "merged", seat
                    ),
                    self._audit_row(
                        into.id, now, actor, "merged", "merged_from", None, dup.number, seat
                    ),
                ]
            )
            s.flush()
            return self._tickets(s, [dup])[0]
