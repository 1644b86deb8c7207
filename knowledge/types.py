"""Public value types of the knowledge package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Deadline = Literal["2h", "24h", "7d"]
Verdict = Literal["accept", "refer", "decline"]
Urgency = Literal["emergency", "urgent", "normal"]
Emotion = Literal["angry", "distressed", "calm"]
GuidanceKind = Literal["rule", "urgent", "empathy", "question"]

DEPARTMENTS: tuple[str, ...] = (
    "住房和城乡建设",
    "城市管理",
    "交通运输",
    "公安",
    "市场监督管理",
    "人力资源和社会保障",
    "医疗保障",
    "教育",
    "卫生健康",
    "生态环境",
    "水务",
    "供电",
    "燃气",
    "供热",
    "园林绿化",
    "农业农村",
    "民政",
    "自然资源和规划",
    "税务",
    "文化和旅游",
    "应急管理",
    "通信管理",
    "邮政管理",
    "街道乡镇",
)
DEADLINES: tuple[str, ...] = ("2h", "24h", "7d")
CHANNELS: tuple[str, ...] = (
    "110",
    "119",
    "120",
    "122",
    "court",
    "petition",
    "arbitration",
    "consumer_association",
)
REASONS: tuple[str, ...] = (
    "superstition",
    "private_matter",
    "unlawful_demand",
    "no_substance",
    "no_factual_basis",
    "already_concluded",
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A level-3 item of the dispatch catalogue (派单目录)."""

    id: str
    path: tuple[str, str, str]
    department: str
    deadline: Deadline
    keywords: tuple[str, ...] = ()
    description: str = ""
    examples: tuple[str, ...] = ()
    source: str = ""  # file:line it was loaded from

    @property
    def name(self) -> str:
        return self.path[2]

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a leaf was suggested: matched words and the nearest example."""

    keywords: tuple[str, ...] = ()
    fuzzy: tuple[str, ...] = ()  # e.g. "无业→物业"
    nearest_example: str | None = None
    semantic: float | None = None  # cosine similarity, when the embedding backend answered
    ranks: dict[str, int] = field(default_factory=dict)  # retriever -> rank (1-based)
    matched: tuple[str, ...] = ()  # the caller's words found in the leaf's text (BM25)


@dataclass(frozen=True, slots=True)
class Suggestion:
    leaf: Leaf
    score: float
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """A scope-boundary rule (受理范围 / 不予受理情形)."""

    id: str
    name: str
    verdict: Literal["refer", "decline"]
    channel: str | None
    reason: str | None
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    examples: tuple[str, ...]
    basis: str
    script: str
    urgency: Urgency = "normal"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the knowledge engine says about one piece of caller text."""

    categories: tuple[Suggestion, ...]
    uncertain: bool
    verdict: Verdict
    channel: str | None
    reason: str | None
    urgency: Urgency
    emotion: Emotion
    guidance: str | None
    rule_id: str | None = None
    semantic_ready: bool = True  # False while the embedding backend is still loading
    rule_match: str | None = None  # how the rule fired: keyword | pattern | pinyin | semantic
    scope_note: str | None = None  # accepted, but a scope rule might apply (可能不属于受理范围：…)
    # which script ``guidance`` is (before any scope note): the rule's, the urgent-dispatch
    # line, the empathy line for ``emotion``, or the category question
    guidance_kind: GuidanceKind | None = None
