"""Names through the real extractor and the real surname data (knowledge/data/surnames.yaml):
descriptions, heard homophones matched by pinyin, compound surnames, names without a Han
surname, and the agent's form of address reconciled with the caller's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.core.fields import CallFields
from assistant.extract import agent_title_surname, extract_name
from knowledge.errors import CatalogueError
from knowledge.surnames import load_surnames

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def _name(text: str, asked: bool = True) -> str:
    fv = extract_name(text, asked=asked)
    return fv.value if fv is not None else ""


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我姓张，弓长张，张丽。", "张丽"),
        ("我姓钱，金字旁的钱，钱国栋。", "钱国栋"),
        ("免贵姓赵，走肖赵，赵子栋。", "赵子栋"),
        ("我姓孟，孟子的孟，叫孟凡，平凡的凡。", "孟凡"),
        ("我叫欧阳晓雯。", "欧阳晓雯"),
        ("我叫其木格。", "其木格"),
        ("我姓郑，郑重的郑。", "郑"),
    ],
)
def test_full_names_and_descriptions(text: str, want: str) -> None:
    assert _name(text) == want


def test_heard_description_is_matched_by_pinyin() -> None:
    assert _name("我姓前今次跑那个前") == "钱"
    assert _name("我姓陈耳东陈陈晓明") == "陈晓明"
    assert _name("我姓林 双目林 林小红") == "林小红"


def test_not_names() -> None:
    assert _name("我是三楼的住户。") == ""
    assert _name("我叫不上来那个小区的名字。", asked=False) == ""
    assert _name("其木格", asked=False) == ""  # a bare answer counts only when asked


def test_agent_form_of_address() -> None:
    assert agent_title_surname("好的，钱先生，留个电话吧。") == "钱"
    assert agent_title_surname("谢谢您的来电。") == ""


def test_agent_title_reconciles_a_heard_surname() -> None:
    fields = CallFields()
    fields.on_agent("您贵姓？", 1.0)
    fields.on_caller("我姓前", 2.0, T0)  # 前 is no surname: nothing yet
    fields.on_agent("钱先生，您的电话？", 5.0)
    assert fields.values["name"].value == "钱"
    fields = CallFields()
    fields.on_agent("您贵姓？", 1.0)
    fields.on_caller("我姓谈", 2.0, T0)
    fields.on_agent("谭先生，您的电话？", 5.0)
    assert fields.values["name"].value == "谭"
    assert fields.values["name"].extra["caller_said"] == "谈"


def test_a_described_surname_is_kept_against_the_agent() -> None:
    fields = CallFields()
    fields.on_agent("您贵姓？", 1.0)
    fields.on_caller("我姓章，立早章。", 2.0, T0)
    fields.on_agent("张先生，您的电话？", 5.0)
    assert fields.values["name"].value == "章"


def test_surname_file_is_validated_with_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "surnames.yaml"
    bad.write_text("descriptions:\n  - {surname: 张, say: [弓长张]}\n  - {surname: ab, say: [x]}\n")
    with pytest.raises(CatalogueError, match=r"surnames.yaml:3.*surname"):
        load_surnames(bad)
    data = load_surnames()
    assert data.descriptions["金字旁的钱"] == "钱" and "欧阳" in data.compound


def test_an_address_is_not_a_heard_description() -> None:
    # 阳区建 sounds a little like 羊女姜; an address answer right after the name question
    assert _name("朝阳区建国路88号小区门口。") == ""
    fields = CallFields()
    fields.on_agent("请问您贵姓？", 9.5)
    fields.on_caller("我姓张，张三。", 10.0, T0)
    fields.on_agent("请问具体地址是哪里？", 16.5)
    fields.on_caller("朝阳区建国路88号小区门口。", 17.0, T0)
    assert fields.values["name"].value == "张三"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # "X的X" where the recogniser wrote a homophone that is no surname for both: the
        # most common surname sounding like it (焦作的焦 heard as 娇做的娇)
        ("我姓娇，娇做的娇，谢谢你", "焦"),
        ("我姓牛 牛奶的牛", "牛"),
    ],
)
def test_a_heard_x_de_x_description_gives_a_real_surname(text: str, want: str) -> None:
    assert _name(text) == want


def test_less_common_surnames_are_reachable_by_sound() -> None:
    data = load_surnames()
    assert data.by_sound("娇") == "焦"
    assert data.by_sound("前") == "钱"  # the more common one still first
    assert data.by_sound("张") == "张"
