"""Export tickets to CSV or JSON, with personal data masked by default.

Masked (the default): caller names (张三 → 张*), phone numbers (138****8000, 010-****5678),
and phone/ID numbers or the caller's name appearing inside the summary or address.
``mask_address=True`` also stars house, building and room numbers. ``masked=False`` writes
everything in clear and logs a warning (who asked is in the log record).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from assistant.errors import StoreError
from assistant.privacy import mask_address as _mask_address
from assistant.privacy import mask_name, mask_phone, mask_text
from assistant.store import Ticket

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "ExportFormat", "export_tickets", "render",
           "ticket_record"]  # fmt: skip

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "json")

#: Column order of exports (CSV header / JSON keys).
EXPORT_COLUMNS: tuple[str, ...] = (
    "number", "status", "created_at", "seat_id", "name", "phone", "address", "incident_time",
    "category_id", "category_path", "department", "deadline", "verdict", "channel", "reason",
    "urgency", "summary", "assign_by", "resolve_by", "closed_at", "merged_into",
)  # fmt: skip


def _time(value: datetime | None) -> str:
    return value.astimezone().isoformat(timespec="seconds") if value is not None else ""


def ticket_record(
    ticket: Ticket, *, masked: bool = True, mask_address: bool = False
) -> dict[str, str]:
    """One ticket as a flat dict of strings in `EXPORT_COLUMNS` order."""
    names = (ticket.name,) if ticket.name else ()
    name, phone, address, summary = ticket.name, ticket.phone, ticket.address, ticket.summary
    if masked:
        name = mask_name(name)
        phone = mask_phone(phone)
        address = mask_text(address, names=names, people=False)  # 宋庄 is a place
        summary = mask_text(summary, names=names)
    if mask_address:
        address = _mask_address(address)
    return {
        "number": ticket.number,
        "status": ticket.status,
        "created_at": _time(ticket.created_at),
        "seat_id": ticket.seat_id,
        "name": name,
        "phone": phone,
        "address": address,
        "incident_time": ticket.incident_time,
        "category_id": ticket.category_id,
        "category_path": ticket.category_path,
        "department": ticket.department,
        "deadline": ticket.deadline,
        "verdict": ticket.verdict,
        "channel": ticket.channel or "",
        "reason": ticket.reason or "",
        "urgency": ticket.urgency,
        "summary": summary,
        "assign_by": _time(ticket.assign_by),
        "resolve_by": _time(ticket.resolve_by),
        "closed_at": _time(ticket.closed_at),
        "merged_into": ticket.merged_into_number or "",
    }


def render(
    tickets: Iterable[Ticket],
    fmt: ExportFormat = "csv",
    *,
    masked: bool = True,
    mask_address: bool = False,
) -> str:
    """The export as text (CSV with header, or a JSON document)."""
    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"Unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")
    records = [ticket_record(t, masked=masked, mask_address=mask_address) for t in tickets]
    if fmt == "json":
        doc: dict[str, Any] = {
            "exported_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "masked": masked,
            "count": len(records),
            "tickets": records,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buf.getvalue()


def export_tickets(
    tickets: Sequence[Ticket],
    out: Path | str | TextIO,
    fmt: ExportFormat = "csv",
    *,
    masked: bool = True,
    mask_address: bool = False,
    requested_by: str = "",
) -> int:
    """Write tickets to a file path or text stream; returns how many were written.

    CSV files get a UTF-8 byte-order mark so spreadsheet programs show Chinese correctly.
    The file is written to a temporary name first and renamed, so a failed export never
    leaves half a file. An unmasked export is logged as a warning.
    """
    text = render(tickets, fmt, masked=masked, mask_address=mask_address)
    target = str(out) if isinstance(out, (str, Path)) else getattr(out, "name", "<stream>")
    if not masked:
        log.warning(
            "UNMASKED export of %d tickets (personal data in clear) to %s requested by %s",
            len(tickets),
            target,
            requested_by or "unknown",
        )
    if isinstance(out, (str, Path)):
        path = Path(out).expanduser()
        tmp = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            tmp.write_text(text, encoding=encoding, newline="")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(
                f"Cannot write the export to {path}: {exc.strerror or exc}. "
                "Choose a writable file with --out."
            ) from exc
    else:
        out.write(text)
    return len(tickets)
