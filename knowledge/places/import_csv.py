"""A city's own list of communities, roads and landmarks, from CSV or XLSX.

Columns (header row, any order; Chinese headers accepted): ``name`` (名称), ``kind``
(类型: community / road / landmark, or 小区 / 社区 / 村 / 道路 / 地标), ``district`` (区县),
``street`` (街道), ``aliases`` (别名, separated by ``、`` ``/`` ``;`` or ``|``).
``name`` and ``kind`` are required; a ``district`` / ``street`` given must be one of the
division data (checked by :func:`validate_place_list` against a gazetteer). Every error
names the file, the row (1 = header) and the field.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.places.errors import PlaceListError
from knowledge.places.gazetteer import DISTRICT, STREET, Gazetteer, LocalPlace

__all__ = ["KINDS", "read_place_list", "validate_place_list", "write_place_list"]

KINDS = {
    "community": "community", "小区": "community", "社区": "community", "村": "community",
    "road": "road", "道路": "road", "路": "road", "街": "road",
    "landmark": "landmark", "地标": "landmark", "单位": "landmark", "场所": "landmark",
}  # fmt: skip
_HEADERS = {
    "name": "name", "名称": "name", "地名": "name",
    "kind": "kind", "类型": "kind",
    "district": "district", "区县": "district", "区": "district",
    "street": "street", "街道": "street", "街道乡镇": "street", "乡镇": "street",
    "aliases": "aliases", "别名": "aliases",
}  # fmt: skip
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff0-9A-Za-z（）()·\-]{2,30}$")


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for n, row in enumerate(csv.reader(fh), 1):
                    yield n, [c.strip() for c in row]
        except UnicodeDecodeError as exc:
            raise PlaceListError(f"not UTF-8 text ({exc.reason})", path=str(path)) from None
        return
    if suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise PlaceListError(f"not a readable workbook: {exc}", path=str(path)) from None
        ws = wb.worksheets[0]
        for n, values in enumerate(ws.iter_rows(values_only=True), 1):
            yield n, ["" if v is None else str(v).strip() for v in values]
        wb.close()
        return
    raise PlaceListError("unsupported file type (use .csv or .xlsx)", path=str(path))


def read_place_list(path: str | Path) -> list[LocalPlace]:
    """The places of one CSV / XLSX file (format in the module docstring)."""
    return [p for _n, p in _read(Path(path))]


def _read(path: Path) -> list[tuple[int, LocalPlace]]:
    if not path.is_file():
        raise PlaceListError("file not found", path=str(path))
    rows = _rows(path)
    header: list[str] | None = None
    out: list[tuple[int, LocalPlace]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for n, row in rows:
        if not any(row):
            continue
        if header is None:
            header = [_HEADERS.get(c.strip().lower(), "") for c in row]
            unknown = [row[i] for i, h in enumerate(header) if not h and row[i]]
            if unknown:
                raise PlaceListError(
                    f"unknown column {unknown[0]!r}; columns are name, kind, district, "
                    "street, aliases",
                    path=str(path),
                    row=n,
                    field=unknown[0],
                )
            for need in ("name", "kind"):
                if need not in header:
                    raise PlaceListError(f"missing column {need!r}", path=str(path), row=n)
            continue
        rec: dict[str, Any] = {h: row[i] if i < len(row) else "" for i, h in enumerate(header)}
        out.append((n, _place(rec, path, n, seen)))
    if header is None:
        raise PlaceListError("empty file (a header row is required)", path=str(path))
    return out


def _place(
    rec: dict[str, Any], path: Path, n: int, seen: dict[tuple[str, str, str], int]
) -> LocalPlace:
    name = str(rec.get("name", "")).strip()
    if not name:
        raise PlaceListError("a name is required", path=str(path), row=n, field="name")
    if not _HAN_NAME.match(name):
        raise PlaceListError(
            f"{name!r} is not a place name (2-30 characters, no punctuation)",
            path=str(path), row=n, field="name",
        )  # fmt: skip
    kind_raw = str(rec.get("kind", "")).strip()
    kind = KINDS.get(kind_raw.lower())
    if kind is None:
        raise PlaceListError(
            f"unknown kind {kind_raw!r}; use community, road or landmark (小区/道路/地标)",
            path=str(path), row=n, field="kind",
        )  # fmt: skip
    district = str(rec.get("district", "")).strip()
    street = str(rec.get("street", "")).strip()
    aliases = tuple(
        a.strip() for a in re.split(r"[、/;；|]", str(rec.get("aliases", ""))) if a.strip()
    )
    key = (name, district, street)
    if key in seen:
        raise PlaceListError(
            f"{name!r} is listed twice (first at row {seen[key]})",
            path=str(path), row=n, field="name",
        )  # fmt: skip
    seen[key] = n
    return LocalPlace(name=name, kind=kind, district=district, street=street, aliases=aliases)


def validate_place_list(path: str | Path, gz: Gazetteer) -> list[LocalPlace]:
    """Read the list and check each district / street against the division data."""
    rows = _read(Path(path))
    for n, place in rows:
        d = gz.find(place.district, DISTRICT) if place.district else -1
        if place.district and d < 0:
            raise PlaceListError(
                f"{place.district!r} is not a district / county in the division data",
                path=str(path), row=n, field="district",
            )  # fmt: skip
        if place.street and gz.find(place.street, STREET, within=d) < 0:
            where = f" of {place.district}" if place.district else ""
            raise PlaceListError(
                f"{place.street!r} is not a street / town{where} in the division data",
                path=str(path), row=n, field="street",
            )  # fmt: skip
    return [p for _n, p in rows]


def write_place_list(places: list[LocalPlace], out: str | Path) -> Path:
    """Write the places as a clean CSV (the format :func:`read_place_list` reads)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "kind", "district", "street", "aliases"])
        for p in places:
            w.writerow([p.name, p.kind, p.district, p.street, "、".join(p.aliases)])
    return out
