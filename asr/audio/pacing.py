"""THE pacing clock: wait until audio time ``t`` on a wall clock, with pause / resume / seek.

:class:`Pacer` is the one implementation of a media position driven by a monotonic clock.
File sources use it to release audio at wall-clock speed (practice sessions, live-like
demos); the TUI's replay feed reads its position; :func:`paced` yields recorded items at
the pace they happened (``hotline replay``, :func:`asr.recording.replay_events`).
Imports nothing heavy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["Pacer", "paced"]

T = TypeVar("T")


class Pacer:
    """A pausable, seekable audio position (seconds) on a wall clock, ``speed`` x real time.

    File sources (practice sessions, live-like demos) call :meth:`wait_until` with the END
    time of each block, so a block is released when it would have been fully spoken, exactly
    like a microphone delivers it; they pick up seeks with :meth:`take_seek`. Readers that
    poll the position (the TUI's replay feed) use :attr:`position` and
    :meth:`set_position`. The controller side (UI thread) may call :meth:`pause`,
    :meth:`resume`, :meth:`seek` at any time; all methods are thread-safe.

    A seek is a discontinuity: the source restarts at the new position and the
    recogniser finalises the utterance in progress (see ``VoskRecognizer``); after a
    backward seek, event times go back to the new position.
    """

    def __init__(
        self,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._clock = clock
        self._cond = threading.Condition()
        self._paused = False
        self._closed = False
        self._anchor_wall: float | None = None
        self._anchor_pos = 0.0
        self._seek_to: float | None = None

    # -- controller API
    @property
    def position(self) -> float:
        """Current playback position in audio seconds."""
        with self._cond:
            return self._position_locked()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def started(self) -> bool:
        """Whether the wall clock has been anchored (:meth:`start` or the first wait)."""
        return self._anchor_wall is not None

    def pause(self) -> None:
        with self._cond:
            if not self._paused:
                self._anchor_pos = self._position_locked()
                self._paused = True
                self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            if self._paused:
                self._paused = False
                self._anchor_wall = self._clock()
                self._cond.notify_all()

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` (clamped at 0); the source picks it up at its next block."""
        with self._cond:
            self._seek_to = self._move_locked(seconds)
            self._cond.notify_all()

    def set_position(self, seconds: float) -> None:
        """Move to ``seconds`` (clamped at 0) without signalling a seek to a source: for
        readers that poll :attr:`position`. Paused stays paused."""
        with self._cond:
            self._move_locked(seconds)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wall_time_of(self, audio_t: float) -> float:
        """The clock time at which audio time ``audio_t`` is (or was) played, since the last anchor."""
        with self._cond:
            anchor = self._anchor_wall if self._anchor_wall is not None else self._clock()
            return anchor + (audio_t - self._anchor_pos) / self.speed

    # -- source API
    def start(self) -> None:
        with self._cond:
            if self._anchor_wall is None:
                self._anchor_wall = self._clock()

    def take_seek(self) -> float | None:
        with self._cond:
            target, self._seek_to = self._seek_to, None
            return target

    def wait_until(self, audio_t: float) -> bool:
        """Block until playback reaches ``audio_t``.

        Returns ``False`` early when a seek is pending or the pacer was closed (the
        caller should then discard the block and check :meth:`take_seek`).
        """
        with self._cond:
            if self._anchor_wall is None:
                self._anchor_wall = self._clock()
            while True:
                if self._closed or self._seek_to is not None:
                    return False
                if not self._paused:
                    remaining = (audio_t - self._position_locked()) / self.speed
                    if remaining <= 0:
                        return True
                    self._cond.wait(timeout=min(remaining, 0.25))
                else:
                    self._cond.wait(timeout=0.25)

    def _move_locked(self, seconds: float) -> float:
        target = max(0.0, float(seconds))
        self._anchor_pos = target
        self._anchor_wall = self._clock()
        return target

    def _position_locked(self) -> float:
        if self._paused or self._anchor_wall is None:
            return self._anchor_pos
        return self._anchor_pos + (self._clock() - self._anchor_wall) * self.speed


def paced(
    items: Iterable[T],
    time_of: Callable[[T], float],
    *,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] | None = None,
) -> Iterator[T]:
    """Yield ``items`` (in time order), each once a :class:`Pacer` reaches ``time_of(item)``.

    Waits with ``sleep`` (injectable for tests). ``clock``: the wall clock (time spent by
    the consumer counts); ``None`` = a clock that only the sleeps advance (the consumer's
    own time is not counted, e.g. printing a replay).
    """
    slept = [0.0]
    wall: Callable[[], float]
    wait: Callable[[float], None]
    if clock is None:

        def nap(seconds: float) -> None:
            sleep(seconds)
            slept[0] += seconds

        wall, wait = (lambda: slept[0]), nap
    else:
        wall, wait = clock, sleep
    pacer = Pacer(speed, clock=wall)
    pacer.start()
    for item in items:
        delay = pacer.wall_time_of(time_of(item)) - wall()
        if delay > 0:
            wait(delay)
        yield item
