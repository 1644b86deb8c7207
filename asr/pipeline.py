"""Run an audio source through per-channel recognisers in background threads.

Threads (the target machine has 2 cores):

* one *reader* thread pulls chunks from the source (file decoding + soxr resampling,
  or the microphone queue), optionally writes them to a
  :class:`~asr.recording.SessionRecorder`, and hands each channel's chunk to that
  channel's bounded queue (so a fast file reader never runs far ahead);
* one *worker* thread per channel owns that channel's recogniser. Vosk (cffi) and
  CTranslate2 release the GIL while decoding, so caller and agent really decode in
  parallel on the two cores.

Events go to an unbounded output queue (a slow consumer never stalls recognition)
and, optionally, to an ``on_event`` callback (called in the worker thread: keep it
short). Consume them with :meth:`Transcriber.events` (blocking iterator) or
:meth:`Transcriber.poll` (non-blocking, for UI timers). Any exception in the reader
or a worker is re-raised in the consumer by ``events()`` / ``poll()``; nothing is
swallowed. At the end of the input or after :meth:`Transcriber.stop`, every
recogniser is flushed so the last final results are always delivered.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from asr.audio import AudioSource
from asr.engine import EngineFactory, Recognizer
from asr.errors import ASRError, PipelineError, SampleRateMismatchError
from asr.events import AudioChunk, Speaker, TranscriptEvent

__all__ = ["ProgressCallback", "Transcriber", "transcribe_source"]

if TYPE_CHECKING:
    from asr.recording import Recorder

ProgressCallback = Callable[[float, float | None], None]
"""``on_progress(seconds_processed, total_seconds_or_None)``."""


@dataclass(frozen=True, slots=True)
class _End:
    pass


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


_SENTINEL: object = object()


class Transcriber:
    """Recognise every channel of ``source`` with recognisers from ``engine_factory``.

    Args:
        source: an :class:`~asr.audio.AudioSource` at ``engine_factory.sample_rate``.
        engine_factory: a loaded engine (Vosk, Whisper, ...).
        channel_map: speaker of channel 0, 1 (mono audio is channel 0 = caller).
        on_event: called with each event in the worker thread (optional).
        on_progress: called with (seconds processed, total seconds) about twice per
            audio second (optional; total is ``None`` for microphones).
        recorder: a :class:`~asr.recording.SessionRecorder` that receives the audio
            chunks and the events, or an :class:`~asr.recording.AudioTap` for the audio
            only (optional).
        reason: why this engine was chosen (``asr.select.create_engine``'s reason), for
            status bars and logs.
    """

    def __init__(
        self,
        source: AudioSource,
        engine_factory: EngineFactory,
        channel_map: Sequence[str] = ("caller", "agent"),
        *,
        on_event: Callable[[TranscriptEvent], None] | None = None,
        on_progress: ProgressCallback | None = None,
        recorder: Recorder | None = None,
        max_queued_chunks: int = 50,
        progress_interval: float = 0.5,
        reason: str = "",
    ) -> None:
        speakers = get_args(Speaker)
        for name in channel_map:
            if name not in speakers:
                raise ValueError(f"channel_map entries must be one of {speakers}, got {name!r}")
        if source.channels > len(channel_map):
            raise ValueError(
                f"The source has {source.channels} channels but channel_map names {len(channel_map)}"
            )
        if source.sample_rate != engine_factory.sample_rate:
            raise SampleRateMismatchError(
                f"The audio source delivers {source.sample_rate} Hz but the {engine_factory.name} "
                f"engine expects {engine_factory.sample_rate} Hz: create the source with "
                f"sample_rate={engine_factory.sample_rate}"
            )
        self.source = source
        self.engine = engine_factory
        self.channel_map: tuple[Speaker, ...] = tuple(channel_map)  # type: ignore[arg-type]
        self.on_event = on_event
        self.on_progress = on_progress
        self.recorder = recorder
        self.reason = reason  # why this engine was chosen (for status bars)
        self.progress_interval = progress_interval
        self.recognizers: list[Recognizer] = [
            engine_factory.recognizer(self.channel_map[ch], ch) for ch in range(source.channels)
        ]
        self._inputs: list[queue.Queue[object]] = [
            queue.Queue(maxsize=max_queued_chunks) for _ in self.recognizers
        ]
        self._out: queue.SimpleQueue[TranscriptEvent | _End | _Failure] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._failed = threading.Event()
        self._lock = threading.Lock()
        self._workers_left = len(self.recognizers)
        self._processed = [0.0] * len(self.recognizers)
        self._done = [False] * len(self.recognizers)
        self._last_progress = -1.0
        self._threads: list[threading.Thread] = []
        self._started = False
        self._finished = False

    # ------------------------------------------------------------------ control
    def start(self) -> Transcriber:
        if self._started:
            return self
        self._started = True
        reader = threading.Thread(target=self._read, name="asr-reader", daemon=True)
        self._threads.append(reader)
        for ch in range(len(self.recognizers)):
            self._threads.append(
                threading.Thread(target=self._work, args=(ch,), name=f"asr-ch{ch}", daemon=True)
            )
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        """Stop reading; queued audio is still recognised and every channel is flushed."""
        self._stop.set()
        self.source.close()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the threads; ``True`` when all ended."""
        for t in self._threads:
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    @property
    def finished(self) -> bool:
        return self._finished

    def __enter__(self) -> Transcriber:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.join(timeout=10)

    # ------------------------------------------------------------------ consuming
    def events(self, timeout: float | None = None) -> Iterator[TranscriptEvent]:
        """Yield events until the input ends; re-raise errors from the threads.

        ``timeout`` (seconds without any event) raises :class:`TimeoutError`.
        """
        self.start()
        while not self._finished:
            try:
                item = self._out.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"No recognition event for {timeout} s") from None
            ev = self._handle(item)
            if ev is not None:
                yield ev

    def poll(self) -> list[TranscriptEvent]:
        """All events available now, without waiting (raises errors from the threads)."""
        self.start()
        out: list[TranscriptEvent] = []
        while not self._finished:
            try:
                item = self._out.get_nowait()
            except queue.Empty:
                break
            ev = self._handle(item)
            if ev is not None:
                out.append(ev)
        return out

    def run(self) -> list[TranscriptEvent]:
        """Process the whole source and return every event."""
        return list(self.events())

    def _handle(self, item: TranscriptEvent | _End | _Failure) -> TranscriptEvent | None:
        if isinstance(item, _End):
            self._finished = True
            return None
        if isinstance(item, _Failure):
            self._finished = True
            self.stop()
            err = item.error
            if isinstance(err, ASRError):
                raise err
            raise PipelineError(f"Speech recognition failed: {type(err).__name__}: {err}") from err
        return item

    # ------------------------------------------------------------------ threads
    def _fail(self, exc: BaseException) -> None:
        if not self._failed.is_set():
            self._failed.set()
            self._out.put(_Failure(exc))
        self._stop.set()
        self.source.close()

    def _put(self, ch: int, item: object) -> bool:
        q = self._inputs[ch]
        while True:
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                if self._failed.is_set() or self._done[ch]:
                    return False

    def _read(self) -> None:
        try:
            for chunk in self.source.chunks():
                if self.recorder is not None:
                    self.recorder.write_audio(chunk)
                if chunk.channel >= len(self._inputs):
                    continue
                if not self._put(chunk.channel, chunk) or self._failed.is_set():
                    break
                if self._stop.is_set():
                    break
        except BaseException as exc:
            self._fail(exc)
        finally:
            for ch in range(len(self._inputs)):
                self._put(ch, _SENTINEL)

    def _work(self, ch: int) -> None:
        rec = self.recognizers[ch]
        q = self._inputs[ch]
        try:
            while True:
                item = q.get()
                if item is _SENTINEL:
                    for ev in rec.flush():
                        self._publish(ev)
                    break
                if self._failed.is_set():
                    continue  # drain until the sentinel
                assert isinstance(item, AudioChunk)
                for ev in rec.accept(item):
                    self._publish(ev)
                self._progress(ch, item.t0 + item.duration)
        except BaseException as exc:
            self._fail(exc)
            while q.get() is not _SENTINEL:  # let the reader finish
                pass
        finally:
            with self._lock:
                self._done[ch] = True
                self._workers_left -= 1
                last = self._workers_left == 0
            if last:
                if self.on_progress is not None and not self._failed.is_set():
                    total = self.source.duration
                    try:
                        self.on_progress(
                            total if total is not None else max(self._processed), total
                        )
                    except BaseException as exc:
                        self._fail(exc)
                if self.recorder is not None:
                    self.recorder.mark_end()
                self._out.put(_End())

    def _publish(self, ev: TranscriptEvent) -> None:
        if self.recorder is not None:
            self.recorder.write_event(ev)
        if self.on_event is not None:
            self.on_event(ev)
        self._out.put(ev)

    def _progress(self, ch: int, t: float) -> None:
        if self.on_progress is None:
            return
        with self._lock:
            self._processed[ch] = t
            active = [p for p, d in zip(self._processed, self._done, strict=True) if not d]
            done = min(active) if active else max(self._processed)
            if done - self._last_progress < self.progress_interval:
                return
            self._last_progress = done
        self.on_progress(done, self.source.duration)


def transcribe_source(
    source: AudioSource,
    engine_factory: EngineFactory,
    channel_map: Sequence[str] = ("caller", "agent"),
    finals_only: bool = False,
) -> list[TranscriptEvent]:
    """Convenience: run ``source`` to the end and return its events (optionally finals only)."""
    events = Transcriber(source, engine_factory, channel_map).run()
    return [e for e in events if e.final] if finals_only else events
