"""Loading a catalogue: the bundled directory or any list of YAML / CSV / XLSX files and
folders, validated leaf by leaf."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from knowledge.catalogue.table import import_table
from knowledge.catalogue.tree import Catalogue
from knowledge.catalogue.yaml_format import leaves_from_yaml
from knowledge.errors import CatalogueError
from knowledge.types import Leaf

BUNDLED_CATALOGUE_DIR = Path(__file__).parent.parent / "data" / "catalogue"

BUNDLED = "bundled"
"""A catalogue path entry spelled ``bundled`` stands for the bundled catalogue directory."""


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        p = BUNDLED_CATALOGUE_DIR if str(entry) == BUNDLED else Path(entry).expanduser()
        if p.is_dir():
            found = sorted(
                [*p.glob("*.yaml"), *p.glob("*.yml"), *p.glob("*.csv"), *p.glob("*.xlsx")]
            )
            if not found:
                raise CatalogueError("no catalogue files (*.yaml, *.csv, *.xlsx) here", path=str(p))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise CatalogueError("catalogue path does not exist", path=str(p))
    return files


def load_catalogue(
    paths: Sequence[Path | str] | None = None, *, extra_paths: Sequence[Path | str] = ()
) -> Catalogue:
    """Load and validate a catalogue.

    ``paths`` empty/None means the bundled directory; otherwise the given YAML/CSV/XLSX files
    and directories replace it (write ``bundled`` as one entry to keep the bundled one).
    ``extra_paths`` are always added on top.
    """
    base: list[Path | str] = list(paths) if paths else [BUNDLED_CATALOGUE_DIR]
    files = _expand([*base, *extra_paths])
    leaves: list[Leaf] = []
    for f in files:
        if f.suffix.lower() in (".csv", ".xlsx"):
            leaves.extend(import_table(f).leaves)
        else:
            leaves.extend(leaves_from_yaml(f))
    if not leaves:
        raise CatalogueError("the catalogue has no leaves", path=", ".join(map(str, files)))
    return Catalogue(tuple(leaves), sources=tuple(str(f) for f in files))
