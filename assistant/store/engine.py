"""The SQLAlchemy engine of the ticket store, set up per backend.

* SQLite (default, one file per seat or a shared file for a few seats): WAL journal,
  foreign keys on, ``synchronous=FULL``, a busy timeout; write transactions (execution
  option ``hotline_write``) start with ``BEGIN IMMEDIATE`` so two seats queue instead of
  failing half-way.
* PostgreSQL (``postgresql+psycopg://user@host/db``): pre-ping, connect and lock timeouts.

A new SQLite file is created empty ``0600`` in a ``0700`` folder before SQLite opens it, so
the database and its ``-wal`` / ``-shm`` files (SQLite gives them the database's mode) are
readable by their owner only (:mod:`asr.fileio`). :func:`sqlite_file` names the file, for
the store's check that it is still there before each write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr.fileio import private_dir, private_file
from assistant.errors import StoreError, StoreUnavailableError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine (else None)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def make_engine(
    url: str, busy_timeout: float, *, before_create: Callable[[Path], None] | None = None
) -> Engine:
    """An engine for ``url`` (a SQLAlchemy URL or a plain SQLite file path).

    ``before_create(path)`` is called when the SQLite file does not exist yet, before it is
    created (it may raise to refuse a new, empty database)."""
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
            path = Path(database).expanduser()
            try:
                if not path.exists() and before_create is not None:
                    before_create(path)
                private_dir(path.parent)
                if not path.exists():
                    private_file(path)
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
