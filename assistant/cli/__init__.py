"""The single `hotline` command-line entry point.

This package is the composition root: it is the only part of ``assistant`` that may
reach into ``tui`` (lazily, inside the commands that open the app). Command modules
import heavy libraries inside their functions so that ``hotline --help`` stays fast.
"""

from __future__ import annotations

import typer

from . import (
    asr_cmds,
    config_cmds,
    knowledge_cmds,
    models_cmds,
    session_cmds,
    ticket_cmds,
    ui_cmds,
)

app = typer.Typer(
    name="hotline",
    help="hotline-assistant: an offline copilot for 12345 hotline call-takers. "
    "With no command it opens the terminal app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """hotline-assistant: an offline copilot for 12345 hotline call-takers.

    With no command it opens the terminal app (home screen: live call, practice, review, tickets).
    """
    if version:
        from assistant import __version__

        typer.echo(f"hotline-assistant {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        ui_cmds.open_ui("home")


for _module in (
    config_cmds,
    models_cmds,
    asr_cmds,
    knowledge_cmds,
    ticket_cmds,
    session_cmds,
    ui_cmds,
):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
