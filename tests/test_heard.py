"""Misheard emergency words read back (knowledge.heard), in the rules and through the real engine."""

from __future__ import annotations

import pytest

from knowledge.heard import HeardReader, read_heard
from knowledge.rules import load_rules

RULES = load_rules()


@pytest.mark.parametrize(
    ("heard", "restored"),
    [
        ("厨房着货了", "厨房着火了"),
        ("楼上着伙了", "楼上着火了"),
        ("我爸云倒了", "我爸晕倒了"),
        ("就命啊", "救命啊"),
        ("厨房有股然气的味道", "厨房有股燃气的味道"),
    ],
)
def test_a_misheard_emergency_word_is_read_back(heard: str, restored: str) -> None:
    assert read_heard(heard) == restored


@pytest.mark.parametrize(
    "text",
    [
        "货运到了没人签收",  # 运到 is a word
        "领导就命令我们加班",  # 就命 straddles 命令
        "九名工人被欠薪",  # a numeral
        "这伙人天天在楼下吵",  # 这伙 is a word
        "他在做期货亏了钱",  # 期货 is a word
        "这杯水没气味",  # 气味 is a word (没气 is not read as 煤气)
    ],
)
def test_ordinary_words_with_the_same_pinyin_stay(text: str) -> None:
    assert read_heard(text) == text
    assert not any(m.rule.urgency == "emergency" for m in RULES.match(text))


def test_the_reader_uses_the_dictionary_it_is_given() -> None:
    # with a dictionary that knows 着货 as a word, 着货 is not a mishearing any more
    known = HeardReader(("着火",), word_freq=lambda w: 100 if w == "着货" else 0)
    assert known.restore("厨房着货了") == "厨房着货了"
    unknown = HeardReader(("着火",), word_freq=lambda w: 0)
    assert unknown.restore("厨房着货了") == "厨房着火了"


@pytest.mark.parametrize(
    ("heard", "channel"),
    [
        ("我们仓库着伙了快来人", "119"),  # a pattern (仓库…着火) fires on the read-back text
        ("隔壁屋里往外冒火", "119"),
        ("他们把我关在出租屋里不让我出去", "110"),
        ("我被一辆货车撞了腿在流血", "122"),
        ("就命啊 快来人", "110"),
    ],
)
def test_emergency_rules_fire_on_heard_text(heard: str, channel: str) -> None:
    m = RULES.match(heard)
    assert m and m[0].rule.urgency == "emergency" and m[0].rule.channel == channel


@pytest.mark.slow
def test_heard_emergencies_through_the_real_engine() -> None:
    from tests.e2e_fixtures import real_engine

    engine = real_engine()
    a = engine.analyze("喂 我们家楼下仓库着伙了 烟好大", k=5)
    assert a.urgency == "emergency" and a.channel == "119"
    b = engine.analyze("我妈在厨房突然云倒了 叫她也不答应", k=5)
    assert b.urgency == "emergency" and b.channel == "120"
    c = engine.analyze("快递说货运到了 但是没人给我送上门", k=5)
    assert c.urgency != "emergency" and c.verdict == "accept"


def test_no_ordinary_request_becomes_an_emergency_by_pinyin() -> None:
    # the 324 ordinary requests and every accepted line of the dev sets: a homophone read
    # back never turns them into an emergency
    import json
    from pathlib import Path

    files = [
        Path("tests/data/scope_devset/inscope.jsonl"),
        *Path("tests/data/devset").glob("*.jsonl"),
    ]
    texts = [
        row["text"]
        for f in files
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip() and (row := json.loads(line)).get("verdict", "accept") == "accept"
    ]
    assert len(texts) >= 500
    fired = [t for t in texts for m in RULES.match(t)[:1]
             if m.how == "pinyin" and m.rule.urgency == "emergency"]  # fmt: skip
    assert not fired, fired
