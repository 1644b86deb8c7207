"""SessionRunner: every CallSession mutation runs on one background thread, in order.

The UI thread never waits for an analysis: it enqueues work (``feed``, ``set_field``...)
and gets each resulting :class:`~assistant.core.state.SessionState` back through ``on_state``
(called on the runner thread; the screen forwards it with ``post_message``).
Nothing here imports textual.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.core.state import SessionState

if TYPE_CHECKING:
    from assistant.core.session import CallSession

Job = Callable[["CallSession"], Any]


class SessionRunner:
    """Owns one session object; applies jobs to it on a private thread."""

    def __init__(
        self,
        session_factory: Callable[[], CallSession],
        on_state: Callable[[SessionState], object],
        on_error: Callable[[BaseException], object],
        on_ready: Callable[[CallSession], object] | None = None,
    ) -> None:
        self._factory = session_factory
        self._on_state = on_state
        self._on_error = on_error
        self._on_ready = on_ready
        self._jobs: queue.Queue[tuple[Job, bool] | None] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self.session: CallSession | None = None
        self._thread = threading.Thread(target=self._run, name="hotline-session", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._jobs.put(None)

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued job ran (for worker threads and tests, not the UI)."""
        return self._idle.wait(timeout)

    def submit(self, job: Job, *, publish: bool = True) -> None:
        """Queue ``job(session)``; when ``publish`` the new state goes to ``on_state``."""
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._jobs.put((job, publish))

    def barrier(
        self, loop: asyncio.AbstractEventLoop | None = None
    ) -> asyncio.Future[SessionState | None]:
        """A future resolved (on ``loop``) with the session state once queued jobs ran."""
        loop = loop or asyncio.get_running_loop()
        fut: asyncio.Future[SessionState | None] = loop.create_future()

        def job(session: CallSession | None) -> None:
            state = session.state if session is not None else None

            def resolve() -> None:
                if not fut.done():
                    fut.set_result(state)

            loop.call_soon_threadsafe(resolve)

        self.submit(job, publish=False)
        return fut

    def _run(self) -> None:
        try:
            self.session = self._factory()
            if self._on_ready is not None:
                self._on_ready(self.session)
        except BaseException as exc:
            self._on_error(exc)
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, publish = item
            try:
                if self.session is None and publish:
                    continue  # the session could not be created; the error was reported
                # (only an unpublished job, the barrier, runs without a session)
                result = job(self.session)  # type: ignore[arg-type]
                if publish and self.session is not None:
                    state = result if isinstance(result, SessionState) else self.session.state
                    self._on_state(state)
            except BaseException as exc:
                self._on_error(exc)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()
