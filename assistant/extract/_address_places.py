"""The address extractor's gazetteer: loaded once from the settings (the centre's city /
districts scope it, a city's own place lists extend it), and what a snap does to the parts.

``extra["verified"]`` of an address: ``"true"`` when its district / street are real places
(said so, or snapped from homophones), ``"false"`` when a district or street was heard
that the gazetteer does not have (the form shows 待核实), ``""`` when the address names no
division to check (a community or road alone).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

__all__ = ["apply_snap", "places", "snap", "use_gazetteer"]

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {}


def use_gazetteer(gazetteer: Any) -> None:
    """Use this gazetteer (``None``: no snapping) instead of the one from the settings."""
    with _lock:
        _state["gz"] = gazetteer


def _local_files(settings: Any) -> list[Path]:
    own = settings.data_dir / "places"
    files = sorted(own.glob("*.csv")) if own.is_dir() else []
    return [*files, *settings.places_paths]


def places() -> Any:
    """The shared gazetteer (built on first use from the settings; ``None`` if unavailable)."""
    with _lock:
        if "gz" in _state:
            return _state["gz"]
        gz = None
        try:
            from assistant.settings import load_settings
            from knowledge.places import Gazetteer, read_place_list

            settings = load_settings()
            local = [p for f in _local_files(settings) for p in read_place_list(f)]
            gz = Gazetteer.load(cache_dir=settings.cache_dir / "places", local=local)
            gz.set_scope(settings.places_city, settings.places_districts)
        except Exception as exc:  # no gazetteer: addresses stay as heard, unverified
            _log.warning("place gazetteer unavailable: %s", exc)
            gz = None
        _state["gz"] = gz
        return gz


def snap(text: str, near: dict[str, str] | None = None) -> Any:
    """The :class:`~knowledge.places.SnapResult` of ``text`` (``None`` without a gazetteer);
    ``near``: the parts of the address named earlier in the call (its district / street)."""
    gz = places()
    if gz is None:
        return None
    from knowledge.places import snap_places
    from knowledge.places.gazetteer import DISTRICT, STREET

    d = s = -1
    if near and near.get("verified") == "true" and near.get("district"):
        d = gz.find(near["district"], DISTRICT)
        if d >= 0 and near.get("street"):
            s = gz.find(near["street"], STREET, within=d)
    return snap_places(gz, text, district=d, street=s)


def apply_snap(parts: dict[str, str], result: Any) -> dict[str, str]:
    """Put the snapped district / street / community into ``parts``; returns the flags
    (``verified``, ``snap_conf``, ``snapped``) for the field's ``extra``."""
    if result is None:
        return {}
    hits = {h.level: h for h in result.hits}
    if result.district and ("district" in hits or result.district_inferred):
        parts["district"] = result.district
        if result.city:
            parts["city"] = result.city
        if result.province:
            parts["province"] = result.province
        if parts.get("city") == parts.get("province"):
            parts.pop("city", None)
    street = hits.get("street")
    if street is not None:
        cur = parts.get("street", "")
        parts["street"] = cur[cur.index(street.place) :] if street.place in cur else result.street
    community = hits.get("community") or hits.get("local")
    if community is not None and not any(
        community.place in v for k, v in parts.items() if k not in ("village", "community")
    ):
        name = community.place
        for key in ("village", "community"):
            cur = parts.get(key, "")
            if name in cur:
                parts[key] = cur[cur.index(name) :]
                break
        else:
            heard = community.heard
            own = [parts[k] for k in ("village", "community") if k in parts]
            if not own or any(heard in v or v in heard for v in own):
                parts["community"] = name  # 红梅心村 -> 红梅新村; not 锦绣(路) over 联洋花园
    admin = [k for k in ("district", "street") if k in parts]
    checked = {"district": result.district, "street": result.street}
    gz = places()
    for key in admin:
        if checked[key] and parts[key] == checked[key]:
            continue
        if key == "street" and street is not None:
            continue
        if key == "district" and gz is not None and gz.find(parts[key], 2) >= 0:
            continue
        verified = "false"
        break
    else:
        verified = "true" if admin or "local" in hits else ""
    flags = {"verified": verified, "snap_conf": f"{result.confidence:.2f}"}
    changed = [f"{h.heard}→{h.place}" for h in result.hits if h.heard != h.place]
    if changed:
        flags["snapped"] = " ".join(changed)
    return flags
