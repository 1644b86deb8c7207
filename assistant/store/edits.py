"""Changing a ticket after submit: one field (`update_field`), the category as a whole
(`change_category`) and the status (`close`, `reopen`); every change gets an audit row, and
so does every unmasked output of a ticket's personal data (`record_disclosure`)."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.errors import FieldInvalidError
from assistant.store.base import StoreBase
from assistant.store.draft import _check_phone
from assistant.store.keys import normalize_address, normalize_phone
from assistant.store.records import URGENCIES, VERDICTS, Actor, Ticket

_UPDATABLE: dict[str, str] = {
    "name": "caller_name",
    "phone": "phone",
    "address": "address",
    "incident_time": "incident_time",
    "verdict": "verdict",
    "channel": "channel",
    "reason": "reason",
    "urgency": "urgency",
    "summary": "summary",
}


class EditMixin(StoreBase):
    """`TicketStore` writes that change a stored ticket."""

    def update_field(
        self,
        ticket_id: int | str,
        field: str,
        value: str | None,
        actor: Actor = "call_taker",
        *,
        seat: str | None = None,
    ) -> Ticket:
        """Change one field after submit; the old and new value go to the audit trail.
        The category (leaf id, path, department, deadline) changes as one: use
        :meth:`change_category`."""
        if field in ("category", "category_id", "category_path", "department", "deadline"):
            raise FieldInvalidError(
                field, "分类、承办部门和时限须一起修改：请用 change_category（重新选择目录分类）"
            )
        if field not in _UPDATABLE:
            raise FieldInvalidError(
                field, f"不能修改该字段；可修改：{', '.join(sorted(set(_UPDATABLE)))}"
            )
        attr = _UPDATABLE[field]
        value = (value or "").strip()
        problem = self._check_update(attr, value)
        if problem:
            raise FieldInvalidError(field, problem)
        seat = seat if seat is not None else self.seat_id
        with self._write(f"change {field} of ticket {ticket_id}") as s:
            row = self._row(s, ticket_id, lock=True)
            old = getattr(row, attr)
            new: str | None = value
            if attr in ("channel", "reason") and not value:
                new = None
            if (old or "") == (new or ""):
                return self._tickets(s, [row])[0]
            setattr(row, attr, new)
            if attr == "address":
                row.address_norm = normalize_address(value)
            if attr == "phone":
                row.phone_norm = normalize_phone(value)
            now = self._clock()
            row.updated_at = now
            audit_field = "name" if attr == "caller_name" else attr
            s.add(self._audit_row(row.id, now, actor, "edited", audit_field, old, new, seat))
            s.flush()
            return self._tickets(s, [row])[0]

    def change_category(
        self,
        ticket_id: int | str,
        *,
        category_id: str,
        category_path: str,
        department: str,
        deadline: str,
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        """Re-categorise a ticket after submit: leaf id, path, department and deadline change
        together (one audit row each that changed), so the ticket never names a leaf of
        one department and dispatches to another."""
        from knowledge.types import DEADLINES, DEPARTMENTS

        values = {
            "category_id": category_id.strip(),
            "category_path": category_path.strip(),
            "department": department.strip(),
            "deadline": deadline.strip(),
        }
        if not values["category_id"] or not values["category_path"]:
            raise FieldInvalidError("category", "需要分类编号和分类路径")
        if values["department"] not in DEPARTMENTS:
            raise FieldInvalidError("department", f"未知承办部门：{values['department']}")
        if values["deadline"] not in DEADLINES:
            raise FieldInvalidError("deadline", f"时限须为 {'/'.join(DEADLINES)}")
        seat = seat if seat is not None else self.seat_id
        with self._write(f"change the category of ticket {ticket_id}") as s:
            row = self._row(s, ticket_id, lock=True)
            now = self._clock()
            changed = False
            for attr, new in values.items():
                old = getattr(row, attr)
                if (old or "") != new:
                    setattr(row, attr, new)
                    s.add(self._audit_row(row.id, now, actor, "edited", attr, old, new, seat))
                    changed = True
            if changed:
                row.updated_at = now
            s.flush()
            return self._tickets(s, [row])[0]

    @staticmethod
    def _check_update(attr: str, value: str) -> str | None:
        from knowledge.types import CHANNELS, DEADLINES, REASONS

        if attr == "phone":
            return _check_phone(value)
        if attr == "verdict" and value not in VERDICTS:
            return f"受理结论应为 {'/'.join(VERDICTS)}"
        if attr == "urgency" and value not in URGENCIES:
            return f"紧急程度应为 {'/'.join(URGENCIES)}"
        if attr == "deadline" and value and value not in DEADLINES:
            return f"办理时限应为 {'/'.join(DEADLINES)}"
        if attr == "channel" and value and value not in CHANNELS:
            return f"未知的转办渠道：{value}"
        if attr == "reason" and value and value not in REASONS:
            return f"未知的不予受理原因：{value}"
        return None

    def _set_status(
        self, ticket_id: int | str, status: str, actor: str, seat: str | None, note: str
    ) -> Ticket:
        seat = seat if seat is not None else self.seat_id
        with self._write(f"set ticket {ticket_id} {status}") as s:
            row = self._row(s, ticket_id, lock=True)
            if row.status == "merged":
                raise FieldInvalidError(
                    "status", f"工单 {row.number} 已合并，请处理目标工单（id {row.merged_into}）"
                )
            if row.status == status:
                return self._tickets(s, [row])[0]
            now = self._clock()
            old = row.status
            row.status = status
            row.closed_at = now if status == "closed" else None
            row.updated_at = now
            new = f"{status}: {note}" if note else status
            s.add(self._audit_row(row.id, now, actor, "status", "status", old, new, seat))
            s.flush()
            return self._tickets(s, [row])[0]

    def close(
        self,
        ticket_id: int | str,
        *,
        note: str = "",
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        """Close an open ticket (a merged ticket cannot be closed: close its target)."""
        return self._set_status(ticket_id, "closed", actor, seat, note)

    def reopen(
        self,
        ticket_id: int | str,
        *,
        note: str = "",
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        return self._set_status(ticket_id, "open", actor, seat, note)

    def record_disclosure(
        self,
        ticket_ids: Iterable[int],
        what: str,
        *,
        os_user: str,
        seat: str | None = None,
        actor: Actor = "call_taker",
    ) -> int:
        """Note in each ticket's audit trail that its personal data left the store in clear
        (``what``: ``未脱敏导出 → out.csv``, ``未脱敏查看``), with the OS user and the seat.

        Written before the data is shown, so an output nobody can account for never
        happens: when this fails, the caller must not print. Returns the rows written."""
        seat = seat if seat is not None else self.seat_id
        ids = sorted(set(ticket_ids))
        if not ids:
            return 0
        note = f"{what}（系统用户 {os_user}）"
        with self._write("record an unmasked output in the audit trail") as s:
            now = self._clock()
            for ticket_id in ids:
                s.add(self._audit_row(ticket_id, now, actor, "disclosed", None, None, note, seat))
        return len(ids)
