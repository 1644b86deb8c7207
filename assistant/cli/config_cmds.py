"""`hotline config show`: the effective settings and where each value came from."""

from __future__ import annotations

import json

import typer

from assistant.cli.display import echo

config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)


@config_app.command("show")
def show(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    docs: bool = typer.Option(False, "--docs", help="Add a column explaining each setting."),
) -> None:
    """Print every setting, its effective value and its origin (default, file, env)."""
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console
    from assistant.settings import config_file_path, field_docs, load_settings, value_origins

    settings = load_settings()
    origins = value_origins(settings)
    field_docs_map = field_docs()
    values = settings.model_dump(mode="json")
    derived = {
        "database_url": settings.effective_database_url,
        "recordings_dir": str(settings.effective_recordings_dir),
        "vosk_model": str(settings.effective_vosk_model),
    }
    if as_json:
        out = {
            name: {
                "value": values[name],
                "effective": derived.get(name, values[name]),
                "origin": origins[name],
                "doc": field_docs_map.get(name, ""),
            }
            for name in values
        }
        echo(
            json.dumps(
                {"config_file": str(config_file_path()), "settings": out},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console = Console()
    path = config_file_path()
    console.print(f"Config file: {path} ({'found' if path.is_file() else 'not present'})")
    table = Table("setting", "value", "origin", *(["meaning"] if docs else []))
    table.columns[1].overflow = "fold"
    for name, value in values.items():
        shown = derived.get(name, value) if value in (None, [], "") else value
        if name in derived and value is None:
            shown = f"{derived[name]} (default)"
        table.add_row(
            name, str(shown), origins[name], *([field_docs_map.get(name, "")] if docs else [])
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
