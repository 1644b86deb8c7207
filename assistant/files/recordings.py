"""Finding and loading recorded calls for the practice and review screens and commands.

A call folder holds audio (``audio.wav`` / ``call.wav``), recognition events
(``events.jsonl``, from ``asr.recording``) or a scripted transcript (``script.json``
of the sample calls), and optionally ``reference_ticket.json``. Saved sessions (a
``session.json`` in the folder or in ``<folder>/session``) are read by
:func:`assistant.files.session_reader.load_session` (the one loader of session folders); only
plain folders without one (a recording made by ``asr.recording``, a sample's ``script.json``)
are read here. Nothing here imports textual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asr.events import TranscriptEvent
from assistant.errors import SessionFileError
from assistant.files.session_reader import is_session, list_sessions, load_session

__all__ = [
    "AUDIO_NAMES",
    "EVENTS_NAME",
    "SAMPLES_DIR",
    "RecordedCall",
    "call_title",
    "find_calls",
    "load_call",
    "samples_dir",
    "session_folder",
]

#: The repository's ``audio_samples`` folder (sample calls for practice and demo).
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "audio_samples"
AUDIO_NAMES = ("audio.wav", "call.wav", "caller.wav")
EVENTS_NAME = "events.jsonl"


@dataclass(frozen=True)
class RecordedCall:
    """Everything practice / review needs about one recorded call."""

    path: Path
    call_id: str
    title: str
    audio: Path | None
    events: tuple[TranscriptEvent, ...]
    times: tuple[float, ...]  # when each event was emitted (call seconds)
    duration: float
    reference: dict[str, Any] | None = None
    transcript_source: str = "events"  # events | script
    extra: dict[str, Any] = field(default_factory=dict)


def _scripted_events(turns: list[dict[str, Any]]) -> tuple[list[TranscriptEvent], list[float]]:
    """Events from a sample call's scripted turns: a partial halfway, then the final."""
    events: list[TranscriptEvent] = []
    times: list[float] = []
    for turn in turns:
        text = str(turn["text"])
        start, end = float(turn["start"]), float(turn["end"])
        speaker = turn["speaker"]
        half = text[: max(1, len(text) // 2)]
        mid = (start + end) / 2
        events.append(TranscriptEvent(speaker, half, start, mid, final=False, engine="script"))
        times.append(mid)
        events.append(TranscriptEvent(speaker, text, start, end, final=True, engine="script"))
        times.append(end)
    return events, times


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def session_folder(folder: Path) -> Path | None:
    """The saved-session folder of a call folder (itself or ``<folder>/session``), if any."""
    for candidate in (folder, folder / "session"):
        if is_session(candidate):
            return candidate
    return None


def _saved_session(folder: Path) -> RecordedCall:
    """A saved session, read by :func:`~assistant.files.session_reader.load_session`."""
    s = load_session(folder)
    return RecordedCall(
        path=s.path,
        call_id=s.call_id,
        title=s.title,
        audio=s.audio,
        events=s.events,
        times=tuple(t if t > 0 else e.end for e, t in zip(s.events, s.emitted_at, strict=True)),
        duration=s.duration,
        reference=s.reference,
        transcript_source="script" if s.engine == "script" else "events",
        extra={"session": s},
    )


def load_call(path: str | Path) -> RecordedCall:
    """Read a call folder (or an ``events.jsonl`` / audio file inside one)."""
    p = Path(path).expanduser()
    folder = p if p.is_dir() else p.parent
    if not folder.is_dir():
        raise SessionFileError(f"没有找到录音或会话：{p}")
    saved = session_folder(folder)
    if saved is not None:
        return _saved_session(saved)
    audio = p if p.is_file() and p.suffix.lower() in (".wav", ".flac", ".ogg", ".mp3") else None
    if audio is None:
        audio = next((folder / n for n in AUDIO_NAMES if (folder / n).is_file()), None)
    script = _read_json(folder / "script.json") or {}
    reference = _read_json(folder / "reference_ticket.json") or _read_json(
        folder / "reference.json"
    )
    title = str(script.get("title") or folder.name)
    events_file = folder / EVENTS_NAME
    if events_file.is_file():
        from asr.recording import load_events

        rec = load_events(events_file)
        events = list(rec.events)
        times = [t if t > 0 else e.end for e, t in zip(rec.events, rec.emitted_at, strict=True)]
        source = "events"
    elif script.get("turns"):
        events, times = _scripted_events(list(script["turns"]))
        source = "script"
    elif audio is not None:
        events, times, source = [], [], "none"  # to be recognised live
    else:
        raise SessionFileError(
            f"{folder} 中既没有录音也没有转写（需要 audio.wav/call.wav、events.jsonl 或 "
            "script.json）"
        )
    duration = float(script.get("duration") or 0.0) or max([*times, 0.0])
    if not duration and audio is not None:
        from asr.audio import open_audio_file

        sound, _ = open_audio_file(audio)  # a crashed recorder's header says 0 s
        with sound:
            duration = sound.frames / float(sound.samplerate)
    return RecordedCall(
        path=folder,
        call_id=str(script.get("id") or (reference or {}).get("call_id") or folder.name),
        title=title,
        audio=audio,
        events=tuple(events),
        times=tuple(times),
        duration=duration,
        reference=reference,
        transcript_source=source,
    )


def find_calls(*dirs: Path, skip_sources: frozenset[str] = frozenset()) -> list[Path]:
    """Calls under ``dirs``: saved sessions (``session_reader.list_sessions``: the
    folder, its sub-folders and ``<sub>/session``), then plain folders with events.jsonl or
    script.json that hold no session. Sessions keep list_sessions' order; the rest by name.
    Sessions whose source is in ``skip_sources`` (e.g. ``practice``) are left out."""
    found: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            continue
        summaries = list_sessions(d)
        sessions = [s.path for s in summaries]
        found.extend(s.path for s in summaries if s.source not in skip_sources)
        covered = {p.parent if p.name == "session" else p for p in sessions} | set(sessions)
        for child in sorted(d.iterdir()):
            if child in covered or not child.is_dir():
                continue
            if (child / EVENTS_NAME).is_file() or (child / "script.json").is_file():
                found.append(child)
    return found


def call_title(folder: Path) -> str:
    """The title to list a call by (session header, else script.json, else folder name)."""
    if is_session(folder):
        summaries = list_sessions(folder)
        if summaries:
            return summaries[0].title
    script = folder / "script.json"
    if script.is_file():
        try:
            return str(json.loads(script.read_text(encoding="utf-8")).get("title") or folder.name)
        except ValueError:
            pass
    return folder.name


def samples_dir() -> Path:
    """The repository's ``audio_samples`` folder (sample calls for practice and demo)."""
    return SAMPLES_DIR
