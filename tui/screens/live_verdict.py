"""The call's verdict on the live screen: show the turn it came from (F7 / a click on a
banner) and override it (F9 改判).

:class:`VerdictActions` is a base of :class:`~tui.screens.live.LiveScreen`. The jump
highlights the turn in the :class:`~tui.widgets.transcript.TranscriptView` until the next key
or the next final; the override goes to the controller (``CallSession.set_verdict``), which
also puts it in the submitted ticket's audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.screen import Screen

from assistant.core.state import SessionState, VerdictCause
from assistant.labels import CHANNEL_LABELS, REASON_PHRASES, VERDICT_LABELS
from tui.messages import ShowVerdictCause
from tui.overrides import verdict_code
from tui.screens.modals import VerdictPicker, parse_verdict_choice
from tui.widgets.guidance import EmergencyBanner, ReferralBanner, cause_text
from tui.widgets.transcript import TranscriptView

if TYPE_CHECKING:
    from tui.controller import CallController


def verdict_text(verdict: str, channel: str | None, reason: str | None) -> str:
    """受理 / 转办/引导（110 报警）/ 不予受理（…）."""
    text = VERDICT_LABELS.get(verdict, verdict)
    if verdict == "refer" and channel:
        return f"{text}（{CHANNEL_LABELS.get(channel, channel)}）"
    if verdict == "decline" and reason:
        return f"{text}（{REASON_PHRASES.get(reason, reason)}）"
    return text


class VerdictActions(Screen[None]):
    """F7 看依据 and F9 改判 (the key bindings are LiveScreen's)."""

    # set by LiveScreen.__init__
    controller: CallController
    state: SessionState | None
    submitted_number: str | None

    # ---- the cause of the verdict ----------------------------------------------------------
    def verdict_cause(self) -> VerdictCause | None:
        """The cause the banners show (emergency first), else the call's verdict cause."""
        for banner in (self.query_one(EmergencyBanner), self.query_one(ReferralBanner)):
            if banner.display and banner.cause is not None:
                return banner.cause
        return self.state.verdict_cause if self.state is not None else None

    def action_show_cause(self) -> None:
        self.show_cause(self.verdict_cause())

    @on(ShowVerdictCause)
    def _banner_clicked(self, message: ShowVerdictCause) -> None:
        self.show_cause(message.cause)

    def show_cause(self, cause: VerdictCause | None) -> None:
        """Scroll the transcript to the turn of ``cause`` and highlight it."""
        state = self.state
        if cause is not None and cause.source == "override":
            self.notify("本次来电的结论为坐席改判", timeout=3)
            return
        if state is None or cause is None or cause.turn is None:
            self.notify("暂无判定依据（按受理处理）", timeout=3)
            return
        if not 0 <= cause.turn < len(state.transcript):
            self.notify("依据所在的语句不在转写中", severity="warning")
            return
        view = self.query_one(TranscriptView)
        if not view.highlight(state.transcript[cause.turn]):
            self.notify("依据所在的语句不在转写中", severity="warning")
            return
        self.notify(cause_text(state, cause), timeout=4)

    def on_key(self, event: events.Key) -> None:
        # any key ends the look back (F7 itself sets it again: bindings run after this)
        self.query_one(TranscriptView).clear_highlight()

    # ---- the override ----------------------------------------------------------------------
    def action_override_verdict(self) -> None:
        if self.submitted_number is not None:
            self.notify(f"本次来电已登记为工单 {self.submitted_number}，不能改判")
            return
        if self.controller.session is None or self.state is None:
            self.notify("通话内容尚未分析，暂不能改判", severity="warning")
            return
        state = self.state
        current = verdict_code((state.verdict, state.channel, state.reason)).replace("/", ":")
        why = cause_text(state, state.verdict_cause)
        now = verdict_text(state.verdict, state.channel, state.reason)

        def chosen(choice: str | None) -> None:
            if not choice or choice == current:
                return
            verdict, channel, reason = parse_verdict_choice(choice)
            if self.submitted_number is not None:
                return
            self.controller.set_verdict(verdict, channel, reason)
            self.notify(f"已改判：{verdict_text(verdict, channel, reason)}", timeout=4)

        self.app.push_screen(VerdictPicker(current, f"当前：{now}　{why}".strip()), chosen)
