"""Snapping heard place words to real places by pinyin similarity.

A recogniser writes places as homophones (天宁趋红美街道红梅心村 for 天宁区红梅街道红梅新村,
时景山区 / 石井山区 for 石景山区). :func:`snap_places` finds, in one utterance, the spans
whose tone-insensitive, confusion-folded pinyin (:func:`~knowledge.places.gazetteer.fuzzy_key`)
matches a district, then a street of that district, then a community of that street (or a
city's own place), and returns the text with those spans written as the real names.

Nothing is invented: every snapped place covers a span of the utterance whose syllables
support it. Names match syllable for syllable (after folding); inside a found parent, a name
of 4 or more syllables may also have lost one syllable in recognition (杨庄中区 heard as
洋中区), never had one changed (风东北路 is not 沣惠北路); the syllable-level similarity
(rapidfuzz Levenshtein) is the hit's score. Two-syllable district names (城区, 郊区, 东区 …) are never snapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from knowledge.places.gazetteer import (
    CITY,
    COMMUNITY,
    DISTRICT,
    LEVEL_NAMES,
    STREET,
    Gazetteer,
    phrase_syllables,
)

__all__ = ["MIN_SIMILARITY", "PlaceHit", "SnapResult", "snap_places"]

MIN_SIMILARITY = 0.75
"""Least syllable similarity of a name snapped inside a found parent (1 edit in 4)."""

_HAN = re.compile(r"[\u4e00-\u9fff]")
_STREET_TAIL = ("jie dao", "zen", "xian", "jie")  # fuzzy keys of 街道 / 镇 / 乡 / 街


@dataclass(frozen=True)
class PlaceHit:
    """One snapped span: ``text[start:end]`` was heard, ``place`` is the real name."""

    start: int
    end: int
    heard: str
    place: str
    id: int
    level: str  # city | district | street | community | local
    score: float  # 1.0 = same syllables (or the same characters)


@dataclass(frozen=True)
class SnapResult:
    """The utterance with its place spans written as real names, and what was found."""

    text: str
    hits: tuple[PlaceHit, ...]
    district: str = ""
    street: str = ""
    city: str = ""
    province: str = ""
    district_inferred: bool = False  # the district follows from a street found alone

    @property
    def confidence(self) -> float:
        """The weakest hit's score (0.0 when nothing was snapped)."""
        return min((h.score for h in self.hits), default=0.0)

    def hit(self, level: str) -> PlaceHit | None:
        return next((h for h in self.hits if h.level == level), None)


def _codes(syls: tuple[str, ...], table: dict[str, str]) -> str:
    return "".join(table.setdefault(s, chr(0x4E00 + len(table))) for s in syls)


class _Text:
    """The utterance as fuzzy syllables, with spans already taken."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.syl = phrase_syllables(text)
        self.taken = [False] * len(text)
        # a character that cannot be in a place name: not Han, or already taken
        self.blocked = [not _HAN.match(c) for c in text]
        self.table: dict[str, str] = {}
        self.codes = _codes(self.syl, self.table)

    def free(self, s: int, e: int) -> bool:
        return e <= len(self.text) and not any(self.blocked[s:e])

    def key(self, s: int, e: int) -> str:
        return " ".join(self.syl[s:e])

    def take(self, s: int, e: int) -> None:
        for k in range(s, e):
            self.taken[k] = True
            self.blocked[k] = True

    def release(self, s: int, e: int) -> None:
        for k in range(s, e):
            self.taken[k] = False
            self.blocked[k] = not _HAN.match(self.text[k])


def _exact(
    t: _Text, gz: Gazetteer, levels: tuple[int, ...], lo: int = 3
) -> list[tuple[int, int, list[int]]]:
    """Spans whose pinyin is a name at ``levels`` (longest first, not overlapping)."""
    n = len(t.text)
    found: list[tuple[int, int, list[int]]] = []
    for length in range(min(8, n), lo - 1, -1):
        for s in range(0, n - length + 1):
            e = s + length
            if not t.free(s, e):
                continue
            heard = t.text[s:e]
            key = t.key(s, e)
            if DISTRICT in levels and key.endswith(" qi"):
                key = key[:-2] + "qu"  # 黄岛七 for 黄岛区: the recogniser's qu / qi
            ids = [
                i
                for i in gz.lookup(key)
                if gz.level(i) in levels
                and gz.in_scope(i)
                and _supported(heard, gz.name(i), gz.level(i))
            ]
            if ids:
                found.append((s, e, ids))
                t.take(s, e)
    return found


def _best_child(
    t: _Text, gz: Gazetteer, parents: list[int], level: int, start: int, *, tail: bool
) -> tuple[float, int, int, int, str] | None:
    """The best (score, start, end, id, spelling) of a child of ``parents`` heard after ``start``."""
    best: tuple[float, int, int, int, str] | None = None
    best_key: tuple[float, bool, int, int] | None = None
    n = len(t.text)
    for p in parents:
        for cid, spelling, key in gz.child_keys(p, level) if not tail else gz.street_cores(p):
            syl = tuple(key.split(" "))
            code = _codes(syl, t.table)
            m = len(code)
            for length in (m, m - 1):
                if length < 2 or (length != m and m < 4):
                    continue
                for s in range(start, n - length + 1):
                    e = s + length
                    if not t.free(s, e):
                        continue
                    if tail and not _tail_follows(t, e):
                        continue
                    score = Levenshtein.normalized_similarity(code, t.codes[s:e])
                    same = t.text[s:e] == spelling
                    if same:
                        score = 1.0
                    if score < 1.0 and (length == m or score < MIN_SIMILARITY):
                        continue  # only a dropped syllable (洋中区 for 杨庄中区), never a changed one
                    if (
                        not same
                        and not tail
                        and not (
                            set(t.text[s:e]) & set(spelling)
                            or phrase_syllables(t.text[s:e], fuzzy=False)
                            == phrase_syllables(spelling, fuzzy=False)
                        )
                    ):
                        continue  # a community (no 街道 / 镇 to anchor it) shares a character
                        # or its exact pinyin with what was heard
                    if level == COMMUNITY and m < 3 and not same:
                        continue  # two-syllable communities only as written
                    cand = (score, t.text[s:e] == spelling, e - s, -s)
                    if best_key is None or cand > best_key:
                        best, best_key = (score, s, e, cid, spelling), cand
    return best


def _supported(heard: str, name: str, level: int) -> bool:
    """A division found without its parent: at least half its characters were heard as
    written (天宁趋 for 天宁区, 石井山区 for 石景山区), so that everyday words with the
    same pinyin (报上去 / 宝山区, 要是真 / 姚市镇) are not taken for places. A district
    (its name ends in 区 / 县 / 市) may instead share one character (李昌七 for 李沧区) or
    have the very same toneless pinyin (箱方区 for 香坊区, 成功其 for 呈贡区)."""
    shared = sum(c in heard for c in name)
    if 2 * shared >= len(name):
        return True
    if level != DISTRICT:
        return False
    heard_syl = list(phrase_syllables(heard, fuzzy=False))
    if heard_syl and heard_syl[-1] == "qi":
        heard_syl[-1] = "qu"
    return shared >= 1 or tuple(heard_syl) == phrase_syllables(name, fuzzy=False)


def _tail_follows(t: _Text, e: int) -> bool:
    """街道 / 镇 / 乡 (or a homophone) follows the street's name at ``e``."""
    # 街道 is also heard as 接道 / 接到 (same pinyin) and 接等 (jie deng)
    return t.key(e, e + 2) in ("jie dao", "jie den") or (
        e < len(t.syl) and t.syl[e] in ("zen", "xian")
    )


def _tail_ok(name_key: str, heard_key: str) -> bool:
    """A street is heard with its 街道 / 镇 / 乡 (the anchor that says it is a street)."""
    return any(name_key.endswith(tl) and heard_key.endswith(tl) for tl in _STREET_TAIL)


def snap_places(gz: Gazetteer, text: str, *, district: int = -1, street: int = -1) -> SnapResult:
    """Snap the place words of one utterance to the gazetteer (see the module docstring).

    ``district`` / ``street``: the ids of the place named in earlier turns of the call; a
    turn that names no district itself is searched for that district's streets and that
    street's communities (风东北路18号 after 莲湖区桃园路街道)."""
    t = _Text(text)
    hits: list[PlaceHit] = []

    def add(s: int, e: int, i: int, spelling: str, score: float) -> None:
        t.take(s, e)
        hits.append(PlaceHit(s, e, text[s:e], spelling, i, LEVEL_NAMES[gz.level(i)], score))

    districts: list[int] = []
    d_end = 0
    for s, e, ids in _exact(t, gz, (DISTRICT, CITY)):
        d_ids = [i for i in ids if gz.level(i) == DISTRICT]
        d_ids = [i for i in d_ids if gz.name(i) == text[s:e]] or d_ids  # as written first
        if d_ids and not districts:
            districts = d_ids
            d_end = e
            hits.append(PlaceHit(s, e, text[s:e], gz.name(d_ids[0]), d_ids[0], "district", 1.0))
        elif not d_ids:
            hits.append(PlaceHit(s, e, text[s:e], gz.name(ids[0]), ids[0], "city", 1.0))
        else:
            t.release(s, e)  # a second district: leave it as heard
    cities = [h.id for h in hits if h.level == "city"]
    if cities and districts:
        narrowed = [d for d in districts if gz.ancestor(d, CITY) in cities]
        districts = narrowed or districts

    streets: list[int] = []
    s_end = d_end
    context = not districts and district >= 0
    if context:
        districts = [district]
    if districts:
        got = _best_child(t, gz, districts, STREET, d_end, tail=True)
        if got:
            score, s, e, sid, spelling = got
            add(s, e, sid, spelling, score)
            streets, s_end = [sid], e
            districts = [gz.parent(sid)]
    else:
        for s, e, ids in _exact(t, gz, (STREET,), lo=3):
            sids = [i for i in ids if gz.level(i) == STREET]
            if cities:
                sids = [i for i in sids if gz.ancestor(i, CITY) in cities] or sids
            sids = [i for i in sids if gz.name(i) == text[s:e]] or sids  # as written first
            if len({gz.name(i) for i in sids}) > 1 and gz.name(sids[0]) != text[s:e]:
                sids = []  # 是乔街道: 石桥 or 市桥? left as heard
            if sids and _tail_ok(" ".join(phrase_syllables(gz.name(sids[0]))), t.key(s, e)):
                streets, s_end = sids, e
                hits.append(PlaceHit(s, e, text[s:e], gz.name(sids[0]), sids[0], "street", 1.0))
                break
            t.release(s, e)

    if context and not streets and street >= 0 and gz.parent(street) == district:
        streets = [street]
    parents = streets[:1] if len(streets) == 1 else districts[:1] if len(districts) == 1 else []
    if parents:
        got = _best_child(t, gz, parents, COMMUNITY, s_end, tail=False)
        if got:
            score, s, e, cid, spelling = got
            add(s, e, cid, spelling, score)
    _local_exact(t, gz, hits)

    hits.sort(key=lambda h: h.start)
    out = []
    pos = 0
    for h in hits:
        out.append(text[pos : h.start])
        out.append(h.place)
        pos = h.end
    out.append(text[pos:])
    d_name = s_name = city = province = ""
    inferred = False
    anchor = streets[0] if len(streets) == 1 else districts[0] if len(districts) == 1 else -1
    if anchor >= 0:
        d = gz.ancestor(anchor, DISTRICT)
        d_name = gz.name(d) if d >= 0 else ""
        inferred = not any(h.level == "district" for h in hits) and bool(d_name)
        c = gz.ancestor(anchor, CITY)
        city = gz.name(c) if c >= 0 else ""
        p = gz.ancestor(anchor, 0)
        province = gz.name(p) if p >= 0 else ""
        if len(streets) == 1:
            s_name = gz.name(streets[0])
    elif districts:
        d_name = gz.name(districts[0])
    if context:
        heard_here = {h.level for h in hits}
        d_name = d_name if "district" in heard_here else ""
        s_name = s_name if "street" in heard_here else ""
        inferred = False
    return SnapResult("".join(out), tuple(hits), d_name, s_name, city, province, inferred)


def _local_exact(t: _Text, gz: Gazetteer, hits: list[PlaceHit]) -> None:
    """A city's own places heard anywhere (same syllables), when not already snapped."""
    if not gz.local:
        return
    n = len(t.text)
    for length in range(min(10, n), 2, -1):
        for s in range(0, n - length + 1):
            e = s + length
            if not t.free(s, e):
                continue
            for i in gz.lookup(t.key(s, e)):
                place = gz.local_place(i)
                if place is not None and (gz.in_scope(i) or gz.parent(i) < 0):
                    t.take(s, e)
                    hits.append(PlaceHit(s, e, t.text[s:e], place.name, i, "local", 1.0))
                    break
