"""`TicketStore`: confirmed tickets, linked calls and an audit trail of every change.

One SQLAlchemy 2 code path, two backends (SQLite, PostgreSQL: see `engine`). The class is
put together from parts, one module per concern:

* `base.StoreBase`: state, read/write sessions, database error translation, row helpers;
* `submit.SubmitMixin`: `submit` (ticket numbers), `append_call`, `merge`;
* `edits.EditMixin`: `update_field`, `change_category`, `close`, `reopen`;
* `queries.QueryMixin`: `get`, `find`, `list`, `count`, `audit`, `calls`, `caller_history`;
* `duplicates.DuplicateMixin`: `find_duplicates`;
* here: opening the store, the schema, warm-up and disposal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from assistant.errors import StoreError
from assistant.store.base import refuse_restart_after_loss
from assistant.store.duplicates import DuplicateMixin
from assistant.store.edits import EditMixin
from assistant.store.engine import make_engine
from assistant.store.keys import normalize_address
from assistant.store.queries import QueryMixin
from assistant.store.submit import SubmitMixin

__all__ = ["TicketStore"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TicketStore(SubmitMixin, EditMixin, QueryMixin, DuplicateMixin):
    """Tickets, call links and audit trail in SQLite or PostgreSQL. Thread-safe per instance
    (each call uses its own session); open one per process."""

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
        ``drafts_dir``: where the copy of a ticket the database could not take is written;
        also where a store notes that its SQLite file vanished (`GONE_MARKER`), after which
        no new, empty database is created at that path (numbering would restart at 0001)
        until an administrator removes the note.
        """
        settings = None
        if url is None or seat_id is None or duplicate_window_days is None:
            from assistant.settings import load_settings

            settings = load_settings()
        if url is None:
            assert settings is not None
            url = settings.effective_database_url
        engine = make_engine(
            str(url),
            busy_timeout,
            before_create=(
                (lambda path: refuse_restart_after_loss(path, drafts_dir))
                if drafts_dir is not None
                else None
            ),
        )
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

        from assistant.store.orm import SCHEMA_VERSION, Base, SchemaVersionRow

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

        from assistant.store.orm import SchemaVersionRow

        with self._read() as s:
            return int(s.execute(select(func.max(SchemaVersionRow.version))).scalar_one() or 0)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> TicketStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()
