"""The rich side of :mod:`assistant.cli.display`: a console and table cells that print no
control sequence they did not make themselves.

* :class:`SafeConsole`: strings are sanitised (:func:`~assistant.cli.display.sanitize`)
  before markup is parsed, and every rendered segment once more; rich's own styling is
  added after, so colours still work;
* :func:`literal` for stored text placed in a rich table or message: sanitised and never
  read as rich markup (a summary holding ``[link=…]`` prints as written).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from assistant.cli.display import has_controls, sanitize

__all__ = ["SafeConsole", "literal"]


def literal(value: object) -> Text:
    """Stored text for a rich table cell or message: sanitised, never parsed as markup."""
    return Text(sanitize("" if value is None else str(value)))


class SafeConsole(Console):
    """A rich console that prints no control sequence it did not make itself."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(sanitize(text), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not has_controls(segment.text):
                yield segment
            else:
                yield Segment(sanitize(segment.text), segment.style, segment.control)
