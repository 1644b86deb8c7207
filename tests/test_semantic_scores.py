"""The semantic retriever's per-leaf scores against a plain per-leaf reference."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.retrievers.semantic import SemanticIndex


def _reference(index: SemanticIndex, q: np.ndarray, n_leaves: int, mix: float):
    sims = index.vectors @ q
    best = np.empty(n_leaves, dtype=np.float32)
    arg = np.full(n_leaves, -1)
    for leaf in range(n_leaves):
        mine = [p for p in range(len(sims)) if index.owner[p] == leaf]
        heads = [sims[p] for p in mine if not index.is_example[p]]
        examples = [sims[p] for p in mine if index.is_example[p]]
        head = max([-1.0, *heads])
        ex = max([-1.0, *examples])
        if not examples or ex < -0.5:  # no (usable) example: the head alone
            ex = head
        best[leaf] = mix * max(head, ex) + (1 - mix) * min(head, ex)
        if mine:
            arg[leaf] = max(mine, key=lambda p: (sims[p], -p))  # first passage on a tie
    return best, arg


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leaf_scores_match_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_leaves = 40
    owner = np.sort(np.concatenate([np.arange(n_leaves - 2), rng.integers(0, n_leaves - 2, 90)]))
    is_example = np.ones(len(owner), dtype=bool)
    _, first = np.unique(owner, return_index=True)
    is_example[first] = False
    vectors = rng.normal(size=(len(owner), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[7] = vectors[8]  # a tie between two passages
    index = SemanticIndex(None, vectors, owner, [""] * len(owner), is_example)  # type: ignore[arg-type]
    for _ in range(5):
        q = rng.normal(size=16).astype(np.float32)
        q /= np.linalg.norm(q)
        best, arg = index.leaf_scores(q, n_leaves, mix=0.7)
        ref_best, ref_arg = _reference(index, q, n_leaves, 0.7)
        assert np.allclose(best, ref_best, atol=1e-6)
        assert arg.tolist() == ref_arg.tolist()
    # the last two leaves have no passage: no nearest passage, the filler score
    assert arg[-1] == -1 and best[-1] == pytest.approx(-1.0)
