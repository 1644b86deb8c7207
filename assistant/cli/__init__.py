"""The headless commands of the `hotline` command line.

:func:`create_cli` builds the Typer app with every command that needs no terminal UI:
``config``, ``models``, ``transcribe``, ``analyze`` / ``eval`` / ``catalogue``, ``tickets``,
``replay`` / ``qa``, ``eval-calls``. The console script points one layer up, at :mod:`tui.cli`, which adds the
UI commands (``live``, ``practice``, ``review``, ``serve``, ``demo``) and passes in the function
that opens a screen; ``python -m assistant`` runs this headless app alone.

Command modules import heavy libraries inside their functions so that ``hotline --help``
stays fast and loads neither torch, Textual nor SQLAlchemy (tested).
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from . import (
    asr_cmds,
    config_cmds,
    eval_cmds,
    knowledge_cmds,
    models_cmds,
    places_cmds,
    session_cmds,
    ticket_cmds,
)

__all__ = ["OpenUI", "app", "create_cli", "main", "run"]

OpenUI = Callable[[str], None]
"""Opens a screen of the terminal app by name (``home``, ``tickets`` …)."""

HELP = (
    "hotline-assistant: an offline copilot for 12345 hotline call-takers. "
    "With no command it opens the terminal app."
)


def create_cli(open_ui: OpenUI | None = None) -> typer.Typer:
    """The root app with the headless commands; ``open_ui`` (from the UI layer) is called
    for `hotline` and `hotline tickets` with no subcommand."""
    app = typer.Typer(
        name="hotline",
        help=HELP if open_ui is not None else HELP.split(" With no command")[0],
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
            if open_ui is None:
                typer.echo(ctx.get_help())
                raise typer.Exit()
            open_ui("home")

    for module in (config_cmds, models_cmds, asr_cmds, knowledge_cmds, eval_cmds, places_cmds):
        module.register(app)
    ticket_cmds.register(app, open_ui=open_ui)
    session_cmds.register(app)
    return app


app = create_cli()
"""The headless app (``python -m assistant``)."""


def run(cli: typer.Typer) -> None:
    """Run ``cli``; a configuration error is one message on stderr and exit 2, not a
    traceback (any command may read the settings)."""
    from assistant.errors import ConfigError

    try:
        cli()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


def main() -> None:
    """Run the headless app."""
    run(app)
