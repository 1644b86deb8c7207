"""`hotline places import` / `hotline places snap` through the real gazetteer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import create_cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTLINE_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def test_import_validates_and_saves(env: Path) -> None:
    good = env / "常州.csv"
    good.write_text("name,kind,district,street\n翠湖苑,小区,武进区,湖塘镇\n", encoding="utf-8")
    result = CliRunner().invoke(create_cli(), ["places", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 places" in result.output
    assert (env / "data" / "places" / "常州.csv").is_file()


def test_import_error_names_row_and_field(env: Path) -> None:
    bad = env / "bad.csv"
    bad.write_text("name,kind,district\n翠湖苑,小区,不存在区\n", encoding="utf-8")
    result = CliRunner().invoke(create_cli(), ["places", "import", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:2 [district]" in result.output


def test_snap_prints_the_real_places(env: Path) -> None:
    result = CliRunner().invoke(create_cli(), ["places", "snap", "时景山区八角街道洋中区"])
    assert result.exit_code == 0, result.output
    assert "时景山区 -> 石景山区" in result.output
    assert "address: 石景山区八角街道杨庄中区" in result.output
