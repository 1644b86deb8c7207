"""Import of a city's own catalogue from a CSV or XLSX table.

Columns ``level1, level2, level3, department, deadline, keywords`` (optionally
``description``, ``examples``; Chinese headers 一级分类/二级分类/三级分类/承办部门/办理时限/关键词
work too). Errors name the row and the column. Ids are generated from the order of first
appearance, so re-importing the same file yields the same ids.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import cast

from knowledge.catalogue.tree import Catalogue
from knowledge.catalogue.yaml_format import check_deadline
from knowledge.errors import CatalogueError
from knowledge.types import DEPARTMENTS, Deadline, Leaf

_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
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


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = path.read_text(encoding="gb18030")
            except UnicodeDecodeError as exc:
                raise CatalogueError("file is neither UTF-8 nor GB18030", path=str(path)) from exc
        return [list(r) for r in csv.reader(text.splitlines())]
    if suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise CatalogueError(f"cannot open workbook: {exc}", path=str(path)) from exc
        ws = wb.worksheets[0]
        rows = [
            ["" if c is None else str(c).strip() for c in row]
            for row in ws.iter_rows(values_only=True)
        ]
        wb.close()
        return rows
    raise CatalogueError("unsupported file type; use .csv or .xlsx", path=str(path))


def import_table(path: Path | str) -> Catalogue:
    """Import a city catalogue table; errors name the row (1-based, header = 1) and column."""
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        raise CatalogueError("the table is empty", path=str(path))
    header = [h.strip().lower() for h in rows[0]]
    columns: dict[str, int] = {}
    for key, aliases in _COLUMN_ALIASES.items():
        for i, h in enumerate(header):
            if h in aliases:
                columns[key] = i
                break
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise CatalogueError(
            f"missing column(s) {', '.join(missing)}; the header row must name "
            "level1, level2, level3, department, deadline, keywords",
            path=str(path), line=1, column=missing[0],
        )  # fmt: skip
    l1_codes: dict[str, str] = {}
    l2_codes: dict[tuple[str, str], str] = {}
    l3_codes: dict[tuple[str, str, str], str] = {}
    leaves: list[Leaf] = []
    for rownum, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            idx = columns.get(key)
            return row[idx].strip() if idx is not None and idx < len(row) else ""

        for key in _REQUIRED:
            if not cell(key):
                raise CatalogueError(
                    f"empty value in required column '{key}'",
                    path=str(path), line=rownum, column=key,
                )  # fmt: skip
        dept = cell("department")
        if dept not in DEPARTMENTS:
            raise CatalogueError(
                f"unknown department {dept!r}; use one of: {'、'.join(DEPARTMENTS)}",
                path=str(path), line=rownum, column="department",
            )  # fmt: skip
        try:
            deadline = check_deadline(cell("deadline"))
        except ValueError as exc:
            raise CatalogueError(
                f"{exc} (got {cell('deadline')!r})", path=str(path), line=rownum, column="deadline"
            ) from exc
        l1, l2, l3 = cell("level1"), cell("level2"), cell("level3")
        c1 = l1_codes.setdefault(l1, f"{len(l1_codes) + 1:02d}")
        n2 = sum(1 for k in l2_codes if k[0] == l1)
        c2 = l2_codes.setdefault((l1, l2), f"{n2 + 1:02d}")
        if (l1, l2, l3) in l3_codes:
            raise CatalogueError(
                f"duplicate leaf {l1} > {l2} > {l3}", path=str(path), line=rownum, column="level3"
            )
        n3 = sum(1 for k in l3_codes if k[:2] == (l1, l2))
        c3 = l3_codes.setdefault((l1, l2, l3), f"{n3 + 1:02d}")
        leaves.append(
            Leaf(
                id=f"{c1}.{c2}.{c3}",
                path=(l1, l2, l3),
                department=dept,
                deadline=cast(Deadline, deadline),
                keywords=tuple(k for k in _SPLIT_RE.split(cell("keywords")) if k),
                description=cell("description"),
                examples=tuple(e for e in re.split(r"[|\n]+", cell("examples")) if e.strip()),
                source=f"{path}:{rownum}",
            )
        )
    if not leaves:
        raise CatalogueError("the table has a header but no rows", path=str(path), line=2)
    return Catalogue(tuple(leaves), sources=(str(path),))
