"""Scope rules and scripts: validation (file:line), per-rule matching, script helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.engine import KnowledgeEngine
from knowledge.errors import CatalogueError, KnowledgeError
from knowledge.rules import BUNDLED_RULES, load_rules
from knowledge.scripts import BUNDLED_SCRIPTS, QUESTION_FIELDS, load_scripts
from knowledge.tokenizer import normalize_text
from knowledge.types import CHANNELS, REASONS

RULES = load_rules()
SCRIPTS = load_scripts()


def test_bundled_rules_cover_the_required_situations() -> None:
    assert len(RULES) >= 16
    ids = [r.id for r in RULES.rules]
    assert ids[:4] == ["emergency_110", "emergency_119", "emergency_122", "emergency_120"]
    channels = {r.channel for r in RULES.rules}
    assert {
        "110",
        "119",
        "120",
        "122",
        "court",
        "petition",
        "arbitration",
        "consumer_association",
    } <= channels
    reasons = {r.reason for r in RULES.rules}
    assert set(REASONS) <= reasons
    for r in RULES.rules:
        assert len(r.examples) >= 3 and r.basis and r.script
        assert (r.urgency == "emergency") == (r.channel in ("110", "119", "120", "122"))
        assert r.channel is None or r.channel in CHANNELS


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_each_rule_fires_on_its_own_examples(rule) -> None:  # type: ignore[no-untyped-def]
    for example in rule.examples:
        matches = RULES.match(normalize_text(example))
        assert matches, f"{rule.id}: nothing fired on {example!r}"
        assert matches[0].rule.id == rule.id, (example, [m.rule.id for m in matches])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们小区消防通道天天被车堵死，消防车进不来", None),  # complaint, not unlawful
        ("楼道里电动车充电，万一着火了怎么办", None),  # hazard, not a fire
        ("燃气灶打不着火了，是不是停气了", None),
        ("上个月接到诈骗电话被骗了两千", None),
        ("我想咨询一下劳动仲裁去哪里申请", None),
        ("楼上有人往下扔瓶子差一点砸我头上", None),
        ("着活了 快来人 烟好大", "emergency_119"),  # homophone of 着火了 (pinyin match)
        ("那边 两个 车 撞 了 有人 躺 在 地上 流血", "emergency_122"),
        ("楼下 有人 打架 拿 着 刀", "emergency_110"),
    ],
)
def test_rule_boundaries(text: str, expected: str | None) -> None:
    matches = RULES.match(normalize_text(text))
    got = matches[0].rule.id if matches else None
    assert got == expected, (text, [(m.rule.id, m.matched, m.how) for m in matches])


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "rules.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _rules_text() -> str:
    return BUNDLED_RULES.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ('channel: "110"', 'channel: "911"', r"rules\[0\]\.channel.*channel must be one of"),
        ("reason: superstition", "reason: null", r"verdict decline needs a reason"),
        ('      - "(着|起|失)火(了|啦|呢)"', '      - "(着|起|失火(了"', r"not a valid regex"),
    ],
)
def test_rule_validation_errors_name_file_and_line(
    tmp_path: Path, old: str, new: str, pattern: str
) -> None:
    text = _rules_text()
    assert old in text
    bad = text.replace(old, new, 1)
    with pytest.raises(CatalogueError, match=pattern) as info:
        load_rules(_write(tmp_path, bad))
    assert info.value.line is not None and info.value.line > 1
    assert str(info.value).startswith(f"{tmp_path / 'rules.yaml'}:{info.value.line}:")


def test_duplicate_rule_id_is_rejected(tmp_path: Path) -> None:
    bad = _rules_text().replace("- id: emergency_119", "- id: emergency_110", 1)
    with pytest.raises(CatalogueError, match="duplicate rule id 'emergency_110'"):
        load_rules(_write(tmp_path, bad))


# -------------------------------------------------------------------------------- scripts


def test_scripts_helpers() -> None:
    assert "12345" in SCRIPTS.opening()
    assert "007号" in SCRIPTS.opening(agent_id="007")
    assert "{" not in SCRIPTS.opening()
    assert "理解" in SCRIPTS.empathy("angry")
    assert len(SCRIPTS.empathy_variants("angry")) >= 3
    assert len(SCRIPTS.empathy_variants("distressed")) >= 3
    assert SCRIPTS.empathy("distressed", 1) != SCRIPTS.empathy("distressed", 0)
    for f in QUESTION_FIELDS:
        assert "？" in SCRIPTS.question(f)
    with pytest.raises(KnowledgeError, match="no question script"):
        SCRIPTS.question("shoe_size")
    text = SCRIPTS.readback(
        name="王先生", phone="13800000000", address="和平里七区", summary="停水"
    )
    assert "王先生" in text and "13800000000" in text and "和平里七区" in text and "停水" in text
    assert "（未提供）" in SCRIPTS.readback(name="王先生")
    assert "110" in SCRIPTS.emergency("110") and "119" in SCRIPTS.emergency("119")
    assert "消费者协会" in SCRIPTS.referral("consumer_association")
    assert "水务" in SCRIPTS.accepted("水务", "24h") and "24小时" in SCRIPTS.accepted("水务", "24h")
    assert SCRIPTS.closing()
    assert (
        "您好" in SCRIPTS.greeting_markers and SCRIPTS.readback_markers and SCRIPTS.empathy_markers
    )


def test_forbidden_phrases_with_positions() -> None:
    text = "这个事不归我们管，你爱找谁找谁。你听不懂吗？神经病。"
    found = SCRIPTS.find_forbidden(text)
    kinds = [(m.kind, m.text) for m in found]
    assert kinds[0] == ("推诿", "这个事不归我们管")
    assert ("推诿", "你爱找谁找谁") in kinds
    assert any(k == "顶撞" for k, _ in kinds) and any(k == "辱骂" for k, _ in kinds)
    for m in found:
        assert text[m.start : m.end] == m.text
    assert [m.start for m in found] == sorted(m.start for m in found)
    polite = "您好，我很理解您的心情，我马上帮您登记，请您放心。"
    assert SCRIPTS.find_forbidden(polite) == []


def test_scripts_validation_error(tmp_path: Path) -> None:
    text = BUNDLED_SCRIPTS.read_text(encoding="utf-8").replace("{summary}。以上", "{summ}。以上", 1)
    p = tmp_path / "scripts.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"scripts\.yaml:\d+: field 'readback'.*summary"):
        load_scripts(p)


# ------------------------------------------------- audit: the issue's own out-of-scope kinds


@pytest.fixture(scope="module")
def lexical_engine() -> KnowledgeEngine:
    return KnowledgeEngine.create(embedding_backend="none", load_in_background=False)


@pytest.mark.parametrize(
    ("text", "verdict", "reason", "rule_id"),
    [
        # a pay rise above the legal minimum is the company's own business
        (
            "我的工资已经高于最低工资了 老板就是不给我涨工资",
            "decline",
            "private_matter",
            "enterprise_internal",
        ),
        (
            "我工资挺高的，就是想让你们跟老板说说给我涨点",
            "decline",
            "private_matter",
            "enterprise_internal",
        ),
        # asking the hotline to get fire exits locked
        ("你们让物业把消防通道锁上", "decline", "unlawful_demand", "unlawful_demand"),
        ("能不能让物业把消防通道锁起来", "decline", "unlawful_demand", "unlawful_demand"),
        ("帮我把消防门锁上吧", "decline", "unlawful_demand", "unlawful_demand"),
        # keeping one's own illegal building
        ("我家违建 城管要拆 你们能不能让他们别拆", "decline", "unlawful_demand", "unlawful_demand"),
        (
            "我家搭的那个阳光房能不能保留，城管说要拆",
            "decline",
            "unlawful_demand",
            "unlawful_demand",
        ),
        # near misses: complaints about someone else's fire exit / illegal building / wages
        ("有人把消防通道锁了", "accept", None, None),
        ("物业把安全出口锁死了，太危险", "accept", None, None),
        ("请你们通知物业，有人把消防通道锁死了", "accept", None, None),
        ("请你们查查，物业把消防通道锁上了，出了事谁负责", "accept", None, None),
        ("你们让物业把消防通道上堵的东西清走吧", "accept", None, None),
        ("邻居违建 城管要拆 你们赶紧让他们拆", "accept", None, None),
        ("我家对面那个违建，城管说不能拆，凭什么", "accept", None, None),
        ("邻居在楼顶私自加盖了一层阳光房，你们催催城管让他们拆", "accept", None, None),
        ("邻居举报我家违建，你们让城管别拆", "decline", "unlawful_demand", "unlawful_demand"),
        ("我家的房子不是违建，有房产证，城管非要拆", "accept", None, None),
        ("工资低于最低工资标准", "accept", None, None),
        ("我的工资不到最低工资，老板还不给涨", "accept", None, None),
        ("公司一直不给我们涨最低工资，现在还按去年的标准发", "accept", None, None),
        ("老板欠我三个月工资不发", "accept", None, None),
        ("物业公司不同意涨物业费业主也有意见", "accept", None, None),
    ],
)
def test_out_of_scope_requests_vs_complaints(
    lexical_engine: KnowledgeEngine,
    text: str,
    verdict: str,
    reason: str | None,
    rule_id: str | None,
) -> None:
    a = lexical_engine.analyze(text)
    assert (a.verdict, a.reason, a.rule_id) == (verdict, reason, rule_id), text
