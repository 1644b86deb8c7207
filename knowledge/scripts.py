"""Call-taker scripts (话术) and quality-review phrase lists.

``load_scripts()`` reads ``knowledge/data/scripts.yaml`` into a :class:`Scripts` object:

* ``opening()``, ``empathy(emotion, variant=0)``, ``question(field)``, ``readback(**fields)``,
  ``referral(channel, advice)``, ``accepted(department, deadline)``, ``emergency(channel)``,
  ``closing()``;
* ``find_forbidden(text)`` -> :class:`PhraseMatch` list with positions, for quality review;
* ``greeting_markers`` / ``readback_markers`` / ``empathy_markers`` / ``closing_markers``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from knowledge.errors import KnowledgeError
from knowledge.types import CHANNELS
from knowledge.yaml_loader import check_regexes, load_validated

BUNDLED_SCRIPTS = Path(__file__).parent / "data" / "scripts.yaml"
QUESTION_FIELDS = ("name", "phone", "address", "incident_time", "category")
_DEADLINE_TEXT = {"2h": "2小时", "24h": "24小时", "7d": "7个工作日"}


class _Forbidden(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str
    kind: Literal["推诿", "顶撞", "辱骂", "不耐烦"]
    patterns: list[str] = []

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        return check_regexes(v)


def _non_empty_list(v: list[str]) -> list[str]:
    if not v:
        raise ValueError("give at least one text")
    return v


class _ScriptsModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opening: list[str]
    empathy: dict[Literal["angry", "distressed", "calm"], list[str]]
    questions: dict[str, list[str]]
    readback: str
    referral: str
    accepted: str
    emergency_transfer: dict[str, str]
    urgent_dispatch: dict[str, str] = {}
    repeat_caller: str = "非常抱歉让您再次来电，我先查一下您之前反映的情况。"
    channel_names: dict[str, str]
    closing: list[str]
    forbidden_phrases: list[_Forbidden]
    greeting_markers: list[str]
    readback_markers: list[str]
    empathy_markers: list[str]
    closing_markers: list[str] = []

    @field_validator("opening", "closing")
    @classmethod
    def _ne(cls, v: list[str]) -> list[str]:
        return _non_empty_list(v)

    @field_validator("questions")
    @classmethod
    def _questions(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        missing = [f for f in QUESTION_FIELDS if not v.get(f)]
        if missing:
            raise ValueError(f"missing question(s) for field(s): {', '.join(missing)}")
        return v

    @field_validator("empathy")
    @classmethod
    def _empathy(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for key in ("angry", "distressed"):
            if not v.get(key):
                raise ValueError(f"give at least one '{key}' empathy script")
        return v

    @field_validator("readback")
    @classmethod
    def _readback(cls, v: str) -> str:
        names = {f[1] for f in string.Formatter().parse(v) if f[1]}
        missing = {"name", "phone", "address", "summary"} - names
        if missing:
            raise ValueError(f"readback template lacks placeholder(s) {sorted(missing)}")
        return v

    @field_validator("emergency_transfer", "channel_names")
    @classmethod
    def _channels(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [k for k in v if k not in CHANNELS]
        if bad:
            raise ValueError(f"unknown channel(s) {bad}; use {', '.join(CHANNELS)}")
        return v


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A forbidden phrase found in agent speech."""

    phrase: str
    kind: str
    start: int
    end: int
    text: str


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "（未提供）"


@dataclass(frozen=True)
class Scripts:
    """Scripts for the call-taker; every method returns ready-to-say Chinese text."""

    data: _ScriptsModel
    source: str
    _forbidden: tuple[tuple[_Forbidden, tuple[re.Pattern[str], ...]], ...]

    # -- speaking ---------------------------------------------------------------------
    def opening(self, agent_id: str = "", variant: int = 0) -> str:
        texts = self.data.opening
        text = texts[variant % len(texts)]
        if not agent_id:
            text = text.replace("{agent_id}号话务员", "").replace("{agent_id}", "")
        return text.format_map(_SafeDict(agent_id=agent_id))

    def empathy(self, emotion: str, variant: int = 0) -> str:
        texts = self.data.empathy.get(emotion) or self.data.empathy.get("calm")  # type: ignore[call-overload]
        if not texts:
            texts = self.data.empathy["distressed"]
        return str(texts[variant % len(texts)])

    def empathy_variants(self, emotion: str) -> tuple[str, ...]:
        return tuple(self.data.empathy.get(emotion, []))  # type: ignore[call-overload]

    def question(self, field: str, variant: int = 0) -> str:
        texts = self.data.questions.get(field)
        if not texts:
            raise KnowledgeError(
                f"no question script for field {field!r}; known: {', '.join(self.data.questions)}"
            )
        return texts[variant % len(texts)]

    def readback(self, **fields: Any) -> str:
        clean = {k: v for k, v in fields.items() if v not in (None, "")}
        return self.data.readback.format_map(_SafeDict(clean))

    def referral(self, channel: str, advice: str = "通过相应的法定途径办理") -> str:
        name = self.channel_name(channel)
        return self.data.referral.format_map(_SafeDict(channel_name=name, advice=advice))

    def accepted(self, department: str, deadline: str) -> str:
        return self.data.accepted.format_map(
            _SafeDict(department=department, deadline=_DEADLINE_TEXT.get(deadline, deadline))
        )

    def emergency(self, channel: str) -> str:
        text = self.data.emergency_transfer.get(channel)
        if text is None:
            raise KnowledgeError(f"no emergency transfer script for channel {channel!r}")
        return text

    def urgent_dispatch(self, department: str) -> str:
        """Safety advice + immediate dispatch for an accepted 2-hour emergency (no 110/119 transfer)."""
        texts = self.data.urgent_dispatch
        text = texts.get(department) or texts.get("default")
        if text is None:
            raise KnowledgeError("scripts.yaml has no urgent_dispatch script")
        return text.format_map(_SafeDict(department=department))

    def repeat_caller(self) -> str:
        """What to say when the caller says they have reported this before."""
        return self.data.repeat_caller

    def channel_name(self, channel: str) -> str:
        return self.data.channel_names.get(channel, channel)

    def closing(self, variant: int = 0) -> str:
        return self.data.closing[variant % len(self.data.closing)]

    # -- quality review ---------------------------------------------------------------
    def find_forbidden(self, text: str) -> list[PhraseMatch]:
        """Forbidden phrases in ``text`` (agent speech), in order of position."""
        out: list[PhraseMatch] = []
        taken: list[tuple[int, int]] = []
        for item, patterns in self._forbidden:
            found: list[tuple[int, int]] = []
            pos = text.find(item.phrase)
            if pos >= 0:
                found.append((pos, pos + len(item.phrase)))
            for pat in patterns:
                for m in pat.finditer(text):
                    if m.end() > m.start():
                        found.append((m.start(), m.end()))
            for s, e in found:
                if any(s < te and ts < e for ts, te in taken):
                    continue
                taken.append((s, e))
                out.append(PhraseMatch(item.phrase, item.kind, s, e, text[s:e]))
        return sorted(out, key=lambda m: m.start)

    @property
    def greeting_markers(self) -> tuple[str, ...]:
        return tuple(self.data.greeting_markers)

    @property
    def readback_markers(self) -> tuple[str, ...]:
        return tuple(self.data.readback_markers)

    @property
    def empathy_markers(self) -> tuple[str, ...]:
        return tuple(self.data.empathy_markers)

    @property
    def closing_markers(self) -> tuple[str, ...]:
        return tuple(self.data.closing_markers)


def load_scripts(path: Path | str | None = None) -> Scripts:
    """Load and validate a scripts YAML file (default: the bundled one)."""
    p = Path(path) if path else BUNDLED_SCRIPTS
    model, _data = load_validated(p, _ScriptsModel, "a mapping")
    forbidden = tuple(
        (f, tuple(re.compile(x) for x in f.patterns)) for f in model.forbidden_phrases
    )
    return Scripts(model, str(p), forbidden)
