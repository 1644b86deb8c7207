"""Import of a city's own catalogue from a CSV or XLSX table.

Columns ``level1, level2, level3, department, deadline, keywords`` (optionally ``id``,
``description``, ``examples``; Chinese headers 一级分类/二级分类/三级分类/承办部门/办理时限/
关键词/编码 work too). A workbook is read whole: every sheet that holds anything must have
its own header row (empty sheets are skipped, any other sheet is refused by name). Errors
name the file, the sheet, the row (1-based, header = 1) and the column.

Leaf ids do not depend on the order of the rows:

* with an ``id`` column (``01.02.03``: three codes of letters/digits), the table's ids are
  used as they are; every row must have one, and one level-1 / level-2 name must always
  carry the same code;
* otherwise each level's code is derived from its name (:func:`derived_code`: the first six
  hex digits of the SHA-1 of the NFKC-normalised name), so inserting, deleting or moving a
  row renumbers nothing, and the ids cannot collide with the bundled catalogue's
  two-digit codes: an import can extend the bundled catalogue.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from knowledge.catalogue.tree import Catalogue
from knowledge.catalogue.yaml_format import check_deadline
from knowledge.errors import CatalogueError
from knowledge.types import DEPARTMENTS, Deadline, Leaf

__all__ = ["derived_code", "import_table"]

_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "leaf_id", "编码", "分类编码", "目录编码", "事项编码"),
    "level1": ("level1", "一级分类", "一级", "一级目录"),
    "level2": ("level2", "二级分类", "二级", "二级目录"),
    "level3": ("level3", "三级分类", "三级", "三级目录"),
    "department": ("department", "承办部门", "部门", "承办单位"),
    "deadline": ("deadline", "办理时限", "时限"),
    "keywords": ("keywords", "关键词", "关键字"),
    "description": ("description", "描述", "说明"),
    "examples": ("examples", "示例", "例句"),
}
_REQUIRED = ("level1", "level2", "level3", "department", "deadline")
_SPLIT_RE = re.compile(r"[、,，;；|/\s]+")
_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,12}(\.[0-9A-Za-z_-]{1,12}){2}$")


def derived_code(name: str) -> str:
    """The code of a catalogue level derived from its name (stable, order-independent)."""
    key = unicodedata.normalize("NFKC", name).strip()
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str | None  # None for a CSV file
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class _Where:
    path: Path
    sheet: str | None
    row: int

    @property
    def source(self) -> str:
        return f"{self.path}[{self.sheet}]:{self.row}" if self.sheet else f"{self.path}:{self.row}"

    def error(self, message: str, column: str | None = None) -> CatalogueError:
        return CatalogueError(
            message, path=str(self.path), sheet=self.sheet, line=self.row, column=column
        )


def _read_sheets(path: Path) -> list[_Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = path.read_text(encoding="gb18030")
            except UnicodeDecodeError as exc:
                raise CatalogueError("file is neither UTF-8 nor GB18030", path=str(path)) from exc
        return [_Sheet(None, [list(r) for r in csv.reader(text.splitlines())])]
    if suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise CatalogueError(f"cannot open workbook: {exc}", path=str(path)) from exc
        try:
            return [
                _Sheet(
                    ws.title,
                    [
                        ["" if c is None else str(c).strip() for c in row]
                        for row in ws.iter_rows(values_only=True)
                    ],
                )
                for ws in wb.worksheets
            ]
        finally:
            wb.close()
    raise CatalogueError("unsupported file type; use .csv or .xlsx", path=str(path))


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def _columns(path: Path, sheet: _Sheet, header_row: int) -> dict[str, int]:
    header = [h.strip().lower() for h in sheet.rows[header_row - 1]]
    columns: dict[str, int] = {}
    for key, aliases in _COLUMN_ALIASES.items():
        for i, h in enumerate(header):
            if h in aliases:
                columns[key] = i
                break
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        what = f"sheet {sheet.name!r}" if sheet.name else "the table"
        raise _Where(path, sheet.name, header_row).error(
            f"missing column(s) {', '.join(missing)}; the first row of {what} must name "
            "level1, level2, level3, department, deadline, keywords (optionally id)"
            + ("; remove sheets that are not part of the catalogue" if sheet.name else ""),
            missing[0],
        )
    return columns


def _leaf(row: list[str], columns: dict[str, int], where: _Where) -> tuple[Leaf, bool]:
    """The row as a leaf and whether its id came from the table (else ``""`` for now)."""

    def cell(key: str) -> str:
        idx = columns.get(key)
        return row[idx].strip() if idx is not None and idx < len(row) else ""

    for key in _REQUIRED:
        if not cell(key):
            raise where.error(f"empty value in required column '{key}'", key)
    dept = cell("department")
    if dept not in DEPARTMENTS:
        raise where.error(
            f"unknown department {dept!r}; use one of: {'、'.join(DEPARTMENTS)}", "department"
        )
    try:
        deadline = check_deadline(cell("deadline"))
    except ValueError as exc:
        raise where.error(f"{exc} (got {cell('deadline')!r})", "deadline") from exc
    given = "id" in columns
    leaf_id = cell("id")
    if given and not leaf_id:
        raise where.error("empty id; give every row an id or leave out the id column", "id")
    if given and not _ID_RE.match(leaf_id):
        raise where.error(
            f"id must be three codes of letters/digits joined by dots, e.g. 01.02.03 "
            f"(got {leaf_id!r})",
            "id",
        )
    l1, l2, l3 = cell("level1"), cell("level2"), cell("level3")
    if not given:
        leaf_id = ".".join((derived_code(l1), derived_code(l2), derived_code(l3)))
    leaf = Leaf(
        id=leaf_id,
        path=(l1, l2, l3),
        department=dept,
        deadline=cast(Deadline, deadline),
        keywords=tuple(k for k in _SPLIT_RE.split(cell("keywords")) if k),
        description=cell("description"),
        examples=tuple(e for e in re.split(r"[|\n]+", cell("examples")) if e.strip()),
        source=where.source,
    )
    return leaf, given


class _Codes:
    """Checks that ids and names agree: one leaf per id and per path, one code per level."""

    def __init__(self) -> None:
        self._ids: dict[str, Leaf] = {}
        self._paths: dict[tuple[str, ...], Leaf] = {}
        self._code_of: dict[tuple[str, ...], tuple[str, Leaf]] = {}
        self._name_of: dict[tuple[str, ...], tuple[tuple[str, ...], Leaf]] = {}

    def add(self, leaf: Leaf, where: _Where, given: bool) -> None:
        column = "id" if given else "level3"
        hint = "" if given else "; add an id column to give these items their own codes"
        if leaf.path in self._paths:
            other = self._paths[leaf.path]
            raise where.error(f"duplicate leaf {leaf.path_text} (also at {other.source})", "level3")
        if leaf.id in self._ids:
            other = self._ids[leaf.id]
            raise where.error(
                f"duplicate id {leaf.id} ({leaf.path_text}; also used for {other.path_text} "
                f"at {other.source}){hint}",
                column,
            )
        codes = leaf.id.split(".")
        for depth, label in ((1, "level-1"), (2, "level-2")):
            names, code = leaf.path[:depth], tuple(codes[:depth])
            seen = self._code_of.setdefault(names, (codes[depth - 1], leaf))
            if seen[0] != codes[depth - 1]:
                raise where.error(
                    f"id {leaf.id} gives {' > '.join(names)} the {label} code "
                    f"{codes[depth - 1]}, but {seen[1].source} gives it {seen[0]}",
                    column,
                )
            named = self._name_of.setdefault(code, (names, leaf))
            if named[0] != names:
                raise where.error(
                    f"id {leaf.id} uses the {label} code {codes[depth - 1]} for "
                    f"{' > '.join(names)}, but {named[1].source} uses it for "
                    f"{' > '.join(named[0])}{hint}",
                    column,
                )
        self._ids[leaf.id] = leaf
        self._paths[leaf.path] = leaf


def import_table(path: Path | str) -> Catalogue:
    """Import a city catalogue table (every sheet of a workbook).

    Errors name the file, the sheet, the row (1-based, header = 1) and the column. The
    catalogue's ``sources`` name each sheet that was read.
    """
    path = Path(path)
    sheets = [s for s in _read_sheets(path) if any(not _blank(r) for r in s.rows)]
    if not sheets:
        raise CatalogueError("the table is empty", path=str(path))
    leaves: list[Leaf] = []
    codes = _Codes()
    sources: list[str] = []
    for sheet in sheets:
        header_row = next(i for i, r in enumerate(sheet.rows, start=1) if not _blank(r))
        columns = _columns(path, sheet, header_row)
        before = len(leaves)
        for rownum, row in enumerate(sheet.rows[header_row:], start=header_row + 1):
            if _blank(row):
                continue
            where = _Where(path, sheet.name, rownum)
            leaf, given = _leaf(row, columns, where)
            codes.add(leaf, where, given)
            leaves.append(leaf)
        if len(leaves) == before:
            raise _Where(path, sheet.name, header_row + 1).error(
                "the table has a header but no rows"
            )
        sources.append(f"{path}[{sheet.name}]" if sheet.name else str(path))
    return Catalogue(tuple(leaves), sources=tuple(sources))
