"""UI commands: `hotline live|practice|review|serve|demo`, and :func:`open_ui`.

:mod:`tui.cli` adds these to the headless commands of :mod:`assistant.cli`. Textual and the
app are imported inside the functions so `hotline --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SCREENS = ("home", "live", "practice", "review", "tickets")


def open_ui(screen: str = "home", target: str | None = None) -> None:
    """Run the terminal app on ``screen`` (``target``: a recording / saved session)."""
    if screen not in SCREENS:
        raise typer.BadParameter(f"unknown screen {screen!r}; use one of {', '.join(SCREENS)}")
    from assistant.settings import load_settings
    from tui.app import create_app

    app = create_app(load_settings(), screen=screen, target=target)  # type: ignore[arg-type]
    app.run()


def _existing(path: str, what: str) -> str:
    p = Path(path).expanduser()
    if not p.exists():
        raise typer.BadParameter(f"{what} not found: {p}")
    return str(p)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("live")
    def live() -> None:
        """Take a live call: microphone -> recognition -> suggestions -> ticket."""
        open_ui("live")

    @app.command("practice")
    def practice(
        call: Annotated[
            str | None,
            typer.Argument(help="A recorded call: audio file, or session / sample folder."),
        ] = None,
    ) -> None:
        """Practise on a recorded call (real-time playback, scored against its reference)."""
        if call:
            _check_recording(_existing(call, "recording"))
        open_ui("practice", _existing(call, "recording") if call else None)

    @app.command("review")
    def review(
        sessions: Annotated[
            list[str] | None,
            typer.Argument(
                help="Saved session folder(s) (default: choose from a list; with "
                "--report: the recordings folder and the sample calls)."
            ),
        ] = None,
        report: Annotated[
            Path | None,
            typer.Option(
                "--report",
                help="Write the QA report of the SESSIONS to this HTML "
                "file instead of opening the app.",
            ),
        ] = None,
    ) -> None:
        """Review saved calls: timeline, suggestions at each moment, QA scorecard, notes."""
        if report is not None:
            _write_report([_existing(s, "session") for s in sessions or []], report)
            return
        if sessions and len(sessions) > 1:
            raise typer.BadParameter(
                "the review screen opens one session; use --report for several"
            )
        open_ui("review", _existing(sessions[0], "session") if sessions else None)

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind (localhost by default).")] = (
            "127.0.0.1"
        ),
        port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
        screen: Annotated[str, typer.Option(help=f"First screen: {', '.join(SCREENS)}.")] = "home",
        allow_remote: Annotated[
            bool,
            typer.Option(
                "--allow-remote",
                help="Allow a --host other than localhost (the access token is still needed).",
            ),
        ] = False,
        max_sessions: Annotated[
            int, typer.Option(min=1, help="App sessions (browser tabs) at once.")
        ] = 4,
    ) -> None:
        """Serve the app to a web browser (textual-serve): open the printed URL, which holds a
        per-start access token; one app process per browser tab."""
        import shlex
        import sys

        from tui.serve import GuardedServer, RemoteHostRefused, check_host

        if screen not in SCREENS:
            raise typer.BadParameter(f"unknown screen {screen!r}")
        try:
            check_host(host, allow_remote)
        except RemoteHostRefused as exc:
            raise typer.BadParameter(str(exc), param_hint="--host") from None
        command = f"{shlex.quote(sys.executable)} -m tui --screen {screen}"
        server = GuardedServer(
            command, host=host, port=port, title="12345 热线助手", max_sessions=max_sessions
        )
        typer.echo(f"open {server.access_url}", err=True)
        server.serve()

    @app.command("demo")
    def demo() -> None:
        """Open practice on the first sample call (recognised live when a Mandarin model is
        installed, else its stored transcript is replayed; the status bar says which)."""
        from tui.screens.factory import first_sample

        sample = first_sample()
        if sample is None:
            raise typer.BadParameter("no sample calls under audio_samples/ (see its README)")
        open_ui("practice", str(sample))


def _check_recording(path: str) -> None:
    """Fail before the app opens when the recording cannot be practised on."""
    from assistant.errors import AssistantError
    from assistant.files.recordings import load_call
    from assistant.settings import load_settings
    from tui.context import AppContext
    from tui.screens.factory import mandarin_recogniser

    try:
        call = load_call(path)
    except AssistantError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not call.events:
        ok, what = mandarin_recogniser(AppContext(load_settings()))
        if not ok:
            raise typer.BadParameter(f"{path} has audio but no transcript, and {what}")


def _write_report(sessions: list[str], out: Path) -> None:
    """`hotline review --report OUT.html [SESSIONS...]` (assistant.qa.report)."""
    from assistant.errors import SessionFileError
    from assistant.qa.report import write_report

    paths = [Path(s) for s in sessions]
    if not paths:
        from assistant.files.samples import SAMPLES_DIR
        from assistant.files.session_reader import list_sessions
        from assistant.settings import load_settings

        dirs = [load_settings().effective_recordings_dir, SAMPLES_DIR]
        paths = [s.path for d in dirs for s in list_sessions(d)]
    else:
        from assistant.files.session_reader import list_sessions

        # a folder of sessions stands for every session in it
        expanded: list[Path] = []
        for p in paths:
            found = list_sessions(p)
            expanded.extend([s.path for s in found] if found else [p])
        paths = expanded
    from assistant.cli.display import echo

    try:
        write_report(paths, out)
    except SessionFileError as exc:
        echo(f"error: {exc}", err=True)  # the message can quote the session file
        raise typer.Exit(2) from None
    echo(f"QA report of {len(paths)} session(s) written to {out}")
