"""Stable category suggestions for a live call (hysteresis).

The request (the caller's narrative and the agent's read-back, :func:`request_query`) is
analysed by the knowledge engine after every segment that adds to it (exponential smoothing
over the analyses), a listed category keeps a bonus, and a new leader only takes the top
place after leading twice in a row or by a clear margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.types import Analysis, Suggestion


@dataclass(frozen=True, slots=True)
class StabilityConfig:
    """Tuning of the category suggestions (see module docstring)."""

    decay: float = 0.45  # weight of the previous evidence at each caller update
    incumbent_bonus: float = 0.15  # listed categories keep this relative bonus
    top_margin: float = 0.3  # a challenger this much stronger takes the top at once
    top_patience: int = 2  # ... otherwise it must lead this many updates in a row
    max_chars: int = 100  # request text analysed (see request_query; cost grows with it)
    head_share: float = 0.6  # ... of which the start of the caller's narrative


def _join(parts: Sequence[str]) -> str:
    return "。".join(p.rstrip("。，,.!！?？ ") for p in parts if p.strip())


def request_query(
    content: Sequence[str], readbacks: Sequence[str], max_chars: int, head_share: float = 0.6
) -> str:
    """The request text to analyse, within ``max_chars``: the agent's latest read-back of
    the request first, then the caller's narrative from the start of the call (where the
    problem is usually stated), and when that is too long its first ``head_share`` and
    the most recent turns (where a late request is)."""
    lead = readbacks[-1].rstrip("。，,.!！?？ ") if readbacks else ""
    budget = max_chars - len(lead)
    if budget <= 0:
        return lead[:max_chars]
    text = _join(content)
    if len(text) > budget:
        head_len = int(budget * head_share)
        room = budget - head_len
        head, tail = text[:head_len], ""
        for i, t in enumerate(reversed(content)):  # recent turns, most recent first
            t = t.rstrip("。，,.!！?？ ")
            if len(tail) + len(t) + 1 > room:
                if i == 0:  # the latest turn alone is too long: its beginning
                    tail = t[:room]
                break
            tail = t + ("。" + tail if tail else "")
        text = head + ("。" + tail if tail else "")
    return "。".join(x for x in (lead, text) if x)


class SuggestionStabiliser:
    """The ranked category suggestions of one call, updated analysis by analysis.

    ``shown`` lists the leaf ids on display (best first, at most ``k``), ``scores`` the
    combined evidence of every remembered leaf and ``suggestions`` the latest
    :class:`~knowledge.types.Suggestion` seen for each leaf id.
    """

    def __init__(self, cfg: StabilityConfig, k: int) -> None:
        self.cfg = cfg
        self.k = k
        self.scores: dict[str, float] = {}  # combined evidence used for ranking
        self.suggestions: dict[str, Suggestion] = {}
        self.shown: list[str] = []
        self._challenger: tuple[str | None, int] = (None, 0)

    def add(self, analysis: Analysis) -> None:
        """An analysis of the request so far."""
        self.scores = self._smooth(self.scores, analysis, decay=self.cfg.decay)
        self._rank()

    def top(self) -> Suggestion | None:
        """The suggestion on top, or None before any analysis."""
        return self.suggestions[self.shown[0]] if self.shown else None

    def ranked(self) -> tuple[Suggestion, ...]:
        """The suggestions on display, best first, each with its combined score."""
        return tuple(
            Suggestion(
                leaf=self.suggestions[lid].leaf,
                score=round(self.scores.get(lid, 0.0), 4),
                evidence=self.suggestions[lid].evidence,
            )
            for lid in self.shown
        )

    def top_share(self) -> float:
        """The top suggestion's share of the evidence of all shown ones."""
        total = sum(self.scores.get(x, 0.0) for x in self.shown) or 1.0
        return self.scores.get(self.shown[0], 0.0) / total

    def _smooth(
        self, old: dict[str, float], analysis: Analysis, *, decay: float
    ) -> dict[str, float]:
        """Exponential smoothing of the (top-normalised) leaf scores of one analysis."""
        cats = analysis.categories
        top = max((c.score for c in cats), default=0.0) or 1.0
        new = {c.leaf.id: max(c.score, 0.0) / top for c in cats}
        for c in cats:
            self.suggestions[c.leaf.id] = c
        out = {
            lid: old.get(lid, 0.0) * decay + (1.0 - decay) * new.get(lid, 0.0)
            for lid in set(old) | set(new)
        }
        best = max(out.values(), default=0.0)
        return {k: v for k, v in out.items() if v >= best * 0.05}  # forget negligible leaves

    def _rank(self) -> None:
        cfg = self.cfg
        shown = set(self.shown)
        disp = {
            lid: s * (1.0 + cfg.incumbent_bonus if lid in shown else 1.0)
            for lid, s in self.scores.items()
        }
        order = sorted(disp, key=lambda lid: (-disp[lid], lid))[: self.k]
        if self.shown and order and order[0] != self.shown[0] and self.shown[0] in self.scores:
            champ, chall = self.shown[0], order[0]
            decisive = self.scores[chall] >= self.scores[champ] * (1.0 + cfg.top_margin)
            name, count = self._challenger
            count = count + 1 if name == chall else 1
            if decisive or count >= cfg.top_patience:
                self._challenger = (None, 0)
            else:
                self._challenger = (chall, count)
                order = [champ, *[x for x in order if x != champ][: self.k - 1]]
        else:
            self._challenger = (None, 0)
        self.shown = order
