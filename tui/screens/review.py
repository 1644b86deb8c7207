"""Review screen (质检回放): a saved call on a timeline, the suggestions as they were at
each moment, the QA scorecard, and reviewer notes saved with the session."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from asr.events import TranscriptEvent
from assistant.core.session import CallSession
from assistant.core.state import SessionState
from assistant.files.recordings import RecordedCall
from assistant.labels import FIELD_LABELS, FIELD_STATUS_LABELS, VERDICT_LABELS
from assistant.qa.scorecard import Scorecard, score_call
from assistant.qa.trainee import TicketScore
from tui.context import AppContext
from tui.format import channel_text, clock_text, error_text, semantic_state
from tui.messages import EngineReady, WorkerFailed
from tui.scoring_view import score_practice
from tui.screens.base import QuietCursors
from tui.screens.modals import NotesEditor
from tui.widgets.guidance import EmergencyBanner, ReferralBanner
from tui.widgets.scorecard import scorecard_text
from tui.widgets.suggestions import SuggestionList
from tui.widgets.transcript import TranscriptView

NOTES_FILE = "review_notes.md"


class TimelineReady(Message):
    def __init__(
        self,
        moments: list[tuple[float, SessionState]],
        card: Scorecard,
        practice: TicketScore | None = None,
    ) -> None:
        super().__init__()
        self.moments = moments
        self.card = card
        self.practice = practice


def _verdict_line(t: Text, heading: str, verdict: str, channel: str | None) -> None:
    t.append(heading, style="bold")
    t.append(VERDICT_LABELS.get(verdict, verdict))
    if channel:
        t.append(f" → {channel_text(channel)}")
    t.append("\n")


class ReviewScreen(QuietCursors, Screen[None]):
    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "上一句/下一句", key_display="←/→"),
        Binding("right", "step(1)", "下一句", show=False),
        Binding("b", "jump(0)", "开头"),
        Binding("e", "jump(-1)", "结尾"),
        Binding("n", "notes", "备注"),
        Binding("f10", "app.pop_screen", "返回"),
    ]

    def __init__(self, ctx: AppContext, call: RecordedCall) -> None:
        super().__init__()
        self.ctx = ctx
        self.call = call
        self.finals: list[TranscriptEvent] = [e for e in call.events if e.final]
        self.moments: list[tuple[float, SessionState]] = []
        self.index = -1
        self.card: Scorecard | None = None
        self.practice: TicketScore | None = None
        self.notes = self._read_notes()
        # A saved session recorded what the assistant showed: the review shows that, not a
        # recomputation with today's knowledge base (which is kept for comparison).
        self.saved: Any = call.extra.get("session")
        self.recorded = bool(self.saved is not None and self.saved.suggestions)

    @property
    def notes_path(self) -> Path:
        return self.call.path / NOTES_FILE

    def _read_notes(self) -> str:
        saved = self.call.extra.get("session")
        review = (saved.review if saved is not None else None) or {}
        if review.get("notes"):
            return str(review["notes"])
        try:
            return self.notes_path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def compose(self) -> ComposeResult:
        yield Static(f"质检回放 · {self.call.title}", id="screen-title")
        yield EmergencyBanner(id="emergency", jump=False)
        yield ReferralBanner(id="referral", jump=False)
        with Horizontal(id="main"):
            yield TranscriptView(id="transcript")
            with Vertical(id="right"):
                yield SuggestionList(id="suggestions")
                yield Static("", id="moment-fields")
                yield Static("", id="qa")
        yield Static("", id="timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#emergency").display = False
        self.query_one("#referral").display = False
        self.query_one(TranscriptView).focus()
        self._show()
        self._build_timeline()

    def on_engine_ready(self, _message: EngineReady) -> None:
        self._show()

    @work(thread=True, exclusive=True, group="timeline")
    def _build_timeline(self) -> None:
        """Replay the finals through a fresh session, keeping the state after each one."""
        try:
            engine = self.ctx.wait_engine()
            if engine is None:
                raise RuntimeError(self.ctx.engine_error or "知识库未能加载")
            session = CallSession(engine, clock=self.ctx.clock)
            moments: list[tuple[float, SessionState]] = []
            for ev in self.finals:
                moments.append((ev.end, session.feed(ev)))
            card = score_call(self.finals, engine)
            practice = None
            saved = self.saved
            if (
                saved is not None
                and saved.source == "practice"
                and saved.ticket
                and saved.reference
            ):
                # a trainee's run: their ticket against the recording's reference ticket
                practice = score_practice(dict(saved.ticket), saved.reference, engine)
        except Exception as exc:
            self.post_message(WorkerFailed("回放分析", exc))
            return
        self.post_message(TimelineReady(moments, card, practice))

    def on_timeline_ready(self, message: TimelineReady) -> None:
        self.moments = message.moments
        self.card = message.card
        self.practice = message.practice
        self.index = len(self.moments) - 1
        self._show()

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(error_text(message.where, message.error), severity="error", timeout=8)

    # ---- navigation ------------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        if not self.moments:
            return
        self.index = max(0, min(len(self.moments) - 1, self.index + int(delta)))
        self._show()

    def action_jump(self, where: int) -> None:
        if not self.moments:
            return
        self.index = 0 if int(where) == 0 else len(self.moments) - 1
        self._show()

    # ---- rendering ---------------------------------------------------------------------------
    @property
    def moment_state(self) -> SessionState | None:
        return self.moments[self.index][1] if 0 <= self.index < len(self.moments) else None

    def _show(self) -> None:
        state = self.moment_state
        upto = self.index + 1 if self.moments else 0
        self.query_one(TranscriptView).set_events(self.finals[:upto])
        self.query_one(EmergencyBanner).show_state(state)
        self.query_one(ReferralBanner).show_state(state)
        record = self.recorded_at()
        if self.recorded and self.moments:
            self.query_one(SuggestionList).show_record(record)
        else:
            self.query_one(SuggestionList).show_state(
                state,
                engine_loading=not self.moments,
                semantic_loading=semantic_state(self.ctx.engine) == "loading",
            )
        fields = (
            self._record_text(record, state)
            if self.recorded and self.moments
            else self._fields_text(state)
        )
        self.query_one("#moment-fields", Static).update(fields)
        self.query_one("#qa", Static).update(self._qa_text())
        t = Text()
        if self.moments:
            at = self.moments[self.index][0]
            t.append(
                f"第 {self.index + 1}/{len(self.moments)} 句  {clock_text(at)} / "
                f"{clock_text(self.call.duration)}  "
            )
            width = 30
            filled = int(width * (self.index + 1) / len(self.moments))
            t.append("█" * filled + "░" * (width - filled), style="#5fafff")
            if self.recorded:
                t.append("  建议为录制时所见", style="dim")
            else:
                t.append("  建议为按当前知识库重算的当时状态", style="dim")
        else:
            t.append("正在重建时间线…", style="dim")
        self.query_one("#timeline", Static).update(t)

    def recorded_at(self) -> Any:
        """The saved ``SuggestionRecord`` shown at the selected moment (or None)."""
        if not self.recorded or not (0 <= self.index < len(self.moments)):
            return None
        return self.saved.state_at(self.moments[self.index][0] + 1e-6)

    @staticmethod
    def _record_text(record: Any, now: SessionState | None) -> Text:
        t = Text()
        if record is None:
            t.append("此刻之前没有记录的建议", style="dim")
            return t
        _verdict_line(t, "录制时判断：", record.verdict, record.channel)
        for name, label in FIELD_LABELS.items():
            value = record.fields.get(name)
            if value and name == "category":  # recorded as a leaf id
                value = next((c.path for c in record.categories if c.id == value), value)
            if value:
                t.append(f"{label}：", style="dim")
                t.append(f"{str(value)[:40]}\n")
        top = record.top
        if now is not None and now.suggestions and top is not None:
            current = now.suggestions[0].leaf
            if current.id != top.id:
                t.append("现知识库首选：", style="dim")
                t.append(f"{current.path_text}\n", style="#ffaf00")
        return t

    @staticmethod
    def _fields_text(state: SessionState | None) -> Text:
        t = Text()
        if state is None:
            return t
        _verdict_line(t, "此刻判断：", state.verdict, state.channel)
        for name, label in FIELD_LABELS.items():
            fv = state.fields.get(name)
            if fv is None or not fv.value:
                continue
            value = fv.extra.get("path", fv.value) if name == "category" else fv.value
            t.append(f"{label}：", style="dim")
            t.append(f"{value[:40]} ")
            t.append(f"[{FIELD_STATUS_LABELS.get(fv.status, fv.status)}]\n", style="dim")
        return t

    def _qa_text(self) -> Text:
        t = scorecard_text(self.card)
        t.append(self._ticket_text())
        t.append("备注：", style="bold")
        t.append(self.notes.strip() or "（无，按 n 填写）", style="" if self.notes else "dim")
        return t

    def _ticket_text(self) -> Text:
        """The ticket that was submitted, against the assistant's last top suggestion."""
        t = Text()
        ticket = self.saved.ticket if self.saved is not None else None
        if not ticket:
            return t
        path = str(ticket.get("category_path") or ticket.get("category_id") or "未选分类")
        t.append("学员工单：" if self.saved.source == "practice" else "提交工单：", style="bold")
        t.append(f"{path}\n")
        if self.practice is not None:
            p = self.practice
            t.append(f"  练习得分 {p.total:.0f} / 100", style="bold")
            if p.category_ok is not None:
                t.append("  分类" + ("正确 ✔" if p.category_ok else "不正确 ✘"))
            t.append("\n")
        last = self.saved.final_state if self.recorded else None
        top = last.top if last is not None else None
        if top is not None:
            if top.id == ticket.get("category_id"):
                t.append("  采纳了助手首选\n", style="#87d787")
            else:
                t.append(f"  改选（助手首选 {top.path}）\n", style="#ffaf00")
        return t

    # ---- notes ---------------------------------------------------------------------------------
    def action_notes(self) -> None:
        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                self.save_notes(text)
            except OSError as exc:
                self.notify(f"备注保存失败：{exc}", severity="error")
                return
            self.notify("备注已保存")
            self._show()

        self.app.push_screen(NotesEditor(self.notes), saved)

    def save_notes(self, text: str) -> None:
        """Write the notes with the session: ``review.json`` (with the QA scorecard) for a
        saved session, else ``review_notes.md`` beside the recording (atomic replace)."""
        if self.call.extra.get("session") is not None:
            from assistant.files.session_writer import save_review_notes

            save_review_notes(
                self.call.path, text, reviewer=self.ctx.settings.seat_id, scorecard=self.card
            )
            self.notes = text
            return
        from asr.fileio import atomic_write

        atomic_write(self.notes_path, text)
        self.notes = text


def build_review(ctx: AppContext, target: str | None) -> Any:
    from assistant.files.recordings import load_call, samples_dir
    from tui.screens.pickers import CallListScreen

    if target is None:
        return CallListScreen(ctx, purpose="review", folders=[ctx.sessions_dir, samples_dir()])
    return ReviewScreen(ctx, load_call(target))
