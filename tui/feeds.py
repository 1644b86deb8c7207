"""Event feeds: where a screen's TranscriptEvents come from.

A feed runs its own thread and reports through :class:`FeedCallbacks` (called from that
thread; screens turn them into Textual messages). Three kinds:

* :class:`ReplayFeed` - recorded events (``events.jsonl``) paced in real time by their
  ``end`` times, with pause / resume / seek. ``speed=0`` replays as fast as possible
  (tests, review).
* :class:`TranscriberFeed` - live recognition through ``asr.pipeline.Transcriber``.
* :class:`StaticFeed` - nothing to play (manual ticket entry).

Nothing here imports textual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asr.audio.pacing import Pacer
from asr.events import TranscriptEvent


def _noop(*_args: Any) -> None:
    return None


@dataclass
class FeedCallbacks:
    """What a feed reports. Called from the feed's thread."""

    on_event: Callable[[TranscriptEvent], object] = _noop
    on_status: Callable[[str], object] = _noop
    on_end: Callable[[], object] = _noop
    on_error: Callable[[BaseException], object] = _noop
    on_position: Callable[[float], object] = field(default=_noop)


class EventFeed:
    """Base class of every feed: a description for the status bar and start/stop."""

    description: str = ""
    engine_name: str = ""
    seekable: bool = False
    live_recognition: bool = False

    def start(self, callbacks: FeedCallbacks) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def stop(self) -> None:
        return None

    # optional transport controls (practice / review)
    @property
    def paused(self) -> bool:
        return False

    @property
    def position(self) -> float:
        return 0.0

    @property
    def duration(self) -> float | None:
        return None

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None

    def toggle_pause(self) -> bool:
        if self.paused:
            self.resume()
        else:
            self.pause()
        return self.paused

    def seek(self, delta: float) -> None:
        return None


class StaticFeed(EventFeed):
    """No audio and no events: the call-taker types the ticket by hand."""

    def __init__(self, description: str = "手动录入") -> None:
        self.description = description

    def start(self, callbacks: FeedCallbacks) -> None:
        callbacks.on_status(self.description)


class PlaybackClock:
    """A pausable, seekable media position (seconds) driven by a monotonic clock: the
    polling face of :class:`asr.audio.pacing.Pacer` (starts paused until :meth:`play`)."""

    def __init__(self, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.speed = speed
        self._pacer = Pacer(speed, clock=monotonic)
        self._pacer.pause()

    @property
    def paused(self) -> bool:
        return self._pacer.paused

    def play(self) -> None:
        self._pacer.resume()

    def pause(self) -> None:
        self._pacer.pause()

    def position(self) -> float:
        return self._pacer.position

    def set_position(self, pos: float) -> None:
        self._pacer.set_position(pos)


class ReplayFeed(EventFeed):
    """Replays recorded TranscriptEvents at real-time pace (``speed`` x) from their times.

    Seeking forward emits every skipped event at once; seeking backward only moves the
    playback position (events already delivered are not delivered again), so the
    session keeps what it has learnt while a trainee listens to a passage again.
    """

    seekable = True

    def __init__(
        self,
        events: Sequence[TranscriptEvent],
        *,
        speed: float = 1.0,
        description: str = "回放已存转写",
        engine_name: str = "回放",
        monotonic: Callable[[], float] = time.monotonic,
        tick: float = 0.05,
        duration: float | None = None,
        start_paused: bool = False,
        times: Sequence[float] | None = None,
    ) -> None:
        at = list(times) if times is not None else [e.end for e in events]
        if len(at) != len(events):
            raise ValueError("times must give one emission time per event")
        order = sorted(range(len(events)), key=lambda i: (at[i], i))
        self.events = [events[i] for i in order]
        self.times = [at[i] for i in order]
        self.description = description
        self.engine_name = engine_name
        self.speed = speed
        self.tick = tick
        self._duration = (
            duration
            if duration is not None
            else max([*self.times, *(e.end for e in self.events), 0.0])
        )
        self.clock = PlaybackClock(speed if speed > 0 else 1.0, monotonic)
        self._start_paused = start_paused
        self._next = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.listeners: list[Callable[[str, float], None]] = []  # e.g. audio player

    # ---- transport -----------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self.clock.paused

    @property
    def position(self) -> float:
        return min(self.clock.position(), self._duration) if self.speed > 0 else self._duration

    @property
    def duration(self) -> float | None:
        return self._duration

    @property
    def finished(self) -> bool:
        return self._next >= len(self.events) and self.position >= self._duration

    def pause(self) -> None:
        self.clock.pause()
        self._notify("pause")

    def resume(self) -> None:
        self.clock.play()
        self._notify("play")
        self._wake.set()

    def seek(self, delta: float) -> None:
        target = min(max(0.0, self.clock.position() + delta), self._duration)
        self.clock.set_position(target)
        self._notify("seek")
        self._wake.set()

    def _notify(self, what: str) -> None:
        pos = self.clock.position()
        for listener in list(self.listeners):
            try:
                listener(what, pos)
            except Exception:  # an audio device error must not stop the replay
                self.listeners.remove(listener)

    # ---- thread --------------------------------------------------------------------
    def start(self, callbacks: FeedCallbacks) -> None:
        callbacks.on_status(self.description)
        self._thread = threading.Thread(
            target=self._run, args=(callbacks,), name="hotline-replay", daemon=True
        )
        if not self._start_paused:
            self.clock.play()
            self._notify("play")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.clock.pause()
        self._notify("stop")

    def _run(self, cb: FeedCallbacks) -> None:
        try:
            while not self._stop.is_set():
                pos = self.position
                while self._next < len(self.events) and (
                    self.speed <= 0 or self.times[self._next] <= pos + 1e-9
                ):
                    cb.on_event(self.events[self._next])
                    self._next += 1
                    if self._stop.is_set():
                        return
                cb.on_position(pos)
                if self._next >= len(self.events) and pos >= self._duration:
                    self.clock.pause()
                    self._notify("end")
                    cb.on_end()
                    return
                self._wake.wait(self.tick)
                self._wake.clear()
        except BaseException as exc:  # report, never kill the UI
            cb.on_error(exc)


class TranscriberFeed(EventFeed):
    """Live recognition through an ``asr.pipeline.Transcriber``.

    ``make_transcriber()`` builds the (not yet started) transcriber: it loads the speech
    model, so it runs in the feed's thread, never in the UI thread. Events are read with
    ``Transcriber.events()``, which re-raises recognition errors here so they reach the
    status bar. ``pacer`` (an ``asr.audio.pacing.Pacer``) gives pause / resume / seek for
    recorded audio (practice).
    """

    live_recognition = True

    def __init__(
        self,
        make_transcriber: Callable[[], Any],
        *,
        description: str,
        engine_name: str,
        pacer: Any = None,
        duration: float | None = None,
        audio_tap: Any = None,
    ) -> None:
        self._make = make_transcriber
        self.audio_tap = audio_tap  # an asr.recording.AudioTap the transcriber records into
        self.engine_reason = ""  # why this engine runs (shown as the status bar's tooltip)
        self.description = description
        self.engine_name = engine_name
        self.pacer = pacer
        self.seekable = pacer is not None
        self._duration = duration
        self._tx: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listeners: list[Callable[[str, float], None]] = []

    def start(self, callbacks: FeedCallbacks) -> None:
        callbacks.on_status(f"识别引擎加载中… {self.description}")
        self._thread = threading.Thread(
            target=self._run, args=(callbacks,), name="hotline-asr", daemon=True
        )
        self._thread.start()

    def _run(self, cb: FeedCallbacks) -> None:
        try:
            self._tx = self._make()
            if self._stop.is_set():
                return
            engine = getattr(self._tx, "engine", None)
            if engine is not None and str(getattr(engine, "name", "") or ""):
                self.engine_name = f"{engine.name} · {getattr(engine, 'model_description', '')}"
            self.engine_reason = str(getattr(self._tx, "reason", "") or "")
            cb.on_status("识别中")
            self._tx.start()
            self._notify("play")
            for ev in self._tx.events():
                cb.on_event(ev)
                if self.pacer is not None:
                    cb.on_position(self.position)
            if not self._stop.is_set():
                cb.on_end()
        except BaseException as exc:
            cb.on_error(exc)

    def stop(self) -> None:
        self._stop.set()
        self._notify("stop")
        if self._tx is not None:
            self._tx.stop()
        if self.pacer is not None:
            self.pacer.close()

    def _notify(self, what: str) -> None:
        pos = self.position
        for listener in list(self.listeners):
            try:
                listener(what, pos)
            except Exception:
                self.listeners.remove(listener)

    @property
    def paused(self) -> bool:
        return bool(self.pacer is not None and self.pacer.paused)

    @property
    def position(self) -> float:
        return float(self.pacer.position) if self.pacer is not None else 0.0

    @property
    def duration(self) -> float | None:
        return self._duration

    def pause(self) -> None:
        if self.pacer is not None:
            self.pacer.pause()
            self._notify("pause")

    def resume(self) -> None:
        if self.pacer is not None:
            self.pacer.resume()
            self._notify("play")

    def seek(self, delta: float) -> None:
        if self.pacer is not None:
            target = self.pacer.position + delta
            if self._duration is not None:
                target = min(target, self._duration)
            self.pacer.seek(max(0.0, target))
            self._notify("seek")
