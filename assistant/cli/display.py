"""Printing text that came from outside the program (tickets, sessions, catalogue and
config files, recogniser output) without letting it drive the terminal.

:func:`sanitize` is THE display-sanitising function: it removes ESC sequences (CSI, OSC such
as window titles and hyperlinks, DCS/APC/PM strings, two-character escapes), their 8-bit C1
forms, every other C0/C1 control character except newline and tab, DEL, and the Unicode
bidirectional overrides that can make a line read differently from what it holds. Every
printing path of the CLI goes through it:

* :func:`echo` for plain lines (``typer.echo`` with the text sanitised);
* :class:`~assistant.cli.display_rich.SafeConsole`, the rich console of the commands, and
  :func:`~assistant.cli.display_rich.literal` for stored text in rich tables
  (:mod:`assistant.cli.display_rich`, kept apart so that this module loads no rich).
"""

from __future__ import annotations

import re

import typer

__all__ = ["echo", "has_controls", "sanitize"]

_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor, clear screen)
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"  # OSC / DCS / SOS / PM / APC up to BEL or ST
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)"  # 8-bit string controls
    r"|\x1b[ -/]*[0-~]",  # other escapes (ESC c resets the terminal, ESC 7 / 8 ...)
    re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """``text`` without terminal control sequences or control characters (newline and tab
    are kept)."""
    if not text:
        return text
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def has_controls(text: str) -> bool:
    """Does ``text`` hold anything :func:`sanitize` would remove a character of?"""
    return _CONTROLS.search(text) is not None


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` with the text sanitised."""
    typer.echo(sanitize("" if message is None else str(message)), err=err, nl=nl)
