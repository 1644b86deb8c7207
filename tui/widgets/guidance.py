"""Banners (emergency transfer, out-of-scope referral) and the scripts to say."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.widgets import Static

from assistant.core.state import Alert, SessionState
from assistant.labels import CHANNEL_LABELS, EMOTION_LABELS, FIELD_LABELS
from knowledge.rules import EMERGENCY_CHANNELS
from tui.format import CLOSING_SCRIPT, channel_text


def emergency_alert(state: SessionState | None) -> Alert | None:
    if state is None:
        return None
    for alert in state.alerts:
        if alert.kind == "emergency":
            return alert
    if state.channel in EMERGENCY_CHANNELS and state.verdict == "refer":
        return Alert(
            kind="emergency",
            title=f"紧急情况：请立即转接 {CHANNEL_LABELS[state.channel]}",
            script=state.guidance or "",
            channel=state.channel,
        )
    return None


def referral_alert(state: SessionState | None) -> Alert | None:
    if state is None:
        return None
    for alert in state.alerts:
        if alert.kind in ("refer", "decline") and alert.channel not in EMERGENCY_CHANNELS:
            return alert
    if state.verdict in ("refer", "decline") and state.channel not in EMERGENCY_CHANNELS:
        title = (
            f"不属于12345受理范围：请引导至 {channel_text(state.channel)}"
            if state.verdict == "refer"
            else "不予受理情形"
        )
        kind: Literal["refer", "decline"] = "refer" if state.verdict == "refer" else "decline"
        return Alert(
            kind=kind,
            title=title,
            script=state.guidance or "",
            channel=state.channel,
        )
    return None


class EmergencyBanner(Static):
    """RED banner naming the number to transfer to (110/119/120/122)."""

    def show_state(self, state: SessionState | None) -> None:
        alert = emergency_alert(state)
        self.display = alert is not None
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
        self.update(t)


class ReferralBanner(Static):
    """Out-of-scope request: the referral and the script to say."""

    def show_state(self, state: SessionState | None) -> None:
        alert = referral_alert(state)
        self.display = alert is not None
        if alert is None:
            return
        t = Text()
        label = "转办引导" if alert.kind == "refer" else "不予受理"
        t.append(f" {label} ", style="bold reverse")
        t.append(f" {alert.title}")
        if alert.channel:
            t.append(f"（{channel_text(alert.channel)}）")
        if alert.script:
            t.append(f"\n话术：{alert.script}")
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
