"""Stored or loaded text printed by the CLI cannot drive the terminal (issue 18, item 10):
ESC sequences and C0/C1 control characters (newline and tab excepted) are stripped by one
display function on every printing path (`tickets show` / `list`, `replay`, errors...)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from store_fixtures import make_draft, ticket_cli
from typer.testing import CliRunner

from assistant.cli.display import sanitize
from assistant.store import TicketStore

HOSTILE = (
    "\x1b[2J\x1b[H清屏"  # CSI: clear screen, cursor home
    "\x1b]8;;http://evil.example\x07链接\x1b]8;;\x07"  # OSC 8 hyperlink
    "\x1b]0;假标题\x1b\\"  # OSC window title, ST-terminated
    "\x9b31m红\x9d0;x\x9c"  # C1 CSI / OSC / ST
    "\x07\x08\x0d\x7f\x00"  # bell, backspace, CR, DEL, NUL
    "\u202e倒序\u202c"  # bidi override
    "下水道堵塞"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_sanitize_strips_sequences_and_controls_but_keeps_text() -> None:
    out = sanitize(HOSTILE)
    assert not _CONTROL.search(out)
    assert "清屏" in out and "链接" in out and "下水道堵塞" in out and "倒序" in out
    assert "http://evil.example" not in out and "假标题" not in out and "2J" not in out
    assert sanitize("第一行\n\t第二行") == "第一行\n\t第二行"
    assert sanitize("") == ""


@pytest.fixture
def app() -> typer.Typer:
    return ticket_cli()


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with TicketStore.open(url, seat_id="seat-3", duplicate_window_days=30) as store:
        t = store.submit(make_draft(summary=HOSTILE, address="幸福小区\x1b[31m3号楼"))
        store.update_field(t.id, "summary", HOSTILE + "（改）")
    return url, t.number


def _run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.mark.parametrize("unmasked", [False, True])
def test_tickets_show_and_list_print_no_control_characters(
    app: typer.Typer, db: tuple[str, str], unmasked: bool
) -> None:
    url, number = db
    flags = ["--unmasked"] if unmasked else []
    for cmd in (["show", number], ["list"]):
        code, out = _run(app, "tickets", *cmd, "--db", url, *flags)
        assert code == 0, out
        assert not _CONTROL.search(out), repr(out)
        assert "清屏" in out


def test_rich_markup_in_stored_text_is_printed_literally(app: typer.Typer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with TicketStore.open(url, seat_id="s", duplicate_window_days=30) as store:
        t = store.submit(make_draft(summary="[link=http://evil.example]点我[/link][reverse]反色"))
    code, out = _run(app, "tickets", "show", t.number, "--db", url)
    assert code == 0, out
    assert "[link=http://evil.example]点我[/link]" in out and "[reverse]" in out


def test_replay_strips_control_characters_from_a_session(tmp_path: Path) -> None:
    import shutil

    from assistant.cli import app as hotline

    src = Path(__file__).parent.parent / "audio_samples" / "01_rural_road" / "session"
    session = tmp_path / "s1"
    shutil.copytree(src, session)
    meta = json.loads((session / "session.json").read_text(encoding="utf-8"))
    meta.pop("audio", None)
    meta["title"] = "标题\x1b]0;x\x07"
    (session / "session.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    lines = (session / "events.jsonl").read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["text"] = HOSTILE
    lines[1] = json.dumps(event, ensure_ascii=False)
    (session / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(hotline, ["replay", str(session)])
    assert result.exit_code == 0, result.output
    assert "清屏" in result.output and "标题" in result.output
    assert not _CONTROL.search(result.output), repr(result.output)
