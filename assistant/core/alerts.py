"""Alerts the session raises from the caller's words: emergency transfer or dispatch,
referral to another channel, decline, and "I have called about this before".

Alerts are deduplicated by (kind, channel, rule): the first one of a kind stays.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from assistant.core.readback import script_text
from assistant.core.state import Alert
from assistant.labels import CHANNEL_LABELS, REASON_PHRASES, label
from knowledge.rules import EMERGENCY_CHANNELS
from knowledge.types import Analysis

# The caller says they reported this before: 我上周已经打过了 / 这是第三次打 / 反映了好几次
_REPEAT_CALL_RE = re.compile(
    r"(已经|之前|上次|以前|早就|都|也|好几次|多次|几次|前几天|昨天|前天|上周|上个月).{0,6}"
    r"(打过|反映过|投诉过|来过电话)(?!\s*(110|119|120|122|\d))"
    r"|第[二两三四五六七八九十几\d]+次(打|来电|反映|投诉)"
    r"|(打|反映|投诉)了(好几|好多|多|几|[二两三四五六七八九十\d]+)(次|回|遍)"
)


def scope_alert(a: Analysis, engine: Any, at: float | None) -> Alert | None:
    """The alert an analysis of the caller's words calls for, if any: an emergency (transfer
    to 110/119/120/122, or immediate dispatch of an accepted 2-hour emergency), a referral or
    a decline. ``at`` is the call time of the caller's last segment."""
    scripts = getattr(engine, "scripts", None)
    emergency = a.urgency == "emergency" or (
        a.verdict == "refer" and a.channel in EMERGENCY_CHANNELS
    )
    if emergency and a.channel:
        script = a.guidance or ""
        if scripts is not None:
            with contextlib.suppress(Exception):
                script = a.guidance or scripts.emergency(a.channel)
        return Alert(
            kind="emergency",
            title=f"紧急情况：请立即转接{a.channel}",
            script=script,
            channel=a.channel,
            rule_id=a.rule_id,
            at=at,
        )
    if emergency and a.verdict == "accept" and a.categories:
        # An accepted 2-hour emergency (gas leak, fallen live wire, burst main): no
        # 110/119 transfer, but immediate dispatch to the department's emergency repair.
        department = a.categories[0].leaf.department
        script = a.guidance or ""
        if scripts is not None:
            with contextlib.suppress(Exception):
                script = scripts.urgent_dispatch(department)
        return Alert(
            kind="emergency",
            title=f"紧急诉求：立即转{department}抢修（2小时内处置）",
            script=script,
            channel=None,
            rule_id=a.rule_id,
            at=at,
        )
    if a.verdict in ("refer", "decline"):
        if a.verdict == "refer":
            name = label(CHANNEL_LABELS, a.channel, "其他渠道")
            if scripts is not None and a.channel:
                with contextlib.suppress(Exception):
                    name = scripts.channel_name(a.channel)
            title = f"非热线受理范围：建议引导至{name}"
        else:
            why = label(REASON_PHRASES, a.reason, "不属于受理范围")
            title = f"不予受理：{why}"
        return Alert(
            kind=a.verdict,
            title=title,
            script=a.guidance or "",
            channel=a.channel,
            rule_id=a.rule_id,
            at=at,
        )
    return None


def repeat_caller_alert(text: str, engine: Any, at: float) -> Alert | None:
    """An alert when the caller says they reported this before (one caller segment)."""
    if not _REPEAT_CALL_RE.search(text):
        return None
    return Alert(
        kind="repeat_caller",
        title="来电人说此前已反映过：查该号码的历史工单，可并入",
        script=script_text(engine, "repeat_caller") or "",
        at=at,
    )


def add_alert(alerts: list[Alert], alert: Alert | None) -> None:
    """Append ``alert`` unless it is None or one of the same kind/channel/rule is listed."""
    if alert is None:
        return
    key = (alert.kind, alert.channel, alert.rule_id)
    if any((x.kind, x.channel, x.rule_id) == key for x in alerts):
        return
    alerts.append(alert)
