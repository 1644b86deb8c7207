"""The faster-whisper model behind the :mod:`asr.engine` interface: :class:`WhisperEngine`.

Whisper is not a streaming model, so each channel is cut into utterances by a streaming
Silero VAD (:mod:`asr.whisper.vad`, per channel in :mod:`asr.whisper.recogniser`); an
utterance is decoded when it ends and gives a final :class:`~asr.events.TranscriptEvent`.
While an utterance is still going on, a partial hypothesis of the audio so far is decoded at
a bounded rate (at most once per ``partial_interval`` seconds of new audio per channel,
never while the decoder is busy and never while the recent decoder load is above
``max_partial_load``), so two channels stay real time on two cores. The model is loaded once
per :class:`WhisperEngine` and shared by all channels; decode calls are serialised by a lock.

Speed: Whisper's encoder normally sees a 30-second window whatever the utterance length.
Here the log-Mel features are padded only to the utterance length plus ``encoder_pad_s``
(as whisper.cpp's ``audio_ctx`` does), which makes a 4-second utterance about three times
cheaper to decode without loss of accuracy on the test clips.

No invented text: besides the VAD gate, results are dropped when Whisper itself says there
was no speech (``no_speech_prob``) and the tokens are improbable (``avg_logprob``), when the
text is too repetitive (compression ratio, repeated n-grams), or when it is one of Whisper's
well-known hallucinations on noise ("谢谢观看", "请不吝点赞 订阅 转发", subtitle credits ...);
the text guards live in :mod:`asr.whisper.filters`.

Deterministic: decoding uses temperature 0 only by default (beam search, no sampling
fallback), so a recording gives the same text on every run. When Whisper loops on a digit
string (``158123456781567815812…``, see :func:`~asr.whisper.filters.has_digit_loop`) the
utterance is decoded once more with a repetition penalty (``loop_repetition_penalty``); a
run that still loops is cut to its first repetition
(:func:`~asr.whisper.filters.truncate_digit_loop`) or left for the field extractor to
discard.

Output: ``raw`` is Whisper's text converted to Simplified Chinese; ``text`` is
:func:`asr.text.normalize_text` of it. Word timestamps are not produced (``words=()``):
they would double the decoding cost.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from asr.errors import ASRError, EngineUnavailableError, ModelNotFoundError
from asr.events import Speaker
from asr.text import strip_punct, to_simplified
from asr.whisper.filters import (
    DecodeResult,
    collapse_repeats,
    compression_ratio,
    has_digit_loop,
    is_hallucination,
    strip_prompt_echo,
    truncate_digit_loop,
)
from asr.whisper.model import check_whisper_folder
from asr.whisper.recogniser import ENGINE_NAME, WhisperRecognizer
from asr.whisper.vad import SAMPLE_RATE, VadConfig

__all__ = ["DEFAULT_PROMPT", "WhisperEngine"]

log = logging.getLogger(__name__)

DEFAULT_PROMPT = "以下是普通话的句子，使用简体中文。"
TAIL_MIN_S = 3.0  # utterances shorter than this are not checked for a lost tail
CONTEXT_TOKENS = 64  # previous text kept in the prompt (Whisper itself keeps up to 224)
SHORT_TEXT_RATE = 3.0  # characters a second below which a final may have lost its tail


class _Load:
    """Sliding-window share of wall-clock time the decoder was busy (thread-safe)."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self._spans: deque[tuple[float, float]] = deque()
        self._lock = threading.Lock()

    def add(self, start: float, end: float) -> None:
        with self._lock:
            self._spans.append((start, end))
            while self._spans and self._spans[0][1] < end - self.window_s:
                self._spans.popleft()

    def value(self, now: float) -> float:
        lo = now - self.window_s
        with self._lock:
            busy = sum(max(0.0, e - max(s, lo)) for s, e in self._spans if e > lo)
        return busy / self.window_s


class WhisperEngine:
    """A loaded faster-whisper model that makes per-channel streaming recognisers.

    ``model`` is a CTranslate2 Whisper folder (e.g. from
    :func:`asr.whisper.model.install_whisper_base`) or the name of a model already in the
    local Hugging Face cache (nothing is downloaded). ``sample_rate`` is the rate of the
    audio chunks fed to the recognisers; other rates than 16 kHz are resampled (soxr).
    ``hotwords`` biases decoding toward domain words (built by the caller, e.g. from the
    dispatch catalogue).
    """

    name = ENGINE_NAME

    def __init__(
        self,
        model: str | Path,
        sample_rate: int = 16000,
        compute_type: str = "int8",
        beam_size: int = 5,
        hotwords: str | None = None,
        initial_prompt: str = DEFAULT_PROMPT,
        cpu_threads: int | None = None,
        partial_interval: float = 1.5,
        *,
        partial_beam_size: int = 1,
        speculative_silence_s: float | None = 0.3,
        context_gap_s: float | None = 1.5,
        partials: bool = True,
        max_partial_load: float = 0.5,
        vad: VadConfig | None = None,
        language: str = "zh",
        temperatures: Sequence[float] = (0.0,),
        no_speech_threshold: float = 0.6,
        log_prob_threshold: float = -1.0,
        drop_log_prob: float = -1.5,
        compression_ratio_threshold: float = 2.4,
        encoder_pad_s: float = 2.0,
        min_level_dbfs: float = -55.0,
        loop_repetition_penalty: float = 1.2,
    ) -> None:
        if sample_rate <= 0:
            raise ASRError(f"sample_rate must be positive, got {sample_rate}")
        try:
            import ctranslate2  # noqa: F401
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
        except ImportError as exc:
            raise EngineUnavailableError(
                "The Whisper engine needs faster-whisper; install it with "
                "pip install 'hotline-assistant[whisper]'"
            ) from exc

        self.sample_rate = int(sample_rate)
        self.compute_type = compute_type
        self.beam_size = max(1, int(beam_size))
        self.partial_beam_size = max(1, int(partial_beam_size))
        self.speculative_silence_s = speculative_silence_s
        self.context_gap_s = context_gap_s
        self.hotwords = hotwords.strip() if hotwords and hotwords.strip() else None
        self.initial_prompt = initial_prompt
        self.partial_interval = float(partial_interval)
        self.partials = partials
        self.max_partial_load = float(max_partial_load)
        self.vad_config = vad or VadConfig()
        self.language = language
        self.temperatures = tuple(temperatures) or (0.0,)
        self.no_speech_threshold = no_speech_threshold
        self.log_prob_threshold = log_prob_threshold
        self.drop_log_prob = drop_log_prob
        self.compression_ratio_threshold = compression_ratio_threshold
        self.encoder_pad_s = encoder_pad_s
        self.min_level_dbfs = min_level_dbfs
        self.loop_repetition_penalty = loop_repetition_penalty
        self.loop_redecodes = 0
        self.tail_redecodes = 0
        threads = cpu_threads if cpu_threads is not None else min(4, os.cpu_count() or 2)

        path = Path(str(model)).expanduser()
        t0 = time.perf_counter()
        if path.exists() or os.sep in str(model) or str(model).startswith("."):
            folder = check_whisper_folder(path)
            source = str(folder)
            self.model_path: Path | None = folder
        else:
            source = str(model)
            self.model_path = None
        try:
            self._model = WhisperModel(
                source,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                local_files_only=True,
            )
        except ASRError:
            raise
        except Exception as exc:  # missing from the cache, corrupt file, bad compute type
            if self.model_path is None:
                raise ModelNotFoundError(
                    f"Whisper model '{model}' is not available locally and nothing is "
                    "downloaded automatically. Run `hotline models install whisper-base` and "
                    "use the folder it prints, or set whisper_model to a faster-whisper folder."
                ) from exc
            raise ModelNotFoundError(
                f"Could not load the Whisper model in {self.model_path}: {exc}. "
                "Reinstall it with `hotline models install whisper-base`."
            ) from exc
        self.load_seconds = time.perf_counter() - t0
        if not self._model.model.is_multilingual:
            raise ModelNotFoundError(
                f"Whisper model '{model}' is English-only; Mandarin needs a multilingual model."
            )
        self._tokenizer = Tokenizer(
            self._model.hf_tokenizer, True, task="transcribe", language=language
        )
        self._prefix = self._prompt_prefix()
        self._prompt = self._build_prompt()  # text only (every decode)
        self._prompt_ts = self._build_prompt(timestamps=True)  # to find a lost tail
        self._suppress = self._suppressed_tokens()
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._finals_waiting = 0
        self._load = _Load()
        label = self.model_path.name if self.model_path else str(model)
        where = f" ({self.model_path})" if self.model_path else ""
        self.model_description = f"{label} {compute_type} beam {self.beam_size}{where}"
        self.decode_count = 0
        self.decode_seconds = 0.0

    # ------------------------------------------------------------------ factory
    def recognizer(self, speaker: Speaker, channel: int = 0) -> WhisperRecognizer:
        return WhisperRecognizer(self, speaker, channel)

    # ------------------------------------------------------------------ decoding
    def _prompt_prefix(self) -> list[int]:
        """The hotword and initial-prompt tokens (encoded once, in ``__init__``)."""
        tok = self._tokenizer
        prev: list[int] = []
        if self.hotwords:
            prev.extend(tok.encode(" " + self.hotwords)[:120])
        if self.initial_prompt:
            prev.extend(tok.encode(self.initial_prompt)[:100])
        return prev

    def _build_prompt(self, *, timestamps: bool = False, context: str = "") -> list[int]:
        tok = self._tokenizer
        prev = list(self._prefix)
        if context:
            prev.extend(tok.encode(context)[-CONTEXT_TOKENS:])
        prompt: list[int] = []
        if prev:
            prompt = [tok.sot_prev, *prev]
        prompt.extend(tok.sot_sequence)
        if not timestamps:
            prompt.append(tok.no_timestamps)
        return prompt

    def _suppressed_tokens(self) -> list[int]:
        tok = self._tokenizer
        ids = set(tok.non_speech_tokens)
        ids.update(
            [tok.transcribe, tok.translate, tok.sot, tok.sot_prev, tok.sot_lm, tok.no_speech]
        )
        return sorted(ids)

    def decode(
        self,
        audio: np.ndarray,
        *,
        blocking: bool = True,
        partial: bool = False,
        context: str = "",
    ) -> DecodeResult | None:
        """Decode one utterance (16 kHz float32). Returns None when ``blocking`` is False and
        the decoder is busy. Thread-safe: calls are serialised. ``partial`` decodes greedily
        (``partial_beam_size``) without temperature fallback. ``context`` is the text said
        just before on the same channel (Whisper's previous-text conditioning: the end of a
        sentence cut at a pause is decoded knowing its start)."""
        if not blocking and self._finals_waiting:
            return None  # a final result is waiting for the decoder: it goes first
        if blocking:
            with self._count_lock:
                self._finals_waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._count_lock:
                    self._finals_waiting -= 1
        elif not self._lock.acquire(blocking=False):
            return None
        start = time.perf_counter()
        try:
            result = self._decode_locked(audio, partial=partial, context=context)
        finally:
            end = time.perf_counter()
            self._load.add(start, end)
            self.decode_count += 1
            self.decode_seconds += end - start
            self._lock.release()
        return DecodeResult(
            raw=result.raw,
            avg_logprob=result.avg_logprob,
            no_speech_prob=result.no_speech_prob,
            compression_ratio=result.compression_ratio,
            temperature=result.temperature,
            rejected=result.rejected,
            decode_s=end - start,
        )

    def decoder_load(self) -> float:
        """Share of the last 10 s of wall-clock time the decoder was busy (0..1)."""
        return self._load.value(time.perf_counter())

    def _decode_locked(
        self, audio: np.ndarray, *, partial: bool = False, context: str = ""
    ) -> DecodeResult:
        """Decode an utterance. Whisper sometimes ends a long utterance early, at a pause
        (a 9.5 s sentence giving its first half): a final with too little text for its length
        (under ``SHORT_TEXT_RATE`` characters a second) is decoded again with timestamps,
        which carries Whisper past the pause; the longer text is kept unless it only says
        the short one twice, so no utterance loses its tail."""
        result = self._decode_once(audio, partial=partial, context=context)
        duration = len(audio) / SAMPLE_RATE
        if partial or not result.raw or duration < TAIL_MIN_S:
            return result
        if len(strip_punct(result.raw)) / duration >= SHORT_TEXT_RATE:
            return result
        timed = self._decode_once(audio, timestamps=True, context=context)
        self.tail_redecodes += 1
        if len(timed.raw) <= len(result.raw) or result.raw in timed.raw[len(result.raw) :]:
            return result  # no longer, or the short text said twice (a loop, not a tail)
        return timed

    def _decode_once(
        self,
        audio: np.ndarray,
        *,
        partial: bool = False,
        timestamps: bool = False,
        context: str = "",
    ) -> DecodeResult:
        """One guarded decode of one window (``timestamps``: let Whisper write its segment
        times, which are dropped from the text)."""
        fe = self._model.feature_extractor
        max_samples = 30 * SAMPLE_RATE
        audio = np.asarray(audio, dtype=np.float32)[:max_samples]
        rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
        level = 20 * math.log10(rms) if rms > 0 else -200.0
        if level < self.min_level_dbfs:
            return DecodeResult("", 0.0, 1.0, 0.0, 0.0, f"silence ({level:.0f} dBFS)")
        features = fe(audio)
        frames = features.shape[-1]
        target = min(3000, math.ceil((frames + self.encoder_pad_s * 100) / 100.0) * 100)
        if frames < target:
            features = np.pad(features, ((0, 0), (0, target - frames)))
        else:
            features = features[:, :target]
        encoder_output = self._model.encode(features)

        duration = len(audio) / SAMPLE_RATE
        if context:
            prompt = self._build_prompt(timestamps=timestamps, context=context)
        else:
            prompt = self._prompt_ts if timestamps else self._prompt
        max_new = min(440 - len(prompt), int(14 * duration) + 16)
        candidates: list[tuple[str, float, float, float, float]] = []
        beam = self.partial_beam_size if partial else self.beam_size
        for temperature in self.temperatures[:1] if partial else self.temperatures:
            kwargs: dict[str, Any]
            if temperature > 0:
                kwargs = {
                    "beam_size": 1,
                    "num_hypotheses": 1,
                    "sampling_topk": 0,
                    "sampling_temperature": temperature,
                }
            else:
                kwargs = {"beam_size": beam, "patience": 1.0}
            res = self._generate(encoder_output, max_new, prompt, **kwargs)
            tokens = res.sequences_ids[0]
            avg_logprob = float(res.scores[0]) * len(tokens) / (len(tokens) + 1)
            text = self._text(tokens)
            ratio = compression_ratio(text)
            nsp = float(res.no_speech_prob)
            candidates.append((text, avg_logprob, nsp, ratio, temperature))
            if nsp > self.no_speech_threshold and avg_logprob < self.log_prob_threshold:
                break  # silence: no point in sampling
            if ratio <= self.compression_ratio_threshold and avg_logprob >= self.log_prob_threshold:
                break
        ok = [c for c in candidates if c[3] <= self.compression_ratio_threshold]
        text, avg_logprob, nsp, ratio, temperature = max(ok or candidates, key=lambda c: c[1])
        if not partial and has_digit_loop(text):
            # Whisper looped on a digit string (a phone number): decode once more,
            # deterministically, with a repetition penalty; cut what still loops.
            self.loop_redecodes += 1
            res = self._generate(
                encoder_output,
                max_new,
                prompt,
                beam_size=self.beam_size,
                patience=1.0,
                repetition_penalty=self.loop_repetition_penalty,
            )
            tokens = res.sequences_ids[0]
            redo = self._text(tokens)
            if has_digit_loop(redo) or not redo:
                redo = truncate_digit_loop(text)
                if has_digit_loop(redo):
                    redo = text
            else:
                avg_logprob = float(res.scores[0]) * len(tokens) / (len(tokens) + 1)
                nsp = float(res.no_speech_prob)
            text, ratio, temperature = redo, compression_ratio(redo), 0.0
        return self.guard(text, avg_logprob, nsp, ratio, temperature)

    def strip_echo(self, text: str) -> str:
        """``text`` without any echo of the initial prompt or of the hotword list (see
        :func:`~asr.whisper.filters.strip_prompt_echo`). A single hotword said by the caller
        is kept: only stretches longer than the longest hotword count as an echo."""
        text = strip_prompt_echo(text, self.initial_prompt)
        if self.hotwords:
            longest = max(len(w) for w in self.hotwords.split())
            text = strip_prompt_echo(text, self.hotwords, min_chars=max(8, longest + 2))
        return text

    def _text(self, tokens: Sequence[int]) -> str:
        """The text of decoded tokens, timestamp and special tokens left out."""
        return self._tokenizer.decode([t for t in tokens if t < self._tokenizer.eot]).strip()

    def _generate(
        self, encoder_output: Any, max_new: int, prompt: list[int], **options: Any
    ) -> Any:
        """One CTranslate2 decode of the prompt + ``encoder_output`` (scores and no-speech
        probability returned; blanks and the usual tokens suppressed)."""
        return self._model.model.generate(
            encoder_output,
            [prompt],
            max_length=len(prompt) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
            **options,
        )[0]

    @property
    def model(self) -> Any:
        """The loaded ``faster_whisper.WhisperModel`` (for :mod:`asr.whisper.offline`)."""
        return self._model

    @contextlib.contextmanager
    def decoder_lock(self) -> Iterator[None]:
        """Hold the decoder (blocking) for work outside :meth:`decode`, e.g. a second pass."""
        with self._lock:
            yield

    def guard(
        self, text: str, avg_logprob: float, nsp: float, ratio: float, temperature: float
    ) -> DecodeResult:
        """The text guards of every decode (no speech, improbable, prompt echo, loops,
        known hallucinations): the kept text, or ``raw=""`` with the reason."""

        def out(raw: str, why: str | None) -> DecodeResult:
            return DecodeResult(raw, avg_logprob, nsp, ratio, temperature, why)

        if nsp > self.no_speech_threshold and avg_logprob < self.log_prob_threshold:
            return out("", f"no speech (no_speech_prob {nsp:.2f}, avg_logprob {avg_logprob:.2f})")
        if avg_logprob < self.drop_log_prob:
            return out("", f"improbable text (avg_logprob {avg_logprob:.2f})")
        simplified = self.strip_echo(to_simplified(text.replace("\ufffd", "")).strip())
        collapsed = collapse_repeats(simplified)
        if ratio > self.compression_ratio_threshold and collapsed == simplified:
            return out("", f"repetitive text (compression ratio {ratio:.2f})")
        if is_hallucination(collapsed):
            return out("", "known hallucination or no words" if collapsed else "empty")
        return out(collapsed, None)
