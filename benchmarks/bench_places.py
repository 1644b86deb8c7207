"""Place gazetteer: load time (cold parse and disk cache) and snap latency per caller turn,
plus the address figures of the address dev set and of whole calls.

Latency: every caller turn of the whole-call dev set's heard variant
(``tests/data/calls_devset/heard.jsonl``) through :func:`knowledge.places.snap_places` and
through the whole address extractor; target p95 <= 20 ms a turn.

Address figures (``python -m benchmarks places``):

* ``tests/data/fields_devset/addresses.jsonl`` per split: clean text -> whole address right
  (numbers and 幢/栋/号楼 compared alike), heard text -> district and street right;
  negatives -> no address;
* whole calls: the address the call's fields end with, clean turns -> whole address,
  heard turns -> district and street right (``calls_devset`` per split, and the shared
  calls of ``$HOTLINE_BENCH_SHARED_CALLS`` when set).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADDRESSES = ROOT / "tests" / "data" / "fields_devset" / "addresses.jsonl"
CALLS = ROOT / "tests" / "data" / "calls_devset"


def _key(text: str | None) -> str:
    """The project's address comparison (numbers and 幢/栋/号楼 alike, punctuation off)."""
    from assistant.qa.trainee import norm_address

    return norm_address(text or "")


def _admin(text: str) -> tuple[str, str]:
    from assistant.extract import address_parts

    p = address_parts(text or "")
    return p.get("district", ""), p.get("street", "")


def _admin_right(gold: str, fv: Any) -> bool:
    gd, gs = _admin(gold)
    if fv is None:
        return False
    if not (gd or gs):  # no division named: the whole address
        return _key(fv.value) == _key(gold)
    pd, ps = fv.extra.get("district", ""), fv.extra.get("street", "")
    return (not gd or gd == pd) and (not gs or gs == ps) and bool(gd or gs)


def address_devset(path: Path = ADDRESSES) -> list[dict[str, Any]]:
    """Rows: split, clean whole-address accuracy, heard district+street, negatives clean."""
    from assistant.extract import extract_address

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    out = []
    for split in ("tune", "report"):
        pos = [r for r in rows if r["split"] == split and r["address"]]
        neg = [r for r in rows if r["split"] == split and not r["address"]]
        clean = sum(
            _key(getattr(extract_address(r["text"]), "value", "")) == _key(r["address"])
            for r in pos
        )
        heard = [r for r in pos if r.get("heard")]
        admin = sum(_admin_right(r["address"], extract_address(r["heard"])) for r in heard)
        neg_ok = sum(extract_address(r["text"]) is None for r in neg)
        out.append(
            {
                "set": f"addresses.jsonl {split}",
                "clean address": f"{clean}/{len(pos)} = {clean / max(len(pos), 1):.2f}",
                "heard district+street": f"{admin}/{len(heard)} = {admin / max(len(heard), 1):.2f}",
                "negatives without address": f"{neg_ok}/{len(neg)}",
            }
        )
    return out


def _call_address(turns: list[dict[str, Any]]) -> Any:
    from assistant.core.fields import CallFields

    f = CallFields()
    start = datetime(2024, 5, 1, 9, 0)
    for k, t in enumerate(turns):
        if t["speaker"] == "agent":
            f.on_agent(t["text"], float(k))
        else:
            f.on_caller(t["text"], float(k), start)
    return f.public().get("address")


def calls_figures() -> list[dict[str, Any]]:
    """Whole calls: clean whole address and heard district+street, per set and split."""
    sets: list[tuple[str, Path, Path]] = [
        ("calls_devset", CALLS / "calls.jsonl", CALLS / "heard.jsonl")
    ]
    shared = os.environ.get("HOTLINE_BENCH_SHARED_CALLS")
    if shared:
        sets.append(
            (
                "shared calls",
                Path(shared) / "calls.jsonl",
                Path(shared) / "calls_heard_whisper_base.jsonl",
            )
        )
    out = []
    for name, calls_path, heard_path in sets:
        calls = [json.loads(x) for x in calls_path.read_text(encoding="utf-8").splitlines() if x]
        heard = {
            d["id"]: d
            for d in (
                json.loads(x) for x in heard_path.read_text(encoding="utf-8").splitlines() if x
            )
        }
        for split in sorted({c.get("split", "all") for c in calls}):
            group = [
                c for c in calls if c.get("split", "all") == split and c["ticket"].get("address")
            ]
            clean = sum(
                _key(getattr(_call_address(c["turns"]), "value", ""))
                == _key(c["ticket"]["address"])
                for c in group
            )
            hg = [c for c in group if c["id"] in heard]
            admin = sum(
                _admin_right(c["ticket"]["address"], _call_address(heard[c["id"]]["turns"]))
                for c in hg
            )
            out.append(
                {
                    "set": f"{name} {split}",
                    "clean address": f"{clean}/{len(group)} = {clean / max(len(group), 1):.2f}",
                    "heard district+street": f"{admin}/{len(hg)} = {admin / max(len(hg), 1):.2f}",
                }
            )
    return out


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def latency() -> list[dict[str, Any]]:
    from assistant.extract import extract_address
    from knowledge.places import Gazetteer, snap_places

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cold = Gazetteer.load(cache_dir=Path(tmp))
        warm = Gazetteer.load(cache_dir=Path(tmp))
    rows.append(
        {
            "measure": "gazetteer load, no cache (parse jionlp)",
            "value": cold.load_seconds * 1000,
            "unit": "ms",
            "entries": len(cold),
        }
    )
    rows.append(
        {
            "measure": "gazetteer load, from disk cache",
            "value": warm.load_seconds * 1000,
            "unit": "ms",
            "entries": len(warm),
        }
    )
    turns = [
        t["text"]
        for line in (CALLS / "heard.jsonl").read_text(encoding="utf-8").splitlines()
        if line
        for t in json.loads(line)["turns"]
        if t["speaker"] == "caller"
    ]
    for label, fn in (
        ("snap_places", lambda t: snap_places(warm, t)),
        ("extract_address (snap + parse)", extract_address),
    ):
        fn(turns[0])
        lat = []
        for t in turns:
            t0 = time.perf_counter()
            fn(t)
            lat.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "measure": f"{label} p50 per turn",
                "value": _pct(lat, 50),
                "unit": "ms",
                "entries": len(lat),
            }
        )
        rows.append(
            {
                "measure": f"{label} p95 per turn (target <= 20)",
                "value": _pct(lat, 95),
                "unit": "ms",
                "entries": len(lat),
            }
        )
    return rows


def run() -> list[dict[str, Any]]:
    return [*latency(), *address_devset(), *calls_figures()]


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
