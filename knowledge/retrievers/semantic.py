"""The semantic retriever: cosine between the query embedding and leaf passages.

A leaf has a head passage (path + description + keywords) and one passage per example
(:func:`leaf_passages`); the query uses the embedder's query prompt, passages its passage
prompt, and a leaf scores a mix of its best head and example passages. Optional: while the
embedder is still loading, search answers without it.
"""

from __future__ import annotations

from dataclasses import dataclass
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

        sims = self.vectors @ qvec.reshape(-1)
        head = np.full(n_leaves, -1.0, dtype=np.float32)
        ex = np.full(n_leaves, -1.0, dtype=np.float32)
        h = ~self.is_example
        np.maximum.at(head, self.owner[h], sims[h])
        np.maximum.at(ex, self.owner[~h], sims[~h])
        ex = np.where(ex < -0.5, head, ex)
        best = mix * np.maximum(head, ex) + (1.0 - mix) * np.minimum(head, ex)
        # passage argmax per leaf: order passages by sim and keep the first per owner
        order = np.argsort(-sims, kind="stable")
        arg = np.full(n_leaves, -1, dtype=np.int64)
        owners = self.owner[order]
        _, first = np.unique(owners, return_index=True)
        arg[owners[first]] = order[first]
        return best, arg
