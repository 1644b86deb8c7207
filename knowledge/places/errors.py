"""Exceptions of the places package. Messages name the file, row and field.

::

    Exception
     +-- KnowledgeError            (knowledge.errors) base of every knowledge-base error
          +-- PlacesError          the gazetteer cannot be built (jionlp's division data
               |                   missing or unreadable, an unwritable cache)
               +-- PlaceListError  a city's place list (CSV / XLSX) is malformed:
                                   "file:row [field]: message"
"""

from __future__ import annotations

from knowledge.errors import KnowledgeError

__all__ = ["PlaceListError", "PlacesError"]


class PlacesError(KnowledgeError):
    """The gazetteer cannot be built or loaded."""


class PlaceListError(PlacesError):
    """A row of a city's place list is malformed; the message names file, row and field."""

    def __init__(self, message: str, *, path: str, row: int | None = None, field: str = "") -> None:
        where = path
        if row is not None:
            where += f":{row}"
        if field:
            where += f" [{field}]"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.row = row
        self.field = field
