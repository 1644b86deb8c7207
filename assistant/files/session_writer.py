"""Writing saved call sessions (layout in :mod:`assistant.files.session_reader` and
``docs/session-format.md``): :class:`SessionWriter` while the call runs,
:func:`save_second_pass` for a re-transcription kept beside the original, and
:func:`save_review_notes` for the reviewer's ``review.json``.

JSON files are replaced atomically (:func:`asr.fileio.atomic_write`: temporary file, fsync,
rename); the JSON Lines files (``events.jsonl`` without audio, ``suggestions.jsonl``) go
through :class:`asr.jsonl.JsonlWriter` and are flushed line by line. The session holds
personal data: its folder is created ``0700`` and every file in it ``0600``
(:mod:`asr.fileio`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.events import TranscriptEvent
from asr.fileio import atomic_write, fsync_dir, open_private, private_dir
from asr.jsonl import JsonlWriter
from asr.recording import EVENTS_FILE, AudioRecorder, EventsLog, SessionRecorder
from assistant.errors import SessionFileError
from assistant.files.session_reader import (
    FORMAT_NAME,
    FORMAT_VERSION,
    REFERENCE_FILE,
    REVIEW_FILE,
    SESSION_FILE,
    SOURCES,
    TICKET_FILE,
    Source,
    read_optional_dict,
    session_json,
)
from assistant.files.suggestions import SUGGESTIONS_FILE, SuggestionRecord

if TYPE_CHECKING:
    from assistant.core.state import SessionState

__all__ = [
    "REVIEW_FORMAT",
    "SessionWriter",
    "save_review_notes",
    "save_second_pass",
    "second_pass_path",
]

REVIEW_FORMAT = "hotline-review"


def _atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` as pretty UTF-8 JSON; the old file stays intact until the rename."""
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def save_review_notes(
    path: str | Path,
    notes: str,
    *,
    reviewer: str = "",
    scorecard: Any = None,
    now: datetime | None = None,
) -> Path:
    """Write the reviewer's notes (and optionally the QA scorecard: an object with
    ``to_dict()`` or a dict) to ``review.json`` atomically; other keys already there are kept."""
    folder = session_json(path).parent
    if not (folder / SESSION_FILE).is_file():
        raise SessionFileError(f"{folder}: not a saved call session (no {SESSION_FILE})")
    target = folder / REVIEW_FILE
    data = read_optional_dict(target, "review") or {}
    data.update({"format": REVIEW_FORMAT, "version": 1, "notes": notes,
                 "reviewer": reviewer or data.get("reviewer", ""),
                 "updated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds")})  # fmt: skip
    if scorecard is not None:
        data["scorecard"] = scorecard.to_dict() if hasattr(scorecard, "to_dict") else scorecard
    _atomic_write_json(target, data)
    return target


# --------------------------------------------------------------------------- writing


def _finish(log: EventsLog, audio_seconds: float | None) -> None:
    """End and close an audio-less events log (its end marker counts the events)."""
    end: dict[str, Any] = {"events": log.events_written}
    if audio_seconds is not None:
        end["audio_seconds"] = round(audio_seconds, 3)
    log.write_end(**end)
    log.close()


def second_pass_path(folder: str | Path, engine: str) -> Path:
    """Where a re-transcription of a saved session goes: ``events.<engine>.jsonl``."""
    tag = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in engine.lower()) or "asr"
    return Path(folder) / f"events.{tag}.jsonl"


def save_second_pass(
    folder: str | Path,
    events: Sequence[TranscriptEvent],
    *,
    engine: str,
    model: str = "",
    sample_rate: int = 16000,
    channel_map: Sequence[str] = ("caller", "agent"),
) -> Path:
    """Keep a re-transcription of a saved session beside the original ``events.jsonl`` (same
    format, read back with :func:`asr.recording.load_events`); the original is not touched.
    Written to a temporary file and renamed, so a crash never leaves half a file."""
    target = second_pass_path(folder, engine)
    if target.name == EVENTS_FILE:
        raise SessionFileError("a second pass must not replace the original events.jsonl")
    tmp = target.with_name(f".{target.name}.tmp")
    log = EventsLog(tmp, {
        "created": _iso(datetime.now(UTC)), "engine": engine, "model": model,
        "sample_rate": int(sample_rate), "channels": len(channel_map),
        "channel_map": list(channel_map), "audio": {"layout": "stereo", "files": []},
        "metadata": {"second_pass_of": EVENTS_FILE},
    })  # fmt: skip
    try:
        for ev in events:
            log.write_event(ev, ev.end)
        _finish(log, max((e.end for e in events), default=0.0))
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        log.close()
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return target


class SessionWriter:
    """Write one session folder while the call runs (crash-safe at every step).

    * ``record_audio=True``: a :class:`asr.recording.SessionRecorder` writes ``audio.wav`` and
      ``events.jsonl``; hand :attr:`recorder` to :class:`asr.pipeline.Transcriber`
      (``recorder=writer.recorder``), which writes both. Calling :meth:`write_event` yourself
      then is only for events that do not come from the pipeline (typed notes).
    * ``record_audio=False``: :meth:`write_event` writes ``events.jsonl``; ``audio`` may name
      an existing file (e.g. ``../call.wav`` for the samples), or :meth:`open_audio` starts
      ``audio.wav`` later, once the live source's format is known (the TUI's live call,
      through an :class:`asr.recording.AudioTap`).

    After each final event call :meth:`record_state` with the session state: a line is
    added to ``suggestions.jsonl`` when what the assistant shows has changed.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        call_id: str,
        started_at: datetime,
        source: Source = "live",
        title: str = "",
        seat_id: str = "",
        engine: str = "",
        model: str = "",
        sample_rate: int = 16000,
        channel_map: Sequence[str] = ("caller", "agent"),
        record_audio: bool = False,
        audio: str | None = None,
        duration: float | None = None,
        metadata: Mapping[str, Any] | None = None,
        created: datetime | None = None,
    ) -> None:
        if source not in SOURCES:
            raise SessionFileError(f"unknown session source {source!r}; use {', '.join(SOURCES)}")
        self.folder = private_dir(Path(folder).expanduser(), tighten=True)
        self._lock = threading.Lock()
        self._last_content: dict[str, Any] | None = None
        self._closed = False
        self.suggestions_written = 0
        audio_name = "audio.wav" if record_audio else audio
        self.header: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "call_id": call_id,
            "title": title,
            "started_at": _iso(started_at),
            "ended_at": None,
            "duration": duration,
            "seat_id": seat_id,
            "engine": engine,
            "model": model,
            "sample_rate": int(sample_rate),
            "channel_map": list(channel_map),
            "audio": audio_name,
            "source": source,
        }
        if metadata:
            self.header["metadata"] = dict(metadata)
        _atomic_write_json(self.folder / SESSION_FILE, self.header)
        events_meta = {"call_id": call_id, "source": source}
        self.recorder: SessionRecorder | None = None
        self.audio_recorder: AudioRecorder | None = None
        self._events: EventsLog | None = None
        if record_audio:
            self.recorder = SessionRecorder(
                self.folder, sample_rate=sample_rate, channels=len(channel_map),
                channel_map=channel_map, engine=engine, model=model, metadata=events_meta,
            )  # fmt: skip
        else:
            self._events = EventsLog(self.folder / EVENTS_FILE, {
                "created": _iso(created or started_at), "engine": engine, "model": model,
                "sample_rate": int(sample_rate), "channels": len(channel_map),
                "channel_map": list(channel_map),
                "audio": {"layout": "stereo", "files": [audio] if audio else []},
                "metadata": events_meta,
            })  # fmt: skip
        self._suggestions = JsonlWriter(
            open_private(self.folder / SUGGESTIONS_FILE, "w", encoding="utf-8")
        )

    def open_audio(self, sample_rate: int, channels: int) -> AudioRecorder:
        """Start recording ``audio.wav`` (caller left, agent right) into this session."""
        with self._lock:
            if self._closed:
                raise SessionFileError(f"{self.folder}: the session is already closed")
            if self.recorder is not None or self.audio_recorder is not None:
                raise SessionFileError(f"{self.folder}: audio is already being recorded")
            rec = AudioRecorder(
                self.folder,
                sample_rate=sample_rate,
                channels=channels,
                channel_map=self.header["channel_map"],
            )
            self.audio_recorder = rec
            self.header["audio"] = rec.audio_files[0]
            self.header["sample_rate"] = int(sample_rate)
            _atomic_write_json(self.folder / SESSION_FILE, self.header)
            return rec

    # ---- events and suggestions
    def write_event(self, event: TranscriptEvent, emitted_at: float | None = None) -> None:
        """Record a recognition event (``emitted_at``: call time it was produced)."""
        with self._lock:
            if self._closed:
                return
            if self.recorder is not None:
                self.recorder.write_event(event)
            elif self._events is not None:
                self._events.write_event(event, event.end if emitted_at is None else emitted_at)

    def record_state(self, state: SessionState, t: float) -> bool:
        """Append the assistant's output at call time ``t`` if it changed; True when written."""
        rec = SuggestionRecord.from_state(state, t)
        content = rec.content()
        with self._lock:
            if self._closed or content == self._last_content:
                return False
            self._last_content = content
            self._suggestions.write(rec.to_dict())
            self.suggestions_written += 1
            return True

    # ---- tickets and end
    def write_ticket(self, ticket: Any) -> Path:
        """``ticket``: a dict or an object with ``to_dict()`` (TicketDraft, Ticket)."""
        data = ticket.to_dict() if hasattr(ticket, "to_dict") else dict(ticket)
        target = self.folder / TICKET_FILE
        _atomic_write_json(target, data)
        return target

    def write_reference(self, reference: Mapping[str, Any]) -> Path:
        target = self.folder / REFERENCE_FILE
        _atomic_write_json(target, dict(reference))
        return target

    def close(self, ended_at: datetime | None = None, *, duration: float | None = None) -> None:
        """Finish the files and store ``ended_at`` (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.recorder is not None:
                self.recorder.close()
            if self.audio_recorder is not None:
                self.audio_recorder.close()
            if self._events is not None:
                _finish(self._events, duration if duration is not None
                        else self.header.get("duration"))  # fmt: skip
            self._suggestions.close()
            self.header["ended_at"] = _iso(ended_at or datetime.now(UTC))
            if duration is not None:
                self.header["duration"] = round(duration, 3)
            _atomic_write_json(self.folder / SESSION_FILE, self.header)

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
