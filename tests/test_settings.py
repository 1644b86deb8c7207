"""Typed settings: defaults, TOML file, HOTLINE_* environment, origins, `hotline config show`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import Settings, field_docs, load_settings, value_origins
from tui.cli import app


def test_every_field_has_a_docstring() -> None:
    docs = field_docs()
    missing = [name for name in Settings.model_fields if not docs.get(name)]
    assert not missing, f"settings without a docstring: {missing}"


def test_file_then_env_then_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        'seat_id = "seat-from-file"\nduplicate_window_days = 7\n'
        'channel_map = ["agent", "caller"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HOTLINE_CONFIG", str(cfg))
    monkeypatch.setenv("HOTLINE_DUPLICATE_WINDOW_DAYS", "14")
    s = load_settings()
    assert s.seat_id == "seat-from-file"
    assert s.duplicate_window_days == 14  # env beats file
    assert s.channel_map == ("agent", "caller")
    origins = value_origins(s)
    assert origins["seat_id"].startswith("file ")
    assert origins["duplicate_window_days"] == "env HOTLINE_DUPLICATE_WINDOW_DAYS"
    assert origins["asr_engine"] == "default"
    assert load_settings(seat_id="cli-seat").seat_id == "cli-seat"


def test_invalid_value_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ASR_ENGINE", "kaldi")
    with pytest.raises(ValueError, match="asr_engine"):
        load_settings()


def test_derived_defaults_live_under_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    s = load_settings()
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'tickets.db'}"
    assert s.effective_recordings_dir == tmp_path / "sessions"
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+psycopg://h/db")
    assert load_settings().effective_database_url == "postgresql+psycopg://h/db"


def test_config_show_json_reports_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SEAT_ID", "seat-9")
    result = CliRunner().invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["settings"]["seat_id"] == {
        "value": "seat-9",
        "effective": "seat-9",
        "origin": "env HOTLINE_SEAT_ID",
        "doc": field_docs()["seat_id"],
    }


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import typer.main

    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    out = []
    for name, cmd in getattr(click_group, "commands", {}).items():
        out.append((*prefix, name))
        if hasattr(cmd, "commands"):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


def test_every_subcommand_has_help_text() -> None:
    runner = CliRunner()
    commands = _commands(app)
    assert {
        ("config",),
        ("models",),
        ("analyze",),
        ("transcribe",),
        ("tickets",),
        ("replay",),
        ("live",),
        ("practice",),
        ("review",),
        ("serve",),
    } <= set(commands)
    for cmd in commands:
        result = runner.invoke(app, [*cmd, "--help"])
        assert result.exit_code == 0, (cmd, result.output)
        body = result.output.split("Options")[0]
        assert len(body.strip().splitlines()) >= 2, f"`hotline {' '.join(cmd)}` has no help text"


def test_console_script_and_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "--version"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and out.stdout.startswith("hotline-assistant ")
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="hotline")
    assert script.value == "tui.cli:main"  # the console script sits on the top layer
    exe = Path(sys.executable).with_name("hotline")
    out = subprocess.run(
        [str(exe), "models", "status"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    assert out.returncode == 0, out.stderr
    assert "Embedding backend in use" in out.stdout
    assert "Speech engine in use" in out.stdout


def test_app_log_masks_personal_data_and_rotates(tmp_path: Path) -> None:
    import logging

    from assistant.applog import configure_file_logging, get_logger

    settings = load_settings(data_dir=tmp_path / "a")
    path = configure_file_logging(settings)
    assert path == tmp_path / "a" / "logs" / "hotline.log"
    get_logger("test").warning("submit failed for caller 13812345678: %s", "database is locked")
    text = path.read_text(encoding="utf-8")
    assert "138****5678" in text and "13812345678" not in text and "database is locked" in text
    # a second app in the same process logs to its own file only
    other = configure_file_logging(load_settings(data_dir=tmp_path / "b"))
    get_logger("test").info("second")
    assert other is not None and "second" in other.read_text(encoding="utf-8")
    assert "second" not in path.read_text(encoding="utf-8")
    handlers = [
        h for h in logging.getLogger("hotline").handlers if isinstance(h, logging.FileHandler)
    ]
    assert len(handlers) == 1
