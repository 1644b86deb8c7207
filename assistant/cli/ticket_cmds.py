"""`hotline tickets …`: list, show and export stored tickets (personal data masked by default).

``hotline tickets`` with no subcommand opens the terminal app on its tickets screen.
Heavy imports (SQLAlchemy, the store) happen inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.ticket_views import (
    audit_table,
    confirm_unmasked,
    local_time,
    masked_value,
    record_unmasked,
    short,
    ticket_table,
)
from assistant.cli.ticket_views import fail as _fail
from assistant.labels import TICKET_STATUS_LABELS

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.store import TicketStore


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: the configured database_url).",
        show_default=False,
    ),
]


def _kept_files(store: TicketStore, settings: Settings) -> dict[str, list[Path]]:
    """What an export must never write over: the database file (SQLite) and the folders
    of drafts and saved sessions."""
    database = store.engine.url.database if store.backend == "sqlite" else None
    files = [Path(database)] if database and database != ":memory:" else []
    dirs = [settings.drafts_dir, settings.effective_recordings_dir]
    return {"protected_files": files, "protected_dirs": dirs}


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
                record_unmasked(store, settings, rows, "未脱敏查看（工单列表）")
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
                        local_time(t.created_at),
                        TICKET_STATUS_LABELS.get(t.status, t.status),
                        t.category_path.split(" > ")[-1] if t.category_path else t.category_id,
                        mask_name(t.name) if masked else t.name,
                        mask_phone(t.phone) if masked else t.phone,
                        short(
                            mask_text(t.address, names=names, people=False)
                            if masked
                            else t.address,
                            24,
                        ),
                        short(mask_text(t.summary, names=names) if masked else t.summary, 30),
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
                record_unmasked(store, settings, [t], "未脱敏查看（工单详情）")
        except AssistantError as exc:
            raise _fail(str(exc)) from exc
        finally:
            store.dispose()
        console = Console()
        console.print(ticket_table(t, masked))
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
                            local_time(c.started_at),
                            local_time(c.ended_at),
                            c.seat,
                            masked_value(None, c.note, names) if masked else c.note,
                            c.session_path
                            or (f"{len(c.transcript)} 句转写" if c.transcript else ""),
                        ),
                    )
                )
            console.print(ct)
        console.print(audit_table(trail, masked, (t.name,) if t.name else ()))

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
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Replace the --out file if it exists (never the database or a draft).",
            ),
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
        from assistant.errors import AssistantError, ExportTargetError
        from assistant.files.export import EXPORT_FORMATS, check_target, export_tickets

        if fmt not in EXPORT_FORMATS:
            raise _fail(f"--format 应为 {' / '.join(EXPORT_FORMATS)}，不是 {fmt!r}")
        store, settings = _open(db)
        keep = _kept_files(store, settings)
        if out is not None:  # refuse before reading anything (exit 2: a usage error)
            try:
                check_target(out, overwrite=force, **keep)
            except ExportTargetError as exc:
                store.dispose()
                raise _fail(str(exc), code=2) from exc
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
                    confirm_unmasked(len(rows), target)
                record_unmasked(store, settings, rows, f"未脱敏导出 → {target}")
            n = export_tickets(
                list(reversed(rows)),  # oldest first in files
                out if out is not None else sys.stdout,
                fmt,  # type: ignore[arg-type]
                masked=masked,
                mask_address=mask_address,
                requested_by=settings.seat_id,
                overwrite=force,
                **keep,
            )
        except ExportTargetError as exc:
            raise _fail(str(exc), code=2) from exc
        except AssistantError as exc:
            raise _fail(str(exc)) from exc
        finally:
            store.dispose()
        if out is not None:
            Console(stderr=True).print(
                f"已导出 {n} 条工单到 {out}（{'已脱敏' if masked else '未脱敏'}）", highlight=False
            )

    app.add_typer(tickets, name="tickets")
