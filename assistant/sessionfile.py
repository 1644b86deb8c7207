"""Saved call sessions: one folder per call, written while the call runs, read by replay,
review, QA scoring and the HTML report. Format: ``docs/session-format.md``.

Layout::

    session.json          header (format, call id, times, seat, engine, channel map, audio, source)
    audio.wav             stereo caller-left/agent-right (asr.recording's writer); samples point
                          at ``../call.wav`` instead; may be absent (typed or scripted sessions)
    events.jsonl          recognition events in the asr.recording format (asr.recording.load_events)
    suggestions.jsonl     one line per change of the assistant's output after a final event
    ticket.json           the submitted ticket (or, for samples, the assistant's prefilled one)
    reference_ticket.json optional: what a trained call-taker would have written
    review.json           optional: reviewer notes and the QA scorecard

Everything is written incrementally and crash-safe: ``session.json``, ``ticket.json`` and
``review.json`` are replaced atomically (temporary file + rename), the JSONL files are flushed
line by line, and a torn LAST line (the process died while writing it) is ignored on reading.

:func:`load_session` is the one loader for these folders (the TUI's recordings module should
delegate to it); every problem raises :class:`~assistant.errors.SessionFileError` naming the
file (and line) and what to do.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from asr import recording as _rec
from asr.events import TranscriptEvent
from asr.recording import (
    EVENTS_FILE,
    AudioRecorder,
    RecordingFormatError,
    SessionRecorder,
    load_events,
)
from assistant.errors import SessionFileError

if TYPE_CHECKING:
    from assistant.core.state import SessionState

FORMAT_NAME = "hotline-session"
FORMAT_VERSION = 1
SESSION_FILE = "session.json"
SUGGESTIONS_FILE = "suggestions.jsonl"
TICKET_FILE = "ticket.json"
REFERENCE_FILE = "reference_ticket.json"
REVIEW_FILE = "review.json"
REVIEW_FORMAT = "hotline-review"
SOURCES: tuple[str, ...] = ("live", "practice", "sample", "replay")
SCORE_DIGITS = 3

Source = Literal["live", "practice", "sample", "replay"]


# --------------------------------------------------------------------------- small helpers


def _atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` as pretty UTF-8 JSON; the old file stays intact until the rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any, path: Path, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise SessionFileError(
            f"{path}: '{key}' is not an ISO date-time ({value!r}); fix or remove it"
        ) from exc


def _read_json_file(path: Path, what: str) -> Any:
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


def _read_optional_dict(path: Path, what: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = _read_json_file(path, what)
    if not isinstance(data, dict):
        raise SessionFileError(f"{path}:1: the {what} must be a JSON object")
    return data


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """One suggested catalogue leaf at a moment of the call."""

    id: str
    path: str
    department: str
    deadline: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "department": self.department,
                "deadline": self.deadline, "score": self.score}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AlertRecord:
    kind: str
    title: str
    channel: str | None = None
    rule_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "channel": self.channel,
                "rule_id": self.rule_id}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SuggestionRecord:
    """What the assistant showed after a final event (one line of ``suggestions.jsonl``)."""

    t: float
    categories: tuple[CategoryRecord, ...]
    uncertain: bool
    verdict: str
    channel: str | None
    reason: str | None
    urgency: str
    emotion: str
    guidance: str | None
    fields: dict[str, str] = field(default_factory=dict)
    alerts: tuple[AlertRecord, ...] = ()
    next_question: str | None = None

    @property
    def top(self) -> CategoryRecord | None:
        return self.categories[0] if self.categories else None

    def content(self) -> dict[str, Any]:
        """Everything but the time (two records with equal content are the same state)."""
        d = self.to_dict()
        d.pop("t")
        return d

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "categories": [c.to_dict() for c in self.categories],
            "uncertain": self.uncertain,
            "verdict": self.verdict,
            "channel": self.channel,
            "reason": self.reason,
            "urgency": self.urgency,
            "emotion": self.emotion,
            "guidance": self.guidance,
            "fields": dict(self.fields),
            "alerts": [a.to_dict() for a in self.alerts],
            "next_question": self.next_question,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SuggestionRecord:
        cats = tuple(
            CategoryRecord(str(c["id"]), str(c.get("path", "")), str(c.get("department", "")),
                           str(c.get("deadline", "")), float(c.get("score", 0.0)))
            for c in d.get("categories", [])
        )  # fmt: skip
        alerts = tuple(
            AlertRecord(str(a["kind"]), str(a.get("title", "")), a.get("channel"), a.get("rule_id"))
            for a in d.get("alerts", [])
        )
        return cls(
            t=float(d["t"]),
            categories=cats,
            uncertain=bool(d.get("uncertain", False)),
            verdict=str(d.get("verdict", "accept")),
            channel=d.get("channel"),
            reason=d.get("reason"),
            urgency=str(d.get("urgency", "normal")),
            emotion=str(d.get("emotion", "calm")),
            guidance=d.get("guidance"),
            fields={str(k): str(v) for k, v in (d.get("fields") or {}).items()},
            alerts=alerts,
            next_question=d.get("next_question"),
        )

    @classmethod
    def from_state(cls, state: SessionState, t: float, k: int = 3) -> SuggestionRecord:
        """The record of a :class:`~assistant.core.state.SessionState` at call time ``t``."""
        cats = tuple(
            CategoryRecord(s.leaf.id, s.leaf.path_text, s.leaf.department, s.leaf.deadline,
                           round(float(s.score), SCORE_DIGITS))
            for s in state.suggestions[:k]
        )  # fmt: skip
        alerts = tuple(AlertRecord(a.kind, a.title, a.channel, a.rule_id) for a in state.alerts)
        fields = {name: fv.value for name, fv in sorted(state.fields.items()) if fv.value}
        return cls(
            t=round(float(t), 3),
            categories=cats,
            uncertain=state.uncertain,
            verdict=state.verdict,
            channel=state.channel,
            reason=state.reason,
            urgency=state.urgency,
            emotion=state.emotion,
            guidance=state.guidance,
            fields=fields,
            alerts=alerts,
            next_question=state.next_question,
        )


def _read_suggestions(path: Path) -> tuple[SuggestionRecord, ...]:
    if not path.is_file():
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read the suggestions ({exc})") from exc
    out: list[SuggestionRecord] = []
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            out.append(SuggestionRecord.from_dict(obj))
        except (ValueError, KeyError, TypeError) as exc:
            if i == last and not isinstance(exc, KeyError | TypeError):
                break  # torn final line after a crash
            raise SessionFileError(
                f"{path}:{i + 1}: malformed suggestion record ({type(exc).__name__}: {exc}); "
                "fix or delete this line"
            ) from exc
    return tuple(out)


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


def _session_json(path: str | Path) -> Path:
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
    sj = _session_json(path)
    if not sj.is_file():
        where = sj.parent if sj.name == SESSION_FILE else sj
        raise SessionFileError(
            f"{where}: not a saved call session (no {SESSION_FILE}); choose a session folder "
            "such as audio_samples/<call>/session or one under the recordings folder"
        )
    folder = sj.parent
    header = _read_json_file(sj, "session header")
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
        suggestions=_read_suggestions(folder / SUGGESTIONS_FILE),
        ticket=_read_optional_dict(folder / TICKET_FILE, "ticket"),
        reference=_read_optional_dict(folder / REFERENCE_FILE, "reference ticket"),
        review=_read_optional_dict(folder / REVIEW_FILE, "review"),
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
            header = _read_json_file(sj, "session header")
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
    folder = _session_json(path).parent
    if not (folder / SESSION_FILE).is_file():
        raise SessionFileError(f"{folder}: not a saved call session (no {SESSION_FILE})")
    target = folder / REVIEW_FILE
    data = _read_optional_dict(target, "review") or {}
    data.update({"format": REVIEW_FORMAT, "version": 1, "notes": notes,
                 "reviewer": reviewer or data.get("reviewer", ""),
                 "updated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds")})  # fmt: skip
    if scorecard is not None:
        data["scorecard"] = scorecard.to_dict() if hasattr(scorecard, "to_dict") else scorecard
    _atomic_write_json(target, data)
    return target


# --------------------------------------------------------------------------- writing


class _EventsLog:
    """events.jsonl WITHOUT audio, in :mod:`asr.recording`'s format (same header and line
    layout, read back by :func:`asr.recording.load_events`). Used for sessions that record
    no audio (typed practice, scripted samples); audio sessions use ``SessionRecorder``."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self._fh = path.open("w", encoding="utf-8")
        self.events_written = 0
        self._write({"kind": "header", "format": _rec.FORMAT_NAME,
                     "version": _rec.FORMAT_VERSION, **header})  # fmt: skip

    def _write(self, obj: dict[str, Any]) -> None:
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._fh.flush()

    def write_event(self, event: TranscriptEvent, emitted_at: float) -> None:
        self._write({"kind": "event", "emitted_at": round(emitted_at, 3), **event.to_dict()})
        self.events_written += 1

    def mark_end(self, audio_seconds: float | None) -> None:
        if self._fh.closed:
            return
        end: dict[str, Any] = {"kind": "end", "events": self.events_written}
        if audio_seconds is not None:
            end["audio_seconds"] = round(audio_seconds, 3)
        self._write(end)
        self._fh.close()


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
    tmp = target.with_suffix(".tmp")
    log = _EventsLog(tmp, {
        "created": _iso(datetime.now(UTC)), "engine": engine, "model": model,
        "sample_rate": int(sample_rate), "channels": len(channel_map),
        "channel_map": list(channel_map), "audio": {"layout": "stereo", "files": []},
        "metadata": {"second_pass_of": EVENTS_FILE},
    })  # fmt: skip
    for ev in events:
        log.write_event(ev, ev.end)
    log.mark_end(max((e.end for e in events), default=0.0))
    os.replace(tmp, target)
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
        self.folder = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
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
        self._events: _EventsLog | None = None
        if record_audio:
            self.recorder = SessionRecorder(
                self.folder, sample_rate=sample_rate, channels=len(channel_map),
                channel_map=channel_map, engine=engine, model=model, metadata=events_meta,
            )  # fmt: skip
        else:
            self._events = _EventsLog(self.folder / EVENTS_FILE, {
                "created": _iso(created or started_at), "engine": engine, "model": model,
                "sample_rate": int(sample_rate), "channels": len(channel_map),
                "channel_map": list(channel_map),
                "audio": {"layout": "stereo", "files": [audio] if audio else []},
                "metadata": events_meta,
            })  # fmt: skip
        self._suggestions = (self.folder / SUGGESTIONS_FILE).open("w", encoding="utf-8")

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
            self._suggestions.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
            self._suggestions.flush()
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
                self._events.mark_end(duration if duration is not None
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
