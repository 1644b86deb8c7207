"""Call list: choose a recorded call for practice or review."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from assistant.files.recordings import call_title, find_calls
from tui.context import AppContext
from tui.screens.base import QuietCursors


def call_label(folder: Path) -> Text:
    t = Text()
    t.append(call_title(folder), style="bold")
    name = folder.parent.name if folder.name == "session" else folder.name
    t.append(f"  {name}", style="dim")
    has_ref = any((folder / n).is_file() for n in ("reference_ticket.json", "reference.json"))
    t.append("  有参考工单" if has_ref else "", style="#87d787")
    return t


class CallListScreen(QuietCursors, Screen[None]):
    CSS_PATH = "pickers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "app.pop_screen", "返回"),
        Binding("escape", "app.pop_screen", "返回", show=False),
    ]

    def __init__(self, ctx: AppContext, *, purpose: str, folders: list[Path]) -> None:
        super().__init__()
        self.ctx = ctx
        self.purpose = purpose
        self.folders = folders
        # trainees practise on calls, not on each other's practice runs (those are reviewed)
        skip = frozenset({"practice"}) if purpose == "practice" else frozenset()
        self.calls = find_calls(*folders, skip_sources=skip)

    def compose(self) -> ComposeResult:
        title = "培训练习 · 选择录音" if self.purpose == "practice" else "质检回放 · 选择通话"
        yield Static(title, id="screen-title")
        if self.calls:
            yield OptionList(
                *[Option(call_label(c), id=str(c)) for c in self.calls], id="call-list"
            )
        else:
            where = "、".join(str(f) for f in self.folders)
            yield Static(f"没有找到录音（查找位置：{where}）", id="call-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.calls:
            self.query_one("#call-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.pop_screen()
            self.app.open_screen(self.purpose, event.option.id)  # type: ignore[attr-defined]
