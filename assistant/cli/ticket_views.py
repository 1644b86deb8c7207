"""What the `hotline tickets` commands print: the ticket and audit tables, masked values, and
the confirmation and audit row of an unmasked output (split from
:mod:`assistant.cli.ticket_cmds`). Stored text goes through
:func:`~assistant.cli.display_rich.literal` (no control characters, no markup)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import typer

from assistant.labels import (
    ACTOR_LABELS,
    AUDIT_ACTION_LABELS,
    TICKET_FIELD_LABELS,
    TICKET_STATUS_LABELS,
)

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.store import AuditEntry, Ticket, TicketStore

log = logging.getLogger("assistant.cli.ticket_cmds")


def fail(message: str, code: int = 1) -> typer.Exit:
    from rich.markup import escape

    from assistant.cli.display_rich import SafeConsole

    SafeConsole(stderr=True).print(
        f"[bold red]错误[/]: {escape(message)}", markup=True, highlight=False
    )
    return typer.Exit(code)


def local_time(ts: Any) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M") if ts is not None else ""


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def masked_value(field: str | None, value: str | None, names: tuple[str, ...]) -> str:
    from assistant.privacy import mask_name, mask_phone, mask_text

    if not value:
        return value or ""
    if field == "name":
        return mask_name(value)
    if field == "phone":
        return mask_phone(value)
    return mask_text(value, names=names, people=field != "address")


def _os_user() -> str:
    """The operating-system account running the command (the "who" of an audit row)."""
    import getpass
    import os

    try:
        return getpass.getuser()
    except Exception:  # no LOGNAME/USER and no passwd entry (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def record_unmasked(
    store: TicketStore, settings: Settings, tickets: list[Ticket], what: str
) -> None:
    """Before personal data is printed or written in clear: one audit row per ticket (OS
    user, seat), a line in the seat's log file, and a notice saying so. When the audit
    trail cannot be written nothing is output (``typer.Exit``)."""
    from rich.markup import escape

    from assistant.applog import configure_file_logging, get_logger
    from assistant.cli.display_rich import SafeConsole
    from assistant.errors import AssistantError

    user = _os_user()
    try:
        n = store.record_disclosure(
            [t.id for t in tickets], what, os_user=user, seat=settings.seat_id
        )
    except AssistantError as exc:
        raise fail(f"无法写入操作记录，未输出未脱敏信息：{exc}") from exc
    message = "UNMASKED %s: %d tickets, OS user %s, seat %s"
    log.warning(message, what, n, user, settings.seat_id)
    if configure_file_logging(settings) is not None:
        get_logger("tickets").warning(message, what, n, user, settings.seat_id)
    SafeConsole(stderr=True).print(
        f"[yellow]注意：输出包含未脱敏的个人信息（姓名、电话），已记入 {n} 条工单的操作记录"
        f"（系统用户 {escape(user)}，席位 {escape(settings.seat_id)}）。[/]",
        highlight=False,
    )


def confirm_unmasked(count: int, target: str) -> None:
    """Ask (on stderr, so an export to stdout stays clean) before an unmasked export."""
    try:
        ok = typer.confirm(
            f"将以明文导出 {count} 条工单的姓名、电话等个人信息到 {target}，并记入操作记录。确认导出？",
            default=False,
            err=True,
        )
    except typer.Abort:  # end of input: no answer is a no
        typer.echo("", err=True)
        ok = False
    if not ok:
        raise fail("未确认，未导出（脚本中可加 --yes）")


def ticket_table(t: Ticket, masked: bool) -> Any:
    from rich.table import Table

    from assistant.cli.display_rich import literal
    from assistant.privacy import mask_name, mask_phone, mask_text

    names = (t.name,) if t.name else ()
    table = Table(title=f"工单 {t.number}", show_header=False)
    table.add_column("字段", style="bold")
    table.add_column("内容", overflow="fold")
    rows = [
        ("状态", TICKET_STATUS_LABELS.get(t.status, t.status)
         + (f" → {t.merged_into_number}" if t.merged_into_number else "")),
        ("受理时间", local_time(t.created_at)),
        ("席位", t.seat_id),
        ("来电人", mask_name(t.name) if masked else t.name),
        ("电话", mask_phone(t.phone) if masked else t.phone),
        ("地址", mask_text(t.address, names=names, people=False) if masked else t.address),
        ("发生时间", t.incident_time),
        ("分类", f"{t.category_path or t.category_id} ({t.category_id})" if t.category_id else ""),
        ("承办部门", t.department),
        ("受理结论", t.verdict + (f" / {t.channel}" if t.channel else "")
         + (f" / {t.reason}" if t.reason else "")),
        ("紧急程度", t.urgency),
        ("时限", t.deadline),
        ("派单期限", local_time(t.assign_by)),
        ("办结期限", local_time(t.resolve_by)),
        ("诉求摘要", mask_text(t.summary, names=names) if masked else t.summary),
        ("办结时间", local_time(t.closed_at)),
    ]  # fmt: skip
    for k, v in rows:
        if v:
            table.add_row(k, literal(v))
    return table


def audit_table(trail: list[AuditEntry], masked: bool, names: tuple[str, ...]) -> Any:
    from rich.table import Table

    from assistant.cli.display_rich import literal

    table = Table(title="操作记录")
    for col in ("时间", "操作者", "动作", "字段", "原值", "新值", "席位"):
        table.add_column(col, overflow="fold")
    for a in trail:
        old, new = a.old_value or "", a.new_value or ""
        if masked:
            old = masked_value(a.field, old, names)
            new = masked_value(a.field, new, names)
        table.add_row(
            *map(
                literal,
                (
                    a.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    ACTOR_LABELS.get(a.actor, a.actor),
                    AUDIT_ACTION_LABELS.get(a.action, a.action),
                    TICKET_FIELD_LABELS.get(a.field or "", a.field or ""),
                    short(old, 40),
                    short(new, 40),
                    a.seat,
                ),
            )
        )
    return table
