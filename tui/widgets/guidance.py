"""Banners (emergency transfer, out-of-scope referral) and the scripts to say.

The banners follow the CALL-level verdict (``SessionState.verdict`` / ``channel`` /
``reason``, latched by the core): a referral or decline banner only while the verdict is
refer / decline, the emergency banner while it is a transfer to 110/119/120/122 (or an
accepted 2-hour emergency was raised). Each says why: the turn that caused the verdict
(``SessionState.verdict_cause``), or that the call-taker overrode it. Clicking a banner
asks the screen to show that turn (:class:`~tui.messages.ShowVerdictCause`).
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import events
from textual.widgets import Static

from assistant.core.state import Alert, SessionState, VerdictCause
from assistant.labels import (
    CHANNEL_LABELS,
    EMOTION_LABELS,
    FIELD_LABELS,
    REASON_PHRASES,
    SPEAKER_LABELS,
    label,
)
from knowledge.rules import EMERGENCY_CHANNELS
from tui.format import CLOSING_SCRIPT, channel_text
from tui.messages import ShowVerdictCause

CAUSE_CHARS = 36  # the cause's words are shortened to this many characters


def _shorten(text: str, limit: int = CAUSE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _turn_at(state: SessionState, at: float | None) -> int | None:
    """The caller's final segment that starts at call time ``at`` (an alert's moment)."""
    if at is None:
        return None
    for i, ev in enumerate(state.transcript):
        if ev.speaker == "caller" and abs(ev.start - at) < 1e-6:
            return i
    return None


def cause_text(state: SessionState, cause: VerdictCause | None) -> str:
    """ "依据：第N句 来电人：「…」" (N counts the call's final segments from 1), or 坐席改判."""
    if cause is None:
        return ""
    if cause.source == "override":
        return "依据：坐席改判"
    turn = cause.turn
    if turn is None or not 0 <= turn < len(state.transcript):
        return f"依据：{cause.cue}" if cause.cue else ""
    ev = state.transcript[turn]
    who = SPEAKER_LABELS.get(ev.speaker, ev.speaker)
    return f"依据：第{turn + 1}句 {who}：「{_shorten(ev.text)}」"


def emergency_alert(state: SessionState | None) -> Alert | None:
    """The emergency to show: a transfer while the call's verdict is refer to 110/119/120/122,
    or an accepted 2-hour emergency (dispatch) while the call is accepted."""
    if state is None:
        return None
    if state.verdict == "refer" and state.channel in EMERGENCY_CHANNELS:
        for alert in reversed(state.alerts):
            if alert.kind == "emergency" and alert.channel == state.channel:
                return alert
        return Alert(
            kind="emergency",
            title=f"紧急情况：请立即转接 {CHANNEL_LABELS[state.channel]}",
            script=state.guidance or "",
            channel=state.channel,
        )
    if state.verdict == "accept":
        for alert in state.alerts:
            if alert.kind == "emergency" and alert.channel is None:
                return alert
    return None


def emergency_cause(state: SessionState | None) -> VerdictCause | None:
    """Why the emergency banner is up: the call's verdict cause, or the turn that raised an
    accepted 2-hour emergency."""
    alert = emergency_alert(state)
    if state is None or alert is None:
        return None
    if alert.channel is None:
        turn = _turn_at(state, alert.at)
        return VerdictCause(turn, "caller") if turn is not None else state.verdict_cause
    return state.verdict_cause


def referral_alert(state: SessionState | None) -> Alert | None:
    """The referral / decline to show, while the call's verdict is one (not an emergency)."""
    if state is None or state.verdict not in ("refer", "decline"):
        return None
    if state.verdict == "refer" and state.channel in EMERGENCY_CHANNELS:
        return None
    kind: Literal["refer", "decline"] = "refer" if state.verdict == "refer" else "decline"
    why = label(REASON_PHRASES, state.reason, "不属于受理范围")
    for alert in reversed(state.alerts):
        if alert.kind != kind:
            continue
        if kind == "refer" and alert.channel == state.channel:
            return alert
        if kind == "decline" and alert.title == f"不予受理：{why}":
            return alert
    title = (
        f"不属于12345受理范围：请引导至 {channel_text(state.channel)}"
        if kind == "refer"
        else f"不予受理：{why}"
    )
    return Alert(kind=kind, title=title, script=state.guidance or "", channel=state.channel)


class _CauseBanner(Static):
    """A banner that says why, and shows that turn when clicked (``jump``: the screen
    handles :class:`~tui.messages.ShowVerdictCause` and binds F7)."""

    cause: VerdictCause | None = None

    def __init__(self, *, id: str | None = None, jump: bool = True) -> None:
        super().__init__(id=id)
        self.jump = jump

    def _append_cause(self, t: Text, state: SessionState | None) -> None:
        text = cause_text(state, self.cause) if state is not None else ""
        jump = self.jump and self.cause is not None and self.cause.source != "override"
        self.tooltip = "点击或按 F7 查看依据" if text and jump else None
        if text:
            t.append(f"\n{text}")
            if jump:
                t.append("  (F7 看依据)", style="dim")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if self.jump and self.cause is not None:
            self.post_message(ShowVerdictCause(self.cause))


class EmergencyBanner(_CauseBanner):
    """RED banner naming the number to transfer to (110/119/120/122)."""

    def show_state(self, state: SessionState | None) -> None:
        alert = emergency_alert(state)
        self.display = alert is not None
        self.cause = emergency_cause(state)
        if alert is None:
            return
        t = Text()
        if alert.channel:  # transfer to the emergency number
            t.append(f" ⚠ 紧急 · 立即转接 {alert.channel} ", style="bold reverse")
        else:  # an accepted 2-hour emergency: dispatch to the department's repair service
            t.append(" ⚠ 紧急 · 立即派单抢修 ", style="bold reverse")
        t.append(f" {alert.title}")
        if alert.script:
            t.append(f"\n话术：{alert.script}")
        self._append_cause(t, state)
        self.update(t)


class ReferralBanner(_CauseBanner):
    """Out-of-scope request: the referral and the script to say."""

    def show_state(self, state: SessionState | None) -> None:
        alert = referral_alert(state)
        self.display = alert is not None
        self.cause = state.verdict_cause if alert is not None and state is not None else None
        if alert is None:
            return
        t = Text()
        label_ = "转办引导" if alert.kind == "refer" else "不予受理"
        t.append(f" {label_} ", style="bold reverse")
        t.append(f" {alert.title}")
        if alert.channel:
            t.append(f"（{channel_text(alert.channel)}）")
        if alert.script:
            t.append(f"\n话术：{alert.script}")
        self._append_cause(t, state)
        self.update(t)


class ScriptsPanel(Static):
    """Empathy when upset, the next question, read-back and closing scripts."""

    BORDER_TITLE = "话术提示"

    def show_state(
        self, state: SessionState | None, *, readback: str | None, submitted: bool = False
    ) -> None:
        t = Text()
        if submitted:
            t.append("结束语：", style="bold #87d787")
            t.append(CLOSING_SCRIPT)
            self.update(t)
            return
        if state is None:
            t.append("开场：", style="bold")
            t.append("您好，这里是12345政务服务便民热线，请问有什么可以帮您？")
            self.update(t)
            return
        if state.empathy_script:
            if state.emotion == "calm":
                t.append("回应：", style="bold")
            else:
                mood = EMOTION_LABELS.get(state.emotion, state.emotion)
                t.append(f"安抚（{mood}）：", style="bold #ffaf00")
            t.append(state.empathy_script + "\n")
        if state.next_question:
            missing = [
                FIELD_LABELS[n]
                for n, f in state.fields.items()
                if n in FIELD_LABELS and not f.value
            ]
            t.append("下一问", style="bold #5fafff")
            if missing:
                t.append(f"（缺 {'、'.join(missing[:3])}）", style="dim")
            t.append("：" + state.next_question + "\n")
        if readback:
            t.append("复述：", style="bold")
            t.append(readback + "\n")
        t.append("结束语：", style="bold dim")
        t.append(CLOSING_SCRIPT, style="dim")
        self.update(t)
