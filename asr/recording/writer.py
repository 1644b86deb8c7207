"""A session recording: audio (:class:`~asr.recording.audio.AudioRecorder`) plus the
recognition events in ``events.jsonl`` — a header line, one line per event, an end marker —
written through :class:`asr.jsonl.JsonlWriter` (each line flushed as soon as written).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from asr.events import AudioChunk, TranscriptEvent
from asr.fileio import open_private
from asr.jsonl import JsonlWriter
from asr.recording.audio import AudioLayout, AudioRecorder

__all__ = [
    "EVENTS_FILE",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "EventsLog",
    "Recorder",
    "SessionRecorder",
]

FORMAT_NAME = "hotline-asr-events"
FORMAT_VERSION = 1
EVENTS_FILE = "events.jsonl"


class EventsLog:
    """The ``events.jsonl`` file itself: a header line, one line per event, an end marker.

    The one writer of the format, used by :class:`SessionRecorder` and by sessions that
    record no audio (:class:`assistant.files.session_writer.SessionWriter`). Not
    thread-safe: its owner serialises the calls. Fields keep the order they are given in.
    """

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self._out = JsonlWriter(open_private(path, "w", encoding="utf-8"))
        self.events_written = 0
        self._out.write({"kind": "header", "format": FORMAT_NAME, "version": FORMAT_VERSION,
                         **header})  # fmt: skip

    @property
    def closed(self) -> bool:
        return self._out.closed

    def write_event(self, event: TranscriptEvent, emitted_at: float) -> None:
        """One recognition event, emitted ``emitted_at`` seconds into the session."""
        self._out.write({"kind": "event", "emitted_at": round(emitted_at, 3), **event.to_dict()})
        self.events_written += 1

    def write_end(self, **fields: Any) -> None:
        """The end marker with ``fields`` (e.g. ``events``, ``audio_seconds``)."""
        self._out.write({"kind": "end", **fields})

    def close(self) -> None:
        self._out.close()


class Recorder(Protocol):
    """What :class:`asr.pipeline.Transcriber` hands audio and events to."""

    def write_audio(self, chunk: AudioChunk) -> None: ...

    def write_event(self, event: TranscriptEvent) -> None: ...

    def mark_end(self) -> None: ...


class SessionRecorder:
    """Write the audio and the recognition events of one session into ``folder``.

    Thread-safe: the pipeline writes audio from its reader thread and events from the
    worker threads.

    Args:
        folder: created if needed; existing ``events.jsonl``/WAV files are replaced.
        sample_rate: rate of the chunks (the engine's rate).
        channels: 1 or 2 (the source's channel count).
        channel_map: speaker of channel 0 and 1.
        engine, model: written into the header (e.g. ``engine.name``,
            ``engine.model_description``).
        layout: ``"stereo"`` (one WAV, caller left / agent right) or ``"split"`` (one
            mono WAV per speaker).
        metadata: extra JSON-serialisable header fields (source file, seat id, ...).
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        sample_rate: int,
        channels: int,
        channel_map: Sequence[str] = ("caller", "agent"),
        engine: str = "",
        model: str = "",
        layout: AudioLayout = "stereo",
        metadata: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.audio = AudioRecorder(
            folder, sample_rate=sample_rate, channels=channels, channel_map=channel_map,
            layout=layout,
        )  # fmt: skip
        self.folder = self.audio.folder
        self.sample_rate = self.audio.sample_rate
        self.channels = channels
        self.channel_map = self.audio.channel_map
        self.layout: AudioLayout = self.audio.layout
        self.audio_files = self.audio.audio_files
        self._clock = clock
        self._t_start = clock()
        self._lock = threading.Lock()
        self._ended = False
        self._closed = False
        self.events_path = self.folder / EVENTS_FILE
        header: dict[str, Any] = {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "model": model,
            "sample_rate": self.sample_rate,
            "channels": channels,
            "channel_map": list(self.channel_map),
            "audio": {"layout": self.layout, "files": self.audio_files},
        }
        if metadata:
            header["metadata"] = metadata
        self._events = EventsLog(self.events_path, header)

    def write_audio(self, chunk: AudioChunk) -> None:
        self.audio.write_audio(chunk)

    @property
    def events_written(self) -> int:
        return self._events.events_written

    def write_event(self, event: TranscriptEvent) -> None:
        with self._lock:
            if self._closed:
                return
            self._events.write_event(event, self._clock() - self._t_start)

    def mark_end(self, **extra: Any) -> None:
        """Write the end marker (idempotent); called by the pipeline at end of input."""
        with self._lock:
            if self._ended or self._closed:
                return
            self._ended = True
            self.audio.flush()
            self._events.write_end(
                emitted_at=round(self._clock() - self._t_start, 3),
                audio_seconds=round(self.audio.seconds, 3),
                events=self.events_written,
                **extra,
            )

    def close(self) -> None:
        self.mark_end()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.audio.close()
            self._events.close()

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
