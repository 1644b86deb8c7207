"""The input side of ``hotline analyze``: bytes -> lines -> records, with limits.

Any input bytes are accepted: each line is decoded on its own (bad UTF-8 is an error for that
line, not for the file), parsed as strict JSON (``NaN`` / ``Infinity`` and numbers that
overflow to infinity are refused, so the output stays standard JSON), and checked against
the caps below before anything is analysed, so one hostile line costs milliseconds and
cannot end the batch (deep nesting, a 5 MB line, 32k-character text, thousands of turns).
Every refusal is a :class:`~assistant.errors.BatchRecordError` whose message names the limit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import IO, Any

from assistant.errors import BatchRecordError

MAX_LINE_BYTES = 1 << 20  # one input line (a 300-turn call of long turns fits)
MAX_TEXT_CHARS = 2000  # one caller text or one turn (cost grows faster than linearly)
MAX_TURNS = 300  # turns of one whole call
MAX_DEPTH = 8  # nesting of objects / arrays ({"turns": [{...}]} is 3)

_CHUNK = 1 << 16


def iter_lines(fh: IO[bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    """``(line_no, text, error)`` for each line of a binary stream (1-based, blank lines
    included). ``text`` is the decoded line without its end-of-line; it is None when the
    line is not UTF-8 or is longer than :data:`MAX_LINE_BYTES`, and ``error`` says which.
    A UTF-8 byte-order mark at the start is dropped; an over-long line is skipped in chunks,
    never held whole."""
    n = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        n += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(_CHUNK)
            yield n, None, f"line is longer than {MAX_LINE_BYTES} bytes"
            continue
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        try:
            yield n, raw.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            yield n, None, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"


def _refuse_constant(name: str) -> Any:
    raise BatchRecordError(f"{name} is not standard JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BatchRecordError(f"number {text[:20]} is not finite")
    return value


def _depth(value: Any) -> int:
    """Nesting depth of a parsed value (iterative: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                children = item.values() if isinstance(item, dict) else item
                stack.extend((c, d + 1) for c in children)
    return deepest


def parse_record(line: str) -> dict[str, Any]:
    """One input line as a record; raises :class:`BatchRecordError` saying why not."""
    try:
        record = json.loads(line, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BatchRecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BatchRecordError(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(record, dict):
        raise BatchRecordError('each line must be a JSON object like {"id": ..., "text": ...}')
    if _depth(record) > MAX_DEPTH:
        raise BatchRecordError(f"nested deeper than {MAX_DEPTH} levels")
    check_caps(record)
    return record


def check_caps(record: dict[str, Any]) -> None:
    """Refuse a record over :data:`MAX_TEXT_CHARS` / :data:`MAX_TURNS`."""
    text = record.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise BatchRecordError(
            f"field 'text' has {len(text)} characters; at most {MAX_TEXT_CHARS} are analysed "
            "(split the text into several records or turns)"
        )
    turns = record.get("turns")
    if isinstance(turns, list):
        if len(turns) > MAX_TURNS:
            raise BatchRecordError(f"{len(turns)} turns; at most {MAX_TURNS} per call")
        for i, turn in enumerate(turns):
            t = turn.get("text") if isinstance(turn, dict) else None
            if isinstance(t, str) and len(t) > MAX_TEXT_CHARS:
                raise BatchRecordError(
                    f"turn {i} text has {len(t)} characters; at most {MAX_TEXT_CHARS}"
                )
