"""The gazetteer: China's administrative divisions from ``jionlp``'s own data
(``jionlp/dictionary/china_location.txt``: province -> city -> district / county ->
street / town -> community / village, about 700,000 entries), plus a city's own list of
communities, roads and landmarks (:mod:`knowledge.places.import_csv`).

The division file is parsed once and cached as a pickle in the user cache dir
(``<cache>/places/``, keyed by the file's size and mtime and this module's format
version), so later processes load it in a fraction of a second. Pinyin keys for districts
and streets are built with the cache; those of communities are built per street on first
use.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import tempfile
import time
import zipfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO

from knowledge.pinyin import fuzz_syllable, syllables
from knowledge.places.errors import PlacesError

__all__ = [
    "CITY",
    "COMMUNITY",
    "DISTRICT",
    "LEVEL_NAMES",
    "LOCAL",
    "PROVINCE",
    "STREET",
    "Gazetteer",
    "LocalPlace",
    "default_cache_dir",
    "fuzzy_key",
    "jionlp_location_file",
    "match_names",
    "phrase_syllables",
]

PROVINCE, CITY, DISTRICT, STREET, COMMUNITY, LOCAL = 0, 1, 2, 3, 4, 5
LEVEL_NAMES = ("province", "city", "district", "street", "community", "local")
_FORMAT = 5  # bump when the pickled layout changes
# suffixes a community / village name is also heard without
_COMMUNITY_SUFFIXES = ("社区居委会", "居委会", "村委会", "社区")


def default_cache_dir() -> Path:
    """``<user cache dir>/hotline-assistant/places`` (``HOTLINE_CACHE_DIR`` overrides)."""
    import platformdirs

    base = os.environ.get("HOTLINE_CACHE_DIR") or platformdirs.user_cache_dir("hotline-assistant")
    return Path(base) / "places"


def jionlp_location_file() -> Path:
    """jionlp's division file, found without importing jionlp (whose import is slow)."""
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.origin:
        raise PlacesError("jionlp is not installed: its division data is the gazetteer's source")
    folder = Path(spec.origin).parent / "dictionary"
    # jionlp ships the file zipped and unzips it on its own first import; read whichever
    # is there, so a fresh install works without importing (or writing into) jionlp
    for path in (folder / "china_location.txt", folder / "china_location.zip"):
        if path.is_file():
            return path
    raise PlacesError(f"{folder}: jionlp's division file (china_location.txt / .zip) is missing")


@contextmanager
def _open_text(path: Path) -> Iterator[IO[str]]:
    """``path`` as text; a ``.zip`` holding one ``.txt`` member is read in place."""
    if path.suffix.lower() != ".zip":
        with path.open(encoding="utf-8") as fh:
            yield fh
        return
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt")]
            if len(members) != 1:
                raise PlacesError(f"{path}: expected one .txt member, found {len(members)}")
            with zf.open(members[0]) as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
                yield fh
    except zipfile.BadZipFile as exc:
        raise PlacesError(f"{path}: not a readable zip file: {exc}") from exc


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def phrase_syllables(text: str, *, fuzzy: bool = True) -> tuple[str, ...]:
    """One toneless syllable per character, Han runs read as phrases (长河 -> chang he,
    not zhang he), folded with the recogniser confusions when ``fuzzy``."""
    from pypinyin import lazy_pinyin

    out: list[str] = []
    pos = 0
    for m in _HAN_RUN.finditer(text):
        out.extend(syllables(text[pos : m.start()]))
        run = lazy_pinyin(m.group(0))
        out.extend(run if len(run) == len(m.group(0)) else syllables(m.group(0)))
        pos = m.end()
    out.extend(syllables(text[pos:]))
    if fuzzy:
        return tuple(fuzz_syllable(x) for x in out)
    return tuple(out)


def fuzzy_key(text: str) -> str:
    """Tone-insensitive pinyin with the usual recogniser confusions folded (zh/z, n/l,
    in/ing, an/ang, h/f …), one syllable per character, space-separated."""
    return " ".join(phrase_syllables(text))


def match_names(name: str, level: int) -> tuple[str, ...]:
    """The spellings a place is heard as: its name, and for a community without 社区 …"""
    if level == COMMUNITY:
        for suf in _COMMUNITY_SUFFIXES:
            if name.endswith(suf) and len(name) - len(suf) >= 2:
                return (name, name[: -len(suf)])
    return (name,)


@dataclass(frozen=True)
class LocalPlace:
    """One row of a city's own place list."""

    name: str
    kind: str  # community | road | landmark
    district: str = ""
    street: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class _Base:
    names: list[str]
    levels: bytes
    parents: array[int]
    child_start: array[int]
    child_list: array[int]
    index: dict[str, list[int]]  # fuzzy key -> districts / cities / streets
    starts: frozenset[str]  # the first two characters of every street / community name


def _parse(path: Path) -> _Base:
    names: list[str] = []
    levels = bytearray()
    parents = array("i")
    stack = [-1] * 5
    with _open_text(path) as fh:
        for line in fh:
            stripped = line.rstrip("\n")
            if not stripped.strip():
                continue
            depth = len(stripped) - len(stripped.lstrip("\t"))
            if depth > 4:
                continue
            name = stripped.strip().split("\t")[0]
            parent = stack[depth - 1] if depth else -1
            if depth and parent < 0:
                continue
            if depth == 1 and names[parent] == name:
                pass  # a municipality lists itself as its own city
            stack[depth] = len(names)
            for d in range(depth + 1, 5):
                stack[d] = -1
            names.append(name)
            levels.append(depth)
            parents.append(parent)
    n = len(names)
    counts = [0] * (n + 1)
    for p in parents:
        counts[p + 1] += 1  # p == -1 counts into slot 0 (roots)
    child_start = array("i", [0]) * (n + 2)
    acc = 0
    for i, c in enumerate(counts):
        child_start[i] = acc
        acc += c
    child_start[n + 1] = acc
    fill = array("i", child_start)
    child_list = array("i", [0]) * n
    for i, p in enumerate(parents):
        slot = p + 1
        child_list[fill[slot]] = i
        fill[slot] += 1
    index: dict[str, list[int]] = {}
    for i, lvl in enumerate(levels):
        if lvl in (CITY, DISTRICT, STREET):
            index.setdefault(fuzzy_key(names[i]), []).append(i)
    starts = frozenset(names[i][:2] for i, lvl in enumerate(levels) if lvl >= STREET)
    return _Base(names, bytes(levels), parents, child_start, child_list, index, starts)


def _cache_file(src: Path, cache_dir: Path) -> Path:
    st = src.stat()
    tag = hashlib.sha1(f"{src}|{st.st_size}|{st.st_mtime_ns}|{_FORMAT}".encode()).hexdigest()[:12]
    return cache_dir / f"china_location-{tag}.pickle"


def _load_base(src: Path, cache_dir: Path) -> tuple[_Base, bool]:
    cache = _cache_file(src, cache_dir)
    if cache.is_file():
        try:
            with cache.open("rb") as fh:
                base = pickle.load(fh)
            if isinstance(base, _Base):
                return base, True
        except Exception:  # a broken cache is rebuilt
            pass
    base = _parse(src)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=cache_dir, delete=False) as tmp:
            pickle.dump(base, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, cache)
    except OSError:
        pass  # no writable cache: parse again next time
    return base, False


@dataclass
class Gazetteer:
    """Divisions plus local places, with pinyin indexes for snapping.

    Entry ids are ints; :meth:`name`, :meth:`level`, :meth:`parent`, :meth:`children`
    navigate the tree. ``scope`` (district ids) limits the search when the centre's city /
    districts are configured (:meth:`set_scope`).
    """

    base: _Base
    load_seconds: float = 0.0
    from_cache: bool = False
    local: list[tuple[LocalPlace, int]] = field(default_factory=list)  # (place, parent id)
    scope: frozenset[int] | None = None
    _extra_children: dict[int, list[int]] = field(default_factory=dict)
    _extra_names: list[str] = field(default_factory=list)
    _extra_parent: list[int] = field(default_factory=list)
    _local_index: dict[str, list[int]] = field(default_factory=dict)
    _local_starts: set[str] = field(default_factory=set)

    # ---- loading --------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        *,
        source: Path | None = None,
        cache_dir: Path | None = None,
        local: Iterable[LocalPlace] = (),
    ) -> Gazetteer:
        """Load jionlp's divisions (from the disk cache when it is there) and ``local``."""
        t0 = time.perf_counter()
        src = source or jionlp_location_file()
        try:
            base, cached = _load_base(src, cache_dir or default_cache_dir())
        except OSError as exc:
            raise PlacesError(f"{src}: cannot read the division data: {exc}") from exc
        gz = cls(base=base, from_cache=cached)
        gz.add_local(local)
        gz.load_seconds = time.perf_counter() - t0
        return gz

    def add_local(self, places: Iterable[LocalPlace]) -> None:
        """Attach a city's own places under their street / district (by name)."""
        for place in places:
            parent = self.find(place.street, STREET, within=self.find(place.district, DISTRICT))
            if parent < 0:
                parent = self.find(place.district, DISTRICT)
            pid = len(self.base.names) + len(self._extra_names)
            self._extra_names.append(place.name)
            self._extra_parent.append(parent)
            self.local.append((place, parent))
            self._extra_children.setdefault(parent, []).append(pid)
            for spelling in (place.name, *place.aliases):
                self._local_starts.add(spelling[:2])
                self._local_index.setdefault(fuzzy_key(spelling), []).append(pid)

    # ---- navigation -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.base.names) + len(self._extra_names)

    def name(self, i: int) -> str:
        n = len(self.base.names)
        return self.base.names[i] if i < n else self._extra_names[i - n]

    def level(self, i: int) -> int:
        return self.base.levels[i] if i < len(self.base.names) else LOCAL

    def parent(self, i: int) -> int:
        n = len(self.base.names)
        return self.base.parents[i] if i < n else self._extra_parent[i - n]

    def children(self, i: int) -> Sequence[int]:
        b = self.base
        own = b.child_list[b.child_start[i + 1] : b.child_start[i + 2]]
        extra = self._extra_children.get(i)
        return list(own) + extra if extra else own

    def ancestor(self, i: int, level: int) -> int:
        """The entry's ancestor at ``level`` (itself if it is at that level), or -1."""
        while i >= 0 and self.level(i) > level:
            i = self.parent(i)
        return i if i >= 0 and self.level(i) == level else -1

    def local_place(self, i: int) -> LocalPlace | None:
        n = len(self.base.names)
        return self.local[i - n][0] if i >= n else None

    def find(self, name: str, level: int, *, within: int = -1) -> int:
        """The id of the place called ``name`` at ``level`` (under ``within``), or -1."""
        if not name:
            return -1
        for i in self.base.index.get(fuzzy_key(name), ()):
            if (
                self.base.names[i] == name
                and self.base.levels[i] == level
                and (within < 0 or self.ancestor(i, self.level(within)) == within)
            ):
                return i
        return -1

    def begins_a_name(self, word: str) -> bool:
        """Some street / community / local place name starts with ``word``'s first two
        characters (解放 -> 解放路社区: yes; 告诉, 反映: no)."""
        return word[:2] in self.base.starts or word[:2] in self._local_starts

    def lookup(self, key: str) -> list[int]:
        """Cities, districts and streets whose pinyin key is ``key``; local places too."""
        return [*self.base.index.get(key, ()), *self._local_index.get(key, ())]

    # ---- scope ----------------------------------------------------------------------
    def set_scope(self, city: str = "", districts: Sequence[str] = ()) -> None:
        """Limit snapping to a city's districts (all of them, or the ones named)."""
        if not city and not districts:
            self.scope = None
            return
        ids: set[int] = set()
        cities = [i for i in self.base.index.get(fuzzy_key(city), ()) if self.level(i) == CITY]
        if city and not cities:
            raise PlacesError(f"places_city {city!r} is not a city in the division data")
        for d in districts:
            found = [
                i
                for i in self.base.index.get(fuzzy_key(d), ())
                if self.level(i) == DISTRICT
                and self.name(i) == d
                and (not cities or self.ancestor(i, CITY) in cities)
            ]
            if not found:
                raise PlacesError(f"places_districts: {d!r} is not a district of {city or 'China'}")
            ids.update(found)
        if not districts:
            for c in cities:
                ids.update(j for j in self.children(c) if self.level(j) == DISTRICT)
        self.scope = frozenset(ids)

    def in_scope(self, i: int) -> bool:
        if self.scope is None:
            return True
        d = self.ancestor(i, DISTRICT)
        return d in self.scope or (d < 0 and self.level(i) <= CITY)

    # ---- pinyin of children (per street, cached) ------------------------------------
    @lru_cache(maxsize=4096)  # noqa: B019 - one gazetteer per process
    def child_keys(self, i: int, level: int) -> tuple[tuple[int, str, str], ...]:
        """(id, spelling, pinyin key) of the children of ``i`` at ``level``."""
        out = []
        for c in self.children(i):
            lvl = self.level(c)
            if lvl != level and not (level == COMMUNITY and lvl == LOCAL):
                continue
            spellings = match_names(self.name(c), lvl)
            local = self.local_place(c)
            if local is not None:
                spellings = (local.name, *local.aliases)
            for s in spellings:
                out.append((c, s, fuzzy_key(s)))
        return tuple(out)

    @lru_cache(maxsize=4096)  # noqa: B019 - one gazetteer per process
    def street_cores(self, i: int) -> tuple[tuple[int, str, str], ...]:
        """(id, name without 街道 / 镇 / 乡, its pinyin key) of the streets under ``i``."""
        out = []
        for c in self.children(i):
            if self.level(c) == STREET:
                core = re.sub(r"(街道办事处|街道|镇|乡)$", "", self.name(c))
                if len(core) >= 2:
                    out.append((c, core, fuzzy_key(core)))
        return tuple(out)

    def __hash__(self) -> int:  # for lru_cache on methods
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other
