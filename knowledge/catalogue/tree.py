"""The :class:`Catalogue` type: a validated three-level dispatch catalogue and its look-ups.

* ``by_id`` / ``levels`` / ``content_hash`` (changes whenever any leaf changes), ``stats()``;
* :meth:`Catalogue.search_keyword` — the 查字典 look-up over names, paths and keywords, with a
  pinyin / fuzzy fallback;
* :meth:`Catalogue.hotwords` — domain words to bias a speech recogniser.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from knowledge.errors import CatalogueError
from knowledge.pinyin import pinyin_key
from knowledge.types import Leaf

_HANZI_RE = re.compile(r"[\u4e00-\u9fff]+")
_FUNCTION_CHARS = set("的了不没有是在和也都就还被把太很让给我你他她它这那个")


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """One result of :meth:`Catalogue.search_keyword`."""

    leaf: Leaf
    score: float
    matched: str  # the name / keyword that matched
    how: str  # exact | substring | pinyin | fuzzy


@dataclass(frozen=True, slots=True)
class CatalogueStats:
    level1: int
    level2: int
    leaves: int
    by_department: dict[str, int]
    by_deadline: dict[str, int]
    keywords: int
    examples: int
    content_hash: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """A validated dispatch catalogue. ``content_hash`` changes whenever any leaf changes."""

    leaves: tuple[Leaf, ...]
    sources: tuple[str, ...] = ()
    by_id: Mapping[str, Leaf] = field(init=False, repr=False)
    levels: Mapping[str, Mapping[str, tuple[Leaf, ...]]] = field(init=False, repr=False)
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Leaf] = {}
        by_path: dict[tuple[str, str, str], Leaf] = {}
        levels: dict[str, dict[str, list[Leaf]]] = {}
        for leaf in self.leaves:
            if leaf.id in by_id:
                other = by_id[leaf.id]
                raise CatalogueError(
                    f"duplicate leaf id {leaf.id} (also defined at {other.source})",
                    path=leaf.source or None,
                )
            if leaf.path in by_path:  # e.g. an imported table repeating a bundled leaf
                other = by_path[leaf.path]
                raise CatalogueError(
                    f"duplicate leaf {leaf.path_text} (also defined at {other.source} "
                    f"with id {other.id})",
                    path=leaf.source or None,
                )
            by_id[leaf.id] = leaf
            by_path[leaf.path] = leaf
            levels.setdefault(leaf.path[0], {}).setdefault(leaf.path[1], []).append(leaf)
        payload = [
            [lf.id, list(lf.path), lf.department, lf.deadline, list(lf.keywords),
             lf.description, list(lf.examples)]
            for lf in self.leaves
        ]  # fmt: skip
        digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(
            self, "levels", {k: {k2: tuple(v2) for k2, v2 in v.items()} for k, v in levels.items()}
        )
        object.__setattr__(self, "content_hash", digest)

    @cached_property
    def _terms(self) -> tuple[tuple[str, str, Leaf], ...]:
        """(term, fuzzy pinyin, leaf) for 查字典; built on first use."""
        terms: list[tuple[str, str, Leaf]] = []
        for leaf in self.leaves:
            for term in dict.fromkeys((leaf.name, *leaf.keywords, leaf.path[1])):
                terms.append((term, pinyin_key(term), leaf))
        return tuple(terms)

    def __len__(self) -> int:
        return len(self.leaves)

    def get(self, leaf_id: str) -> Leaf | None:
        return self.by_id.get(leaf_id)

    def stats(self) -> CatalogueStats:
        return CatalogueStats(
            level1=len(self.levels),
            level2=sum(len(v) for v in self.levels.values()),
            leaves=len(self.leaves),
            by_department=dict(Counter(lf.department for lf in self.leaves).most_common()),
            by_deadline=dict(Counter(lf.deadline for lf in self.leaves)),
            keywords=sum(len(lf.keywords) for lf in self.leaves),
            examples=sum(len(lf.examples) for lf in self.leaves),
            content_hash=self.content_hash,
            sources=self.sources,
        )

    def hotwords(self, per_area: int = 2, max_chars: int = 110) -> tuple[str, ...]:
        """Domain words to bias a speech recogniser (Whisper ``hotwords``): per level-1 area,
        the 2-3 character terms that occur in the keywords of the most of its leaves (燃气,
        物业, 工资 …), most widespread first, until ``max_chars`` characters (the
        recogniser's prompt budget)."""
        groups: dict[str, list[Leaf]] = {}
        for leaf in self.leaves:
            groups.setdefault(leaf.path[0], []).append(leaf)
        picked: list[tuple[int, str]] = []
        for leaves in groups.values():
            count: dict[str, int] = {}
            for leaf in leaves:
                grams = {
                    k[i : i + n]
                    for k in leaf.keywords
                    for n in (2, 3)
                    for i in range(len(k) - n + 1)
                    if _HANZI_RE.fullmatch(k[i : i + n])
                }
                for g in grams:
                    count[g] = count.get(g, 0) + 1
            ranked = sorted(count, key=lambda g: (-count[g], -len(g), g))
            chosen: list[str] = []
            for g in ranked:
                if len(chosen) == per_area or count[g] < 2:
                    break
                if any(g in c or c in g for c in chosen) or g[0] in _FUNCTION_CHARS:
                    continue
                chosen.append(g)
            picked.extend((count[g], g) for g in chosen)
        out: list[str] = []
        used = 0
        for _n, word in sorted(picked, key=lambda x: (-x[0], x[1])):
            if word in out or used + len(word) + 1 > max_chars:
                continue
            out.append(word)
            used += len(word) + 1
        return tuple(out)

    def search_keyword(self, query: str, limit: int = 10) -> list[KeywordHit]:
        """查字典: leaves whose name, path or keywords match ``query``, best first.

        Exact match of a name/keyword scores 1.0, substring 0.8, same (fuzzy) pinyin 0.7, pinyin substring 0.6,
        otherwise a rapidfuzz similarity of the pinyin strings (>= 75) scaled to 0.3-0.6.
        """
        from rapidfuzz import fuzz

        q = re.sub(r"\s+", "", query)
        if not q:
            return []
        best: dict[str, KeywordHit] = {}

        def offer(hit: KeywordHit) -> None:
            old = best.get(hit.leaf.id)
            if old is None or hit.score > old.score:
                best[hit.leaf.id] = hit

        for leaf in self.leaves:
            if q in leaf.path[0] or q in leaf.path[1]:
                offer(KeywordHit(leaf, 0.5, leaf.path_text, "substring"))
        q_key = pinyin_key(q)
        for term, key, leaf in self._terms:
            if term == q:
                offer(KeywordHit(leaf, 1.0, term, "exact"))
            elif q in term or (len(term) >= 2 and term in q):
                offer(KeywordHit(leaf, 0.8, term, "substring"))
            elif key == q_key:
                offer(KeywordHit(leaf, 0.7, term, "pinyin"))
            elif len(q) >= 2 and f" {q_key} " in f" {key} ":
                offer(KeywordHit(leaf, 0.6, term, "pinyin"))
        if len(best) < limit:
            for term, key, leaf in self._terms:
                if leaf.id in best:
                    continue
                ratio = fuzz.ratio(q_key, key, score_cutoff=75)
                if ratio:
                    offer(KeywordHit(leaf, 0.3 + 0.3 * (ratio - 75) / 25, term, "fuzzy"))
        hits = sorted(best.values(), key=lambda h: (-h.score, h.leaf.id))
        return hits[:limit]
