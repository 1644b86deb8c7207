"""Frozen result types shared by every audio source and recogniser engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = ["AudioChunk", "Speaker", "TranscriptEvent", "Word"]

Speaker = Literal["caller", "agent"]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with call-relative times (seconds) and confidence 0..1."""

    text: str
    start: float
    end: float
    conf: float = 1.0


@dataclass(frozen=True, slots=True)
class TranscriptEvent:
    """A partial or final recognition result for one speaker.

    ``text`` is normalised Mandarin (no spaces between Chinese words, numbers as
    digits where they are numbers); ``raw`` is what the engine produced.
    Times are seconds from the start of the call.
    """

    speaker: Speaker
    text: str
    start: float
    end: float
    final: bool
    raw: str = ""
    words: tuple[Word, ...] = ()
    channel: int = 0
    engine: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["words"] = [asdict(w) for w in self.words]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TranscriptEvent:
        words = tuple(Word(**w) for w in d.get("words", ()))
        return cls(
            speaker=d["speaker"],
            text=d["text"],
            start=float(d["start"]),
            end=float(d["end"]),
            final=bool(d["final"]),
            raw=d.get("raw", ""),
            words=words,
            channel=int(d.get("channel", 0)),
            engine=d.get("engine", ""),
        )


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A block of mono int16 PCM for one channel at ``sample_rate``; ``t0`` is its call-relative start."""

    channel: int
    samples: np.ndarray = field(repr=False)
    sample_rate: int
    t0: float

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.sample_rate)
