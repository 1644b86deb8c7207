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
* :class:`JsonlAppender` — appends whole lines to a binary file for crash journals: each
  line is encoded first and written in one go; when the disk fills up part-way the file is
  cut back to where the line began, so it never holds half a line (or half a character).
* :func:`read_lines` — every non-blank line of a file as a :class:`JsonlLine`: its
  1-based number, the parsed value or the parse error, and whether it is the file's last
  non-blank line (where a torn write after a crash is expected rather than corruption).
  Lines are split on ``\n`` and decoded one by one, so invalid UTF-8 (a torn character,
  a block of garbage) spoils only its own line.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

__all__ = [
    "JsonlAppender",
    "JsonlLine",
    "JsonlWriter",
    "dumps_line",
    "parse_bytes",
    "parse_lines",
    "read_lines",
]


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


class JsonlAppender:
    """Append JSON Lines to the binary file ``fh`` (opened ``a+b``: appending, and reading
    for :meth:`repair_tail`), whole lines only.

    Each line is encoded to UTF-8 first and written with ``os.write`` (looping over short
    writes, bypassing any buffer); if a write fails part-way (disk full, quota), the file is
    truncated back to where the line started and the ``OSError`` is raised, so the file
    always ends with a complete line. :meth:`repair_tail` cuts off a torn last line left by
    an earlier crash before appending to it again.
    """

    def __init__(self, fh: BinaryIO, *, compact: bool = False) -> None:
        self.fh = fh
        self.compact = compact

    def repair_tail(self) -> int:
        """Cut the file back to its last complete line; returns how many bytes were cut."""
        fd = self.fh.fileno()
        size = os.fstat(fd).st_size
        if size == 0:
            return 0
        block = 1 << 16
        end = size
        while end > 0:
            start = max(0, end - block)
            chunk = os.pread(fd, end - start, start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            end = start
        else:
            keep = 0
        if keep != size:
            os.ftruncate(fd, keep)
        return size - keep

    def write(self, obj: Any, *, sync: bool = False) -> None:
        data = dumps_line(obj, compact=self.compact).encode("utf-8")
        fd = self.fh.fileno()
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if sync:
                os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)  # never leave half a line behind
            raise

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
    error: ValueError | None
    """Why the line is not JSON (a ``json.JSONDecodeError``, or a ``UnicodeDecodeError``
    for bytes that are not UTF-8), or ``None``."""
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


_BLANK = b" \t\r\n\f\v"


def parse_bytes(data: bytes) -> Iterator[JsonlLine]:
    """:class:`JsonlLine` for each non-blank ``\n``-separated line of ``data``; each line is
    decoded on its own (a UTF-8 byte-order mark at the start is allowed)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    last = max((i for i, ln in enumerate(lines) if ln.strip(_BLANK)), default=-1)
    for i, raw in enumerate(lines):
        if not raw.strip(_BLANK):
            continue
        try:
            yield JsonlLine(i + 1, json.loads(raw.decode("utf-8")), None, i == last)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield JsonlLine(i + 1, None, exc, i == last)


def read_lines(path: str | Path) -> Iterator[JsonlLine]:
    """Every non-blank line of the UTF-8 file ``path`` (see :func:`parse_bytes`).

    Raises ``OSError`` from reading; the caller words it for its own file kind. A line that
    is not valid UTF-8 comes back with its ``error`` set, like a line that is not JSON.
    """
    yield from parse_bytes(Path(path).read_bytes())
