"""Pure presentation helpers of the UI: Chinese labels, time formatting, read-back text,
the form's values of a session state, what a list shows of a ticket, and what the status
bar says of the knowledge engine.

Nothing here imports textual, so these are cheap to unit-test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from assistant.core.state import DueTimes, SessionState
from assistant.labels import CHANNEL_LABELS, DEADLINE_LABELS, DUPLICATE_REASON_LABELS, FIELD_LABELS
from knowledge.types import Leaf

if TYPE_CHECKING:
    from assistant.store import DuplicateMatch, Ticket
    from knowledge.catalogue import Catalogue
    from knowledge.engine import KnowledgeEngine


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
    from assistant.core.deadlines import due_times

    return due_times(start, deadline, "normal").resolve_by


def channel_text(channel: str | None) -> str:
    if not channel:
        return ""
    return CHANNEL_LABELS.get(channel, channel)


def form_values(state: SessionState | None, leaf: Leaf | None) -> dict[str, str]:
    """The ticket form's text per field (the category as the leaf's path)."""
    out = {name: "" for name in FIELD_LABELS}
    if state is None:
        return out
    for name in FIELD_LABELS:
        fv = state.fields.get(name)
        out[name] = fv.value if fv else ""
    if leaf is not None:
        out["category"] = leaf.path_text
    return out


def leaf_for_state(catalogue: Catalogue | None, state: SessionState | None) -> Leaf | None:
    """The catalogue leaf the session's category field names (id in extra, or path/name)."""
    if state is None:
        return None
    fv = state.fields.get("category")
    if fv is None or not fv.value:
        return None
    if catalogue is not None:
        leaf = catalogue.get(fv.extra.get("leaf_id") or fv.value)
        if leaf is not None:
            return leaf
    for s in state.suggestions:
        if fv.value in (s.leaf.id, s.leaf.path_text, s.leaf.name):
            return s.leaf
    for lf in catalogue.leaves if catalogue is not None else ():
        if fv.value in (lf.id, lf.path_text, lf.name):
            return lf
    return None


SemanticState = Literal["ready", "loading", "off", "failed"]


def semantic_state(engine: KnowledgeEngine | None) -> SemanticState:
    """``ready`` | ``loading`` | ``off`` (no embedding backend) | ``failed``."""
    if engine is None:
        return "loading"
    if engine.semantic_ready:
        return "ready"
    # (the tests' keyword-only engine has neither attribute)
    if getattr(engine, "embedding_error", None) is not None:
        return "failed"
    if str(getattr(engine, "backend_description", "")).startswith("none"):
        return "off"
    return "loading"


def form_readback(
    engine: KnowledgeEngine | None, state: SessionState, values: Mapping[str, str]
) -> str:
    """The read-back the call-taker says: the knowledge base's script filled with the
    session's fields, else :func:`readback_text` of the form's values."""
    from assistant.core.readback import readback

    return readback(state, engine) or readback_text(values)


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
    from assistant.errors import DraftWriteError, SessionFileError, StoreError, StoreFileGoneError

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
            (StoreFileGoneError,),
            "工单库文件不见了（请联系管理员）",
            "工单库文件已不存在（数据文件夹可能被删除或移走）：工单没有保存，重试也无法保存。"
            "填写的内容仍在本机草稿中：请联系管理员恢复数据文件夹，然后重启程序，恢复这通电话后再提交。",
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


@dataclass(frozen=True, slots=True)
class TicketBrief:
    """What a list or a notice shows of a stored ticket."""

    ticket: Ticket
    key: str  # the store's id, as text
    number: str
    status: str
    created: str
    category: str
    address: str
    summary: str
    phone: str
    reason: str = ""  # why it is a possible duplicate (Chinese), for a duplicate match


def ticket_brief(ticket: Ticket, reason: str = "") -> TicketBrief:
    return TicketBrief(
        ticket=ticket,
        key=str(ticket.id),
        number=str(ticket.number),
        status=str(ticket.status),
        created=ticket.created_at.strftime("%Y-%m-%d %H:%M"),
        category=str(ticket.category_path),
        address=str(ticket.address),
        summary=str(ticket.summary),
        phone=str(ticket.phone),
        reason=reason,
    )


def match_brief(match: DuplicateMatch) -> TicketBrief:
    return ticket_brief(match.ticket, DUPLICATE_REASON_LABELS.get(match.reason, match.reason))


def ticket_briefs(tickets: Iterable[Ticket]) -> list[TicketBrief]:
    return [ticket_brief(t) for t in tickets]


def match_briefs(matches: Iterable[DuplicateMatch]) -> list[TicketBrief]:
    return [match_brief(m) for m in matches]
