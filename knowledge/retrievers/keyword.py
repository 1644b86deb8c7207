"""The keyword retriever: catalogue names and keywords found in the caller's text.

Exact matches, plus pinyin matches that survive recogniser homophones (无业→物业, 听水→停水):
toneless pinyin for 2-character terms, fuzzy pinyin (zh/z, n/l, -ng/-n) for longer ones, and
a rapidfuzz near-match on pinyin for terms of 4+ characters. Terms shared by many leaves
weigh less.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from knowledge.catalogue import Catalogue
from knowledge.pinyin import fuzz_syllable, syllables
from knowledge.tokenizer import normalize_text


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    leaves: tuple[int, ...]
    plain: tuple[str, ...]  # toneless syllables
    fuzzy: tuple[str, ...]  # fuzzy syllables
    weight: float


@dataclass
class KeywordHits:
    """What matched for one leaf: accumulated score, exact keywords, fuzzy ``heard→term``."""

    score: float = 0.0
    keywords: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)


class KeywordRetriever:
    """Exact and pinyin (homophone) matches of catalogue names and keywords."""

    def __init__(self, catalogue: Catalogue) -> None:
        by_term: dict[str, set[int]] = defaultdict(set)
        for i, leaf in enumerate(catalogue.leaves):
            for term in (leaf.name, *leaf.keywords):
                term = normalize_text(term)
                if len(term) >= 2:
                    by_term[term].add(i)
        terms: list[_Term] = []
        for text, idx in by_term.items():
            n = len(idx)
            weight = min(len(text), 6) / (1.0 + 0.5 * (n - 1))
            terms.append(
                _Term(text, tuple(sorted(idx)), syllables(text),
                      tuple(fuzz_syllable(s) for s in syllables(text)), weight)
            )  # fmt: skip
        self.terms = tuple(terms)
        self._exact: dict[str, list[int]] = defaultdict(list)  # first 2 chars -> term idx
        self._plain: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._fuzzy: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for ti, t in enumerate(self.terms):
            self._exact[t.text[:2]].append(ti)
            self._plain[t.plain[:2]].append(ti)
            if len(t.text) >= 3:
                self._fuzzy[t.fuzzy[:2]].append(ti)
        # near matches (one syllable off) for terms of 4+ characters: index every fuzzy
        # syllable bigram with its offset so only aligned windows are compared
        self._near: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
        for ti, t in enumerate(self.terms):
            if len(t.text) >= 4:
                for j in range(len(t.fuzzy) - 1):
                    self._near[t.fuzzy[j : j + 2]].append((ti, j))

    def match(self, text: str) -> dict[int, KeywordHits]:
        """Leaf index -> accumulated score and evidence."""
        out: dict[int, KeywordHits] = defaultdict(KeywordHits)
        compact = re.sub(r"\s+", "", text)
        n = len(compact)
        if n < 2:
            return {}
        plain = syllables(compact)
        fuzzy = tuple(fuzz_syllable(s) for s in plain)
        seen: set[int] = set()
        exact_spans: list[tuple[int, int]] = []
        for i in range(n - 1):
            for ti in self._exact.get(compact[i : i + 2], ()):
                t = self.terms[ti]
                if ti not in seen and compact.startswith(t.text, i):
                    seen.add(ti)
                    exact_spans.append((i, i + len(t.text)))
                    for li in t.leaves:
                        out[li].score += t.weight
                        out[li].keywords.append(t.text)
        covered = [False] * n
        for s, e in exact_spans:
            for j in range(s, e):
                covered[j] = True
        for i in range(n - 1):
            cands = list(self._plain.get(plain[i : i + 2], ()))
            cands += self._fuzzy.get(fuzzy[i : i + 2], ())
            for ti in cands:
                if ti in seen:
                    continue
                t = self.terms[ti]
                m = len(t.text)
                if i + m > n or all(covered[i : i + m]):
                    continue
                window = compact[i : i + m]
                if window == t.text:
                    continue
                ok = plain[i : i + m] == t.plain if m == 2 else fuzzy[i : i + m] == t.fuzzy
                if ok:
                    seen.add(ti)
                    for li in t.leaves:
                        out[li].score += 0.8 * t.weight
                        out[li].fuzzy.append(f"{window}→{t.text}")
        if self._near and n >= 4:
            from rapidfuzz import fuzz

            windows: dict[int, set[int]] = defaultdict(set)
            for i in range(n - 1):
                for ti, j in self._near.get(fuzzy[i : i + 2], ()):
                    start = i - j
                    if ti not in seen and 0 <= start <= n - len(self.terms[ti].text):
                        windows[ti].add(start)
            for ti, starts in windows.items():
                t = self.terms[ti]
                m = len(t.text)
                key = " ".join(t.fuzzy)
                best, best_i = 0.0, -1
                for i in sorted(starts):
                    if plain[i] != t.plain[0] and plain[i + m - 1] != t.plain[-1]:
                        continue
                    r = fuzz.ratio(key, " ".join(fuzzy[i : i + m]), score_cutoff=85)
                    if r > best:
                        best, best_i = r, i
                if best_i >= 0:
                    seen.add(ti)
                    window = compact[best_i : best_i + m]
                    for li in t.leaves:
                        out[li].score += 0.6 * t.weight * best / 100
                        out[li].fuzzy.append(f"{window}→{t.text}")
        return dict(out)
