"""The questions of a call: recognising the agent's own questions for a field, and the next
question to suggest (contact details first, then the request itself)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant import extract
from assistant.core.readback import script_text
from assistant.core.state import Alert, FieldValue
from knowledge.types import Analysis

_QUESTION_ORDER = ("name", "phone", "address")
_FALLBACK_QUESTIONS = {
    "name": "请问您怎么称呼？",
    "phone": "请问您的联系电话是多少？",
    "address": "请问问题发生的具体地址是哪里？麻烦说一下区、街道、小区和楼栋号。",
    "category": "麻烦您再具体说一下遇到的问题，是什么事情、影响到了哪些方面？",
}
_ASK_ADDRESS_RE = re.compile(
    r"地址|哪个小区|哪个区|在哪|什么位置|哪里|哪条路|哪个村|具体位置|几号楼"
)
_AGENT_FIELD_ONLY_RE = re.compile(r"^(请问)?(您|你)?(贵姓|怎么称呼|电话|联系方式|地址|号码)")


def fields_asked(text: str) -> list[str]:
    """The fields (name, phone, address) one agent segment asks the caller for."""
    asked = []
    if extract.agent_asks_name(text):
        asked.append("name")
    if extract.agent_asks_phone(text):
        asked.append("phone")
    if _ASK_ADDRESS_RE.search(text):
        asked.append("address")
    return asked


def only_asks_for_field(text: str) -> bool:
    """The agent segment is just a question for a contact field (no paraphrase of the request)."""
    return _AGENT_FIELD_ONLY_RE.search(text) is not None


def next_question(
    engine: Any,
    *,
    verdict: str,
    fields: Mapping[str, FieldValue],
    alerts: Sequence[Alert],
    has_content: bool,
    analysis: Analysis | None,
    category_locked: bool,
) -> str | None:
    """The question the agent should ask next, or None (nothing missing, or an emergency).

    A missing or incomplete contact field comes first (the address only for accepted
    requests); then, for accepted requests, the request itself while it is unclear.
    """

    def q(field: str) -> str:
        return script_text(engine, "question", field) or _FALLBACK_QUESTIONS[field]

    if any(a.kind == "emergency" for a in alerts):
        return None
    for name in _QUESTION_ORDER:
        if name == "address" and verdict != "accept":
            continue
        fv = fields.get(name)
        if fv is None or not fv.value or fv.extra.get("complete") == "false":
            return q(name)
    if verdict == "accept" and (
        not has_content or analysis is None or (analysis.uncertain and not category_locked)
    ):
        return q("category")
    return None
