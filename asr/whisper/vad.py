"""Streaming voice-activity detection and utterance endpointing.

Uses the Silero VAD (v6, ONNX) model bundled with faster-whisper, run window by window
(512 samples = 32 ms at 16 kHz) with its recurrent state carried across calls, which gives
exactly the probabilities of faster-whisper's whole-file VAD (except that the
:class:`Endpointer` resets the state after ``state_reset_s`` without speech: a state carried
over a long silence scores the next soft onset late). :class:`Endpointer` turns the
probabilities into utterances: speech starts when a window reaches ``threshold`` (and
reaches back over the windows just before it already at ``neg_threshold``, at most
``onset_lookback_s``), ends after ``min_silence_s`` below ``neg_threshold``; each utterance
keeps ``speech_pad_s`` of audio on both sides; utterances with less than ``min_speech_s`` of speech (clicks, a cough) are dropped;
an utterance is cut at ``max_utterance_s`` (at its quietest recent window) so Whisper's
30-second window is never exceeded and no audio is lost.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from asr.errors import EngineUnavailableError

__all__ = [
    "SAMPLE_RATE",
    "TELEPHONE_THRESHOLDS",
    "WINDOW",
    "Endpointer",
    "SileroStream",
    "Utterance",
    "VadConfig",
]

WINDOW = 512  # samples per VAD window at 16 kHz
CONTEXT = 64  # samples of the previous window the model sees
SAMPLE_RATE = 16000

_session: Any = None
_session_lock = threading.Lock()


def _vad_session() -> Any:
    """The shared ONNX Runtime session of faster-whisper's bundled Silero VAD."""
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                try:
                    from faster_whisper.vad import get_vad_model
                except ImportError as exc:
                    raise EngineUnavailableError(
                        "faster-whisper is not installed; install it with "
                        "pip install 'hotline-assistant[whisper]'"
                    ) from exc
                try:
                    _session = get_vad_model().session
                except RuntimeError as exc:  # onnxruntime missing
                    raise EngineUnavailableError(
                        f"The Silero VAD cannot run: {exc}. Reinstall faster-whisper "
                        "(it depends on onnxruntime)."
                    ) from exc
    return _session


class SileroStream:
    """Speech probability per 32 ms window for one continuous audio stream (16 kHz)."""

    def __init__(self) -> None:
        self._session = _vad_session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def probs(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities of ``windows`` (shape ``(n, 512)``, float32 in -1..1)."""
        if windows.size == 0:
            return np.zeros(0, dtype=np.float32)
        prev = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]], axis=0)
        batch = np.ascontiguousarray(np.concatenate([prev, windows], axis=1), dtype=np.float32)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class VadConfig:
    """Endpointing parameters (seconds; probabilities 0..1)."""

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_s: float = 0.25
    min_silence_s: float = 0.6
    speech_pad_s: float = 0.4
    max_utterance_s: float = 20.0
    onset_lookback_s: float = 1.0
    state_reset_s: float = 1.5
    """After this long without speech the VAD's recurrent state is reset: carried over a
    long silence (the other party's turn, digital silence on a call channel) it scores the
    next onset far lower (a soft first word heard 0.9 s late), while a fresh state scores
    the same audio as speech at once. ``0`` keeps the state for the whole stream."""
    """Speech often rises slowly in probability (a soft first syllable, telephone band):
    when an utterance triggers, its start moves back over the windows just before it that
    were already at ``neg_threshold`` or above (at most this long), then ``speech_pad_s``."""

    def for_rate(self, rate: int) -> VadConfig:
        """The thresholds for audio that arrives at ``rate``. Silero's 16 kHz model gives
        band-limited telephone speech (8 kHz, 300-3400 Hz) much lower probabilities
        (a call channel's speech: median 0.55-0.75, silence 99.9th percentile 0.32), so at
        8 kHz and below the thresholds are lowered to ``TELEPHONE_THRESHOLDS``; ``min_speech_s``
        still keeps clicks out."""
        if rate > 8000 or (self.threshold, self.neg_threshold) != (0.5, 0.35):
            return self  # wideband, or thresholds chosen explicitly
        threshold, neg = TELEPHONE_THRESHOLDS
        return dataclasses.replace(self, threshold=threshold, neg_threshold=neg)


TELEPHONE_THRESHOLDS = (0.35, 0.2)  # (threshold, neg_threshold) for 8 kHz input


@dataclass(frozen=True, slots=True)
class Utterance:
    """A stretch of speech: float32 samples and their sample positions in the stream."""

    audio: np.ndarray
    start_sample: int
    end_sample: int
    speech_s: float  # seconds of windows above the speech threshold


class Endpointer:
    """Cuts one stream of 16 kHz float32 audio into utterances as it arrives."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._vad = SileroStream()
        c = self.config
        self._pad_w = max(0, round(c.speech_pad_s * SAMPLE_RATE / WINDOW))
        self._silence_w = max(1, round(c.min_silence_s * SAMPLE_RATE / WINDOW))
        self._min_speech_w = max(1, round(c.min_speech_s * SAMPLE_RATE / WINDOW))
        self._max_w = max(self._silence_w + 2, round(c.max_utterance_s * SAMPLE_RATE / WINDOW))
        self._pending = np.zeros(0, dtype=np.float32)
        self._lookback_w = max(0, round(c.onset_lookback_s * SAMPLE_RATE / WINDOW))
        # recent windows before an utterance, with their probabilities (onset lookback + pad)
        self._pre: deque[tuple[np.ndarray, float]] = deque(maxlen=self._pad_w + self._lookback_w)
        self._windows_seen = 0  # windows fed to the VAD so far
        self._reset_w = round(c.state_reset_s * SAMPLE_RATE / WINDOW) if c.state_reset_s > 0 else 0
        self._idle_w = 0  # windows since the last one at or above neg_threshold
        self._utt: list[np.ndarray] = []
        self._utt_probs: list[float] = []
        self._utt_start_w = 0
        self._triggered = False
        self._silence_run = 0
        self._speech_w = 0

    # ---------------------------------------------------------------- state
    @property
    def in_speech(self) -> bool:
        return self._triggered

    @property
    def trailing_silence_s(self) -> float:
        """Seconds of non-speech at the end of the open utterance (0 when speaking)."""
        return self._silence_run * WINDOW / SAMPLE_RATE if self._triggered else 0.0

    @property
    def samples_seen(self) -> int:
        return self._windows_seen * WINDOW + len(self._pending)

    def current(self) -> Utterance | None:
        """The utterance in progress (for partial hypotheses), or None between utterances."""
        if not self._triggered or not self._utt:
            return None
        return self._make(len(self._utt))

    # ---------------------------------------------------------------- feeding
    def feed(self, samples: np.ndarray) -> list[Utterance]:
        """Add audio; return the utterances that ended in it."""
        if samples.size:
            self._pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n = len(self._pending) // WINDOW
        if n == 0:
            return []
        windows = self._pending[: n * WINDOW].reshape(n, WINDOW)
        self._pending = self._pending[n * WINDOW :].copy()
        done: list[Utterance] = []
        # windows go to the VAD in runs that end where its state is due for a reset
        i = 0
        while i < n:
            run = n - i
            if self._reset_w and not self._triggered:
                run = min(run, max(1, self._reset_w - self._idle_w))
            probs = self._vad.probs(windows[i : i + run])
            for w, p in zip(windows[i : i + run], probs, strict=True):
                utt = self._step(w, float(p))
                if utt is not None:
                    done.append(utt)
            i += run
            if self._reset_w and not self._triggered and self._idle_w >= self._reset_w:
                self._vad.reset()
                self._idle_w = 0
        return done

    def flush(self) -> list[Utterance]:
        """End of stream: close the open utterance (if it holds enough speech)."""
        done: list[Utterance] = []
        if self._triggered:
            if len(self._pending):
                self._utt.append(self._pending)
                self._utt_probs.append(0.0)
            keep = len(self._utt) - max(0, self._silence_run - self._pad_w)
            utt = self._make(keep)
            if self._speech_w >= self._min_speech_w:
                done.append(utt)
        self._windows_seen += 1 if len(self._pending) else 0
        self._pending = np.zeros(0, dtype=np.float32)
        self._reset_utterance()
        self._pre.clear()
        self._vad.reset()
        return done

    # ---------------------------------------------------------------- internals
    def _make(self, n_windows: int) -> Utterance:
        audio = np.concatenate(self._utt[:n_windows]) if n_windows else np.zeros(0, np.float32)
        start = self._utt_start_w * WINDOW
        return Utterance(
            audio=audio,
            start_sample=start,
            end_sample=start + len(audio),
            speech_s=self._speech_w * WINDOW / SAMPLE_RATE,
        )

    def _reset_utterance(self) -> None:
        self._utt = []
        self._utt_probs = []
        self._triggered = False
        self._silence_run = 0
        self._speech_w = 0

    def _step(self, window: np.ndarray, p: float) -> Utterance | None:
        c = self.config
        index = self._windows_seen
        self._windows_seen += 1
        self._idle_w = 0 if p >= c.neg_threshold else self._idle_w + 1
        if not self._triggered:
            if p >= c.threshold:
                lead = self._onset_lead()
                self._triggered = True
                self._utt = [w for w, _ in lead] + [window]
                self._utt_probs = [q for _, q in lead] + [p]
                self._utt_start_w = index - len(lead)
                self._pre.clear()
                self._speech_w = 1
                self._silence_run = 0
            elif self._pre.maxlen:
                self._pre.append((window, p))
            return None

        self._utt.append(window)
        self._utt_probs.append(p)
        if p >= c.threshold:
            self._speech_w += 1
            self._silence_run = 0
        elif p < c.neg_threshold or self._silence_run:
            self._silence_run += 1

        if self._silence_run >= self._silence_w:
            keep = len(self._utt) - (self._silence_run - self._pad_w)
            utt = self._make(keep)
            tail = list(zip(self._utt[keep:], self._utt_probs[keep:], strict=True))
            enough = self._speech_w >= self._min_speech_w
            self._reset_utterance()
            self._pre.extend(tail[-self._pad_w :] if self._pad_w else ())
            return utt if enough else None

        if len(self._utt) >= self._max_w:
            return self._cut_long()
        return None

    def _onset_lead(self) -> list[tuple[np.ndarray, float]]:
        """The windows before a trigger that join the utterance: those back to where the
        probability rose to ``neg_threshold`` (at most ``onset_lookback_s``), then the pad."""
        pre = list(self._pre)
        rising = 0
        for _, q in reversed(pre[-self._lookback_w :] if self._lookback_w else ()):
            if q < self.config.neg_threshold:
                break
            rising += 1
        return pre[max(0, len(pre) - rising - self._pad_w) :]

    def _cut_long(self) -> Utterance:
        """Split an over-long utterance at its quietest window in the last third."""
        n = len(self._utt)
        lo = max(1, (2 * n) // 3)
        probs = np.asarray(self._utt_probs[lo:])
        cut = lo + int(np.argmin(probs)) + 1 if probs.size else n
        utt = self._make(cut)
        rest, rest_probs = self._utt[cut:], self._utt_probs[cut:]
        self._utt_start_w += cut
        self._utt = rest
        self._utt_probs = rest_probs
        self._speech_w = sum(1 for q in rest_probs if q >= self.config.threshold)
        self._silence_run = 0
        if not self._utt:
            # the cut was at the very end: the next window starts a new utterance
            self._triggered = False
        return utt
