"""Exports never destroy data and cannot carry spreadsheet formulas (issue 18, items 1 and 8)."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest
import typer
from store_fixtures import make_draft, ticket_cli
from typer.testing import CliRunner

from assistant.files.export import csv_cell, export_tickets
from assistant.store import TicketStore


@pytest.fixture
def app() -> typer.Typer:
    return ticket_cli()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with the default SQLite database holding two tickets."""
    data = tmp_path / "data"
    with TicketStore.open(data / "tickets.db", seat_id="seat-3", duplicate_window_days=30) as st:
        st.submit(make_draft())
        st.submit(make_draft(summary="\t=1+1 楼道积水"))
    (data / "drafts").mkdir()
    (data / "drafts" / "call-1.jsonl").write_text('{"op":"header"}\n', encoding="utf-8")
    return data


def _run(app: typer.Typer, data: Path, *args: str) -> tuple[int, str]:
    env = {"COLUMNS": "250", "HOTLINE_DATA_DIR": str(data), "HOTLINE_CONFIG": "/nonexistent.toml"}
    result = CliRunner().invoke(app, ["tickets", "export", *args], env=env)
    return result.exit_code, result.output


def _count(db: Path) -> int:
    with TicketStore.open(db, seat_id="x", duplicate_window_days=1, create=False) as st:
        return st.count()


def test_export_refuses_an_existing_file_unless_force(
    app: typer.Typer, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.csv"
    out.write_text("我的表格\n", encoding="utf-8")
    code, text = _run(app, data_dir, "-o", str(out))
    assert code == 2, text
    assert "已存在" in text and "--force" in text
    assert out.read_text(encoding="utf-8") == "我的表格\n"
    code, text = _run(app, data_dir, "-o", str(out), "--force")
    assert code == 0, text
    assert "number" in out.read_text(encoding="utf-8-sig")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".part"))]


@pytest.mark.parametrize("force", [False, True])
def test_export_never_writes_over_the_database_or_the_drafts(
    app: typer.Typer, data_dir: Path, force: bool
) -> None:
    db = data_dir / "tickets.db"
    draft = data_dir / "drafts" / "call-1.jsonl"
    extra = ["--force"] if force else []
    for target in (db, draft, data_dir / "drafts" / "new.csv"):
        before = target.read_bytes() if target.exists() else None
        code, text = _run(app, data_dir, "-o", str(target), *extra)
        assert code == 2, (target, text)
        assert "工单库" in text or "草稿" in text or "已存在" in text
        assert (target.read_bytes() if target.exists() else None) == before
    assert _count(db) == 2  # still a database


def test_force_does_not_replace_a_database_elsewhere(
    app: typer.Typer, data_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere.db"
    with TicketStore.open(other, seat_id="x", duplicate_window_days=1) as st:
        st.submit(make_draft())
    code, text = _run(app, data_dir, "-o", str(other), "--force")
    assert code == 2 and "数据库" in text, text
    assert _count(other) == 1


def test_export_file_is_private(app: typer.Typer, data_dir: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "new" / "out.csv"
        code, text = _run(app, data_dir, "-o", str(out))
    finally:
        os.umask(old)
    assert code == 0, text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("楼道积水", "楼道积水"),
        ("", ""),
    ],
)
def test_csv_cells_that_start_a_formula_are_neutralised(raw: str, cell: str) -> None:
    assert csv_cell(raw) == cell


def test_submitted_tab_formula_is_neutralised_in_the_csv(data_dir: Path) -> None:
    with TicketStore.open(data_dir / "tickets.db", seat_id="x", duplicate_window_days=1) as st:
        tickets = list(reversed(st.list(limit=None)))
    buf = io.StringIO()
    export_tickets(tickets, buf, "csv", masked=False)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    summary = rows[1]["summary"]
    assert summary.startswith("'") and "=1+1" in summary, summary
    assert not any(v[:1] in "=+-@\t\r" for r in rows for v in r.values() if v)
