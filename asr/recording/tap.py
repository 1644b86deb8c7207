"""Keep a live call's audio until the place to save it exists."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from asr.events import AudioChunk, TranscriptEvent

__all__ = ["AudioTap"]


class AudioTap:
    """The audio half of a recorder for :class:`asr.pipeline.Transcriber`, whose sink comes
    later.

    A live call starts listening before the place to save it exists (the session folder is
    created once the knowledge engine has loaded). The tap keeps the chunks it gets until
    both the audio format (:meth:`configure`, from the source) and an opener
    (:meth:`attach`) are known, then opens the sink with ``opener(sample_rate, channels)``
    and hands it everything kept, in order. Events are not recorded here (the session
    records them). At most ``max_seconds`` of audio per channel are kept while waiting;
    older chunks are dropped (and counted) rather than growing without bound.
    """

    def __init__(
        self,
        max_seconds: float = 600.0,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        self.max_seconds = max_seconds
        self.on_error = on_error  # called once if the sink cannot be opened or written
        self._lock = threading.Lock()
        self._kept: list[AudioChunk] = []
        self._kept_seconds = 0.0
        self._kept_channels: set[int] = set()
        self._format: tuple[int, int] | None = None
        self._opener: Callable[[int, int], Any] | None = None
        self._sink: Any = None
        self._closed = False
        self.dropped_chunks = 0
        self.error: BaseException | None = None

    @property
    def sink(self) -> Any:
        return self._sink

    def configure(self, sample_rate: int, channels: int) -> None:
        with self._lock:
            self._format = (int(sample_rate), int(channels))
            self._maybe_open()

    def attach(self, opener: Callable[[int, int], Any]) -> None:
        """``opener(sample_rate, channels)`` returns an object with ``write_audio(chunk)``."""
        with self._lock:
            self._opener = opener
            self._maybe_open()

    def detach(self) -> None:
        """Stop forwarding (before the sink is closed); later audio is discarded."""
        with self._lock:
            self._closed = True
            self._sink = None
            self._kept.clear()

    def write_audio(self, chunk: AudioChunk) -> None:
        with self._lock:
            if self._closed:
                return
            if self._sink is not None:
                self._forward(chunk)
                return
            self._kept.append(chunk)
            self._kept_seconds += chunk.duration
            self._kept_channels.add(chunk.channel)
            per_channel = max(1, len(self._kept_channels))
            while self._kept and self._kept_seconds / per_channel > self.max_seconds:
                old = self._kept.pop(0)
                self._kept_seconds -= old.duration
                self.dropped_chunks += 1

    def write_event(self, event: TranscriptEvent) -> None:
        """Events are recorded by the session, not here."""

    def mark_end(self, **extra: Any) -> None:
        """The sink's owner closes it."""

    def _maybe_open(self) -> None:
        if self._sink is not None or self._closed or self._format is None or not self._opener:
            return
        try:
            self._sink = self._opener(*self._format)
        except Exception as exc:  # recording is best effort: recognition goes on
            self._fail(exc)
            return
        kept, self._kept, self._kept_seconds = self._kept, [], 0.0
        for chunk in kept:
            self._forward(chunk)

    def _forward(self, chunk: AudioChunk) -> None:
        try:
            self._sink.write_audio(chunk)
        except Exception as exc:  # e.g. disk full: stop recording, keep recognising
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self.error = exc
        self._closed = True
        self._sink = None
        self._kept.clear()
        if self.on_error is not None:
            self.on_error(exc)
