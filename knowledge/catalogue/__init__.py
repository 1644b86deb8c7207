"""The dispatch catalogue (派单目录): the validated type, loading, city import and 查字典.

* :func:`load_catalogue` (:mod:`~knowledge.catalogue.loader`) reads the bundled YAML
  directory (one file per level-1 item) or any list of YAML files, directories, CSV or XLSX
  files and validates every leaf;
* :mod:`~knowledge.catalogue.yaml_format` — the YAML schema, reading one file (errors name
  ``file:line`` and the field, ``children[0].leaves[3].department``) and
  :func:`write_catalogue_yaml`;
* :func:`import_table` (:mod:`~knowledge.catalogue.table`) reads a city's own catalogue
  from CSV/XLSX (every sheet); ids come from an id column or are derived from the names
  (:func:`derived_code`), never from row order; errors name the sheet, row and column;
* :class:`Catalogue` (:mod:`~knowledge.catalogue.tree`) with ``search_keyword`` (查字典,
  with a pinyin / fuzzy fallback), ``hotwords`` and ``stats``.
"""

from knowledge.catalogue.loader import BUNDLED, BUNDLED_CATALOGUE_DIR, load_catalogue
from knowledge.catalogue.table import derived_code, import_table
from knowledge.catalogue.tree import Catalogue, CatalogueStats, KeywordHit
from knowledge.catalogue.yaml_format import write_catalogue_yaml

__all__ = [
    "BUNDLED",
    "BUNDLED_CATALOGUE_DIR",
    "Catalogue",
    "CatalogueStats",
    "KeywordHit",
    "derived_code",
    "import_table",
    "load_catalogue",
    "write_catalogue_yaml",
]
