"""Script lines of the knowledge engine as text, and the read-back (核对) of the ticket fields.

Both the live session and ``hotline analyze`` fill scripts through these helpers: a missing
or failing script gives None and the call goes on without the line.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.core.state import SessionState


def script_text(engine: Any, name: str, *args: str) -> str | None:
    """``engine.scripts.<name>(*args)`` as text, or None when the engine has no such script
    (or it fails): the call goes on without the line."""
    method = getattr(getattr(engine, "scripts", None), name, None)
    if method is None:
        return None
    try:
        return str(method(*args))
    except Exception:
        return None


def to_you(text: str) -> str:
    """Ticket wording (其 = the caller) back to speech addressed to the caller (您)."""
    return re.sub(r"其(?!他|中|实|余|次|它)", "您", text)


def readback_script(
    engine: Any, *, name: str | None, phone: str | None, address: str | None, summary: str
) -> str | None:
    """The read-back script filled with these fields, when the engine has scripts.

    ``summary`` is the request draft (来电人反映：...。); it is read back addressed to the
    caller, without its lead-in and final full stop.
    """
    scripts = getattr(engine, "scripts", None)
    if scripts is None:
        return None
    try:
        return str(
            scripts.readback(
                name=name,
                phone=phone,
                address=address,
                summary=to_you(summary.removeprefix("来电人反映：").rstrip("。")) or None,
            )
        )
    except Exception:
        return None


def readback(state: SessionState, engine: Any = None) -> str | None:
    """The read-back script (核对) filled with the current fields, when scripts are loaded."""
    f = state.fields
    return readback_script(
        engine,
        name=f["name"].value if "name" in f else None,
        phone=f["phone"].value if "phone" in f else None,
        address=f["address"].value if "address" in f else None,
        summary=state.summary,
    )
