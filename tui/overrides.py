"""The call-taker's verdict overrides (改判) and how the stored ticket's audit trail shows them.

An override is a ``set_verdict`` operation of the :class:`~assistant.core.session.CallSession`
(journalled and replayed like every other change). The audit trail of the submitted ticket
records, for each override, a ``call_taker`` / ``edited`` / ``verdict`` row at its moment,
valued ``"refer/110 -> accept"``; and the assistant's own verdict (the one before the first
override) as its ``suggested`` verdict (and channel / reason), so that the submit rows say
``edited verdict: refer -> accept``. Nothing here imports textual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.core.session import CallSession
    from assistant.core.state import SessionState
    from assistant.store import CallInfo

__all__ = ["VerdictOverride", "audit_overrides", "replay_overrides", "verdict_code"]

Verdict = tuple[str, str | None, str | None]  # (verdict, channel, reason)


def verdict_code(verdict: Verdict) -> str:
    """``accept``, ``refer/110``, ``decline/superstition``."""
    v, channel, reason = verdict
    detail = channel if v == "refer" else reason if v == "decline" else None
    return f"{v}/{detail}" if detail else v


def state_verdict(state: SessionState) -> Verdict:
    return (state.verdict, state.channel, state.reason)


@dataclass(frozen=True, slots=True)
class VerdictOverride:
    """One override: the call's verdict before and after, at call time ``at`` (seconds)."""

    at: float | None
    before: Verdict
    after: Verdict

    @property
    def change(self) -> str:
        return f"{verdict_code(self.before)} -> {verdict_code(self.after)}"


def _op_verdict(op: Mapping[str, Any]) -> Verdict:
    return (str(op["verdict"]), op.get("channel"), op.get("reason"))


def replay_overrides(session: CallSession) -> list[VerdictOverride]:
    """Every override of ``session`` with the verdict it replaced, by replaying its
    operations (a restored call, whose overrides were made before the crash)."""
    from assistant.core.session import CallSession

    ops = list(session.ops)
    if not any(op.get("op") == "set_verdict" for op in ops):
        return []
    data = {**session.to_dict(), "ops": []}
    fresh = CallSession.from_dict(data, session.engine)
    out: list[VerdictOverride] = []
    for op in ops:
        if op.get("op") == "set_verdict":
            at = op.get("at")
            before = state_verdict(fresh.state)
            out.append(
                VerdictOverride(
                    at if isinstance(at, int | float) else None, before, _op_verdict(op)
                )
            )
        fresh.apply_op(op)
    return out


def audit_overrides(
    suggestions: Mapping[str, str], call: CallInfo, overrides: Sequence[VerdictOverride]
) -> tuple[dict[str, str], CallInfo]:
    """The submit's ``suggestions`` and ``call`` with the overrides in the audit trail."""
    out = dict(suggestions)
    if not overrides:
        return out, call
    verdict, channel, reason = overrides[0].before  # what the assistant had found
    out["verdict"] = verdict
    for name, value in (("channel", channel), ("reason", reason)):
        if value:
            out[name] = value
        else:
            out.pop(name, None)
    rows = [
        {"at": o.at, "action": "edited", "field": "verdict", "value": o.change} for o in overrides
    ]
    changes = sorted(
        [*call.changes, *rows], key=lambda ch: float(ch["at"]) if ch.get("at") is not None else 0.0
    )
    return out, replace(call, changes=tuple(changes))
