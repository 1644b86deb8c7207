"""Pure text helpers of the UI: Chinese labels, time formatting, read-back text.

Nothing here imports textual, so these are cheap to unit-test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime

from assistant.state import DueTimes, FieldValue, SessionState

FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "phone": "电话",
    "address": "地址",
    "incident_time": "发生时间",
    "category": "分类",
    "summary": "诉求摘要",
}

STATUS_LABELS: dict[str, str] = {
    "suggested": "建议",
    "confirmed": "已确认",
    "edited": "已修改",
    "empty": "待填",
}

SPEAKER_LABELS: dict[str, str] = {"caller": "来电人", "agent": "话务员"}

DEADLINE_LABELS: dict[str, str] = {"2h": "2小时", "24h": "24小时", "7d": "7个工作日"}

CHANNEL_LABELS: dict[str, str] = {
    "110": "110 报警",
    "119": "119 火警",
    "120": "120 急救",
    "122": "122 交通事故",
    "court": "人民法院",
    "petition": "信访部门",
    "arbitration": "劳动人事争议仲裁",
    "consumer_association": "消费者协会",
}

EMERGENCY_CHANNELS: frozenset[str] = frozenset({"110", "119", "120", "122"})

VERDICT_LABELS: dict[str, str] = {"accept": "受理", "refer": "转办/引导", "decline": "不予受理"}

URGENCY_LABELS: dict[str, str] = {"emergency": "紧急", "urgent": "加急", "normal": "一般"}

EMOTION_LABELS: dict[str, str] = {"angry": "情绪激动", "distressed": "焦虑/求助", "calm": "平稳"}


def display_width(text: str) -> int:
    """Terminal cell width of ``text`` (CJK wide characters count as two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Pad ``text`` with spaces to ``width`` terminal cells (wide characters aware)."""
    return text + " " * max(0, width - display_width(text))


def clock_text(seconds: float) -> str:
    """Call-relative seconds as ``mm:ss`` (or ``h:mm:ss`` past an hour)."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def datetime_text(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%m-%d %H:%M")


def due_text(due: DueTimes | None) -> str:
    """``办结时限 7天 · 03-12 09:30 前`` style text for the status bar."""
    if due is None:
        return "时限 —"
    cls = DEADLINE_LABELS.get(due.deadline_class, due.deadline_class)
    return f"时限 {cls} · {datetime_text(due.resolve_by)} 前办结"


def deadline_due(start: datetime, deadline: str) -> datetime:
    """Resolve-by time of a catalogue deadline class counted from ``start`` (the session's
    rule: 2 h, 24 h or 7 working days)."""
    from assistant.session import due_times

    return due_times(start, deadline, "normal").resolve_by


def channel_text(channel: str | None) -> str:
    if not channel:
        return ""
    return CHANNEL_LABELS.get(channel, channel)


def field_value(state: SessionState | None, name: str) -> FieldValue | None:
    if state is None:
        return None
    return state.fields.get(name)


def readback_text(values: Mapping[str, str]) -> str:
    """The read-back script a call-taker says before submitting (复述确认)."""
    parts: list[str] = []
    if values.get("name"):
        parts.append(f"您是{values['name']}")
    if values.get("phone"):
        parts.append(f"联系电话{values['phone']}")
    if values.get("address"):
        parts.append(f"地址是{values['address']}")
    if values.get("incident_time"):
        parts.append(f"时间是{values['incident_time']}")
    if values.get("summary"):
        parts.append(f"您反映的是：{values['summary']}")
    if values.get("category"):
        parts.append(f"我们按“{values['category']}”登记")
    body = "，".join(parts) if parts else "您反映的情况"
    return f"跟您核对一下：{body}。请问是否正确？"


CLOSING_SCRIPT = (
    "您的诉求已经登记，我们会尽快转交相关部门办理，办理结果会及时回复您。感谢您的来电，再见。"
)


def _error_kinds() -> list[tuple[tuple[type[BaseException], ...], str, str]]:
    """Known failures: (exception types, status-bar label or "" for the generic one, what
    to do)."""
    from asr.errors import (
        AudioDeviceError,
        AudioFileError,
        EngineUnavailableError,
        InvalidModelError,
        ModelNotFoundError,
        SampleRateMismatchError,
    )
    from assistant.errors import DraftWriteError, SessionFileError, StoreError

    return [
        (
            (AudioDeviceError,),
            "麦克风不可用（可手动填单）",
            "找不到可用的麦克风/声卡：请插好耳麦，或用 `hotline devices` 查看设备后设置 "
            "input_device。转写已停止，工单可继续手动填写。",
        ),
        (
            (ModelNotFoundError, InvalidModelError, EngineUnavailableError),
            "无中文识别模型（可手动填单）",
            "没有可用的中文识别模型：请管理员运行 `hotline models install whisper-base`"
            "（或下载 vosk-model-small-cn-0.22）。工单可继续手动填写。",
        ),
        ((AudioFileError,), "录音无法读取", "录音无法读取或格式不对，请换一个录音文件。"),
        ((SampleRateMismatchError,), "", "录音无法读取或格式不对，请换一个录音文件。"),
        (
            (DraftWriteError,),
            "草稿无法保存（请尽快提交）",
            "本机草稿无法写入（磁盘已满或数据文件夹不可写）：程序意外退出时这通电话无法恢复，"
            "请尽快按 Ctrl+S 提交工单。",
        ),
        (
            (StoreError,),
            "工单库暂不可写（草稿已保存）",
            "工单库暂时无法写入：填写的内容仍在本机草稿中，请稍后再按 Ctrl+S 提交。",
        ),
        ((SessionFileError,), "", "通话记录文件有问题，请检查该文件夹。"),
    ]


def error_brief(where: str, exc: BaseException) -> str:
    """A few words for the status bar (the notification carries :func:`error_text`)."""
    for kinds, brief, _advice in _error_kinds():
        if isinstance(exc, kinds) and brief:
            return brief
    return f"{where}出错"


def error_text(where: str, exc: BaseException) -> str:
    """What a call-taker reads when background work fails: what happened in Chinese, what to
    do, and the technical detail (for the administrator) last."""
    detail = str(exc).strip() or type(exc).__name__
    for kinds, _brief, advice in _error_kinds():
        if isinstance(exc, kinds):
            return f"{where}出错：{advice}（{detail}）"
    return f"{where}出错：{detail}"


REASON_LABELS: dict[str, str] = {
    "superstition": "涉及封建迷信",
    "private_matter": "私人事务",
    "unlawful_demand": "诉求违法",
    "no_substance": "无实质诉求",
    "no_factual_basis": "缺乏事实依据",
    "already_concluded": "已依法办结",
}
