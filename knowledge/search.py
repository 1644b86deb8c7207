"""Hybrid catalogue search: BM25 + homophone-tolerant keywords + embeddings, fused by RRF.

Retrievers (each ranks leaves on its own):

* ``bm25`` — :mod:`bm25s` over jieba tokens (a private jieba tokenizer with the catalogue
  names and keywords loaded as a user dictionary); documents are leaf names, path,
  keywords, description and examples.
* ``keyword`` — exact keyword/name matches in the text, plus pinyin matches that survive
  recogniser homophones (无业→物业, 听水→停水): toneless pinyin for 2-character terms,
  fuzzy pinyin (zh/z, n/l, -ng/-n) for longer ones, and a rapidfuzz near-match on pinyin for
  terms of 4+ characters. Terms shared by many leaves weigh less.
* ``semantic`` — cosine between the query embedding (query prompt) and leaf passages
  (path + description, and each example; passage prompt); a leaf scores its best passage.
  Optional: while the embedder is still loading, search answers without it.

Fusion is weighted reciprocal-rank fusion ``sum_r w_r / (k0 + rank_r)``, normalised so that
a leaf ranked first by every available retriever scores 1.0. The ``uncertain`` flag is set
when the top score or its margin over the runner-up is below thresholds calibrated on the
dev set (see ``SearchConfig``).

:func:`normalize_text` is the small pure function that cleans ASR-style input.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge._pinyin import fuzz_syllable, syllables
from knowledge.catalogue import Catalogue
from knowledge.types import Evidence, Leaf, Suggestion

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder, VectorCache

# ------------------------------------------------------------------------ normalisation

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<=[{_CJK}\d])\s+(?=[{_CJK}\d])|(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])"
)
_FILLERS = re.compile(r"(呃|嗯+|啊+(?=[，。 ]|$)|那个那个|就是说)")


def normalize_text(text: str) -> str:
    """Clean caller text for search: NFKC (full-width -> half-width), lower case, remove the
    spaces a recogniser puts between Chinese words, collapse other whitespace, drop a few
    hesitation fillers. Pure and cheap; keeps punctuation (it carries emotion cues)."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"\s+", " ", t).strip()
    t = _SPACE_BETWEEN_CJK.sub("", t)
    t = _FILLERS.sub("", t)
    return t


# --------------------------------------------------------------------------- results


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

_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "哦",
        "嗯",
        "喂",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "是",
        "在",
        "有",
        "就",
        "都",
        "也",
        "还",
        "和",
        "跟",
        "与",
        "这",
        "那",
        "个",
        "这个",
        "那个",
        "一个",
        "就是",
        "然后",
        "现在",
        "今天",
        "什么",
        "怎么",
        "一下",
        "能",
        "能不能",
        "可以",
        "帮",
        "帮忙",
        "请问",
        "问问",
        "反映",
        "一直",
        "说",
        "要",
        "让",
        "给",
        "被",
        "把",
        "对",
        "又",
        "很",
        "太",
        "好",
        "没",
        "没有",
        "不",
        "到",
        "去",
        "来",
        "着",
        "过",
        "又",
        "再",
        "下",
        "上",
        "这边",
        "那边",
        "我家",
        "家里",
        "已经",
        "还是",
        "但是",
        "因为",
        "所以",
        "如果",
        "知道",
        "觉得",
        "一点",
        "有点",
        "多",
        "少",
        "老",
        "想",
        "你好",
        "您好",
        "谢谢",
        "麻烦",
        "那么",
        "这么",
        "怎么办",
        "一",
        "二",
        "三",
    ]
)
_TOKEN_OK = re.compile(rf"[{_CJK}a-z0-9]")


def _load_main_dictionary(tok: Any, cache_dir: Path | None) -> None:
    """Load jieba's main dictionary into ``tok``: the same ``FREQ``/``total`` as
    ``tok.initialize()``, about three times faster.

    jieba keeps its parsed dictionary in a marshal cache file but reads it back with
    ``marshal.load(file)``, which pulls the 9 MB file in tiny reads (~0.6 s); reading the
    bytes first and calling ``marshal.loads`` takes ~0.2 s. The cache lives in ``cache_dir``
    when the engine has one (so a temp-dir clean-up does not cost a rebuild; seeded from
    jieba's own temp-dir cache when that exists), else in jieba's default temp dir. With no
    readable cache jieba builds the dictionary itself (~1.5 s) and writes the cache.
    """
    import jieba

    own: Path | None = None
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tok.tmp_dir = str(cache_dir)
            tok.cache_file = f"jieba-{jieba.__version__}.cache"
            own = cache_dir / tok.cache_file
        except OSError:
            pass  # read-only cache dir: jieba's default temp dir
    default = Path(tempfile.gettempdir()) / "jieba.cache"  # what initialize() would read
    for path in (own, default):
        if path is None:
            continue
        try:
            data = path.read_bytes()
            freq, total = marshal.loads(data)
        except (OSError, ValueError, EOFError, TypeError):
            continue
        if not (isinstance(freq, dict) and freq and isinstance(total, int)):
            continue
        tok.FREQ, tok.total, tok.initialized = freq, total, True
        if own is not None and path != own:
            try:
                tmp = own.with_suffix(f".tmp{os.getpid()}")
                tmp.write_bytes(data)
                os.replace(tmp, own)
            except OSError:
                pass
        return
    with _Tokenizer._init_lock:  # jieba's own build-and-cache path is not thread-safe
        tok.initialize()


class _Tokenizer:
    """A private jieba tokenizer with the catalogue vocabulary (keeps jieba quiet)."""

    _init_lock = threading.Lock()

    def __init__(self, words: Sequence[str], cache_dir: Path | None = None) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        _load_main_dictionary(self._tok, cache_dir)
        for w in dict.fromkeys(words):
            if 2 <= len(w) <= 12 and not re.search(r"\s", w):
                self._tok.add_word(w, freq=20000)

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for tok in self._tok.cut_for_search(text):
            tok = tok.strip()
            if tok and tok not in _STOPWORDS and _TOKEN_OK.search(tok):
                out.append(tok)
        return out


def leaf_document(leaf: Leaf) -> str:
    """Text the lexical index sees for a leaf (name and keywords repeated for weight)."""
    parts = [leaf.name, leaf.name, leaf.path[1], leaf.path[0], *leaf.keywords, *leaf.keywords,
             leaf.description, *leaf.examples]  # fmt: skip
    return " ".join(parts)


def leaf_passages(leaf: Leaf) -> list[str]:
    """Passages embedded for a leaf: path + description + keywords, then each example."""
    head = f"{leaf.path[0]} {leaf.path[1]} {leaf.name}：{leaf.description}"
    if leaf.keywords:
        head += "（" + "、".join(leaf.keywords[:8]) + "）"
    return [head, *(f"{leaf.name}：{ex}" for ex in leaf.examples)]


# -------------------------------------------------------------------------- retrievers


_CORPUS_VERSION = "1"  # bump when leaf_document() or the tokenizer set-up changes


def _tokenized_corpus(
    catalogue: Catalogue, tokenizer: _Tokenizer, cache_dir: Path | None
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
        self, catalogue: Catalogue, tokenizer: _Tokenizer, cache_dir: Path | None = None
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


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    leaves: tuple[int, ...]
    plain: tuple[str, ...]  # toneless syllables
    fuzzy: tuple[str, ...]  # fuzzy syllables
    weight: float


@dataclass
class _KeywordHits:
    score: float = 0.0
    keywords: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)


class KeywordRetriever:
    """Exact and pinyin (homophone) matches of catalogue names and keywords."""

    def __init__(self, catalogue: Catalogue) -> None:
        by_term: dict[str, set[int]] = defaultdict(set)
        for i, leaf in enumerate(catalogue.leaves):
            for term in (leaf.name, *leaf.keywords):
                term = normalize_text(term)
                if len(term) >= 2:
                    by_term[term].add(i)
        terms: list[_Term] = []
        for text, idx in by_term.items():
            n = len(idx)
            weight = min(len(text), 6) / (1.0 + 0.5 * (n - 1))
            terms.append(
                _Term(text, tuple(sorted(idx)), syllables(text),
                      tuple(fuzz_syllable(s) for s in syllables(text)), weight)
            )  # fmt: skip
        self.terms = tuple(terms)
        self._exact: dict[str, list[int]] = defaultdict(list)  # first 2 chars -> term idx
        self._plain: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._fuzzy: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for ti, t in enumerate(self.terms):
            self._exact[t.text[:2]].append(ti)
            self._plain[t.plain[:2]].append(ti)
            if len(t.text) >= 3:
                self._fuzzy[t.fuzzy[:2]].append(ti)
        # near matches (one syllable off) for terms of 4+ characters: index every fuzzy
        # syllable bigram with its offset so only aligned windows are compared
        self._near: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
        for ti, t in enumerate(self.terms):
            if len(t.text) >= 4:
                for j in range(len(t.fuzzy) - 1):
                    self._near[t.fuzzy[j : j + 2]].append((ti, j))

    def match(self, text: str) -> dict[int, _KeywordHits]:
        """Leaf index -> accumulated score and evidence."""
        out: dict[int, _KeywordHits] = defaultdict(_KeywordHits)
        compact = re.sub(r"\s+", "", text)
        n = len(compact)
        if n < 2:
            return {}
        plain = syllables(compact)
        fuzzy = tuple(fuzz_syllable(s) for s in plain)
        seen: set[int] = set()
        exact_spans: list[tuple[int, int]] = []
        for i in range(n - 1):
            for ti in self._exact.get(compact[i : i + 2], ()):
                t = self.terms[ti]
                if ti not in seen and compact.startswith(t.text, i):
                    seen.add(ti)
                    exact_spans.append((i, i + len(t.text)))
                    for li in t.leaves:
                        out[li].score += t.weight
                        out[li].keywords.append(t.text)
        covered = [False] * n
        for s, e in exact_spans:
            for j in range(s, e):
                covered[j] = True
        for i in range(n - 1):
            cands = list(self._plain.get(plain[i : i + 2], ()))
            cands += self._fuzzy.get(fuzzy[i : i + 2], ())
            for ti in cands:
                if ti in seen:
                    continue
                t = self.terms[ti]
                m = len(t.text)
                if i + m > n or all(covered[i : i + m]):
                    continue
                window = compact[i : i + m]
                if window == t.text:
                    continue
                ok = plain[i : i + m] == t.plain if m == 2 else fuzzy[i : i + m] == t.fuzzy
                if ok:
                    seen.add(ti)
                    for li in t.leaves:
                        out[li].score += 0.8 * t.weight
                        out[li].fuzzy.append(f"{window}→{t.text}")
        if self._near and n >= 4:
            from rapidfuzz import fuzz

            windows: dict[int, set[int]] = defaultdict(set)
            for i in range(n - 1):
                for ti, j in self._near.get(fuzzy[i : i + 2], ()):
                    start = i - j
                    if ti not in seen and 0 <= start <= n - len(self.terms[ti].text):
                        windows[ti].add(start)
            for ti, starts in windows.items():
                t = self.terms[ti]
                m = len(t.text)
                key = " ".join(t.fuzzy)
                best, best_i = 0.0, -1
                for i in sorted(starts):
                    if plain[i] != t.plain[0] and plain[i + m - 1] != t.plain[-1]:
                        continue
                    r = fuzz.ratio(key, " ".join(fuzzy[i : i + m]), score_cutoff=85)
                    if r > best:
                        best, best_i = r, i
                if best_i >= 0:
                    seen.add(ti)
                    window = compact[best_i : best_i + m]
                    for li in t.leaves:
                        out[li].score += 0.6 * t.weight * best / 100
                        out[li].fuzzy.append(f"{window}→{t.text}")
        return dict(out)


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


# ----------------------------------------------------------------------------- searcher


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
        self.tokenizer = _Tokenizer(words, cache_path)
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

    def search(self, text: str, k: int = 5) -> SearchResult:
        norm = normalize_text(text)
        return self.search_normalized(norm, k, self.encode_query(norm) if norm else None)

    def rankings(
        self, norm: str, qvec: np.ndarray | None = None
    ) -> tuple[dict[str, list[int]], dict[int, _KeywordHits], Any, Any]:
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
