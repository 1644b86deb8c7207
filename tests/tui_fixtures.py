"""Fakes and helpers for the TUI tests (fast tests; slow tests use the real engine)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from asr.events import Speaker, TranscriptEvent
from knowledge.catalogue import load_catalogue
from knowledge.types import Analysis, Evidence, Suggestion
from tui.screenshots import DEMO_SCRIPT

BEIJING = timezone(timedelta(hours=8))
FIXED_NOW = datetime(2025, 3, 5, 9, 30, tzinfo=BEIJING)


def fixed_clock() -> datetime:
    return FIXED_NOW


class FakeEngine:
    """Keyword-only stand-in for KnowledgeEngine: the real bundled catalogue, substring
    matching of leaf keywords in the caller's words. ``semantic_ready`` can be toggled."""

    def __init__(self, semantic_ready: bool = True) -> None:
        self.catalogue = load_catalogue()
        self.semantic_ready = semantic_ready
        self.scripts = None
        try:
            from knowledge.scripts import load_scripts

            self.scripts = load_scripts()
        except Exception:
            self.scripts = None

    def analyze(self, text: str, k: int = 5) -> Analysis:
        scored: list[Suggestion] = []
        for leaf in self.catalogue.leaves:
            hits = tuple(kw for kw in (leaf.name, *leaf.keywords) if kw and kw in text)
            if hits:
                scored.append(Suggestion(leaf, 0.5 + 0.1 * len(hits), Evidence(keywords=hits)))
        scored.sort(key=lambda s: (-s.score, s.leaf.id))
        emergency = any(w in text for w in ("着火", "起火", "煤气味", "燃气泄漏"))
        return Analysis(
            categories=tuple(scored[:k]),
            uncertain=not scored,
            verdict="refer" if emergency else "accept",
            channel="119" if emergency else None,
            reason=None,
            urgency="emergency" if emergency else "normal",
            emotion="angry" if "气死" in text else "calm",
            guidance="请立即转接119" if emergency else None,
            rule_id=None,
            semantic_ready=self.semantic_ready,
        )


SCRIPT = DEMO_SCRIPT


def scripted_events(
    script: list[tuple[Speaker, str, float, float]] = SCRIPT,
) -> list[TranscriptEvent]:
    """A partial then a final for each turn."""
    events: list[TranscriptEvent] = []
    for speaker, text, start, end in script:
        events.append(
            TranscriptEvent(
                speaker,
                text[: len(text) // 2],
                start,
                (start + end) / 2,
                final=False,
                engine="test",
            )
        )
        events.append(TranscriptEvent(speaker, text, start, end, final=True, engine="test"))
    return events


def write_events_jsonl(folder: Path, events: list[TranscriptEvent]) -> Path:
    """A real ``events.jsonl`` (asr.recording format) for the recording."""
    from asr.recording import SessionRecorder

    rec = SessionRecorder(folder, sample_rate=16000, channels=1, engine="test", model="script")
    for ev in events:
        rec.write_event(ev)
    rec.close()
    return folder / "events.jsonl"


async def wait_for(
    pilot: Any, predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition"
) -> float:
    """Poll ``predicate`` while letting the app run; returns the seconds it took."""
    t0 = time.perf_counter()
    while not predicate():
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)
        await asyncio.sleep(0)
    return time.perf_counter() - t0


async def wait_stable(pilot: Any, rounds: int = 3, timeout: float = 20.0) -> None:
    """Wait until the rendered screen stops changing (``rounds`` equal frames in a row),
    so a snapshot never catches a late worker result or layout pass half-way."""
    t0 = time.perf_counter()
    last, same = None, 0
    while same < rounds:
        await pilot.pause(0.1)
        frame = pilot.app.export_screenshot()
        same = same + 1 if frame == last else 0
        last = frame
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"the screen kept changing for {timeout}s")


_ENGINE: Any = None


def lexical_engine() -> Any:
    """The real KnowledgeEngine without embeddings (catalogue, rules, scripts, BM25):
    loaded once per test run."""
    global _ENGINE
    if _ENGINE is None:
        from knowledge.engine import KnowledgeEngine

        _ENGINE = KnowledgeEngine.create(embedding_backend="none", load_in_background=False)
    return _ENGINE


class KeyCounter:
    """Wraps ``pilot.press`` and counts the keystrokes a user would type."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.keys: list[str] = []

    async def press(self, *keys: str) -> None:
        self.keys.extend(keys)
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        await self.press(*text)


@pytest.fixture()
def anyio_backend() -> str:
    """Pilot tests run on asyncio (through anyio's pytest plugin, installed with httpx)."""
    return "asyncio"
