"""The incident address: its parts, the display value, multi-turn merging and the key used
for duplicate detection.

``cpca`` resolves province / city / district (it infers the province and city from a
district; ambiguous districts default to Beijing via :data:`DEFAULT_UMAP`); street,
community, road, building, unit, room and village parts are found with the regular
expressions below (cpca keeps them only as an unparsed remainder). Spoken numbers before
号楼/单元/室 … are read with :func:`asr.text.numerals.numeral_to_digits`.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

from asr.text.numerals import numeral_to_digits
from assistant.core.state import FieldValue
from assistant.extract import _address_places
from assistant.extract._address_words import place_prefix
from assistant.extract._text import CJK, make_field, nfkc

__all__ = [
    "DEFAULT_UMAP",
    "address_parts",
    "extract_address",
    "merge_address",
    "normalize_address",
]

DEFAULT_UMAP: dict[str, str] = {"朝阳区": "110105", "通州区": "110112"}
"""Ambiguous district names resolved to Beijing (the 12345 deployment's city) by cpca."""

_NUM_CN = "零〇一二两三四五六七八九十百幺"
_UNIT_AFTER_NUM = r"号楼|号院|号门|号|栋|幢|座|单元|室|层|楼|组|排|户|弄|条|期"
_ADDR_MARKERS = re.compile(
    r"[区县]|街道|[镇乡]|路|大街|街|巷|胡同|小区|社区|村|号楼|栋|幢|单元|室|号院|花园|家园|苑|大厦|"
    r"公寓|广场|里|超市|商场|医院|学校|小学|中学|公园|市场|银行|酒店|宾馆|饭店|站|体育馆|图书馆"
)
# words that lead into an address (住在, 地址是 ...); cut off the front of a place name
ADDRESS_TRIGGERS = re.compile(
    r"的|我家住在|我家就在|我家在|我们家在|我住在|我就住在|家住在|家住|住在|地址是|地址在|地址就是|"
    r"地址|位置是|位置在|位于|就在|我在|我们在|是在|在|我住|我家|我们|那个|这个|就是|的是"
)
_PREFIX = rf"[{CJK}A-Za-z0-9]"
_MASK = "|"
_STREET_RE = re.compile(rf"({_PREFIX}{{2,6}}?)(街道|镇|乡)(?!村)")
_SUBAREA = r"(?:[东西南北中][一二三四五六七八九十\d]{0,2}区|[一二三四五六七八九十\d]{1,2}区|[东西南北中]里|[一二三四五六七八九十\d]{1,2}[里期])"
_COMMUNITY_RE = re.compile(
    rf"({_PREFIX}{{2,8}}?)(小区|社区|花园|家园|公寓|大厦|新村|嘉园|名苑|苑|城|广场|大院|(?<![道楼屋院家区村店厂校室车水锅街城心手嘴夜这那哪公])里(?=[东西南北中\d一二三四五六七八九十]|小区|社区|$|[，。,.\s])|园(?={_SUBAREA}))"
    rf"(?![{CJK}]?[路街])({_SUBAREA})?"
)
_ROAD_RE = re.compile(
    rf"({_PREFIX}{{1,8}}?)(大街|大道|路|街|巷|胡同|弄)(?!道|办|上(?![，,。、\s]|就是|那)|边|里|灯|面|况|费|人|子|线|段|过|牌|费)(\d+号院?(?!楼))?"
)
_LANDMARK_RE = re.compile(
    rf"({_PREFIX}{{2,6}}?)(超市|商场|医院|小学|中学|学校|公园|菜市场|市场|银行|酒店|宾馆|饭店|"
    r"地铁站|公交站|火车站|车站|加油站|体育馆|图书馆)"
    r"(对面|门口|旁边|附近|后面|楼下|[东西南北]门|[东西南北]侧)?"
)
# not 这一栋楼 / 有一栋老公馆 (栋 as a measure word before a noun)
_BUILDING_RE = re.compile(
    rf"(?<![\d这那每哪整])(\d+)(?:号楼|(?:栋|幢|座)(?![{CJK}])|(?:栋|幢|座)(?=[楼单的前后门东西南北里下上那这我是]))"
)
_UNIT_RE = re.compile(r"(\d+)单元")
_ROOM_RE = re.compile(r"(?:单元|号楼|栋|幢|座|层|楼)(\d{3,5})(?:室|号|户)?|(\d{3,5})(?:室|户)")
_VILLAGE_RE = re.compile(rf"({_PREFIX}{{2,5}}?)(村)(?!委会|委|民|里|大?[街道]|大?路(?!口))")
_NUMBER_RE = re.compile(r"(?<![\d号])(\d+)号(?![楼院门])")
_DOOR_RE = re.compile(r"[，,、\s]*(?:门牌号?|门牌号码)?(?:是|为)?(\d+)号(?![楼院门线])")
_GROUP_RE = re.compile(r"(\d+)组")
_DISTRICT_RE = re.compile(rf"([{CJK}]{{2,4}}?)(区|县)(?![{CJK}]?[委政])")
_ROAD_FALSE = {"马路", "道路", "公路", "走路", "一路", "出路", "水路", "电路", "线路", "小路", "大马路",
               "过马路", "上街", "逛街", "这条街", "那条街", "这条路", "那条路", "条路", "条街",
               "老街", "大街", "心里", "家里", "这里", "那里", "哪里", "村里", "城里", "屋里",
               "夜里", "公里", "邻里", "院里", "楼里", "区里", "市里", "手里", "嘴里", "里", "水泥路",
               "柏油路", "土路", "石子路", "乡间小路", "上路", "半路", "路路", "修路", "铁路",
               "高速路", "新路", "老路", "山路", "泥路", "那路", "这路"}  # fmt: skip
_COMM_FALSE = {
    "进城",
    "县城",
    "城",
    "长城",
    "全城",
    "满城",
    "商城",
    "心里",
    "家里",
    "这里",
    "那里",
    "哪里",
    "村里",
    "城里",
    "屋里",
    "夜里",
    "公里",
    "邻里",
    "院里",
    "楼里",
    "区里",
    "市里",
    "手里",
    "嘴里",
    "小区里",
    "社区里",
    "公园",
    "幼儿园",
}
_STOP_PREFIX = re.compile(
    r"^(的|了|在|是|到|去|从|住|说|那个|这个|就是|我们|我家|我|你们|他们|就)+"
)


def address_numbers(text: str) -> str:
    """Spoken numbers before 号楼/单元/室/组... become digits; a room after 单元 too."""
    text = nfkc(text)
    text = re.sub(
        rf"([{_NUM_CN}]+)(?=(?:{_UNIT_AFTER_NUM}))",
        lambda m: numeral_to_digits(m.group(1)),
        text,
    )
    text = re.sub(
        rf"(单元|号楼|栋)([{_NUM_CN}]{{3,5}})",
        lambda m: m.group(1) + numeral_to_digits(m.group(2)),
        text,
    )
    return text


def _clean_prefix(name: str) -> str:
    name = _STOP_PREFIX.sub("", name)
    cut = ADDRESS_TRIGGERS.split(name)
    name = cut[-1] if cut else name
    return re.split(r"[到去了在]", name)[-1]


@lru_cache(maxsize=1)
def _cpca() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpca

    return cpca


def _admin_parts(text: str, umap: dict[str, str] | None) -> dict[str, str]:
    """province / city / district from cpca (only when a district or city is named)."""
    if not re.search(r"[省市区县]|北京|上海|天津|重庆", text):
        return {}
    try:
        cpca = _cpca()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = cpca.transform([text], umap=umap if umap is not None else DEFAULT_UMAP)
        row = df.iloc[0]
    except Exception:  # pragma: no cover - cpca missing: fall back to regexes
        return {}
    out: dict[str, str] = {}
    for key, col in (("province", "省"), ("city", "市"), ("district", "区")):
        val = row.get(col)
        if isinstance(val, str) and val and val != "市辖区":
            out[key] = val
    if out.get("city") == out.get("province"):
        out.pop("city", None)
    dist = out.get("district")
    if dist is not None:
        pos = text.find(dist)
        before = text[pos - 1] if pos > 0 else ""
        if pos < 0:
            out.pop("district")  # cpca matched an alias; keep the province/city it inferred
        elif (
            len(dist) <= 2
            and before
            and re.match(f"[{CJK}]", before)
            and before not in "在是住市省的"
        ):
            return {}  # "龙泽苑东区": a sub-area of a community, not the district 东区
    return out


_FLAG_KEYS = ("verified", "snap_conf", "snapped")
_PART_ORDER = (
    "province",
    "city",
    "district",
    "street",
    "village",
    "group",
    "road",
    "community",
    "landmark",
    "number",
    "building",
    "unit",
    "room",
)


def address_parts(text: str, *, umap: dict[str, str] | None = None) -> dict[str, str]:
    """Structured parts of an address mentioned in ``text`` (empty dict if none)."""
    text = address_numbers(text)
    if not _ADDR_MARKERS.search(text):
        return {}
    parts: dict[str, str] = dict(_admin_parts(text, umap))
    ends: dict[str, int] = {}
    masked = text
    if "district" in parts and parts["district"] in masked:
        masked = masked.replace(parts["district"], _MASK * len(parts["district"]), 1)

    def _named(regex: re.Pattern[str], key: str, false: set[str], lo: int = 2) -> None:
        nonlocal masked
        for m in regex.finditer(masked):
            raw = place_prefix(text, m.start(1), m.start(2), false)
            if raw is None or _MASK in raw:
                continue
            name = _clean_prefix(raw)
            for admin in (parts.get("street"), parts.get("district")):
                if admin and admin in name and key != "street":
                    name = name[name.rindex(admin) + len(admin) :]  # 官桥镇石塘村 -> 石塘村
            split = re.fullmatch(rf"([{CJK}]{{2,3}}[区县])([{CJK}]{{2,}})", name)
            if key == "street" and split and "district" not in parts:
                parts["district"], name = split.group(1), split.group(2)  # 南港区|花园街道
            full = name + m.group(2)
            if (
                len(name) < lo
                or full in false
                or name in false
                or re.fullmatch(rf"[\d{_NUM_CN}]+", name)  # 一七四路: a bus route
            ):
                continue
            end = m.end()
            if key in ("road", "community", "landmark") and m.lastindex and m.lastindex >= 3:
                full += m.group(3) or ""
            if key == "community":
                ext = re.match(rf"(?:小区|社区|园|苑|里)?{_SUBAREA}?", masked[end:])
                if (
                    ext
                    and ext.group(0) in ("园", "苑", "里")
                    and re.match(f"[{CJK}]", masked[end + 1 : end + 2])
                ):
                    ext = None
                if ext and ext.group(0):
                    full += ext.group(0)
                    end += len(ext.group(0))
            parts[key] = full
            ends[key] = end
            s, e = end - len(full), end
            masked = masked[:s] + _MASK * (e - s) + masked[e:]
            return

    _named(_STREET_RE, "street", {"街道", "乡镇", "城乡"})
    _named(
        _VILLAGE_RE,
        "village",
        {"农村", "乡村", "山村", "本村", "我们村", "这个村", "那个村", "邻村"},
    )
    _named(_COMMUNITY_RE, "community", _COMM_FALSE)
    _named(_ROAD_RE, "road", _ROAD_FALSE)
    _named(_LANDMARK_RE, "landmark", _COMM_FALSE)
    m = _NUMBER_RE.search(masked)
    if m and "road" not in parts and ("community" in parts or "village" in parts):
        parts["number"] = m.group(1) + "号"  # 田林十二村20号
    elif "road" in parts and not re.search(r"\d+号", parts["road"]):
        m = _DOOR_RE.match(masked, ends["road"])
        if m:
            parts["road"] += m.group(1) + "号"  # 草市街，门牌一百零六号
    m = _GROUP_RE.search(text)
    if m and "village" in parts:
        parts["group"] = m.group(1) + "组"
    m = _BUILDING_RE.search(text)
    if m:
        parts["building"] = m.group(1) + "号楼"
    m = _UNIT_RE.search(text)
    if m:
        parts["unit"] = m.group(1) + "单元"
    m = _ROOM_RE.search(text)
    if m:
        parts["room"] = (m.group(1) or m.group(2)) + "室"
    if set(parts) <= {"province", "city"}:
        return {}
    return parts


def _display(parts: dict[str, str]) -> str:
    keys = [k for k in _PART_ORDER if k in parts and k not in ("province",)]
    if "district" in parts:
        keys = [k for k in keys if k != "city"]
    return "".join(parts[k] for k in keys)


def _address_conf(parts: dict[str, str]) -> float:
    admin = any(k in parts for k in ("district", "street"))
    detail = any(k in parts for k in ("community", "road", "building", "room", "group", "village"))
    if admin and detail:
        return 0.9
    if detail and ("building" in parts or "room" in parts):
        return 0.75
    if detail:
        return 0.6
    return 0.45


def extract_address(
    text: str,
    *,
    at: float | None = None,
    umap: dict[str, str] | None = None,
    snap: bool = True,
    near: FieldValue | None = None,
) -> FieldValue | None:
    """The address mentioned in one utterance; ``extra`` holds its parts.

    With ``snap`` (default) heard place words are first snapped to the gazetteer
    (天宁趋红美街道 -> 天宁区红梅街道); ``extra`` then also holds ``verified``
    (``"true"`` / ``"false"`` = 待核实 / ``""``), ``snap_conf`` and ``snapped``. ``near``:
    the call's address so far, whose district / street a turn without one is searched in."""
    context = near.extra if near is not None and near.name == "address" else None
    result = _address_places.snap(text, context) if snap else None  # 接道: no written marker
    parts = address_parts(result.text if result is not None else text, umap=umap)
    # a lone room/unit number is not an address by itself (unless part of a longer one)
    if not parts or (set(parts) <= {"room", "unit", "building"} and len(parts) < 2):
        return None
    flags = _address_places.apply_snap(parts, result)
    if set(parts) <= {"road"} and not re.search(r"\d+号", parts["road"]):
        return make_field("address", parts["road"], 0.4, text.strip(), at, **parts, **flags)
    conf = _address_conf(parts)
    if flags.get("verified") == "false":
        conf = min(conf, 0.55)
    return make_field("address", _display(parts), conf, text.strip(), at, **parts, **flags)


def merge_address(old: FieldValue | None, new: FieldValue) -> FieldValue:
    """Combine an address given over several turns ("幸福小区" … "3号楼2单元501").

    Parts in ``new`` win; parts of ``old`` are kept when ``new`` does not contradict the
    place (same district/community or ``new`` names only building/unit/room).
    """
    if old is None or old.name != "address":
        return new
    if old.confidence < 0.5 and not any(k in old.extra for k in ("district", "street")):
        return new  # a weak old value; a district / street alone is kept to add to
    o = {k: v for k, v in old.extra.items() if k in _PART_ORDER}
    n = {k: v for k, v in new.extra.items() if k in _PART_ORDER}
    place_keys = ("district", "street", "village", "community", "road")
    contradicts = any(
        k in o and k in n and not (o[k].startswith(n[k]) or n[k].startswith(o[k]))
        for k in place_keys
    )  # 风东北路 … 风东北路18号: the same road, its number added
    if contradicts and any(k in n for k in ("district", "community", "village")):
        return new
    merged = dict(o)
    merged.update(n)
    src = (
        old.source_text
        if old.source_text == new.source_text
        else (f"{old.source_text} … {new.source_text}")
    )
    flag_src = (
        new if any(k in n for k in ("district", "street")) or not old.extra.get("verified") else old
    )
    flags = {k: flag_src.extra[k] for k in _FLAG_KEYS if k in flag_src.extra}
    return make_field(
        "address",
        _display(merged),
        max(_address_conf(merged), new.confidence),
        src,
        new.at,
        **merged,
        **flags,
    )


def normalize_address(text: str, *, umap: dict[str, str] | None = None) -> str:
    """A canonical key of an address for duplicate detection.

    ``北京市朝阳区幸福小区三号楼二单元501室`` and ``朝阳区幸福小区3栋2单元501`` give the same
    key: province/city dropped, numbers as digits, 栋/幢/座 -> 号楼, rooms as ``501室``,
    punctuation and filler removed. Text without recognisable parts is returned cleaned.
    """
    parts = address_parts(text, umap=umap)
    keys = [k for k in _PART_ORDER if k in parts and k not in ("province", "city")]
    if keys:
        return "".join(parts[k] for k in keys)
    cleaned = address_numbers(text)
    return re.sub(r"[\s，。,.、!！?？\-—]|北京市|市辖区", "", cleaned)
