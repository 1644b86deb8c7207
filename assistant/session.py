"""The live call session: transcript events in, :class:`~assistant.state.SessionState` out.

:class:`CallSession` is pure (no terminal I/O, no threads). Feed it the recogniser's
:class:`~asr.events.TranscriptEvent` objects (or typed text) and the call-taker's edits;
read :attr:`CallSession.state` after each call. Everything that changes the session is an
*operation* (a small JSON-safe dict) that listeners receive — :class:`assistant.files.drafts.DraftJournal`
writes them to disk — and that :meth:`CallSession.from_dict` replays to rebuild a session.

Category suggestions are smoothed and kept stable (hysteresis): the caller's words are
analysed by the knowledge engine after every caller segment (recent turns dominate through
exponential smoothing), the agent's paraphrases add weak evidence, a listed category keeps a
bonus, and a new leader only takes the top place after leading twice in a row or by a clear
margin.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from asr.events import Speaker, TranscriptEvent
from assistant import extract
from assistant.errors import SessionFileError, ValidationError
from assistant.state import TICKET_FIELDS, Alert, DueTimes, FieldValue, SessionState
from knowledge.types import Analysis, Evidence, Leaf, Suggestion

Op = dict[str, Any]
Listener = Callable[[Op], None]

EMERGENCY_CHANNELS = ("110", "119", "120", "122")
_URGENCY_RANK = {"normal": 0, "urgent": 1, "emergency": 2}
_CHANNEL_NAMES = {"110": "110报警服务台", "119": "119消防救援", "120": "120急救中心",
                  "122": "122交通事故报警台", "court": "人民法院", "petition": "信访部门",
                  "arbitration": "劳动人事争议仲裁委员会", "consumer_association": "消费者协会"}  # fmt: skip
_REASON_NAMES = {"superstition": "涉及封建迷信", "private_matter": "属于家庭纠纷等私人事务",
                 "unlawful_demand": "诉求违反法律法规", "no_substance": "无实质诉求",
                 "no_factual_basis": "缺乏事实依据", "already_concluded": "已依法办结或信访终结"}  # fmt: skip
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
# The caller says they reported this before: 我上周已经打过了 / 这是第三次打 / 反映了好几次
_REPEAT_CALL_RE = re.compile(
    r"(已经|之前|上次|以前|早就|都|也|好几次|多次|几次|前几天|昨天|前天|上周|上个月).{0,6}"
    r"(打过|反映过|投诉过|来过电话)(?!\s*(110|119|120|122|\d))"
    r"|第[二两三四五六七八九十几\d]+次(打|来电|反映|投诉)"
    r"|(打|反映|投诉)了(好几|好多|多|几|[二两三四五六七八九十\d]+)(次|回|遍)"
)


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


class EngineLike(Protocol):
    """What the session needs from :class:`knowledge.engine.KnowledgeEngine`."""

    def analyze(self, text: str, k: int = 5) -> Analysis: ...


@dataclass(frozen=True, slots=True)
class StabilityConfig:
    """Tuning of the category suggestions (see module docstring)."""

    caller_weight: float = 1.0
    agent_weight: float = 0.25
    decay: float = 0.45  # weight of the previous evidence at each caller update
    incumbent_bonus: float = 0.15  # listed categories keep this relative bonus
    top_margin: float = 0.3  # a challenger this much stronger takes the top at once
    top_patience: int = 2  # ... otherwise it must lead this many updates in a row
    max_chars: int = 100  # caller text analysed (most recent content turns; cost grows with it)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def is_working_day(day: date) -> bool:
    """A working day in mainland China: the State Council's holiday schedule with its
    make-up working weekends (``chinesecalendar``, published a year at a time); for a year
    it does not know yet, Monday to Friday."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (same time of day; holidays and weekends skipped,
    make-up working Saturdays counted)."""
    out = start
    left = days
    while left > 0:
        out += timedelta(days=1)
        if is_working_day(out.date()):
            left -= 1
    return out


def due_times(base: datetime, deadline_class: str, urgency: str) -> DueTimes:
    """Assign within 2 h (15 min for emergencies and urgent 2h/24h repairs); resolve within
    2 h / 24 h / 7 working days of ``base``. Emergencies are 2h, urgent calls at most 24h."""
    cls = deadline_class if deadline_class in ("2h", "24h", "7d") else "7d"
    if urgency == "emergency":
        cls = "2h"
    elif urgency == "urgent" and cls == "7d":
        cls = "24h"
    fast = urgency == "emergency" or (urgency == "urgent" and cls in ("2h", "24h")) or cls == "2h"
    assign = base + (timedelta(minutes=15) if fast else timedelta(hours=2))
    if cls == "2h":
        resolve = base + timedelta(hours=2)
    elif cls == "24h":
        resolve = base + timedelta(hours=24)
    else:
        resolve = add_working_days(base, 7)
    return DueTimes(assign_by=assign, resolve_by=resolve, deadline_class=cls)


class CallSession:
    """One call being taken. Not thread-safe: drive it from one thread (the UI loop)."""

    def __init__(
        self,
        engine: EngineLike,
        *,
        call_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        started_at: datetime | None = None,
        k: int = 5,
        stability: StabilityConfig | None = None,
        warm_up: bool = True,
    ) -> None:
        self.engine = engine
        self.clock = clock or _utc_now
        self.call_id = call_id or uuid.uuid4().hex[:12]
        self.started_at = started_at or self.clock()
        self.k = k
        self.cfg = stability or StabilityConfig()
        self._listeners: list[Listener] = []
        self._ops: list[Op] = []
        self._finals: list[TranscriptEvent] = []
        self._partials: dict[str, TranscriptEvent] = {}
        self._fields: dict[str, FieldValue] = {}
        self._locked: set[str] = set()
        self._phone = extract.PhoneTracker()
        self._asked: dict[str, float] = {}  # field -> call time the agent last asked for it
        self._content: list[str] = []  # caller utterances that carry the request
        self._caller_texts: list[str] = []
        self._scores: dict[str, float] = {}  # combined evidence used for ranking
        self._caller_scores: dict[str, float] = {}
        self._agent_scores: dict[str, float] = {}
        self._sugg: dict[str, Suggestion] = {}
        self._shown: list[str] = []
        self._challenger: tuple[str | None, int] = (None, 0)
        self._analysis: Analysis | None = None
        self._urgency = "normal"
        self._alerts: list[Alert] = []
        self._chosen: Leaf | None = None
        self._revision = 0
        self._state: SessionState | None = None
        if warm_up:
            warm_up_extractors()

    # ------------------------------------------------------------------ public API
    @property
    def state(self) -> SessionState:
        if self._state is None:
            self._state = self._build_state()
        return self._state

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def ops(self) -> tuple[Op, ...]:
        """Every final event and edit so far, in order (what :meth:`from_dict` replays)."""
        return tuple(self._ops)

    def add_listener(self, listener: Listener) -> None:
        """``listener(op)`` is called after every change (partials included)."""
        self._listeners.append(listener)

    def feed(self, event: TranscriptEvent) -> SessionState:
        """Apply a recogniser event. Partials only update ``state.partials`` (cheap)."""
        if not event.final:
            self._partials[event.speaker] = event
            self._touch(partial_only=True)
            self._emit({"op": "partial", "event": event.to_dict()})
            return self.state
        op: Op = {"op": "event", "event": event.to_dict()}
        self._apply(op)
        return self.state

    def feed_text(self, speaker: Speaker, text: str, at: float | None = None) -> SessionState:
        """Typed input (the call-taker's notes of what was said) enters as a final event."""
        if speaker not in ("caller", "agent"):
            raise ValidationError("speaker", f"must be 'caller' or 'agent', not {speaker!r}")
        t = at if at is not None else self._call_time()
        ev = TranscriptEvent(
            speaker=speaker, text=text.strip(), start=t, end=t, final=True, raw=text, engine="typed"
        )
        return self.feed(ev)

    def set_field(self, name: str, value: str, status: str = "edited") -> SessionState:
        """The call-taker's correction. ``edited``/``confirmed`` fields are never overwritten by
        extraction; the latest automatic suggestion stays visible in ``extra["suggested"]``."""
        if name not in TICKET_FIELDS:
            raise ValidationError(name, f"unknown field; use one of {', '.join(TICKET_FIELDS)}")
        if status not in ("edited", "confirmed"):
            raise ValidationError(name, "status must be 'edited' or 'confirmed'")
        self._apply(
            {
                "op": "set_field",
                "name": name,
                "value": str(value),
                "status": status,
                "at": round(self._call_time(), 3),
            }
        )
        return self.state

    def confirm_field(self, name: str) -> SessionState:
        """Mark the current value of ``name`` as confirmed by the call-taker."""
        if name not in self._fields:
            raise ValidationError(name, "nothing to confirm yet; type the value instead")
        self._apply({"op": "confirm_field", "name": name, "at": round(self._call_time(), 3)})
        return self.state

    def choose_category(self, leaf_id: str) -> SessionState:
        """The call-taker picks the catalogue leaf (from the suggestions or the look-up)."""
        if self._find_leaf(leaf_id) is None:
            raise ValidationError("category", f"no catalogue item with id {leaf_id!r}")
        self._apply(
            {"op": "choose_category", "leaf_id": leaf_id, "at": round(self._call_time(), 3)}
        )
        return self.state

    def add_alert(self, alert: Alert) -> SessionState:
        """An alert raised outside the session (repeat caller, duplicate ticket from the store)."""
        self._apply({"op": "alert", "alert": asdict(alert)})
        return self.state

    def refresh(self) -> SessionState:
        """Re-run the analysis of the caller's words (e.g. once the embedding model is ready)."""
        if self._content:
            self._analyze_caller()
            self._derive()
            self._touch()
        return self.state

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the operations (for exact replay) and a snapshot of the state."""
        return {
            "version": 1,
            "call_id": self.call_id,
            "started_at": self.started_at.isoformat(),
            "k": self.k,
            "ops": list(self._ops),
            "state": state_to_dict(self.state),
        }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        engine: EngineLike,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> CallSession:
        """Rebuild a session by replaying its operations through ``engine``."""
        try:
            started = datetime.fromisoformat(str(data["started_at"]))
            session = cls(
                engine,
                call_id=str(data["call_id"]),
                clock=clock,
                started_at=started,
                k=int(data.get("k", 5)),
            )
            ops = list(data.get("ops", []))
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionFileError(
                f"saved call session is malformed ({exc}); it cannot be restored — "
                "keep the file and report it"
            ) from exc
        for op in ops:
            session.apply_op(op)
        return session

    def apply_op(self, op: Op) -> SessionState:
        """Apply one recorded operation (used by replay and draft restore)."""
        kind = op.get("op")
        if kind == "partial":
            return self.feed(TranscriptEvent.from_dict(op["event"]))
        if kind not in ("event", "set_field", "confirm_field", "choose_category", "alert"):
            raise SessionFileError(f"unknown session operation {kind!r}")
        if kind == "choose_category" and self._find_leaf(str(op["leaf_id"])) is None:
            raise SessionFileError(
                f"category {op['leaf_id']!r} is not in the loaded catalogue; load the catalogue "
                "the call was taken with"
            )
        self._apply(op)
        return self.state

    # ------------------------------------------------------------------ internals
    def _call_time(self) -> float:
        return max(0.0, (self.clock() - self.started_at).total_seconds())

    def _emit(self, op: Op) -> None:
        for fn in self._listeners:
            fn(op)

    def _touch(self, *, partial_only: bool = False) -> None:
        self._revision += 1
        if partial_only and self._state is not None:
            self._state = replace(
                self._state, partials=dict(self._partials), revision=self._revision
            )
        else:
            self._state = None

    def _apply(self, op: Op) -> None:
        kind = op["op"]
        if kind == "event":
            ev = TranscriptEvent.from_dict(op["event"])
            self._on_final(ev)
        elif kind == "set_field":
            self._set(op["name"], op["value"], op["status"], op.get("at"))
        elif kind == "confirm_field":
            cur = self._fields[op["name"]]
            self._fields[op["name"]] = replace(cur, status="confirmed")
            self._locked.add(op["name"])
            if op["name"] == "category":
                self._chosen = self._find_leaf(cur.value)
                self._derive()
        elif kind == "choose_category":
            leaf = self._find_leaf(op["leaf_id"])
            if leaf is not None:
                self._chosen = leaf
                self._fields["category"] = self._category_value(leaf, "confirmed", 1.0)
                self._locked.add("category")
                self._derive()
        elif kind == "alert":
            a = op["alert"]
            self._add_alert(Alert(**a))
        self._ops.append(op)
        self._touch()
        self._emit(op)

    def _set(self, name: str, value: str, status: str, at: float | None) -> None:
        old = self._fields.get(name)
        suggested = (
            old.extra.get("suggested", old.value)
            if old is not None and old.status == "suggested"
            else (old.extra.get("suggested", "") if old else "")
        )
        extra = {"suggested": suggested} if suggested else {}
        if name == "category":
            leaf = self._find_leaf(value)
            if leaf is not None:
                self._chosen = leaf
                fv = self._category_value(leaf, status, 1.0)
                self._fields[name] = replace(fv, extra={**fv.extra, **extra})
                self._locked.add(name)
                self._derive()
                return
        if name == "address":
            parts = extract.address_parts(value)
            extra.update({k: v for k, v in parts.items()})
        if name == "phone":
            kind = extract.phone_kind(re.sub(r"\D", "", value))
            if kind:
                extra["kind"] = kind
        self._fields[name] = FieldValue(
            name=name,
            value=value,
            confidence=1.0,
            source_text="",
            status=status,  # type: ignore[arg-type]
            at=at,
            extra=extra,
        )
        self._locked.add(name)
        if name == "summary":
            self._derive()

    def _offer(self, fv: FieldValue) -> None:
        """A new automatic value: take it unless the call-taker has locked the field."""
        name = fv.name
        if name in self._locked:
            cur = self._fields[name]
            if cur.extra.get("suggested") != fv.value:
                self._fields[name] = replace(cur, extra={**cur.extra, "suggested": fv.value})
            return
        self._fields[name] = fv

    # ---- finals
    def _on_final(self, ev: TranscriptEvent) -> None:
        self._partials.pop(ev.speaker, None)
        self._finals.append(ev)
        text = ev.text.strip()
        if not text:
            return
        if ev.speaker == "agent":
            self._on_agent(ev, text)
        else:
            self._on_caller(ev, text)
        self._derive()

    def _on_agent(self, ev: TranscriptEvent, text: str) -> None:
        if extract.agent_asks_name(text):
            self._asked["name"] = ev.end
        if extract.agent_asks_phone(text):
            self._asked["phone"] = ev.end
        if _ASK_ADDRESS_RE.search(text):
            self._asked["address"] = ev.end
        # the agent reading the number back: taken when the caller's own is not valid
        readback = self._phone.feed_agent(text, ev.end)
        if readback is not None:
            self._offer(readback)
        # the agent's paraphrase is weak evidence for the category
        if len(text) >= 8 and not _AGENT_FIELD_ONLY_RE.search(text) and self._content:
            try:
                analysis = self.engine.analyze(text, self.k)
            except Exception:  # the agent's words are optional context
                return
            self._agent_scores = self._smooth(self._agent_scores, analysis, decay=0.5)
            self._combine()
            self._rank()

    def _recently_asked(self, name: str, at: float, window: float = 30.0) -> bool:
        t = self._asked.get(name)
        return t is not None and 0 <= at - t <= window

    def _on_caller(self, ev: TranscriptEvent, text: str) -> None:
        at = ev.start
        self._caller_texts.append(text)
        found: list[FieldValue] = []
        name = extract.extract_name(text, at=at, asked=self._recently_asked("name", at))
        if name is not None:
            cur = self._fields.get("name")
            # a full name beats a surname already found; else the latest wins
            if not (
                cur
                and cur.status == "suggested"
                and cur.extra.get("kind") == "full_name"
                and name.extra.get("kind") == "surname"
                and cur.value.startswith(name.value)
            ):
                self._offer(name)
            found.append(name)
        phone = self._phone.feed(text, at, expecting=self._recently_asked("phone", at))
        if phone is not None:
            cur = self._fields.get("phone")
            complete = phone.extra.get("complete") == "true"
            if complete or cur is None or cur.extra.get("complete") == "false":
                self._offer(phone)
            found.append(phone)
        addr = extract.extract_address(text, at=at)
        cur_addr = self._fields.get("address")
        if addr is None and cur_addr is not None:
            parts = extract.address_parts(text)
            if parts and set(parts) <= {"building", "unit", "room"}:
                addr = FieldValue(
                    name="address", value="", confidence=0.5, source_text=text, at=at, extra=parts
                )
        if addr is not None:
            base = cur_addr if cur_addr is not None and cur_addr.status == "suggested" else None
            if cur_addr is not None and cur_addr.status != "suggested":
                base = self._fields.get("_address_suggestion")
            merged = extract.merge_address(base, addr) if addr.value or base else None
            if merged is not None and merged.value:
                self._fields["_address_suggestion"] = merged
                self._offer(merged)
                found.append(addr)
        if "incident_time" not in self._fields:
            when = extract.extract_incident_time(
                text, call_time=self.started_at + timedelta(seconds=at), at=at
            )
            if when is not None:
                self._offer(when)
        if _REPEAT_CALL_RE.search(text):
            self._add_alert(
                Alert(
                    kind="repeat_caller",
                    title="来电人说此前已反映过：查该号码的历史工单，可并入",
                    script=self._repeat_script(),
                    at=at,
                )
            )
        # does the utterance carry the request, beyond the field answers and greetings?
        if extract.draft_request([text]):
            self._content.append(text)
            self._analyze_caller()

    def _analyze_caller(self) -> None:
        joined = ""
        for t in reversed(self._content):  # most recent first, up to max_chars
            if joined and len(joined) + len(t) + 1 > self.cfg.max_chars:
                break
            t = t.rstrip("。，,.!！?？ ")
            joined = t + ("。" + joined if joined else "")
        analysis = self.engine.analyze(joined, self.k)
        self._analysis = analysis
        if _URGENCY_RANK.get(analysis.urgency, 0) > _URGENCY_RANK[self._urgency]:
            self._urgency = analysis.urgency
        self._caller_scores = self._smooth(self._caller_scores, analysis, decay=self.cfg.decay)
        self._combine()
        self._rank()
        self._raise_scope_alerts(analysis)

    def _smooth(
        self, old: dict[str, float], analysis: Analysis, *, decay: float
    ) -> dict[str, float]:
        """Exponential smoothing of the (top-normalised) leaf scores of one analysis."""
        cats = analysis.categories
        top = max((c.score for c in cats), default=0.0) or 1.0
        new = {c.leaf.id: max(c.score, 0.0) / top for c in cats}
        for c in cats:
            self._sugg[c.leaf.id] = c
        out = {
            lid: old.get(lid, 0.0) * decay + (1.0 - decay) * new.get(lid, 0.0)
            for lid in set(old) | set(new)
        }
        best = max(out.values(), default=0.0)
        return {k: v for k, v in out.items() if v >= best * 0.05}  # forget negligible leaves

    def _combine(self) -> None:
        cw, aw = self.cfg.caller_weight, self.cfg.agent_weight
        self._scores = {
            lid: cw * self._caller_scores.get(lid, 0.0) + aw * self._agent_scores.get(lid, 0.0)
            for lid in set(self._caller_scores) | set(self._agent_scores)
        }

    def _rank(self) -> None:
        cfg = self.cfg
        shown = set(self._shown)
        disp = {
            lid: s * (1.0 + cfg.incumbent_bonus if lid in shown else 1.0)
            for lid, s in self._scores.items()
        }
        order = sorted(disp, key=lambda lid: (-disp[lid], lid))[: self.k]
        if self._shown and order and order[0] != self._shown[0] and self._shown[0] in self._scores:
            champ, chall = self._shown[0], order[0]
            decisive = self._scores[chall] >= self._scores[champ] * (1.0 + cfg.top_margin)
            name, count = self._challenger
            count = count + 1 if name == chall else 1
            if decisive or count >= cfg.top_patience:
                self._challenger = (None, 0)
            else:
                self._challenger = (chall, count)
                order = [champ, *[x for x in order if x != champ][: self.k - 1]]
        else:
            self._challenger = (None, 0)
        self._shown = order

    def _raise_scope_alerts(self, a: Analysis) -> None:
        scripts = getattr(self.engine, "scripts", None)
        emergency = a.urgency == "emergency" or (
            a.verdict == "refer" and a.channel in EMERGENCY_CHANNELS
        )
        if emergency and a.channel:
            script = a.guidance or ""
            if scripts is not None:
                with contextlib.suppress(Exception):
                    script = a.guidance or scripts.emergency(a.channel)
            self._add_alert(
                Alert(
                    kind="emergency",
                    title=f"紧急情况：请立即转接{a.channel}",
                    script=script,
                    channel=a.channel,
                    rule_id=a.rule_id,
                    at=self._last_caller_at(),
                )
            )
        elif emergency and a.verdict == "accept" and a.categories:
            # An accepted 2-hour emergency (gas leak, fallen live wire, burst main): no
            # 110/119 transfer, but immediate dispatch to the department's emergency repair.
            department = a.categories[0].leaf.department
            script = a.guidance or ""
            if scripts is not None:
                with contextlib.suppress(Exception):
                    script = scripts.urgent_dispatch(department)
            self._add_alert(
                Alert(
                    kind="emergency",
                    title=f"紧急诉求：立即转{department}抢修（2小时内处置）",
                    script=script,
                    channel=None,
                    rule_id=a.rule_id,
                    at=self._last_caller_at(),
                )
            )
        elif a.verdict in ("refer", "decline"):
            if a.verdict == "refer":
                name = _CHANNEL_NAMES.get(a.channel or "", a.channel or "其他渠道")
                if scripts is not None and a.channel:
                    with contextlib.suppress(Exception):
                        name = scripts.channel_name(a.channel)
                title = f"非热线受理范围：建议引导至{name}"
            else:
                why = _REASON_NAMES.get(a.reason or "", a.reason or "不属于受理范围")
                title = f"不予受理：{why}"
            self._add_alert(
                Alert(
                    kind=a.verdict,
                    title=title,
                    script=a.guidance or "",
                    channel=a.channel,
                    rule_id=a.rule_id,
                    at=self._last_caller_at(),
                )
            )

    def _add_alert(self, alert: Alert) -> None:
        key = (alert.kind, alert.channel, alert.rule_id)
        if any((x.kind, x.channel, x.rule_id) == key for x in self._alerts):
            return
        self._alerts.append(alert)

    def _last_caller_at(self) -> float | None:
        for ev in reversed(self._finals):
            if ev.speaker == "caller":
                return ev.start
        return None

    # ---- derived fields
    def _find_leaf(self, leaf_id: str) -> Leaf | None:
        if leaf_id in self._sugg:
            return self._sugg[leaf_id].leaf
        cat = getattr(self.engine, "catalogue", None)
        getter = getattr(cat, "get", None)
        if getter is not None:
            leaf = getter(leaf_id)
            if isinstance(leaf, Leaf):
                return leaf
        return None

    @staticmethod
    def _category_value(leaf: Leaf, status: str, conf: float) -> FieldValue:
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

    def _derive(self) -> None:
        """Category field and summary from the current evidence."""
        dispatchable = self._analysis is None or self._analysis.verdict == "accept"
        if self._shown and "category" not in self._locked and not dispatchable:
            # Referred or declined: nothing is dispatched, so no department is proposed
            # (the suggestions stay visible; the call-taker may still choose one).
            self._fields.pop("category", None)
        elif self._shown and "category" not in self._locked:
            top = self._sugg[self._shown[0]]
            total = sum(self._scores.get(x, 0.0) for x in self._shown) or 1.0
            conf = self._scores.get(top.leaf.id, 0.0) / total
            self._fields["category"] = self._category_value(top.leaf, "suggested", conf)
        elif self._shown and "category" in self._locked:
            cur = self._fields["category"]
            if cur.extra.get("suggested") != self._shown[0]:
                self._fields["category"] = replace(
                    cur, extra={**cur.extra, "suggested": self._shown[0]}
                )
        summary = extract.draft_request(self._content)
        if summary:
            self._offer(
                FieldValue(
                    name="summary",
                    value=summary,
                    confidence=0.6,
                    source_text="",
                    at=self._last_caller_at(),
                )
            )

    def _due(self, verdict: str) -> DueTimes | None:
        if verdict != "accept":
            return None
        cls = None
        if self._chosen is not None:
            cls = self._chosen.deadline
        elif self._shown:
            cls = self._sugg[self._shown[0]].leaf.deadline
        if cls is None:
            if self._urgency == "normal":
                return None
            cls = "7d"
        return due_times(self.started_at, cls, self._urgency)

    def _next_question(self, verdict: str) -> str | None:
        def q(field: str) -> str:
            return script_text(self.engine, "question", field) or _FALLBACK_QUESTIONS[field]

        if any(a.kind == "emergency" for a in self._alerts):
            return None
        for name in _QUESTION_ORDER:
            if name == "address" and verdict != "accept":
                continue
            fv = self._fields.get(name)
            if fv is None or not fv.value or fv.extra.get("complete") == "false":
                return q(name)
        if verdict == "accept" and (
            not self._content
            or self._analysis is None
            or (self._analysis.uncertain and "category" not in self._locked)
        ):
            return q("category")
        return None

    def _repeat_script(self) -> str:
        return script_text(self.engine, "repeat_caller") or ""

    def _empathy(self, emotion: str) -> str | None:
        return script_text(self.engine, "empathy", emotion)

    def _build_state(self) -> SessionState:
        a = self._analysis
        verdict = a.verdict if a is not None else "accept"
        suggestions = []
        for lid in self._shown:
            s = self._sugg[lid]
            suggestions.append(
                Suggestion(
                    leaf=s.leaf, score=round(self._scores.get(lid, 0.0), 4), evidence=s.evidence
                )
            )
        fields = {k: v for k, v in self._fields.items() if not k.startswith("_")}
        summary = fields["summary"].value if "summary" in fields else ""
        emotion = a.emotion if a is not None else "calm"
        return SessionState(
            call_id=self.call_id,
            started_at=self.started_at,
            transcript=tuple(self._finals),
            partials=dict(self._partials),
            fields=fields,
            suggestions=tuple(suggestions),
            uncertain=a.uncertain if a is not None else True,
            verdict=verdict,
            channel=a.channel if a is not None else None,
            reason=a.reason if a is not None else None,
            guidance=a.guidance if a is not None else None,
            urgency=self._urgency,
            due=self._due(verdict),
            emotion=emotion,
            empathy_script=self._empathy(emotion) if a is not None else None,
            next_question=self._next_question(verdict),
            summary=summary,
            alerts=tuple(self._alerts),
            semantic_ready=a.semantic_ready if a is not None else True,
            revision=self._revision,
        )


def warm_up_extractors() -> None:
    """Load the extraction libraries (cpca, jionlp tables) once, so the first segment is fast."""
    extract.surnames()
    extract.extract_address("北京市朝阳区幸福小区3号楼")
    extract.extract_incident_time("昨天晚上十点", call_time=datetime(2024, 1, 1, 12, 0))
    extract.draft_request(["楼下烧烤太吵了，希望处理"])


# ---------------------------------------------------------------------- JSON views


def _leaf_dict(leaf: Leaf) -> dict[str, Any]:
    return {
        "id": leaf.id,
        "path": list(leaf.path),
        "department": leaf.department,
        "deadline": leaf.deadline,
    }


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    return {
        "keywords": list(ev.keywords),
        "fuzzy": list(ev.fuzzy),
        "nearest_example": ev.nearest_example,
        "semantic": ev.semantic,
        "ranks": dict(ev.ranks),
        "matched": list(ev.matched),
    }


def field_to_dict(fv: FieldValue) -> dict[str, Any]:
    return {
        "value": fv.value,
        "confidence": fv.confidence,
        "source_text": fv.source_text,
        "status": fv.status,
        "at": fv.at,
        "extra": dict(fv.extra),
    }


def state_to_dict(state: SessionState) -> dict[str, Any]:
    """A JSON-safe view of a session state (for files, the CLI and replay reports)."""
    return {
        "call_id": state.call_id,
        "started_at": state.started_at.isoformat(),
        "revision": state.revision,
        "transcript": [e.to_dict() for e in state.transcript],
        "partials": {k: v.to_dict() for k, v in state.partials.items()},
        "fields": {k: field_to_dict(v) for k, v in state.fields.items()},
        "suggestions": [
            {"leaf": _leaf_dict(s.leaf), "score": s.score, "evidence": _evidence_dict(s.evidence)}
            for s in state.suggestions
        ],
        "uncertain": state.uncertain,
        "verdict": state.verdict,
        "channel": state.channel,
        "reason": state.reason,
        "guidance": state.guidance,
        "urgency": state.urgency,
        "due": None
        if state.due is None
        else {
            "assign_by": state.due.assign_by.isoformat(),
            "resolve_by": state.due.resolve_by.isoformat(),
            "deadline_class": state.due.deadline_class,
        },
        "emotion": state.emotion,
        "empathy_script": state.empathy_script,
        "next_question": state.next_question,
        "summary": state.summary,
        "alerts": [asdict(a) for a in state.alerts],
        "semantic_ready": state.semantic_ready,
    }


def _to_you(text: str) -> str:
    """Ticket wording (其 = the caller) back to speech addressed to the caller (您)."""
    return re.sub(r"其(?!他|中|实|余|次|它)", "您", text)


def readback(state: SessionState, engine: Any = None) -> str | None:
    """The read-back script (核对) filled with the current fields, when scripts are loaded."""
    scripts = getattr(engine, "scripts", None)
    if scripts is None:
        return None
    f = state.fields
    try:
        return str(
            scripts.readback(
                name=f["name"].value if "name" in f else None,
                phone=f["phone"].value if "phone" in f else None,
                address=f["address"].value if "address" in f else None,
                summary=(_to_you(state.summary.removeprefix("来电人反映：").rstrip("。")) or None),
            )
        )
    except Exception:
        return None


def session_from_turns(
    engine: EngineLike,
    turns: list[dict[str, Any]],
    *,
    call_id: str | None = None,
    started_at: datetime | None = None,
    k: int = 5,
) -> CallSession:
    """Feed a scripted call (``[{"speaker", "text", "start"?, "end"?}, ...]``) through a session.

    Turns without times are spaced 4 s apart. Raises ValidationError on a bad turn.
    """
    t0 = started_at or datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    session = CallSession(engine, call_id=call_id, started_at=t0, clock=lambda: t0, k=k)
    t = 0.0
    for i, turn in enumerate(turns):
        if (
            not isinstance(turn, dict)
            or turn.get("speaker") not in ("caller", "agent")
            or not isinstance(turn.get("text"), str)
        ):
            raise ValidationError(
                f"turns[{i}]", 'each turn needs "speaker" ("caller" or "agent") and "text"'
            )
        start = float(turn.get("start", t))
        end = float(turn.get("end", start + 3.0))
        session.feed(
            TranscriptEvent(
                speaker=turn["speaker"],
                text=turn["text"],
                start=start,
                end=end,
                final=True,
                raw=turn["text"],
                engine="script",
            )
        )
        t = end + 1.0
    return session
