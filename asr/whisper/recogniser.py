"""Streaming Whisper recogniser for one call channel.

Each channel is cut into utterances by a streaming Silero VAD (:mod:`asr.whisper.vad`);
an utterance is decoded by the shared :class:`~asr.whisper.decoder.WhisperEngine` when it
ends and gives a final :class:`~asr.events.TranscriptEvent`. While it goes on, a partial
hypothesis is decoded at a bounded rate (see the engine's ``partial_interval`` and
``max_partial_load``); once the speaker pauses ``speculative_silence_s`` the utterance is
decoded speculatively so the final result is ready when the pause turns out to be its end.

``raw`` is Whisper's text in Simplified Chinese; ``text`` is
:func:`asr.text.normalize_text` of it; ``words=()`` (word times would double the
decoding cost).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np

from asr.errors import ASRError
from asr.events import AudioChunk, Speaker, TranscriptEvent
from asr.text import normalize_text
from asr.whisper.filters import DecodeResult
from asr.whisper.vad import SAMPLE_RATE, Endpointer, Utterance, VadConfig

__all__ = ["ENGINE_NAME", "UtteranceDecoder", "WhisperRecognizer"]

log = logging.getLogger(__name__)

ENGINE_NAME = "whisper"


class UtteranceDecoder(Protocol):
    """What a recogniser needs of the shared decoder (:class:`~asr.whisper.decoder.WhisperEngine`,
    which makes the recognisers, so this module does not import it)."""

    sample_rate: int
    vad_config: VadConfig
    partials: bool
    partial_interval: float
    max_partial_load: float
    speculative_silence_s: float | None
    context_gap_s: float | None

    def decode(
        self,
        audio: np.ndarray,
        *,
        blocking: bool = True,
        partial: bool = False,
        context: str = "",
    ) -> DecodeResult | None: ...

    def decoder_load(self) -> float: ...


def _to_float(samples: np.ndarray) -> np.ndarray:
    if samples.ndim != 1:
        if samples.ndim == 2 and 1 in samples.shape:
            samples = samples.reshape(-1)
        else:
            raise ASRError(
                f"A recogniser takes mono audio; got an array of shape {samples.shape}. "
                "Split stereo calls into one chunk stream per channel."
            )
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    if np.issubdtype(samples.dtype, np.integer):
        info = np.iinfo(samples.dtype)
        return samples.astype(np.float32) / float(max(abs(info.min), info.max))
    return samples.astype(np.float32, copy=False)


class WhisperRecognizer:
    """Streaming Whisper recogniser for one channel (see :class:`WhisperEngine`)."""

    def __init__(self, engine: UtteranceDecoder, speaker: Speaker, channel: int = 0) -> None:
        self.engine = engine
        self.speaker: Speaker = speaker
        self.channel = channel
        self.sample_rate = engine.sample_rate
        self._endpointer = Endpointer(engine.vad_config)
        self._t0: float | None = None  # call time of sample 0 of the 16 kHz stream
        self._rate: int | None = None  # sample rate of the incoming chunks
        self._in_samples = 0  # input samples received since _t0 (at the chunk rate)
        self._resampler: Any = None
        self._partial_at = 0  # utterance length (samples) at the last partial attempt
        self._partial_utt_start: int | None = None
        self._partial_sent = False
        self._partial_raw = ""
        # (utterance start, speech seconds, end sample, result) of a decode made in a pause
        self._spec: tuple[int, float, int, DecodeResult] | None = None
        self.speculative_hits = 0
        self._last: tuple[int, str] | None = None  # (end sample, raw text) of the last final
        self.rejected: list[tuple[float, float, str]] = []  # (start, end, reason), for review

    # ------------------------------------------------------------------ interface
    def accept(self, chunk: AudioChunk) -> list[TranscriptEvent]:
        """Feed one chunk. A discontinuity in ``t0`` (a seek, dropped audio) finalises the
        utterance in progress and restarts the channel's clock at the chunk's ``t0``."""
        samples = _to_float(np.asarray(chunk.samples))
        rate = int(chunk.sample_rate)
        if rate <= 0:
            raise ASRError(f"Audio chunk with an invalid sample rate {rate}")
        events: list[TranscriptEvent] = []
        if self._t0 is None:
            self._restart(float(chunk.t0), rate)
        else:
            expected = self._t0 + self._in_samples / (self._rate or rate)
            if rate != self._rate or abs(float(chunk.t0) - expected) > 2.0 / rate:
                events.extend(self.flush())
                self._restart(float(chunk.t0), rate)
        self._in_samples += len(samples)
        audio = self._resample(samples, rate, last=False)
        events.extend(e for u in self._endpointer.feed(audio) if (e := self._final(u)))
        self._maybe_speculate()
        partial = self._maybe_partial()
        if partial is not None:
            events.append(partial)
        return events

    def flush(self) -> list[TranscriptEvent]:
        """End of input: decode the utterance in progress (if any) as a final event."""
        events: list[TranscriptEvent] = []
        if self._resampler is not None:
            tail = self._resample(np.zeros(0, dtype=np.float32), self._rate or 0, last=True)
            events.extend(e for u in self._endpointer.feed(tail) if (e := self._final(u)))
        events.extend(e for u in self._endpointer.flush() if (e := self._final(u)))
        self._resampler = None
        self._t0 = None
        return events

    def _restart(self, t0: float, rate: int) -> None:
        self._t0 = t0
        self._rate = rate
        self._in_samples = 0
        self._resampler = None
        self._endpointer = Endpointer(self.engine.vad_config.for_rate(rate))
        self._partial_at = 0
        self._partial_utt_start = None
        self._partial_sent = False
        self._partial_raw = ""
        self._spec = None
        self._last = None

    # ------------------------------------------------------------------ internals
    def _context(self, utt: Utterance) -> str:
        """The previous final's text when this utterance follows it within the engine's
        ``context_gap_s`` (a pause inside one turn), else nothing (a new turn)."""
        gap = self.engine.context_gap_s
        if gap is None or self._last is None:
            return ""
        end, raw = self._last
        return raw if (utt.start_sample - end) / SAMPLE_RATE <= gap else ""

    def _resample(self, samples: np.ndarray, rate: int, *, last: bool) -> np.ndarray:
        if rate == SAMPLE_RATE:
            return samples
        if self._resampler is None:
            import soxr

            self._resampler = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")
        return np.asarray(self._resampler.resample_chunk(samples, last=last), dtype=np.float32)

    def _time(self, sample: int) -> float:
        return round((self._t0 or 0.0) + sample / SAMPLE_RATE, 3)

    def _event(self, utt: Utterance, raw: str, *, final: bool) -> TranscriptEvent:
        return TranscriptEvent(
            speaker=self.speaker,
            text=normalize_text(raw),
            start=self._time(utt.start_sample),
            end=self._time(utt.end_sample),
            final=final,
            raw=raw,
            words=(),
            channel=self.channel,
            engine=ENGINE_NAME,
        )

    def _final(self, utt: Utterance) -> TranscriptEvent | None:
        had_partial = self._partial_sent and self._partial_utt_start == utt.start_sample
        self._partial_at = 0
        self._partial_sent = False
        self._partial_utt_start = None
        self._partial_raw = ""
        spec, self._spec = self._spec, None
        result: DecodeResult | None
        if (
            spec is not None
            and spec[0] == utt.start_sample
            and spec[1] == utt.speech_s
            and abs(spec[2] - utt.end_sample) <= SAMPLE_RATE // 2
        ):
            result = spec[3]  # decoded during the pause, nothing was said since
            self.speculative_hits += 1
        else:
            result = self.engine.decode(utt.audio, blocking=True, context=self._context(utt))
        if result is None:  # pragma: no cover - a blocking decode always returns a result
            return None
        if result.rejected:
            self.rejected.append(
                (self._time(utt.start_sample), self._time(utt.end_sample), result.rejected)
            )
            log.debug("channel %d: dropped %s", self.channel, result.rejected)
        if not result.raw:
            # close a partial that is on screen, otherwise say nothing
            return self._event(utt, "", final=True) if had_partial else None
        self._last = (utt.end_sample, result.raw)
        return self._event(utt, result.raw, final=True)

    def _maybe_speculate(self) -> None:
        """Decode the open utterance once its speaker has paused ``speculative_silence_s``:
        when the pause turns out to be the end of the utterance, the final result is ready
        at once instead of one decode later. Speech after the pause discards it."""
        eng = self.engine
        if eng.speculative_silence_s is None or not self._endpointer.in_speech:
            return
        if self._endpointer.trailing_silence_s < eng.speculative_silence_s:
            return
        utt = self._endpointer.current()
        if utt is None or utt.speech_s < eng.vad_config.min_speech_s:
            return
        if self._spec is not None and self._spec[:2] == (utt.start_sample, utt.speech_s):
            return
        result = eng.decode(utt.audio, blocking=True, context=self._context(utt))
        if result is not None:
            self._spec = (utt.start_sample, utt.speech_s, utt.end_sample, result)

    def _maybe_partial(self) -> TranscriptEvent | None:
        eng = self.engine
        if not eng.partials or not self._endpointer.in_speech:
            return None
        utt = self._endpointer.current()
        if utt is None:
            return None
        if self._partial_utt_start != utt.start_sample:
            self._partial_utt_start = utt.start_sample
            self._partial_at = 0
            self._partial_sent = False
            self._partial_raw = ""
        n = len(utt.audio)
        step = int(eng.partial_interval * SAMPLE_RATE)
        if n - self._partial_at < step or utt.speech_s < 0.5:
            return None
        if self._endpointer.trailing_silence_s >= 0.2:
            return None  # the speaker paused: the final comes soon, keep the decoder free
        if eng.decoder_load() > eng.max_partial_load:
            return None
        result = eng.decode(utt.audio, blocking=False, partial=True, context=self._context(utt))
        if result is None:
            return None  # decoder busy with the other channel: skip this partial
        self._partial_at = n
        if not result.raw or result.raw == self._partial_raw:
            return None
        self._partial_raw = result.raw
        self._partial_sent = True
        return self._event(utt, result.raw, final=False)
