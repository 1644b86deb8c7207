"""Places: a gazetteer of China's administrative divisions (from ``jionlp``'s own data,
province -> city -> district / county -> street / town -> community / village) plus a
city's own communities, roads and landmarks, and snapping of heard place words to real
places by pinyin similarity. Imports neither ``assistant`` nor ``asr``.

==================================  ============================================================
``knowledge.places.gazetteer``      ``Gazetteer`` (``load``: disk-cached, ``set_scope``,
                                    ``find``), ``LocalPlace``, ``fuzzy_key``
``knowledge.places.snap``           ``snap_places`` -> ``SnapResult`` (``PlaceHit`` per span)
``knowledge.places.import_csv``     ``read_place_list``, ``validate_place_list``,
                                    ``write_place_list`` (CSV / XLSX)
``knowledge.places.errors``         ``PlacesError``, ``PlaceListError``
==================================  ============================================================
"""

from knowledge.places.errors import PlaceListError, PlacesError
from knowledge.places.gazetteer import Gazetteer, LocalPlace, default_cache_dir, fuzzy_key
from knowledge.places.import_csv import read_place_list, validate_place_list, write_place_list
from knowledge.places.snap import PlaceHit, SnapResult, snap_places

__all__ = [
    "Gazetteer",
    "LocalPlace",
    "PlaceHit",
    "PlaceListError",
    "PlacesError",
    "SnapResult",
    "default_cache_dir",
    "fuzzy_key",
    "read_place_list",
    "snap_places",
    "validate_place_list",
    "write_place_list",
]
