"""The semantic retriever: cosine between the query embedding and leaf passages.

A leaf has a head passage (path + description + keywords) and one passage per example
(:func:`leaf_passages`); the query uses the embedder's query prompt, passages its passage
prompt, and a leaf scores a mix of its best head and example passages. Optional: while the
embedder is still loading, search answers without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from knowledge.catalogue import Catalogue
from knowledge.types import Leaf

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder, VectorCache


def leaf_passages(leaf: Leaf) -> list[str]:
    """Passages embedded for a leaf: path + description + keywords, then each example."""
    head = f"{leaf.path[0]} {leaf.path[1]} {leaf.name}：{leaf.description}"
    if leaf.keywords:
        head += "（" + "、".join(leaf.keywords[:8]) + "）"
    return [head, *(f"{leaf.name}：{ex}" for ex in leaf.examples)]


@dataclass
class SemanticIndex:
    """Passage vectors of the leaves (several passages per leaf)."""

    embedder: Embedder
    vectors: np.ndarray  # (n_passages, dim)
    owner: np.ndarray  # passage -> leaf index
    passages: list[str]
    is_example: np.ndarray  # bool per passage
    _tables: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls, catalogue: Catalogue, embedder: Embedder, cache: VectorCache | None = None
    ) -> SemanticIndex:
        import numpy as np

        passages: list[str] = []
        owner: list[int] = []
        is_example: list[bool] = []
        for i, leaf in enumerate(catalogue.leaves):
            for j, p in enumerate(leaf_passages(leaf)):
                passages.append(p)
                owner.append(i)
                is_example.append(j > 0)
        if cache is not None:
            vecs = cache.load_or_encode(embedder, "leaves", catalogue.content_hash, passages)
        else:
            vecs = embedder.encode_passages(passages)
        return cls(embedder, vecs, np.asarray(owner), passages, np.asarray(is_example))

    def leaf_scores(
        self, qvec: np.ndarray, n_leaves: int, mix: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine per leaf and the passage index of its nearest passage.

        A leaf has a head passage (path + description) and example passages; its score is
        ``mix * max(head, best example) + (1 - mix) * min(head, best example)``, which
        rewards leaves whose description AND examples both fit (dev-set sweep: +3 points leaf
        top-1 over the plain maximum).
        """
        import numpy as np

        heads, examples, members = self._layout(n_leaves)
        sims = self.vectors @ qvec.reshape(-1)
        # gathers through index tables built once (np.maximum.at per query was 4 ms of 5);
        # the last slot of ``ext`` is the filler: -1.0 for the maxima (their start value),
        # -inf for the argmax so that filler never wins
        ext = np.append(sims, np.float32(-1.0))
        head = np.maximum(ext[heads], np.float32(-1.0))
        ex = (
            np.maximum(ext[examples].max(axis=1), np.float32(-1.0))
            if examples.shape[1]
            else np.full_like(head, -1.0)
        )
        ex = np.where(ex < -0.5, head, ex)
        best = mix * np.maximum(head, ex) + (1.0 - mix) * np.minimum(head, ex)
        ext[-1] = -np.inf
        # nearest passage per leaf; members rows ascend, so ties go to the first passage
        col = ext[members].argmax(axis=1)
        arg = members[np.arange(n_leaves), col]
        arg[arg == len(sims)] = -1
        return best, arg

    def _layout(self, n_leaves: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per leaf: its head passage, its example passages and all its passages (ascending),
        as index tables padded with the filler index ``len(passages)``."""
        import numpy as np

        cached = self._tables.get(n_leaves)
        if cached is not None:
            return cached
        filler = len(self.owner)
        per_leaf: list[list[int]] = [[] for _ in range(n_leaves)]
        heads = np.full(n_leaves, filler, dtype=np.int64)
        pairs = zip(self.owner.tolist(), self.is_example.tolist(), strict=True)
        for p, (o, is_ex) in enumerate(pairs):
            per_leaf[o].append(p)
            if not is_ex and heads[o] == filler:
                heads[o] = p
        ex_lists = [[p for p in ps if self.is_example[p]] for ps in per_leaf]

        def table(rows: list[list[int]]) -> np.ndarray:
            out = np.full((n_leaves, max((len(r) for r in rows), default=0)), filler, np.int64)
            for i, r in enumerate(rows):
                out[i, : len(r)] = r
            return out

        members = table(per_leaf)
        if members.shape[1] == 0:
            members = np.full((n_leaves, 1), filler, np.int64)
        self._tables[n_leaves] = tables = (heads, table(ex_lists), members)
        return tables
