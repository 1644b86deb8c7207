"""Hybrid catalogue search: BM25 + homophone-tolerant keywords + embeddings, fused by RRF.

The retrievers live in :mod:`knowledge.retrievers` (``bm25``, ``keyword``, ``semantic``) and
the tokenizer in :mod:`knowledge.tokenizer`; this module holds the fusion.

Fusion is weighted reciprocal-rank fusion ``sum_r w_r / (k0 + rank_r)``, normalised so that
a leaf ranked first by every available retriever scores 1.0. The ``uncertain`` flag is set
when the top score or its margin over the runner-up is below thresholds calibrated on the
dev set (see ``SearchConfig``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.catalogue import Catalogue
from knowledge.retrievers.bm25 import BM25Retriever
from knowledge.retrievers.keyword import KeywordHits, KeywordRetriever
from knowledge.retrievers.semantic import SemanticIndex
from knowledge.tokenizer import Tokenizer, normalize_text
from knowledge.types import Evidence, Suggestion

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class SearchResult:
    suggestions: tuple[Suggestion, ...]
    uncertain: bool
    semantic_ready: bool = False


@dataclass(frozen=True)
class SearchConfig:
    """Fusion weights and calibration thresholds (tuned on the dev set)."""

    # Swept on the dev set (509 lines) with per-retriever rankings precomputed: weights
    # bm25/keyword in {0.5, 1, 1.5, 2}, semantic in {1 .. 4}, k0 in {3, 5, 10, 20, 40}.
    # Semantic ranks weighing 3x each lexical retriever with k0 = 5 gave department top-1
    # 87-88% (clean and ASR) against 83% for equal-ish weights and k0 = 10.
    rrf_k: float = 5.0
    w_bm25: float = 1.0
    w_keyword: float = 1.0
    w_semantic: float = 3.0
    depth: int = 30  # candidates taken from each retriever
    semantic_mix: float = 0.7  # leaf cosine = mix * best passage + (1 - mix) * other passage kind
    # Calibrated on the dev set: with embeddings, top-1 department accuracy is ~58% when the
    # margin to the best other-department leaf is < 0.10 and ~92% otherwise.
    uncertain_score: float = 0.45  # top fused score below this -> uncertain (one weak retriever)
    uncertain_margin: float = 0.10  # top-1 minus best other-department score below this
    uncertain_cosine: float = 0.0  # optional: best cosine below this -> uncertain (0 = off)


DEFAULT_CONFIG = SearchConfig()


class HybridSearcher:
    """``search(text, k) -> SearchResult``; semantic retrieval joins once attached."""

    def __init__(
        self,
        catalogue: Catalogue,
        config: SearchConfig = DEFAULT_CONFIG,
        cache_dir: Path | str | None = None,
    ) -> None:
        words: list[str] = []
        for leaf in catalogue.leaves:
            words.extend((leaf.name, leaf.path[1], *leaf.keywords))
        self.catalogue = catalogue
        self.config = config
        cache_path = Path(cache_dir) if cache_dir is not None else None
        self.tokenizer = Tokenizer(words, cache_path)
        self.bm25 = BM25Retriever(catalogue, self.tokenizer, cache_path)
        self.keyword = KeywordRetriever(catalogue)
        self.semantic: SemanticIndex | None = None

    def attach_semantic(self, index: SemanticIndex) -> None:
        self.semantic = index

    @property
    def semantic_ready(self) -> bool:
        return self.semantic is not None

    def encode_query(self, text: str) -> np.ndarray | None:
        sem = self.semantic
        if sem is None:
            return None
        return sem.embedder.encode_queries([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray | None:
        """Query vectors of many normalised texts in one backend call (None without one)."""
        sem = self.semantic
        if sem is None:
            return None
        return sem.embedder.encode_queries(texts)

    def search(self, text: str, k: int = 5) -> SearchResult:
        norm = normalize_text(text)
        return self.search_normalized(norm, k, self.encode_query(norm) if norm else None)

    def rankings(
        self, norm: str, qvec: np.ndarray | None = None
    ) -> tuple[dict[str, list[int]], dict[int, KeywordHits], Any, Any]:
        """Per-retriever ranked leaf indices (best first), plus evidence material."""
        import numpy as np

        depth = self.config.depth
        ranks: dict[str, list[int]] = {}
        bm = self.bm25.scores(self.tokenizer.tokens(norm))
        if bm.any():
            top = np.argsort(-bm, kind="stable")[:depth]
            ranks["bm25"] = [int(i) for i in top if bm[i] > 0]
        kw = self.keyword.match(norm)
        if kw:
            ranks["keyword"] = sorted(kw, key=lambda i: -kw[i].score)[:depth]
        sem_best = sem_arg = None
        sem = self.semantic
        if sem is not None and qvec is not None:
            sem_best, sem_arg = sem.leaf_scores(
                qvec, len(self.catalogue.leaves), self.config.semantic_mix
            )
            top = np.argsort(-sem_best, kind="stable")[:depth]
            ranks["semantic"] = [int(i) for i in top]
        return ranks, kw, sem_best, sem_arg

    def search_normalized(self, norm: str, k: int, qvec: np.ndarray | None) -> SearchResult:
        cfg = self.config
        semantic_ready = self.semantic is not None and qvec is not None
        if not norm:
            return SearchResult((), True, semantic_ready)
        ranks, kw, sem_best, sem_arg = self.rankings(norm, qvec)
        weights = {"bm25": cfg.w_bm25, "keyword": cfg.w_keyword, "semantic": cfg.w_semantic}
        fused: dict[int, float] = defaultdict(float)
        for name, ranked in ranks.items():
            w = weights[name]
            for r, li in enumerate(ranked, start=1):
                fused[li] += w / (cfg.rrf_k + r)
        if not fused:
            return SearchResult((), True, semantic_ready)
        available = ["bm25", "keyword"] + (["semantic"] if semantic_ready else [])
        max_score = sum(weights[n] for n in available) / (cfg.rrf_k + 1)
        order = sorted(fused, key=lambda i: (-fused[i], i))
        rank_of = {
            name: {li: r for r, li in enumerate(ranked, 1)} for name, ranked in ranks.items()
        }
        suggestions: list[Suggestion] = []
        sem = self.semantic
        qtokens = self.bm25.known(self.tokenizer.tokens(norm)) if "bm25" in ranks else []
        for li in order[:k]:
            leaf = self.catalogue.leaves[li]
            hits = kw.get(li)
            nearest: str | None = None
            cosine: float | None = None
            if sem is not None and sem_best is not None and sem_arg is not None:
                cosine = round(float(sem_best[li]), 4)
                pi = int(sem_arg[li])
                if pi >= 0 and bool(sem.is_example[pi]):
                    nearest = sem.passages[pi].split("：", 1)[-1]
            if nearest is None and leaf.examples:
                nearest = leaf.examples[0]  # an illustration of the item (not a match)
            keywords = tuple(dict.fromkeys(hits.keywords)) if hits else ()
            evidence = Evidence(
                keywords=keywords,
                fuzzy=tuple(dict.fromkeys(hits.fuzzy)) if hits else (),
                nearest_example=nearest,
                semantic=cosine,
                ranks={n: rank_of[n][li] for n in rank_of if li in rank_of[n]},
                matched=tuple(
                    t for t in self.bm25.matched(qtokens, li) if not any(t in kw for kw in keywords)
                ),
            )
            suggestions.append(Suggestion(leaf, round(fused[li] / max_score, 4), evidence))
        uncertain = self._uncertain(suggestions, sem_best)
        return SearchResult(tuple(suggestions), uncertain, semantic_ready)

    def _uncertain(self, sugg: list[Suggestion], sem_best: Any) -> bool:
        cfg = self.config
        if not sugg:
            return True
        top = sugg[0]
        if top.score < cfg.uncertain_score:
            return True
        if len(sugg) > 1:
            second = next((s for s in sugg[1:] if s.leaf.department != top.leaf.department), None)
            if second is not None and top.score - second.score < cfg.uncertain_margin:
                return True
        return bool(
            cfg.uncertain_cosine > 0
            and sem_best is not None
            and top.evidence.semantic is not None
            and top.evidence.semantic < cfg.uncertain_cosine
            and not top.evidence.keywords
        )
