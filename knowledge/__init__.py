"""The knowledge base: dispatch catalogue, scope-boundary rules, scripts, hybrid search
and classification. Imports neither ``asr`` nor ``textual``."""

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
