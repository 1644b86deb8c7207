"""The recogniser interface every speech engine implements.

One :class:`Recognizer` instance serves ONE channel (speaker) of a call. Sources push
:class:`~asr.events.AudioChunk` blocks (mono int16 at the recogniser's sample rate,
with call-relative ``t0``) into :meth:`Recognizer.accept`; it returns the partial and
final :class:`~asr.events.TranscriptEvent` objects produced so far. :meth:`flush`
ends the input and returns the last final result. Engines are created by an
:class:`EngineFactory`, which loads the model ONCE and makes cheap per-channel
recognisers.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from asr.events import AudioChunk, Speaker, TranscriptEvent

__all__ = ["EngineFactory", "Recognizer"]


@runtime_checkable
class Recognizer(Protocol):
    """Streaming recogniser for one channel."""

    speaker: Speaker
    sample_rate: int

    def accept(self, chunk: AudioChunk) -> list[TranscriptEvent]:
        """Feed audio; return new partial/final events (possibly none)."""
        ...

    def flush(self) -> list[TranscriptEvent]:
        """End of input: return the remaining final event(s)."""
        ...


@runtime_checkable
class EngineFactory(Protocol):
    """A loaded model that makes per-channel recognisers."""

    name: str  # "vosk" | "whisper" | ...
    model_description: str  # e.g. "vosk-model-small-cn-0.22 (/path)" for status bars
    sample_rate: int  # rate the recognisers expect

    def recognizer(self, speaker: Speaker, channel: int = 0) -> Recognizer: ...
