"""Live call screen (通话): transcript, suggestions, guidance, scripts, ticket form.

The screen lays out and renders the call and turns user intent into controller calls; the
workflow itself (session thread, crash journal, saved session, store) is the
:class:`~tui.controller.CallController`'s. The call-taker's actions live in the base classes
:class:`~tui.screens.live_actions.CallActions` and (the verdict: its cause, the override)
:class:`~tui.screens.live_verdict.VerdictActions`, the offer to restore an unfinished call in
:class:`~tui.screens.restore_prompt.OffersRestore`. Widgets only show what they are given and
report user intent as messages.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from asr.events import TranscriptEvent
from assistant.files.drafts import DraftInfo
from assistant.store import TicketDraft
from tui.context import AppContext
from tui.controller import CallController, CallListener, CallSetup
from tui.feeds import EventFeed, FeedCallbacks, StaticFeed
from tui.format import (
    clock_text,
    deadline_due,
    due_text,
    error_brief,
    error_text,
    form_readback,
    form_values,
    leaf_for_state,
    semantic_state,
)
from tui.messages import (
    EngineReady,
    FeedEnded,
    FeedPosition,
    FeedStatus,
    SessionRestored,
    StateChanged,
    TranscriptArrived,
    WorkerFailed,
)
from tui.restore import unfinished_drafts
from tui.runner import SessionRunner
from tui.screens.base import QuietCursors
from tui.screens.live_actions import CallActions, draft_problems
from tui.screens.live_verdict import VerdictActions
from tui.screens.restore_prompt import OffersRestore
from tui.widgets.guidance import EmergencyBanner, ReferralBanner, ScriptsPanel
from tui.widgets.status import StatusBar
from tui.widgets.suggestions import SuggestionList
from tui.widgets.ticket_form import TicketForm
from tui.widgets.transcript import TranscriptView


class LiveScreen(QuietCursors, OffersRestore, VerdictActions, CallActions):
    """One call, from the first words to the submitted ticket."""

    CSS_PATH = "live.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "pick_category", "查字典"),
        Binding("f3", "adopt_top", "采纳建议"),
        Binding("f4", "confirm_field", "确认本项"),
        Binding("f6", "confirm_all", "全确认"),
        Binding("f7", "show_cause", "看依据"),
        Binding("f8", "merge", "并入旧单"),
        Binding("f9", "override_verdict", "改判"),
        Binding("ctrl+s", "submit", "提交", priority=True),
        Binding("ctrl+l", "focus_transcript", "看转写", show=False),
        Binding("end", "follow_transcript", "跳到最新", show=False),
        Binding("f10", "leave", "返回"),
    ]

    mode = "live"

    def __init__(
        self,
        ctx: AppContext,
        feed: EventFeed | None = None,
        *,
        title: str = "接听来电",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.ctx = ctx
        self.feed: EventFeed = feed or StaticFeed()
        self.title_text = title
        self.controller = CallController(
            ctx,
            self.feed,
            CallListener(
                on_state=lambda st: self.post_message(StateChanged(st)),
                on_error=lambda where, exc: self.post_message(WorkerFailed(where, exc)),
                on_restored=lambda call_id, evs: self.post_message(SessionRestored(call_id, evs)),
            ),
        )
        self.state = None
        self.leaf = None
        self.events: list[TranscriptEvent] = []
        self.duplicates = []
        self.history = []
        self.caller_counts = (0, 0)
        self.submitted_number = None
        self.submit_attempted = False
        self.recognition_status = "准备中"
        self._dup_key = ()
        self._started = ctx.clock()
        self._semantic_was_ready: bool | None = None
        self.restore_from: DraftInfo | None = None  # the draft chosen for restore

    @property
    def runner(self) -> SessionRunner | None:
        """The session thread (None until the call starts)."""
        return self.controller.runner

    @property
    def call_started(self) -> bool:
        return self.controller.started

    @property
    def session_path(self) -> str | None:
        """The folder this call is saved in (None when it is not saved)."""
        return self.controller.session_path

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="screen-title")
        yield EmergencyBanner(id="emergency")
        yield ReferralBanner(id="referral")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield TranscriptView(id="transcript")
                yield ScriptsPanel(id="scripts")
            with Vertical(id="right"):
                yield SuggestionList(id="suggestions")
                yield TicketForm(id="form")
        yield Static("", id="notice")
        yield from self.compose_bars()
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def compose_bars(self) -> ComposeResult:
        """Extra bars above the status bar (practice: transport controls)."""
        return iter(())

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.query_one("#emergency").display = False
        self.query_one("#referral").display = False
        self.query_one("#notice").display = False
        self.status.engine = self.feed.engine_name or ""
        self.status.recognition = self.feed.description or "准备中"
        self._refresh_knowledge_status()
        self._render_state()
        self.set_interval(1.0, self._tick)
        self.query_one(TicketForm).query_one("#f-name").focus()
        drafts = (
            unfinished_drafts(self.ctx.settings.drafts_dir)
            if self.mode == "live" and self.restore_from is None  # (home already asked)
            else []
        )
        if drafts:
            self.status.recognition = "等待处理未完成的通话记录"
            self.offer_restore(drafts)
        else:
            self.start_call()

    # ---- crash restore -----------------------------------------------------------------------
    def restore_chosen(self, info: DraftInfo) -> None:
        self.restore_from = info
        self.start_call()

    def restore_settled(self) -> None:
        self.start_call()

    def on_session_restored(self, message: SessionRestored) -> None:
        view = self.query_one(TranscriptView)
        for ev in message.events:
            view.add(ev)
        if message.events:
            self.notify(f"已恢复通话记录（{len(message.events)} 句），继续记录", timeout=4)
        self._start_feed()

    # ---- the call ------------------------------------------------------------------------------
    def call_setup(self) -> CallSetup:
        """What kind of call this is (practice: a run over a recording)."""
        return CallSetup(mode="live", title=self.title_text)

    def start_call(self) -> None:
        """Start the session thread and the feed (once)."""
        if self.call_started:
            return
        self.status.recognition = self.feed.description or "准备中"
        self.controller.start(self.call_setup(), self.restore_from)
        if self.restore_from is None:
            self._start_feed()
        # (else the feed starts once the restored transcript is on screen, in order)
        self._check_semantic()  # remember whether the embedding model is still loading

    def _start_feed(self) -> None:
        self.feed.start(
            FeedCallbacks(
                on_event=lambda ev: self.post_message(TranscriptArrived(ev)),
                on_status=lambda text: self.post_message(FeedStatus(text)),
                on_end=lambda: self.post_message(FeedEnded()),
                on_error=lambda exc: self.post_message(WorkerFailed("语音识别", exc)),
                on_position=lambda pos: self.post_message(FeedPosition(pos)),
            )
        )

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        self.feed.stop()
        self.controller.shutdown()

    # ---- data in ----------------------------------------------------------------------------
    def on_transcript_arrived(self, message: TranscriptArrived) -> None:
        ev = message.event
        self.events.append(ev)
        self.query_one(TranscriptView).add(ev)
        if self.submitted_number is None:
            self.controller.feed_event(ev)

    def on_state_changed(self, message: StateChanged) -> None:
        self.state = message.state
        self._render_state()
        self._show_notice()
        self._maybe_check_duplicates()

    def on_feed_status(self, message: FeedStatus) -> None:
        self.recognition_status = message.text
        self.status.recognition = message.text
        self.status.engine = self.feed.engine_name or ""
        reason = getattr(self.feed, "engine_reason", "")
        if reason:  # the status bar says which engine; hovering it says why
            self.status.tooltip = f"识别引擎：{reason}"

    def on_feed_ended(self, _message: FeedEnded) -> None:
        self.status.recognition = "录音已结束"

    def on_engine_ready(self, _message: EngineReady) -> None:
        self._check_semantic()
        self._refresh_knowledge_status()
        self._render_state()

    def on_worker_failed(self, message: WorkerFailed) -> None:
        text = error_text(message.where, message.error)
        from assistant.applog import get_logger

        get_logger("live").warning("%s (%s)", text, type(message.error).__name__)
        if message.where == "语音识别":
            self.status.recognition = "识别已停止"
        self.status.note = error_brief(message.where, message.error)
        self.notify(text, title="出错", severity="error", timeout=8)

    def _tick(self) -> None:
        elapsed = (self.ctx.clock() - self._started).total_seconds()
        self.status.elapsed = clock_text(elapsed)
        tap = getattr(self.feed, "audio_tap", None)
        self.status.recording = bool(tap is not None and tap.sink is not None)
        self._check_semantic()
        self._refresh_knowledge_status()

    def _check_semantic(self) -> None:
        """When the embedding model finished loading, re-run the analysis once."""
        if not self.ctx.engine_ready:
            return
        ready = bool(getattr(self.ctx.engine, "semantic_ready", True))
        if self._semantic_was_ready is False and ready and self.submitted_number is None:
            self.controller.refresh()
        self._semantic_was_ready = ready

    @property
    def semantic_loading(self) -> bool:
        """True while the engine is still loading its embedding model (not when embeddings
        are switched off or failed to load)."""
        return self.ctx.engine_ready and semantic_state(self.ctx.engine) == "loading"

    def _refresh_knowledge_status(self) -> None:
        if self.ctx.engine_error:
            self.status.knowledge = "知识库加载失败"
        elif not self.ctx.engine_ready:
            self.status.knowledge = "知识库加载中…"
        elif self.semantic_loading:
            self.status.knowledge = "语义模型加载中…（关键词建议可用）"
        elif semantic_state(self.ctx.engine) == "failed":
            self.status.knowledge = "语义模型加载失败（仅关键词匹配）"
        elif self.state is not None and not self.state.semantic_ready:
            self.status.knowledge = "仅关键词匹配（未用语义模型）"
        else:
            self.status.knowledge = "语义模型就绪"

    # ---- rendering (data down) ----------------------------------------------------------
    def _render_state(self) -> None:
        state = self.state
        self.leaf = leaf_for_state(self.catalogue, state)
        self.query_one(EmergencyBanner).show_state(state)
        self.query_one(ReferralBanner).show_state(state)
        self.query_one(SuggestionList).show_state(
            state,
            engine_loading=not self.ctx.engine_ready,
            semantic_loading=self.semantic_loading,
        )
        self.form.show_state(state, self.leaf)
        values = form_values(state, self.leaf)
        readback = (
            form_readback(self.ctx.engine, state, values)
            if state is not None and (values.get("summary") or values.get("address"))
            else None
        )
        self.query_one(ScriptsPanel).show_state(
            state, readback=readback, submitted=self.submitted_number is not None
        )
        self.status.due = self._due_text()
        self._refresh_knowledge_status()
        self._show_validation()

    def _due_text(self) -> str:
        state = self.state
        if state is not None and state.due is not None:
            return due_text(state.due)
        if self.leaf is not None:
            due = deadline_due(self._started, self.leaf.deadline)
            return (
                due_text(None).replace("—", "") + f"{self.leaf.deadline} · {due:%m-%d %H:%M} 前办结"
            )
        return due_text(None)

    def _show_validation(self) -> None:
        if self.state is None:
            self.form.show_errors([])
            return
        try:
            errors = draft_problems(TicketDraft.from_session_state(self.state))
        except Exception as exc:  # the store module may be missing in a trimmed install
            errors = [("summary", f"无法校验：{exc}")]
        if not self.submit_attempted:
            values = form_values(self.state, self.leaf)
            errors = [(f, m) for f, m in errors if values.get(f)]  # only what was filled wrongly
        self.form.show_errors(errors)

    def action_focus_transcript(self) -> None:
        self.query_one(TranscriptView).focus()

    def action_follow_transcript(self) -> None:
        self.query_one(TranscriptView).scroll_end(animate=False)

    def action_leave(self) -> None:
        self.shutdown()
        self.app.pop_screen()
