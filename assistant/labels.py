"""Display labels: the Chinese a call-taker reads for each code the core uses.

One table per kind of code (speaker, field, field status, verdict, urgency, emotion,
referral channel, decline reason, deadline class, ticket status, audit actor and action,
duplicate reason). Every screen, report and command takes its labels from here.

Full institution names spoken inside scripts (``公安机关（110报警服务台）``) are data, in
``knowledge/data/scripts.yaml`` (``channel_names``); these are the short labels of a screen
column, a status line or a command's output.

Pure data: no imports beyond the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "ACTOR_LABELS",
    "AUDIT_ACTION_LABELS",
    "CHANNEL_LABELS",
    "DEADLINE_LABELS",
    "DUPLICATE_REASON_LABELS",
    "EMOTION_LABELS",
    "FIELD_LABELS",
    "FIELD_STATUS_LABELS",
    "QA_STATUS_LABELS",
    "REASON_LABELS",
    "REASON_PHRASES",
    "SPEAKER_LABELS",
    "TICKET_FIELD_LABELS",
    "TICKET_STATUS_LABELS",
    "URGENCY_LABELS",
    "VERDICT_LABELS",
    "label",
]

SPEAKER_LABELS: Final[dict[str, str]] = {"caller": "来电人", "agent": "话务员"}

#: The ticket form's fields, in form order (``assistant.core.state.TICKET_FIELDS``).
FIELD_LABELS: Final[dict[str, str]] = {
    "name": "姓名",
    "phone": "电话",
    "address": "地址",
    "incident_time": "发生时间",
    "category": "分类",
    "summary": "诉求摘要",
}

#: Every field of a stored ticket (and of its audit trail): the form's plus what the store
#: records after submit.
TICKET_FIELD_LABELS: Final[dict[str, str]] = {
    **FIELD_LABELS,
    "category_id": "分类", "category_path": "分类路径", "department": "承办部门",
    "deadline": "办理时限", "verdict": "受理结论", "channel": "转办渠道", "reason": "不受理原因",
    "urgency": "紧急程度", "call": "来电", "merged_into": "并入", "merged_from": "并入本单",
    "status": "状态",
}  # fmt: skip

#: How a field's value came about (``FieldValue.status``).
FIELD_STATUS_LABELS: Final[dict[str, str]] = {
    "suggested": "建议",
    "confirmed": "已确认",
    "edited": "已修改",
    "empty": "待填",
}

VERDICT_LABELS: Final[dict[str, str]] = {
    "accept": "受理",
    "refer": "转办/引导",
    "decline": "不予受理",
}

URGENCY_LABELS: Final[dict[str, str]] = {"emergency": "紧急", "urgent": "加急", "normal": "一般"}

EMOTION_LABELS: Final[dict[str, str]] = {
    "angry": "情绪激动",
    "distressed": "焦虑/求助",
    "calm": "平稳",
}

CHANNEL_LABELS: Final[dict[str, str]] = {
    "110": "110 报警",
    "119": "119 火警",
    "120": "120 急救",
    "122": "122 交通事故",
    "court": "人民法院",
    "petition": "信访部门",
    "arbitration": "劳动人事争议仲裁",
    "consumer_association": "消费者协会",
}

REASON_LABELS: Final[dict[str, str]] = {
    "superstition": "涉及封建迷信",
    "private_matter": "私人事务",
    "unlawful_demand": "诉求违法",
    "no_substance": "无实质诉求",
    "no_factual_basis": "缺乏事实依据",
    "already_concluded": "已依法办结",
}

#: A decline reason as the alert states it ("不予受理：属于家庭纠纷等私人事务"): the full
#: phrase of the scope rule, where :data:`REASON_LABELS` is the short label of a column.
REASON_PHRASES: Final[dict[str, str]] = {
    "superstition": "涉及封建迷信",
    "private_matter": "属于家庭纠纷等私人事务",
    "unlawful_demand": "诉求违反法律法规",
    "no_substance": "无实质诉求",
    "no_factual_basis": "缺乏事实依据",
    "already_concluded": "已依法办结或信访终结",
}

DEADLINE_LABELS: Final[dict[str, str]] = {"2h": "2小时", "24h": "24小时", "7d": "7个工作日"}

TICKET_STATUS_LABELS: Final[dict[str, str]] = {
    "open": "办理中",
    "closed": "已办结",
    "merged": "已合并",
}

ACTOR_LABELS: Final[dict[str, str]] = {
    "assistant": "助手",
    "call_taker": "话务员",
    "system": "系统",
}

AUDIT_ACTION_LABELS: Final[dict[str, str]] = {
    "created": "创建", "suggested": "助手建议", "confirmed": "已确认", "edited": "已修改",
    "appended": "追加来电", "merged": "合并", "status": "状态变更", "updated": "更新",
    "closed": "办结", "reopened": "重开", "disclosed": "明文输出",
}  # fmt: skip

#: Why the store thinks a ticket may be a duplicate (``DuplicateMatch.reason``).
DUPLICATE_REASON_LABELS: Final[dict[str, str]] = {
    "same_address_category": "同地址同分类",
    "similar_text": "诉求相似",
}

#: A QA scorecard item's outcome.
QA_STATUS_LABELS: Final[dict[str, str]] = {"pass": "通过", "fail": "未通过", "na": "不适用"}


def label(table: Mapping[str, str], code: str | None, default: str = "") -> str:
    """``table[code]``; the code itself when the table does not know it; ``default`` for none."""
    if not code:
        return default
    return table.get(code, code)
