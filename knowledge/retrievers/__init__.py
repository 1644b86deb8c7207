"""The three retrievers of the hybrid search; each ranks catalogue leaves on its own.

* :mod:`~knowledge.retrievers.bm25` — ``BM25Retriever`` over jieba tokens;
* :mod:`~knowledge.retrievers.keyword` — ``KeywordRetriever``: exact and homophone (pinyin)
  matches of names and keywords;
* :mod:`~knowledge.retrievers.semantic` — ``SemanticIndex``: embeddings of leaf passages.

:mod:`knowledge.search` fuses their rankings. Importing this package is light: ``bm25s``,
``rapidfuzz`` and ``numpy`` are imported when a retriever is built or queried.
"""

from knowledge.retrievers.bm25 import BM25Retriever, leaf_document
from knowledge.retrievers.keyword import KeywordHits, KeywordRetriever
from knowledge.retrievers.semantic import SemanticIndex, leaf_passages

__all__ = [
    "BM25Retriever",
    "KeywordHits",
    "KeywordRetriever",
    "SemanticIndex",
    "leaf_document",
    "leaf_passages",
]
