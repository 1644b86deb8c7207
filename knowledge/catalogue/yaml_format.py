"""The YAML layout of the catalogue: one file per level-1 item (the bundled layout).

* the pydantic schema of a file (level 1 > ``children`` level 2 > ``leaves`` level 3) and
  the field checks shared with the table import (:func:`check_deadline`, departments, codes);
* :func:`leaves_from_yaml` reads one file; errors name ``file:line`` and the field
  (``children[0].leaves[3].department``);
* :func:`write_catalogue_yaml` writes a catalogue back in this layout, replacing the
  folder of an earlier import as a whole.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
)

from knowledge.catalogue.tree import Catalogue
from knowledge.errors import CatalogueError
from knowledge.types import DEADLINES, DEPARTMENTS, Deadline, Leaf
from knowledge.yaml_loader import load_validated

_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,12}$")  # "01"; an import's derived "3fa9c2"
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
        raise ValueError('code must be 1 to 12 letters or digits, e.g. "01"')
    return value


def _check_department(value: str) -> str:
    if value not in DEPARTMENTS:
        raise ValueError(f"unknown department; use one of: {'、'.join(DEPARTMENTS)}")
    return value


def check_deadline(value: Any) -> str:
    """A deadline spelled any accepted way (``2小时``, ``1天``, ``7个工作日`` ...) as 2h/24h/7d."""
    text = str(value).strip()
    if text in _DEADLINE_ALIASES:
        return _DEADLINE_ALIASES[text]
    raise ValueError(f"deadline must be one of {', '.join(DEADLINES)}")


_Code = Annotated[str, BeforeValidator(_code), AfterValidator(_check_code)]
_Department = Annotated[str, AfterValidator(_check_department)]
_DeadlineStr = Annotated[str, BeforeValidator(check_deadline)]


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


def leaves_from_yaml(path: Path) -> list[Leaf]:
    """The leaves of one level-1 YAML file, each with the ``file:line`` it came from."""
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


MANIFEST_NAME = ".catalogue-import.json"
"""Written beside the YAML files: which files the import wrote (so a re-import replaces them)."""


def _check_out_dir(out: Path) -> None:
    """Refuse an output folder that holds anything an earlier import did not write."""
    import json

    if not out.exists():
        return
    if not out.is_dir():
        raise CatalogueError("the output path exists and is not a folder", path=str(out))
    names = {e.name for e in out.iterdir()}
    ours: set[str] = set()
    manifest = out / MANIFEST_NAME
    if manifest.is_file():
        try:
            ours = {MANIFEST_NAME, *json.loads(manifest.read_text(encoding="utf-8"))["files"]}
        except (OSError, ValueError, KeyError, TypeError):
            ours = set()
    foreign = sorted(names - ours)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise CatalogueError(
            f"the output folder already holds files that catalogue import did not write "
            f"({shown}); choose a new or empty folder, or move those files away",
            path=str(out),
        )


def write_catalogue_yaml(catalogue: Catalogue, out_dir: Path | str) -> list[Path]:
    """Write a catalogue as the bundled layout: one ``<code>_<name>.yaml`` per level-1 item.

    The folder is replaced as a whole: the files are written into a new folder beside it
    which then takes its place, so an earlier import's files never linger (a second
    ``duplicate leaf id`` source) and a failure leaves the earlier import as it was.
    A folder holding files that an import did not write is refused
    (:class:`~knowledge.errors.CatalogueError`), never emptied.
    """
    import json
    import os
    import shutil

    import yaml

    out = Path(out_dir).expanduser()
    if out.is_symlink():
        out = out.resolve()
    _check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    groups: dict[str, list[Leaf]] = {}
    for leaf in catalogue.leaves:
        groups.setdefault(leaf.id.split(".")[0], []).append(leaf)
    names: list[str] = []
    try:
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
            name = f"{c1}_{safe}.yaml"
            (tmp / name).write_text(
                yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000),
                encoding="utf-8",
            )
            names.append(name)
        (tmp / MANIFEST_NAME).write_text(
            json.dumps({"files": names, "sources": list(catalogue.sources)}, ensure_ascii=False),
            encoding="utf-8",
        )
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out / name for name in names]
