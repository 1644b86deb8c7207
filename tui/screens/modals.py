"""Modal dialogs: category picker (查字典), verdict override (改判), submit confirmation, merge
chooser, notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from assistant.labels import CHANNEL_LABELS, DEADLINE_LABELS, FIELD_LABELS, REASON_PHRASES
from knowledge.rules import EMERGENCY_CHANNELS
from knowledge.types import CHANNELS, REASONS, Leaf, Suggestion
from tui.format import pad
from tui.screens.base import QuietCursors

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from tui.restore import DraftBrief


def leaf_prompt(leaf: Leaf, note: str = "") -> Text:
    t = Text()
    t.append(leaf.path[2], style="bold")
    t.append(f"  {leaf.path[0]} > {leaf.path[1]}", style="dim")
    t.append(f"\n  {leaf.department} · {DEADLINE_LABELS.get(leaf.deadline, leaf.deadline)}")
    if note:
        t.append(f" · {note}", style="dim")
    return t


class CategoryPicker(QuietCursors, ModalScreen[str | None]):
    """Keyword search over the whole catalogue (查字典); Enter picks, Esc cancels."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消"),
        Binding("down", "focus_results", "结果列表", show=False),
    ]

    def __init__(self, catalogue: Catalogue, suggestions: Sequence[Suggestion] = ()) -> None:
        super().__init__()
        self.catalogue = catalogue
        self.suggestions = tuple(suggestions)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Label("查字典 · 选择分类", classes="dialog-title")
            yield Input(placeholder="输入关键词或拼音，如 噪音 / zaoyin / 物业", id="picker-query")
            yield OptionList(id="picker-results")
            yield Label("↑↓ 选择 · Enter 确定 · Esc 取消", classes="dialog-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#picker-query", Input).focus()

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#picker-query")
    def _submitted(self, event: Input.Submitted) -> None:
        results = self.query_one("#picker-results", OptionList)
        if results.option_count and results.highlighted is not None:
            option = results.get_option_at_index(results.highlighted)
            if option.id:
                self.dismiss(option.id)

    def _show(self, query: str) -> None:
        results = self.query_one("#picker-results", OptionList)
        results.clear_options()
        q = query.strip()
        if q:
            hits = self.catalogue.search_keyword(q, limit=30)
            for hit in hits:
                results.add_option(
                    Option(leaf_prompt(hit.leaf, f"匹配 {hit.matched}"), id=hit.leaf.id)
                )
            if not hits:
                results.add_option(
                    Option(Text("没有匹配的分类，换个说法试试", style="dim"), disabled=True)
                )
        else:
            seen: set[str] = set()
            for s in self.suggestions:
                seen.add(s.leaf.id)
                results.add_option(Option(leaf_prompt(s.leaf, "建议"), id=s.leaf.id))
            for leaf in self.catalogue.leaves:
                if leaf.id not in seen:
                    results.add_option(Option(leaf_prompt(leaf), id=leaf.id))
        if results.option_count:
            results.highlighted = 0

    @on(OptionList.OptionSelected, "#picker-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    def action_focus_results(self) -> None:
        self.query_one("#picker-results", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


def verdict_choices() -> list[tuple[str, str]]:
    """(choice id, label) of every verdict the call-taker can give: ``accept``,
    ``refer:<channel>`` (the emergency numbers first), ``decline:<reason>``."""
    rows = [("accept", "受理（派单）")]
    rows += [(f"refer:{c}", f"转 {CHANNEL_LABELS.get(c, c)}") for c in EMERGENCY_CHANNELS]
    rows += [
        (f"refer:{c}", f"引导至 {CHANNEL_LABELS.get(c, c)}")
        for c in CHANNELS
        if c not in EMERGENCY_CHANNELS
    ]
    rows += [(f"decline:{r}", f"不予受理：{REASON_PHRASES.get(r, r)}") for r in REASONS]
    return rows


def parse_verdict_choice(choice: str) -> tuple[str, str | None, str | None]:
    """``refer:110`` -> (refer, 110, None); ``decline:superstition`` -> (decline, None, ...)."""
    verdict, _, detail = choice.partition(":")
    if verdict == "refer":
        return verdict, detail or None, None
    if verdict == "decline":
        return verdict, None, detail or None
    return verdict, None, None


class VerdictPicker(QuietCursors, ModalScreen[str | None]):
    """改判: the call-taker's verdict for the call (the current one is marked); Enter picks."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, current: str = "accept", why: str = "") -> None:
        super().__init__()
        self.current = current  # choice id of the call's verdict now
        self.why = why

    def compose(self) -> ComposeResult:
        options = []
        for key, text in verdict_choices():
            prompt = Text(text, style="bold" if key == self.current else "")
            if key == self.current:
                prompt.append("  （当前）", style="dim")
            options.append(Option(prompt, id=key))
        with Vertical(id="verdict", classes="dialog"):
            yield Label("改判 · 本次来电的受理结论", classes="dialog-title")
            if self.why:
                yield Static(Text(self.why, style="dim"), id="verdict-why")
            yield OptionList(*options, id="verdict-list")
            yield Label(
                "↑↓ 选择 · Enter 确定 · Esc 取消（改判记入工单审计）", classes="dialog-hint"
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#verdict-list", OptionList)
        ids = [key for key, _ in verdict_choices()]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmSubmit(QuietCursors, ModalScreen[bool]):
    """Explicit confirmation: the read-back of the ticket, then 确认提交 or 返回修改."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "确认提交", priority=True),
        Binding("escape", "cancel", "返回修改"),
    ]

    def __init__(self, values: dict[str, str], readback: str, warnings: Sequence[str] = ()) -> None:
        super().__init__()
        self.values = values
        self.readback = readback
        self.warnings = tuple(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label("提交前复述确认", classes="dialog-title")
            table = Text()
            for name, label in FIELD_LABELS.items():
                table.append(pad(label, 10), style="bold")
                table.append((self.values.get(name) or "—") + "\n")
            yield Static(table, id="confirm-fields")
            yield Static(
                Text("请向来电人复述：\n", style="bold").append(self.readback, style=""),
                id="confirm-readback",
            )
            for w in self.warnings:
                yield Static(Text("⚠ " + w), classes="dialog-warning")
            with Horizontal(classes="dialog-buttons"):
                yield Button("确认提交 (Enter)", id="yes", variant="success")
                yield Button("返回修改 (Esc)", id="no")
        yield Footer(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ChooseTicket(QuietCursors, ModalScreen[str | None]):
    """Pick one ticket from a list (duplicates to merge into, caller history)."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, rows: Sequence[tuple[str, Text | str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = tuple(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="choose", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.rows], id="choose-list")
            yield Label("↑↓ 选择 · Enter 确定 · Esc 取消", classes="dialog-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#choose-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageBox(QuietCursors, ModalScreen[None]):
    """Show a longer text (score report, ticket detail); any of Enter/Esc closes."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "关闭"),
        Binding("enter", "close", "关闭", show=False),
    ]

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="message", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, id="message-body")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)


class NotesEditor(QuietCursors, ModalScreen[str | None]):
    """Reviewer notes: Ctrl+S saves, Esc discards."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "cancel", "放弃"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="notes", classes="dialog"):
            yield Label("质检备注", classes="dialog-title")
            yield TextArea(self.text, id="notes-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#notes-text", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#notes-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RestoreDraft(QuietCursors, ModalScreen[str | None]):
    """A call left unfinished by a crash: 恢复 (Enter / r) or 放弃 (d); Esc decides later.

    Dismissed with ``"restore"``, ``"discard"`` or None (keep the draft, start a new call).
    """

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "restore", "恢复", priority=True),
        Binding("r", "restore", "恢复", show=False),
        Binding("d", "discard", "放弃"),
        Binding("escape", "later", "稍后处理"),
    ]

    def __init__(self, brief: DraftBrief, remaining: int = 0) -> None:
        super().__init__()
        self.brief = brief
        self.remaining = remaining

    @property
    def summary(self) -> Text:
        b = self.brief
        t = Text()
        t.append("时间：", style="bold")
        t.append(f"{b.started}\n")
        t.append("来电人：", style="bold")
        t.append(f"{b.name or '（未记录）'}\n")
        t.append("电话：", style="bold")
        t.append(f"{b.phone_masked or '（未记录）'}\n")
        t.append("已转写：", style="bold")
        t.append(f"{b.n_events} 句")
        if b.last_text:
            t.append(f"\n最后一句：{b.last_text[:40]}", style="dim")
        if b.problems:
            t.append(f"\n{b.problems}", style="bold yellow")
        return t

    def compose(self) -> ComposeResult:
        with Vertical(id="restore", classes="dialog"):
            yield Label("发现未完成的通话记录", classes="dialog-title")
            yield Static(self.summary, id="restore-summary")
            if self.remaining:
                yield Static(
                    Text(f"另有 {self.remaining} 条未完成记录，处理后依次显示", style="dim")
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("恢复 (Enter)", id="restore-yes", variant="success")
                yield Button("放弃 (D)", id="restore-no", variant="error")
            yield Label("Esc 暂不处理（记录保留，下次启动再提示）", classes="dialog-hint")
        yield Footer(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss("restore" if event.button.id == "restore-yes" else "discard")

    def action_restore(self) -> None:
        self.dismiss("restore")

    def action_discard(self) -> None:
        self.dismiss("discard")

    def action_later(self) -> None:
        self.dismiss(None)
