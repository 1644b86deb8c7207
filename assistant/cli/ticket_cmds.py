"""`hotline tickets …`: list, show and export stored tickets (personal data masked by default).

``hotline tickets`` with no subcommand opens the terminal app on its tickets screen.
Heavy imports (SQLAlchemy, the store) happen inside the commands.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

log = logging.getLogger(__name__)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: the configured database_url).",
        show_default=False,
    ),
]


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape

    from assistant.cli.display_rich import SafeConsole

    SafeConsole(stderr=True).print(
        f"[bold red]错误[/]: {escape(message)}", markup=True, highlight=False
    )
    return typer.Exit(1)


def _open(db: str | None) -> tuple[TicketStore, Settings]:
    from assistant.errors import AssistantError
    from assistant.settings import load_settings
    from assistant.store import TicketStore

    try:
        settings = load_settings(database_url=db)
        store = TicketStore.open(
            settings.effective_database_url,
            seat_id=settings.seat_id,
            duplicate_window_days=settings.duplicate_window_days,
            drafts_dir=settings.drafts_dir,
        )
    except AssistantError as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:  # pydantic ValidationError of a bad config file, ...
        raise _fail(f"cannot load settings or open the ticket database: {exc}") from exc
    return store, settings


def _parse_day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD，不是 {value!r}") from exc


def _local(ts: Any) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M") if ts is not None else ""


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _masked_value(field: str | None, value: str | None, names: tuple[str, ...]) -> str:
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


def _record_unmasked(
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
        raise _fail(f"无法写入操作记录，未输出未脱敏信息：{exc}") from exc
    message = "UNMASKED %s: %d tickets, OS user %s, seat %s"
    log.warning(message, what, n, user, settings.seat_id)
    if configure_file_logging(settings) is not None:
        get_logger("tickets").warning(message, what, n, user, settings.seat_id)
    SafeConsole(stderr=True).print(
        f"[yellow]注意：输出包含未脱敏的个人信息（姓名、电话），已记入 {n} 条工单的操作记录"
        f"（系统用户 {escape(user)}，席位 {escape(settings.seat_id)}）。[/]",
        highlight=False,
    )


def _confirm_unmasked(count: int, target: str) -> None:
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
        raise _fail("未确认，未导出（脚本中可加 --yes）")


def register(app: typer.Typer, open_ui: Callable[[str], None] | None = None) -> None:
    """Add the `tickets` command group to the root app.

    ``open_ui`` opens a screen of the terminal app; the top layer (``tui.cli``) passes it in,
    so this headless module never imports the TUI. Without it, `hotline tickets` with no
    subcommand says to use `hotline tickets list`.
    """
    tickets = typer.Typer(
        name="tickets",
        help="Stored tickets: list, show with audit trail, export."
        + (
            " With no subcommand it opens the tickets screen of the terminal app."
            if open_ui
            else ""
        ),
        invoke_without_command=True,
        no_args_is_help=False,
        rich_markup_mode="rich",
    )

    @tickets.callback()
    def tickets_main(ctx: typer.Context) -> None:
        """Stored tickets (no subcommand: open the tickets screen)."""
        if ctx.invoked_subcommand is not None:
            return
        if open_ui is None:
            raise _fail(
                "the terminal app is not available in this installation; use "
                "`hotline tickets list` instead"
            )
        open_ui("tickets")

    @tickets.command("list")
    def list_cmd(
        status: Annotated[
            str | None, typer.Option("--status", help="open, closed or merged.")
        ] = None,
        search: Annotated[
            str | None,
            typer.Option(
                "--search", "-s", help="Text in number, summary, address, name, category."
            ),
        ] = None,
        phone: Annotated[
            str | None, typer.Option("--phone", help="Part of the phone number.")
        ] = None,
        category: Annotated[
            str | None, typer.Option("--category", help="Category leaf id or part of its path.")
        ] = None,
        since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD.")] = None,
        until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD.")] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N tickets.")] = 20,
        unmasked: Annotated[
            bool, typer.Option("--unmasked", help="Show names and phone numbers in clear (logged).")
        ] = False,
        db: DbOption = None,
    ) -> None:
        """List tickets, newest first (names and phone numbers masked)."""
        from rich.table import Table

        from assistant.cli.display_rich import SafeConsole as Console
        from assistant.cli.display_rich import literal
        from assistant.errors import AssistantError
        from assistant.privacy import mask_name, mask_phone, mask_text

        store, settings = _open(db)
        masked = not unmasked and settings.mask_personal_data
        try:
            rows = store.list(
                status=status,
                text=search,
                phone=phone,
                category=category,
                since=_parse_day(since, "--since"),
                until=_parse_day(until, "--until"),
                limit=limit,
            )
            if not masked and rows:
                _record_unmasked(store, settings, rows, "未脱敏查看（工单列表）")
        except AssistantError as exc:
            raise _fail(str(exc)) from exc
        finally:
            store.dispose()
        console = Console()
        if not rows:
            console.print("没有符合条件的工单。")
            return
        table = Table(title=f"工单（{len(rows)} 条）", show_lines=False)
        for col in ("工单号", "受理时间", "状态", "分类", "来电人", "电话", "地址", "诉求摘要"):
            table.add_column(col, overflow="fold")
        for t in rows:
            names = (t.name,) if t.name else ()
            table.add_row(
                *map(
                    literal,
                    (
                        t.number,
                        _local(t.created_at),
                        TICKET_STATUS_LABELS.get(t.status, t.status),
                        t.category_path.split(" > ")[-1] if t.category_path else t.category_id,
                        mask_name(t.name) if masked else t.name,
                        mask_phone(t.phone) if masked else t.phone,
                        _short(
                            mask_text(t.address, names=names, people=False)
                            if masked
                            else t.address,
                            24,
                        ),
                        _short(mask_text(t.summary, names=names) if masked else t.summary, 30),
                    ),
                )
            )
        console.print(table)

    @tickets.command("show")
    def show_cmd(
        ticket: Annotated[str, typer.Argument(help="Ticket number (12345-20261124-0007) or id.")],
        unmasked: Annotated[
            bool, typer.Option("--unmasked", help="Show names and phone numbers in clear (logged).")
        ] = False,
        db: DbOption = None,
    ) -> None:
        """Show one ticket with its linked calls and full audit trail."""
        from rich.table import Table

        from assistant.cli.display_rich import SafeConsole as Console
        from assistant.cli.display_rich import literal
        from assistant.errors import AssistantError

        store, settings = _open(db)
        masked = not unmasked and settings.mask_personal_data
        try:
            t = store.get(ticket)
            trail = store.audit(t.id)
            calls = store.calls(t.id)
            if not masked:
                _record_unmasked(store, settings, [t], "未脱敏查看（工单详情）")
        except AssistantError as exc:
            raise _fail(str(exc)) from exc
        finally:
            store.dispose()
        console = Console()
        console.print(_ticket_table(t, masked))
        if calls:
            ct = Table(title="关联来电")
            for col in ("来电编号", "开始", "结束", "席位", "备注", "录音/会话"):
                ct.add_column(col, overflow="fold")
            names = (t.name,) if t.name else ()
            for c in calls:
                ct.add_row(
                    *map(
                        literal,
                        (
                            c.call_id,
                            _local(c.started_at),
                            _local(c.ended_at),
                            c.seat,
                            _masked_value(None, c.note, names) if masked else c.note,
                            c.session_path
                            or (f"{len(c.transcript)} 句转写" if c.transcript else ""),
                        ),
                    )
                )
            console.print(ct)
        console.print(_audit_table(trail, masked, (t.name,) if t.name else ()))

    @tickets.command("export")
    def export_cmd(
        fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output file (default: standard output)."),
        ] = None,
        unmasked: Annotated[
            bool,
            typer.Option(
                "--unmasked",
                help="Export names and phone numbers in clear (asks first; recorded in each "
                "ticket's audit trail with the OS user and seat).",
            ),
        ] = False,
        yes: Annotated[
            bool,
            typer.Option(
                "--yes", "-y", help="Do not ask before an unmasked export (still recorded)."
            ),
        ] = False,
        mask_address: Annotated[
            bool,
            typer.Option("--mask-address", help="Also star house, building and room numbers."),
        ] = False,
        status: Annotated[
            str | None, typer.Option("--status", help="open, closed or merged.")
        ] = None,
        since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD.")] = None,
        until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD.")] = None,
        db: DbOption = None,
    ) -> None:
        """Export tickets to CSV or JSON (names and phone numbers masked unless --unmasked)."""
        from assistant.cli.display_rich import SafeConsole as Console
        from assistant.errors import AssistantError
        from assistant.files.export import EXPORT_FORMATS, export_tickets

        if fmt not in EXPORT_FORMATS:
            raise _fail(f"--format 应为 {' / '.join(EXPORT_FORMATS)}，不是 {fmt!r}")
        store, settings = _open(db)
        masked = not unmasked and settings.mask_personal_data
        target = str(out) if out is not None else "stdout"
        try:
            rows = store.list(
                status=status,
                since=_parse_day(since, "--since"),
                until=_parse_day(until, "--until"),
                limit=None,
            )
            if not masked:
                if unmasked and not yes:
                    _confirm_unmasked(len(rows), target)
                _record_unmasked(store, settings, rows, f"未脱敏导出 → {target}")
            n = export_tickets(
                list(reversed(rows)),  # oldest first in files
                out if out is not None else sys.stdout,
                fmt,  # type: ignore[arg-type]
                masked=masked,
                mask_address=mask_address,
                requested_by=settings.seat_id,
            )
        except AssistantError as exc:
            raise _fail(str(exc)) from exc
        finally:
            store.dispose()
        if out is not None:
            Console(stderr=True).print(
                f"已导出 {n} 条工单到 {out}（{'已脱敏' if masked else '未脱敏'}）", highlight=False
            )

    app.add_typer(tickets, name="tickets")


def _ticket_table(t: Ticket, masked: bool) -> Any:
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
        ("受理时间", _local(t.created_at)),
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
        ("派单期限", _local(t.assign_by)),
        ("办结期限", _local(t.resolve_by)),
        ("诉求摘要", mask_text(t.summary, names=names) if masked else t.summary),
        ("办结时间", _local(t.closed_at)),
    ]  # fmt: skip
    for k, v in rows:
        if v:
            table.add_row(k, literal(v))
    return table


def _audit_table(trail: list[AuditEntry], masked: bool, names: tuple[str, ...]) -> Any:
    from rich.table import Table

    from assistant.cli.display_rich import literal

    table = Table(title="操作记录")
    for col in ("时间", "操作者", "动作", "字段", "原值", "新值", "席位"):
        table.add_column(col, overflow="fold")
    for a in trail:
        old, new = a.old_value or "", a.new_value or ""
        if masked:
            old = _masked_value(a.field, old, names)
            new = _masked_value(a.field, new, names)
        table.add_row(
            *map(
                literal,
                (
                    a.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    ACTOR_LABELS.get(a.actor, a.actor),
                    AUDIT_ACTION_LABELS.get(a.action, a.action),
                    TICKET_FIELD_LABELS.get(a.field or "", a.field or ""),
                    _short(old, 40),
                    _short(new, 40),
                    a.seat,
                ),
            )
        )
    return table
