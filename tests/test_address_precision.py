"""Address precision through the real extractor and the real gazetteer (issue 16)."""

from __future__ import annotations

import pytest

from assistant.extract import extract_address


@pytest.mark.parametrize(
    "text",
    [
        "自来水公司又说是小区",
        "都是一个村",
        "客厅走路",
        "派出所又让我回社区",
        "我们整个村都没有自来水了。",
        "我去医院看病",
    ],
)
def test_no_address_from_verbs_and_objects(text: str) -> None:
    assert extract_address(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("武进区湖塘镇卫生间里丰收路28号", "武进区湖塘镇丰收路28号"),
        ("吴中区长桥街道快递柜里18号楼", "吴中区长桥街道18号楼"),
        ("康县阳坝镇梅园村3组娃娃上学得绕山路", "康县阳坝镇梅园村3组"),
        ("晓月苑三里9号楼", "晓月苑三里9号楼"),
        ("万家福超市对面", "万家福超市对面"),
    ],
)
def test_address_parts_only_from_place_context(text: str, value: str) -> None:
    fv = extract_address(text)
    assert fv is not None and fv.value == value


def test_heard_address_is_snapped_and_verified() -> None:
    fv = extract_address("天宁趋红美街道红梅心村二十一幢")
    assert fv is not None
    assert fv.value == "天宁区红梅街道红梅新村21号楼"
    assert fv.extra["verified"] == "true"
    assert "天宁趋→天宁区" in fv.extra["snapped"]
    fv = extract_address("时景山区八角街道洋中区十一号楼三单元四零一")
    assert fv is not None and fv.value == "石景山区八角街道杨庄中区11号楼3单元401室"


def test_unknown_heard_street_stays_as_heard_and_unverified() -> None:
    fv = extract_address("钟楼区无统街道翠竹路")
    assert fv is not None
    assert "无统街道" in fv.value  # not replaced by a guess
    assert fv.extra["verified"] == "false"
    assert fv.confidence <= 0.55


def test_readback_never_names_a_non_place() -> None:
    from assistant.core.fields import CallFields

    f = CallFields()
    from datetime import datetime

    f.on_caller("派出所又让我回社区，楼上天天在客厅走路。", 1.0, datetime(2024, 1, 1))
    assert "address" not in f.public()


def test_tune_negatives_of_the_dev_set_give_no_address() -> None:
    import json
    from pathlib import Path

    path = Path(__file__).parent / "data" / "fields_devset" / "addresses.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    negatives = [r["text"] for r in rows if r["split"] == "tune" and r["address"] is None]
    assert len(negatives) >= 8
    assert [t for t in negatives if extract_address(t) is not None] == []


def test_a_later_turn_is_snapped_inside_the_place_named_before() -> None:
    from datetime import datetime

    from assistant.core.fields import CallFields

    f = CallFields()
    start = datetime(2024, 1, 1)
    f.on_caller("我家在时景山区八角街道。", 1.0, start)
    f.on_caller("洋中区十一号楼三单元。", 5.0, start)
    addr = f.public()["address"]
    assert addr.value == "石景山区八角街道杨庄中区11号楼3单元"
    assert addr.extra["verified"] == "true"


def test_the_same_road_with_its_number_added_is_no_contradiction() -> None:
    from assistant.extract import merge_address

    old = extract_address("莲湖区桃园路街道，丰登北路。")
    new = extract_address("丰登北路18号，西电三村。")
    assert old is not None and new is not None
    merged = merge_address(old, new)
    assert merged.extra["district"] == "莲湖区" and merged.extra["road"] == "丰登北路18号"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a road's 道 in a street's name (天津: 嘉陵道街道)
        ("南开区嘉陵道街道红旗南路8号楼", "南开区嘉陵道街道红旗南路8号楼"),
        # the house number belongs to the road, not to the village after it
        ("莲湖区桃园路街道丰登北路十八号西电三村", "莲湖区桃园路街道西电三村丰登北路18号"),
        # ... but a compound named by its number keeps it (建国路88号小区)
        ("朝阳区建国路88号小区门口", "朝阳区建国路88号小区"),
        # 村路口: the village before a crossing
        ("江夏区纸坊街道光明村路口往南", "江夏区纸坊街道光明村"),
        # a door number said after the road, with a pause or 门牌
        ("青羊区草市街街道，草市街，门牌一百零六号，我家门口", "青羊区草市街街道草市街106号"),
        ("道里区安发街，一百二十号，二单元", "道里区安发街120号2单元"),
        # 锦绣路上: the road a caller is on
        ("浦东新区花木街道，锦绣路上，就是联洋花园门口", "浦东新区花木街道锦绣路联洋花园"),
    ],
)
def test_places_are_not_cut_short(text: str, value: str) -> None:
    fv = extract_address(text)
    assert fv is not None and fv.value == value


def test_a_gazetteer_community_does_not_replace_a_different_heard_one() -> None:
    """A community the gazetteer finds in a road's name (锦绣 of 锦绣路) does not replace the
    community the caller named (联洋花园); a homophone of the same one still does."""
    fv = extract_address("浦东新区花木街道锦绣路上，联洋花园门口")
    assert fv is not None and "联洋花园" in fv.value
    fv = extract_address("天宁趋红美街道红梅心村")
    assert fv is not None and fv.value == "天宁区红梅街道红梅新村"


@pytest.mark.parametrize(
    "text", ["我走在路上，看到有人打架", "我在解放路上班", "人民路那边，5月3号那天"]
)
def test_no_door_number_or_road_from_ordinary_words(text: str) -> None:
    fv = extract_address(text)
    assert fv is None or "号" not in fv.value


def test_the_address_key_keeps_a_rare_character_of_a_street() -> None:
    """The comparison key (duplicates, trainee scoring, eval-fields) of a street whose rare
    first character jieba tags a modal morpheme (奓山街道) keeps the street and village."""
    from assistant.extract import normalize_address

    assert normalize_address("蔡甸区奓山街道星光村") == "蔡甸区奓山街道星光村"
    assert normalize_address("蔡甸区奓山街道星光村路口往南") == "蔡甸区奓山街道星光村"


def _call_address(turns: list[tuple[str, str]]) -> str:
    from datetime import UTC, datetime

    from assistant.core.fields import CallFields

    fields = CallFields()
    t0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    for i, (who, text) in enumerate(turns):
        if who == "agent":
            fields.on_agent(text, i * 4.0 + 3.0)
        else:
            fields.on_caller(text, i * 4.0, t0)
    fv = fields.values.get("address")
    return fv.value if fv is not None else ""


def test_the_agents_read_back_of_the_same_place_completes_the_address() -> None:
    """The read-back names the same district and street: its places and room win (the
    caller's 前头人民路, a place mentioned in passing, is dropped)."""
    got = _call_address(
        [
            ("agent", "请问具体地址是哪里？"),
            ("caller", "在江宁区东山街道，我们金域蓝湾小区门口。车站挪到前头人民路那边去了。"),
            ("agent", "江宁区东山街道金域蓝湾小区门口，对吗？"),
            ("caller", "对。"),
        ]
    )
    assert got == "江宁区东山街道金域蓝湾小区"
    got = _call_address(
        [
            ("caller", "江宁区东山街道，金域花园，七栋，我在十五楼，一五零二。"),
            ("agent", "江宁区东山街道金域花园七栋一五零二，对吗？"),
        ]
    )
    assert got == "江宁区东山街道金域花园7号楼1502室"


@pytest.mark.parametrize(
    "readback",
    [
        "鼓楼区湖南路街道金域蓝湾小区，对吗？",  # another district
        "金域蓝湾小区，对吗？",  # the street left out
        "江宁区东山街道金域蓝湾小区，请问是什么情况？",  # no read-back
    ],
)
def test_a_read_back_of_another_place_changes_nothing(readback: str) -> None:
    got = _call_address([("caller", "江宁区东山街道，翠屏城小区，3栋。"), ("agent", readback)])
    assert got == "江宁区东山街道翠屏城小区3号楼"


@pytest.mark.parametrize(
    "text", ["我们这一栋楼老人多", "有一栋老公馆，门口挂了牌子", "一七四路公交车不停了"]
)
def test_measure_words_and_bus_routes_are_no_address(text: str) -> None:
    assert extract_address(text) is None


def test_a_read_back_of_real_divisions_replaces_a_heard_address_without_a_street() -> None:
    """Heard-style text: the caller's district came out as another real one and no street
    was heard; the agent's read-back snaps to a real district and street and wins."""
    got = _call_address(
        [
            ("caller", "海甸去，扎山节等。"),
            ("caller", "从新公分路口往南"),
            ("agent", "派遣其扎山街道新光村路口往南，对吗？"),
        ]
    )
    assert got.startswith("蔡甸区奓山街道")


def test_an_unverified_read_back_does_not_replace_an_address_without_a_street() -> None:
    got = _call_address(
        [("caller", "翠屏城小区，3栋。"), ("agent", "好的，某某区某某街道，对吗？")]
    )
    assert got == "翠屏城小区3号楼"


def test_a_district_the_division_data_does_not_know_is_not_part_of_the_street() -> None:
    """Heard text: a district cpca does not know (南港区 for 南岗区) is split off the street
    instead of doubling in the display."""
    from assistant.extract import address_parts

    parts = address_parts("南港区花园街道鲜化街文锦小区5号楼前")
    assert parts["district"] == "南港区" and parts["street"] == "花园街道"
    fv = extract_address("南港区花园街道鲜化街文锦小区5号楼前")
    assert fv is not None and fv.value.count("南港区") == 1
