"""The dispatch catalogue (派单目录): loading, validation, city import and keyword look-up.

* :func:`load_catalogue` reads the bundled YAML directory (one file per level-1 item)
  or any list of YAML files, directories, CSV or XLSX files and validates every leaf.
  Errors name ``file:line`` and the field (``children[0].leaves[3].department``).
* :func:`import_table` reads a city's own catalogue from CSV/XLSX with the columns
  ``level1, level2, level3, department, deadline, keywords`` (optionally ``description``,
  ``examples``; Chinese headers 一级分类/二级分类/三级分类/承办部门/办理时限/关键词 work too).
  Errors name the row and the column. Ids are generated from the order of first appearance,
  so re-importing the same file yields the same ids.
* :meth:`Catalogue.search_keyword` is the 查字典 look-up over names, paths and keywords,
  with a pinyin / fuzzy fallback.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
)

from knowledge.errors import CatalogueError
from knowledge.pinyin import pinyin_key
from knowledge.types import DEADLINES, DEPARTMENTS, Deadline, Leaf
from knowledge.yaml_loader import load_validated

BUNDLED_CATALOGUE_DIR = Path(__file__).parent / "data" / "catalogue"
_HANZI_RE = re.compile(r"[\u4e00-\u9fff]+")
_FUNCTION_CHARS = set("的了不没有是在和也都就还被把太很让给我你他她它这那个")

BUNDLED = "bundled"
"""A catalogue path entry spelled ``bundled`` stands for the bundled catalogue directory."""

_CODE_RE = re.compile(r"^\d{2,3}$")
_DEADLINE_ALIASES = {
    "2h": "2h", "2小时": "2h", "两小时": "2h", "2 h": "2h",
    "24h": "24h", "24小时": "24h", "1d": "24h", "1天": "24h", "一天": "24h",
    "7d": "7d", "7天": "7d", "七天": "7d", "7个工作日": "7d", "7日": "7d",
}  # fmt: skip


def _code(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:02d}"
    return value


def _check_code(value: str) -> str:
    if not _CODE_RE.match(value):
        raise ValueError('code must be 2 or 3 digits, e.g. "01"')
    return value


def _check_department(value: str) -> str:
    if value not in DEPARTMENTS:
        raise ValueError(f"unknown department; use one of: {'、'.join(DEPARTMENTS)}")
    return value


def _check_deadline(value: Any) -> str:
    text = str(value).strip()
    if text in _DEADLINE_ALIASES:
        return _DEADLINE_ALIASES[text]
    raise ValueError(f"deadline must be one of {', '.join(DEADLINES)}")


_Code = Annotated[str, BeforeValidator(_code), AfterValidator(_check_code)]
_Department = Annotated[str, AfterValidator(_check_department)]
_DeadlineStr = Annotated[str, BeforeValidator(_check_deadline)]


class _LeafModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: _Code
    name: str
    department: _Department
    deadline: _DeadlineStr
    keywords: list[str] = []
    description: str = ""
    examples: list[str] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise ValueError("name must not be empty")
        return value

    @field_validator("keywords", "examples", mode="before")
    @classmethod
    def _none_list(cls, value: Any) -> Any:
        return [] if value is None else value


class _Level2Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: _Code
    name: str
    leaves: list[_LeafModel]


class _Level1Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: _Code
    name: str
    children: list[_Level2Model]


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """One result of :meth:`Catalogue.search_keyword`."""

    leaf: Leaf
    score: float
    matched: str  # the name / keyword that matched
    how: str  # exact | substring | pinyin | fuzzy


@dataclass(frozen=True, slots=True)
class CatalogueStats:
    level1: int
    level2: int
    leaves: int
    by_department: dict[str, int]
    by_deadline: dict[str, int]
    keywords: int
    examples: int
    content_hash: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """A validated dispatch catalogue. ``content_hash`` changes whenever any leaf changes."""

    leaves: tuple[Leaf, ...]
    sources: tuple[str, ...] = ()
    by_id: Mapping[str, Leaf] = field(init=False, repr=False)
    levels: Mapping[str, Mapping[str, tuple[Leaf, ...]]] = field(init=False, repr=False)
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Leaf] = {}
        levels: dict[str, dict[str, list[Leaf]]] = {}
        for leaf in self.leaves:
            if leaf.id in by_id:
                other = by_id[leaf.id]
                raise CatalogueError(
                    f"duplicate leaf id {leaf.id} (also defined at {other.source})",
                    path=leaf.source or None,
                )
            by_id[leaf.id] = leaf
            levels.setdefault(leaf.path[0], {}).setdefault(leaf.path[1], []).append(leaf)
        payload = [
            [lf.id, list(lf.path), lf.department, lf.deadline, list(lf.keywords),
             lf.description, list(lf.examples)]
            for lf in self.leaves
        ]  # fmt: skip
        digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(
            self, "levels", {k: {k2: tuple(v2) for k2, v2 in v.items()} for k, v in levels.items()}
        )
        object.__setattr__(self, "content_hash", digest)

    @cached_property
    def _terms(self) -> tuple[tuple[str, str, Leaf], ...]:
        """(term, fuzzy pinyin, leaf) for 查字典; built on first use."""
        terms: list[tuple[str, str, Leaf]] = []
        for leaf in self.leaves:
            for term in dict.fromkeys((leaf.name, *leaf.keywords, leaf.path[1])):
                terms.append((term, pinyin_key(term), leaf))
        return tuple(terms)

    @property
    def sha256(self) -> str:
        return self.content_hash

    def __len__(self) -> int:
        return len(self.leaves)

    def get(self, leaf_id: str) -> Leaf | None:
        return self.by_id.get(leaf_id)

    def stats(self) -> CatalogueStats:
        return CatalogueStats(
            level1=len(self.levels),
            level2=sum(len(v) for v in self.levels.values()),
            leaves=len(self.leaves),
            by_department=dict(Counter(lf.department for lf in self.leaves).most_common()),
            by_deadline=dict(Counter(lf.deadline for lf in self.leaves)),
            keywords=sum(len(lf.keywords) for lf in self.leaves),
            examples=sum(len(lf.examples) for lf in self.leaves),
            content_hash=self.content_hash,
            sources=self.sources,
        )

    def hotwords(self, per_area: int = 2, max_chars: int = 110) -> tuple[str, ...]:
        """Domain words to bias a speech recogniser (Whisper ``hotwords``): per level-1 area,
        the 2-3 character terms that occur in the keywords of the most of its leaves (燃气,
        物业, 工资 …), most widespread first, until ``max_chars`` characters (the
        recogniser's prompt budget)."""
        groups: dict[str, list[Leaf]] = {}
        for leaf in self.leaves:
            groups.setdefault(leaf.path[0], []).append(leaf)
        picked: list[tuple[int, str]] = []
        for leaves in groups.values():
            count: dict[str, int] = {}
            for leaf in leaves:
                grams = {
                    k[i : i + n]
                    for k in leaf.keywords
                    for n in (2, 3)
                    for i in range(len(k) - n + 1)
                    if _HANZI_RE.fullmatch(k[i : i + n])
                }
                for g in grams:
                    count[g] = count.get(g, 0) + 1
            ranked = sorted(count, key=lambda g: (-count[g], -len(g), g))
            chosen: list[str] = []
            for g in ranked:
                if len(chosen) == per_area or count[g] < 2:
                    break
                if any(g in c or c in g for c in chosen) or g[0] in _FUNCTION_CHARS:
                    continue
                chosen.append(g)
            picked.extend((count[g], g) for g in chosen)
        out: list[str] = []
        used = 0
        for _n, word in sorted(picked, key=lambda x: (-x[0], x[1])):
            if word in out or used + len(word) + 1 > max_chars:
                continue
            out.append(word)
            used += len(word) + 1
        return tuple(out)

    def search_keyword(self, query: str, limit: int = 10) -> list[KeywordHit]:
        """查字典: leaves whose name, path or keywords match ``query``, best first.

        Exact match of a name/keyword scores 1.0, substring 0.8, same (fuzzy) pinyin 0.7, pinyin substring 0.6,
        otherwise a rapidfuzz similarity of the pinyin strings (>= 75) scaled to 0.3-0.6.
        """
        from rapidfuzz import fuzz

        q = re.sub(r"\s+", "", query)
        if not q:
            return []
        best: dict[str, KeywordHit] = {}

        def offer(hit: KeywordHit) -> None:
            old = best.get(hit.leaf.id)
            if old is None or hit.score > old.score:
                best[hit.leaf.id] = hit

        for leaf in self.leaves:
            if q in leaf.path[0] or q in leaf.path[1]:
                offer(KeywordHit(leaf, 0.5, leaf.path_text, "substring"))
        q_key = pinyin_key(q)
        for term, key, leaf in self._terms:
            if term == q:
                offer(KeywordHit(leaf, 1.0, term, "exact"))
            elif q in term or (len(term) >= 2 and term in q):
                offer(KeywordHit(leaf, 0.8, term, "substring"))
            elif key == q_key:
                offer(KeywordHit(leaf, 0.7, term, "pinyin"))
            elif len(q) >= 2 and f" {q_key} " in f" {key} ":
                offer(KeywordHit(leaf, 0.6, term, "pinyin"))
        if len(best) < limit:
            for term, key, leaf in self._terms:
                if leaf.id in best:
                    continue
                ratio = fuzz.ratio(q_key, key, score_cutoff=75)
                if ratio:
                    offer(KeywordHit(leaf, 0.3 + 0.3 * (ratio - 75) / 25, term, "fuzzy"))
        hits = sorted(best.values(), key=lambda h: (-h.score, h.leaf.id))
        return hits[:limit]


# ---------------------------------------------------------------------------------- loading


def _leaves_from_yaml(path: Path) -> list[Leaf]:
    model, data = load_validated(path, _Level1Model, "a mapping with code, name, children")
    leaves: list[Leaf] = []
    for i2, l2 in enumerate(model.children):
        for i3, l3 in enumerate(l2.leaves):
            node = data["children"][i2]["leaves"][i3]
            line = getattr(node, "line", None)
            leaves.append(
                Leaf(
                    id=f"{model.code}.{l2.code}.{l3.code}",
                    path=(model.name, l2.name, l3.name),
                    department=l3.department,
                    deadline=cast(Deadline, l3.deadline),
                    keywords=tuple(k for k in l3.keywords if k),
                    description=l3.description,
                    examples=tuple(e for e in l3.examples if e),
                    source=f"{path}:{line}" if line else str(path),
                )
            )
    return leaves


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
            leaves.extend(_leaves_from_yaml(f))
    if not leaves:
        raise CatalogueError("the catalogue has no leaves", path=", ".join(map(str, files)))
    return Catalogue(tuple(leaves), sources=tuple(str(f) for f in files))


# ---------------------------------------------------------------------------- table import

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
            deadline = _check_deadline(cell("deadline"))
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


def write_catalogue_yaml(catalogue: Catalogue, out_dir: Path | str) -> list[Path]:
    """Write a catalogue as the bundled layout: one ``NN_<name>.yaml`` per level-1 item."""
    import yaml

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[Leaf]] = {}
    for leaf in catalogue.leaves:
        groups.setdefault(leaf.id.split(".")[0], []).append(leaf)
    written: list[Path] = []
    for c1, leaves in groups.items():
        children: dict[str, dict[str, Any]] = {}
        for leaf in leaves:
            c2 = leaf.id.split(".")[1]
            node = children.setdefault(c2, {"code": c2, "name": leaf.path[1], "leaves": []})
            entry: dict[str, Any] = {
                "code": leaf.id.split(".")[2],
                "name": leaf.name,
                "department": leaf.department,
                "deadline": leaf.deadline,
                "keywords": list(leaf.keywords),
            }
            if leaf.description:
                entry["description"] = leaf.description
            if leaf.examples:
                entry["examples"] = list(leaf.examples)
            node["leaves"].append(entry)
        doc = {"code": c1, "name": leaves[0].path[0], "children": list(children.values())}
        safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", leaves[0].path[0])
        target = out / f"{c1}_{safe}.yaml"
        target.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
        )
        written.append(target)
    return written
