"""Display labels: the Chinese a call-taker reads for each code the core uses.

One table per kind of code (speaker, field, field status, verdict, urgency, emotion,
referral channel, decline reason, deadline class, ticket status, audit actor and action,
duplicate reason). Every screen, report and command takes its labels from here.

A few outputs word some codes their own way (the headless ``hotline`` commands print
"转办/转接" where the TUI shows "转办/引导"). Those outputs are fixed formats, so their
wording is kept, as the ``*_TEXT`` tables at the end: deliberately different, in one place.

Pure data: no imports beyond the standard library.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTOR_LABELS",
    "AUDIT_ACTION_LABELS",
    "AUDIT_ACTION_TEXT",
    "CHANNEL_LABELS",
    "DEADLINE_LABELS",
    "DUPLICATE_REASON_LABELS",
    "EMERGENCY_CHANNELS",
    "EMOTION_LABELS",
    "EMOTION_TEXT",
    "FIELD_LABELS",
    "FIELD_STATUS_LABELS",
    "REASON_LABELS",
    "SPEAKER_LABELS",
    "SPEAKER_TEXT",
    "TICKET_FIELD_LABELS",
    "TICKET_FIELD_TEXT",
    "TICKET_STATUS_LABELS",
    "TICKET_STATUS_TEXT",
    "URGENCY_LABELS",
    "VERDICT_LABELS",
    "VERDICT_TEXT",
]

SPEAKER_LABELS: Final[dict[str, str]] = {"caller": "来电人", "agent": "话务员"}

#: The ticket form's fields, in form order (``assistant.state.TICKET_FIELDS``).
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

#: Referral channels that are emergency lines (the banner, not the referral notice).
EMERGENCY_CHANNELS: Final[frozenset[str]] = frozenset({"110", "119", "120", "122"})

REASON_LABELS: Final[dict[str, str]] = {
    "superstition": "涉及封建迷信",
    "private_matter": "私人事务",
    "unlawful_demand": "诉求违法",
    "no_substance": "无实质诉求",
    "no_factual_basis": "缺乏事实依据",
    "already_concluded": "已依法办结",
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
    "closed": "办结", "reopened": "重开",
}  # fmt: skip

#: Why the store thinks a ticket may be a duplicate (``DuplicateMatch.reason``).
DUPLICATE_REASON_LABELS: Final[dict[str, str]] = {
    "same_address_category": "同地址同分类",
    "similar_text": "诉求相似",
}


# ---- the fixed wording of particular outputs ------------------------------------------------

#: ``hotline session show`` / ``hotline ticket`` / the practice score: verdicts.
VERDICT_TEXT: Final[dict[str, str]] = {
    "accept": "受理",
    "refer": "转办/转接",
    "decline": "不予受理",
}
#: ``hotline session show``: the caller's emotion.
EMOTION_TEXT: Final[dict[str, str]] = {"calm": "平静", "angry": "激动", "distressed": "焦急"}
#: ``hotline ticket list/show``: ticket status.
TICKET_STATUS_TEXT: Final[dict[str, str]] = {
    "open": "处理中",
    "closed": "已办结",
    "merged": "已合并",
}
#: ``hotline ticket show``: audit actions.
AUDIT_ACTION_TEXT: Final[dict[str, str]] = {
    "suggested": "建议", "confirmed": "确认", "edited": "修改", "created": "创建",
    "appended": "追加来电", "merged": "合并", "status": "状态",
}  # fmt: skip
#: ``hotline ticket show``: audit field names.
TICKET_FIELD_TEXT: Final[dict[str, str]] = {
    **TICKET_FIELD_LABELS,
    "deadline": "时限", "reason": "不予受理原因", "merged_into": "合并到", "merged_from": "合并自",
}  # fmt: skip
#: ``hotline asr``: the transcript's speakers.
SPEAKER_TEXT: Final[dict[str, str]] = {"caller": "市民", "agent": "话务员"}
