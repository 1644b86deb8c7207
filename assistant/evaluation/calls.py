"""Whole-call evaluation: scripted calls through the real call model, scored against labels.

A dev call is ``{"id", "turns": [{"speaker", "text", "acts"?}], "ticket": {"departments",
"verdict", "channel", "reason", "urgency", ...}, "split"?, "variant"?}`` (the format of
``../shared/calls/calls.jsonl``; ``tests/data/calls_devset`` holds the project's own set).
Every call goes through :func:`~assistant.core.replay.session_from_turns`, the same path as
``hotline analyze`` and the live screen, and is scored on its *final* state:

* ``department_top1`` / ``department_top3`` — accepted calls with departments: the first /
  any of the first three distinct departments of the suggestions is an acceptable one;
* ``verdict`` — accept / refer / decline; ``channel`` — refer calls: the channel;
  ``reason`` — decline calls: the reason;
* ``emergency_recall`` — calls labelled ``urgency: emergency`` end as emergency *and*, when
  the label has a 110/119/120/122 channel, with that channel; ``false_emergency`` — the
  other calls ending as emergency;
* ``telecom_top3`` — calls whose labels do not include 通信管理 but whose top three do;
  ``phone_talk_top3`` — those of them where 通信管理 leaves the top three when the call is
  replayed without its phone-number talk (the caller's numbers with the 电话是 / 手机号
  before them removed, the agent's questions for and read-backs of the number dropped): a
  department in the top three only because a phone number was given;
* ``field_answer_moves`` — the share of field-answer turns (name, phone, address and
  nothing else) after which the top department changed;
* ``act_accuracy`` — turns with labelled acts whose predicted act set is exactly the label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asr.text.numerals import digit_chars
from assistant.core.replay import session_from_turns
from assistant.core.session import CallSession, EngineLike
from assistant.errors import CallDevsetError
from assistant.extract import agent_asks_phone, digit_fragment
from knowledge.evaluation import Tally
from knowledge.rules import EMERGENCY_CHANNELS

__all__ = ["CALL_METRICS", "CallReport", "evaluate_calls", "load_calls"]

CALL_METRICS: tuple[str, ...] = (
    "department_top1", "department_top3", "verdict", "channel", "reason", "emergency_recall",
    "false_emergency", "telecom_top3", "phone_talk_top3", "field_answer_moves", "act_accuracy",
)  # fmt: skip
_TELECOM = "通信管理"
_FIELD_ACTS = frozenset({"answer_name", "answer_phone", "answer_address", "confirm", "correct"})


def load_calls(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    """Read whole-call JSON Lines files; a bad line raises naming file:line and field."""
    rows: list[dict[str, Any]] = []
    for p in paths:
        path = Path(p)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CallDevsetError(f"{where}: not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise CallDevsetError(f"{where}: a call must be a JSON object")
            turns = row.get("turns")
            if not isinstance(turns, list) or not turns:
                raise CallDevsetError(f"{where}: field 'turns' must be a non-empty list")
            if not isinstance(row.get("ticket"), dict):
                raise CallDevsetError(f"{where}: field 'ticket' (the labels) is missing")
            row["_source"] = where
            rows.append(row)
    return rows


@dataclass
class CallReport:
    """Metric -> (hits, count); the per-call results and the misses."""

    accs: dict[str, Tally]
    calls: int
    results: list[dict[str, Any]] = field(default_factory=list)

    def value(self, metric: str) -> float | None:
        return self.accs[metric].value

    def count(self, metric: str) -> tuple[int, int]:
        a = self.accs[metric]
        return a.ok, a.n

    def misses(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["failed"]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "metrics": {m: {"value": a.value, "ok": a.ok, "n": a.n} for m, a in self.accs.items()},
        }


def _departments(suggestions: Sequence[Any]) -> list[str]:
    return list(dict.fromkeys(s.leaf.department for s in suggestions))


def evaluate_calls(
    engine: EngineLike,
    calls: Sequence[dict[str, Any]],
    *,
    k: int = 5,
    progress: Callable[[int], None] | None = None,
) -> CallReport:
    """Run every call through a session and score its final state (see module docstring)."""
    accs = {m: Tally() for m in CALL_METRICS}
    results: list[dict[str, Any]] = []
    for i, call in enumerate(calls):
        gold = call["ticket"]
        turns = [{"speaker": t["speaker"], "text": t["text"]} for t in call["turns"]]
        moves = Tally()
        tops: list[str | None] = []  # the top department after every turn
        session = session_from_turns(
            engine, turns, call_id=str(call.get("id")), k=k, on_turn=_recorder(tops)
        )
        st = session.state
        depts = _departments(st.suggestions)
        checks: dict[str, bool] = {}
        ok_deps = set(gold.get("departments") or [])
        if gold.get("verdict") == "accept" and ok_deps:
            checks["department_top1"] = bool(depts[:1]) and depts[0] in ok_deps
            checks["department_top3"] = bool(ok_deps & set(depts[:3]))
        checks["verdict"] = st.verdict == gold.get("verdict")
        if gold.get("verdict") == "refer":
            checks["channel"] = st.verdict == "refer" and st.channel == gold.get("channel")
        if gold.get("verdict") == "decline":
            checks["reason"] = st.verdict == "decline" and st.reason == gold.get("reason")
        predicted_emergency = st.urgency == "emergency"
        if gold.get("urgency") == "emergency":
            ch = gold.get("channel")
            checks["emergency_recall"] = predicted_emergency and (
                ch not in EMERGENCY_CHANNELS or st.channel == ch
            )
        else:
            checks["false_emergency"] = predicted_emergency
        if _TELECOM not in ok_deps:
            checks["telecom_top3"] = _TELECOM in depts[:3]
            checks["phone_talk_top3"] = (
                checks["telecom_top3"]
                and _TELECOM
                not in _departments(
                    session_from_turns(engine, _without_phone_talk(turns), k=k).state.suggestions
                )[:3]
            )
        acts = st.dialogue_acts
        for j, t in enumerate(call["turns"]):
            gold_acts = t.get("acts")
            if gold_acts:
                accs["act_accuracy"].add(set(gold_acts) == set(acts[j]))
            field_only = bool(acts[j]) and set(acts[j]) <= _FIELD_ACTS
            if t["speaker"] == "caller" and field_only and j > 0 and tops[j - 1] is not None:
                moves.add(tops[j] != tops[j - 1])
        for m, good in checks.items():
            accs[m].add(good)
        accs["field_answer_moves"].n += moves.n
        accs["field_answer_moves"].ok += moves.ok
        bad = [m for m, good in checks.items() if good == (m in _LOWER_IS_BETTER)]
        results.append(
            {
                "id": call.get("id"),
                "source": call.get("_source"),
                "failed": bad,
                "gold": {
                    "departments": sorted(ok_deps),
                    "verdict": gold.get("verdict"),
                    "channel": gold.get("channel"),
                    "reason": gold.get("reason"),
                    "urgency": gold.get("urgency"),
                },
                "got": {
                    "departments": depts[:3],
                    "verdict": st.verdict,
                    "channel": st.channel,
                    "reason": st.reason,
                    "urgency": st.urgency,
                    "cause": None
                    if st.verdict_cause is None
                    else {"turn": st.verdict_cause.turn, "source": st.verdict_cause.source},
                },
            }
        )
        if progress is not None:
            progress(i + 1)
    return CallReport(accs, len(calls), results)


def _recorder(tops: list[str | None]) -> Callable[[CallSession], None]:
    def top_after_turn(s: CallSession) -> None:
        sugg = s.state.suggestions
        tops.append(sugg[0].leaf.department if sugg else None)

    return top_after_turn


_LOWER_IS_BETTER = frozenset(
    {"false_emergency", "telecom_top3", "phone_talk_top3", "field_answer_moves"}
)
_DIGITS = "0-9" + digit_chars(dong=True)
# a number being given: the digits, and 电话是 / 手机号 just before them (打电话 stays)
_PHONE_WORDS = re.compile(
    rf"((联系|手机|座机)?(电话|号码|手机号|手机)(号码|号)?(是|就是)?[\s,，:：]*)?[{_DIGITS}][{_DIGITS}\s-]{{2,}}"
)


def _without_phone_talk(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The call with its phone-number talk taken out (see ``phone_talk_top3``)."""
    out = []
    for t in turns:
        text = str(t["text"])
        if t["speaker"] == "agent" and (agent_asks_phone(text) or len(digit_fragment(text)) >= 7):
            continue
        if t["speaker"] == "caller":
            text = _PHONE_WORDS.sub("", text)
        out.append(dict(t, text=text))
    return out
