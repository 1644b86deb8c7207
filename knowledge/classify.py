"""Scope verdict, urgency and caller emotion.

Scope (accept / refer / decline)
    The rules of ``scope_rules.yaml`` are tried in file order (emergencies first). A rule
    fires on a keyword, a regular-expression pattern, or a fuzzy-pinyin keyword (homophones
    from the recogniser); its ``exclude_patterns`` veto it. When the embedding backend is
    ready, a rule also fires *semantically* when the query is closer to one of its examples
    than ``rule_cosine`` AND closer to it than to every catalogue leaf by ``rule_margin`` —
    this catches paraphrases such as "我想让政府给我介绍个媳妇" without making ordinary
    complaints look out of scope. Nothing fires -> ``accept``.

    With the case bank attached (``knowledge.scope``: published cases of many hotlines plus
    caller-style paraphrases, embedded once), the decision is calibrated instead: a
    non-emergency rule fired by words stands only when its cases confirm it; a rule found by
    meaning alone refers / declines only when confident; otherwise the request is ACCEPTED with
    a note naming the rule (``可能不属于受理范围：<rule>，请核实``) — a wrong decline is the costly
    error, the call-taker decides. Emergency rules fired by words always stand.

Urgency
    ``emergency`` when an emergency rule (110/119/120/122) fires or the verdict is accept and
    the best category has a 2-hour deadline (电梯困人, 燃气泄漏, 路面塌陷 ...); also when a
    2-hour category is in the top 3 and close behind or the text has a danger cue (塌了,
    泄漏, 被困, 水管爆了 ...), or a danger cue comes with a 24-hour category — recall over
    precision, a false alarm costs the call-taker one glance. Danger cues are also looked for
    in the text with misheard emergency words read back (:mod:`knowledge.heard`). ``urgent`` when the best
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

from knowledge.emotion.lexicon import emotion_scores
from knowledge.heard import read_heard
from knowledge.rules import RuleMatch, RuleSet
from knowledge.types import Emotion, ScopeRule, Urgency, Verdict

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder, VectorCache
    from knowledge.scope.matcher import CaseMatcher
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
    note: str | None = None  # accepted, but a rule might apply: 可能不属于受理范围：…，请核实
    note_rule: ScopeRule | None = None


def scope_note(rule: ScopeRule) -> str:
    """The visible note of an accepted request that a rule might cover (the call-taker decides)."""
    if rule.urgency == "emergency":
        return f"可能需要转{rule.channel}：{rule.name}，请核实"
    return f"可能不属于受理范围：{rule.name}，请核实"


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
        self.bank: CaseMatcher | None = None  # the case bank, once the embedder is attached

    def attach_semantic(self, embedder: Embedder, cache: VectorCache | None = None) -> None:
        import hashlib

        from knowledge.scope.cases import load_cases
        from knowledge.scope.matcher import CaseMatcher

        bank = CaseMatcher(self.rules, load_cases(rules=self.rules))
        bank.attach(embedder, cache)
        self.bank = bank

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
        best_leaf = None
        if qvec is not None and search is not None and search.suggestions:
            sems = [s.evidence.semantic for s in search.suggestions if s.evidence.semantic]
            best_leaf = max(sems) if sems else None
        if qvec is not None and self.bank is not None and self.bank.ready:
            return self._scope_with_bank(norm, qvec, match, best_leaf)
        if match is None and qvec is not None:
            found = self.semantic_rule(qvec, best_leaf)
            if found is not None and not self.rules.excluded(found[0], norm.replace(" ", "")):
                match = RuleMatch(found[0], "", "semantic", -1, found[1])
        if match is None:
            return ScopeDecision("accept", None, None, None, None)
        r = match.rule
        return ScopeDecision(r.verdict, r.channel, r.reason, r, match)

    def _scope_with_bank(
        self, norm: str, qvec: np.ndarray, match: RuleMatch | None, best_leaf: float | None
    ) -> ScopeDecision:
        """Rules + case bank, calibrated: refer / decline only when confident, else a note."""
        assert self.bank is not None
        compact = norm.replace(" ", "")
        if match is not None:
            rule = match.rule
            if rule.urgency == "emergency":
                return ScopeDecision(rule.verdict, rule.channel, rule.reason, rule, match)
            judged = self.bank.confirm(rule, norm, qvec, best_leaf)
            if judged.confident:
                return ScopeDecision(rule.verdict, rule.channel, rule.reason, rule, match)
            return ScopeDecision("accept", None, None, None, None, scope_note(rule), rule)
        found = self.bank.judge(norm, qvec, best_leaf)
        if found is None or self.rules.excluded(found.rule, compact):
            return ScopeDecision("accept", None, None, None, None)
        r = found.rule
        if found.confident:
            m = RuleMatch(r, found.nearest, "semantic", -1, found.score)
            return ScopeDecision(r.verdict, r.channel, r.reason, r, m)
        return ScopeDecision("accept", None, None, None, None, scope_note(r), r)

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
        compact = text.replace(" ", "")
        # a misheard danger word (没气味 for 煤气味) is read back first
        danger = bool(_DANGER.search(compact) or _DANGER.search(read_heard(compact)))
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
