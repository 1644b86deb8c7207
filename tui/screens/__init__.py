"""Screens coordinate: they own the feed and the workers, and feed the widgets.

* ``home``: the menu; ``live`` (with ``live_actions``): one call; ``practice``: a call
  over a recording, scored; ``review``: a saved call on a timeline; ``tickets``: the
  ticket store; ``modals`` and ``pickers``: dialogs and the recording chooser;
  ``restore_prompt``: the offer to restore a call a crash left unfinished (home, live).
* ``factory.build`` builds any of them from a name (``HotlineApp.open_screen``).

Modules are imported on first use (each imports textual).
"""

__all__ = [
    "factory",
    "home",
    "live",
    "live_actions",
    "modals",
    "pickers",
    "practice",
    "restore_prompt",
    "review",
    "tickets",
]
