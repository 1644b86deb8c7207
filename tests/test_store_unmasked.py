"""`--unmasked` is confirmed and leaves a trace (issue 18, item 9): an unmasked export asks
first (or takes ``--yes``), and every unmasked export / show / list writes a row to each
ticket's audit trail with the OS user and the seat, so "已记入" is true."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
import typer
from store_fixtures import make_draft, ticket_cli
from typer.testing import CliRunner

from assistant.store import TicketStore


@pytest.fixture
def app() -> typer.Typer:
    return ticket_cli()


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, list[int]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with TicketStore.open(url, seat_id="seat-3", duplicate_window_days=30) as store:
        a = store.submit(make_draft())
        b = store.submit(make_draft(name="王建国", phone="010-62345678", category_id="cg-noise"))
    return url, [a.id, b.id]


def _run(app: typer.Typer, *args: str, stdin: str | None = None) -> tuple[int, str]:
    env = {"COLUMNS": "250", "HOTLINE_SEAT_ID": "seat-9"}
    result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    return result.exit_code, result.output


def _disclosures(url: str, ticket_id: int) -> list[tuple[str, str, str]]:
    with TicketStore.open(url, seat_id="x", duplicate_window_days=30) as store:
        return [
            (a.action, a.new_value or "", a.seat)
            for a in store.audit(ticket_id)
            if a.action == "disclosed"
        ]


def test_unmasked_export_asks_and_a_no_writes_nothing(
    app: typer.Typer, db: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, (a, _b) = db
    out = tmp_path / "clear.json"
    code, text = _run(
        app, "tickets", "export", "--db", url, "-f", "json", "-o", str(out), "--unmasked",
        stdin="n\n",
    )  # fmt: skip
    assert code != 0
    assert "确认" in text and not out.exists()
    assert _disclosures(url, a) == []


def test_unmasked_export_confirmed_writes_an_audit_row_per_ticket(
    app: typer.Typer, db: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, ids = db
    out = tmp_path / "clear.json"
    code, text = _run(
        app, "tickets", "export", "--db", url, "-f", "json", "-o", str(out), "--unmasked",
        stdin="y\n",
    )  # fmt: skip
    assert code == 0, text
    assert [t["phone"] for t in json.loads(out.read_text(encoding="utf-8"))["tickets"]] == [
        "13800138000",
        "010-62345678",
    ]
    user = getpass.getuser()
    for ticket_id in ids:
        rows = _disclosures(url, ticket_id)
        assert len(rows) == 1
        _action, what, seat = rows[0]
        assert seat == "seat-9" and user in what and str(out) in what and "导出" in what
    assert "已记入" in text and user in text


def test_yes_skips_the_question_but_not_the_audit(
    app: typer.Typer, db: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, (a, _b) = db
    code, text = _run(app, "tickets", "export", "--db", url, "--unmasked", "--yes")
    assert code == 0, text
    assert "13800138000" in text  # the CSV went to stdout
    assert len(_disclosures(url, a)) == 1


def test_unmasked_show_and_list_are_recorded_too(
    app: typer.Typer, db: tuple[str, list[int]]
) -> None:
    url, (a, b) = db
    code, text = _run(app, "tickets", "show", str(a), "--db", url, "--unmasked")
    assert code == 0, text
    assert _disclosures(url, a)[0][1].startswith("未脱敏查看")
    assert _disclosures(url, b) == []
    code, text = _run(app, "tickets", "list", "--db", url, "--unmasked")
    assert code == 0, text
    assert len(_disclosures(url, a)) == 2 and len(_disclosures(url, b)) == 1
    code, text = _run(app, "tickets", "show", str(a), "--db", url)
    assert code == 0 and "明文输出" in text  # the trail shows it


def test_masked_commands_write_no_audit_row(app: typer.Typer, db: tuple[str, list[int]]) -> None:
    url, (a, _b) = db
    assert _run(app, "tickets", "export", "--db", url)[0] == 0
    assert _run(app, "tickets", "list", "--db", url)[0] == 0
    assert _disclosures(url, a) == []
