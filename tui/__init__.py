"""The call-taker's terminal UI (Textual). The only package that imports textual.

Importing ``tui`` itself stays cheap and Textual-free; the public API is in these
submodules (import from them):

* ``tui.cli``: the ``hotline`` console script (the headless commands of ``assistant.cli``
  plus the UI commands of ``tui.commands``); no textual until a screen opens.
* ``tui.app``: :func:`~tui.app.create_app` and ``HotlineApp``, the one factory the
  ``hotline`` commands and the tests use (imports textual).
* ``tui.context``: ``AppContext``, the services one app uses (no textual).
* ``tui.controller``: ``CallController``, ``CallSetup``, ``CallListener``: the live-call
  workflow (session thread, crash journal, saved session, ticket store), no textual.
* ``tui.feeds``: where a screen's transcript events come from (no textual).
* ``tui.format``, ``tui.restore``, ``tui.runner``: presentation helpers, crash-restore
  summaries and the session thread (no textual).
* ``tui.screens`` and ``tui.widgets``: the Textual screens and widgets.

The UI defines no exceptions of its own: it shows the core's (``assistant.errors``,
``asr.errors``) through :func:`tui.format.error_text`.
"""

__all__ = [
    "app",
    "cli",
    "commands",
    "context",
    "controller",
    "feeds",
    "format",
    "restore",
    "runner",
    "screens",
    "widgets",
]
