"""Stored records of the ticket store and their vocabulary: `Ticket`, `AuditEntry`,
`CallRecord`, `DuplicateMatch`, `CallerHistory` (read back from the database; times are
timezone-aware UTC)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

__all__ = ["AuditEntry", "CallRecord", "CallerHistory", "DuplicateMatch", "Ticket"]

Actor = Literal["assistant", "call_taker", "system"]
AuditAction = Literal["suggested", "confirmed", "edited", "created", "appended", "merged", "status"]
TicketStatus = Literal["open", "closed", "merged"]

VERDICTS: tuple[str, ...] = ("accept", "refer", "decline")
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "normal")
STATUSES: tuple[str, ...] = ("open", "closed", "merged")
NUMBER_PREFIX = "12345"


@dataclass(frozen=True, slots=True)
class Ticket:
    """A stored ticket (times are timezone-aware UTC)."""

    id: int
    number: str
    status: str
    name: str
    phone: str
    address: str
    address_norm: str
    incident_time: str
    category_id: str
    category_path: str
    department: str
    deadline: str
    verdict: str
    channel: str | None
    reason: str | None
    urgency: str
    summary: str
    assign_by: datetime | None
    resolve_by: datetime | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    seat_id: str
    merged_into: int | None = None
    merged_into_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, datetime):
                d[k] = v.isoformat()
        return d


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ticket_id: int
    at: datetime
    actor: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    seat: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    call_id: str
    ticket_id: int | None
    started_at: datetime | None
    ended_at: datetime | None
    seat: str
    note: str
    session_path: str | None
    transcript: tuple[dict[str, Any], ...]
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    ticket: Ticket
    reason: Literal["same_address_category", "similar_text"]
    score: float


@dataclass(frozen=True, slots=True)
class CallerHistory:
    """“This number called N times before”: tickets (and linked calls) with that phone."""

    phone: str
    count: int  # tickets with this number
    open_count: int
    call_count: int  # calls linked to those tickets (first calls and appended calls)
    last: tuple[Ticket, ...]
