"""TicketDraft validation and construction, address/phone keys, and the masking functions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr.events import TranscriptEvent
from assistant.core.state import DueTimes, FieldValue, SessionState
from assistant.privacy import mask_address, mask_name, mask_phone, mask_text
from assistant.store import (
    CallInfo,
    TicketDraft,
    normalize_address,
    normalize_phone,
    suggestions_from_state,
)
from knowledge.types import Evidence, Leaf, Suggestion

BJ = timezone(timedelta(hours=8))


def _fields(draft: TicketDraft) -> set[str]:
    return {p.field for p in draft.validate()}


def _ok(**kw: Any) -> TicketDraft:
    base: dict[str, Any] = {
        "address": "幸福小区3号楼",
        "category_id": "cg-1",
        "summary": "下水道堵塞",
    }
    base.update(kw)
    return TicketDraft(**base)


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "138 0013 8000", "+86 139-1234-5678", "010-62345678", "0512-6234567",
     "62345678", ""],
)  # fmt: skip
def test_valid_phones(phone: str) -> None:
    assert _fields(_ok(phone=phone)) == set()


@pytest.mark.parametrize(
    ("phone", "fragment"),
    [("1380013800", "11 位"), ("138001380001", "11 位"), ("12800138000", "3-9"),
     ("010-1234", "区号"), ("abc123", "只能包含数字"), ("12345", "11 位"), ("999", "格式")],
)  # fmt: skip
def test_invalid_phones_name_the_problem(phone: str, fragment: str) -> None:
    problems = _ok(phone=phone).validate()
    assert [p.field for p in problems] == ["phone"]
    assert fragment in problems[0].message


def test_accept_needs_address_and_category_but_not_name() -> None:
    assert _fields(_ok(name="")) == set()
    assert _fields(_ok(address="")) == {"address"}
    assert _fields(_ok(category_id="")) == {"category"}
    # a referral or a declined request needs neither address nor category
    assert _fields(_ok(verdict="refer", channel="110", address="", category_id="")) == set()
    assert _fields(_ok(verdict="refer", address="")) == {"channel"}
    assert _fields(_ok(verdict="decline", reason="superstition", category_id="")) == set()
    assert _fields(_ok(verdict="maybe", urgency="asap", deadline="3d")) == {
        "verdict", "urgency", "deadline"}  # fmt: skip
    assert _fields(_ok(channel="999")) == {"channel"}
    assert _fields(_ok(assign_by=datetime(2026, 1, 1))) == {"assign_by"}  # naive time


def test_draft_round_trips_through_json_dict() -> None:
    d = _ok(name="张三", assign_by=datetime(2026, 11, 24, 10, tzinfo=BJ),
            field_status={"name": "edited"})  # fmt: skip
    assert TicketDraft.from_dict(d.to_dict()) == d


def _state(fields: dict[str, FieldValue], *, uncertain: bool = False) -> SessionState:
    leaf = Leaf(id="cg-drain", path=("城乡建设", "排水", "下水道堵塞"), department="水务",
                deadline="24h")  # fmt: skip
    other = Leaf(id="cg-road", path=("交通", "道路", "路面破损"), department="交通运输",
                 deadline="7d")  # fmt: skip
    start = datetime(2026, 11, 24, 9, 0, tzinfo=BJ)
    return SessionState(
        call_id="c-42",
        started_at=start,
        transcript=(
            TranscriptEvent("caller", "下水道堵了", 0.5, 1.5, True),
            TranscriptEvent("caller", "下水", 1.6, 1.9, False),
        ),
        partials={},
        fields=fields,
        suggestions=(Suggestion(leaf, 0.8, Evidence()), Suggestion(other, 0.3, Evidence())),
        uncertain=uncertain,
        verdict="accept",
        channel=None,
        reason=None,
        guidance=None,
        urgency="urgent",
        due=DueTimes(start + timedelta(hours=2), start + timedelta(hours=24), "24h"),
        emotion="calm",
        empathy_script=None,
        next_question=None,
        summary="下水道堵塞",
        alerts=(),
    )


def test_from_session_state_takes_fields_category_and_due_times() -> None:
    state = _state(
        {
            "name": FieldValue("name", "张三", 0.9, status="edited", extra={"suggested": "张山"}),
            "phone": FieldValue("phone", "13800138000", 0.9, status="confirmed"),
            "address": FieldValue("address", "幸福小区3号楼", 0.7),
            "category": FieldValue("category", "cg-road", 1.0, status="confirmed"),
        }
    )
    d = TicketDraft.from_session_state(state)
    assert (d.name, d.phone, d.address, d.summary) == ("张三", "13800138000", "幸福小区3号楼",
                                                      "下水道堵塞")  # fmt: skip
    assert (d.category_id, d.category_path, d.department, d.deadline) == (
        "cg-road", "交通 > 道路 > 路面破损", "交通运输", "7d")  # fmt: skip
    assert d.urgency == "urgent" and d.verdict == "accept"
    assert d.assign_by == datetime(2026, 11, 24, 11, 0, tzinfo=BJ)
    assert d.field_status == {"name": "edited", "phone": "confirmed", "address": "suggested",
                              "category": "confirmed"}  # fmt: skip
    assert d.validate() == []
    sugg = suggestions_from_state(state)
    assert sugg["name"] == "张山"  # the assistant's value before the edit
    assert sugg["phone"] == "13800138000" and sugg["category"] == "cg-road"
    call = CallInfo.from_session_state(state, session_path="/x/c-42")
    assert call.call_id == "c-42" and [e.text for e in call.transcript] == ["下水道堵了"]


def test_from_session_state_without_category_field_uses_top_suggestion_unless_uncertain() -> None:
    d = TicketDraft.from_session_state(_state({}))
    assert d.category_id == "cg-drain" and d.field_status["category"] == "suggested"
    d2 = TicketDraft.from_session_state(_state({}, uncertain=True))
    assert d2.category_id == "" and {p.field for p in d2.validate()} >= {"category", "address"}


def test_address_normaliser_and_phone_key() -> None:
    a = normalize_address("朝阳区 幸福小区 三号楼 2单元 1201室")
    assert a == normalize_address("朝阳区幸福小区3栋2单元1201室")
    assert a != normalize_address("朝阳区幸福小区5栋2单元1201室")
    assert normalize_address("十二号楼") == normalize_address("12栋")
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    assert normalize_phone("010-62345678") == "01062345678"


# --------------------------------------------------------------------------- masking
def test_mask_examples() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 13800138000") == "+86 138****8000"
    assert mask_phone("010-62345678") == "010-****5678"
    assert mask_phone("01062345678") == "010-****5678"
    assert mask_phone("0512-6234567") == "0512-***4567"
    assert mask_phone("62345678") == "****5678"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*"
    assert mask_name("王建国") == "王**"
    assert mask_name("张") == "*"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_address("朝阳区建国路88号3栋2单元1201室") == "朝阳区建国路**号*栋*单元****室"
    assert mask_address("幸福小区三号楼") == "幸福小区*号楼"
    assert mask_text("我叫张三，电话13800138000，身份证110101199003071234", names=("张三",)) == (
        "我叫张*，电话138****8000，身份证110101********1234")  # fmt: skip


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_never_leaks_the_middle_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == 11 and masked[3:7] == "****"
    assert masked[:3] == phone[:3] and masked[7:] == phone[7:]
    assert phone not in mask_text(f"回电{phone}谢谢")


@given(st.text(min_size=0, max_size=30))
def test_masking_never_raises_and_always_hides_digits(text: str) -> None:
    for fn in (mask_phone, mask_name, mask_address, mask_text):
        assert isinstance(fn(text), str)
    if sum(c in "0123456789" for c in text) >= 3:
        assert "*" in mask_phone(text)
