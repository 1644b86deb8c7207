"""Thin adapters between the screens and the core (session, store, scripts).

Keeping every call into ``assistant.session`` / ``assistant.store`` / ``knowledge`` in one
module means a screen never depends on the details of their result objects.
Nothing here imports textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Imported here, at start-up on the UI thread (about 0.2 s), so that no UI-thread call
# ever waits on the import lock of a module a worker thread is still importing.
from assistant import session as _session_module
from assistant import store as _store_module
from assistant.state import SessionState
from knowledge.types import Leaf
from tui.format import CLOSING_SCRIPT, FIELD_LABELS, readback_text


def new_session(engine: Any, clock: Callable[[], datetime]) -> Any:
    return _session_module.CallSession(engine, clock=clock)


def semantic_state(engine: Any) -> str:
    """``ready`` | ``loading`` | ``off`` (no embedding backend) | ``failed``."""
    if engine is None:
        return "loading"
    if bool(getattr(engine, "semantic_ready", True)):
        return "ready"
    if getattr(engine, "embedding_error", None) is not None:
        return "failed"
    if str(getattr(engine, "backend_description", "")).startswith("none"):
        return "off"
    return "loading"


def catalogue_of(engine: Any) -> Any:
    return getattr(engine, "catalogue", None)


def leaf_by_id(engine: Any, leaf_id: str | None) -> Leaf | None:
    cat = catalogue_of(engine)
    if cat is None or not leaf_id:
        return None
    getter = getattr(cat, "get", None)
    if getter is not None:
        leaf = getter(leaf_id)
        if leaf is not None:
            return leaf
    for leaf in getattr(cat, "leaves", ()):
        if leaf.id == leaf_id:
            return leaf
    return None


def leaf_for_state(engine: Any, state: SessionState | None) -> Leaf | None:
    """The catalogue leaf the session's category field names (id in extra, or path/name)."""
    if state is None:
        return None
    fv = state.fields.get("category")
    if fv is None or not fv.value:
        return None
    leaf = leaf_by_id(engine, fv.extra.get("leaf_id") or fv.value)
    if leaf is not None:
        return leaf
    for s in state.suggestions:
        if fv.value in (s.leaf.id, s.leaf.path_text, s.leaf.name):
            return s.leaf
    cat = catalogue_of(engine)
    for lf in getattr(cat, "leaves", ()):
        if fv.value in (lf.id, lf.path_text, lf.name):
            return lf
    return None


def form_values(state: SessionState | None, leaf: Leaf | None) -> dict[str, str]:
    out = {name: "" for name in FIELD_LABELS}
    if state is None:
        return out
    for name in FIELD_LABELS:
        fv = state.fields.get(name)
        out[name] = fv.value if fv else ""
    if leaf is not None:
        out["category"] = leaf.path_text
    return out


def readback(engine: Any, values: dict[str, str], state: SessionState | None = None) -> str:
    if state is not None:
        try:
            text = _session_module.readback(state, engine)
            if text:
                return text
        except Exception:
            pass
    scripts = getattr(engine, "scripts", None)
    if scripts is not None and hasattr(scripts, "readback"):
        try:
            return str(scripts.readback(**{k: v for k, v in values.items() if v}))
        except Exception:
            pass
    return readback_text(values)


def closing(engine: Any) -> str:
    scripts = getattr(engine, "scripts", None)
    if scripts is not None and hasattr(scripts, "closing"):
        try:
            return str(scripts.closing())
        except Exception:
            pass
    return CLOSING_SCRIPT


def opening(engine: Any) -> str:
    scripts = getattr(engine, "scripts", None)
    if scripts is not None and hasattr(scripts, "opening"):
        try:
            return str(scripts.opening())
        except Exception:
            pass
    return "您好，这里是12345政务服务便民热线，请问有什么可以帮您？"


# ---- ticket store -------------------------------------------------------------------------


def draft_from_state(state: SessionState) -> Any:
    return _store_module.TicketDraft.from_session_state(state)


def validate_draft(draft: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in draft.validate():
        if isinstance(p, tuple):
            out.append((str(p[0]), str(p[1])))
        else:
            out.append((str(p.field), str(p.message)))
    return out


def call_info(
    state: SessionState,
    *,
    ended_at: datetime | None = None,
    session_path: str | None = None,
    ops: Any = (),
) -> Any:
    return _store_module.CallInfo.from_session_state(
        state, ended_at=ended_at, session_path=session_path, ops=ops
    )


def history_briefs(history: Any) -> list[TicketBrief]:
    """``caller_history`` result (an object with ``last``, or a plain list) as briefs."""
    if history is None:
        return []
    items = getattr(history, "last", history)
    return briefs(items)


@dataclass(frozen=True, slots=True)
class TicketBrief:
    """What the UI shows of a ticket (from whatever object the store returns)."""

    key: str  # the store's id, as text
    number: str
    status: str
    created: str
    category: str
    address: str
    summary: str
    phone: str
    reason: str = ""
    raw: Any = None


def _get(obj: Any, *names: str, default: Any = "") -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def brief(obj: Any) -> TicketBrief:
    """Normalise a ticket / duplicate-candidate / history row into a :class:`TicketBrief`."""
    ticket = _get(obj, "ticket", default=None) or obj
    reason = _get(obj, "reason", "why", default="") if ticket is not obj else ""
    if isinstance(reason, (list, tuple)):
        reason = "、".join(str(r) for r in reason)
    created = _get(ticket, "created_at", default=None)
    created_text = (
        created.strftime("%Y-%m-%d %H:%M") if isinstance(created, datetime) else str(created or "")
    )
    if isinstance(reason, str):
        reason = {"same_address_category": "同地址同分类", "similar_text": "诉求相似"}.get(
            reason, reason
        )
    return TicketBrief(
        key=str(_get(ticket, "id", "number")),
        number=str(_get(ticket, "number", "id")),
        status=str(_get(ticket, "status", default="")),
        created=created_text,
        category=str(_get(ticket, "category_path", "category", default="")),
        address=str(_get(ticket, "address", default="")),
        summary=str(_get(ticket, "summary", default="")),
        phone=str(_get(ticket, "phone", default="")),
        reason=str(reason or ""),
        raw=ticket,
    )


def briefs(items: Iterable[Any] | None) -> list[TicketBrief]:
    return [brief(x) for x in (items or ())]


# ---- crash restore ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftBrief:
    """What the restore prompt shows of an unfinished call (phone and last words masked)."""

    info: Any  # assistant.files.drafts.DraftInfo
    started: str
    name: str
    phone_masked: str
    n_events: int
    last_text: str


def unfinished_drafts(drafts_dir: Any) -> list[Any]:
    """``assistant.files.drafts.find_unfinished`` (newest first)."""
    from assistant.files.drafts import find_unfinished

    return list(find_unfinished(drafts_dir))


def draft_brief(info: Any) -> DraftBrief:
    """Time, caller name and masked phone of a draft: the call-taker's own entries when
    there are some, else what the extractors find in the caller's words (worker thread)."""
    from assistant.files.drafts import read_ops
    from assistant.masking import mask_phone, mask_text

    _header, ops = read_ops(info.path)
    values: dict[str, str] = {}
    for op in ops:
        if op.get("op") == "set_field" and op.get("name") in ("name", "phone"):
            values[str(op["name"])] = str(op.get("value") or "")
    if not values.get("name") or not values.get("phone"):
        from assistant import extract

        for op in ops:
            if op.get("op") != "event":
                continue
            ev = op.get("event") or {}
            if ev.get("speaker") != "caller" or not ev.get("text"):
                continue
            text = str(ev["text"])
            try:
                if not values.get("phone"):
                    fv = extract.extract_phone(text)
                    if fv is not None and fv.extra.get("complete") != "false":
                        values["phone"] = fv.value
                if not values.get("name"):
                    fv = extract.extract_name(text, asked=True)
                    if fv is not None:
                        values["name"] = fv.value
            except Exception:
                continue
    started = info.started_at or info.modified
    return DraftBrief(
        info=info,
        started=started.strftime("%Y-%m-%d %H:%M") if started else "",
        name=values.get("name", ""),
        phone_masked=mask_phone(values.get("phone", "")),
        n_events=int(info.n_events),
        last_text=mask_text(str(info.last_text or "")),
    )


def restore_draft(info: Any, engine: Any, clock: Callable[[], datetime]) -> tuple[Any, Any]:
    """Rebuild the session of a draft; the journal keeps appending to the same file."""
    from assistant.files.drafts import restore

    return restore(info, engine, clock=clock, resume=True)


def discard_draft(info: Any) -> None:
    """Delete the draft file (the call-taker chose 放弃)."""
    from pathlib import Path

    Path(info.path).unlink(missing_ok=True)
