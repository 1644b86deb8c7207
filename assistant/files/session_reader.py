"""Reading saved call sessions: one folder per call, written while the call runs
(:mod:`assistant.files.session_writer`), read by replay, review, QA scoring and the HTML
report. Format: ``docs/session-format.md``.

Layout::

    session.json          header (format, call id, times, seat, engine, channel map, audio, source)
    audio.wav             stereo caller-left/agent-right (asr.recording's writer); samples point
                          at ``../call.wav`` instead; may be absent (typed or scripted sessions)
    events.jsonl          recognition events in the asr.recording format (asr.recording.load_events)
    suggestions.jsonl     one line per change of the assistant's output after a final event
                          (:mod:`assistant.files.suggestions`)
    ticket.json           the submitted ticket (or, for samples, the assistant's prefilled one)
    reference_ticket.json optional: what a trained call-taker would have written
    review.json           optional: reviewer notes and the QA scorecard

Everything is written incrementally and crash-safe: ``session.json``, ``ticket.json`` and
``review.json`` are replaced atomically (temporary file + rename), the JSONL files are flushed
line by line, and a torn LAST line (the process died while writing it) is ignored on reading.

:func:`load_session` is the one loader for these folders (:mod:`assistant.files.recordings`
delegates to it); every problem raises :class:`~assistant.errors.SessionFileError` naming the
file (and line) and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from asr.events import TranscriptEvent
from asr.recording import EVENTS_FILE, RecordingFormatError, load_events
from assistant.errors import SessionFileError
from assistant.files.suggestions import SUGGESTIONS_FILE, SuggestionRecord, read_suggestions

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "REFERENCE_FILE",
    "REVIEW_FILE",
    "SESSION_FILE",
    "SOURCES",
    "TICKET_FILE",
    "SavedSession",
    "SessionSummary",
    "Source",
    "is_session",
    "list_sessions",
    "load_session",
]

FORMAT_NAME = "hotline-session"
FORMAT_VERSION = 1
SESSION_FILE = "session.json"
TICKET_FILE = "ticket.json"
REFERENCE_FILE = "reference_ticket.json"
REVIEW_FILE = "review.json"
SOURCES: tuple[str, ...] = ("live", "practice", "sample", "replay")

Source = Literal["live", "practice", "sample", "replay"]


# --------------------------------------------------------------------------- small helpers
# (``read_json_file``, ``read_optional_dict`` and ``session_json`` are shared with the
# session writer; they are not part of the public API)


def _parse_time(value: Any, path: Path, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise SessionFileError(
            f"{path}: '{key}' is not an ISO date-time ({value!r}); fix or remove it"
        ) from exc


def read_json_file(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SessionFileError(f"{path}: cannot read the {what} ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SessionFileError(f"{path}: the {what} is not UTF-8 text ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionFileError(
            f"{path}:{exc.lineno}: the {what} is not valid JSON ({exc.msg}, column {exc.colno}); "
            "restore it from a backup or delete it"
        ) from exc


def read_optional_dict(path: Path, what: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = read_json_file(path, what)
    if not isinstance(data, dict):
        raise SessionFileError(f"{path}:1: the {what} must be a JSON object")
    return data


# --------------------------------------------------------------------------- saved session


@dataclass(frozen=True)
class SavedSession:
    """A call session folder as read by :func:`load_session`."""

    path: Path
    header: dict[str, Any]
    call_id: str
    title: str
    started_at: datetime | None
    ended_at: datetime | None
    seat_id: str
    engine: str
    model: str
    sample_rate: int
    channel_map: tuple[str, ...]
    audio: Path | None  # resolved audio file (None when the session has no audio)
    source: str
    events: tuple[TranscriptEvent, ...]
    emitted_at: tuple[float, ...]
    events_complete: bool
    suggestions: tuple[SuggestionRecord, ...]
    ticket: dict[str, Any] | None
    reference: dict[str, Any] | None
    review: dict[str, Any] | None

    @property
    def finals(self) -> tuple[TranscriptEvent, ...]:
        return tuple(e for e in self.events if e.final)

    @property
    def duration(self) -> float:
        """Call length in seconds (header, else the end of the last event)."""
        d = self.header.get("duration")
        if isinstance(d, int | float) and d > 0:
            return float(d)
        if self.started_at and self.ended_at:
            return max(0.0, (self.ended_at - self.started_at).total_seconds())
        return max((e.end for e in self.events), default=0.0)

    @property
    def audio_missing(self) -> bool:
        """The header names an audio file that is not there."""
        return bool(self.header.get("audio")) and self.audio is None

    @property
    def final_state(self) -> SuggestionRecord | None:
        return self.suggestions[-1] if self.suggestions else None

    def state_at(self, t: float) -> SuggestionRecord | None:
        """The assistant's output as shown at call time ``t``."""
        cur = None
        for rec in self.suggestions:
            if rec.t > t:
                break
            cur = rec
        return cur


_REQUIRED = ("format", "version", "call_id")


def session_json(path: str | Path) -> Path:
    p = Path(path).expanduser()
    if p.is_dir():
        return p / SESSION_FILE
    return p


def load_session(path: str | Path) -> SavedSession:
    """Read a session folder (or its ``session.json``).

    Raises :class:`SessionFileError` naming the file (and line) for a missing or malformed
    ``session.json``, ``events.jsonl``, ``suggestions.jsonl``, ``ticket.json``,
    ``reference_ticket.json`` or ``review.json``.
    """
    sj = session_json(path)
    if not sj.is_file():
        where = sj.parent if sj.name == SESSION_FILE else sj
        raise SessionFileError(
            f"{where}: not a saved call session (no {SESSION_FILE}); choose a session folder "
            "such as audio_samples/<call>/session or one under the recordings folder"
        )
    folder = sj.parent
    header = read_json_file(sj, "session header")
    if not isinstance(header, dict):
        raise SessionFileError(f"{sj}:1: the session header must be a JSON object")
    missing = [k for k in _REQUIRED if k not in header]
    if missing:
        raise SessionFileError(f"{sj}: missing key(s) {', '.join(missing)} in the session header")
    if header["format"] != FORMAT_NAME:
        raise SessionFileError(f"{sj}: format is {header['format']!r}, expected {FORMAT_NAME!r}")
    version = header["version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SessionFileError(
            f"{sj}: session format version {version!r}; this program reads up to "
            f"{FORMAT_VERSION}: update hotline-assistant"
        )
    source = str(header.get("source", "live"))
    if source not in SOURCES:
        raise SessionFileError(f"{sj}: source {source!r} is not one of {', '.join(SOURCES)}")

    ev_path = folder / EVENTS_FILE
    if not ev_path.is_file():
        raise SessionFileError(
            f"{ev_path}: missing; the session has no transcript (it may have crashed before "
            "the recogniser started)"
        )
    try:
        rec = load_events(ev_path)
    except RecordingFormatError as exc:
        raise SessionFileError(f"{exc}") from exc

    audio: Path | None = None
    audio_name = header.get("audio")
    if audio_name:
        candidate = (folder / str(audio_name)).resolve()
        audio = candidate if candidate.is_file() else None

    channel_map = header.get("channel_map") or ["caller", "agent"]
    try:
        sample_rate = int(header.get("sample_rate") or 16000)
    except (TypeError, ValueError) as exc:
        raise SessionFileError(f"{sj}: sample_rate must be a number") from exc
    return SavedSession(
        path=folder,
        header=header,
        call_id=str(header["call_id"]),
        title=str(header.get("title") or header["call_id"]),
        started_at=_parse_time(header.get("started_at"), sj, "started_at"),
        ended_at=_parse_time(header.get("ended_at"), sj, "ended_at"),
        seat_id=str(header.get("seat_id") or ""),
        engine=str(header.get("engine") or rec.header.get("engine") or ""),
        model=str(header.get("model") or rec.header.get("model") or ""),
        sample_rate=sample_rate,
        channel_map=tuple(str(c) for c in channel_map),
        audio=audio,
        source=source,
        events=rec.events,
        emitted_at=rec.emitted_at,
        events_complete=rec.complete,
        suggestions=read_suggestions(folder / SUGGESTIONS_FILE),
        ticket=read_optional_dict(folder / TICKET_FILE, "ticket"),
        reference=read_optional_dict(folder / REFERENCE_FILE, "reference ticket"),
        review=read_optional_dict(folder / REVIEW_FILE, "review"),
    )


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session found by :func:`list_sessions` (header only; cheap)."""

    path: Path
    call_id: str
    title: str
    started_at: datetime | None
    source: str
    has_ticket: bool
    has_review: bool


def is_session(path: str | Path) -> bool:
    return (Path(path) / SESSION_FILE).is_file()


def _session_dirs(root: Path) -> Iterator[Path]:
    if is_session(root):
        yield root
        return
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if not child.is_dir():
            continue
        if is_session(child):
            yield child
        elif is_session(child / "session"):  # audio_samples/<id>/session
            yield child / "session"


def list_sessions(directory: str | Path) -> list[SessionSummary]:
    """Sessions in ``directory`` (itself, its sub-folders, and ``<sub>/session``), sorted by
    start time then path. Folders with an unreadable header are skipped."""
    out: list[SessionSummary] = []
    for d in _session_dirs(Path(directory).expanduser()):
        sj = d / SESSION_FILE
        try:
            header = read_json_file(sj, "session header")
        except SessionFileError:
            continue
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            continue
        try:
            started = _parse_time(header.get("started_at"), sj, "started_at")
        except SessionFileError:
            started = None
        out.append(SessionSummary(
            path=d, call_id=str(header.get("call_id", d.name)),
            title=str(header.get("title") or header.get("call_id") or d.name),
            started_at=started, source=str(header.get("source", "live")),
            has_ticket=(d / TICKET_FILE).is_file(), has_review=(d / REVIEW_FILE).is_file(),
        ))  # fmt: skip
    out.sort(key=lambda s: (s.started_at.isoformat() if s.started_at else "", str(s.path)))
    return out
