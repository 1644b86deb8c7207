"""Scope-boundary rules (受理范围 / 不予受理情形): loading, validation and matching.

``load_rules()`` reads ``knowledge/data/scope_rules.yaml`` (or another file) into a
:class:`RuleSet`. Validation errors name ``file:line`` and the field. Rules are checked in
file order; :meth:`RuleSet.match` returns every rule whose keywords or patterns fire, first
(highest priority) first. Semantic matching against the rule examples lives in
:mod:`knowledge.classify`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from knowledge.errors import CatalogueError
from knowledge.heard import default_reader, read_heard
from knowledge.pinyin import pinyin_key
from knowledge.types import CHANNELS, REASONS, ScopeRule, Urgency
from knowledge.yaml_loader import check_regexes, line_of, load_validated

BUNDLED_RULES = Path(__file__).parent / "data" / "scope_rules.yaml"
EMERGENCY_CHANNELS = ("110", "119", "120", "122")


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str
    name: str
    verdict: Literal["refer", "decline"]
    channel: str | None = None
    reason: str | None = None
    urgency: Literal["emergency", "urgent", "normal"] = "normal"
    keywords: list[str] = []
    patterns: list[str] = []
    exclude_patterns: list[str] = []
    examples: list[str]
    basis: str
    script: str

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]+", v):
            raise ValueError("id must be lower-case letters, digits and _")
        return v

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, v: Any) -> Any:
        if v is None:
            return None
        v = str(v)
        if v not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)} or null")
        return v

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str | None) -> str | None:
        if v is not None and v not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)} or null")
        return v

    @field_validator("patterns", "exclude_patterns")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        return check_regexes(v)

    @field_validator("examples")
    @classmethod
    def _examples(cls, v: list[str]) -> list[str]:
        if len(v) < 3:
            raise ValueError("give at least 3 examples")
        return v

    @field_validator("script", "basis", "name")
    @classmethod
    def _non_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("must not be empty")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> _RuleModel:
        if self.verdict == "refer" and self.channel is None:
            raise ValueError("verdict refer needs a channel")
        if self.verdict == "decline" and self.reason is None:
            raise ValueError("verdict decline needs a reason")
        if (self.channel in EMERGENCY_CHANNELS) != (self.urgency == "emergency"):
            raise ValueError("urgency must be emergency exactly for channels 110/119/120/122")
        if not self.keywords and not self.patterns:
            raise ValueError("give keywords or patterns")
        return self


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[_RuleModel]


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """Why a rule fired: the keyword or the pattern text that matched, and where."""

    rule: ScopeRule
    matched: str
    how: str  # keyword | pattern | pinyin | semantic
    start: int = -1
    score: float = 1.0


@dataclass(frozen=True)
class _Compiled:
    rule: ScopeRule
    patterns: tuple[re.Pattern[str], ...]
    excludes: tuple[re.Pattern[str], ...]
    keyword_keys: tuple[tuple[str, str], ...]  # (keyword, fuzzy pinyin key) for len >= 3


@dataclass(frozen=True)
class RuleSet:
    """The validated rules in priority order."""

    rules: tuple[ScopeRule, ...]
    source: str
    _compiled: tuple[_Compiled, ...]

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> ScopeRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def excluded(self, rule: ScopeRule, text: str) -> bool:
        comp = next(c for c in self._compiled if c.rule.id == rule.id)
        return any(p.search(text) for p in comp.excludes)

    def match(self, text: str, *, pinyin: bool = True) -> list[RuleMatch]:
        """Rules whose keywords / patterns fire on normalised ``text``, in priority order.

        With ``pinyin`` on, keywords of 3+ characters also match by fuzzy pinyin so that
        recogniser homophones (e.g. 着活了 for 着火了) still fire, and when no emergency rule
        fired, the emergency rules are tried again on the text with misheard emergency words
        read back (:class:`knowledge.heard.HeardReader`: 着货 -> 着火, 云倒 -> 晕倒; how
        ``pinyin``). Exclude patterns veto.
        """
        compact = re.sub(r"\s+", "", text)
        key = pinyin_key(compact) if pinyin else ""
        out: list[RuleMatch] = []
        for comp in self._compiled:
            if any(p.search(compact) for p in comp.excludes):
                continue
            hit: RuleMatch | None = None
            for kw in comp.rule.keywords:
                pos = compact.find(kw)
                if pos >= 0:
                    hit = RuleMatch(comp.rule, kw, "keyword", pos)
                    break
            if hit is None:
                for pat in comp.patterns:
                    m = pat.search(compact)
                    if m:
                        hit = RuleMatch(comp.rule, m.group(0), "pattern", m.start())
                        break
            if hit is None and pinyin:
                for kw, kw_key in comp.keyword_keys:
                    pos = f" {key} ".find(f" {kw_key} ")
                    if pos >= 0:
                        start = f" {key} "[:pos].count(" ")
                        window = compact[start : start + len(kw)]
                        if default_reader().real_word_in(window, kw):
                            continue  # 运到了 is not a misheard 晕倒了
                        hit = RuleMatch(comp.rule, kw, "pinyin", start, 0.9)
                        break
            if hit is not None:
                out.append(hit)
        if pinyin and not any(m.rule.urgency == "emergency" for m in out):
            heard = read_heard(compact)
            if heard != compact:
                extra = [
                    RuleMatch(m.rule, m.matched, "pinyin", m.start, 0.9)
                    for m in self.match(heard, pinyin=False)
                    if m.rule.urgency == "emergency"
                ]
                out = extra + out  # emergencies come first, as in file order
        return out


def _to_rule(m: _RuleModel) -> ScopeRule:
    return ScopeRule(
        id=m.id,
        name=m.name,
        verdict=m.verdict,
        channel=m.channel,
        reason=m.reason,
        keywords=tuple(m.keywords),
        patterns=tuple(m.patterns),
        examples=tuple(m.examples),
        basis=m.basis,
        script=m.script,
        urgency=cast(Urgency, m.urgency),
    )


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load and validate a scope-rules YAML file (default: the bundled one)."""
    p = Path(path) if path else BUNDLED_RULES
    model, data = load_validated(p, _FileModel, "a mapping with a 'rules' list")
    seen: dict[str, int] = {}
    compiled: list[_Compiled] = []
    for i, rm in enumerate(model.rules):
        if rm.id in seen:
            raise CatalogueError(
                f"field 'rules[{i}].id': duplicate rule id {rm.id!r} (first at line {seen[rm.id]})",
                path=str(p),
                line=line_of(data, ["rules", i, "id"]),
            )
        seen[rm.id] = line_of(data, ["rules", i, "id"]) or 0
        rule = _to_rule(rm)
        compiled.append(
            _Compiled(
                rule=rule,
                patterns=tuple(re.compile(x) for x in rm.patterns),
                excludes=tuple(re.compile(x) for x in rm.exclude_patterns),
                keyword_keys=tuple((k, pinyin_key(k)) for k in rm.keywords if len(k) >= 3),
            )
        )
    return RuleSet(tuple(c.rule for c in compiled), str(p), tuple(compiled))
