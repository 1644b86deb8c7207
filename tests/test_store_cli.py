"""`hotline tickets …` commands on a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest
import typer
from store_fixtures import make_draft, ticket_cli
from typer.testing import CliRunner

from assistant.store import CallInfo, TicketStore


@pytest.fixture
def app() -> typer.Typer:
    return ticket_cli()


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with TicketStore.open(url, seat_id="seat-3", duplicate_window_days=30) as store:
        a = store.submit(make_draft(), suggestions={"name": "张山"}, call=CallInfo("call-1"))
        b = store.submit(make_draft(name="王建国", phone="010-62345678", address="建国路88号",
                                    category_id="cg-noise", summary="建国路工地夜间施工噪音"))  # fmt: skip
        store.close(b.id)
    return url, [a.number, b.number]


def _run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_list_is_masked_and_filters(app: typer.Typer, db: tuple[str, list[str]]) -> None:
    url, (a, b) = db
    code, out = _run(app, "tickets", "list", "--db", url)
    assert code == 0, out
    assert a in out and b in out
    assert "138****8000" in out and "010-****5678" in out and "王**" in out
    assert "13800138000" not in out and "王建国" not in out
    code, out = _run(app, "tickets", "list", "--db", url, "--status", "closed")
    assert code == 0 and b in out and a not in out
    code, out = _run(app, "tickets", "list", "--db", url, "--search", "噪音", "--limit", "5")
    assert code == 0 and b in out and a not in out
    code, out = _run(app, "tickets", "list", "--db", url, "--status", "pending")
    assert code == 1 and "状态应为" in out


def test_show_prints_ticket_and_audit_trail(app: typer.Typer, db: tuple[str, list[str]]) -> None:
    url, (a, _b) = db
    code, out = _run(app, "tickets", "show", a, "--db", url)
    assert code == 0, out
    assert f"工单 {a}" in out and "操作记录" in out and "call-1" in out
    assert "建议" in out and "修改" in out and "创建" in out  # suggested / edited / created
    assert "张*" in out and "13800138000" not in out and "张山" not in out  # audit masked too
    code, out = _run(app, "tickets", "show", "12345-20000101-0001", "--db", url)
    assert code == 1 and "No ticket" in out


def test_export_masked_by_default_unmasked_on_request(
    app: typer.Typer, db: tuple[str, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, (a, b) = db
    out_csv = tmp_path / "out.csv"
    code, out = _run(app, "tickets", "export", "--db", url, "--out", str(out_csv))
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert [r["number"] for r in rows] == [a, b]  # oldest first
    assert [r["phone"] for r in rows] == ["138****8000", "010-****5678"]

    code, out = _run(app, "tickets", "export", "--db", url, "--format", "json")  # stdout
    assert code == 0
    doc = json.loads(out)
    assert doc["masked"] is True and [t["name"] for t in doc["tickets"]] == ["张*", "王**"]

    out_json = tmp_path / "clear.json"
    with caplog.at_level(logging.WARNING):
        code, out = _run(app, "tickets", "export", "--db", url, "-f", "json", "-o",
                         str(out_json), "--unmasked", "--yes")  # fmt: skip
    assert code == 0, out
    clear = json.loads(out_json.read_text(encoding="utf-8"))
    assert [t["phone"] for t in clear["tickets"]] == ["13800138000", "010-62345678"]
    assert "未脱敏" in out
    assert any("UNMASKED" in r.getMessage() for r in caplog.records)

    code, out = _run(app, "tickets", "export", "--db", url, "--format", "xml")
    assert code == 1 and "--format" in out


def test_no_subcommand_opens_tickets_screen(
    app: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui import commands
    from tui.cli import app as hotline

    opened: list[str] = []
    monkeypatch.setattr(commands, "open_ui", opened.append)
    code, out = _run(hotline, "tickets")
    assert code == 0, out
    assert opened == ["tickets"]
