"""The `hotline` console script: the top of the layers.

It builds the headless command line of :mod:`assistant.cli` and adds the terminal-app
commands of :mod:`tui.commands`, handing the headless part a way to open a screen
(`hotline` and `hotline tickets` with no subcommand). Nothing below this layer imports the
TUI. Importing this module loads no Textual: the app is imported when a screen opens.
"""

from __future__ import annotations

from assistant.cli import create_cli, run
from tui import commands

__all__ = ["app", "main"]


def _open_ui(screen: str) -> None:
    commands.open_ui(screen)  # looked up at call time, so tests can replace it


app = create_cli(open_ui=_open_ui)
commands.register(app)


def main() -> None:
    """Console-script entry point."""
    run(app)


if __name__ == "__main__":
    main()
