"""Scope verdict, urgency and caller emotion.

Scope (accept / refer / decline)
    The rules of ``scope_rules.yaml`` are tried in file order (emergencies first). A rule
    fires on a keyword, a regular-expression pattern, or a fuzzy-pinyin keyword (homophones
    from the recogniser); its ``exclude_patterns`` veto it. When the embedding backend is
    ready, a rule also fires *semantically* when the query is closer to one of its examples
    than ``rule_cosine`` AND closer to it than to every catalogue leaf by ``rule_margin`` —
    this catches paraphrases such as "我想让政府给我介绍个媳妇" without making ordinary
    complaints look out of scope. Nothing fires -> ``accept``.

Urgency
    ``emergency`` when an emergency rule (110/119/120/122) fires or the verdict is accept and
    the best category has a 2-hour deadline (电梯困人, 燃气泄漏, 路面塌陷 ...); also when a
    2-hour category is in the top 3 and close behind or the text has a danger cue (塌了,
    泄漏, 被困, 水管爆了 ...), or a danger cue comes with a 24-hour category — recall over
    precision, a false alarm costs the call-taker one glance. ``urgent`` when the best
    category has a 24-hour deadline; else ``normal`` (this is how the dev set is labelled).

Emotion (angry / distressed / calm)
    A small weighted lexicon per emotion (anger: 气死、凭什么、到底管不管、投诉你们、多少次了;
    distress: 怎么办、急死了、求求你、救命、害怕、哭 ...) plus cues that survive speech
    recognition: repeated words or phrases ("快点快点", "没人管没人管"), and, when present,
    punctuation (several "！" or "？？"). Each cue adds to a score; the emotion with the higher
    score wins if it reaches ``threshold`` (0.5, swept on the dev set), otherwise ``calm``. Emergencies lean to
    distressed. Transparent and fast; weights were set by reading the dev set.
    With the engine's query vector (embedding backend ready) the lexicon's angry / distressed
    proposal must be confirmed by the calibrated model of :mod:`knowledge.emotion` (trained on
    ``knowledge/data/emotion/train.jsonl``), else the caller is calm. Without an embedding
    backend (``none``) or without the weights file, the lexicon alone decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.rules import RuleMatch, RuleSet
from knowledge.types import Emotion, ScopeRule, Urgency, Verdict

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder, VectorCache
    from knowledge.search import SearchResult


@dataclass(frozen=True)
class ClassifyConfig:
    rule_cosine: float = 0.90  # semantic rule trigger: cosine to the nearest rule example
    rule_margin: float = 0.02  # ... and this much above the best leaf cosine (dev set: 99% of
    # in-scope lines stay below 0.015, see the report)
    emotion_threshold: float = 0.5


DEFAULT_CLASSIFY = ClassifyConfig()


@dataclass(frozen=True, slots=True)
class ScopeDecision:
    verdict: Verdict
    channel: str | None
    reason: str | None
    rule: ScopeRule | None
    match: RuleMatch | None


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


def detect_emotion(
    text: str, *, emergency: bool = False, threshold: float = 0.5, qvec: np.ndarray | None = None
) -> Emotion:
    """Angry, distressed or calm, from cue lexicons and repetition / punctuation cues; with
    ``qvec`` (the E5 query vector of the normalised text) confirmed by the trained model."""
    angry, distressed = emotion_scores(text)
    if emergency:
        distressed += 0.8
    best = max(angry, distressed)
    if best < threshold:
        return "calm"
    proposal: Emotion = "angry" if angry >= distressed else "distressed"
    if qvec is None:
        return proposal
    from knowledge.emotion.features import LEXICON_DIM, features
    from knowledge.emotion.model import default_model

    model = default_model()
    if model is None or qvec.size != model.dim - LEXICON_DIM:
        return proposal
    p = model.proba(features(qvec.reshape(1, -1), [text]))[0]
    label = model.decide(p, proposal)
    return "angry" if label == "angry" else "distressed" if label == "distressed" else "calm"


# Cues of immediate physical danger (collapse, gas, trapped people, live wires, flooding...).
_DANGER = re.compile(
    r"(塌(了|下来|下去|陷)|坍塌|倒塌|垮(了|塌)|裂开|缝越来越|歪了|要倒|快倒|翻倒|"
    r"随时.{0,4}(塌|倒|掉|砸)|砸下来|往下(溜|滑|掉)|滚下来|(电线|高压线).{0,8}(掉|断|冒火|火星)|"
    r"冒火星|漏电|(煤气|燃气|天然气|液化气|没气)(的)?(味|泄漏|漏了)|泄漏|挖破|挖断|"
    r"(被困|困在|关在|被关).{0,6}(电梯|里面|里头)|(水|洪水).{0,8}(灌进|漫进|进屋|没过)|"
    r"(水管|管子).{0,4}(爆|裂)|一直在甩|来回甩|还在(往外|变大|扩)|越来越(大|宽)|"
    r"(呼吸机|制氧机).{0,12}(停电|停了|没电)|(停电|没电).{0,12}(呼吸机|制氧机))"
)


class Classifier:
    """Scope verdict, urgency and emotion for normalised caller text."""

    def __init__(self, rules: RuleSet, config: ClassifyConfig = DEFAULT_CLASSIFY) -> None:
        self.rules = rules
        self.config = config
        self._example_vecs: np.ndarray | None = None
        self._example_rule: list[int] = []

    def attach_semantic(self, embedder: Embedder, cache: VectorCache | None = None) -> None:
        import hashlib

        texts: list[str] = []
        owner: list[int] = []
        for i, rule in enumerate(self.rules.rules):
            for ex in rule.examples:
                texts.append(ex)
                owner.append(i)
        content = hashlib.sha256("\n".join(texts).encode()).hexdigest()
        if cache is not None:
            vecs = cache.load_or_encode(embedder, "rules", content, texts)
        else:
            vecs = embedder.encode_passages(texts)
        self._example_rule = owner
        self._example_vecs = vecs

    @property
    def semantic_ready(self) -> bool:
        return self._example_vecs is not None

    def semantic_rule(
        self, qvec: np.ndarray, best_leaf_cosine: float | None
    ) -> tuple[ScopeRule, float] | None:
        """The rule whose examples are nearest to the query, if close enough."""
        vecs = self._example_vecs
        if vecs is None:
            return None
        sims = vecs @ qvec.reshape(-1)
        i = int(sims.argmax())
        cos = float(sims[i])
        if cos < self.config.rule_cosine:
            return None
        if best_leaf_cosine is not None and cos - best_leaf_cosine < self.config.rule_margin:
            return None
        return self.rules.rules[self._example_rule[i]], cos

    def scope(
        self, norm: str, qvec: np.ndarray | None = None, search: SearchResult | None = None
    ) -> ScopeDecision:
        matches = self.rules.match(norm)
        match: RuleMatch | None = matches[0] if matches else None
        if match is None and qvec is not None:
            best_leaf = None
            if search is not None and search.suggestions:
                sems = [s.evidence.semantic for s in search.suggestions if s.evidence.semantic]
                best_leaf = max(sems) if sems else None
            found = self.semantic_rule(qvec, best_leaf)
            if found is not None and not self.rules.excluded(found[0], norm.replace(" ", "")):
                match = RuleMatch(found[0], "", "semantic", -1, found[1])
        if match is None:
            return ScopeDecision("accept", None, None, None, None)
        r = match.rule
        return ScopeDecision(r.verdict, r.channel, r.reason, r, match)

    @staticmethod
    def urgency(
        decision: ScopeDecision, search: SearchResult | None, emotion: Emotion, text: str = ""
    ) -> Urgency:
        if decision.rule is not None and decision.rule.urgency == "emergency":
            return "emergency"
        if decision.verdict != "accept" or search is None or not search.suggestions:
            return "normal"
        sugg = search.suggestions
        top = sugg[0]
        if top.leaf.deadline == "2h":
            return "emergency"
        danger = bool(_DANGER.search(text.replace(" ", "")))
        for s in sugg[1:3]:
            # a 2-hour category close behind, or any 2-hour category plus a danger cue:
            # missing an emergency costs far more than a false alarm the call-taker dismisses
            if s.leaf.deadline == "2h" and (danger or top.score - s.score <= 0.15):
                return "emergency"
        if danger and (top.leaf.deadline == "24h" or any(s.leaf.deadline == "2h" for s in sugg)):
            return "emergency"
        return "urgent" if top.leaf.deadline == "24h" else "normal"

    def emotion(
        self, text: str, decision: ScopeDecision | None = None, qvec: np.ndarray | None = None
    ) -> Emotion:
        emergency = bool(decision and decision.rule and decision.rule.urgency == "emergency")
        return detect_emotion(
            text, emergency=emergency, threshold=self.config.emotion_threshold, qvec=qvec
        )
