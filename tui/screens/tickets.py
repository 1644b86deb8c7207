"""Tickets screen (工单管理): list, filter and search; open one with its audit trail;
merge duplicates. Every store call runs in a thread worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from assistant.labels import (
    ACTOR_LABELS,
    AUDIT_ACTION_LABELS,
    CHANNEL_LABELS,
    DEADLINE_LABELS,
    REASON_LABELS,
    TICKET_FIELD_LABELS,
    TICKET_STATUS_LABELS,
    URGENCY_LABELS,
    VERDICT_LABELS,
)
from tui.context import AppContext
from tui.format import TicketBrief, match_briefs, ticket_brief, ticket_briefs
from tui.messages import WorkerFailed
from tui.screens.base import QuietCursors
from tui.screens.modals import ChooseTicket

if TYPE_CHECKING:
    from assistant.store import AuditEntry, CallRecord, Ticket

STATUS_OPTIONS = [("全部状态", ""), ("办理中", "open"), ("已办结", "closed"), ("已合并", "merged")]
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "verdict": VERDICT_LABELS, "urgency": URGENCY_LABELS, "channel": CHANNEL_LABELS,
    "reason": REASON_LABELS, "deadline": DEADLINE_LABELS, "status": TICKET_STATUS_LABELS,
}  # fmt: skip


class TicketsLoaded(Message):
    def __init__(self, tickets: list[Ticket]) -> None:
        super().__init__()
        self.tickets = tickets


class TicketDetailLoaded(Message):
    def __init__(self, ticket: Ticket, audit: list[AuditEntry], calls: list[CallRecord]) -> None:
        super().__init__()
        self.ticket = ticket
        self.audit = audit
        self.calls = calls


class TicketsScreen(QuietCursors, Screen[None]):
    CSS_PATH = "tickets.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "搜索"),
        Binding("f5", "reload", "刷新"),
        Binding("f7", "merge", "合并重复"),
        Binding("f10", "app.pop_screen", "返回"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tickets: list[Ticket] = []
        self.selected: Ticket | None = None
        self.audit: list[AuditEntry] = []

    def compose(self) -> ComposeResult:
        yield Static("工单管理", id="screen-title")
        with Horizontal(id="filters"):
            yield Input(
                placeholder="搜索 工单号/摘要/地址/姓名/分类（Enter）", id="search", compact=True
            )
            yield Input(placeholder="电话", id="phone-filter", compact=True)
            yield Select(
                STATUS_OPTIONS, value="", allow_blank=False, id="status-filter", compact=True
            )
        with Horizontal(id="body"):
            yield DataTable(id="ticket-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail"):
                yield Static(Text("选择工单查看详情与审计记录", style="dim"), id="detail-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#ticket-table", DataTable)
        for label, width in (("工单号", 20), ("状态", 6), ("创建", 11), ("分类", 14), ("地址", 20)):
            table.add_column(label, width=width)
        table.focus()
        self.action_reload()

    # ---- loading ---------------------------------------------------------------------------
    def action_reload(self) -> None:
        text = self.query_one("#search", Input).value.strip() or None
        phone = self.query_one("#phone-filter", Input).value.strip() or None
        status = self.query_one("#status-filter", Select).value
        self._load(text, phone, status if isinstance(status, str) and status else None)

    @work(thread=True, exclusive=True, group="tickets")
    def _load(self, text: str | None, phone: str | None, status: str | None) -> None:
        try:
            tickets = self.ctx.get_store().list(text=text, phone=phone, status=status, limit=200)
        except Exception as exc:
            self.post_message(WorkerFailed("读取工单", exc))
            return
        self.post_message(TicketsLoaded(list(tickets)))

    def on_tickets_loaded(self, message: TicketsLoaded) -> None:
        self.tickets = message.tickets
        table = self.query_one("#ticket-table", DataTable)
        table.clear()
        for t in self.tickets:
            b = ticket_brief(t)
            table.add_row(
                b.number,
                TICKET_STATUS_LABELS.get(b.status, b.status),
                b.created[5:16] if len(b.created) >= 16 else b.created,
                (t.category_path or "").split(" > ")[-1],
                b.address[:18],
                key=b.key,
            )
        self.query_one("#screen-title", Static).update(f"工单管理 · 共 {len(self.tickets)} 张")
        if self.tickets:
            self._open(self.tickets[0])

    @on(Input.Submitted)
    def _search(self, _event: Input.Submitted) -> None:
        self.action_reload()
        self.query_one("#ticket-table", DataTable).focus()

    @on(Select.Changed, "#status-filter")
    def _status(self, _event: Select.Changed) -> None:
        self.action_reload()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    # ---- detail ----------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#ticket-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        ticket = next((t for t in self.tickets if str(t.id) == key), None)
        if ticket is not None and ticket is not self.selected:
            self._open(ticket)

    def _open(self, ticket: Ticket) -> None:
        self.selected = ticket
        self._load_detail(ticket)

    @work(thread=True, exclusive=True, group="detail")
    def _load_detail(self, ticket: Ticket) -> None:
        try:
            store = self.ctx.get_store()
            audit = list(store.audit(ticket.id))
            calls = list(store.calls(ticket.id))
        except Exception as exc:
            self.post_message(WorkerFailed("读取审计记录", exc))
            return
        self.post_message(TicketDetailLoaded(ticket, audit, calls))

    def on_ticket_detail_loaded(self, message: TicketDetailLoaded) -> None:
        if message.ticket is not self.selected:
            return
        self.audit = message.audit
        self.query_one("#detail-body", Static).update(
            detail_renderable(message.ticket, message.audit, message.calls)
        )

    # ---- merge -----------------------------------------------------------------------------
    def action_merge(self) -> None:
        dup = self.selected
        if dup is None:
            self.notify("先选择要合并的工单", severity="warning")
            return
        if dup.status == "merged":
            self.notify(f"工单 {dup.number} 已经合并过", severity="warning")
            return
        self._find_merge_targets(dup)

    @work(thread=True, exclusive=True, group="merge")
    def _find_merge_targets(self, dup: Ticket) -> None:
        try:
            from assistant.store import TicketDraft

            store = self.ctx.get_store()
            matches = store.find_duplicates(TicketDraft.from_dict(dup.to_dict()))
            candidates = [m for m in match_briefs(matches) if m.key != str(dup.id)]
            if not candidates:
                others = store.list(status="open", limit=30)
                candidates = [b for b in ticket_briefs(others) if b.key != str(dup.id)]
        except Exception as exc:
            self.post_message(WorkerFailed("查找可合并工单", exc))
            return
        self.app.call_from_thread(self._choose_merge_target, dup, candidates)

    def _choose_merge_target(self, dup: Ticket, candidates: list[TicketBrief]) -> None:
        if not candidates:
            self.notify("没有可合并的目标工单", severity="warning")
            return
        rows = []
        for c in candidates:
            label = Text()
            label.append(c.number, style="bold")
            if c.reason:
                label.append(f"  {c.reason}", style="#ffaf00")
            label.append(f"\n  {c.category}\n  {c.address} · {c.summary[:30]}", style="dim")
            rows.append((c.key, label))

        def chosen(key: str | None) -> None:
            if key:
                self._merge(dup.id, int(key) if key.isdigit() else key)

        self.app.push_screen(ChooseTicket(f"把工单 {dup.number} 合并到：", rows), chosen)

    @work(thread=True, exclusive=True, group="merge")
    def _merge(self, dup_id: int, into_id: int | str) -> None:
        try:
            ticket = self.ctx.get_store().merge(dup_id, into_id, seat=self.ctx.settings.seat_id)
        except Exception as exc:
            self.post_message(WorkerFailed("合并工单", exc))
            return
        self.app.call_from_thread(
            self.notify, f"工单 {ticket.number} 已合并到 {ticket.merged_into_number or into_id}"
        )
        self.app.call_from_thread(self.action_reload)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(f"{message.where}出错：{message.error}", severity="error", timeout=8)


def detail_renderable(ticket: Ticket, audit: list[AuditEntry], calls: list[CallRecord]) -> Table:
    """Ticket fields, linked calls and the audit trail as one Rich table."""
    outer = Table.grid(padding=(0, 1))
    outer.add_column()
    head = Text()
    head.append(f"{ticket.number}", style="bold")
    head.append(f"  {TICKET_STATUS_LABELS.get(ticket.status, ticket.status)}")
    if ticket.merged_into_number:
        head.append(f" → {ticket.merged_into_number}", style="#ffaf00")
    outer.add_row(head)
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="dim", width=8)
    fields.add_column(ratio=1)
    rows = [
        ("来电人", ticket.name), ("电话", ticket.phone), ("地址", ticket.address),
        ("发生时间", ticket.incident_time), ("分类", ticket.category_path),
        ("承办", f"{ticket.department} · {DEADLINE_LABELS.get(ticket.deadline, ticket.deadline)}"),
        ("受理", verdict_text(ticket)), ("紧急", URGENCY_LABELS.get(ticket.urgency, ticket.urgency)),
        ("摘要", ticket.summary), ("座席", ticket.seat_id),
        ("办结期限", ticket.resolve_by.astimezone().strftime("%Y-%m-%d %H:%M")
         if ticket.resolve_by else "—"),
    ]  # fmt: skip
    for label, value in rows:
        fields.add_row(label, str(value or "—"))
    outer.add_row(fields)
    outer.add_row(Text(f"关联来电 {len(calls)} 次", style="bold"))
    outer.add_row(Text("审计记录", style="bold"))
    trail = Table(
        show_header=True, header_style="dim", box=None, padding=(0, 1), pad_edge=False, expand=True
    )
    trail.add_column("时间", width=11)
    trail.add_column("谁", width=6)
    trail.add_column("动作", width=8)
    # fold: CJK text and ticket numbers have no spaces to wrap at; never cut them off
    trail.add_column("内容", ratio=1, overflow="fold")
    for a in audit:
        trail.add_row(
            a.at.astimezone().strftime("%m-%d %H:%M"),
            ACTOR_LABELS.get(a.actor, a.actor),
            AUDIT_ACTION_LABELS.get(a.action, a.action),
            audit_text(a, ticket),
        )
    outer.add_row(trail)
    return outer


def verdict_text(ticket: Ticket) -> str:
    """``受理`` / ``转办/引导 110 报警`` / ``不予受理 涉及封建迷信``."""
    verdict = VERDICT_LABELS.get(ticket.verdict, ticket.verdict or "")
    extra = ""
    if ticket.channel:
        extra = CHANNEL_LABELS.get(ticket.channel, ticket.channel)
    elif ticket.reason:
        extra = REASON_LABELS.get(ticket.reason, ticket.reason)
    return f"{verdict} {extra}".strip()


def audit_value(field: str | None, value: str | None, ticket: Ticket) -> str:
    """One audit value in Chinese: codes via the label dicts; the ticket's own leaf id as
    its catalogue path (other leaf ids stay ids, the ticket only knows its own path)."""
    if not value:
        return ""
    if field in ("category", "category_id"):
        if value == ticket.category_id and ticket.category_path:
            return str(ticket.category_path)
        return value
    labels = _VALUE_LABELS.get(field or "")
    if labels is None:
        return value
    if field == "status" and ": " in value:  # "closed: note" from close()/reopen()
        code, note = value.split(": ", 1)
        return f"{labels.get(code, code)}：{note}"
    return labels.get(value, value)


def audit_text(entry: AuditEntry, ticket: Ticket) -> str:
    """``分类 城市管理 > 市容环境 > 占道经营`` / ``紧急程度 一般 → 加急``."""
    what = TICKET_FIELD_LABELS.get(entry.field, entry.field) if entry.field else ""
    new = audit_value(entry.field, entry.new_value, ticket)
    change = new
    if entry.old_value and entry.old_value != entry.new_value:
        change = f"{audit_value(entry.field, entry.old_value, ticket)} → {new or '—'}"
    return f"{what} {change}".strip()
