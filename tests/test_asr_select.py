"""Engine selection (`asr.select.create_engine`): vosk | whisper | auto."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from asr_fixtures import korean_engine, korean_model
from conftest import ROOT

from asr.errors import EngineUnavailableError, ModelNotFoundError
from asr.select import create_engine

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture()
def cached_vosk(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Reuse the session's Korean engine instead of loading the model again."""
    loaded: list[Path] = []

    def load(path: Path, rescoring: bool = False) -> object:
        from asr.models import check_vosk_model

        assert rescoring is False  # live use: a large model's slow rescoring is dropped
        check_vosk_model(path)  # same checks as the real loader
        loaded.append(path)
        return korean_engine()

    monkeypatch.setattr("asr.select._load_vosk", load)
    return loaded


def test_vosk_requested_with_a_model() -> None:
    engine, reason = create_engine("vosk", korean_model(), None, Path("/nonexistent"))
    assert engine.name == "vosk" and reason.startswith("Vosk (requested)")


def test_vosk_requested_without_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="hotline models download vosk-small-cn"):
        create_engine("vosk", None, None, tmp_path)


def test_auto_prefers_an_installed_mandarin_vosk_model(
    tmp_path: Path, cached_vosk: list[Path]
) -> None:
    # the Korean model stands in for an installed vosk-model-small-cn-0.22 (symlink)
    (tmp_path / "vosk-model-small-cn-0.22").symlink_to(korean_model(), target_is_directory=True)
    engine, reason = create_engine("auto", None, None, tmp_path)
    assert engine.name == "vosk" and "Mandarin model installed" in reason
    assert cached_vosk == [tmp_path / "vosk-model-small-cn-0.22"]


def test_auto_uses_a_configured_vosk_model_of_unknown_language(
    tmp_path: Path, cached_vosk: list[Path]
) -> None:
    mine = tmp_path / "site-model"  # a folder name that says no language
    mine.symlink_to(korean_model(), target_is_directory=True)
    engine, reason = create_engine("auto", mine, None, Path("/nonexistent"))
    assert engine.name == "vosk" and "configured" in reason
    assert cached_vosk == [mine]


def test_auto_does_not_recognise_mandarin_with_a_korean_model(
    tmp_path: Path, cached_vosk: list[Path]
) -> None:
    with pytest.raises(EngineUnavailableError, match=r"not Mandarin \(ko\)"):
        create_engine("auto", korean_model(), None, tmp_path)
    assert cached_vosk == []


def test_auto_without_any_model_explains_both_fixes(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailableError) as err:
        create_engine("auto", tmp_path / "missing-vosk", None, tmp_path)
    msg = str(err.value)
    assert "configured Vosk model unusable" in msg and "whisper-base" in msg


def test_auto_falls_back_to_whisper(tmp_path: Path) -> None:
    whisper = ROOT / ".models" / "whisper-base"
    if not (whisper / "model.bin").is_file():
        pytest.skip("Whisper base not assembled (hotline models install whisper-base)")
    pytest.importorskip("faster_whisper")
    shutil.copytree(
        whisper,
        tmp_path / "whisper-base",
        symlinks=True,
        copy_function=lambda s, d: Path(d).symlink_to(s),
    )
    engine, reason = create_engine("auto", None, None, tmp_path)
    assert engine.name != "vosk" and reason.startswith("Whisper (no Mandarin Vosk model")
    assert engine.sample_rate == 16000


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="Unknown engine"):
        create_engine("kaldi", None, None, Path("."))


def _vosk(language: str | None, *, configured: bool, ok: bool = True) -> object:
    from asr.models import VoskModelInfo
    from asr.select import VoskProbe

    path = Path("/m/site-model")
    if not ok:
        return VoskProbe(path, configured, None, "missing")
    info = VoskModelInfo("site-model", path, 16000, 1, False, False, "HCLG", language)
    return VoskProbe(path, configured, info)


def test_choose_engine_is_one_pure_rule() -> None:
    from asr.select import WhisperProbe, choose_engine

    whisper = WhisperProbe("/m/whisper-base", False, True)
    no_whisper = WhisperProbe("/m/whisper-base", False, False, "not installed")
    pick = choose_engine("auto", _vosk(None, configured=True), no_whisper)  # type: ignore[arg-type]
    assert (pick.name, pick.reason, pick.ready) == ("vosk", "configured model", True)
    pick = choose_engine("auto", _vosk("ko", configured=True), whisper)  # type: ignore[arg-type]
    assert pick.name == "whisper" and pick.not_mandarin == "ko" and "not Mandarin" in pick.reason
    pick = choose_engine("auto", _vosk("ko", configured=True), no_whisper)  # type: ignore[arg-type]
    assert pick.name == "none" and not pick.ready
    pick = choose_engine("AUTO", _vosk("zh", configured=False), no_whisper)  # type: ignore[arg-type]
    assert (pick.name, pick.reason) == ("vosk", "Mandarin model installed")
    pick = choose_engine("vosk", _vosk(None, configured=False, ok=False), whisper)  # type: ignore[arg-type]
    assert (pick.name, pick.requested, pick.ready) == ("vosk", True, False)
    pick = choose_engine("whisper", _vosk("zh", configured=False), no_whisper)  # type: ignore[arg-type]
    assert (pick.name, pick.requested, pick.ready) == ("whisper", True, False)
    with pytest.raises(ValueError, match="Unknown engine"):
        choose_engine("kaldi", _vosk("zh", configured=False), whisper)  # type: ignore[arg-type]
