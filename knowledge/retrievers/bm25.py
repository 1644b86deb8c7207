"""The BM25 retriever: :mod:`bm25s` over jieba tokens of each leaf's text.

A leaf's document (:func:`leaf_document`) is its name, path, keywords, description and
examples, with the name and keywords repeated for weight. The tokenized corpus is cached on
disk by catalogue hash. :meth:`BM25Retriever.matched` names the caller's telling words found
in a leaf's text (the ``matched`` evidence).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.catalogue import Catalogue
from knowledge.tokenizer import Tokenizer
from knowledge.types import Leaf

if TYPE_CHECKING:
    import numpy as np


def leaf_document(leaf: Leaf) -> str:
    """Text the lexical index sees for a leaf (name and keywords repeated for weight)."""
    parts = [leaf.name, leaf.name, leaf.path[1], leaf.path[0], *leaf.keywords, *leaf.keywords,
             leaf.description, *leaf.examples]  # fmt: skip
    return " ".join(parts)


_CORPUS_VERSION = "1"  # bump when leaf_document() or the tokenizer set-up changes


def _tokenized_corpus(
    catalogue: Catalogue, tokenizer: Tokenizer, cache_dir: Path | None
) -> list[list[str]]:
    """jieba tokens of every leaf document, cached on disk by catalogue hash (~0.7 s saved)."""
    import json

    path = None
    if cache_dir is not None:
        path = cache_dir / f"bm25-tokens-v{_CORPUS_VERSION}-{catalogue.content_hash[:24]}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, list) and len(data) == len(catalogue.leaves):
                return [list(map(str, doc)) for doc in data]
        except (OSError, ValueError):
            pass
    corpus = [tokenizer.tokens(leaf_document(leaf)) or ["<empty>"] for leaf in catalogue.leaves]
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob(f"bm25-tokens-v{_CORPUS_VERSION}-*.json"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass
    return corpus


class BM25Retriever:
    def __init__(
        self, catalogue: Catalogue, tokenizer: Tokenizer, cache_dir: Path | None = None
    ) -> None:
        import bm25s

        self.tokenizer = tokenizer
        corpus = _tokenized_corpus(catalogue, tokenizer, cache_dir)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index(corpus, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)
        self._docs = [frozenset(doc) for doc in corpus]  # for the evidence: which words matched
        self._df: dict[str, int] = defaultdict(int)
        for doc_set in self._docs:
            for t in doc_set:
                self._df[t] += 1
        self._common = max(3, len(self._docs) // 50)  # in over 2 % of leaves: not telling

    def matched(self, tokens: list[str], leaf_index: int, limit: int = 3) -> tuple[str, ...]:
        """The query's telling words (2+ characters, rarer ones first) in the leaf's text."""
        doc = self._docs[leaf_index]
        found = [
            t
            for t in dict.fromkeys(tokens)
            if len(t) >= 2 and t in doc and self._df.get(t, 0) <= self._common
        ]
        found = [t for t in found if not any(t != o and t in o for o in found)]  # 人行 ⊂ 人行道
        return tuple(sorted(found, key=lambda t: self._df.get(t, 0))[:limit])

    def known(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t in self._vocab]

    def scores(self, tokens: list[str]) -> np.ndarray:
        import numpy as np

        known = self.known(tokens)
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
