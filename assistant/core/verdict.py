"""The call's verdict (accept / refer / decline), channel, reason and urgency, latched.

A verdict found with confidence holds for the rest of the call: later turns (the address,
the name, thanks, "so what do I do now?") do not overwrite it. It changes only on *stronger*
contrary evidence, or when the call-taker overrides it. Each piece of evidence has a
strength:

=====  ==================================================================================
 str.  evidence
=====  ==================================================================================
 0.9   a scope rule found by meaning only (semantic) in the caller's words
 1.0   the caller's words analysed as an ordinary request (accept)
 1.5   an emergency rule found by meaning only (the agent's advice under a condition,
       如果看到明火请拨打119, is no evidence at all)
 2.0   a scope rule matched by keyword / pattern in the caller's words; the agent's plain
       advice of another channel (您可以向仲裁委申请仲裁)
 2.5   the agent accepting the request (我们会把您的诉求转交相关部门办理)
 3.0   an emergency rule matched in the caller's words; the agent saying the matter is
       outside the remit (这个诉求我们没法受理)
 4.0   the agent transferring the call or sending the caller to 110 / 119 / 120 / 122
10.0   the call-taker's override
=====  ==================================================================================

Urgency never goes down during a call (:meth:`VerdictLatch.raise_urgency`).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.dialogue import AgentStance
from knowledge.rules import EMERGENCY_CHANNELS
from knowledge.types import Analysis

__all__ = ["OVERRIDE", "VerdictEvidence", "VerdictLatch", "agent_evidence", "caller_evidence"]

URGENCY_RANK = {"normal": 0, "urgent": 1, "emergency": 2}
OVERRIDE = 10.0
# (emergency?, found by meaning only?) -> strength of a scope rule in the caller's words
_CALLER_STRENGTH = {(True, False): 3.0, (True, True): 1.5, (False, False): 2.0, (False, True): 0.9}
# (emergency channel?, strong?) -> strength of the agent's referral
_AGENT_STRENGTH = {(True, True): 4.0, (False, True): 3.0, (False, False): 2.0}


@dataclass(frozen=True, slots=True)
class VerdictEvidence:
    """One reason for the call's verdict: what it says, how strong it is, where it came from."""

    verdict: str
    channel: str | None
    reason: str | None
    strength: float
    source: str  # caller | agent | override
    turn: int | None = None  # index of the final segment in the transcript
    rule_id: str | None = None
    cue: str = ""  # the words that carried it
    urgency: str = "normal"
    guidance: str | None = None  # the script for it (the rule's, when one is known)

    @property
    def emergency(self) -> bool:
        return self.urgency == "emergency" or (
            self.verdict == "refer" and self.channel in EMERGENCY_CHANNELS
        )


def caller_evidence(a: Analysis, turn: int | None) -> VerdictEvidence | None:
    """What an analysis of the caller's words says about the verdict (None: nothing usable)."""
    if a.verdict == "accept":
        if not a.categories:
            return None
        # an uncertain analysis (no clear category) does not make the call an emergency
        urgency = "urgent" if a.uncertain and a.urgency == "emergency" else a.urgency
        return VerdictEvidence("accept", None, None, 1.0, "caller", turn, urgency=urgency)
    emergency = a.urgency == "emergency" or a.channel in EMERGENCY_CHANNELS
    semantic = a.rule_match == "semantic"
    strength = _CALLER_STRENGTH[emergency, semantic]
    return VerdictEvidence(
        a.verdict, a.channel, a.reason, strength, "caller", turn, a.rule_id, urgency=a.urgency
    )


def agent_evidence(stance: AgentStance, turn: int | None) -> VerdictEvidence | None:
    """What the agent's referral, transfer, decline or acceptance says about the verdict
    (None for safety advice under a condition: 如果看到明火，请立即拨打119)."""
    if stance.verdict == "accept":
        return VerdictEvidence("accept", None, None, 2.5, "agent", turn, cue=stance.cue)
    emergency = stance.channel in EMERGENCY_CHANNELS
    if emergency and not stance.strong:
        return None  # advice under a condition or beside a dispatch
    if stance.verdict == "decline" and not stance.reason:
        # "out of scope" with no reason or channel given: a decline, but weaker than a
        # specific finding already made (the caller's case is in court: a court referral)
        return VerdictEvidence("decline", None, "no_substance", 2.0, "agent", turn, cue=stance.cue)
    strength = _AGENT_STRENGTH[emergency, stance.strong]
    return VerdictEvidence(
        stance.verdict,
        stance.channel,
        stance.reason,
        strength,
        "agent",
        turn,
        cue=stance.cue,
        urgency="emergency" if emergency and stance.strong else "normal",
    )


class VerdictLatch:
    """The strongest evidence so far decides; ties keep the earlier (the first cause)."""

    def __init__(self) -> None:
        self.current: VerdictEvidence | None = None
        self.urgency = "normal"

    def offer(self, ev: VerdictEvidence | None) -> bool:
        """Consider new evidence; True when it changed the call's verdict or channel."""
        if ev is None:
            return False
        self.raise_urgency(ev.urgency)
        cur = self.current
        if cur is not None and ev.strength <= cur.strength:
            return False
        changed = cur is None or (cur.verdict, cur.channel, cur.reason) != (
            ev.verdict,
            ev.channel,
            ev.reason,
        )
        self.current = ev
        return changed

    def raise_urgency(self, urgency: str) -> None:
        """Urgency only goes up during a call."""
        if URGENCY_RANK.get(urgency, 0) > URGENCY_RANK[self.urgency]:
            self.urgency = urgency

    @property
    def verdict(self) -> str:
        return self.current.verdict if self.current is not None else "accept"

    @property
    def channel(self) -> str | None:
        return self.current.channel if self.current is not None else None

    @property
    def reason(self) -> str | None:
        return self.current.reason if self.current is not None else None
