"""Scope detection with the case bank: semantic (embedding) + lexical nearest cases, calibrated.

Every rule example (``scope_rules.yaml``) and every case of the bank (``scope_cases.yaml``) is an
*item*: a sentence with the rule it illustrates, or ``None`` for an accepted counter-example.
Items are embedded once as passages (vectors cached like the catalogue's). For a query:

* ``cosine[rule]``: the best cosine between the query and the rule's items;
* ``lexical[rule]``: the best character-bigram overlap (cosine of the bigram sets, robust to the
  recogniser's spacing) with the same items;
* ``score[rule] = cosine + lexical_weight * lexical``; the best-scoring rule is the candidate;
* ``margin = cosine[candidate] - max(best accepted item, best catalogue leaf)``: how much closer
  the query is to the out-of-scope cases than to anything the hotline accepts.

:meth:`CaseMatcher.judge` returns the candidate with ``confident`` when score and margin pass
the *decline* thresholds (the *emergency* ones for an emergency rule), unconfident (the caller is accepted with a note naming the rule) when
they pass only the *note* thresholds, and nothing otherwise. A rule that fired by keyword or
pattern is confirmed with :meth:`CaseMatcher.confirm` (a lower bar: the words already point at
the rule). Thresholds are tuned on the tune split only (``knowledge.scope.evaluate``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from knowledge.rules import RuleSet
from knowledge.scope.cases import CaseBank
from knowledge.types import ScopeRule

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder, VectorCache

__all__ = ["DEFAULT_THRESHOLDS", "BankJudgement", "CaseMatcher", "ScopeThresholds", "bigrams"]


@dataclass(frozen=True)
class ScopeThresholds:
    """Calibrated thresholds (see ``knowledge.scope.evaluate.tune``; tune split only)."""

    decline_score: float = 0.90  # confident refer/decline found by meaning alone
    decline_margin: float = 0.01
    note_score: float = 0.89  # accept, with a note naming the rule
    note_margin: float = 0.0
    emergency_score: float = 0.915  # an emergency found by meaning alone (recall first)
    emergency_margin: float = 0.01
    confirm_cosine: float = 0.85  # a rule fired by words: confirmed when its cases are this close
    confirm_margin: float = -0.02  # ... and not much farther than the accepted side
    lexical_weight: float = 0.0  # tuned: the bigram overlap did not help on the tune split


DEFAULT_THRESHOLDS = ScopeThresholds()


@dataclass(frozen=True, slots=True)
class BankJudgement:
    rule: ScopeRule
    confident: bool
    score: float
    cosine: float
    margin: float
    nearest: str  # the bank item closest to the query


_PUNCT = re.compile(r"[\s\W_]+")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the text without spaces and punctuation."""
    t = _PUNCT.sub("", text)
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / (len(a) * len(b)) ** 0.5


@dataclass(frozen=True, slots=True)
class _Item:
    rule: int  # index into rules.rules; -1 = accepted
    text: str
    source: str | None  # None for a rule's own example
    grams: frozenset[str]


class CaseMatcher:
    """Nearest rule examples and bank cases of a query (see the module docstring)."""

    def __init__(
        self,
        rules: RuleSet,
        bank: CaseBank,
        thresholds: ScopeThresholds = DEFAULT_THRESHOLDS,
        *,
        exclude_sources: Collection[str] = (),
    ) -> None:
        self.rules = rules
        self.bank = bank
        self.thresholds = thresholds
        self.exclude_sources = frozenset(exclude_sources)
        index = {r.id: i for i, r in enumerate(rules.rules)}
        items: list[_Item] = []
        for i, rule in enumerate(rules.rules):
            items += [_Item(i, ex, None, bigrams(ex)) for ex in rule.examples]
        for c in bank.cases:
            ri = -1 if c.rule is None else index.get(c.rule)
            if ri is not None:
                items.append(_Item(ri, c.text, c.source.id, bigrams(c.text)))
        self.items = tuple(items)
        self._vecs: np.ndarray | None = None

    # ------------------------------------------------------------------ set-up
    def attach(self, embedder: Embedder, cache: VectorCache | None = None) -> None:
        texts = [it.text for it in self.items]
        content = hashlib.sha256("\n".join(texts).encode()).hexdigest()
        if cache is not None:
            self._vecs = cache.load_or_encode(embedder, "scope-cases", content, texts)
        else:
            self._vecs = embedder.encode_passages(texts)

    @property
    def ready(self) -> bool:
        return self._vecs is not None

    def view(
        self,
        *,
        thresholds: ScopeThresholds | None = None,
        exclude_sources: Collection[str] | None = None,
    ) -> CaseMatcher:
        """The same vectors with other thresholds or without some sources' cases."""
        other = object.__new__(CaseMatcher)
        other.rules, other.bank, other.items, other._vecs = (
            self.rules, self.bank, self.items, self._vecs,
        )  # fmt: skip
        other.thresholds = thresholds or self.thresholds
        other.exclude_sources = (
            frozenset(exclude_sources) if exclude_sources is not None else self.exclude_sources
        )
        return other

    # ------------------------------------------------------------------ scoring
    def _scores(
        self, norm: str, qvec: np.ndarray
    ) -> tuple[dict[int, tuple[float, float, int]], float]:
        """Per rule: (best cosine, best combined score, item index); and the best accepted cosine."""
        assert self._vecs is not None
        sims = self._vecs @ qvec.reshape(-1)
        q = bigrams(norm)
        w = self.thresholds.lexical_weight
        per_rule: dict[int, tuple[float, float, int]] = {}
        accepted = -1.0
        for k, it in enumerate(self.items):
            if it.source is not None and it.source in self.exclude_sources:
                continue
            cos = float(sims[k])
            if it.rule < 0:
                accepted = max(accepted, cos)
                continue
            score = cos + w * _overlap(q, it.grams)
            best = per_rule.get(it.rule)
            if best is None:
                per_rule[it.rule] = (cos, score, k)
            else:
                per_rule[it.rule] = (max(best[0], cos), max(best[1], score),
                                     k if score > best[1] else best[2])  # fmt: skip
        return per_rule, accepted

    def judge(
        self, norm: str, qvec: np.ndarray, best_leaf_cosine: float | None
    ) -> BankJudgement | None:
        """The rule the query's nearest cases point at, if close enough (confident or not)."""
        if self._vecs is None or not norm:
            return None
        per_rule, accepted = self._scores(norm, qvec)
        if not per_rule:
            return None
        ri, (cos, score, k) = max(per_rule.items(), key=lambda kv: kv[1][1])
        other = max(accepted, best_leaf_cosine if best_leaf_cosine is not None else -1.0)
        margin = cos - other
        t = self.thresholds
        rule = self.rules.rules[ri]
        hi_score, hi_margin = (
            (t.emergency_score, t.emergency_margin)
            if rule.urgency == "emergency"
            else (t.decline_score, t.decline_margin)
        )
        if score >= hi_score and margin >= hi_margin:
            confident = True
        elif score >= t.note_score and margin >= t.note_margin:
            confident = False
        else:
            return None
        return BankJudgement(rule, confident, score, cos, margin, self.items[k].text)

    def confirm(
        self, rule: ScopeRule, norm: str, qvec: np.ndarray, best_leaf_cosine: float | None
    ) -> BankJudgement:
        """How well the cases of a rule that fired by words support it (``confident``)."""
        per_rule, accepted = self._scores(norm, qvec)
        ri = next(i for i, r in enumerate(self.rules.rules) if r.id == rule.id)
        cos, score, k = per_rule.get(ri, (-1.0, -1.0, 0))
        other = max(accepted, best_leaf_cosine if best_leaf_cosine is not None else -1.0)
        margin = cos - other
        t = self.thresholds
        ok = cos >= t.confirm_cosine and margin >= t.confirm_margin
        return BankJudgement(rule, ok, score, cos, margin, self.items[k].text)

    def with_thresholds(self, **changes: float) -> CaseMatcher:
        return self.view(thresholds=replace(self.thresholds, **changes))
