"""Dialogue acts: what each final segment of a call *does*.

Every segment gets one or more acts (in the order they occur in it):

======================  ==========================================================
act                     meaning
======================  ==========================================================
``greeting``            the opening (您好，12345… / 喂，你好)
``narrative``           the caller's problem, circumstances, wish or request
``answer_name``         the caller gives a name (我姓钱 / 耳东陈)
``answer_phone``        the caller gives a phone number (or part of it)
``answer_address``      the caller gives an address
``confirm``             对 / 是的 / 没错
``correct``             不对… / 说错了…
``question``            either side asks (the agent for a field; the caller what to do)
``readback``            the agent restates the *request* (我跟您确认一下：您反映…对吗？)
``field_check``         the agent reads back a field (电话是一三九…对吗？)
``referral``            the agent refers / transfers / advises another channel
``ack``                 the agent's empathy or acknowledgement (我理解…, 我们会转交…)
``closing``             thanks, goodbye, 还有其他问题吗
======================  ==========================================================

:func:`tag_turn` is pure and cheap (regular expressions and the field extractors of
:mod:`assistant.extract`); the call model uses the acts to decide which words are evidence
for the request (caller narrative, agent read-back) and which are evidence for the verdict
(the agent's referral, transfer or acceptance, see :mod:`.verdict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from asr.text.numerals import digit_chars
from assistant.extract import address_parts, digit_fragment
from assistant.extract._text import nfkc
from assistant.extract.request import caller_clauses

__all__ = ["ACTS", "AgentStance", "TaggedTurn", "agent_stance", "readback_request", "tag_turn"]

ACTS: tuple[str, ...] = (
    "greeting", "narrative", "answer_name", "answer_phone", "answer_address", "confirm",
    "correct", "question", "readback", "field_check", "referral", "ack", "closing",
)  # fmt: skip

# ---------------------------------------------------------------------------- agent cues
_AGENT_GREETING_RE = re.compile(
    r"^(喂[，,\s]*)?(您好|你好)?[，,\s]*(这里是)?[^，,。]{0,8}(12345|一二三四五|热线)"
    r"|很高兴为您服务|有什么可以帮(您|你)|请讲"
)
_AGENT_CLOSING_RE = re.compile(
    r"感谢您的来电|感谢来电|再见|还有(其他|别的|什么)(问题|事情|需要|可以帮)|祝您|不客气|请保持电话畅通"
)
_READBACK_LEAD_RE = re.compile(
    r"(跟|和|给|与|向)(您|你)(确认|核对|核实|复述|重复|总结)一下|我(再|先)?(确认|核对|复述|总结)一下|"
    r"您(反映|说|讲|要反映)的(是|情况|问题|事情)|您的(诉求|意思|问题)是|也就是说(您)?|总结一下|"
    r"我(帮您|给您)?(记录|整理)一下"
)
_READBACK_BODY_RE = re.compile(r"(您|你)(反映|投诉|举报|咨询|想|希望|要求|说|是说)|诉求")
_CHECK_CUE_RE = re.compile(r"对吗|是吗|对不对|是不是|对吧|没错吧|核对|确认|核实")
_TAIL_RE = re.compile(
    r"[，,\s]*(是这样吗|是这个意思吗|对吗|是吗|对不对|是不是|对吧|没错吧)?[？?。！!\s]*$"
)
_QUESTION_RE = re.compile(
    r"[？?]|请问|吗$|呢$|多少|哪里|哪个|什么(时候|位置|地方|情况|问题)|怎么称呼|贵姓|几号|几栋|"
    r"是否|有没有|能不能(说|提供|告诉|留)|方便(说|留|提供|告诉)"
)
_ACK_RE = re.compile(
    r"理解|明白|好的|放心|别着急|不要着急|先别急|抱歉|辛苦|感谢您|记下|记录|登记|转交|反映给|派单|"
    r"交办|跟进|处理|回复您|答复您|核实"
)

# The agent accepts the request for dispatch (evidence for ``accept``)
_AGENT_ACCEPT_RE = re.compile(
    r"(会|将|把|帮您|给您|为您)[^。？]{0,12}(转交|转派|派单|派给|交办|反映给|转给|转到)[^。？]{0,10}"
    r"(部门|单位|街道|社区|办理|处理|核实)"
    r"|(给您|为您|帮您)(登记|记录|建|提交|生成)[^。？]{0,4}(工单|诉求|下来)"
    r"|(工单|诉求)[^。？]{0,8}(转交|派发|提交|交办)"
)
# The agent says the matter is outside the hotline's remit
_AGENT_SCOPE_RE = re.compile(
    r"不属于[^。？]{0,12}(受理|范围|职责|管辖)|不在[^。？]{0,10}(受理|服务|职责)范围|"
    r"(没有?办法|没法|无法|不能|不予|不再)[^。？]{0,8}(受理|转办|立案|派单|转派|帮您转|给您转)|"
    r"(依法|按照规定|按规定)?(应当|需要|要|只能)[^。？]{0,8}(通过|走)[^。？]{0,10}(途径|程序|渠道)|"
    r"(无法|不能|没法|没有?办法)(帮您|替您|为您|给您)?(出面|干预|介入|满足|直接要求)|"
    r"(无法|不能|没法|没有?办法)[^。？]{0,4}(陪您|陪你|提供聊天|聊天)"
)

_DIGIT = "0-9" + digit_chars(dong=True)
_EMERGENCY_NUMBERS = {
    "110": ("110", "幺幺零", "一一零", "妖妖零"),
    "119": ("119", "幺幺九", "一一九", "妖妖九"),
    "120": ("120", "幺二零", "一二零", "妖二零"),
    "122": ("122", "幺二二", "一二二", "妖二二"),
}
_NUMBER_CHANNEL = {v: ch for ch, forms in _EMERGENCY_NUMBERS.items() for v in forms}
# 转接110 / 您直接拨打122 / 打幺幺九: a verb, a few words, the number as a whole (not the 120
# of 一百二十元 or the 122 inside 12122)
_EMERGENCY_CALL_RE = re.compile(
    r"(转接|转到|转给|转|接通|帮您接|给您接|拨打|打|联系|报警|呼叫)[^。？！，,、；;\d]{0,6}?"
    rf"(?<![{_DIGIT}])("
    + "|".join(sorted(_NUMBER_CHANNEL, key=len, reverse=True))
    + rf")(?![{_DIGIT}元块米斤号路栋幢楼分万])"
)
_TRANSFER_RE = re.compile(r"转接|转到|转给|接通|帮您接|给您接|三方|不要挂")
_EMERGENCY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("110", re.compile(r"(马上|立即|赶紧|赶快|尽快|请您|您先)[^。？]{0,4}报警|帮您报警|通知(警方|民警|派出所)")),
    ("119", re.compile(r"(通知|叫|联系)消防|消防(队|员)?[^。？]{0,4}(马上|立即)")),
    ("120", re.compile(r"(叫|打)救护车|急救中心")),
)  # fmt: skip
_CHANNEL_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("arbitration", re.compile(r"仲裁")),
    (
        "court",
        re.compile(r"法院|法官|审判|庭审|起诉|诉讼|强制执行|执行(局|庭)|复议|12368|一二三六八"),
    ),
    ("petition", re.compile(r"纪委|监委|纪检|监察(委|机关|部门)|信访(部门|局|办|渠道|途径)")),
    ("consumer_association", re.compile(r"消费者协会|消协|消保委")),
)
_ADVISE_RE = re.compile(
    r"建议|可以|需要|应当|应该|只能|请您|您(直接|先|去|到|向|找)|向[^。？]{0,16}(申请|起诉|反映|提出|举报)|"
    r"申请|起诉|咨询|联系"
)
_REASON_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("superstition", re.compile(r"迷信|风水|算命|驱邪|鬼|神灵|看日子")),
    ("already_concluded", re.compile(r"终结|已经(依法)?(办结|答复|处理完毕|结案)|不再(重复)?受理")),
    ("unlawful_demand", re.compile(r"违法|违反[^。？]{0,6}(法律|规定)|不符合[^。？]{0,4}(法律|规定)|不合法|法律不允许|法[^。？]{0,3}规定[^。？]{0,16}不(能|得|允许)")),
    ("no_factual_basis", re.compile(r"事实依据|没有依据|缺乏依据|无法核实")),
    ("private_matter", re.compile(r"家庭|婚姻|感情|私人|家务事|内部(管理|事务)|企业自主|公司自主|自主决定|双方协商")),
    ("no_substance", re.compile(r"具体(的)?诉求|闲聊|聊天|占用|骚扰|无关")),
)  # fmt: skip

# ---------------------------------------------------------------------------- caller cues
_CONFIRM_RE = re.compile(
    r"^(嗯+|对+|是+|是的|对的|没错|没问题|正确|就是|就是这样|就是这个意思|对对对|是是是|好的?|行|可以|嗯嗯)+"
)
_CORRECT_RE = re.compile(
    r"不对|说错了|错了|说错|不是[^。？，,]{0,12}(是|而是)|应该是|更正|纠正|重新说|我再说一遍"
)
_CALLER_CLOSING_RE = re.compile(
    r"谢谢|再见|拜拜|没了|没有了|没别的|没其他|就这些|就这样吧|麻烦(你|您)了|辛苦(你|您)了|好的好的"
)
_CALLER_QUESTION_RE = re.compile(
    r"[？?]|吗$|怎么办|咋办|找谁|去哪|怎么(申请|弄|办|走|处理)|要多久|什么时候"
)
_NAME_CUE_RE = re.compile(
    r"姓|叫|名字|称呼|木子|弓长|耳东|口天|立早|双木|草头|古月|言午|走肖|木易|文刀|字旁"
)


@dataclass(frozen=True, slots=True)
class AgentStance:
    """What an agent segment says about the call's scope.

    ``verdict`` is ``accept`` (the agent takes the request for dispatch), ``refer`` (another
    channel, ``channel`` set) or ``decline`` (``reason`` set). ``strong`` is True for a
    transfer or dialling advice to 110/119/120/122 and for a statement that the matter is
    outside the hotline's remit; plain advice ("you can also ask the arbitration committee")
    is weak.
    """

    verdict: Literal["accept", "refer", "decline"]
    channel: str | None = None
    reason: str | None = None
    transfer: bool = False
    strong: bool = False
    cue: str = ""


@dataclass(frozen=True, slots=True)
class TaggedTurn:
    """The dialogue acts of one final segment, and what the call model takes from it."""

    speaker: str
    acts: tuple[str, ...]
    content: str = ""  # caller: the narrative clauses; agent: the request restated
    stance: AgentStance | None = None  # agent segments only
    asks: tuple[str, ...] = ()  # fields the agent asks for

    def has(self, act: str) -> bool:
        return act in self.acts


def _flat(text: str) -> str:
    """NFKC without spaces; numerals stay as written (一百二十 must not become 120)."""
    return re.sub(r"\s+", "", nfkc(text))


# the agent sends the request to a department or repair service (an accepted emergency)
_DISPATCH_RE = re.compile(
    r"(转|派|联系|通知|交)[^。？，,]{0,10}(抢修|维修|维保|部门|单位|属地|物业|街道|社区)"
)
_SENTENCE_RE = re.compile(r"[^。！？!?；;]+[。！？!?；;]*")
_CONDITIONAL_RE = re.compile(
    r"如果|如有|若有|要是|万一|一旦|下次|再有|以后|假如|倘若|再发生|再遇到"
)
_ASKING_RE = re.compile(r"需不需要|要不要|用不用|是否需要|有没有")


def _stance_rank(s: AgentStance) -> int:
    if s.verdict == "accept":
        return 0
    return 1 + int(s.strong) + int(s.channel in _EMERGENCY_NUMBERS and s.strong)


def _sentence_stance(t: str) -> AgentStance | None:
    conditional = _CONDITIONAL_RE.search(t) is not None
    m = _EMERGENCY_CALL_RE.search(t)
    if m is not None and not _ASKING_RE.search(t[: m.start()]):
        channel = _NUMBER_CHANNEL[m.group(2)]
        # the transfer verb is the one before the number (转给救助管理部门 elsewhere is not)
        transfer = bool(_TRANSFER_RE.fullmatch(m.group(1))) or "不要挂" in t
        return AgentStance(
            "refer", channel, None, transfer, transfer or not conditional, m.group(0)
        )
    for channel, rx in _EMERGENCY_WORDS:
        m = rx.search(t)
        if m is not None and not conditional and not _ASKING_RE.search(t[: m.start()]):
            return AgentStance(
                "refer", channel, None, bool(_TRANSFER_RE.search(t)), True, m.group(0)
            )
    scope = _AGENT_SCOPE_RE.search(t)
    for channel, rx in _CHANNEL_RES:
        m = rx.search(t)
        if m is not None and (scope is not None or _ADVISE_RE.search(t)):
            return AgentStance("refer", channel, None, False, scope is not None, m.group(0))
    if scope is not None:  # the reason may be in another sentence (agent_stance)
        reason = next((r for r, rx in _REASON_RES if rx.search(t)), None)
        return AgentStance("decline", None, reason, False, True, scope.group(0))
    m = _AGENT_ACCEPT_RE.search(t)
    if m is not None and not conditional:
        return AgentStance("accept", cue=m.group(0))
    return None


def agent_stance(text: str) -> AgentStance | None:
    """The agent's referral, transfer, decline or acceptance in one segment (None: none).

    Judged sentence by sentence; the strongest wins (a transfer to 110/119/120/122, then a
    statement that the matter is outside the remit, then advice, then acceptance). Advice
    under a condition (如果再发生，您可以拨打110) and questions (需不需要叫救护车？) are
    not transfers. A decline states its reason somewhere in the segment.
    """
    t = _flat(text)
    best: AgentStance | None = None
    for sentence in _SENTENCE_RE.findall(t):
        st = _sentence_stance(sentence)
        if st is not None and (best is None or _stance_rank(st) > _stance_rank(best)):
            best = st
    if best is not None and best.verdict == "decline":
        # no reason anywhere (热线不能干预审判): out of scope, but not a decline of its own
        reason = next((r for r, rx in _REASON_RES if rx.search(t)), best.reason)
        best = AgentStance("decline", None, reason, False, reason is not None, best.cue)
    # 马上为您转燃气抢修…如有起火请拨打119: the agent dispatches; the number is advice
    if (
        best is not None
        and best.channel in _EMERGENCY_NUMBERS
        and not best.transfer
        and _DISPATCH_RE.search(t)
    ):
        best = AgentStance("refer", best.channel, None, False, False, best.cue)
    return best


def readback_request(text: str) -> str:
    """The request an agent read-back restates, without the lead-in, the tag question and
    the contact details read back with it ("" when the segment is not a read-back of the
    request)."""
    t = nfkc(text).strip()
    m = _READBACK_LEAD_RE.search(t)
    if m is None:
        return ""
    body = t[m.end() :].lstrip("：:，, ")
    body = _TAIL_RE.sub("", body)
    if not _READBACK_BODY_RE.search(t) and len(body) < 16:
        return ""
    # a read-back of contact details only (name, phone, address) is a field check
    kept = "，".join(c.text for c in caller_clauses(body) if c.kind == "content")
    return kept if len(kept) >= 6 else ""


def _tag_agent(text: str, asks: tuple[str, ...]) -> TaggedTurn:
    t = _flat(text)
    acts: list[str] = []
    if _AGENT_GREETING_RE.search(t):
        acts.append("greeting")
    request = readback_request(text)
    if request:
        acts.append("readback")
    elif _CHECK_CUE_RE.search(t) and (len(digit_fragment(t)) >= 4 or _NAME_CUE_RE.search(t)):
        acts.append("field_check")
    stance = agent_stance(text)
    if stance is not None and stance.verdict != "accept":
        acts.append("referral")
    if _ACK_RE.search(t) or (stance is not None and stance.verdict == "accept"):
        acts.append("ack")
    if asks or (_QUESTION_RE.search(t) and not request and "field_check" not in acts):
        acts.append("question")
    if _AGENT_CLOSING_RE.search(t):
        acts.append("closing")
    if not acts:
        acts.append("ack")
    return TaggedTurn("agent", tuple(acts), request, stance, asks)


# 孟子的孟 / 平凡的凡 / 言字旁一个西早的谭: a character spelt out (part of the name answer)
_CHAR_SPELLING_RE = re.compile(r"^([\u4e00-\u9fff]{1,6}?)(的|那个)([\u4e00-\u9fff])$")
_RADICAL_RE = re.compile(r"字旁|字头|字底|偏旁|部首|旁边一个|上面一个|下面一个")
_PHONE_CUE_RE = re.compile(r"电话|手机|号码|座机|联系方式")


def _mostly_address(bare: str) -> bool:
    """The clause is an address and little else (not 村道镇上的沈尼路坏了，全是大坑)."""
    parts = address_parts(bare) if len(bare) <= 30 else {}
    rest = bare
    for v in parts.values():
        rest = rest.replace(v, "")
    return bool(parts) and len(re.sub(r"[\d的在是那个就]", "", rest)) <= 4


def _spells_a_character(bare: str) -> bool:
    if _RADICAL_RE.search(bare):
        return True
    m = _CHAR_SPELLING_RE.search(bare)
    return m is not None and m.group(3) in m.group(1)


def _tag_caller(text: str, asked: tuple[str, ...], referred: bool) -> TaggedTurn:
    acts: list[str] = []
    content: list[str] = []

    def add(act: str) -> None:
        if act not in acts:
            acts.append(act)

    in_address = any(c.kind == "address" for c in caller_clauses(text))
    for sentence in _SENTENCE_RE.findall(nfkc(text)) or [text]:
        asking = bool(_CALLER_QUESTION_RE.search(sentence.strip()))
        for c in caller_clauses(sentence):
            bare = re.sub(r"[\s，。,.!！?？、]", "", c.text)
            if c.kind == "greeting":
                if _CALLER_CLOSING_RE.search(bare):
                    add("closing")
                elif _CONFIRM_RE.match(bare):
                    add("confirm")
                elif re.match(r"^(喂|你好|您好|哎|唉)+", bare):
                    add("greeting")
            elif c.kind == "field":
                digits = digit_fragment(c.text)
                if _PHONE_CUE_RE.search(bare) or (len(digits) >= 4 and not in_address):
                    add("answer_phone")
                elif digits and in_address:
                    add("answer_address")  # 六零二: the flat number
                elif (
                    _NAME_CUE_RE.search(bare) or "name" in asked or (len(bare) <= 4 and not digits)
                ):
                    add("answer_name")
            elif c.kind == "address":
                add("answer_address")
            elif c.kind == "correction":
                add("correct")
            elif _spells_a_character(bare) and ("name" in asked or "answer_name" in acts):
                add("answer_name")
            elif "address" in asked and (_mostly_address(bare) or (len(bare) <= 8 and in_address)):
                add("answer_address")  # the answer to 请问具体地址是？ (锦绣华庭, 十七幢)
            elif asking and referred:
                pass  # after a referral, "so where do I go?" is about the referral
            elif acts[:1] == ["confirm"] and len(bare) <= 8 and not content:
                pass  # 对，就是这个 / 对，这回对了: part of the confirmation
            else:
                content.append(c.text)
                add("narrative")
            if c.kind not in ("correction", "content") and _CORRECT_RE.search(bare):
                add("correct")
        if asking:
            add("question")
    if not acts:  # e.g. an utterance of only filler words
        acts.append("confirm" if _CONFIRM_RE.match(_flat(text)) else "narrative")
    if acts == ["narrative"] and asked and not content:
        acts = [f"answer_{asked[0]}"]
    return TaggedTurn("caller", tuple(acts), "，".join(content))


def tag_turn(
    speaker: str,
    text: str,
    *,
    asks: tuple[str, ...] = (),
    asked: tuple[str, ...] = (),
    referred: bool = False,
) -> TaggedTurn:
    """The dialogue acts of one final segment.

    ``asks`` (agent segments): the fields this segment asks for. Caller segments: ``asked``,
    the fields the agent asked for just before (a bare answer 王建国 is not narrative), and
    ``referred``, whether the agent has referred or declined the call (the caller's questions
    after that are about the referral, not more of the request).
    """
    if speaker == "agent":
        return _tag_agent(text, asks)
    return _tag_caller(text, asked, referred)
