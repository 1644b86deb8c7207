"""Read a recording's ``events.jsonl`` back, and replay it at its pace, without a model."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr.audio.pacing import paced
from asr.errors import RecordingFormatError
from asr.events import TranscriptEvent
from asr.jsonl import parse_bytes
from asr.recording.writer import EVENTS_FILE, FORMAT_NAME, FORMAT_VERSION

__all__ = ["RecordedEvents", "load_events", "replay_events"]


@dataclass(frozen=True, slots=True)
class RecordedEvents:
    """The content of an ``events.jsonl`` file."""

    header: dict[str, Any]
    events: tuple[TranscriptEvent, ...]
    emitted_at: tuple[float, ...]
    complete: bool  # the end marker is present (False after a crash)
    end: dict[str, Any] | None

    @property
    def finals(self) -> tuple[TranscriptEvent, ...]:
        return tuple(e for e in self.events if e.final)


def _events_file(path: str | Path) -> Path:
    p = Path(path)
    return p / EVENTS_FILE if p.is_dir() else p


def load_events(path: str | Path) -> RecordedEvents:
    """Read a recording's events (``path`` = the folder or the ``events.jsonl`` file).

    A damaged LAST line (the process died while writing it) is ignored; a damaged line
    anywhere else raises :class:`RecordingFormatError`.
    """
    p = _events_file(path)
    if not p.is_file():
        raise RecordingFormatError(f"No events file at {p}")
    data = p.read_bytes()  # decoded line by line: a torn character spoils only its line
    if not data.strip():
        raise RecordingFormatError(f"{p} is empty (the recording never started)")
    parsed: list[dict[str, Any]] = []
    for line in parse_bytes(data):
        problem = line.error or (None if isinstance(line.value, dict) else "not an object")
        if problem is not None:
            if line.last:
                break  # torn final line after a crash
            raise RecordingFormatError(
                f"{p}:{line.number}: not a JSON object ({problem})"
            ) from line.error
        parsed.append(line.value)
    if not parsed:
        raise RecordingFormatError(f"{p} has no header line")
    header = parsed[0]
    if header.get("format") != FORMAT_NAME or header.get("kind") != "header":
        raise RecordingFormatError(f"{p} is not a {FORMAT_NAME} file (first line is no header)")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise RecordingFormatError(
            f"{p} has format version {version}; this program reads up to {FORMAT_VERSION}: update it"
        )
    events: list[TranscriptEvent] = []
    emitted: list[float] = []
    end: dict[str, Any] | None = None
    for n, obj in enumerate(parsed[1:], start=2):
        kind = obj.get("kind")
        if kind == "event":
            try:
                events.append(TranscriptEvent.from_dict(obj))
            except (KeyError, TypeError, ValueError) as exc:
                raise RecordingFormatError(f"{p}: event #{n} is incomplete ({exc})") from exc
            emitted.append(float(obj.get("emitted_at", 0.0)))
        elif kind == "end":
            end = obj
    return RecordedEvents(
        header=header,
        events=tuple(events),
        emitted_at=tuple(emitted),
        complete=end is not None,
        end=end,
    )


def replay_events(
    path: str | Path,
    realtime: bool = False,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[TranscriptEvent]:
    """Yield the recorded events in order; with ``realtime`` at the pace they were emitted."""
    rec = load_events(path)
    timed = list(zip(rec.emitted_at, rec.events, strict=True))
    items = paced(timed, lambda item: item[0], speed=speed, sleep=sleep, clock=clock)
    for _at, ev in items if realtime else timed:
        yield ev
