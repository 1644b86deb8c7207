"""Trainee ticket scoring against reference tickets (real bundled catalogue)."""

from __future__ import annotations

import json

import pytest

from assistant.qa.trainee import WEIGHTS, char_overlap, score_ticket, summary_overlap
from assistant.store import TicketDraft
from knowledge.catalogue import Catalogue, load_catalogue

REF = {
    "name": "王建国",
    "phone": "15812345678",
    "address": "大兴区西红门镇宏福路18号",
    "department": "人力资源和社会保障",
    "verdict": "accept",
    "channel": None,
    "reason": None,
    "summary": "来电人反映在大兴区西红门镇宏福路18号工地工作三个月，老板拖欠全部工资。",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _leaf(catalogue: Catalogue, department: str) -> str:
    return next(lf.id for lf in catalogue.leaves if lf.department == department)


def test_perfect_ticket_scores_100(catalogue: Catalogue) -> None:
    trainee = dict(REF, name="王建国先生", phone="158-1234-5678",
                   address="大兴区西红门镇宏福路十八号", category_id=_leaf(catalogue, "人力资源和社会保障"))  # fmt: skip
    trainee["department"] = ""  # looked up from the catalogue by category id
    s = score_ticket(trainee, REF, catalogue)
    assert s.total == 100.0 and s.category_ok is True and s.improvements == ()
    assert [f.field for f in s.fields] == list(WEIGHTS)
    json.dumps(s.to_dict(), ensure_ascii=False)


def test_partial_credit_and_advice(catalogue: Catalogue) -> None:
    trainee = TicketDraft(name="王先生", phone="15812345679", address="宏福路18号",
                          category_id=_leaf(catalogue, "城市管理"), verdict="accept",
                          summary="工地拖欠工资")  # fmt: skip
    s = score_ticket(trainee, REF, catalogue)
    assert s.field("name").score == 0.5  # surname only
    assert s.field("phone").score == 0.0 and "1 位不对" in s.field("phone").note
    assert s.field("address").score == 0.7 and "不够具体" in s.field("address").note
    assert s.field("category").score == 0.0 and s.category_ok is False
    assert s.field("verdict").score == 1.0
    assert 0 < s.field("summary").score < 1
    expected = 10 * 0.5 + 15 * 0.7 + 20 * 1.0 + 10 * s.field("summary").score
    assert s.total == pytest.approx(expected, abs=0.1)
    # the costliest misses come first, in Chinese
    assert s.improvements[0].startswith("分类错误") and "电话号码" in s.improvements[1]


def test_same_department_other_leaf_is_half(catalogue: Catalogue) -> None:
    water = [lf for lf in catalogue.leaves if lf.department == "水务"]
    ref = {"category_id": water[0].id, "verdict": "accept"}
    s = score_ticket({"category_id": water[1].id}, ref, catalogue)
    assert s.field("category").score == 0.5 and "承办部门正确" in s.field("category").note
    # reference with the department only: the right department is the right answer
    s2 = score_ticket({"category_id": water[1].id}, {"department": "水务"}, catalogue)
    assert s2.field("category").score == 1.0


def test_verdict_channel_and_reason() -> None:
    ref = {"verdict": "refer", "channel": "court"}
    assert score_ticket({"verdict": "refer", "channel": "court"}, ref).total == 100.0
    half = score_ticket({"verdict": "refer", "channel": "petition"}, ref)
    assert half.field("verdict").score == 0.5 and "转办渠道" in half.field("verdict").note
    assert score_ticket({"verdict": "accept"}, ref).field("verdict").score == 0.0
    dec = {"verdict": "decline", "reason": "superstition"}
    assert score_ticket({"verdict": "decline", "reason": "private_matter"}, dec).total == 50.0


def test_fields_missing_from_the_reference_are_not_scored() -> None:
    ref = {"name": None, "phone": None, "address": None, "department": None,
           "verdict": "decline", "reason": "superstition", "summary": ""}  # fmt: skip
    s = score_ticket({"verdict": "decline", "reason": "superstition", "name": "张三"}, ref)
    assert [f.field for f in s.fields] == ["verdict"] and s.total == 100.0
    assert {f.field for f in s.skipped} == {"name", "phone", "address", "category", "summary"}
    assert s.field("name").applicable is False


def test_name_rules() -> None:
    assert score_ticket({"name": "李先生"}, {"name": "李"}).total == 100.0
    assert score_ticket({"name": "李明"}, {"name": "李"}).total == 100.0
    assert score_ticket({"name": "刘"}, {"name": "李"}).total == 0.0
    assert score_ticket({}, {"name": "李"}).field("name").note.startswith("没有记录")


def test_overlap_measures() -> None:
    assert char_overlap("停水了", "停水") == 1.0
    assert char_overlap("", "停水") == 0.0
    ref = "来电人反映朝阳区花家地北里6号楼停水。"
    assert summary_overlap("6号楼停水", ref, ref_address="朝阳区花家地北里6号楼") == 1.0


def test_bad_ticket_type() -> None:
    with pytest.raises(TypeError, match="to_dict"):
        score_ticket(42, REF)
