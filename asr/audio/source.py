"""The :class:`AudioSource` protocol every audio source implements.

Every source yields :class:`~asr.events.AudioChunk` blocks: mono int16 PCM for ONE
channel at the source's ``sample_rate`` (the recogniser's rate), with a call-relative
``t0``. Stereo call recordings yield one chunk per channel per block (channel 0 = left,
channel 1 = right); the :class:`~asr.pipeline.Transcriber` maps channels to speakers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from asr.events import AudioChunk

__all__ = ["DEFAULT_BLOCK_SECONDS", "AudioSource"]

DEFAULT_BLOCK_SECONDS = 0.1


@runtime_checkable
class AudioSource(Protocol):
    """Anything that yields per-channel audio blocks for the recognisers."""

    channels: int
    sample_rate: int

    @property
    def duration(self) -> float | None:
        """Total seconds when known (files), else ``None`` (microphones)."""
        ...

    def chunks(self) -> Iterator[AudioChunk]:
        """Blocks in time order; for stereo, channel 0 then channel 1 of each block."""
        ...

    def close(self) -> None:
        """Stop producing; a running :meth:`chunks` iterator ends soon after."""
        ...
