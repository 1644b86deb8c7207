"""Practice screen (培训练习): a recorded call plays through the same pipeline at real-time
pace; the trainee fills the ticket; at the end it is scored against the reference ticket."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from assistant.core.state import SessionState
from assistant.files.recordings import RecordedCall
from assistant.qa.trainee import TicketScore
from assistant.store import Ticket, TicketDraft
from tui.audio import AudioPlayer, open_player
from tui.context import AppContext
from tui.controller import CallSetup
from tui.feeds import EventFeed
from tui.format import clock_text
from tui.messages import FeedEnded, FeedPosition, TicketSubmitted, WorkerFailed
from tui.scoring_view import report_lines, score_practice
from tui.screens.live import LiveScreen
from tui.screens.modals import MessageBox
from tui.widgets.transcript import TranscriptView


class PracticeScreen(LiveScreen):
    """LiveScreen plus transport controls, audio output and scoring instead of storing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "暂停"),
        Binding("left", "seek(-5)", "快退/快进", key_display="←/→"),
        Binding("right", "seek(5)", "前进5秒", show=False),
        Binding("f5", "toggle_pause", "暂停", show=False),
        Binding("escape", "focus_transcript", "离开输入框", show=False),
        Binding("f9", "score", "评分"),  # (so no 改判 here: a trainee's call is scored)
        Binding("f7", "show_cause", "看依据", show=False),  # works; the footer stays in 100 cols
    ]
    mode = "practice"

    def __init__(self, ctx: AppContext, call: RecordedCall, feed: EventFeed) -> None:
        super().__init__(ctx, feed, title=f"培训练习 · {call.title}")
        self.call = call
        self.player: AudioPlayer | None = None
        self.audio_note = ""
        self.score: TicketScore | None = None
        self.position = 0.0

    def compose_bars(self) -> ComposeResult:
        yield Static("", id="transport")

    def on_mount(self) -> None:
        # LiveScreen.on_mount (MRO dispatch) starts the session and the feed; this adds
        # the audio output (registered before the feed plays) and the transport bar.
        self.player, self.audio_note = open_player(self.call.audio)
        if self.player is not None:
            listeners = getattr(self.feed, "listeners", None)
            if listeners is not None:
                listeners.append(self.player.on_transport)
        self.set_interval(0.25, self._show_transport)
        self.call_after_refresh(self.query_one(TranscriptView).focus)
        self._show_transport()

    def shutdown(self) -> None:
        super().shutdown()
        if self.player is not None:
            self.player.close()

    # ---- transport -------------------------------------------------------------------------
    def _show_transport(self) -> None:
        pos = self.feed.position
        dur = self.feed.duration
        if dur:
            pos = min(pos, dur)  # the clock runs on while the last words are recognised
        self.position = pos
        state = "⏸ 已暂停" if self.feed.paused else "▶ 播放中"
        t = Text()
        t.append(state, style="bold")
        t.append(f"  {clock_text(pos)} / {clock_text(dur or 0)}")
        if dur:
            width = 20
            filled = int(width * min(1.0, pos / dur))
            t.append("  " + "█" * filled + "░" * (width - filled), style="#5fafff")
        t.append(f"  · {self.audio_note}", style="dim")
        t.append("  · 空格 暂停 · ←/→ 5秒 · Esc 离开输入框", style="dim")
        self.query_one("#transport", Static).update(t)

    def on_feed_position(self, message: FeedPosition) -> None:
        self.position = message.position

    def action_toggle_pause(self) -> None:
        if not self.feed.seekable:
            self.notify("此录音不支持暂停", severity="warning")
            return
        self.feed.toggle_pause()
        self._show_transport()

    def action_seek(self, delta: float) -> None:
        if not self.feed.seekable:
            return
        self.feed.seek(float(delta))
        self._show_transport()

    def on_feed_ended(self, _message: FeedEnded) -> None:
        self.notify("录音播放完毕：完成工单后按 Ctrl+S 提交并评分（或 F9 直接评分）", timeout=6)

    # ---- the practice run is saved as a session (for the trainer) ---------------------------
    def call_setup(self) -> CallSetup:
        audio = self.call.audio
        return CallSetup(
            mode="practice",
            title=self.title_text,
            record_session=bool(self.ctx.settings.save_practice_sessions),
            source="practice",
            audio=str(audio.resolve()) if audio is not None else None,
            duration=self.call.duration or None,
            metadata={"practice_of": str(self.call.path), "call_title": self.call.title},
            reference=self.call.reference,
        )

    # ---- practice never touches the real ticket store -----------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            return False  # no "append to an existing ticket" (and no F8 in the footer)
        return super().check_action(action, parameters)

    def action_merge(self) -> None:
        self.notify("练习中不能并入真实工单", severity="warning")

    def _maybe_check_duplicates(self) -> None:
        """No duplicate look-ups against real tickets while practising."""

    # ---- scoring instead of storing ------------------------------------------------------
    def _submit(self, state: SessionState, draft: TicketDraft) -> None:  # type: ignore[override]
        """Practice never writes to the ticket store: the ticket is scored instead (and
        kept in the saved session)."""
        self.controller.save_practice_ticket(draft)
        self.post_message(TicketSubmitted("练习", draft))

    def after_submit(self, message: TicketSubmitted) -> None:
        self.action_score(message.ticket)

    def action_score(self, draft: TicketDraft | Ticket | None = None) -> None:
        if self.call.reference is None:
            self.notify("这段录音没有参考工单，无法评分", severity="warning")
            return
        if draft is None:
            if self.state is None:
                self.notify("还没有可评分的内容", severity="warning")
                return
            draft = TicketDraft.from_session_state(self.state)
        trainee = draft.to_dict()
        if self.leaf is not None:
            trainee.setdefault("department", self.leaf.department)
        try:
            self.score = score_practice(trainee, self.call.reference, self.ctx.engine)
        except Exception as exc:
            self.post_message(WorkerFailed("评分", exc))
            return
        self.app.push_screen(MessageBox("练习评分", Text("\n".join(report_lines(self.score)))))
