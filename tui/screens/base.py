"""Shared screen behaviour."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea


class QuietCursors:
    """Mixin: in headless runs (tests, snapshots) cursors do not blink, so frames are stable.

    Textual dispatches ``on_mount`` to every class in the MRO, so this runs in addition to
    the screen's own ``on_mount``.
    """

    def on_mount(self) -> None:
        app: Any = self.app  # type: ignore[attr-defined]
        if getattr(getattr(app, "ctx", None), "deterministic", False):
            self.call_after_refresh(self._quiet_cursors)  # type: ignore[attr-defined]

    def _quiet_cursors(self) -> None:
        for widget in self.query("Input, TextArea"):  # type: ignore[attr-defined]
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = False
