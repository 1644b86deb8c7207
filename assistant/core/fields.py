"""The ticket fields of a live call: values found in the caller's and the agent's words,
and the call-taker's edits, which lock a field against later automatic values.

A locked field keeps the latest automatic value visible in ``extra["suggested"]``.
``values`` may hold private working entries whose name starts with ``_`` (the merged
address suggestion); :meth:`CallFields.public` leaves them out.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from assistant import extract
from assistant.core.questions import fields_asked
from assistant.core.state import FieldValue
from knowledge.types import Leaf

_ASKED_WINDOW = 30.0  # s: an answer this soon after the agent's question is expected


def category_value(leaf: Leaf, status: str, conf: float) -> FieldValue:
    """The ``category`` field for a catalogue leaf."""
    return FieldValue(
        name="category",
        value=leaf.id,
        confidence=round(conf, 3),
        source_text=leaf.path_text,
        status=status,  # type: ignore[arg-type]
        extra={
            "path": leaf.path_text,
            "department": leaf.department,
            "deadline": leaf.deadline,
            "leaf_name": leaf.name,
        },
    )


class CallFields:
    """Field values of one call, with the locks set by the call-taker's edits."""

    def __init__(self) -> None:
        self.values: dict[str, FieldValue] = {}
        self.locked: set[str] = set()
        self._phone = extract.PhoneTracker()
        self._asked: dict[str, float] = {}  # field -> call time the agent last asked for it

    def public(self) -> dict[str, FieldValue]:
        """The ticket fields (without the private working entries)."""
        return {k: v for k, v in self.values.items() if not k.startswith("_")}

    def offer(self, fv: FieldValue) -> None:
        """A new automatic value: take it unless the call-taker has locked the field."""
        name = fv.name
        if name in self.locked:
            cur = self.values[name]
            if cur.extra.get("suggested") != fv.value:
                self.values[name] = replace(cur, extra={**cur.extra, "suggested": fv.value})
            return
        self.values[name] = fv

    def propose_category(self, leaf: Leaf, conf: float, *, dispatchable: bool) -> None:
        """The top suggestion for the ``category`` field, while the call-taker has not chosen
        one; once chosen, the top suggestion stays visible in ``extra["suggested"]``."""
        if "category" not in self.locked and not dispatchable:
            # Referred or declined: nothing is dispatched, so no department is proposed
            # (the suggestions stay visible; the call-taker may still choose one).
            self.values.pop("category", None)
        elif "category" not in self.locked:
            self.values["category"] = category_value(leaf, "suggested", conf)
        else:
            cur = self.values["category"]
            if cur.extra.get("suggested") != leaf.id:
                self.values["category"] = replace(cur, extra={**cur.extra, "suggested": leaf.id})

    def kept_suggestion(self, name: str) -> dict[str, str]:
        """``{"suggested": ...}`` to carry the automatic value over into an edit (or ``{}``)."""
        old = self.values.get(name)
        suggested = (
            old.extra.get("suggested", old.value)
            if old is not None and old.status == "suggested"
            else (old.extra.get("suggested", "") if old else "")
        )
        return {"suggested": suggested} if suggested else {}

    def set_category(self, leaf: Leaf, status: str, extra: dict[str, str]) -> None:
        """The call-taker's catalogue leaf (``extra``: the automatic value carried over)."""
        fv = category_value(leaf, status, 1.0)
        self.values["category"] = replace(fv, extra={**fv.extra, **extra})
        self.locked.add("category")

    def set_typed(
        self, name: str, value: str, status: str, at: float | None, extra: dict[str, str]
    ) -> None:
        """The call-taker's value for a text field; the field is locked from now on."""
        if name == "address":
            parts = extract.address_parts(value)
            extra.update({k: v for k, v in parts.items()})
        if name == "phone":
            kind = extract.phone_kind(re.sub(r"\D", "", value))
            if kind:
                extra["kind"] = kind
        self.values[name] = FieldValue(
            name=name,
            value=value,
            confidence=1.0,
            source_text="",
            status=status,  # type: ignore[arg-type]
            at=at,
            extra=extra,
        )
        self.locked.add(name)

    def confirm(self, name: str) -> FieldValue:
        """Mark the current value of ``name`` confirmed (and locked); returns that value."""
        cur = self.values[name]
        self.values[name] = replace(cur, status="confirmed")
        self.locked.add(name)
        return cur

    def on_agent(self, text: str, at: float) -> None:
        """An agent segment ending at call time ``at``: the questions it asks, the agent
        reading the number back (taken when the caller's own is not valid) and the address
        (its places taken when it names the caller's district and street)."""
        for name in fields_asked(text):
            self._asked[name] = at
        surname = extract.agent_title_surname(
            text, by_sound=self._recently_asked("name", at, window=60.0)
        )
        if surname:
            self._agent_names(surname, text, at)
        readback = self._phone.feed_agent(
            text, at, expecting=self._recently_asked("phone", at, window=60.0)
        )
        if readback is not None:
            self.offer(readback)
        cur = self.values.get("address")
        if cur is not None and cur.status == "suggested":
            address = extract.readback_address(self.values.get("_address_suggestion"), text, at=at)
            if address is not None:
                self.values["_address_suggestion"] = address
                self.offer(address)

    def on_caller(self, text: str, at: float, started_at: datetime) -> None:
        """A caller segment starting at call time ``at``: name, phone, address, incident time."""
        name = extract.extract_name(text, at=at, asked=self._recently_asked("name", at))
        if name is not None:
            self._caller_name(name)
        phone = self._phone.feed(text, at, expecting=self._recently_asked("phone", at))
        if phone is not None:
            cur = self.values.get("phone")
            complete = phone.extra.get("complete") == "true"
            if complete or cur is None or cur.extra.get("complete") == "false":
                self.offer(phone)
        self._on_caller_address(text, at)
        if "incident_time" not in self.values:
            when = extract.extract_incident_time(
                text, call_time=started_at + timedelta(seconds=at), at=at
            )
            if when is not None:
                self.offer(when)

    def _caller_name(self, name: FieldValue) -> None:
        """The caller's name: a full name beats a surname already found, else the latest
        wins; the agent's form of address (钱先生) keeps its character for a surname that
        sounds the same unless the caller described theirs (金字旁的钱)."""
        cur = self.values.get("name")
        if cur is not None and cur.status == "suggested":
            if (
                cur.extra.get("kind") == "full_name"
                and name.extra.get("kind") == "surname"
                and cur.value.startswith(name.value)
            ):
                return
            agent = cur.extra.get("agent_surname", "")
            said = extract.name_surname(name.value) or name.extra.get("surname", "")
            if agent and said and name.extra.get("described") != "true":
                if said != agent and extract.same_sound(said, agent):
                    name = replace(
                        name,
                        value=agent + name.value[len(said) :],
                        extra={**name.extra, "surname": agent, "caller_said": said},
                    )
                if name.value.startswith(agent):
                    name = replace(name, extra={**name.extra, "agent_surname": agent})
        self.offer(name)

    def _agent_names(self, surname: str, text: str, at: float) -> None:
        """The agent addresses the caller as 钱先生: the surname when the caller's is not
        known yet, a confirmation when it is the same, the agent's character when the
        caller's sounds the same (heard 前 for 钱) and was not described."""
        cur = self.values.get("name")
        if cur is None:
            self.offer(
                FieldValue(
                    name="name",
                    value=surname,
                    confidence=0.6,
                    source_text=text,
                    status="suggested",
                    at=at,
                    extra={
                        "kind": "surname",
                        "surname": surname,
                        "agent_surname": surname,
                        "source": "agent_title",
                    },
                )
            )
            return
        if cur.status != "suggested":
            return
        said = extract.name_surname(cur.value) or cur.extra.get("surname", "")
        if cur.extra.get("by_sound") == "true" and said != surname:
            # the caller's surname was only guessed from its sound: the agent's form wins
            self.values["name"] = replace(
                cur,
                value=surname + cur.value[len(said) :],
                extra={**cur.extra, "surname": surname, "agent_surname": surname},
            )
        elif said == surname:
            self.values["name"] = replace(
                cur,
                confidence=max(cur.confidence, 0.9),
                extra={**cur.extra, "agent_surname": surname, "confirmed_by": "agent"},
            )
        elif said and extract.same_sound(said, surname) and cur.extra.get("described") != "true":
            self.values["name"] = replace(
                cur,
                value=surname + cur.value[len(said) :],
                extra={
                    **cur.extra,
                    "surname": surname,
                    "agent_surname": surname,
                    "caller_said": said,
                },
            )
        elif not said and cur.extra.get("source") == "agent_title":
            self.values["name"] = replace(
                cur,
                value=surname,
                extra={**cur.extra, "surname": surname, "agent_surname": surname},
            )

    def _on_caller_address(self, text: str, at: float) -> None:
        cur_addr = self.values.get("address")
        addr = extract.extract_address(text, at=at, near=self.values.get("_address_suggestion"))
        if addr is None and cur_addr is not None:
            parts = extract.address_parts(text)
            if parts and set(parts) <= {"building", "unit", "room"}:
                addr = FieldValue(
                    name="address", value="", confidence=0.5, source_text=text, at=at, extra=parts
                )
        if addr is not None:
            base = cur_addr if cur_addr is not None and cur_addr.status == "suggested" else None
            if cur_addr is not None and cur_addr.status != "suggested":
                base = self.values.get("_address_suggestion")
            merged = extract.merge_address(base, addr) if addr.value or base else None
            if merged is not None and merged.value:
                self.values["_address_suggestion"] = merged
                self.offer(merged)

    def _recently_asked(self, name: str, at: float, window: float = _ASKED_WINDOW) -> bool:
        t = self._asked.get(name)
        return t is not None and 0 <= at - t <= window


def warm_up_extractors() -> None:
    """Load the extraction libraries (cpca, jionlp tables) once, so the first segment is fast."""
    extract.surnames()
    extract.extract_address("北京市朝阳区幸福小区3号楼")
    extract.extract_incident_time("昨天晚上十点", call_time=datetime(2024, 1, 1, 12, 0))
    extract.draft_request(["楼下烧烤太吵了，希望处理"])
