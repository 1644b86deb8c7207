"""The scope case bank (``knowledge/data/scope_cases.yaml``): loading and validation.

Each case is a sentence with the rule it illustrates (``rule: null`` for an accepted
counter-example), the hotline source it comes from and whether it is the hotline's own case
(``published``) or a caller-style ``paraphrase`` written by this project. Sources carry the
``split`` (tune / report) that the evaluation by source uses. Errors name file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from knowledge.errors import CatalogueError
from knowledge.rules import RuleSet
from knowledge.yaml_loader import line_of, load_validated

__all__ = ["BUNDLED_CASES", "CaseBank", "ScopeCase", "ScopeSource", "load_cases"]

BUNDLED_CASES = Path(__file__).resolve().parent.parent / "data" / "scope_cases.yaml"


class _SourceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str
    hotline: str
    url: str
    title: str
    split: Literal["tune", "report"]

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return v


class _CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    rule: str | None
    text: str
    source: str
    kind: Literal["published", "list_item", "paraphrase"]
    note: str | None = None

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        if len(v) < 4:
            raise ValueError("text is too short to be a case")
        return v


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[_SourceModel]
    cases: list[_CaseModel]


@dataclass(frozen=True, slots=True)
class ScopeSource:
    id: str
    hotline: str
    url: str
    title: str
    split: str


@dataclass(frozen=True, slots=True)
class ScopeCase:
    """One case of the bank; ``rule`` is None for an accepted counter-example."""

    rule: str | None
    text: str
    source: ScopeSource
    kind: str
    note: str | None = None
    line: int | None = None

    @property
    def split(self) -> str:
        return self.source.split


@dataclass(frozen=True)
class CaseBank:
    """The validated cases and their sources."""

    cases: tuple[ScopeCase, ...]
    sources: tuple[ScopeSource, ...]
    path: str

    def __len__(self) -> int:
        return len(self.cases)

    def select(self, splits: tuple[str, ...] = ("tune", "report")) -> CaseBank:
        """The cases of sources with one of ``splits`` (the bank a tuning run may use)."""
        return CaseBank(
            tuple(c for c in self.cases if c.split in splits),
            tuple(s for s in self.sources if s.split in splits),
            self.path,
        )

    def without_source(self, source_id: str) -> CaseBank:
        """Every case but those of one source (leave-one-hotline-out tuning)."""
        return CaseBank(
            tuple(c for c in self.cases if c.source.id != source_id),
            tuple(s for s in self.sources if s.id != source_id),
            self.path,
        )


def load_cases(path: Path | str | None = None, rules: RuleSet | None = None) -> CaseBank:
    """Load and validate the case bank; with ``rules``, every case's rule must exist."""
    p = Path(path) if path else BUNDLED_CASES
    model, data = load_validated(p, _FileModel, "a mapping with 'sources' and 'cases' lists")
    sources: dict[str, ScopeSource] = {}
    for i, s in enumerate(model.sources):
        if s.id in sources:
            raise CatalogueError(
                f"field 'sources[{i}].id': duplicate source id {s.id!r}",
                path=str(p),
                line=line_of(data, ["sources", i, "id"]),
            )
        sources[s.id] = ScopeSource(s.id, s.hotline, s.url, s.title, s.split)
    known_rules = {r.id for r in rules.rules} if rules is not None else None
    cases: list[ScopeCase] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(model.cases):
        line = line_of(data, ["cases", i])
        if c.source not in sources:
            raise CatalogueError(
                f"field 'cases[{i}].source': unknown source {c.source!r}",
                path=str(p),
                line=line_of(data, ["cases", i, "source"]),
            )
        if known_rules is not None and c.rule is not None and c.rule not in known_rules:
            raise CatalogueError(
                f"field 'cases[{i}].rule': unknown rule {c.rule!r}",
                path=str(p),
                line=line_of(data, ["cases", i, "rule"]),
            )
        if c.text in seen:
            raise CatalogueError(
                f"field 'cases[{i}].text': duplicate case (first at line {seen[c.text]})",
                path=str(p),
                line=line,
            )
        seen[c.text] = line or 0
        cases.append(ScopeCase(c.rule, c.text, sources[c.source], c.kind, c.note, line))
    return CaseBank(tuple(cases), tuple(sources.values()), str(p))
