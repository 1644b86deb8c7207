"""Export tickets to CSV or JSON, with personal data masked by default.

Masked (the default): caller names (张三 → 张*), phone numbers (138****8000, 010-****5678),
and phone/ID numbers or the caller's name appearing inside the summary or address.
``mask_address=True`` also stars house, building and room numbers. ``masked=False`` writes
everything in clear and logs a warning (who asked is in the log record).

Writing is safe for the data around it: an export never writes over an existing file
unless ``overwrite`` (``--force``) is given, and never over the ticket database (any SQLite
file), the drafts or a saved session even then (:func:`check_target`,
:class:`~assistant.errors.ExportTargetError`); the file is written atomically and private
(:func:`asr.fileio.atomic_write`: ``0600``, no half file, no temporary file left).
CSV cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) are prefixed with ``'`` (:func:`csv_cell`), whatever the ticket holds.
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

from asr.fileio import atomic_write
from assistant.errors import ExportTargetError, StoreError
from assistant.privacy import mask_address as _mask_address
from assistant.privacy import mask_name, mask_phone, mask_text
from assistant.store import Ticket

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "ExportFormat", "check_target", "csv_cell",
           "export_tickets", "render", "ticket_record"]  # fmt: skip

log = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "json")

#: Column order of exports (CSV header / JSON keys).
EXPORT_COLUMNS: tuple[str, ...] = (
    "number", "status", "created_at", "seat_id", "name", "phone", "address", "incident_time",
    "category_id", "category_path", "department", "deadline", "verdict", "channel", "reason",
    "urgency", "summary", "assign_by", "resolve_by", "closed_at", "merged_into",
)  # fmt: skip


#: First characters that make a spreadsheet cell a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def csv_cell(value: str) -> str:
    """``value`` safe for a spreadsheet: a leading formula character gets a ``'`` before it
    (shown as text, the value itself unchanged)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_target(
    out: Path | str,
    *,
    overwrite: bool = False,
    protected_files: Iterable[Path | str] = (),
    protected_dirs: Iterable[Path | str] = (),
) -> Path:
    """The export file ``out``, or :class:`ExportTargetError` when writing it could destroy
    data: an existing file without ``overwrite``; never (even with ``overwrite``) a
    ``protected_files`` entry (the database, with its ``-wal``/``-shm``/``-journal``
    files), anything inside ``protected_dirs`` (drafts, sessions), a folder, or a file
    that is an SQLite database."""
    path = Path(out).expanduser()
    real = path.resolve()  # a symlink to the database is the database
    for f in protected_files:
        base = Path(f).expanduser().resolve()
        if any(real == base.with_name(base.name + side) for side in _SQLITE_SIDE_FILES):
            raise ExportTargetError(
                f"不能导出到 {path}：这是工单库文件本身，覆盖会丢失全部工单（--force 也不行）。"
                "请换一个文件名。",
                path,
            )
    for d in protected_dirs:
        if _is_within(real, Path(d).expanduser().resolve()):
            raise ExportTargetError(
                f"不能导出到 {path}：该文件夹存放草稿或通话记录（{d}），导出文件不能放在这里"
                "（--force 也不行）。请换一个文件夹。",
                path,
            )
    if real.is_dir():
        raise ExportTargetError(f"不能导出到 {path}：这是一个文件夹，请给出文件名。", path)
    if real.exists():
        try:
            with real.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError:
            head = b""
        if head == _SQLITE_MAGIC:
            raise ExportTargetError(
                f"不能导出到 {path}：该文件是一个数据库（SQLite），覆盖会丢失其中的数据"
                "（--force 也不行）。请换一个文件名。",
                path,
            )
        if not overwrite:
            raise ExportTargetError(
                f"不能导出到 {path}：文件已存在。为避免覆盖已有数据，请换一个文件名；"
                "确认要替换它时加 --force。",
                path,
            )
    return path


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
    writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
    return buf.getvalue()


def export_tickets(
    tickets: Sequence[Ticket],
    out: Path | str | TextIO,
    fmt: ExportFormat = "csv",
    *,
    masked: bool = True,
    mask_address: bool = False,
    requested_by: str = "",
    overwrite: bool = False,
    protected_files: Iterable[Path | str] = (),
    protected_dirs: Iterable[Path | str] = (),
) -> int:
    """Write tickets to a file path or text stream; returns how many were written.

    A path is checked first (:func:`check_target`: an existing file needs ``overwrite``;
    the database and the program's own folders are never written). CSV files get a UTF-8
    byte-order mark so spreadsheet programs show Chinese correctly. The file is written
    atomically with owner-only permissions, so a failed export never leaves half a file.
    An unmasked export is logged as a warning.
    """
    if isinstance(out, (str, Path)):
        out = check_target(out, overwrite=overwrite, protected_files=protected_files,
                           protected_dirs=protected_dirs)  # fmt: skip
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
        path = out
        try:
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            atomic_write(path, text, encoding=encoding, overwrite=overwrite)
        except FileExistsError as exc:  # created meanwhile by someone else
            raise ExportTargetError(
                f"不能导出到 {path}：文件已存在。请换一个文件名，或加 --force 替换它。", path
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"Cannot write the export to {path}: {exc.strerror or exc}. "
                "Choose a writable file with --out."
            ) from exc
    else:
        out.write(text)
    return len(tickets)
