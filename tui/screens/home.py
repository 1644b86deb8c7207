"""Home screen: pick what to do (live call, practice, review, tickets)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from assistant.files.drafts import DraftInfo
from tui.context import AppContext
from tui.format import error_text
from tui.messages import EngineReady, WorkerFailed
from tui.restore import unfinished_drafts
from tui.screens.base import QuietCursors
from tui.screens.restore_prompt import OffersRestore

MENU = (
    ("live", "接听来电", "实时转写、分类建议、填写并提交工单", "L"),
    ("practice", "培训练习", "用录音练习接听，结束后与参考工单对比评分", "P"),
    ("review", "质检回放", "回放已保存的通话，查看当时的建议与质检评分", "R"),
    ("tickets", "工单管理", "查询、筛选工单，查看审计记录，合并重复工单", "T"),
)


class HomeScreen(QuietCursors, OffersRestore):
    CSS_PATH = "home.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "open('live')", "接听来电"),
        Binding("p", "open('practice')", "培训练习"),
        Binding("r", "open('review')", "质检回放"),
        Binding("t", "open('tickets')", "工单管理"),
        Binding("q", "app.quit", "退出"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static(Text("12345 政务服务便民热线 · 话务助手", style="bold"), id="home-title")
            yield Static(
                Text("全程离线 · 键盘操作 · 按字母键或 ↑↓ Enter 选择", style="dim"), id="home-sub"
            )
            yield OptionList(
                *[
                    Option(Text.assemble((f"[{key}] {title}", "bold"), f"\n    {desc}"), id=name)
                    for name, title, desc, key in MENU
                ],
                id="home-menu",
            )
            yield Static("", id="home-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#home-menu", OptionList).focus()
        self._show_status()
        if getattr(self.app, "start_screen", "home") == "home":  # else that screen asks
            drafts = unfinished_drafts(self.ctx.settings.drafts_dir)
            if drafts:
                self.offer_restore(drafts)

    # ---- crash restore: offer the calls a crash left unfinished -----------------------------
    def restore_chosen(self, info: DraftInfo) -> None:
        screen: Any = self.app.build_screen("live")  # type: ignore[attr-defined]
        screen.restore_from = info
        self.app.push_screen(screen)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(error_text(message.where, message.error), severity="error", timeout=8)

    def on_engine_ready(self, _message: EngineReady) -> None:
        self._show_status()

    def _show_status(self) -> None:
        s = self.ctx.settings
        if self.ctx.engine_error:
            kb = f"知识库加载失败：{self.ctx.engine_error}"
        elif self.ctx.engine_ready:
            kb = "知识库已就绪"
        else:
            kb = "知识库加载中…"
        self.query_one("#home-status", Static).update(
            Text(f"{kb} · 座席 {s.seat_id} · 识别引擎设置 {s.asr_engine}", style="dim")
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_open(event.option.id)

    def action_open(self, name: str) -> None:
        self.app.open_screen(name)  # type: ignore[attr-defined]
