"""Ticket-field scoring (issue 16): the caller's name, phone and address.

Three sources, each with a clean and a recognised ("heard") variant and a tune / report split:

* the single-sentence dev set ``tests/data/fields_devset/sentences.jsonl`` (one caller
  sentence, its gold value, ``variant`` clean or heard) scored by the extractors alone;
* whole calls — ``tests/data/fields_devset/calls.jsonl`` (short name / phone dialogues) and
  ``tests/data/calls_devset`` (``calls.jsonl`` clean, ``heard.jsonl`` what Whisper base heard)
  — replayed turn by turn through :class:`~assistant.core.fields.CallFields`, the field logic
  of a live session, and the final name / phone / address compared with the ticket;
* when ``HOTLINE_CALLS_DIR`` (or ``../shared/calls``) exists, its 20 calls: the clean
  transcript against what Whisper base heard of the telephone audio (read in place).

Comparisons: phone digits exactly; the name without a title (钱先生 -> 钱) exactly; the
address after folding numbers and 幢 / 栋 / 号楼 alike and dropping the province / city;
``address d+s``: the gold's district and street both in the value.

Run: ``hotline eval-fields`` or ``python -m assistant.evaluation.fields [FILE.jsonl]``.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.extract import extract_address, extract_name, extract_phone

__all__ = [
    "FIELDS_DEVSET_DIR",
    "FieldScores",
    "call_values",
    "field_table",
    "format_table",
    "predict",
    "score_calls",
    "score_file",
    "shared_calls_dir",
]

_ROOT = Path(__file__).resolve().parents[2]
FIELDS_DEVSET_DIR = _ROOT / "tests" / "data" / "fields_devset"
CALLS_DEVSET_DIR = _ROOT / "tests" / "data" / "calls_devset"
METRICS = ("phone", "name", "address", "address_ds", "address_neg")
_LABELS = {
    "phone": "phone exact",
    "name": "name",
    "address": "address",
    "address_ds": "address d+s",
    "address_neg": "no address on negatives",
}
_TITLE_RE = re.compile(r"(先生|女士|小姐|阿姨|大姐|大爷|大哥|师傅|老师|同志)$")
_TURN_GAP = 4.0  # s between scripted turns, as in assistant.core.replay


def predict(row: dict[str, Any]) -> str:
    """The extractor's value for one dev row ("" when it found nothing or only a fragment)."""
    text, fld = row["text"], row["field"]
    if fld == "name":
        fv = extract_name(text, asked=bool(row.get("asked")))
    elif fld == "phone":
        fv = extract_phone(text)
        if fv is not None and fv.extra.get("complete") == "false":
            fv = None
    else:
        fv = extract_address(text)
    return fv.value if fv is not None else ""


def name_key(value: str | None) -> str:
    """A name as compared: without a title (钱先生 -> 钱) or spaces."""
    return _TITLE_RE.sub("", re.sub(r"\s", "", value or ""))


def address_key(value: str | None) -> str:
    """An address as compared: the project's one address comparison
    (:func:`assistant.qa.trainee.norm_address`: numbers and 幢 / 栋 / 号楼 alike, no
    punctuation)."""
    from assistant.qa.trainee import norm_address

    return norm_address(value or "")


def district_street(value: str) -> tuple[str, str]:
    """The district / county and the street / town of an address key ("" when absent)."""
    d = re.search(r"[\u4e00-\u9fff]{1,5}?(?:区|县)", value)
    s = re.search(r"[\u4e00-\u9fff]{1,6}?(?:街道|镇|乡)", value[d.end() :] if d else value)
    return (d.group(0) if d else "", s.group(0) if s else "")


@dataclass
class FieldScores:
    """(right, total) per metric."""

    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, metric: str, ok: bool) -> None:
        cell = self.counts[metric]
        cell[0] += bool(ok)
        cell[1] += 1

    def cell(self, metric: str) -> str:
        ok, n = self.counts.get(metric, [0, 0])
        return "—" if not n else f"{ok / n:.2f} ({ok}/{n})"

    def rate(self, metric: str) -> float | None:
        ok, n = self.counts.get(metric, [0, 0])
        return ok / n if n else None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc


def _expand(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the address file (``{"text", "heard", "address"}``: gold address or null for a
    negative) as sentence rows: the clean text, and the heard text as variant ``heard``."""
    if "field" in row or "address" not in row:
        return [row]
    base = {**row, "field": "address", "gold": row["address"] or ""}
    out = [base]
    if row.get("heard"):
        out.append({**base, "text": row["heard"], "variant": "heard"})
    return out


def score_sentences(path: Path | str) -> dict[tuple[str, str], FieldScores]:
    """(variant, split) -> scores of a sentence file; rows are validated (file:line: field)."""
    path = Path(path)
    out: dict[tuple[str, str], FieldScores] = defaultdict(FieldScores)
    for n, row in ((n, r) for n, raw in _rows(path) for r in _expand(raw)):
        for key in ("id", "split", "field", "text", "gold"):
            if key not in row:
                raise ValueError(f"{path}:{n}: field {key!r} is missing")
        if row["field"] not in ("name", "phone", "address"):
            raise ValueError(f"{path}:{n}: field 'field' must be name, phone or address")
        if row["split"] not in ("tune", "report"):
            raise ValueError(f"{path}:{n}: field 'split' must be tune or report")
        scores = out[(str(row.get("variant", "clean")), row["split"])]
        got, gold = predict(row), row["gold"]
        if row["field"] == "address":
            if gold == "":
                scores.add("address_neg", got == "")
            else:
                scores.add("address", address_key(got) == address_key(gold))
                d, s = district_street(address_key(gold))
                scores.add("address_ds", bool(d and s) and d in got and s in got)
        elif row["field"] == "name":
            scores.add("name", name_key(got) == name_key(gold))
        else:
            scores.add("phone", got == gold)
    return dict(out)


def score_file(path: Path | str) -> dict[tuple[str, str], tuple[int, int]]:
    """(field, split) -> (right, total) over all variants (``address-neg`` for negatives)."""
    total: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    names = {"address_neg": "address-neg"}
    for (_variant, split), scores in score_sentences(path).items():
        for metric, (ok, n) in scores.counts.items():
            if metric != "address_ds":
                cell = total[(names.get(metric, metric), split)]
                cell[0] += ok
                cell[1] += n
    return {k: (v[0], v[1]) for k, v in sorted(total.items())}


def call_values(turns: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Replay a call's turns through the live field logic; the final name / phone / address."""
    from datetime import UTC, datetime

    from assistant.core.fields import CallFields

    fields = CallFields()
    t0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    t = 0.0
    for turn in turns:
        text = str(turn.get("text") or "").strip()
        if text:
            if turn.get("speaker") == "agent":
                fields.on_agent(text, t + 3.0)
            else:
                fields.on_caller(text, t, t0)
        t += _TURN_GAP
    out = {}
    for name in ("name", "phone", "address"):
        fv = fields.values.get(name)
        complete = fv is not None and fv.extra.get("complete") != "false"
        out[name] = fv.value if fv is not None and complete else ""
    return out


def _score_call(scores: FieldScores, got: dict[str, str], gold: dict[str, Any]) -> None:
    if gold.get("phone"):
        scores.add("phone", re.sub(r"\D", "", got["phone"]) == re.sub(r"\D", "", gold["phone"]))
    if gold.get("name"):
        scores.add("name", name_key(got["name"]) == name_key(gold["name"]))
    if gold.get("address"):
        key, gold_key = address_key(got["address"]), address_key(gold["address"])
        scores.add("address", key == gold_key)
        d, s = district_street(gold_key)
        if d and s:
            scores.add("address_ds", d in key and s in key)


def score_calls(
    calls: list[dict[str, Any]], *, gold_key: str = "ticket"
) -> dict[tuple[str, str], FieldScores]:
    """(variant, split) -> scores of whole calls (``variant`` / ``split`` default clean / all)."""
    out: dict[tuple[str, str], FieldScores] = defaultdict(FieldScores)
    for call in calls:
        gold = call.get(gold_key) or {}
        scores = out[(str(call.get("variant", "clean")), str(call.get("split", "all")))]
        _score_call(scores, call_values(call["turns"]), gold)
    return dict(out)


def _load_calls(path: Path, *, need: tuple[str, ...] = ("id", "turns")) -> list[dict[str, Any]]:
    out = []
    for n, row in _rows(path):
        for key in need:
            if key not in row:
                raise ValueError(f"{path}:{n}: field {key!r} is missing")
        if not isinstance(row["turns"], list):
            raise ValueError(f"{path}:{n}: field 'turns' must be a list")
        out.append(row)
    return out


def _heard(clean: list[dict[str, Any]], heard_path: Path, *, keep_split: bool) -> list[Any]:
    by_id = {str(r["id"]): r for r in clean}
    out = []
    for row in _load_calls(heard_path):
        src = by_id.get(str(row["id"]))
        if src is not None and row["turns"]:
            split = src.get("split", "all") if keep_split else "all"
            out.append(dict(src, turns=row["turns"], variant="heard", split=split))
    return out


def shared_calls_dir() -> Path | None:
    """``HOTLINE_CALLS_DIR`` or ``../shared/calls`` beside the repository, when present."""
    env = os.environ.get("HOTLINE_CALLS_DIR")
    beside = [
        p / "shared" / "calls" for p in (_ROOT.parent, _ROOT.parent.parent, Path.cwd().parent)
    ]
    for cand in ([Path(env)] if env else []) + beside:
        if (cand / "calls.jsonl").is_file():
            return cand
    return None


def _sentence_files() -> list[Path]:
    """The dev set's sentence files (``sentences.jsonl`` first, then e.g. ``addresses.jsonl``)."""
    files = sorted(p for p in FIELDS_DEVSET_DIR.glob("*.jsonl") if p.name != "calls.jsonl")
    return sorted(files, key=lambda p: p.name != "sentences.jsonl")


Table = list[tuple[str, str, str, FieldScores]]  # (data set, variant, split, scores)


def field_table(
    sentences: Path | None = None,
    *,
    calls: bool = True,
    shared: Path | bool | None = True,
) -> Table:
    """The rows of the fields table: every data set, variant and split available."""
    rows: Table = []
    paths = [sentences] if sentences else _sentence_files()
    for path in paths:
        for (variant, split), sc in sorted(score_sentences(path).items()):
            rows.append((f"sentences ({path.name})", variant, split, sc))
    if not calls:
        return rows
    own = FIELDS_DEVSET_DIR / "calls.jsonl"
    if own.is_file():
        for (variant, split), sc in sorted(score_calls(_load_calls(own), gold_key="gold").items()):
            rows.append(("fields_devset calls", variant, split, sc))
    dev = _load_calls(CALLS_DEVSET_DIR / "calls.jsonl")
    sets = dev + _heard(dev, CALLS_DEVSET_DIR / "heard.jsonl", keep_split=True)
    for (variant, split), sc in sorted(score_calls(sets).items()):
        rows.append(("calls_devset", variant, split, sc))
    where = shared_calls_dir() if shared is True else (shared or None)
    if isinstance(where, Path):
        clean = _load_calls(where / "calls.jsonl")
        heard = where / "calls_heard_whisper_base.jsonl"
        both = clean + (_heard(clean, heard, keep_split=False) if heard.is_file() else [])
        for (variant, split), sc in sorted(score_calls(both).items()):
            rows.append(("shared calls (held out)", variant, split, sc))
    return rows


def format_table(rows: Table) -> str:
    """The table as fixed-width text (one line per data set / variant / split)."""
    head = ["data", "text", "split", *(_LABELS[m] for m in METRICS)]
    body = [[d, v, s, *(sc.cell(m) for m in METRICS)] for d, v, s, sc in rows]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *body]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


if __name__ == "__main__":  # pragma: no cover - CLI
    import sys

    arg = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(format_table(field_table(arg)))
