"""asr.whisper.vad: streaming Silero VAD and endpointing (real ONNX model, no Whisper needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from whisper_fixtures import (
    RATE,
    dtmf,
    hold_music,
    load,
    pink_noise,
    silence,
    white_noise,
)

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
