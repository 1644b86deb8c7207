"""The ticket store: confirmed tickets, linked calls and an audit trail of every change.

One SQLAlchemy 2 code path, two backends:

* SQLite (default, one file per seat or a shared file for a few seats): WAL journal,
  foreign keys on, ``synchronous=FULL``, a busy timeout; write transactions start with
  ``BEGIN IMMEDIATE`` so two seats queue instead of failing half-way.
* PostgreSQL (``postgresql+psycopg://user@host/db``) for a whole call centre.

Ticket numbers look like ``12345-20261124-0007``: the sequence restarts every (local) day
and comes from a ``day_counters`` row incremented by ``UPDATE … RETURNING`` in the same
transaction as the ticket insert, so numbers are unique and gap-free on both backends
(the UPDATE row lock serialises seats on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite).

`TicketStore.submit` writes the ticket, its audit rows and the call link in ONE
transaction: a ticket is either fully stored or not at all. When the database is locked
or unreachable a `StoreLockedError` / `StoreUnavailableError` is raised that carries the
draft (and, when ``drafts_dir`` is configured, names the JSON file it was saved to), so
the call-taker can submit again without retyping anything.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import StoreError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from asr.events import TranscriptEvent
    from assistant.core.state import SessionState

    from .store_models import TicketRow

__all__ = [
    "AuditEntry",
    "CallInfo",
    "CallRecord",
    "CallerHistory",
    "DraftInvalidError",
    "DuplicateMatch",
    "FieldProblem",
    "StoreLockedError",
    "StoreUnavailableError",
    "Ticket",
    "TicketDraft",
    "TicketNotFoundError",
    "TicketNotSavedError",
    "TicketStore",
    "normalize_address",
    "normalize_phone",
    "suggestions_from_state",
]

Actor = Literal["assistant", "call_taker", "system"]
AuditAction = Literal["suggested", "confirmed", "edited", "created", "appended", "merged", "status"]
TicketStatus = Literal["open", "closed", "merged"]

VERDICTS: tuple[str, ...] = ("accept", "refer", "decline")
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "normal")
STATUSES: tuple[str, ...] = ("open", "closed", "merged")
NUMBER_PREFIX = "12345"

#: Two open tickets count as "similar text" when rapidfuzz ``fuzz.ratio`` of their
#: punctuation-free summaries is at least this (0..1). 0.75 separates re-worded reports of
#: the same incident (e.g. 堵塞，污水外溢 / 堵了，污水流出来了: 0.78) from different
#: incidents on the same street (0.45) in our samples.
SIMILAR_TEXT_THRESHOLD = 0.75
#: Summaries shorter than this (characters, after cleaning) are not compared by text.
MIN_TEXT_CHARS = 6
#: At most this many recent open tickets are scanned for duplicates.
DUPLICATE_SCAN_LIMIT = 5000


# --------------------------------------------------------------------------- errors
class TicketNotSavedError(StoreError):
    """A write failed and nothing of it was stored.

    ``draft``/``suggestions``/``call`` hold what was being submitted (nothing is lost; submit
    them again); ``saved_to`` is the JSON file they were also written to, when the store has
    a drafts folder. Subclasses say why: `StoreLockedError`, `StoreUnavailableError`.
    """

    def __init__(
        self,
        message: str,
        *,
        draft: TicketDraft | None = None,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
        saved_to: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.draft = draft
        self.suggestions = dict(suggestions or {})
        self.call = call
        self.saved_to = saved_to


class StoreLockedError(TicketNotSavedError):
    """Another seat held the database lock longer than the busy timeout; retry shortly."""


class StoreUnavailableError(TicketNotSavedError):
    """The database server cannot be reached or the file cannot be opened/written."""


class TicketNotFoundError(StoreError, LookupError):
    """No ticket has that number or id."""


class DraftInvalidError(ValidationError):
    """`TicketStore.submit` refused a draft; ``problems`` lists every invalid field."""

    def __init__(self, problems: builtins.list[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(first.field, "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


# --------------------------------------------------------------------------- normalisers
_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_CN_DIGITS = {
    "零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
_CN_NUMBER_BEFORE_UNIT = re.compile(
    r"([零〇一二两三四五六七八九十百]+)(?=(号楼|号院|号|栋|幢|座|单元|室|层|楼|弄|巷|排|期|区))"
)


def _cn_to_int_text(cn: str) -> str:
    """Small Chinese numerals (< 1000) to digits: 十二 → 12, 三百零五 → 305, 一二零一 → 1201."""
    if not any(c in cn for c in "十百"):
        return "".join(_CN_DIGITS.get(c, c) for c in cn)
    total, current = 0, 0
    for c in cn:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = int(_CN_DIGITS.get(c, "0"))
    return str(total + current)


def _local_normalize_address(address: str) -> str:
    """Fallback address key: NFKC, no spaces/punctuation, Chinese numerals before units → digits,
    楼/幢/座 → 栋, 号院 → 号; case folded. Used until `assistant.extract` provides one."""
    text = unicodedata.normalize("NFKC", address).casefold()
    text = _CN_NUMBER_BEFORE_UNIT.sub(lambda m: _cn_to_int_text(m.group(1)), text)
    text = _PUNCT_RE.sub("", text)
    text = re.sub(r"(\d+)(?:号楼|幢|座)", r"\1栋", text)
    text = re.sub(r"(\d+)楼(?=\d|$|单元)", r"\1栋", text)
    return text


_extract_normalizer: Callable[[str], Any] | bool | None = False  # False = not looked up yet


def normalize_address(address: str) -> str:
    """Key used to compare addresses for duplicate detection.

    Uses `assistant.extract.normalize_address` when that module provides it (and it returns a
    string); otherwise a local normaliser. The key is always whitespace/punctuation-free.
    Results are cached (the extract normaliser costs a few ms per new address).
    """
    if not address.strip():
        return ""
    return _normalize_address_cached(address.strip())


@functools.lru_cache(maxsize=4096)
def _normalize_address_cached(address: str) -> str:
    global _extract_normalizer
    if _extract_normalizer is False:
        try:
            mod = importlib.import_module("assistant.extract")
            fn = getattr(mod, "normalize_address", None)
            _extract_normalizer = fn if callable(fn) else None
        except ImportError:
            _extract_normalizer = None
    if callable(_extract_normalizer):
        try:
            result = _extract_normalizer(address)
        except Exception:
            result = None
        if isinstance(result, str) and result.strip():
            return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", result)).casefold()
    return _local_normalize_address(address)


def normalize_phone(phone: str) -> str:
    """Digits only, without a +86/86 country prefix: the key for caller history."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits


def _clean_text(text: str) -> str:
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", text))


def _check_phone(phone: str) -> str | None:
    """None when the number looks valid, else a Chinese message for the call-taker."""
    raw = phone.strip()
    if not raw:
        return None
    if re.search(r"[^\d\s\-+()（）]", raw):
        return "电话号码只能包含数字（可带区号分隔符“-”）"
    digits = normalize_phone(raw)
    if digits.startswith("1"):
        if len(digits) != 11:
            return f"手机号应为 11 位，现在是 {len(digits)} 位"
        if not re.fullmatch(r"1[3-9]\d{9}", digits):
            return "手机号第二位应为 3-9"
        return None
    if digits.startswith("0"):
        if not re.fullmatch(r"0\d{2,3}\d{7,8}", digits):
            return "座机号码应为区号（3-4 位，0 开头）加 7-8 位号码"
        return None
    if re.fullmatch(r"[2-9]\d{6,7}", digits):
        return None
    return "电话号码格式不对：手机号为 1 开头的 11 位数字，座机为区号加 7-8 位号码"


# --------------------------------------------------------------------------- value types
@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field of a draft (``message`` is Chinese, shown in the form)."""

    field: str
    message: str

    def to_error(self) -> ValidationError:
        return ValidationError(self.field, self.message)


_DRAFT_FIELD_ALIASES = {"category": "category_id", "caller_name": "name"}


def _dt_to_json(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt_from_json(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TicketDraft:
    """What the call-taker is about to submit. All text fields may be empty.

    ``field_status`` maps a field name (``name``, ``phone``, ``address``, ``incident_time``,
    ``category``, ``summary``, ...) to ``suggested`` / ``confirmed`` / ``edited``.
    """

    name: str = ""
    phone: str = ""
    address: str = ""
    incident_time: str = ""
    category_id: str = ""
    category_path: str = ""
    department: str = ""
    deadline: str = ""
    verdict: str = "accept"
    channel: str | None = None
    reason: str | None = None
    urgency: str = "normal"
    summary: str = ""
    assign_by: datetime | None = None
    resolve_by: datetime | None = None
    field_status: Mapping[str, str] = field(default_factory=dict)

    def value_of(self, name: str) -> str:
        """The text value of a field by its form name (``category`` → category id)."""
        attr = _DRAFT_FIELD_ALIASES.get(name, name)
        value = getattr(self, attr, None)
        if isinstance(value, datetime):
            return value.isoformat()
        return "" if value is None else str(value)

    def validate(self) -> builtins.list[FieldProblem]:
        """Every problem that must be fixed before submitting (empty list = OK)."""
        from knowledge.types import CHANNELS, DEADLINES, REASONS

        problems: list[FieldProblem] = []
        msg = _check_phone(self.phone)
        if msg:
            problems.append(FieldProblem("phone", msg))
        if self.verdict not in VERDICTS:
            problems.append(FieldProblem("verdict", f"受理结论应为 {'/'.join(VERDICTS)}"))
        if self.urgency not in URGENCIES:
            problems.append(FieldProblem("urgency", f"紧急程度应为 {'/'.join(URGENCIES)}"))
        if self.deadline and self.deadline not in DEADLINES:
            problems.append(FieldProblem("deadline", f"办理时限应为 {'/'.join(DEADLINES)}"))
        if self.channel and self.channel not in CHANNELS:
            problems.append(FieldProblem("channel", f"未知的转办渠道：{self.channel}"))
        if self.reason and self.reason not in REASONS:
            problems.append(FieldProblem("reason", f"未知的不予受理原因：{self.reason}"))
        if self.verdict == "accept":
            if not self.address.strip():
                problems.append(FieldProblem("address", "受理工单必须填写地址"))
            if not self.category_id.strip():
                problems.append(FieldProblem("category", "受理工单必须选择分类"))
        if self.verdict == "refer" and not self.channel:
            problems.append(FieldProblem("channel", "转办工单必须选择转办渠道"))
        if not self.summary.strip() and not self.address.strip():
            problems.append(FieldProblem("summary", "请填写诉求摘要"))
        if len(self.name) > 100:
            problems.append(FieldProblem("name", "姓名过长（最多 100 字）"))
        for name in ("assign_by", "resolve_by"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                problems.append(FieldProblem(name, "时间缺少时区"))
        return problems

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["assign_by"] = _dt_to_json(self.assign_by)
        d["resolve_by"] = _dt_to_json(self.resolve_by)
        d["field_status"] = dict(self.field_status)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TicketDraft:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in known}
        kwargs["assign_by"] = _dt_from_json(d.get("assign_by"))
        kwargs["resolve_by"] = _dt_from_json(d.get("resolve_by"))
        kwargs["field_status"] = dict(d.get("field_status") or {})
        return cls(**kwargs)

    @classmethod
    def from_session_state(cls, state: SessionState) -> TicketDraft:
        """The draft the form starts from: the assistant's fields, category and verdict."""
        fv = state.fields

        def val(name: str) -> str:
            f = fv.get(name)
            return f.value if f is not None else ""

        status = {name: f.status for name, f in fv.items() if f.status != "empty"}
        category_id = category_path = department = deadline = ""
        cat = fv.get("category")
        leaves = [s.leaf for s in state.suggestions]
        chosen = None
        if cat is not None and cat.value:
            for leaf in leaves:
                if cat.value in (leaf.id, leaf.path_text, leaf.name):
                    chosen = leaf
                    break
            if chosen is None:
                category_id = cat.value
                category_path = cat.extra.get("path", "")
                department = cat.extra.get("department", "")
                deadline = cat.extra.get("deadline", "")
        elif leaves and not state.uncertain and state.verdict == "accept":
            chosen = leaves[0]
            status["category"] = "suggested"
        if chosen is not None:
            category_id = chosen.id
            category_path = chosen.path_text
            department = chosen.department
            deadline = chosen.deadline
        if state.due is not None and not deadline:
            deadline = state.due.deadline_class
        return cls(
            name=val("name"),
            phone=val("phone"),
            address=val("address"),
            incident_time=val("incident_time"),
            category_id=category_id,
            category_path=category_path,
            department=department,
            deadline=deadline,
            verdict=state.verdict,
            channel=state.channel,
            reason=state.reason,
            urgency=state.urgency,
            summary=val("summary") or state.summary,
            assign_by=state.due.assign_by if state.due else None,
            resolve_by=state.due.resolve_by if state.due else None,
            field_status=status,
        )


def suggestions_from_state(state: SessionState) -> dict[str, str]:
    """What the assistant proposed, per field, for the audit trail of `TicketStore.submit`.

    For a field the call-taker edited, the session keeps the assistant's original value in
    ``FieldValue.extra["suggested"]``; fields typed without any suggestion are left out.
    """
    out: dict[str, str] = {}
    for name, f in state.fields.items():
        original = f.extra.get("suggested")
        if original:
            out[name] = original
        elif f.status in ("suggested", "confirmed") and f.value:
            out[name] = f.value
    if "category" not in out and state.suggestions and not state.uncertain:
        out["category"] = state.suggestions[0].leaf.id
    out.setdefault("verdict", state.verdict)
    out.setdefault("urgency", state.urgency)
    return out


def _changes_from_ops(ops: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for op in ops:
        kind = op.get("op")
        at = op.get("at")
        if kind == "set_field":
            action = "confirmed" if op.get("status") == "confirmed" else "edited"
            out.append({"at": at, "action": action, "field": op["name"], "value": op["value"]})
        elif kind == "confirm_field":
            out.append({"at": at, "action": "confirmed", "field": op["name"], "value": None})
        elif kind == "choose_category":
            out.append(
                {"at": at, "action": "confirmed", "field": "category", "value": op["leaf_id"]}
            )
    return out


@dataclass(frozen=True, slots=True)
class CallInfo:
    """A call to link with a ticket (the transcript or the folder the session was saved in)."""

    call_id: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    transcript: tuple[TranscriptEvent, ...] = ()
    session_path: str | None = None
    # The call-taker's changes during the call, in order: {"at": call seconds, "action":
    # "edited" | "confirmed", "field", "value"} (from CallSession.ops); each becomes an audit
    # row stamped with the moment it happened.
    changes: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_session_state(
        cls,
        state: SessionState,
        *,
        ended_at: datetime | None = None,
        session_path: str | Path | None = None,
        ops: Sequence[Mapping[str, Any]] = (),
    ) -> CallInfo:
        started = state.started_at
        if started.tzinfo is None:
            started = started.astimezone()
        return cls(
            call_id=state.call_id,
            started_at=started,
            ended_at=ended_at,
            transcript=tuple(e for e in state.transcript if e.final),
            session_path=str(session_path) if session_path is not None else None,
            changes=tuple(_changes_from_ops(ops)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": _dt_to_json(self.started_at),
            "ended_at": _dt_to_json(self.ended_at),
            "transcript": [e.to_dict() for e in self.transcript],
            "session_path": self.session_path,
        }


@dataclass(frozen=True, slots=True)
class Ticket:
    """A stored ticket (times are timezone-aware UTC)."""

    id: int
    number: str
    status: str
    name: str
    phone: str
    address: str
    address_norm: str
    incident_time: str
    category_id: str
    category_path: str
    department: str
    deadline: str
    verdict: str
    channel: str | None
    reason: str | None
    urgency: str
    summary: str
    assign_by: datetime | None
    resolve_by: datetime | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    seat_id: str
    merged_into: int | None = None
    merged_into_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, datetime):
                d[k] = v.isoformat()
        return d


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ticket_id: int
    at: datetime
    actor: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    seat: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    call_id: str
    ticket_id: int | None
    started_at: datetime | None
    ended_at: datetime | None
    seat: str
    note: str
    session_path: str | None
    transcript: tuple[dict[str, Any], ...]
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    ticket: Ticket
    reason: Literal["same_address_category", "similar_text"]
    score: float


@dataclass(frozen=True, slots=True)
class CallerHistory:
    """“This number called N times before”: tickets (and linked calls) with that phone."""

    phone: str
    count: int  # tickets with this number
    open_count: int
    call_count: int  # calls linked to those tickets (first calls and appended calls)
    last: tuple[Ticket, ...]


# --------------------------------------------------------------------------- the store
_UPDATABLE: dict[str, str] = {
    "name": "caller_name",
    "phone": "phone",
    "address": "address",
    "incident_time": "incident_time",
    "verdict": "verdict",
    "channel": "channel",
    "reason": "reason",
    "urgency": "urgency",
    "summary": "summary",
}
_AUDITED_DRAFT_FIELDS: tuple[str, ...] = (
    "name", "phone", "address", "incident_time", "category", "summary", "verdict", "channel",
    "reason", "urgency",
)  # fmt: skip


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TicketStore:
    """Tickets, call links and audit trail in SQLite or PostgreSQL. Thread-safe per instance
    (each call uses its own session); open one per process."""

    def __init__(
        self,
        engine: Engine,
        *,
        busy_timeout: float,
        seat_id: str,
        duplicate_window_days: int,
        drafts_dir: Path | None,
        clock: Callable[[], datetime],
        tz: tzinfo | None,
    ) -> None:
        from sqlalchemy.orm import sessionmaker

        self.engine = engine
        self.backend = engine.dialect.name  # "sqlite" | "postgresql"
        self.busy_timeout = busy_timeout
        self.seat_id = seat_id
        self.duplicate_window_days = duplicate_window_days
        self.drafts_dir = drafts_dir
        self._clock = clock
        self._tz = tz
        self._read_sessions: sessionmaker[Session] = sessionmaker(
            bind=engine, expire_on_commit=False
        )
        self._write_sessions: sessionmaker[Session] = sessionmaker(
            bind=engine.execution_options(hotline_write=True), expire_on_commit=False
        )

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        url: str | Path | None = None,
        *,
        busy_timeout: float = 5.0,
        seat_id: str | None = None,
        duplicate_window_days: int | None = None,
        drafts_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
        create: bool = True,
    ) -> TicketStore:
        """Open (and create, if needed) the store.

        ``url``: a SQLAlchemy URL (``sqlite:///path/tickets.db``,
        ``postgresql+psycopg://user@host:5432/db``) or a plain file path; None means the
        configured ``database_url`` (default ``<data_dir>/tickets.db``).
        ``busy_timeout``: seconds to wait for another seat's lock before `StoreLockedError`.
        ``clock``/``tz``: the time source (aware datetimes) and the zone of ticket-number days
        (default: the machine's local zone).
        """
        settings = None
        if url is None or seat_id is None or duplicate_window_days is None:
            from assistant.settings import load_settings

            settings = load_settings()
        if url is None:
            assert settings is not None
            url = settings.effective_database_url
        engine = _make_engine(str(url), busy_timeout)
        store = cls(
            engine,
            busy_timeout=busy_timeout,
            seat_id=seat_id if seat_id is not None else settings.seat_id,  # type: ignore[union-attr]
            duplicate_window_days=(
                duplicate_window_days
                if duplicate_window_days is not None
                else settings.duplicate_window_days  # type: ignore[union-attr]
            ),
            drafts_dir=drafts_dir,
            clock=clock or _utcnow,
            tz=tz,
        )
        if create:
            store.create_schema()
        return store

    def create_schema(self) -> None:
        """Create missing tables and record the schema version (idempotent, concurrency-safe)."""
        from sqlalchemy import insert, select, text

        from .store_models import SCHEMA_VERSION, Base, SchemaVersionRow

        engine = self.engine.execution_options(hotline_write=True)
        with self._errors("create the ticket tables"), engine.begin() as conn:
            if self.backend == "postgresql":
                # Two seats starting at once must not race on CREATE TABLE.
                conn.execute(text("SELECT pg_advisory_xact_lock(1234500001)"))
            Base.metadata.create_all(conn)
            versions = conn.execute(select(SchemaVersionRow.version)).scalars().all()
            if not versions:
                conn.execute(
                    insert(SchemaVersionRow).values(
                        version=SCHEMA_VERSION, applied_at=self._clock()
                    )
                )
            elif max(versions) > SCHEMA_VERSION:
                raise StoreError(
                    f"The ticket database {self.describe()} has schema version "
                    f"{max(versions)}, newer than this program ({SCHEMA_VERSION}). "
                    "Update hotline-assistant on this seat."
                )

    def warm_up(self) -> None:
        """Load the address normaliser and open a pooled connection now, so the first
        submit during a live call does not pay for imports (call it from a background
        thread at start-up)."""
        normalize_address("北京市朝阳区幸福小区3号楼")
        from rapidfuzz import fuzz

        fuzz.ratio("a", "b")
        self.count()

    def schema_version(self) -> int:
        from sqlalchemy import func, select

        from .store_models import SchemaVersionRow

        with self._read() as s:
            return int(s.execute(select(func.max(SchemaVersionRow.version))).scalar_one() or 0)

    def describe(self) -> str:
        """The database URL without password (for messages and logs)."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> TicketStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    # ---------------------------------------------------------------- sessions & errors
    @contextlib.contextmanager
    def _errors(
        self,
        action: str,
        *,
        draft: TicketDraft | None = None,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
    ) -> Iterator[None]:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        try:
            yield
        except (StoreError, ValidationError):
            raise
        except DBAPIError as exc:
            raise self._translate(exc, action, draft, suggestions, call) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not {action} in {self.describe()}: {exc}") from exc

    def _translate(
        self,
        exc: Any,
        action: str,
        draft: TicketDraft | None,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> StoreError:
        orig = getattr(exc, "orig", None)
        text_ = str(orig if orig is not None else exc)
        sqlstate = getattr(orig, "sqlstate", None)
        saved = self._save_unsaved(draft, suggestions, call) if draft is not None else None
        keep = ""
        if draft is not None:
            keep = " The ticket was NOT saved; the form keeps it, submit again to retry."
            if saved is not None:
                keep += f" A copy was written to {saved}."
        locked = (
            "database is locked" in text_
            or "database table is locked" in text_
            or "database is busy" in text_
            or sqlstate in ("55P03", "57014", "40P01", "40001")
        )
        if locked:
            return StoreLockedError(
                f"工单库正忙，请稍后再提交。Could not {action}: the ticket database "
                f"{self.describe()} stayed locked by another seat or program for more than "
                f"{self.busy_timeout:g} s ({text_.strip()}).{keep} If this keeps happening, "
                "look for a long-running export or a stuck process on another seat.",
                draft=draft,
                suggestions=suggestions,
                call=call,
                saved_to=saved,
            )
        from sqlalchemy.exc import IntegrityError, OperationalError

        if isinstance(exc, OperationalError):
            return StoreUnavailableError(
                f"工单库无法访问。Could not {action}: the ticket database {self.describe()} "
                f"is unreachable or not writable ({text_.strip()}).{keep} Check that the "
                "database server is running and reachable, the file's folder is writable, "
                "and `database_url` (HOTLINE_DATABASE_URL) is right.",
                draft=draft,
                suggestions=suggestions,
                call=call,
                saved_to=saved,
            )
        if isinstance(exc, IntegrityError):
            message = (
                f"Could not {action}: the database rejected the change as inconsistent "
                f"({text_.strip()}).{keep}"
            )
        else:
            message = f"Could not {action} in {self.describe()}: {text_.strip()}.{keep}"
        return TicketNotSavedError(
            message, draft=draft, suggestions=suggestions, call=call, saved_to=saved
        )

    def _save_unsaved(
        self,
        draft: TicketDraft,
        suggestions: Mapping[str, str] | None,
        call: CallInfo | None,
    ) -> Path | None:
        if self.drafts_dir is None:
            return None
        try:
            folder = self.drafts_dir / "unsaved-tickets"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = self._clock().strftime("%Y%m%dT%H%M%S")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
            payload = {
                "draft": draft.to_dict(),
                "suggestions": dict(suggestions or {}),
                "call": call.to_dict() if call is not None else None,
                "database": self.describe(),
            }
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(path)
            return path
        except OSError:
            return None

    @contextlib.contextmanager
    def _write(self, action: str, **ctx: Any) -> Iterator[Session]:
        with self._errors(action, **ctx), self._write_sessions() as s, s.begin():
            yield s

    @contextlib.contextmanager
    def _read(self, action: str = "read tickets") -> Iterator[Session]:
        with self._errors(action), self._read_sessions() as s, s.begin():
            yield s

    # ---------------------------------------------------------------- helpers
    def _day_of(self, at: datetime) -> str:
        local = at.astimezone(self._tz) if self._tz is not None else at.astimezone()
        return local.strftime("%Y%m%d")

    def _allocate_number(self, s: Session, day: str) -> tuple[int, str]:
        from sqlalchemy import update

        from .store_models import DayCounterRow

        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            s.execute(
                pg_insert(DayCounterRow)
                .values(day=day, last_seq=0)
                .on_conflict_do_nothing(index_elements=["day"])
            )
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            s.execute(
                sqlite_insert(DayCounterRow)
                .values(day=day, last_seq=0)
                .on_conflict_do_nothing(index_elements=["day"])
            )
        seq = s.execute(
            update(DayCounterRow)
            .where(DayCounterRow.day == day)
            .values(last_seq=DayCounterRow.last_seq + 1)
            .returning(DayCounterRow.last_seq),
            execution_options={"synchronize_session": False},
        ).scalar_one()
        return int(seq), f"{NUMBER_PREFIX}-{day}-{int(seq):04d}"

    def _row(self, s: Session, ticket_id: int | str, *, lock: bool = False) -> TicketRow:
        from sqlalchemy import select

        from .store_models import TicketRow

        stmt = select(TicketRow)
        ref = str(ticket_id).strip()
        if isinstance(ticket_id, int) or ref.isdigit():
            stmt = stmt.where(TicketRow.id == int(ref))
        else:
            number = ref if ref.startswith(f"{NUMBER_PREFIX}-") else f"{NUMBER_PREFIX}-{ref}"
            stmt = stmt.where(TicketRow.number == number)
        if lock and self.backend == "postgresql":
            stmt = stmt.with_for_update()
        row = s.execute(stmt).scalar_one_or_none()
        if row is None:
            raise TicketNotFoundError(
                f"No ticket {ticket_id!r} in {self.describe()} (give the ticket number like "
                f"{NUMBER_PREFIX}-20261124-0007 or its numeric id)."
            )
        return row

    def _tickets(self, s: Session, rows: Iterable[TicketRow]) -> builtins.list[Ticket]:
        from sqlalchemy import select

        from .store_models import TicketRow

        rows = builtins.list(rows)
        targets = {r.merged_into for r in rows if r.merged_into is not None}
        numbers: dict[int, str] = {}
        if targets:
            numbers = {
                i: n
                for i, n in s.execute(
                    select(TicketRow.id, TicketRow.number).where(TicketRow.id.in_(targets))
                ).all()
            }
        return [_to_ticket(r, numbers.get(r.merged_into or -1)) for r in rows]

    def _audit_row(
        self,
        ticket_id: int,
        at: datetime,
        actor: str,
        action: str,
        field_: str | None,
        old: str | None,
        new: str | None,
        seat: str,
    ) -> Any:
        from .store_models import AuditRow

        return AuditRow(
            ticket_id=ticket_id,
            at=at,
            actor=actor,
            action=action,
            field=field_,
            old_value=old,
            new_value=new,
            seat=seat,
        )

    def _call_row(self, call: CallInfo, ticket_id: int, seat: str, note: str, at: datetime) -> Any:
        from .store_models import CallSessionRow

        transcript = (
            json.dumps([e.to_dict() for e in call.transcript], ensure_ascii=False)
            if call.transcript
            else None
        )
        return CallSessionRow(
            call_id=call.call_id,
            started_at=call.started_at,
            ended_at=call.ended_at,
            seat=seat,
            transcript_json=transcript,
            session_path=call.session_path,
            note=note,
            ticket_id=ticket_id,
            linked_at=at,
        )

    # ---------------------------------------------------------------- writing
    def submit(
        self,
        draft: TicketDraft,
        *,
        suggestions: Mapping[str, str] | None = None,
        call: CallInfo | None = None,
        seat: str | None = None,
    ) -> Ticket:
        """Store a confirmed ticket with its audit trail and call link in one transaction.

        ``suggestions``: what the assistant proposed per field (``name``, ``phone``,
        ``address``, ``incident_time``, ``category`` (leaf id), ``summary``, ``verdict``,
        ``urgency``); each becomes a ``suggested`` audit row, and the final value a
        ``confirmed`` (same) or ``edited`` (changed) row.
        Raises `DraftInvalidError` for invalid fields, `StoreLockedError` /
        `StoreUnavailableError` (carrying the draft) when the database cannot take it now.
        """
        problems = draft.validate()
        if problems:
            raise DraftInvalidError(problems)
        suggestions = dict(suggestions or {})
        seat = seat if seat is not None else self.seat_id
        from .store_models import TicketRow

        with self._write("submit the ticket", draft=draft, suggestions=suggestions, call=call) as s:
            now = self._clock()
            day = self._day_of(now)
            seq, number = self._allocate_number(s, day)
            row = TicketRow(
                number=number,
                day=day,
                seq=seq,
                status="open",
                caller_name=draft.name.strip(),
                phone=draft.phone.strip(),
                phone_norm=normalize_phone(draft.phone),
                address=draft.address.strip(),
                address_norm=normalize_address(draft.address),
                incident_time=draft.incident_time.strip(),
                category_id=draft.category_id.strip(),
                category_path=draft.category_path.strip(),
                department=draft.department.strip(),
                deadline=draft.deadline,
                verdict=draft.verdict,
                channel=draft.channel or None,
                reason=draft.reason or None,
                urgency=draft.urgency,
                summary=draft.summary.strip(),
                assign_by=draft.assign_by,
                resolve_by=draft.resolve_by,
                created_at=now,
                updated_at=now,
                seat_id=seat,
            )
            s.add(row)
            s.flush()
            audit = [
                self._audit_row(row.id, now, "assistant", "suggested", f, None, v, seat)
                for f, v in suggestions.items()
            ]
            audit.append(
                self._audit_row(row.id, now, "call_taker", "created", None, None, number, seat)
            )
            for f in _AUDITED_DRAFT_FIELDS:
                value = draft.value_of(f)
                status = draft.field_status.get(f)
                if f in suggestions:
                    action = "confirmed" if value == suggestions[f] else "edited"
                    audit.append(
                        self._audit_row(
                            row.id, now, "call_taker", action, f, suggestions[f], value, seat
                        )
                    )
                elif value:
                    # No suggestion recorded: "edited" only when the form says the call-taker
                    # typed/changed it, otherwise the submitted value counts as confirmed.
                    action = "edited" if status == "edited" else "confirmed"
                    audit.append(
                        self._audit_row(row.id, now, "call_taker", action, f, None, value, seat)
                    )
            if call is not None:
                audit.extend(self._change_rows(row.id, call, seat, now))
            s.add_all(audit)
            if call is not None:
                s.add(self._call_row(call, row.id, seat, "", now))
            s.flush()
            return self._tickets(s, [row])[0]

    def _change_rows(self, ticket_id: int, call: CallInfo, seat: str, now: datetime) -> list[Any]:
        """The call-taker's edits and confirmations during the call, each at its moment."""
        rows = []
        for ch in call.changes:
            at = ch.get("at")
            when = (
                call.started_at + timedelta(seconds=float(at))
                if call.started_at is not None and isinstance(at, int | float)
                else now
            )
            value = ch.get("value")
            rows.append(
                self._audit_row(
                    ticket_id, when, "call_taker", ch["action"], ch["field"], None,
                    None if value is None else str(value), seat,
                )
            )  # fmt: skip
        return rows

    def append_call(
        self,
        ticket_id: int | str,
        call: CallInfo,
        note: str = "",
        *,
        seat: str | None = None,
        actor: Actor = "call_taker",
    ) -> Ticket:
        """Link another call (a repeat caller) to an existing ticket; a merged ticket forwards
        to the ticket it was merged into. Returns the ticket the call was linked to."""
        seat = seat if seat is not None else self.seat_id
        with self._write("link the call to the ticket") as s:
            row = self._row(s, ticket_id, lock=True)
            hops = 0
            while row.merged_into is not None and hops < 20:
                row = self._row(s, row.merged_into, lock=True)
                hops += 1
            now = self._clock()
            s.add(self._call_row(call, row.id, seat, note, now))
            detail = f"{call.call_id}: {note}" if note else call.call_id
            s.add(self._audit_row(row.id, now, actor, "appended", "call", None, detail, seat))
            row.updated_at = now
            s.flush()
            return self._tickets(s, [row])[0]

    def merge(
        self,
        duplicate_id: int | str,
        into_id: int | str,
        *,
        seat: str | None = None,
        actor: Actor = "call_taker",
    ) -> Ticket:
        """Mark ``duplicate_id`` as merged into ``into_id``; returns the updated duplicate."""
        seat = seat if seat is not None else self.seat_id
        with self._write("merge the tickets") as s:
            dup = self._row(s, duplicate_id, lock=True)
            into = self._row(s, into_id, lock=True)
            if dup.id == into.id:
                raise ValidationError("merged_into", "不能把工单合并到它自己")
            if dup.status == "merged":
                raise ValidationError("merged_into", f"工单 {dup.number} 已经合并过，不能再次合并")
            if into.status == "merged":
                raise ValidationError(
                    "merged_into", f"目标工单 {into.number} 本身已被合并，请合并到最终工单"
                )
            now = self._clock()
            old_status = dup.status
            dup.status = "merged"
            dup.merged_into = into.id
            dup.updated_at = now
            into.updated_at = now
            s.add_all(
                [
                    self._audit_row(
                        dup.id, now, actor, "merged", "merged_into", None, into.number, seat
                    ),
                    self._audit_row(
                        dup.id, now, actor, "status", "status", old_status, "merged", seat
                    ),
                    self._audit_row(
                        into.id, now, actor, "merged", "merged_from", None, dup.number, seat
                    ),
                ]
            )
            s.flush()
            return self._tickets(s, [dup])[0]

    def update_field(
        self,
        ticket_id: int | str,
        field: str,
        value: str | None,
        actor: Actor = "call_taker",
        *,
        seat: str | None = None,
    ) -> Ticket:
        """Change one field after submit; the old and new value go to the audit trail.
        The category (leaf id, path, department, deadline) changes as one: use
        :meth:`change_category`."""
        if field in ("category", "category_id", "category_path", "department", "deadline"):
            raise ValidationError(
                field, "分类、承办部门和时限须一起修改：请用 change_category（重新选择目录分类）"
            )
        if field not in _UPDATABLE:
            raise ValidationError(
                field, f"不能修改该字段；可修改：{', '.join(sorted(set(_UPDATABLE)))}"
            )
        attr = _UPDATABLE[field]
        value = (value or "").strip()
        problem = self._check_update(attr, value)
        if problem:
            raise ValidationError(field, problem)
        seat = seat if seat is not None else self.seat_id
        with self._write(f"change {field} of ticket {ticket_id}") as s:
            row = self._row(s, ticket_id, lock=True)
            old = getattr(row, attr)
            new: str | None = value
            if attr in ("channel", "reason") and not value:
                new = None
            if (old or "") == (new or ""):
                return self._tickets(s, [row])[0]
            setattr(row, attr, new)
            if attr == "address":
                row.address_norm = normalize_address(value)
            if attr == "phone":
                row.phone_norm = normalize_phone(value)
            now = self._clock()
            row.updated_at = now
            audit_field = "name" if attr == "caller_name" else attr
            s.add(self._audit_row(row.id, now, actor, "edited", audit_field, old, new, seat))
            s.flush()
            return self._tickets(s, [row])[0]

    def change_category(
        self,
        ticket_id: int | str,
        *,
        category_id: str,
        category_path: str,
        department: str,
        deadline: str,
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        """Re-categorise a ticket after submit: leaf id, path, department and deadline change
        together (one audit row each that changed), so the ticket never names a leaf of
        one department and dispatches to another."""
        from knowledge.types import DEADLINES, DEPARTMENTS

        values = {
            "category_id": category_id.strip(),
            "category_path": category_path.strip(),
            "department": department.strip(),
            "deadline": deadline.strip(),
        }
        if not values["category_id"] or not values["category_path"]:
            raise ValidationError("category", "需要分类编号和分类路径")
        if values["department"] not in DEPARTMENTS:
            raise ValidationError("department", f"未知承办部门：{values['department']}")
        if values["deadline"] not in DEADLINES:
            raise ValidationError("deadline", f"时限须为 {'/'.join(DEADLINES)}")
        seat = seat if seat is not None else self.seat_id
        with self._write(f"change the category of ticket {ticket_id}") as s:
            row = self._row(s, ticket_id, lock=True)
            now = self._clock()
            changed = False
            for attr, new in values.items():
                old = getattr(row, attr)
                if (old or "") != new:
                    setattr(row, attr, new)
                    s.add(self._audit_row(row.id, now, actor, "edited", attr, old, new, seat))
                    changed = True
            if changed:
                row.updated_at = now
            s.flush()
            return self._tickets(s, [row])[0]

    @staticmethod
    def _check_update(attr: str, value: str) -> str | None:
        from knowledge.types import CHANNELS, DEADLINES, REASONS

        if attr == "phone":
            return _check_phone(value)
        if attr == "verdict" and value not in VERDICTS:
            return f"受理结论应为 {'/'.join(VERDICTS)}"
        if attr == "urgency" and value not in URGENCIES:
            return f"紧急程度应为 {'/'.join(URGENCIES)}"
        if attr == "deadline" and value and value not in DEADLINES:
            return f"办理时限应为 {'/'.join(DEADLINES)}"
        if attr == "channel" and value and value not in CHANNELS:
            return f"未知的转办渠道：{value}"
        if attr == "reason" and value and value not in REASONS:
            return f"未知的不予受理原因：{value}"
        return None

    def _set_status(
        self, ticket_id: int | str, status: str, actor: str, seat: str | None, note: str
    ) -> Ticket:
        seat = seat if seat is not None else self.seat_id
        with self._write(f"set ticket {ticket_id} {status}") as s:
            row = self._row(s, ticket_id, lock=True)
            if row.status == "merged":
                raise ValidationError(
                    "status", f"工单 {row.number} 已合并，请处理目标工单（id {row.merged_into}）"
                )
            if row.status == status:
                return self._tickets(s, [row])[0]
            now = self._clock()
            old = row.status
            row.status = status
            row.closed_at = now if status == "closed" else None
            row.updated_at = now
            new = f"{status}: {note}" if note else status
            s.add(self._audit_row(row.id, now, actor, "status", "status", old, new, seat))
            s.flush()
            return self._tickets(s, [row])[0]

    def close(
        self,
        ticket_id: int | str,
        *,
        note: str = "",
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        """Close an open ticket (a merged ticket cannot be closed: close its target)."""
        return self._set_status(ticket_id, "closed", actor, seat, note)

    def reopen(
        self,
        ticket_id: int | str,
        *,
        note: str = "",
        actor: Actor = "call_taker",
        seat: str | None = None,
    ) -> Ticket:
        return self._set_status(ticket_id, "open", actor, seat, note)

    # ---------------------------------------------------------------- reading
    def get(self, ref: int | str) -> Ticket:
        """A ticket by number (``12345-20261124-0007`` or ``20261124-0007``) or numeric id."""
        with self._read() as s:
            return self._tickets(s, [self._row(s, ref)])[0]

    def find(self, ref: int | str) -> Ticket | None:
        try:
            return self.get(ref)
        except TicketNotFoundError:
            return None

    def list(
        self,
        *,
        status: str | Iterable[str] | None = None,
        text: str | None = None,
        phone: str | None = None,
        category: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        seat: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> builtins.list[Ticket]:
        """Tickets, newest first. ``text`` searches number, summary, address, name and category
        path; ``phone`` matches any part of the number; ``category`` is a leaf id or part of the
        path; ``since``/``until`` bound ``created_at`` (a date means that whole local day)."""
        from sqlalchemy import or_, select

        from .store_models import TicketRow

        stmt = select(TicketRow)
        if status:
            statuses = [status] if isinstance(status, str) else builtins.list(status)
            bad = [x for x in statuses if x not in STATUSES]
            if bad:
                raise ValidationError("status", f"状态应为 {'/'.join(STATUSES)}，不是 {bad[0]}")
            stmt = stmt.where(TicketRow.status.in_(statuses))
        if text:
            stmt = stmt.where(
                or_(
                    TicketRow.number.contains(text, autoescape=True),
                    TicketRow.summary.contains(text, autoescape=True),
                    TicketRow.address.contains(text, autoescape=True),
                    TicketRow.caller_name.contains(text, autoescape=True),
                    TicketRow.category_path.contains(text, autoescape=True),
                )
            )
        if phone:
            digits = normalize_phone(phone)
            if digits:
                stmt = stmt.where(TicketRow.phone_norm.contains(digits, autoescape=True))
        if category:
            stmt = stmt.where(
                or_(
                    TicketRow.category_id == category,
                    TicketRow.category_path.contains(category, autoescape=True),
                )
            )
        if since is not None:
            stmt = stmt.where(TicketRow.created_at >= self._bound(since, end=False))
        if until is not None:
            stmt = stmt.where(TicketRow.created_at < self._bound(until, end=True))
        if seat:
            stmt = stmt.where(TicketRow.seat_id == seat)
        stmt = stmt.order_by(TicketRow.created_at.desc(), TicketRow.id.desc()).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as s:
            return self._tickets(s, s.execute(stmt).scalars().all())

    def _bound(self, value: datetime | date, *, end: bool) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.astimezone()
        d = value + timedelta(days=1) if end else value
        tz = self._tz or datetime.now().astimezone().tzinfo
        return datetime.combine(d, time(0), tzinfo=tz)

    def count(self, *, status: str | None = None) -> int:
        from sqlalchemy import func, select

        from .store_models import TicketRow

        stmt = select(func.count(TicketRow.id))
        if status:
            stmt = stmt.where(TicketRow.status == status)
        with self._read() as s:
            return int(s.execute(stmt).scalar_one())

    def audit(self, ticket_id: int | str) -> builtins.list[AuditEntry]:
        """Every audit row of the ticket, oldest first."""
        from sqlalchemy import select

        from .store_models import AuditRow

        with self._read() as s:
            row = self._row(s, ticket_id)
            rows = s.execute(
                select(AuditRow).where(AuditRow.ticket_id == row.id).order_by(AuditRow.id)
            ).scalars()
            return [
                AuditEntry(
                    id=a.id,
                    ticket_id=a.ticket_id,
                    at=a.at,
                    actor=a.actor,
                    action=a.action,
                    field=a.field,
                    old_value=a.old_value,
                    new_value=a.new_value,
                    seat=a.seat,
                )
                for a in rows
            ]

    def calls(self, ticket_id: int | str) -> builtins.list[CallRecord]:
        """Calls linked to the ticket, oldest first."""
        from sqlalchemy import select

        from .store_models import CallSessionRow

        with self._read() as s:
            row = self._row(s, ticket_id)
            rows = s.execute(
                select(CallSessionRow)
                .where(CallSessionRow.ticket_id == row.id)
                .order_by(CallSessionRow.id)
            ).scalars()
            return [
                CallRecord(
                    id=c.id,
                    call_id=c.call_id,
                    ticket_id=c.ticket_id,
                    started_at=c.started_at,
                    ended_at=c.ended_at,
                    seat=c.seat,
                    note=c.note,
                    session_path=c.session_path,
                    transcript=tuple(json.loads(c.transcript_json or "[]")),
                    linked_at=c.linked_at,
                )
                for c in rows
            ]

    def find_duplicates(
        self,
        draft: TicketDraft,
        window_days: int | None = None,
        *,
        text_threshold: float = SIMILAR_TEXT_THRESHOLD,
        limit: int = 5,
    ) -> builtins.list[DuplicateMatch]:
        """Open tickets created within ``window_days`` (default: the configured
        ``duplicate_window_days``) that look like the same incident: same normalised address
        and category (score 1.0), or summaries at least ``text_threshold`` similar (rapidfuzz
        ratio). Best first, one match per ticket."""
        from rapidfuzz import fuzz
        from sqlalchemy import select

        from .store_models import TicketRow

        days = self.duplicate_window_days if window_days is None else window_days
        since = self._clock() - timedelta(days=days)
        addr_key = normalize_address(draft.address)
        addr_raw = _clean_text(draft.address)
        cat = draft.category_id.strip()
        summary = _clean_text(draft.summary)
        Reason = Literal["same_address_category", "similar_text"]
        with self._read("look for duplicate tickets") as s:
            # Scan light columns only; full rows are loaded for the few matches.
            cand = s.execute(
                select(
                    TicketRow.id,
                    TicketRow.category_id,
                    TicketRow.address_norm,
                    TicketRow.address,
                    TicketRow.summary,
                    TicketRow.created_at,
                )
                .where(TicketRow.status == "open", TicketRow.created_at >= since)
                .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
                .limit(DUPLICATE_SCAN_LIMIT)
            ).all()
            found: list[tuple[int, Reason, float, datetime]] = []
            for tid, row_cat, row_norm, row_addr, row_summary, created in cand:
                # The key stored at submit time is compared (re-normalising every row would
                # cost ~5 ms each with the cpca-based normaliser); identical raw text also counts.
                if (
                    addr_key
                    and cat
                    and row_cat == cat
                    and (addr_key == row_norm or addr_raw == _clean_text(row_addr))
                ):
                    found.append((tid, "same_address_category", 1.0, created))
                    continue
                other = _clean_text(row_summary)
                if len(summary) >= MIN_TEXT_CHARS and len(other) >= MIN_TEXT_CHARS:
                    score = fuzz.ratio(summary, other) / 100.0
                    if score >= text_threshold:
                        found.append((tid, "similar_text", round(score, 3), created))
            found.sort(key=lambda t: (-t[2], -t[3].timestamp(), -t[0]))
            found = found[:limit]
            rows = {
                r.id: r
                for r in s.execute(select(TicketRow).where(TicketRow.id.in_([f[0] for f in found])))
                .scalars()
                .all()
            }
            tickets = self._tickets(s, [rows[f[0]] for f in found])
            return [
                DuplicateMatch(ticket=t, reason=f[1], score=f[2])
                for t, f in zip(tickets, found, strict=True)
            ]

    def caller_history(self, phone: str, *, limit: int = 5) -> CallerHistory:
        """How often this number called before: ticket count, open count, linked calls, and
        the last ``limit`` tickets (newest first)."""
        from sqlalchemy import func, select

        from .store_models import CallSessionRow, TicketRow

        digits = normalize_phone(phone)
        if not digits:
            return CallerHistory(phone=phone, count=0, open_count=0, call_count=0, last=())
        with self._read("look up the caller's history") as s:
            count = s.execute(
                select(func.count(TicketRow.id)).where(TicketRow.phone_norm == digits)
            ).scalar_one()
            open_count = s.execute(
                select(func.count(TicketRow.id)).where(
                    TicketRow.phone_norm == digits, TicketRow.status == "open"
                )
            ).scalar_one()
            calls = s.execute(
                select(func.count(CallSessionRow.id))
                .join(TicketRow, CallSessionRow.ticket_id == TicketRow.id)
                .where(TicketRow.phone_norm == digits)
            ).scalar_one()
            rows = (
                s.execute(
                    select(TicketRow)
                    .where(TicketRow.phone_norm == digits)
                    .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            return CallerHistory(
                phone=phone,
                count=int(count),
                open_count=int(open_count),
                call_count=int(calls),
                last=tuple(self._tickets(s, rows)),
            )


def _to_ticket(r: TicketRow, merged_number: str | None) -> Ticket:
    return Ticket(
        id=r.id,
        number=r.number,
        status=r.status,
        name=r.caller_name,
        phone=r.phone,
        address=r.address,
        address_norm=r.address_norm,
        incident_time=r.incident_time,
        category_id=r.category_id,
        category_path=r.category_path,
        department=r.department,
        deadline=r.deadline,
        verdict=r.verdict,
        channel=r.channel,
        reason=r.reason,
        urgency=r.urgency,
        summary=r.summary,
        assign_by=r.assign_by,
        resolve_by=r.resolve_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
        seat_id=r.seat_id,
        merged_into=r.merged_into,
        merged_into_number=merged_number,
    )


def _make_engine(url: str, busy_timeout: float) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
    from sqlalchemy.pool import StaticPool

    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser()}"
    try:
        u = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"Invalid database_url {url!r}: {exc}. Use sqlite:///path/to/tickets.db or "
            "postgresql+psycopg://user@host:5432/dbname."
        ) from exc
    backend = u.get_backend_name()
    ms = max(int(busy_timeout * 1000), 0)
    if backend == "sqlite":
        database = u.database or ":memory:"
        kwargs: dict[str, Any] = {
            "connect_args": {"timeout": busy_timeout, "check_same_thread": False}
        }
        if database == ":memory:":
            kwargs["poolclass"] = StaticPool
        else:
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailableError(
                    f"Cannot create the folder of the ticket database {database}: {exc}. "
                    "Set database_url (HOTLINE_DATABASE_URL) or data_dir to a writable place."
                ) from exc
        engine = create_engine(u, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below emit BEGIN (pysqlite's own is unreliable).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {ms}")
                cur.execute("PRAGMA foreign_keys = ON")
                if database != ":memory:":
                    cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = FULL")
            finally:
                cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("hotline_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if backend == "postgresql":
        if u.drivername == "postgresql":
            u = u.set(drivername="postgresql+psycopg")
        return create_engine(
            u,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": max(int(busy_timeout), 2),
                "options": f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout=60000",
                "application_name": "hotline-assistant",
            },
        )
    raise StoreError(
        f"Unsupported database {backend!r} in database_url; use sqlite:///… or "
        "postgresql+psycopg://…"
    )
