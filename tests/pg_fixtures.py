"""A real, throw-away PostgreSQL server for the store tests (and the store benchmark).

`TemporaryPostgres` runs ``initdb`` + ``pg_ctl`` from the installed PostgreSQL (Debian:
``/usr/lib/postgresql/<v>/bin``; override with ``HOTLINE_TEST_PG_BIN``) in a temp folder,
listening on 127.0.0.1 only, on a free port, with trust authentication. When the process
runs as root the server runs as the ``postgres`` user (PostgreSQL refuses root).

``HOTLINE_TEST_PG_URL`` (e.g. ``postgresql+psycopg://postgres@db:5432/postgres``) makes the
fixtures use that existing server instead of starting one.

Fixtures: ``pg_server`` (session: the base URL) and ``pg_url`` (a fresh empty database
per test). Import them into a test module with ``from pg_fixtures import pg_server, pg_url``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or the temporary server did not start."""


def find_pg_bin() -> Path | None:
    """Folder holding initdb and pg_ctl, or None."""
    override = os.environ.get("HOTLINE_TEST_PG_BIN")
    candidates = [override] if override else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin"]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TemporaryPostgres:
    """Start a private PostgreSQL server; `url` is a SQLAlchemy URL to its ``postgres`` db."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.bin = find_pg_bin()
        if self.bin is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian "
                "package `postgresql` or set HOTLINE_TEST_PG_BIN"
            )
        self.fsync = fsync
        self.port = 0
        self.tmp: Path | None = None
        self.url = ""

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )

    def start(self) -> str:
        assert self.bin is not None
        self.tmp = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        data, sock, log = self.tmp / "data", self.tmp / "sock", self.tmp / "server.log"
        sock.mkdir()
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam("postgres")
            for p in (self.tmp, sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        init = self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout}")
        last_err = ""
        for _ in range(3):  # the free port may be taken between probing and binding
            self.port = _free_port()
            opts = (
                f"-h 127.0.0.1 -p {self.port} -k {sock} -c max_connections=60 "
                f"-c fsync={'on' if self.fsync else 'off'}"
            )
            res = self._run(
                str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts,
                "-w", "-t", "60", "start",
            )  # fmt: skip
            if res.returncode == 0:
                self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
                return self.url
            last_err = res.stderr.strip() or res.stdout.strip()
            with contextlib.suppress(OSError):
                last_err += "\n" + log.read_text()[-2000:]
        self.stop()
        raise PostgresUnavailable(f"pg_ctl start failed: {last_err}")

    def stop(self) -> None:
        if self.tmp is None:
            return
        data = self.tmp / "data"
        if self.bin is not None and (data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_database(base_url: str, name: str | None = None) -> str:
    """Create an empty database on the server of ``base_url``; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(base_url)
    name = name or f"t_{uuid.uuid4().hex[:12]}"
    conninfo = (
        f"host={u.host} port={u.port or 5432} user={u.username or 'postgres'} "
        f"dbname={u.database or 'postgres'}"
    )
    if u.password:
        conninfo += f" password={u.password}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return u.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


def _require_real() -> bool:
    return os.environ.get("HOTLINE_TEST_REQUIRE_REAL") == "1"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Base URL of a real PostgreSQL server (started for this test session)."""
    external = os.environ.get("HOTLINE_TEST_PG_URL")
    if external:
        yield external
        return
    try:
        server = TemporaryPostgres()
        url = server.start()
    except PostgresUnavailable as exc:
        if _require_real():
            pytest.fail(f"HOTLINE_TEST_REQUIRE_REAL=1 but PostgreSQL is unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """URL of a fresh, empty database on the test server."""
    return create_database(pg_server)
