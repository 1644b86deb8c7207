"""Scope-model helpers beyond the rule file: audits of how the rules fire on a dev set."""

from knowledge.scope.audit import LonelyHit, lonely_pattern_hits

__all__ = ["LonelyHit", "lonely_pattern_hits"]
