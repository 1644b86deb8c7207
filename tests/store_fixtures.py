"""Shared helpers of the ticket-store tests: a controllable clock, sample drafts, and a
``db_url`` fixture parametrised over SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pg_fixtures import pg_server, pg_url  # noqa: F401  (fixtures re-exported)

from assistant.store import TicketDraft

BEIJING = timezone(timedelta(hours=8))


class FakeClock:
    """An aware clock that only moves when told (ticket-number days are in UTC+8)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 24, 9, 30, tzinfo=BEIJING)

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_draft(**changes: Any) -> TicketDraft:
    base = TicketDraft(
        name="张三",
        phone="13800138000",
        address="朝阳区幸福小区三号楼2单元",
        incident_time="今天早上",
        category_id="cg-drain-blocked",
        category_path="城乡建设 > 排水管理 > 下水道堵塞",
        department="水务",
        deadline="24h",
        verdict="accept",
        urgency="normal",
        summary="幸福小区3号楼下水道堵塞，污水外溢到楼道",
        field_status={"name": "edited", "phone": "confirmed", "address": "confirmed"},
    )
    return replace(base, **changes)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tickets.db'}"
    return str(request.getfixturevalue("pg_url"))


def ticket_cli() -> Any:
    """A Typer root with only the `tickets` commands (for CliRunner tests)."""
    import typer

    from assistant.cli import ticket_cmds

    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """test root"""

    ticket_cmds.register(root)
    return root
