"""The emotion cue lexicon (see :mod:`knowledge.classify` for how it is used).

A small weighted lexicon per emotion plus cues that survive speech recognition: repeated
words or phrases and, when present, punctuation. :func:`emotion_scores` sums the weights of
the cues found; it is both the lexicon classifier's score and two features of the trained
model (:mod:`knowledge.emotion.features`).
"""

from __future__ import annotations

import re

__all__ = ["emotion_scores"]

# Cue lexicons: (regular expression, weight). Families of cues rather than whole sentences,
# so that they carry over to unseen calls and to unpunctuated recogniser output.
_ANGRY: tuple[tuple[str, float], ...] = (
    # open anger, insults
    ("气死|太气人|气人|火大|窝火|恼火", 1.0), ("生气", 0.6), ("受够了|忍无可忍|欺人太甚", 1.2),
    ("混蛋|王八蛋|他妈|妈的|缺德|不要脸|什么玩意|没良心", 1.2), ("垃圾|差劲|恶心", 0.5),
    # rhetorical accusation
    ("凭什么|凭啥", 1.0), ("像话吗|不像话|岂有此理|还有没有王法|太离谱|讲不讲理|不讲理", 1.0),
    ("这不是.{0,8}吗", 0.8), ("这叫什么事|什么事啊|算怎么回事|算什么", 0.9),
    ("怎么可能|谁负责|谁来负责|谁管", 0.6), ("你们是干什么吃的|干什么吃的|拿钱不办事|拿钱不干事", 1.5),
    ("讹人|坑人|骗人|黑心|霸道|欺负人|耍我|糊弄|敷衍", 0.9), ("离谱|过分", 0.6),
    # nobody handles it / passing the buck
    ("到底管不管|有没有人管|管不管|查不查|还管不管", 1.1), ("没人管|也不管|都不管|不管不问|没人理", 0.7),
    ("踢皮球|推来推去|推三阻四|互相推|推给", 1.0), ("白说|白打|没用|有什么用", 0.7),
    ("一个人影都没|人影都没|从来不|从来没|根本不|根本没", 0.6),
    ("电话都不接|不接电话|拉黑|还凶|凶我|骂我|态度差|态度恶劣|什么态度", 0.8),
    # it keeps happening / dragging on
    ("(找|打|去|问|反映|投诉|跑)了?(好|五六|三四|七八|十几|二十|几十|无数|多少|四|五|六|七|八|九|十)(次|趟|回|遍)", 0.8),
    ("一次又一次|一拖再拖|还在拖|老是拖|三天两头|年年|又没了|又坏了|又来了|又开始", 0.6),
    ("还不解决|还没解决|到现在都没|到现在还|都过去|快一年|好几年", 0.5),
    ("倒是照收|照收不误|照样收", 1.0),
    # demands and threats
    ("我要投诉|投诉你们|告你们|曝光|找媒体|找记者|找你们领导|讨个说法|给个说法", 1.0),
    ("投诉|不满意|必须给我|马上给我", 0.5), ("受不了|烦死|吵死", 0.7),
    # the other side refuses, cheats or vanishes
    ("(就是|还|根本|死活|也)不(给|认|退|管|来|修|理|发|结|让|承认)", 0.5),
    ("一分(钱)?(都|也)?(没|不)", 0.6), ("一伙的|串通|勾结|故意", 0.7),
    ("不交就|不买就|还要我再|还让我|还扣|还收", 0.5),
    ("这怎么行|怎么能这样|哪有这样|哪有这么|说好的|白纸黑字", 0.7),
    ("关机|找不到人|人跑了|跑路|卷钱", 0.5),
)  # fmt: skip

_DISTRESSED: tuple[tuple[str, float], ...] = (
    ("怎么办|咋办", 0.8), ("该怎么办|不知道怎么办|不知道该怎么办", 0.6),
    ("急死|急得|着急|急用", 0.8), ("求求|求你|拜托|帮帮我|救救|救命", 1.1),
    ("走投无路|活不下去|没办法了|实在没办法|撑不下去|快撑不住|没法过|过不下去", 1.2),
    ("害怕|吓死|好怕|吓坏|吓人|不敢|心慌|发抖|慌了|揪心", 0.9), ("担心|怕", 0.4),
    ("哭|呜", 0.8), ("崩溃|快疯了|绝望|无助", 1.0),
    ("危险|要出事|出大事|出人命|砸着人|砸到人|伤着人", 0.8), ("万一|差点|差一点", 0.5),
    ("快来|快点派|赶紧派|赶快|马上派|快派", 1.0), ("赶紧|快点", 0.4),
    ("往里灌|全泡了|还在往|越来越大|止不住|冻得|冻坏|好冷|没法住|下不了楼", 0.8),
    ("等到什么时候|到底还能不能|什么时候才能", 0.7),
    ("八十多|七十多|九十多|刚满月|刚出生|婴儿|腿脚不好|瘫痪|残疾|孤寡|独居|一个人住", 0.5),
    ("住院|生病|病了|没钱|吃不上饭|无家可归|没地方住", 0.5),
    # bodily harm, symptoms, can't cope
    ("摔(了|倒|伤)|磕破|骨折|受伤|流血|拉肚子|上吐下泻|发烧|咳嗽|肿(了|得)|过敏|冻感冒|呛醒|晕", 0.6),
    ("去医院|送医院|进医院", 0.5), ("没睡好|睡不好|睡不着觉", 0.4),
    ("交不起|路费都|活不了|没法活", 0.8),
)  # fmt: skip

_ANGRY_RE = tuple((re.compile(p), w) for p, w in _ANGRY)
_DISTRESSED_RE = tuple((re.compile(p), w) for p, w in _DISTRESSED)
_REPEAT = re.compile(r"(.{2,4})\1")


def emotion_scores(text: str) -> tuple[float, float]:
    """(anger, distress) cue scores of a text; see the module docstring."""
    t = text.replace(" ", "")
    angry = sum(w for p, w in _ANGRY_RE if p.search(t))
    distressed = sum(w for p, w in _DISTRESSED_RE if p.search(t))
    bangs = t.count("!") + t.count("！")
    if bangs:
        angry += 0.3
        distressed += 0.3
    angry += 0.5 * len(re.findall(r"[?？]{2,}", t))
    repeats = [m.group(1) for m in _REPEAT.finditer(t) if re.search(r"[\u4e00-\u9fff]", m.group(1))]
    repeats = [r for r in repeats if r not in ("天天", "常常", "慢慢", "好好", "刚刚", "人人")]
    if repeats:
        if any(w in r for r in repeats for w in ("快", "救", "帮", "求")):
            distressed += 0.6
        else:
            angry += 0.3
    return angry, distressed
