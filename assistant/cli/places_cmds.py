"""`hotline places`: a city's own list of communities, roads and landmarks, and a look-up
of how a heard place word snaps to the gazetteer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

places_app = typer.Typer(
    help="The place gazetteer: import a city's place list, check how a place is heard.",
    no_args_is_help=True,
)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@places_app.command("import")
def places_import(
    file: Annotated[
        Path,
        typer.Argument(help="Place list (.csv or .xlsx): name, kind, district, street, aliases"),
    ],
    save: Annotated[
        bool,
        typer.Option(
            "--save/--check", help="Save the list into <data_dir>/places (default) or only check it"
        ),
    ] = True,
) -> None:
    """Validate a city's communities / roads / landmarks (every error names row and field)
    and save them where the gazetteer reads them."""
    from assistant.settings import load_settings
    from knowledge.errors import KnowledgeError
    from knowledge.places import Gazetteer, validate_place_list, write_place_list

    if not file.is_file():
        raise _fail(f"file not found: {file}", 2)
    settings = load_settings()
    try:
        gz = Gazetteer.load(cache_dir=settings.cache_dir / "places")
        places = validate_place_list(file, gz)
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from exc
    kinds = {k: sum(p.kind == k for p in places) for k in ("community", "road", "landmark")}
    typer.echo(
        f"{file}: {len(places)} places ({kinds['community']} communities, {kinds['road']} roads, "
        f"{kinds['landmark']} landmarks) — valid"
    )
    if not save:
        return
    out = settings.data_dir / "places" / f"{file.stem}.csv"
    try:
        write_place_list(places, out)
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc}", 1) from exc
    typer.echo(f"saved to {out}; the assistant snaps heard place words to it from the next call")


@places_app.command("snap")
def places_snap(
    text: Annotated[str, typer.Argument(help="What was heard, e.g. 天宁趋红美街道红梅心村")],
) -> None:
    """Show how heard place words snap to real places (and the address read from them)."""
    from assistant.extract import extract_address
    from assistant.extract._address_places import snap

    result = snap(text)
    if result is None:
        raise _fail("the place gazetteer is not available (see the log)", 1)
    for h in result.hits:
        typer.echo(f"{h.heard} -> {h.place}  [{h.level}, score {h.score:.2f}]")
    fv = extract_address(text)
    if fv is None:
        typer.echo("no address")
        return
    flag = {"true": "verified", "false": "待核实", "": "not checked"}[fv.extra.get("verified", "")]
    typer.echo(f"address: {fv.value}  ({flag}, confidence {fv.confidence:.2f})")


def register(app: typer.Typer) -> None:
    """Add `places` to the root app."""
    app.add_typer(places_app, name="places")
