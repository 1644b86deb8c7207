"""Save a live or practice session as audio + ``events.jsonl``, and replay it without a model.

Layout of a recording folder (documented in ``docs/recording-format.md``)::

    audio.wav       stereo: left = channel 0 (caller), right = channel 1 (agent); mono when
                    the source had one channel        (layout "stereo", the default)
    caller.wav / agent.wav                            (layout "split": one mono WAV each)
    events.jsonl    one JSON object per line: a header, the events, an end marker

Both are written incrementally and crash-safe: the WAV header sizes are patched after
every block and each JSON line is flushed as soon as it is written, so a crash loses at
most the block being written. Audio is placed by time (``chunk.t0``): gaps (dropped
microphone blocks, forward seeks) are filled with silence so that the WAV position
always equals call time; audio for a time already written (a backward seek in
practice) is not written again.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import numpy as np

from asr.audio.pacing import paced
from asr.errors import ASRError
from asr.events import AudioChunk, TranscriptEvent
from asr.jsonl import JsonlWriter, parse_lines

FORMAT_NAME = "hotline-asr-events"
FORMAT_VERSION = 1
EVENTS_FILE = "events.jsonl"
MAX_GAP_SECONDS = 3600.0


class RecordingFormatError(ASRError):
    """An ``events.jsonl`` file that is not in the expected format."""


class _WavWriter:
    """16-bit PCM WAV writer whose header is valid after every write."""

    def __init__(self, path: Path, sample_rate: int, channels: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        self._fh: BinaryIO = path.open("wb")
        self._fh.write(self._header(0))
        self._fh.flush()

    def _header(self, data_bytes: int) -> bytes:
        block_align = self.channels * 2
        return b"".join(
            [
                b"RIFF",
                struct.pack("<I", 36 + data_bytes),
                b"WAVE",
                b"fmt ",
                struct.pack(
                    "<IHHIIHH",
                    16,
                    1,
                    self.channels,
                    self.sample_rate,
                    self.sample_rate * block_align,
                    block_align,
                    16,
                ),
                b"data",
                struct.pack("<I", data_bytes),
            ]
        )

    def write(self, frames: np.ndarray) -> None:
        if len(frames) == 0:
            return
        data = np.ascontiguousarray(frames, dtype="<i2").reshape(-1, self.channels)
        self._fh.seek(0, 2)
        self._fh.write(data.tobytes())
        self.frames += len(data)
        nbytes = self.frames * self.channels * 2
        self._fh.seek(4)
        self._fh.write(struct.pack("<I", 36 + nbytes))
        self._fh.seek(40)
        self._fh.write(struct.pack("<I", nbytes))
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


AudioLayout = Literal["stereo", "split"]


class Recorder(Protocol):
    """What :class:`asr.pipeline.Transcriber` hands audio and events to."""

    def write_audio(self, chunk: AudioChunk) -> None: ...

    def write_event(self, event: TranscriptEvent) -> None: ...

    def mark_end(self) -> None: ...


class AudioRecorder:
    """Write the audio of a session (no events) into ``folder``, placed by call time.

    Thread-safe. Chunks go where ``chunk.t0`` says: a gap is filled with silence, audio for
    a time already written is dropped. The WAV headers are valid after every write.

    Args:
        folder: created if needed; existing WAV files of the same names are replaced.
        sample_rate: rate of the chunks (the engine's rate).
        channels: 1 or 2 (the source's channel count).
        channel_map: speaker of channel 0 and 1 (names the files of the split layout).
        layout: ``"stereo"`` (one ``audio.wav``, caller left / agent right) or ``"split"``
            (one mono WAV per speaker).
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        sample_rate: int,
        channels: int,
        channel_map: Sequence[str] = ("caller", "agent"),
        layout: AudioLayout = "stereo",
    ) -> None:
        if channels not in (1, 2):
            raise ValueError("A session recording has 1 or 2 channels")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sample_rate = int(sample_rate)
        self.channels = channels
        self.channel_map = tuple(channel_map)[:channels]
        self._lock = threading.Lock()
        self._pending: list[list[np.ndarray]] = [[] for _ in range(channels)]
        self._pending_len = [0] * channels
        self._next_pos = [0] * channels  # next sample index per channel (written + pending)
        self._closed = False
        if layout == "stereo" or channels == 1:
            self.layout: AudioLayout = "stereo"
            self.audio_files = ["audio.wav"]
            self._writers = [_WavWriter(self.folder / "audio.wav", self.sample_rate, channels)]
        else:
            self.layout = "split"
            self.audio_files = [f"{name}.wav" for name in self.channel_map]
            self._writers = [
                _WavWriter(self.folder / f, self.sample_rate, 1) for f in self.audio_files
            ]

    @property
    def seconds(self) -> float:
        """Audio written so far (first file)."""
        return self._writers[0].frames / self.sample_rate

    def write_audio(self, chunk: AudioChunk) -> None:
        if chunk.channel >= self.channels:
            return
        if chunk.sample_rate != self.sample_rate:
            raise ValueError(
                f"Recorder at {self.sample_rate} Hz got a {chunk.sample_rate} Hz chunk"
            )
        with self._lock:
            if self._closed:
                return
            ch = chunk.channel
            samples = np.asarray(chunk.samples, dtype=np.int16)
            pos = round(chunk.t0 * self.sample_rate)
            expected = self._next_pos[ch]
            if pos > expected:
                gap = min(pos - expected, int(MAX_GAP_SECONDS * self.sample_rate))
                self._append(ch, np.zeros(gap, np.int16))
            elif pos < expected:
                samples = samples[expected - pos :]  # already written: keep the first take
            self._append(ch, samples)
            self._drain(final=False)

    def flush(self) -> None:
        """Write what is pending, padding the shorter channel with silence."""
        with self._lock:
            if not self._closed:
                self._drain(final=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._drain(final=True)
            for w in self._writers:
                w.close()

    def _append(self, ch: int, samples: np.ndarray) -> None:
        if len(samples):
            self._pending[ch].append(samples)
            self._pending_len[ch] += len(samples)
            self._next_pos[ch] += len(samples)

    def _take(self, ch: int, n: int) -> np.ndarray:
        buf = np.concatenate(self._pending[ch]) if self._pending[ch] else np.zeros(0, np.int16)
        out, rest = buf[:n], buf[n:]
        if len(out) < n:
            out = np.concatenate([out, np.zeros(n - len(out), np.int16)])
        self._pending[ch] = [rest] if len(rest) else []
        self._pending_len[ch] = len(rest)
        return out

    def _drain(self, final: bool) -> None:
        if len(self._writers) == 1 and self.channels == 2:
            n = max(self._pending_len) if final else min(self._pending_len)
            if n > 0:
                left, right = self._take(0, n), self._take(1, n)
                self._writers[0].write(np.stack([left, right], axis=1))
        else:
            for ch, writer in enumerate(self._writers):
                n = self._pending_len[ch]
                if n > 0:
                    writer.write(self._take(ch, n))


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
        self.events_written = 0
        self.events_path = self.folder / EVENTS_FILE
        self._events = JsonlWriter(self.events_path.open("w", encoding="utf-8"))
        header = {
            "kind": "header",
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
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
        self._write_line(header)

    def write_audio(self, chunk: AudioChunk) -> None:
        self.audio.write_audio(chunk)

    def _write_line(self, obj: dict[str, Any]) -> None:
        self._events.write(obj)

    def write_event(self, event: TranscriptEvent) -> None:
        with self._lock:
            if self._closed:
                return
            line: dict[str, Any] = {
                "kind": "event",
                "emitted_at": round(self._clock() - self._t_start, 3),
            }
            line.update(event.to_dict())
            self._write_line(line)
            self.events_written += 1

    def mark_end(self, **extra: Any) -> None:
        """Write the end marker (idempotent); called by the pipeline at end of input."""
        with self._lock:
            if self._ended or self._closed:
                return
            self._ended = True
            self.audio.flush()
            line: dict[str, Any] = {
                "kind": "end",
                "emitted_at": round(self._clock() - self._t_start, 3),
                "audio_seconds": round(self.audio.seconds, 3),
                "events": self.events_written,
            }
            line.update(extra)
            self._write_line(line)

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


# ---------------------------------------------------------------------- reading


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
    lines = p.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise RecordingFormatError(f"{p} is empty (the recording never started)")
    parsed: list[dict[str, Any]] = []
    for line in parse_lines(lines):
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
