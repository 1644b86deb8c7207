"""What the call-taker submits: `TicketDraft` (with its validation), `FieldProblem`,
`CallInfo` (the call to link), and the mapping from a live `SessionState` to them
(`TicketDraft.from_session_state`, `suggestions_from_state`, `CallInfo.from_session_state`)."""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.text.phone import is_mobile, phone_key, phone_kind
from assistant.store.records import URGENCIES, VERDICTS

if TYPE_CHECKING:
    from asr.events import TranscriptEvent
    from assistant.core.state import SessionState

__all__ = ["CallInfo", "FieldProblem", "TicketDraft", "suggestions_from_state"]


def _check_phone(phone: str) -> str | None:
    """None when the number looks valid, else a Chinese message for the call-taker."""
    raw = phone.strip()
    if not raw:
        return None
    if re.search(r"[^\d\s\-+()（）]", raw):
        return "电话号码只能包含数字（可带区号分隔符“-”）"
    digits = phone_key(raw)
    if digits.startswith("1"):
        if len(digits) != 11:
            return f"手机号应为 11 位，现在是 {len(digits)} 位"
        if not is_mobile(digits):
            return "手机号第二位应为 3-9"
        return None
    if digits.startswith("0"):
        if phone_kind(digits, area="any") != "landline":
            return "座机号码应为区号（3-4 位，0 开头）加 7-8 位号码"
        return None
    if phone_kind(digits, area="any") == "local":
        return None
    return "电话号码格式不对：手机号为 1 开头的 11 位数字，座机为区号加 7-8 位号码"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field of a draft (``message`` is Chinese, shown in the form)."""

    field: str
    message: str


_DRAFT_FIELD_ALIASES = {"category": "category_id", "caller_name": "name"}


def _dt_to_json(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt_from_json(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TicketDraft:
    """What the call-taker is about to submit. All text fields may be empty.

    ``field_status`` maps a field name (``name``, ``phone``, ``address``, ``incident_time``,
    ``category``, ``summary``, ...) to ``suggested`` / ``confirmed`` / ``edited``.
    """

    name: str = ""
    phone: str = ""
    address: str = ""
    incident_time: str = ""
    category_id: str = ""
    category_path: str = ""
    department: str = ""
    deadline: str = ""
    verdict: str = "accept"
    channel: str | None = None
    reason: str | None = None
    urgency: str = "normal"
    summary: str = ""
    assign_by: datetime | None = None
    resolve_by: datetime | None = None
    field_status: Mapping[str, str] = field(default_factory=dict)

    def value_of(self, name: str) -> str:
        """The text value of a field by its form name (``category`` → category id)."""
        attr = _DRAFT_FIELD_ALIASES.get(name, name)
        value = getattr(self, attr, None)
        if isinstance(value, datetime):
            return value.isoformat()
        return "" if value is None else str(value)

    def validate(self) -> builtins.list[FieldProblem]:
        """Every problem that must be fixed before submitting (empty list = OK)."""
        from knowledge.types import CHANNELS, DEADLINES, REASONS

        problems: list[FieldProblem] = []
        msg = _check_phone(self.phone)
        if msg:
            problems.append(FieldProblem("phone", msg))
        if self.verdict not in VERDICTS:
            problems.append(FieldProblem("verdict", f"受理结论应为 {'/'.join(VERDICTS)}"))
        if self.urgency not in URGENCIES:
            problems.append(FieldProblem("urgency", f"紧急程度应为 {'/'.join(URGENCIES)}"))
        if self.deadline and self.deadline not in DEADLINES:
            problems.append(FieldProblem("deadline", f"办理时限应为 {'/'.join(DEADLINES)}"))
        if self.channel and self.channel not in CHANNELS:
            problems.append(FieldProblem("channel", f"未知的转办渠道：{self.channel}"))
        if self.reason and self.reason not in REASONS:
            problems.append(FieldProblem("reason", f"未知的不予受理原因：{self.reason}"))
        if self.verdict == "accept":
            if not self.address.strip():
                problems.append(FieldProblem("address", "受理工单必须填写地址"))
            if not self.category_id.strip():
                problems.append(FieldProblem("category", "受理工单必须选择分类"))
        if self.verdict == "refer" and not self.channel:
            problems.append(FieldProblem("channel", "转办工单必须选择转办渠道"))
        if not self.summary.strip() and not self.address.strip():
            problems.append(FieldProblem("summary", "请填写诉求摘要"))
        if len(self.name) > 100:
            problems.append(FieldProblem("name", "姓名过长（最多 100 字）"))
        for name in ("assign_by", "resolve_by"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                problems.append(FieldProblem(name, "时间缺少时区"))
        return problems

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["assign_by"] = _dt_to_json(self.assign_by)
        d["resolve_by"] = _dt_to_json(self.resolve_by)
        d["field_status"] = dict(self.field_status)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TicketDraft:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in known}
        kwargs["assign_by"] = _dt_from_json(d.get("assign_by"))
        kwargs["resolve_by"] = _dt_from_json(d.get("resolve_by"))
        kwargs["field_status"] = dict(d.get("field_status") or {})
        return cls(**kwargs)

    @classmethod
    def from_session_state(cls, state: SessionState) -> TicketDraft:
        """The draft the form starts from: the assistant's fields, category and verdict."""
        fv = state.fields

        def val(name: str) -> str:
            f = fv.get(name)
            return f.value if f is not None else ""

        status = {name: f.status for name, f in fv.items() if f.status != "empty"}
        category_id = category_path = department = deadline = ""
        cat = fv.get("category")
        leaves = [s.leaf for s in state.suggestions]
        chosen = None
        if cat is not None and cat.value:
            for leaf in leaves:
                if cat.value in (leaf.id, leaf.path_text, leaf.name):
                    chosen = leaf
                    break
            if chosen is None:
                category_id = cat.value
                category_path = cat.extra.get("path", "")
                department = cat.extra.get("department", "")
                deadline = cat.extra.get("deadline", "")
        elif leaves and not state.uncertain and state.verdict == "accept":
            chosen = leaves[0]
            status["category"] = "suggested"
        if chosen is not None:
            category_id = chosen.id
            category_path = chosen.path_text
            department = chosen.department
            deadline = chosen.deadline
        if state.due is not None and not deadline:
            deadline = state.due.deadline_class
        return cls(
            name=val("name"),
            phone=val("phone"),
            address=val("address"),
            incident_time=val("incident_time"),
            category_id=category_id,
            category_path=category_path,
            department=department,
            deadline=deadline,
            verdict=state.verdict,
            channel=state.channel,
            reason=state.reason,
            urgency=state.urgency,
            summary=val("summary") or state.summary,
            assign_by=state.due.assign_by if state.due else None,
            resolve_by=state.due.resolve_by if state.due else None,
            field_status=status,
        )


def suggestions_from_state(state: SessionState) -> dict[str, str]:
    """What the assistant proposed, per field, for the audit trail of `TicketStore.submit`.

    For a field the call-taker edited, the session keeps the assistant's original value in
    ``FieldValue.extra["suggested"]``; fields typed without any suggestion are left out.
    """
    out: dict[str, str] = {}
    for name, f in state.fields.items():
        original = f.extra.get("suggested")
        if original:
            out[name] = original
        elif f.status in ("suggested", "confirmed") and f.value:
            out[name] = f.value
    if "category" not in out and state.suggestions and not state.uncertain:
        out["category"] = state.suggestions[0].leaf.id
    out.setdefault("verdict", state.verdict)
    out.setdefault("urgency", state.urgency)
    return out


def _changes_from_ops(ops: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for op in ops:
        kind = op.get("op")
        at = op.get("at")
        if kind == "set_field":
            action = "confirmed" if op.get("status") == "confirmed" else "edited"
            out.append({"at": at, "action": action, "field": op["name"], "value": op["value"]})
        elif kind == "confirm_field":
            out.append({"at": at, "action": "confirmed", "field": op["name"], "value": None})
        elif kind == "choose_category":
            out.append(
                {"at": at, "action": "confirmed", "field": "category", "value": op["leaf_id"]}
            )
    return out


@dataclass(frozen=True, slots=True)
class CallInfo:
    """A call to link with a ticket (the transcript or the folder the session was saved in)."""

    call_id: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    transcript: tuple[TranscriptEvent, ...] = ()
    session_path: str | None = None
    # The call-taker's changes during the call, in order: {"at": call seconds, "action":
    # "edited" | "confirmed", "field", "value"} (from CallSession.ops); each becomes an audit
    # row stamped with the moment it happened.
    changes: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_session_state(
        cls,
        state: SessionState,
        *,
        ended_at: datetime | None = None,
        session_path: str | Path | None = None,
        ops: Sequence[Mapping[str, Any]] = (),
    ) -> CallInfo:
        started = state.started_at
        if started.tzinfo is None:
            started = started.astimezone()
        return cls(
            call_id=state.call_id,
            started_at=started,
            ended_at=ended_at,
            transcript=tuple(e for e in state.transcript if e.final),
            session_path=str(session_path) if session_path is not None else None,
            changes=tuple(_changes_from_ops(ops)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": _dt_to_json(self.started_at),
            "ended_at": _dt_to_json(self.ended_at),
            "transcript": [e.to_dict() for e in self.transcript],
            "session_path": self.session_path,
        }
