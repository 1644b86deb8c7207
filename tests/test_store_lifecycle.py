"""Ticket life cycle on both real backends: submit, audit trail, update, append call, merge,
close, duplicates, caller history and export (masked / unmasked)."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, cast

import pytest
from store_fixtures import BEIJING, FakeClock, db_url, make_draft, pg_server, pg_url  # noqa: F401

from asr.events import TranscriptEvent
from assistant.errors import FieldInvalidError, StoreError
from assistant.files.export import export_tickets, render
from assistant.store import (
    CallInfo,
    DraftInvalidError,
    TicketNotFoundError,
    TicketStore,
    normalize_address,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[TicketStore]:  # noqa: F811
    s = TicketStore.open(db_url, seat_id="seat-7", duplicate_window_days=30, clock=clock,
                         tz=BEIJING)  # fmt: skip
    yield s
    s.dispose()


def _call(call_id: str = "call-1") -> CallInfo:
    return CallInfo(
        call_id=call_id,
        started_at=datetime(2026, 11, 24, 9, 20, tzinfo=BEIJING),
        ended_at=datetime(2026, 11, 24, 9, 28, tzinfo=BEIJING),
        transcript=(
            TranscriptEvent("caller", "我们小区下水道堵了", 1.0, 2.5, True),
            TranscriptEvent("agent", "请问具体地址是哪里", 2.6, 4.0, True),
        ),
    )


def test_submit_stores_ticket_audit_trail_and_call(store: TicketStore) -> None:
    draft = make_draft()
    ticket = store.submit(
        draft,
        suggestions={"name": "张山", "category": "cg-drain-blocked", "phone": "13800138000"},
        call=_call(),
    )
    assert ticket.number == "12345-20261124-0001"
    assert ticket.status == "open"
    assert (ticket.name, ticket.phone, ticket.seat_id) == ("张三", "13800138000", "seat-7")
    # 三号楼 and 3栋 (and spaces) give the same duplicate-detection key
    assert ticket.address_norm == normalize_address("朝阳区 幸福小区 3栋 2单元")
    assert ticket.created_at.astimezone(BEIJING) == datetime(2026, 11, 24, 9, 30, tzinfo=BEIJING)
    assert store.schema_version() == 1

    trail = store.audit(ticket.number)
    suggested = {(a.field, a.new_value) for a in trail if a.action == "suggested"}
    assert suggested == {("name", "张山"), ("category", "cg-drain-blocked"),
                         ("phone", "13800138000")}  # fmt: skip
    assert all(a.actor == "assistant" for a in trail if a.action == "suggested")
    by_field = {a.field: a for a in trail if a.actor == "call_taker" and a.field}
    assert (by_field["name"].action, by_field["name"].old_value, by_field["name"].new_value) == (
        "edited", "张山", "张三")  # fmt: skip
    assert by_field["category"].action == "confirmed"
    assert by_field["phone"].action == "confirmed"
    assert by_field["address"].action == "confirmed"  # field_status says confirmed
    created = [a for a in trail if a.action == "created"]
    assert len(created) == 1 and created[0].new_value == ticket.number
    assert {a.seat for a in trail} == {"seat-7"}

    calls = store.calls(ticket.id)
    assert [c.call_id for c in calls] == ["call-1"]
    assert [e["text"] for e in calls[0].transcript] == ["我们小区下水道堵了", "请问具体地址是哪里"]
    assert calls[0].ended_at is not None


def test_numbers_are_sequential_per_day_and_restart(store: TicketStore, clock: FakeClock) -> None:
    numbers = [store.submit(make_draft()).number for _ in range(3)]
    assert numbers == [f"12345-20261124-000{i}" for i in (1, 2, 3)]
    clock.advance(hours=15)  # 00:30 next day in Beijing, still 24 Nov in UTC
    nxt = store.submit(make_draft())
    assert nxt.number == "12345-20261125-0001"
    # all lookups work: full number, number without prefix, numeric id
    assert store.get("12345-20261124-0002").number == numbers[1]
    assert store.get("20261124-0003").number == numbers[2]
    assert store.get(nxt.id).number == nxt.number
    assert store.get(str(nxt.id)).number == nxt.number
    with pytest.raises(TicketNotFoundError, match="12345-20990101-0001"):
        store.get("12345-20990101-0001")
    assert store.find("20990101-0001") is None


def test_invalid_draft_is_refused_and_nothing_written(store: TicketStore) -> None:
    bad = make_draft(phone="1380013800", address="", category_id="")
    with pytest.raises(DraftInvalidError) as info:
        store.submit(bad)
    assert {p.field for p in info.value.problems} == {"phone", "address", "category"}
    assert isinstance(info.value, FieldInvalidError)
    assert store.count() == 0


def test_submit_is_atomic(store: TicketStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the ticket row was flushed leaves no ticket, no audit, no used number."""

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full while writing the call link")

    monkeypatch.setattr(store, "_call_row", broken)
    with pytest.raises(RuntimeError):
        store.submit(make_draft(), suggestions={"name": "张三"}, call=_call())
    monkeypatch.undo()
    assert store.count() == 0
    ticket = store.submit(make_draft())
    assert ticket.number.endswith("-0001")  # the counter increment was rolled back too
    assert [a.action for a in store.audit(ticket.id)].count("created") == 1


def test_update_field_is_audited(store: TicketStore) -> None:
    t = store.submit(make_draft())
    before = len(store.audit(t.id))
    t2 = store.update_field(
        t.id, "address", "朝阳区幸福小区5号楼", actor="call_taker", seat="seat-9"
    )
    assert t2.address == "朝阳区幸福小区5号楼"
    assert t2.address_norm == normalize_address("朝阳区幸福小区五栋")
    assert t2.address_norm != t.address_norm
    assert t2.updated_at >= t.updated_at
    trail = store.audit(t.id)
    assert len(trail) == before + 1
    last = trail[-1]
    assert (last.action, last.field, last.old_value, last.new_value, last.seat, last.actor) == (
        "edited", "address", "朝阳区幸福小区三号楼2单元", "朝阳区幸福小区5号楼", "seat-9",
        "call_taker")  # fmt: skip
    # same value again: no change, no audit row
    store.update_field(t.id, "address", "朝阳区幸福小区5号楼")
    assert len(store.audit(t.id)) == before + 1
    t3 = store.update_field(t.number, "phone", "010-62345678", actor="system")
    assert t3.phone == "010-62345678"
    assert store.caller_history("01062345678").count == 1
    with pytest.raises(FieldInvalidError) as bad_phone:
        store.update_field(t.id, "phone", "12345")
    assert bad_phone.value.field == "phone"
    with pytest.raises(FieldInvalidError):
        store.update_field(t.id, "created_at", "2020-01-01")
    with pytest.raises(FieldInvalidError):
        store.update_field(t.id, "urgency", "very")


def test_category_changes_as_one_after_submit(store: TicketStore) -> None:
    t = store.submit(make_draft())
    with pytest.raises(FieldInvalidError, match="change_category"):
        store.update_field(t.id, "category_id", "06.01.01")  # would leave a stale path
    t2 = store.change_category(
        t.id,
        category_id="01.06.01",
        category_path="城市管理 > 市政设施 > 路灯不亮",
        department="城市管理",
        deadline="7d",
    )
    assert (t2.category_id, t2.department, t2.deadline) == ("01.06.01", "城市管理", "7d")
    assert t2.category_path.endswith("路灯不亮")
    edited = {a.field for a in store.audit(t.id) if a.action == "edited"}
    assert {"category_id", "category_path", "department", "deadline"} <= edited
    with pytest.raises(FieldInvalidError):
        store.change_category(t.id, category_id="x", category_path="y", department="无此部门",
                              deadline="7d")  # fmt: skip


def test_append_merge_close(store: TicketStore, clock: FakeClock) -> None:
    first = store.submit(make_draft(), call=_call("call-1"))
    clock.advance(minutes=40)
    second = store.submit(make_draft(name="李四", phone="13900139000"), call=_call("call-2"))

    clock.advance(minutes=5)
    linked = store.append_call(first.id, _call("call-3"), "来电人催办")
    assert linked.id == first.id
    assert [c.call_id for c in store.calls(first.id)] == ["call-1", "call-3"]
    appended = [a for a in store.audit(first.id) if a.action == "appended"]
    assert appended and appended[0].new_value == "call-3: 来电人催办"

    merged = store.merge(second.number, first.number)
    assert merged.status == "merged"
    assert merged.merged_into == first.id
    assert merged.merged_into_number == first.number
    assert any(a.action == "merged" and a.new_value == first.number
               for a in store.audit(second.id))  # fmt: skip
    assert any(a.action == "merged" and a.field == "merged_from" and a.new_value == second.number
               for a in store.audit(first.id))  # fmt: skip
    # a call appended to the merged duplicate lands on the surviving ticket
    target = store.append_call(second.id, _call("call-4"))
    assert target.id == first.id
    assert [c.call_id for c in store.calls(first.id)][-1] == "call-4"
    with pytest.raises(FieldInvalidError):
        store.merge(second.id, first.id)  # already merged
    with pytest.raises(FieldInvalidError):
        store.merge(first.id, first.id)
    with pytest.raises(FieldInvalidError):
        store.close(second.id)  # close the target instead

    closed = store.close(first.id, note="已疏通")
    assert closed.status == "closed" and closed.closed_at is not None
    status_rows = [a for a in store.audit(first.id) if a.action == "status"]
    assert (status_rows[-1].old_value, status_rows[-1].new_value) == ("open", "closed: 已疏通")
    assert [t.number for t in store.list(status="closed")] == [first.number]
    assert [t.number for t in store.list(status="merged")] == [second.number]
    reopened = store.reopen(first.id)
    assert reopened.status == "open" and reopened.closed_at is None


def test_list_filters(store: TicketStore, clock: FakeClock) -> None:
    a = store.submit(make_draft())
    clock.advance(days=1)
    b = store.submit(make_draft(name="李四", phone="010-62345678", address="建国路88号",
                                category_id="cg-noise", category_path="城市管理 > 噪音 > 施工噪音",
                                summary="建国路工地夜间施工噪音扰民"))  # fmt: skip
    assert [t.number for t in store.list()] == [b.number, a.number]  # newest first
    assert [t.number for t in store.list(text="噪音")] == [b.number]
    assert [t.number for t in store.list(text="幸福小区")] == [a.number]
    assert [t.number for t in store.list(text="100%")] == []  # LIKE wildcards are escaped
    assert [t.number for t in store.list(phone="6234")] == [b.number]
    assert [t.number for t in store.list(phone="+86 138-0013-8000")] == [a.number]
    assert [t.number for t in store.list(category="cg-noise")] == [b.number]
    assert [t.number for t in store.list(category="排水管理")] == [a.number]
    assert [t.number for t in store.list(since=date(2026, 11, 25))] == [b.number]
    assert [t.number for t in store.list(until=date(2026, 11, 24))] == [a.number]
    assert len(store.list(limit=1)) == 1
    assert store.list(status="open", text="幸福", phone="13800138000")[0].number == a.number
    with pytest.raises(FieldInvalidError):
        store.list(status="pending")


def test_duplicates_and_caller_history(store: TicketStore, clock: FakeClock) -> None:
    first = store.submit(make_draft(address="朝阳区幸福小区3号楼2单元"))
    noise = store.submit(make_draft(address="建国路88号", category_id="cg-noise",
                                    summary="建国路工地夜间施工噪音扰民"))  # fmt: skip
    clock.advance(hours=2)
    # Same place written differently (三号楼 vs 3号楼, spaces) and same category.
    draft = make_draft(address="朝阳区 幸福小区 三号楼 2单元", summary="楼道里污水横流")
    matches = store.find_duplicates(draft)
    assert [(m.ticket.number, m.reason, m.score) for m in matches] == [
        (first.number, "same_address_category", 1.0)]  # fmt: skip
    # Similar wording at an unknown address.
    worded = make_draft(address="幸福里", category_id="cg-other",
                        summary="幸福小区3号楼下水道堵了，污水外溢到楼道")  # fmt: skip
    m2 = store.find_duplicates(worded)
    assert [(m.ticket.number, m.reason) for m in m2] == [(first.number, "similar_text")]
    assert 0.75 <= m2[0].score < 1.0
    # A different incident matches nothing.
    other = make_draft(
        address="西城区金融街1号", category_id="cg-light", summary="路灯不亮已经三天"
    )
    assert store.find_duplicates(other) == []
    # Closed tickets and tickets outside the window are not duplicates.
    store.close(noise.id)
    assert (
        store.find_duplicates(
            make_draft(address="建国路88号", category_id="cg-noise", summary="建国路施工扰民")
        )
        == []
    )
    clock.advance(days=31)
    assert store.find_duplicates(draft) == []
    assert [m.ticket.number for m in store.find_duplicates(draft, window_days=40)] == [first.number]

    history = store.caller_history("138 0013 8000")
    assert (history.count, history.open_count) == (2, 1)
    assert [t.number for t in history.last] == [noise.number, first.number]
    store.append_call(first.id, _call("call-9"))
    assert store.caller_history("+8613800138000").call_count == 1
    assert store.caller_history("13900000000").count == 0
    assert store.caller_history("").count == 0


def test_export_masked_by_default_and_unmasked_logged(
    store: TicketStore, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    a = store.submit(make_draft(summary="王建国反映幸福小区3号楼下水道堵塞，回电13912345678"))
    b = store.submit(make_draft(name="王建国", phone="010-62345678", address="建国路88号3栋1201室"))
    store.merge(b.id, a.id)
    tickets = list(reversed(store.list(limit=None)))

    text = render(tickets, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["number"] for r in rows] == [a.number, b.number]
    assert [r["name"] for r in rows] == ["张*", "王**"]
    assert [r["phone"] for r in rows] == ["138****8000", "010-****5678"]
    assert "13800138000" not in text and "62345678" not in text
    assert "13912345678" not in text and "139****5678" in rows[0]["summary"]
    assert rows[1]["address"] == "建国路88号3栋1201室"  # house numbers only on request
    assert rows[1]["merged_into"] == a.number

    masked_addr = render(tickets, "json", mask_address=True)
    doc = json.loads(masked_addr)
    assert doc["masked"] is True and doc["count"] == 2
    assert doc["tickets"][1]["address"] == "建国路**号*栋****室"

    from pathlib import Path

    out = Path(str(tmp_path)) / "export.json"
    with caplog.at_level(logging.WARNING, logger="assistant.files.export"):
        n = export_tickets(tickets, out, "json", masked=False, requested_by="seat-7")
    assert n == 2
    clear = json.loads(out.read_text(encoding="utf-8"))
    assert clear["masked"] is False
    assert [t["phone"] for t in clear["tickets"]] == ["13800138000", "010-62345678"]
    assert [t["name"] for t in clear["tickets"]] == ["张三", "王建国"]
    assert any("UNMASKED" in r.getMessage() and "seat-7" in r.getMessage() for r in caplog.records)

    csv_out = Path(str(tmp_path)) / "export.csv"
    export_tickets(tickets, csv_out, "csv")
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    assert "138****8000" in csv_out.read_text(encoding="utf-8-sig")
    with pytest.raises(StoreError):
        render(tickets, cast(Any, "xml"))


def test_reopen_existing_database_keeps_data(db_url: str, clock: FakeClock) -> None:  # noqa: F811
    with TicketStore.open(db_url, seat_id="a", duplicate_window_days=30, clock=clock) as s1:
        t = s1.submit(make_draft())
    with TicketStore.open(db_url, seat_id="b", duplicate_window_days=30, clock=clock) as s2:
        assert s2.get(t.number).summary == t.summary
        assert s2.schema_version() == 1
        assert s2.submit(make_draft()).number.endswith("-0002")


def test_changes_during_the_call_are_audited_at_their_moment(store: TicketStore) -> None:
    from dataclasses import replace

    call = replace(
        _call(),
        changes=(
            {"at": 12.5, "action": "edited", "field": "name", "value": "张"},
            {"at": 30.0, "action": "confirmed", "field": "phone", "value": None},
            {"at": 41.0, "action": "edited", "field": "name", "value": "张三"},
        ),
    )
    ticket = store.submit(make_draft(), suggestions={"name": "张山"}, call=call)
    start = datetime(2026, 11, 24, 9, 20, tzinfo=BEIJING)
    during = [
        a for a in store.audit(ticket.number) if a.at.astimezone(BEIJING) < start.replace(minute=21)
    ]
    assert [(a.at.astimezone(BEIJING).second, a.action, a.field, a.new_value) for a in during] == [
        (12, "edited", "name", "张"),
        (30, "confirmed", "phone", None),
        (41, "edited", "name", "张三"),
    ]
    assert all(a.actor == "call_taker" for a in during)
