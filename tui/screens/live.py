"""Live call screen (通话): transcript, suggestions, guidance, scripts, ticket form.

The screen coordinates: it owns the feed (recognition or replay), the SessionRunner (all
session analysis off the UI thread), and the store workers. Widgets only show what they
are given and report user intent as messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from asr.events import TranscriptEvent
from assistant.state import TICKET_FIELDS, SessionState
from knowledge.types import Leaf
from tui import backend
from tui.context import AppContext
from tui.feeds import EventFeed, FeedCallbacks, StaticFeed
from tui.format import (
    FIELD_LABELS,
    clock_text,
    deadline_due,
    due_text,
    error_brief,
    error_text,
)
from tui.messages import (
    CategoryChosen,
    DraftsFound,
    EngineReady,
    FeedEnded,
    FeedPosition,
    FeedStatus,
    FieldEdited,
    OpenCategoryPicker,
    StateChanged,
    TranscriptArrived,
    WorkerFailed,
)
from tui.runner import SessionRunner
from tui.screens.base import QuietCursors
from tui.screens.modals import CategoryPicker, ChooseTicket, ConfirmSubmit, RestoreDraft
from tui.widgets.guidance import EmergencyBanner, ReferralBanner, ScriptsPanel
from tui.widgets.status import StatusBar
from tui.widgets.suggestions import SuggestionList
from tui.widgets.ticket_form import TicketForm
from tui.widgets.transcript import TranscriptView


def _feed_job(
    ev: TranscriptEvent, writer_of: Callable[[], Any] = lambda: None
) -> Callable[[Any], Any]:
    """Feed one event (session thread); with a SessionWriter, record the event and, after a
    final, what the assistant now shows."""

    def job(s: Any) -> Any:
        writer = writer_of()
        if writer is not None:
            writer.write_event(ev)
        state = s.feed(ev)
        if writer is not None and ev.final:
            writer.record_state(state, ev.end)
        return state

    return job


def _confirm_job(name: str) -> Callable[[Any], Any]:
    return lambda s: s.confirm_field(name)


def _edit_job(name: str, value: str) -> Callable[[Any], Any]:
    return lambda s: s.set_field(name, value, "edited")


class DuplicatesFound(Message):
    """Store look-up result: possible duplicates and the caller's earlier tickets."""

    def __init__(
        self,
        duplicates: list[backend.TicketBrief],
        history: list[backend.TicketBrief],
        key: tuple[str, ...] | None = None,
        counts: tuple[int, int] = (0, 0),
    ) -> None:
        super().__init__()
        self.duplicates = duplicates
        self.history = history
        self.counts = counts  # earlier tickets with this phone number: (all, still open)
        self.key = key  # the (phone, address, category) looked up


class SessionRestored(Message):
    """A draft was restored: its transcript so far (posted from the session thread)."""

    def __init__(self, call_id: str, events: tuple[TranscriptEvent, ...]) -> None:
        super().__init__()
        self.call_id = call_id
        self.events = events


class TicketSubmitted(Message):
    def __init__(self, number: str, ticket: Any, merged: bool = False) -> None:
        super().__init__()
        self.number = number
        self.ticket = ticket
        self.merged = merged


class LiveScreen(QuietCursors, Screen[None]):
    """One call, from the first words to the submitted ticket."""

    CSS_PATH = "live.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "pick_category", "查字典"),
        Binding("f3", "adopt_top", "采纳建议"),
        Binding("f4", "confirm_field", "确认本项"),
        Binding("f6", "confirm_all", "全确认"),
        Binding("f8", "merge", "并入旧单"),
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
        self.state: SessionState | None = None
        self.leaf: Leaf | None = None
        self.events: list[TranscriptEvent] = []
        self.duplicates: list[backend.TicketBrief] = []
        self.history: list[backend.TicketBrief] = []
        self.caller_counts: tuple[int, int] = (0, 0)
        self.submitted_number: str | None = None
        self.submit_attempted = False
        self.runner: SessionRunner | None = None
        self.recognition_status = "准备中"
        self._dup_key: tuple[str, ...] = ()
        self._started = ctx.clock()
        self.state_updates = 0
        self.suggested_values: dict[str, str] = {}
        self.session_path: str | None = None
        self._semantic_was_ready: bool | None = None
        self.journal: Any = None
        self.writer: Any = None  # assistant.files.session_writer.SessionWriter (the saved session)
        self.restore_from: Any = None  # assistant.files.drafts.DraftInfo chosen for restore
        self.restored_events: tuple[TranscriptEvent, ...] = ()
        self.call_started = False
        self.last_state_at = 0.0

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
    def form(self) -> TicketForm:
        return self.query_one(TicketForm)

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
            backend.unfinished_drafts(self.ctx.settings.drafts_dir)
            if self.mode == "live" and self.restore_from is None  # (home already asked)
            else []
        )
        if drafts:
            self.status.recognition = "等待处理未完成的通话记录"
            self._prepare_restore(drafts)
        else:
            self.start_call()

    # ---- crash restore -----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="restore")
    def _prepare_restore(self, drafts: list[Any]) -> None:
        """Summarise the newest draft off the UI thread (name/phone extraction)."""
        while drafts:
            info, rest = drafts[0], drafts[1:]
            try:
                brief = backend.draft_brief(info)
            except Exception as exc:  # unreadable draft: say so, keep the file, go on
                self.post_message(WorkerFailed("读取未完成记录", exc))
                drafts = rest
                continue
            self.post_message(DraftsFound(brief, rest))
            return
        self.app.call_from_thread(self.start_call)

    def on_drafts_found(self, message: DraftsFound) -> None:
        b = message.brief
        rest = message.rest

        def answered(choice: str | None) -> None:
            if choice == "restore":
                self.restore_from = b.info
                self.start_call()
            elif choice == "discard":
                try:
                    backend.discard_draft(b.info)
                except OSError as exc:
                    self.post_message(WorkerFailed("放弃未完成记录", exc))
                self.notify("已放弃该通话记录", timeout=3)
                if rest:
                    self._prepare_restore(rest)
                else:
                    self.start_call()
            else:
                self.start_call()

        self.app.push_screen(RestoreDraft(b, remaining=len(rest)), answered)

    def on_session_restored(self, message: SessionRestored) -> None:
        self.restored_events = message.events
        view = self.query_one(TranscriptView)
        for ev in message.events:
            view.add(ev)
        if message.events:
            self.notify(f"已恢复通话记录（{len(message.events)} 句），继续记录", timeout=4)
        self._start_feed()

    # ---- the call ------------------------------------------------------------------------------
    def start_call(self) -> None:
        """Start the session thread and the feed (once)."""
        if self.call_started:
            return
        self.call_started = True
        self.status.recognition = self.feed.description or "准备中"
        self.runner = SessionRunner(
            self._make_session,
            on_state=lambda st: self.post_message(StateChanged(st)),
            on_error=lambda exc: self.post_message(WorkerFailed("分析", exc)),
        )
        self.runner.start()
        if self.restore_from is None:
            self._start_feed()
        else:  # the feed starts once the restored transcript is on screen (in order)
            self.runner.submit(lambda s: s.state)  # show the restored state at once
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

    def _make_session(self) -> Any:
        """Runs on the session thread: waits for the knowledge engine, then builds the session
        (or restores the chosen draft)."""
        engine = self.ctx.wait_engine()
        if engine is None:
            if self.restore_from is not None:  # still show the words (and start the feed)
                self.post_message(SessionRestored(self.restore_from.call_id, ()))
            raise RuntimeError(self.ctx.engine_error or "知识库未能加载")
        session: Any = None
        if self.restore_from is not None:
            try:
                session, self.journal = backend.restore_draft(
                    self.restore_from, engine, self.ctx.clock
                )
                restored = tuple(session.state.transcript)
            except Exception as exc:  # the draft stays on disk; the call goes on as a new one
                self.post_message(WorkerFailed("恢复通话记录", exc))
                session, restored = None, ()
            self.post_message(SessionRestored(self.restore_from.call_id, restored))
        if session is None:
            session = backend.new_session(engine, self.ctx.clock)
            if self.mode == "live":
                # crash safety: every change is journalled until the ticket is stored
                from assistant.files.drafts import DraftJournal

                self.journal = DraftJournal(self.ctx.settings.drafts_dir, session.call_id)
                self.journal.attach(session)
        if self.records_session:
            self._open_writer(session)
        return session

    @property
    def records_session(self) -> bool:
        """Whether this call is saved as a session folder (live calls always are)."""
        return True

    def writer_options(self) -> dict[str, Any]:
        """SessionWriter arguments specific to this kind of call."""
        return {"source": "live"}

    def writer_opened(self, writer: Any) -> None:
        """Hook: the session folder exists (practice adds the reference ticket)."""

    def _open_writer(self, session: Any) -> None:
        """Record the call as a saved session (``<recordings>/<call_id>/``)."""
        try:
            from assistant.files.session_writer import SessionWriter

            folder = self.ctx.sessions_dir / session.call_id
            if folder.exists():  # a restored call: keep what the crashed run saved, intact
                kept = folder.with_name(f"{folder.name}.before-restore")
                n = 1
                while kept.exists():
                    n += 1
                    kept = folder.with_name(f"{folder.name}.before-restore-{n}")
                folder.rename(kept)
            writer = SessionWriter(
                folder,
                call_id=session.call_id,
                started_at=session.started_at,
                title=self.title_text,
                seat_id=self.ctx.settings.seat_id,
                engine=self.feed.engine_name or "",
                **self.writer_options(),
            )
            for ev in session.state.transcript:  # a restored call: what was said before
                writer.write_event(ev)
            self.writer_opened(writer)
        except Exception as exc:  # the call goes on; the draft journal still protects it
            tap = getattr(self.feed, "audio_tap", None)
            if tap is not None:
                tap.detach()  # nowhere to save the audio: stop keeping it in memory
            self.post_message(WorkerFailed("保存通话记录", exc))
            return
        self.writer = writer
        self.session_path = str(writer.folder)
        tap = getattr(self.feed, "audio_tap", None)
        if tap is not None:  # live recognition: the call's audio goes into the session too
            tap.on_error = lambda exc: self.post_message(WorkerFailed("保存通话录音", exc))
            tap.attach(writer.open_audio)

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        self.feed.stop()
        if self.runner is not None:
            self.runner.stop()
        self._close_writer()

    def _close_writer(self) -> None:
        """Finish the saved session (idempotent; any thread)."""
        writer = self.writer
        if writer is None:
            return
        tap = getattr(self.feed, "audio_tap", None)
        if tap is not None:
            tap.detach()
        try:
            writer.close(self.ctx.clock())
        except Exception as exc:
            self.post_message(WorkerFailed("保存通话记录", exc))

    # ---- data in ----------------------------------------------------------------------------
    def on_transcript_arrived(self, message: TranscriptArrived) -> None:
        ev = message.event
        self.events.append(ev)
        self.query_one(TranscriptView).add(ev)
        if self.runner is not None and self.submitted_number is None:
            self.runner.submit(_feed_job(ev, lambda: self.writer))

    def on_state_changed(self, message: StateChanged) -> None:
        self.state = message.state
        for name, fv in message.state.fields.items():
            if fv.status == "suggested" and fv.value:
                self.suggested_values[name] = fv.value
        self.state_updates += 1
        self.last_state_at = time.perf_counter()
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

    def on_feed_position(self, message: FeedPosition) -> None:
        pass

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
            self._session_job(lambda s: s.refresh())
        self._semantic_was_ready = ready

    @property
    def semantic_loading(self) -> bool:
        """True while the engine is still loading its embedding model (not when embeddings
        are switched off or failed to load)."""
        return self.ctx.engine_ready and backend.semantic_state(self.ctx.engine) == "loading"

    def _refresh_knowledge_status(self) -> None:
        if self.ctx.engine_error:
            self.status.knowledge = "知识库加载失败"
        elif not self.ctx.engine_ready:
            self.status.knowledge = "知识库加载中…"
        elif self.semantic_loading:
            self.status.knowledge = "语义模型加载中…（关键词建议可用）"
        elif backend.semantic_state(self.ctx.engine) == "failed":
            self.status.knowledge = "语义模型加载失败（仅关键词匹配）"
        elif self.state is not None and not self.state.semantic_ready:
            self.status.knowledge = "仅关键词匹配（未用语义模型）"
        else:
            self.status.knowledge = "语义模型就绪"

    # ---- rendering (data down) ----------------------------------------------------------
    def _render_state(self) -> None:
        state = self.state
        self.leaf = backend.leaf_for_state(self.ctx.engine, state)
        self.query_one(EmergencyBanner).show_state(state)
        self.query_one(ReferralBanner).show_state(state)
        self.query_one(SuggestionList).show_state(
            state,
            engine_loading=not self.ctx.engine_ready,
            semantic_loading=self.semantic_loading,
        )
        self.form.show_state(state, self.leaf)
        values = backend.form_values(state, self.leaf)
        readback = (
            backend.readback(self.ctx.engine, values, state)
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
            errors = backend.validate_draft(backend.draft_from_state(self.state))
        except Exception as exc:  # the store module may be missing in a trimmed install
            errors = [("summary", f"无法校验：{exc}")]
        if not self.submit_attempted:
            values = backend.form_values(self.state, self.leaf)
            errors = [(f, m) for f, m in errors if values.get(f)]  # only what was filled wrongly
        self.form.show_errors(errors)

    # ---- duplicates ---------------------------------------------------------------------------
    def _maybe_check_duplicates(self) -> None:
        if self.state is None:
            return
        values = backend.form_values(self.state, self.leaf)
        key = (values["phone"], values["address"], values["category"])
        if key == self._dup_key or not (values["phone"] or values["address"]):
            return
        self._dup_key = key
        self._check_duplicates(self.state, key)

    @work(thread=True, exclusive=True, group="duplicates")
    def _check_duplicates(self, state: SessionState, key: tuple[str, ...] | None = None) -> None:
        try:
            store = self.ctx.get_store()
            draft = backend.draft_from_state(state)
            dups = backend.briefs(
                store.find_duplicates(draft, window_days=self.ctx.settings.duplicate_window_days)
            )
            phone = state.fields.get("phone")
            found = store.caller_history(phone.value) if phone and phone.value else None
            history = backend.history_briefs(found)
            counts = (int(found.count), int(found.open_count)) if found is not None else (0, 0)
        except Exception as exc:
            self.post_message(WorkerFailed("查重", exc))
            return
        self.post_message(DuplicatesFound(dups, history, key, counts))

    def on_duplicates_found(self, message: DuplicatesFound) -> None:
        if message.key is not None and message.key != self._dup_key:
            return  # a slower look-up for values the call has since moved past
        self.duplicates = message.duplicates
        self.history = [h for h in message.history if h.key not in {d.key for d in self.duplicates}]
        self.caller_counts = message.counts
        self._show_notice()

    def _show_notice(self) -> None:
        """Possible duplicate, the number's earlier tickets, or the caller saying so."""
        notice = self.query_one("#notice", Static)
        if self.submitted_number is not None:
            return  # the notice now says the ticket was submitted
        total, still_open = self.caller_counts
        said = self.state is not None and any(a.kind == "repeat_caller" for a in self.state.alerts)
        if not self.duplicates and not total and not said:
            notice.display = False
            return
        t = Text()
        if self.duplicates:
            d = self.duplicates[0]
            t.append(" 疑似重复 ", style="bold reverse")
            t.append(f" 工单 {d.number}（{d.created} · {d.category or d.address}）")
            if len(self.duplicates) > 1:
                t.append(f" 等 {len(self.duplicates)} 张")
        if total:
            t.append("  重复来电 ", style="bold reverse")
            t.append(f" 该号码此前已有 {total} 张工单")
            if still_open:
                t.append(f"（{still_open} 张未办结）")
        elif said:
            t.append(" 来电人说此前反映过 ", style="bold reverse")
            t.append(" 记下电话后可查历史工单")
        if self.duplicates or self.history:
            t.append("  · F8 并入已有工单", style="bold")
        notice.update(t)
        notice.display = True

    # ---- user intent ----------------------------------------------------------------------------
    def _session_job(self, job: Callable[[Any], Any]) -> None:
        if self.runner is not None:
            self.runner.submit(job)

    @on(FieldEdited)
    def _field_edited(self, message: FieldEdited) -> None:
        name, value = message.name, message.value
        self._session_job(_edit_job(name, value))

    @on(CategoryChosen)
    def _category_chosen(self, message: CategoryChosen) -> None:
        self._choose_category(message.leaf_id)

    def _choose_category(self, leaf_id: str) -> None:
        if self.submitted_number is not None:
            return
        self._session_job(lambda s: s.choose_category(leaf_id))
        leaf = backend.leaf_by_id(self.ctx.engine, leaf_id)
        if leaf is not None:
            self.notify(f"分类：{leaf.path_text}", timeout=3)

    @on(OpenCategoryPicker)
    def _open_picker(self, _message: OpenCategoryPicker) -> None:
        self.action_pick_category()

    def action_pick_category(self) -> None:
        catalogue = backend.catalogue_of(self.ctx.engine)
        if catalogue is None:
            self.notify("知识库加载中，请稍候", severity="warning")
            return
        suggestions = self.state.suggestions if self.state else ()

        def picked(leaf_id: str | None) -> None:
            if leaf_id:
                self._choose_category(leaf_id)

        self.app.push_screen(CategoryPicker(catalogue, suggestions), picked)

    def action_adopt_top(self) -> None:
        if self.state is None or not self.state.suggestions:
            self.notify("暂无分类建议，可按 F2 查字典", severity="warning")
            return
        self._choose_category(self.state.suggestions[0].leaf.id)

    def action_confirm_field(self) -> None:
        name = self.form.focused_field()
        if name is None:
            self.notify("先把光标移到要确认的字段（Tab）", severity="warning")
            return
        self._confirm([name])

    def action_confirm_all(self) -> None:
        if self.state is None:
            return
        names = [
            n
            for n in TICKET_FIELDS
            if (fv := self.state.fields.get(n)) is not None
            and fv.value
            and fv.status == "suggested"
        ]
        if not names:
            self.notify("没有待确认的建议字段")
            return
        self._confirm(names)
        self.notify("已确认：" + "、".join(FIELD_LABELS[n] for n in names), timeout=3)

    def _confirm(self, names: list[str]) -> None:
        self._flush_edits()
        for name in names:
            self._session_job(_confirm_job(name))

    def _flush_edits(self) -> None:
        for name, value in self.form.pending_edits().items():
            self.form.mark_sent(name, value)
            self._session_job(_edit_job(name, value))

    def action_focus_transcript(self) -> None:
        self.query_one(TranscriptView).focus()

    def action_follow_transcript(self) -> None:
        self.query_one(TranscriptView).scroll_end(animate=False)

    async def action_submit(self) -> None:
        if self.submitted_number is not None:
            self.notify(f"本次来电已登记为工单 {self.submitted_number}")
            return
        if self.runner is None or self.runner.session is None:
            self.notify("知识库加载中，请稍候再提交", severity="warning")
            return
        self._flush_edits()
        state = await self.runner.barrier()
        if state is None:
            return
        self.state = state
        self.submit_attempted = True
        self._render_state()
        draft = backend.draft_from_state(state)
        errors = backend.validate_draft(draft)
        if errors:
            self.form.show_errors(errors)
            first = errors[0][0]
            self.notify(
                "请先修正：" + "；".join(m for _, m in errors[:3]), severity="error", timeout=6
            )
            target = self.form.query(f"#f-{first}")
            if target:
                target.first().focus()
            return
        values = backend.form_values(state, self.leaf)
        warnings = [
            f"疑似重复：工单 {d.number}（{d.category or d.address}），可 Esc 后按 F8 并入"
            for d in self.duplicates[:2]
        ]

        def answered(ok: bool | None) -> None:
            if ok:
                self._submit(state, draft)

        self.app.push_screen(
            ConfirmSubmit(values, backend.readback(self.ctx.engine, values, state), warnings),
            answered,
        )

    @work(thread=True, exclusive=True, group="submit")
    def _submit(self, state: SessionState, draft: Any) -> None:
        try:
            store = self.ctx.get_store()
            ticket = store.submit(
                draft,
                suggestions=self.suggestion_record(state),
                call=self.call_record(state),
                seat=self.ctx.settings.seat_id,
            )
        except Exception as exc:
            self.post_message(WorkerFailed("提交工单", exc))
            return
        if self.writer is not None:
            try:
                self.writer.write_ticket(draft)
            except Exception as exc:  # the ticket is stored; only the session copy failed
                self.post_message(WorkerFailed("保存通话记录", exc))
        number = backend.brief(ticket).number
        self.post_message(TicketSubmitted(number, ticket))

    def call_record(self, state: SessionState) -> Any:
        """What the store keeps about this call (call id, times, final transcript)."""
        session = self.runner.session if self.runner is not None else None
        ops = list(getattr(session, "ops", ()))  # the call-taker's changes, with their moments
        return backend.call_info(
            state, ended_at=self.ctx.clock(), session_path=self.session_path, ops=ops
        )

    def suggestion_record(self, state: SessionState) -> dict[str, str]:
        """What the assistant proposed per field (for the audit trail): the last automatic
        suggestion seen before the call-taker touched the field."""
        out = dict(self.suggested_values)
        for name, fv in state.fields.items():
            if fv.status == "suggested" and fv.value:
                out[name] = fv.value
            elif "suggested" in fv.extra and name not in out:
                out[name] = fv.extra["suggested"]
        if "category" not in out and state.suggestions and not state.uncertain:
            out["category"] = state.suggestions[0].leaf.id
        out.setdefault("verdict", state.verdict)
        out.setdefault("urgency", state.urgency)
        return out

    def on_ticket_submitted(self, message: TicketSubmitted) -> None:
        from assistant.applog import get_logger

        get_logger("live").info(
            "ticket %s %s (%s)", message.number, "merged" if message.merged else "stored", self.mode
        )
        self.submitted_number = message.number
        verb = "已并入" if message.merged else "已提交"
        self.notify(f"工单 {message.number} {verb}", title="完成", timeout=6)
        notice = self.query_one("#notice", Static)
        notice.update(
            Text(f" ✔ 工单 {message.number} {verb} · 请说结束语 · F10 返回", style="bold")
        )
        notice.display = True
        self.form.set_read_only(True)
        self._render_state()
        if self.journal is not None:
            journal = self.journal
            self._session_job(lambda _s: journal.complete())
        self._session_job(lambda _s: self._close_writer())
        self.after_submit(message)

    def after_submit(self, message: TicketSubmitted) -> None:
        """Hook for subclasses (practice scores the ticket)."""

    def action_merge(self) -> None:
        if self.submitted_number is not None:
            self.notify("本次来电已登记")
            return
        candidates = self.duplicates + self.history
        if not candidates:
            self.notify("没有发现可并入的已有工单", severity="warning")
            return
        rows = []
        for c in candidates:
            label = Text()
            label.append(f"{c.number}", style="bold")
            label.append(f"  {c.created} · {c.status}")
            label.append(f"\n  {c.category}\n  {c.address} · {c.summary[:30]}", style="dim")
            rows.append((c.key, label))

        def chosen(key: str | None) -> None:
            if key:
                target = next(c for c in candidates if c.key == key)
                self._merge_into(target)

        self.app.push_screen(ChooseTicket("并入已有工单（本次来电记为追加来电）", rows), chosen)

    @work(thread=True, exclusive=True, group="submit")
    def _merge_into(self, target: backend.TicketBrief) -> None:
        self.runner.wait_idle(5) if self.runner else None
        state = self.state
        try:
            store = self.ctx.get_store()
            if state is None:
                raise RuntimeError("通话内容尚未分析，无法并入")
            ticket = store.append_call(
                target.raw.id if hasattr(target.raw, "id") else target.key,
                self.call_record(state),
                seat=self.ctx.settings.seat_id,
            )
            target = backend.brief(ticket)
        except Exception as exc:
            self.post_message(WorkerFailed("并入工单", exc))
            return
        self.post_message(TicketSubmitted(target.number, target.raw, merged=True))

    def action_leave(self) -> None:
        self.shutdown()
        self.app.pop_screen()
