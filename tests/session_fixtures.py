"""A small, deterministic stand-in for the knowledge engine (fast unit tests of the session).

It uses the REAL bundled catalogue, scope rules and scripts, but scores leaves by keyword
hits only (no embeddings), so the session logic can be tested without a model. Tests through
the real :class:`knowledge.engine.KnowledgeEngine` live in ``tests/test_session_real.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.rules import RuleSet, load_rules
from knowledge.scripts import Scripts, load_scripts
from knowledge.types import Analysis, Evidence, Leaf, Suggestion

CALLS_DIR = Path(__file__).parent / "data" / "calls"
_ANGRY = re.compile(r"到底管不管|气死|太过分|投诉你们|什么态度|！！|忍无可忍|凭什么")
_DISTRESSED = re.compile(r"着急|害怕|怎么办|救命|急死|慌|没法用水|哭")


@dataclass
class FakeEngine:
    """Keyword scoring over the real catalogue; real rules and scripts."""

    catalogue: Catalogue = field(default_factory=load_catalogue)
    rules: RuleSet = field(default_factory=load_rules)
    scripts: Scripts = field(default_factory=load_scripts)
    calls: list[str] = field(default_factory=list)
    fixed: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def analyze(self, text: str, k: int = 5) -> Analysis:
        self.calls.append(text)
        scored: list[tuple[float, Leaf, tuple[str, ...]]] = []
        key = next((k for k in self.fixed if text.endswith(k)), None)
        if key is not None:  # scripted scores (keyed by the latest sentence) for stability tests
            for lid, s in self.fixed[key]:
                leaf = self.catalogue.get(lid)
                assert leaf is not None, lid
                scored.append((s, leaf, ()))
        else:
            for leaf in self.catalogue.leaves:
                hits = tuple(kw for kw in (leaf.name, *leaf.keywords) if kw and kw in text)
                if hits:
                    scored.append((sum(len(h) for h in hits) / 4.0, leaf, hits))
        scored.sort(key=lambda x: (-x[0], x[1].id))
        cats = tuple(
            Suggestion(leaf=lf, score=s, evidence=Evidence(keywords=h)) for s, lf, h in scored[:k]
        )
        verdict, channel, reason, urgency, guidance, rule_id = (
            "accept",
            None,
            None,
            "normal",
            None,
            None,
        )
        matches = self.rules.match(text)
        if matches:
            r = matches[0].rule
            verdict, channel, reason, urgency = r.verdict, r.channel, r.reason, r.urgency
            guidance, rule_id = r.script, r.id
        emotion = (
            "angry"
            if _ANGRY.search(text)
            else ("distressed" if _DISTRESSED.search(text) else "calm")
        )
        if urgency == "normal" and re.search(r"停水|没水|漏水|停电|暖气不热", text):
            urgency = "urgent"
        return Analysis(
            categories=cats,
            uncertain=len(cats) == 0,
            verdict=verdict,  # type: ignore[arg-type]
            channel=channel,
            reason=reason,
            urgency=urgency,  # type: ignore[arg-type]
            emotion=emotion,  # type: ignore[arg-type]
            guidance=guidance,
            rule_id=rule_id,
        )


def load_dev_calls() -> list[dict[str, Any]]:
    """The scripted dev calls with expected fields (tests/data/calls/*.json)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CALLS_DIR.glob("*.json"))]
