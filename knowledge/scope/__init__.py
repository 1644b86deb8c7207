"""Scope model beyond the rule file: the case bank of real hotlines' published cases
(:mod:`.cases`), the calibrated bank matcher (:mod:`.matcher`), the evaluation split by source
(:mod:`.evaluate`) and the overfitting audit of how the rules fire on a dev set (:mod:`.audit`)."""

from knowledge.scope.audit import LonelyHit, lonely_pattern_hits
from knowledge.scope.cases import CaseBank, ScopeCase, ScopeSource, load_cases
from knowledge.scope.matcher import DEFAULT_THRESHOLDS, BankJudgement, CaseMatcher, ScopeThresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "BankJudgement",
    "CaseBank",
    "CaseMatcher",
    "LonelyHit",
    "ScopeCase",
    "ScopeSource",
    "ScopeThresholds",
    "load_cases",
    "lonely_pattern_hits",
]
