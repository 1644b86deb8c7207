"""YAML loading that remembers line numbers, and pydantic errors mapped to file:line.

``load_yaml(path)`` returns plain dicts and lists (subclasses :class:`LineDict` and
:class:`LineList`) that carry the 1-based line of each key / item, so that validation
errors can name ``file:line`` and the offending field. :func:`load_validated` loads a file
and validates it against a pydantic model; :func:`check_regexes` is the validator for a list
of regular expressions (rules and scripts). Used by the catalogue, rules and scripts loaders.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.errors import CatalogueError

try:  # the C loader is much faster and still records marks
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
        result[key] = value
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; syntax errors become :class:`CatalogueError` naming file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError("file is not UTF-8 text", path=str(path)) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(
            f"YAML syntax error: {exc.problem or exc}", path=str(path), line=line
        ) from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"YAML error: {exc}", path=str(path)) from exc


def line_of(data: Any, loc: Sequence[int | str]) -> int | None:
    """The line of the deepest element of ``loc`` that can be located in ``data``."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def field_name(loc: Sequence[int | str]) -> str:
    """A dotted field path such as ``children[0].leaves[2].department``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def raise_validation_error(
    exc: ValidationError, data: Any, path: Path | str, *, prefix: Sequence[int | str] = ()
) -> None:
    """Turn the first pydantic error into a :class:`CatalogueError` with file:line and field."""
    errors = exc.errors()
    first = errors[0]
    loc = [*prefix, *(p for p in first["loc"] if not str(p).startswith("function-"))]
    line = line_of(data, loc)
    field = field_name(loc)
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = "required field is missing"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    value = first.get("input")
    shown = ""
    if first["type"] not in ("missing",) and isinstance(value, str | int | float):
        shown = f" (got {value!r})"
    more = f" (+{len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    raise CatalogueError(f"field '{field}': {msg}{shown}{more}", path=str(path), line=line)


M = TypeVar("M", bound=BaseModel)


def load_validated(path: Path, model: type[M], shape: str) -> tuple[M, Any]:
    """Load a YAML mapping and validate it against ``model``.

    Returns the model and the raw data (which keeps line numbers for later checks). Every
    problem raises :class:`CatalogueError` naming the file, the line and the field.
    """
    data = load_yaml(path)
    if data is None:
        raise CatalogueError("file is empty", path=str(path))
    if not isinstance(data, dict):
        raise CatalogueError(f"top level must be {shape}", path=str(path), line=1)
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        raise_validation_error(exc, data, path)
        raise  # pragma: no cover


def check_regexes(patterns: list[str]) -> list[str]:
    """Validator for a list of regular expressions: names the one that does not compile."""
    for i, p in enumerate(patterns):
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"pattern #{i + 1} is not a valid regex: {exc}") from exc
    return patterns
