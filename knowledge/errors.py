"""Exceptions of the knowledge package. Messages point to the bad file, line and field.

::

    Exception
     +-- KnowledgeError        base of every knowledge-base error; raised as such for a bad
          |                    dev-set line, a missing script, a failed embedding load
          +-- CatalogueError   a catalogue, rules or scripts file is malformed
          |                    ("file:line [field]: message"; a workbook's sheet as
          |                    "file.xlsx[sheet]:row [column]: message")
          +-- EmbeddingError   the embedding model cannot be loaded (missing folder, no
                               network for a hub name, broken model)

Validation inside the pydantic schemas raises ``ValueError``; :mod:`knowledge.yaml_loader`
turns it into :class:`CatalogueError` before it leaves the package.
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class of every knowledge-base error."""


class CatalogueError(KnowledgeError):
    """A catalogue, rules or scripts file is malformed; the message names file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
    ) -> None:
        where = ""
        if path:
            where = f"{path}"
            if sheet:
                where += f"[{sheet}]"
            if line is not None:
                where += f":{line}"
            if column:
                where += f" [{column}]"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line
        self.column = column
        self.sheet = sheet


class EmbeddingError(KnowledgeError):
    """The embedding model cannot be loaded (missing folder, no network for a hub name, ...)."""
