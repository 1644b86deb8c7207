"""Settings refuse what they cannot use, naming file, key and allowed values (issue 18.14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import load_settings
from tests.knowledge_fixtures import ROOT


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("HOTLINE_CONFIG", str(path))
    for name in list(os.environ):
        if name.startswith("HOTLINE_") and name != "HOTLINE_CONFIG":
            monkeypatch.delenv(name)
    return path


def refused(cfg: Path, body: str) -> str:
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings()
    return str(info.value)


def test_malformed_toml_names_the_file_line_and_column(cfg: Path) -> None:
    msg = refused(cfg, 'seat_id = "a"\nsample_rate = = 3\n')
    assert str(cfg) in msg and "line 2" in msg and "column" in msg


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ('database_uri = "postgresql://x/y"\n', ["database_uri", "database_url"]),
        ('[hotline]\nseat_id = "a"\n', ["hotline", "unknown"]),
        ("sample_rate = 0\n", ["sample_rate", "8000"]),
        ('sample_rate = "fast"\n', ["sample_rate", "integer"]),
        ("duplicate_window_days = -5\n", ["duplicate_window_days", "0"]),
        ('channel_map = ["x", "y"]\n', ["channel_map", "caller", "agent"]),
        ('channel_map = ["caller", "caller"]\n', ["channel_map", "caller", "agent"]),
        ('seat_id = ""\n', ["seat_id"]),
        ('seat_id = "   "\n', ["seat_id"]),
        ('seat_id = "a\\u001b[2Jb"\n', ["seat_id"]),
        ('asr_engine = "kaldi"\n', ["asr_engine", "vosk", "whisper"]),
        ("record_audio = 3\n", ["record_audio"]),
    ],
)
def test_bad_file_values_name_file_key_and_allowed(
    cfg: Path, body: str, needles: list[str]
) -> None:
    msg = refused(cfg, body)
    assert str(cfg) in msg, msg
    for needle in needles:
        assert needle in msg, msg


def test_unknown_hotline_env_name_is_refused(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URI", "postgresql://x/y")
    with pytest.raises(ConfigError, match=r"HOTLINE_DATABASE_URI.*HOTLINE_DATABASE_URL"):
        load_settings()


def test_bad_env_value_names_the_variable(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SAMPLE_RATE", "0")
    with pytest.raises(ConfigError, match="HOTLINE_SAMPLE_RATE"):
        load_settings()


def test_good_settings_and_non_setting_env_names_still_load(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_TEST_AUDIO_DIR", "/nowhere")  # the test suite's own names
    cfg.write_text(
        'seat_id = " seat-7 "\nsample_rate = 8000\nduplicate_window_days = 0\n'
        'channel_map = ["agent", "caller"]\n',
        encoding="utf-8",
    )
    s = load_settings()
    assert (s.seat_id, s.sample_rate, s.channel_map) == ("seat-7", 8000, ("agent", "caller"))


def test_cli_prints_the_error_without_traceback(cfg: Path) -> None:
    cfg.write_text("sample_rate = 0\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "config", "show"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "sample_rate" in proc.stderr
