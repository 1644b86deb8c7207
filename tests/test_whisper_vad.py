"""asr.whisper.vad: streaming Silero VAD and endpointing (real ONNX model, no Whisper needed)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from whisper_fixtures import (
    RATE,
    dtmf,
    feed,
    hold_music,
    load,
    pink_noise,
    silence,
    white_noise,
)

from asr.whisper.filters import DecodeResult
from asr.whisper.recogniser import WhisperRecognizer
from asr.whisper.vad import WINDOW, Endpointer, SileroStream, Utterance, VadConfig

CLIP = "paddlespeech_zh.wav"  # 5.0 s, one sentence


def _run(ep: Endpointer, audio: np.ndarray, block: int = 1600) -> list[Utterance]:
    out: list[Utterance] = []
    for i in range(0, len(audio), block):
        out.extend(ep.feed(audio[i : i + block]))
    out.extend(ep.flush())
    return out


def test_streaming_probabilities_equal_whole_file_vad() -> None:
    from faster_whisper.vad import get_vad_model

    audio = load("real", CLIP)
    n = len(audio) // WINDOW * WINDOW
    whole = get_vad_model()(audio[:n]).reshape(-1)
    stream = SileroStream()
    parts = [
        stream.probs(audio[i : i + 3 * WINDOW].reshape(-1, WINDOW)) for i in range(0, n, 3 * WINDOW)
    ]
    assert np.allclose(np.concatenate(parts), whole, atol=1e-5)


def test_speech_between_silences_is_one_utterance_with_padding() -> None:
    speech = load("real", CLIP)
    audio = np.concatenate([silence(2.0), speech, silence(2.0)])
    cfg = VadConfig()
    utts = _run(Endpointer(cfg), audio)
    assert len(utts) == 1
    u = utts[0]
    start, end = u.start_sample / RATE, u.end_sample / RATE
    # the speech is inside [2.0, 7.0]; the cut keeps up to speech_pad_s around it
    assert 1.5 <= start <= 2.6
    assert 6.0 <= end <= 7.0 + cfg.speech_pad_s + 0.05
    assert len(u.audio) == u.end_sample - u.start_sample
    assert np.array_equal(u.audio, audio[u.start_sample : u.end_sample])
    assert u.speech_s > 2.0


def test_block_size_does_not_change_the_result() -> None:
    audio = np.concatenate([silence(1.0), load("real", CLIP), silence(1.0)])
    a = _run(Endpointer(), audio, block=160)
    b = _run(Endpointer(), audio, block=16000)
    assert [(u.start_sample, u.end_sample) for u in a] == [
        (u.start_sample, u.end_sample) for u in b
    ]


@pytest.mark.parametrize(
    "audio",
    [silence(5), white_noise(5), white_noise(5, 0.3), pink_noise(5, 0.5), hold_music(8), dtmf()],
    ids=["silence", "white", "white-loud", "pink-loud", "music", "dtmf"],
)
def test_non_speech_gives_no_utterance(audio: np.ndarray) -> None:
    assert _run(Endpointer(), audio) == []


def test_long_speech_is_cut_without_losing_audio() -> None:
    speech = np.concatenate([load("real", "kimiaudio_asr_example.wav"), load("real", CLIP)])
    cfg = VadConfig(max_utterance_s=4.0, min_silence_s=2.0)
    utts = _run(Endpointer(cfg), speech)
    assert len(utts) >= 3
    for u in utts:
        assert (u.end_sample - u.start_sample) / RATE <= cfg.max_utterance_s + 0.05
    for a, b in itertools.pairwise(utts):
        assert a.end_sample <= b.start_sample
    # consecutive pieces of the one long utterance touch: nothing between them is lost
    touching = sum(1 for a, b in itertools.pairwise(utts) if a.end_sample == b.start_sample)
    assert touching >= 1


def test_current_utterance_grows_while_speaking() -> None:
    ep = Endpointer()
    speech = load("real", "kimiaudio_asr_example.wav")
    assert ep.current() is None
    seen = []
    for i in range(0, len(speech), 1600):
        ep.feed(speech[i : i + 1600])
        cur = ep.current()
        if cur is not None:
            seen.append(len(cur.audio))
            assert ep.in_speech
    assert seen and max(seen) > RATE  # more than a second of open utterance at some point


class _ScriptedVad:
    """Stands in for SileroStream with given per-window probabilities (endpointing logic only)."""

    def __init__(self, probs: list[float]) -> None:
        self._probs = list(probs)
        self.resets = 0

    def probs(self, windows: np.ndarray) -> np.ndarray:
        out, self._probs = self._probs[: len(windows)], self._probs[len(windows) :]
        return np.asarray(out + [0.0] * (len(windows) - len(out)), dtype=np.float32)

    def reset(self) -> None:
        self.resets += 1


def _scripted(cfg: VadConfig, probs: list[float]) -> tuple[list[Utterance], _ScriptedVad]:
    ep = Endpointer(cfg)
    fake = _ScriptedVad(probs)
    ep._vad = fake  # type: ignore[assignment]
    return _run(ep, np.zeros(len(probs) * WINDOW, dtype=np.float32), block=3 * WINDOW), fake


def test_a_slowly_rising_onset_joins_the_utterance() -> None:
    # 40 windows of silence, 12 just under the threshold (0.25: above neg 0.2), then speech
    probs = [0.0] * 40 + [0.25] * 12 + [0.9] * 40 + [0.0] * 60
    cfg = VadConfig(threshold=0.35, neg_threshold=0.2)
    pad = round(cfg.speech_pad_s * RATE / WINDOW)
    [utt], _ = _scripted(cfg, probs)
    assert utt.start_sample == (40 - pad) * WINDOW  # back to where it rose, then the pad
    [utt], _ = _scripted(VadConfig(threshold=0.35, neg_threshold=0.2, onset_lookback_s=0), probs)
    assert utt.start_sample == (52 - pad) * WINDOW  # without the lookback: the pad only
    # the lookback is bounded
    long_rise = [0.0] * 10 + [0.25] * 100 + [0.9] * 40 + [0.0] * 60
    [utt], _ = _scripted(cfg, long_rise)
    lookback = round(cfg.onset_lookback_s * RATE / WINDOW)
    assert utt.start_sample == (110 - lookback - pad) * WINDOW


def test_the_vad_state_is_reset_after_a_long_silence_only() -> None:
    cfg = VadConfig()
    reset_w = round(cfg.state_reset_s * RATE / WINDOW)
    # (the end of the stream resets the state once more: counted as the last reset)
    # speech, then a pause shorter than the reset time, then speech: no reset in between
    probs = [0.9] * 30 + [0.0] * (reset_w - 5) + [0.9] * 30 + [0.0] * 10
    _, fake = _scripted(cfg, probs)
    assert fake.resets == 1
    _, fake = _scripted(cfg, [0.9] * 30 + [0.0] * (3 * reset_w + 2))
    assert fake.resets == 3 + 1
    _, fake = _scripted(VadConfig(state_reset_s=0), [0.9] * 30 + [0.0] * (3 * reset_w + 2))
    assert fake.resets == 1


def test_speech_after_a_long_silence_starts_where_it_starts_alone() -> None:
    """Carried over a long digital silence (the other party's turn on a call channel), the
    VAD's state used to score a soft telephone-band onset low and start the utterance ~0.6 s
    late, so Whisper lost the first words; the state is reset after a long silence."""
    first = load("real_more/tel", "baidu_speechdemo_beijingkejiguan.wav")
    second = load("real_more/tel", "mossttsd_zh_spk2_moon.wav")
    cfg = VadConfig().for_rate(8000)
    alone = _run(Endpointer(cfg), np.concatenate([silence(1.0), second, silence(1.0)]))
    lead = 1.0 + len(first) / RATE + 12.0
    stream = np.concatenate([silence(1.0), first, silence(12.0), second, silence(1.0)])
    after = [u for u in _run(Endpointer(cfg), stream) if u.end_sample / RATE > lead]
    assert alone and after
    # no later than when the same speech comes alone
    assert after[0].start_sample / RATE - lead <= alone[0].start_sample / RATE - 1.0 + 0.1
    old = [
        u
        for u in _run(Endpointer(dataclasses.replace(cfg, state_reset_s=0)), stream)
        if u.end_sample / RATE > lead
    ]
    assert old[0].start_sample > after[0].start_sample + 0.3 * RATE  # what the reset fixes


class _RecordingDecoder:
    """An UtteranceDecoder that records the context of every decode (real VAD, no Whisper)."""

    sample_rate = RATE
    vad_config = VadConfig()
    partials = False
    partial_interval = 1.5
    max_partial_load = 0.5
    speculative_silence_s = None
    context_gap_s: float | None = 1.5

    def __init__(self) -> None:
        self.contexts: list[str] = []

    def decode(
        self, audio: np.ndarray, *, blocking: bool = True, partial: bool = False, context: str = ""
    ) -> DecodeResult:
        self.contexts.append(context)
        return DecodeResult(f"第{len(self.contexts)}句。", -0.2, 0.01, 1.0, 0.0)

    def decoder_load(self) -> float:
        return 0.0


@pytest.mark.parametrize(("gap", "conditioned"), [(0.8, True), (5.0, False)])
def test_a_pause_inside_a_turn_keeps_the_previous_text_as_context(
    gap: float, conditioned: bool
) -> None:
    speech = load("real", CLIP)
    audio = np.concatenate([silence(1.0), speech, silence(gap), speech, silence(1.0)])
    dec = _RecordingDecoder()
    events = feed(WhisperRecognizer(dec, "caller"), audio)
    assert [e.raw for e in events if e.final] == ["第1句。", "第2句。"]
    assert dec.contexts == ["", "第1句。" if conditioned else ""]
    dec = _RecordingDecoder()
    dec.context_gap_s = None  # switched off
    feed(WhisperRecognizer(dec, "caller"), audio)
    assert dec.contexts == ["", ""]
