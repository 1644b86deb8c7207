"""AppContext: the services one HotlineApp uses (injected in tests, built from settings otherwise).

Heavy objects (knowledge engine, ticket store, speech engine) are built lazily and only
from worker threads: :meth:`AppContext.load_engine` and :meth:`AppContext.get_store` may
take seconds and must never run on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.store import TicketStore
    from knowledge.engine import KnowledgeEngine

Clock = Callable[[], datetime]

AsrFactory = Callable[..., Any]
"""``asr_factory(settings, source)`` -> an :class:`tui.feeds.EventFeed`; ``source`` is None for
the microphone or a Path of an audio file / saved session (practice)."""


def system_clock() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


@dataclass
class AppContext:
    settings: Settings
    clock: Clock = system_clock
    engine: KnowledgeEngine | None = None  # (tests inject a keyword-only stand-in)
    store: TicketStore | None = None
    asr_factory: AsrFactory | None = None
    deterministic: bool = False  # snapshots: no ticking timers, no blinking cursor
    engine_error: str | None = None
    _engine_ready: threading.Event = field(default_factory=threading.Event)
    _engine_lock: threading.Lock = field(default_factory=threading.Lock)
    _store_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.engine is not None:
            self._engine_ready.set()

    # ---- knowledge engine ------------------------------------------------------------
    @property
    def engine_ready(self) -> bool:
        return self._engine_ready.is_set()

    def load_engine(self) -> KnowledgeEngine | None:
        """Build the knowledge engine (worker thread). Keyword search works right after;
        the embedding model keeps loading in the background inside the engine."""
        with self._engine_lock:
            if self.engine is None and self.engine_error is None:
                try:
                    from assistant.services import build_engine

                    self.engine = build_engine(self.settings, load_in_background=True)
                except BaseException as exc:
                    self.engine_error = f"{type(exc).__name__}: {exc}"
                    self._engine_ready.set()
                    raise
            self._engine_ready.set()
            return self.engine

    def wait_engine(self, timeout: float | None = None) -> KnowledgeEngine | None:
        """The engine once loaded (blocks the calling worker thread, not the UI)."""
        if not self._engine_ready.wait(timeout):
            return None
        return self.engine

    # ---- ticket store ------------------------------------------------------------------
    def get_store(self) -> TicketStore:
        with self._store_lock:
            if self.store is None:
                from assistant.services import open_store

                self.store = open_store(self.settings)
            return self.store

    # ---- paths -------------------------------------------------------------------------
    @property
    def sessions_dir(self) -> Path:
        return self.settings.effective_recordings_dir
