"""JSON Lines: the one writer and the one reader of every ``*.jsonl`` file the project keeps.

Recordings (``events.jsonl``), session files (``suggestions.jsonl``), the crash journal
(``*.draft.jsonl``) and ``hotline analyze`` output all go through here, so they share one
line layout and one answer to the question every crash-safe log must answer: what to do
with a line that a crash cut in half.

It lives at the bottom layer (in ``asr``) because the recorder, the lowest writer of such
files, is here; ``assistant`` uses it from above. It imports nothing of the project.

* :func:`dumps_line` — one object as one line (UTF-8 kept as is, ``\\n`` at the end);
  ``compact=True`` drops the spaces after ``,`` and ``:`` (the journal's layout).
* :class:`JsonlWriter` — appends lines to an open text file, flushing each, with an
  optional ``fsync``.
* :func:`read_lines` — every non-blank line of a file as a :class:`JsonlLine`: its
  1-based number, the parsed value or the parse error, and whether it is the file's last
  non-blank line (where a torn write after a crash is expected rather than corruption).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["JsonlLine", "JsonlWriter", "dumps_line", "parse_lines", "read_lines"]


def dumps_line(obj: Any, *, compact: bool = False) -> str:
    """``obj`` as one JSON Lines line, non-ASCII text kept readable."""
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(obj, ensure_ascii=False) + "\n"


class JsonlWriter:
    """Append JSON Lines to ``fh``; each line is flushed (and fsync'd when asked)."""

    def __init__(self, fh: TextIO, *, compact: bool = False) -> None:
        self.fh = fh
        self.compact = compact

    def write(self, obj: Any, *, sync: bool = False) -> None:
        self.fh.write(dumps_line(obj, compact=self.compact))
        self.fh.flush()
        if sync:
            os.fsync(self.fh.fileno())

    @property
    def closed(self) -> bool:
        return self.fh.closed

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


@dataclass(frozen=True)
class JsonlLine:
    """One non-blank line of a JSON Lines file."""

    number: int
    """1-based line number in the file."""
    value: Any
    """The parsed JSON value (``None`` when ``error`` is set)."""
    error: json.JSONDecodeError | None
    """Why the line is not JSON, or ``None``."""
    last: bool
    """The file's last non-blank line: a torn write there is a crash, not corruption."""


def parse_lines(lines: list[str]) -> Iterator[JsonlLine]:
    """:class:`JsonlLine` for each non-blank entry of ``lines`` (already split)."""
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            yield JsonlLine(i + 1, json.loads(line), None, i == last)
        except json.JSONDecodeError as exc:
            yield JsonlLine(i + 1, None, exc, i == last)


def read_lines(path: str | Path) -> Iterator[JsonlLine]:
    """Every non-blank line of the UTF-8 file ``path``.

    Raises ``OSError`` / ``UnicodeDecodeError`` from reading; the caller words those for
    its own file kind.
    """
    text = Path(path).read_text(encoding="utf-8")
    yield from parse_lines(text.splitlines())
