"""The address as the agent reads it back (``…锦苑小区门口，对吗？``): its places replace
the ones heard from the caller when it names the same district and street."""

from __future__ import annotations

import re

from assistant.core.state import FieldValue
from assistant.extract._text import make_field
from assistant.extract.address import (
    _FLAG_KEYS,
    _PART_ORDER,
    _address_conf,
    _display,
    extract_address,
)

__all__ = ["readback_address"]

_READBACK_RE = re.compile(r"对吗|是吗|对不对|是不是|对吧|没错吧|确认|核对|核实")
_PLACE_KEYS = ("district", "street", "village", "group", "road", "community", "landmark", "number")


def _same_place(o: dict[str, str], n: dict[str, str], *, finer: bool) -> bool:
    """Does the read-back ``n`` name the caller's place ``o``? The same district and
    street with a place below them; or (``finer``: its divisions are real places) a street
    where the caller's words gave none (海甸去 … 蔡甸区奓山街道星光村 read back)."""
    if finer and "street" in n and "street" not in o:
        return True
    if not any(k in n for k in ("village", "road", "community", "landmark")):
        return False
    if any(o.get(key) != n.get(key) for key in ("district", "street")):
        return False  # another place, or a read-back that leaves the street out
    return any(k in o for k in ("district", "street"))


def readback_address(
    old: FieldValue | None, text: str, *, at: float | None = None
) -> FieldValue | None:
    """The address as the agent reads it back (``…锦苑小区门口，对吗？``), when it names the
    same district and street as the caller's address so far (``old``): its place parts
    replace the caller's (the agent's careful wording beats what was heard of the caller's,
    and a place the caller mentioned in passing is dropped); the caller's building / unit /
    room stay where the read-back has none. A read-back whose district and street are real
    places also replaces a caller's address that had no street (what was heard of it was
    not a place). ``None`` when ``text`` is no read-back, names no place, or names another
    district / street than ``old``."""
    if old is None or old.name != "address" or not _READBACK_RE.search(text):
        return None
    new = extract_address(text, at=at, near=old)
    if new is None or new.extra.get("verified") != "true":
        alone = extract_address(text, at=at)  # not searched within the caller's district
        if alone is not None and alone.extra.get("verified") == "true":
            new = alone
    if new is None:
        return None
    o = {k: v for k, v in old.extra.items() if k in _PART_ORDER}
    n = {k: v for k, v in new.extra.items() if k in _PART_ORDER}
    if not _same_place(o, n, finer=new.extra.get("verified") == "true"):
        return None
    merged = {k: v for k, v in n.items() if k in (*_PLACE_KEYS, "province", "city")}
    for key in ("building", "unit", "room"):
        if key in n or key in o:
            merged[key] = n.get(key) or o[key]
    if merged == o:
        return None
    flags = {k: new.extra[k] for k in _FLAG_KEYS if k in new.extra}
    return make_field(
        "address",
        _display(merged),
        max(_address_conf(merged), old.confidence),
        f"{old.source_text} … {new.source_text}",
        at,
        **merged,
        **flags,
        source="readback",
    )
