"""Masking of personal data in free text (issue 18, item 7): every phone / ID form, any
person's name, and what must survive (places, departments, ordinary words, amounts, dates,
ticket numbers).

The first sets below were written before the masking was changed (precision 1.0 /
recall 0.30 for numbers and 1.0 / 0.12 for names then; every case passes now).
``python -m pytest tests/test_privacy_masking.py -s`` prints precision / recall per set.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import pytest

from assistant.privacy import mask_text

# (text, the ticket's own name fields, secrets that must not survive)
NUMBER_POSITIVES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("他的电话是138 1234 5678", (), ("13812345678",)),
    ("电话138-1234-5678，晚上打", (), ("13812345678",)),
    ("+86 138 1234 5678", (), ("13812345678",)),
    ("联系电话：86-13812345678", (), ("13812345678",)),
    ("手机号１３８１２３４５６７８", (), ("13812345678",)),
    ("手机号１３８－１２３４－５６７８", (), ("13812345678",)),
    ("号码是一三八一二三四五六七八", (), ("13812345678",)),
    ("号码幺三八幺二三四五六七八", (), ("13812345678",)),
    ("手机一三八 一二三四 五六七八", (), ("13812345678",)),
    ("打13812345678找他", (), ("13812345678",)),
    ("座机0571 8888 1234", (), ("057188881234",)),
    ("座机0571-88881234", (), ("057188881234",)),
    ("单位电话（0571）88881234", (), ("057188881234",)),
    ("010-62345678转总机", (), ("01062345678",)),
    ("电话 138 1234 5678 或 0571-8888 1234", (), ("13812345678", "057188881234")),
    ("身份证号330106850101123", (), ("330106850101123",)),
    ("身份证330106198501011234", (), ("330106198501011234",)),
    ("身份证号码33010619850101123X", (), ("33010619850101123",)),
    ("身份证３３０１０６１９８５０１０１１２３４", (), ("330106198501011234",)),
    ("银行卡6222021234567890123被冻结", (), ("6222021234567890123",)),
    ("身份证号三三零一零六一九八五零一零一一二三四", (), ("330106198501011234",)),
    ("香港号码+852 9123 4567", (), ("91234567",)),
    ("国外亲属+1 (415) 555-2671", (), ("4155552671",)),
]

NAME_POSITIVES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("王建国反映楼上漏水", ("张三",), ("王建国", "建国")),
    ("来电人称刘德华在小区门口摆摊", ("张三",), ("刘德华", "德华")),
    ("张三反映楼道堆物", ("张三丰",), ("张三",)),
    ("张三丰称小区停水", ("张三丰",), ("张三丰", "三丰")),
    ("来电人张三称邻居装修", ("张三",), ("张三",)),
    ("邻居李秀英家装修噪音扰民", (), ("李秀英", "秀英")),
    ("物业经理赵志刚不处理", (), ("赵志刚", "志刚")),
    ("业主孙丽红、周伟反映电梯故障", (), ("孙丽红", "周伟")),
    ("来电人称其母亲马桂兰无人照顾", (), ("马桂兰", "桂兰")),
    ("欧阳娜娜说房东不退押金", (), ("欧阳娜娜", "娜娜")),
    ("联系人：陈晓明", (), ("陈晓明", "晓明")),
    ("施工队负责人叫黄海涛", (), ("黄海涛", "海涛")),
    ("我叫李明，住在幸福小区", (), ("李明",)),
    ("房东郑国强拒绝维修", (), ("郑国强", "国强")),
    ("司机王磊态度恶劣", (), ("王磊",)),
    ("张伟和李娜都是业主", (), ("张伟", "李娜")),
    ("投诉人：杨秀兰，反映小区停车难", (), ("杨秀兰", "秀兰")),
]

# must come out exactly as they went in
NEGATIVES: list[str] = [
    # places
    "朝阳区建国路88号",
    "杭州市西湖区文三路",
    "王府井大街",
    "石家庄市",
    "张家港市",
    "白云区",
    "黄浦江边",
    "向阳小区3栋",
    "文明路",
    "高新区管委会",
    "平安大道",
    "和平里小区",
    "长安街",
    "马路上有坑",
    "江北区",
    # departments and organisations
    "已转市城管局处理",
    "请区卫健委核实",
    "住建委",
    "市场监管局",
    "派出所",
    "人社局劳动监察大队",
    "12345热线",
    "街道办事处",
    "市自来水公司",
    "国家电网",
    "华为手机售后",
    # ordinary words and phrases
    "楼道里滚滚浓烟",
    "任何时候都打不通",
    "于是我就打电话",
    "周边居民反映噪音",
    "方便的话",
    "存在安全隐患",
    "已经三天没水了",
    "一二楼都漏水",
    "白天黑夜都吵",
    "高楼层水压低",
    "常年漏水",
    "陈先生反映",
    "王女士来电",
    # numbers that are no personal data
    "金额3000元",
    "2024年5月3日下午",
    "14:30左右",
    "320路公交车",
    "工单号12345-20261124-0007",
    "拨打110报警",
    "120急救车",
    "家里有3口人",
    "欠薪35000元",
    "补偿2500000元",
    "房龄20年",
    "温度只有16度",
    "邮编310000",
]


# A second set, written after the first masking round and measured once before any further
# change (precision 0.76, recall 0.95 then); kept as a floor, not tuned to 100 %.
MORE_NAME_POSITIVES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (text, (), (name,))
    for text, name in [
        ("反映人刘建华称楼下烧烤油烟大", "刘建华"),
        ("老板娘吴小燕拒绝退款", "吴小燕"),
        ("快递员何勇把包裹丢在门口", "何勇"),
        ("他的邻居叫冯德明", "冯德明"),
        ("我爸爸高建平摔伤了", "高建平"),
        ("孩子的班主任林静老师", "林静"),
        ("小区保安队长谢志强", "谢志强"),
        ("网格员许丽丽没有回复", "许丽丽"),
        ("租客宋佳欠房租三个月", "宋佳"),
        ("施工方项目经理蒋文斌", "蒋文斌"),
        ("韩梅梅和李雷是同学", "韩梅梅"),
        ("来电人姓名：曹雪芹", "曹雪芹"),
        ("罗志祥在楼下喊", "罗志祥"),
        ("邓超家漏水", "邓超"),
        ("物业的胡主管叫胡海波", "胡海波"),
        ("司马南反映问题", "司马南"),
        ("上官婉儿投诉", "上官婉儿"),
        ("诉求人徐静蕾称", "徐静蕾"),
        ("杜甫草堂附近有人叫卖，叫卖人是潘金莲", "潘金莲"),
        ("被投诉人为董明珠", "董明珠"),
    ]
]
MORE_NEGATIVES: list[str] = [
    "杜甫草堂", "岳麓山", "黄山风景区", "欧阳路", "孙中山故居", "中山路", "白马寺", "武侯区",
    "周庄古镇", "马家堡", "金融街", "石景山区", "城管执法大队", "区住建局", "教育局",
    "卫生健康委员会", "市民政局", "交警支队", "消防救援站", "税务局", "燕京啤酒", "娃哈哈",
    "格力空调", "高兴地说", "方便面", "马上处理", "黄金周", "白菜价", "金额较大", "常住人口",
    "任务很重", "于是", "安排一下", "明天再说", "王者荣耀", "文化馆", "朱红色的大门", "杨树林",
    "林荫道", "江边", "高架桥下", "何时解决", "谁来负责", "诸如此类", "包括老人", "余额不足",
    "钱不够",
]  # fmt: skip


def _digits(text: str) -> str:
    import unicodedata

    from asr.text.numerals import to_digits

    folded = "".join(unicodedata.normalize("NFKC", c) for c in text)
    return re.sub(r"\D", "", to_digits(folded))


def _leaks(masked: str, secrets: tuple[str, ...]) -> list[str]:
    digits = _digits(masked)
    return [s for s in secrets if s in masked or (s.isdigit() and s in digits)]


def _score(
    positives: list[tuple[str, tuple[str, ...], tuple[str, ...]]], negatives: list[str]
) -> tuple[float, float, list[str]]:
    """(precision, recall, failures): a positive counts when no secret survives, a negative
    is a false positive when masking changed it."""
    failures: list[str] = []
    tp = sum(
        1 for text, names, secrets in positives if not _leaks(mask_text(text, names=names), secrets)
    )
    failures += [
        f"LEAK {text!r} -> {mask_text(text, names=names)!r}"
        for text, names, secrets in positives
        if _leaks(mask_text(text, names=names), secrets)
    ]
    fp = [text for text in negatives if mask_text(text) != text]
    failures += [f"CHANGED {text!r} -> {mask_text(text)!r}" for text in fp]
    precision = tp / (tp + len(fp)) if tp + len(fp) else 1.0
    recall = tp / len(positives)
    return precision, recall, failures


def test_every_phone_and_id_form_is_masked_and_other_numbers_survive() -> None:
    numeric_negatives = [t for t in NEGATIVES if re.search(r"\d", t)]
    precision, recall, failures = _score(NUMBER_POSITIVES, numeric_negatives)
    print(f"\nnumbers: precision {precision:.3f} recall {recall:.3f}")
    assert not failures, "\n".join(failures)


def test_person_names_are_masked_and_places_departments_words_survive() -> None:
    precision, recall, failures = _score(NAME_POSITIVES, NEGATIVES)
    print(f"\nnames: precision {precision:.3f} recall {recall:.3f}")
    assert not failures, "\n".join(failures)


def test_names_on_a_second_set_keep_a_floor() -> None:
    precision, recall, failures = _score(MORE_NAME_POSITIVES, MORE_NEGATIVES)
    print(f"\nnames, second set: precision {precision:.3f} recall {recall:.3f}")
    print("\n".join(failures))
    assert precision >= 0.95 and recall >= 0.95, "\n".join(failures)


def test_masked_phone_keeps_its_ends() -> None:
    assert mask_text("电话138 1234 5678") == "电话138****5678"
    assert mask_text("+86 138 1234 5678") == "+86 138****5678"
    assert mask_text("座机0571-88881234") == "座机0571-****1234"
    assert mask_text("身份证330106198501011234") == "身份证330106********1234"


def test_the_log_filter_masks_the_same_forms(tmp_path: Path) -> None:
    from assistant.applog import configure_file_logging, get_logger
    from assistant.settings import load_settings

    path = configure_file_logging(load_settings(data_dir=tmp_path))
    assert path is not None
    get_logger("test").warning("回拨 %s 失败（%s）", "+86 138 1234 5678", "王建国反映漏水")
    for h in logging.getLogger("hotline").handlers:
        h.flush()
    logged = path.read_text(encoding="utf-8")
    assert "1234" not in logged and "王建国" not in logged and "反映漏水" in logged


def test_export_masks_third_parties_and_number_forms(tmp_path: Path) -> None:
    import dataclasses
    from datetime import UTC, datetime

    from assistant.files.export import render
    from assistant.store import Ticket

    fields = {f.name: "" for f in dataclasses.fields(Ticket)}
    ticket = Ticket(
        **{
            **fields,
            "id": 1,
            "number": "12345-20261124-0001",
            "status": "open",
            "created_at": datetime(2026, 11, 24, tzinfo=UTC),
            "updated_at": datetime(2026, 11, 24, tzinfo=UTC),
            "merged_into": None,
            "name": "张三丰",
            "phone": "13812345678",
            "summary": "张三反映邻居王建国装修，王建国电话一三八 一二三四 五六七八，"
            "座机0571 8888 1234",
            "assign_by": None,
            "resolve_by": None,
            "closed_at": None,
            "merged_into_number": None,
            "channel": None,
            "reason": None,
        }
    )
    row = next(csv.DictReader(io.StringIO(render([ticket], "csv"))))
    assert row["name"] == "张**"
    assert "张三" not in row["summary"] and "王建国" not in row["summary"]
    assert "一二三四" not in row["summary"] and "8888" not in row["summary"]
    assert "138****5678" in row["summary"] and "0571-****1234" in row["summary"]
    assert "邻居" in row["summary"] and "装修" in row["summary"]


def test_an_address_keeps_its_places_but_not_the_callers_name() -> None:
    assert mask_text("通州区宋庄镇张江路5号", people=False) == "通州区宋庄镇张江路5号"
    assert mask_text("张三丰家，电话13812345678", names=("张三丰",), people=False) == (
        "张**家，电话138****5678"
    )


@pytest.mark.parametrize("text", ["", "   ", "１", "一", "王", "😀" * 10, "\x00\x1b[2J"])
def test_odd_input_never_raises(text: str) -> None:
    assert isinstance(mask_text(text, names=("王",)), str)
