"""Streaming Mandarin recognition with Vosk (Kaldi), one recogniser per call channel.

Models
    Default ``vosk-model-small-cn-0.22`` (``Settings.effective_vosk_model``); the large
    ``vosk-model-cn-0.22`` works too. The large model rescores every final result with
    an RNNLM (``rnnlm/``) and a const-arpa LM (``rescore/``), which costs memory and adds
    delay after each utterance: pass ``rescoring=False`` for live use. The engine then
    loads a private *view* of the model (a temporary folder of symlinks without those
    two folders); the model on disk is not touched. Renaming the folders
    (``mv rnnlm rnnlm.disabled; mv rescore rescore.disabled``) has the same effect
    permanently.

Endpointing
    vosk 0.3.45 (the version we pin) has NO ``SetEndpointerMode`` /
    ``SetEndpointerDelays`` (they arrived in later Vosk releases). Endpointing is
    Kaldi's ``OnlineEndpointConfig``, read from the model's ``conf/model.conf``. The
    Mandarin models ship ``rule2`` 0.5 s (silence after speech ends an utterance),
    ``rule3`` 1.0 s, ``rule4`` 2.0 s, which suits the quick turn-taking of phone calls,
    so by default the model's values are used. :class:`EndpointConfig` overrides them
    (again through a private view with a rewritten ``conf/model.conf``), e.g. a longer
    pause for callers who hesitate mid-sentence, or a shorter maximum utterance length
    so that long monologues still produce regular final results.

Partial words
    ``SetWords(True)`` is always on (final results carry word times and confidences).
    ``partial_words`` (``SetPartialWords``) is OFF by default: measured with vosk
    0.3.45, partial results with word times come from the incrementally determinised
    lattice and appear 1.5-2 s after the speech and only about once per second, while
    plain partial text is updated every 0.2-0.3 s (see ``benchmarks/bench_asr.py``).
    Without partial words a partial event spans from the first sample above -40 dBFS
    after the previous final result (a cheap speech-onset estimate; never before that
    final's end) to the audio decoded so far. Final events always use word times.

Times
    Event and word times are call-relative seconds: the recogniser adds the ``t0`` of
    the first chunk it received. A chunk whose ``t0`` does not continue the previous
    one (microphone blocks dropped, practice seek) is a discontinuity: the utterance in
    progress is finalised and decoding restarts at the new time. Per channel (between
    discontinuities): final events are in order and never overlap, no event starts
    before the end of the previous final event, partial ``end`` times never decrease
    within an utterance, and ``start <= end`` with word times inside the event.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asr.errors import EngineUnavailableError, InvalidModelError, SampleRateMismatchError
from asr.events import AudioChunk, Speaker, TranscriptEvent, Word
from asr.models import VoskModelInfo, check_vosk_model
from asr.text import normalize_text

__all__ = ["ONSET_LEVEL", "EndpointConfig", "VoskEngine", "VoskRecognizer", "build_model_view"]

ONSET_LEVEL = 328  # int16 amplitude (-40 dBFS): first sample above it starts a partial's span


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """Kaldi endpoint rules (seconds). ``None`` keeps the model's own value.

    * ``silence_after_speech`` - rule2: trailing silence that ends an utterance once
      something was recognised (model default 0.5).
    * ``silence_after_speech_uncertain`` - rule3 (1.0) and ``silence_any`` - rule4 (2.0):
      longer silences that end an utterance even when the decoder is less sure.
    * ``silence_only`` - rule1: silence after which an utterance without speech ends (5.0).
    * ``max_utterance`` - rule5: force a final result after this long (20.0).
    """

    silence_after_speech: float | None = None
    silence_after_speech_uncertain: float | None = None
    silence_any: float | None = None
    silence_only: float | None = None
    max_utterance: float | None = None

    def options(self) -> dict[str, float]:
        pairs = {
            "--endpoint.rule1.min-trailing-silence": self.silence_only,
            "--endpoint.rule2.min-trailing-silence": self.silence_after_speech,
            "--endpoint.rule3.min-trailing-silence": self.silence_after_speech_uncertain,
            "--endpoint.rule4.min-trailing-silence": self.silence_any,
            "--endpoint.rule5.min-utterance-length": self.max_utterance,
        }
        return {k: float(v) for k, v in pairs.items() if v is not None}


def _rewrite_model_conf(text: str, options: dict[str, float]) -> str:
    lines = [ln for ln in text.splitlines() if ln.split("=", 1)[0].strip() not in options]
    lines += [f"{k}={v:g}" for k, v in options.items()]
    return "\n".join(lines) + "\n"


def build_model_view(
    model_path: Path, endpoint: EndpointConfig | None, rescoring: bool
) -> Path | None:
    """A temporary folder of symlinks to ``model_path`` with the requested changes, or ``None``
    when nothing needs changing. The caller removes it when done."""
    options = endpoint.options() if endpoint else {}
    drop = set() if rescoring else {"rnnlm", "rescore"}
    drop &= {p.name for p in model_path.iterdir()}
    if not options and not drop:
        return None
    view = Path(tempfile.mkdtemp(prefix="hotline-vosk-view-"))
    try:
        for entry in model_path.iterdir():
            if entry.name in drop:
                continue
            if entry.name == "conf" and options:
                (view / "conf").mkdir()
                for f in entry.iterdir():
                    if f.name == "model.conf":
                        (view / "conf" / "model.conf").write_text(
                            _rewrite_model_conf(f.read_text(encoding="utf-8"), options),
                            encoding="utf-8",
                        )
                    else:
                        os.symlink(f.resolve(), view / "conf" / f.name)
            else:
                os.symlink(entry.resolve(), view / entry.name)
    except OSError as exc:
        shutil.rmtree(view, ignore_errors=True)
        raise InvalidModelError(
            f"Cannot prepare a view of {model_path} ({exc}); rename its rnnlm/rescore folders "
            "or edit conf/model.conf instead"
        ) from exc
    return view


def _import_vosk() -> Any:
    try:
        import vosk
    except ImportError as exc:
        raise EngineUnavailableError(
            "The Vosk engine needs the Python package 'vosk' (pip install vosk==0.3.45)"
        ) from exc
    except OSError as exc:  # libvosk.so cannot be loaded
        raise EngineUnavailableError(f"The Vosk library cannot be loaded: {exc}") from exc
    return vosk


class VoskEngine:
    """A loaded Vosk model (the :class:`~asr.engine.EngineFactory` for Vosk).

    Args:
        model_path: Vosk model folder.
        sample_rate: rate the caller intends to feed; must equal the model's rate
            (from ``conf/mfcc.conf``) - sources resample to :attr:`sample_rate`.
        endpoint: endpoint overrides (default: the model's ``conf/model.conf``).
        rescoring: ``False`` drops RNNLM / const-arpa rescoring (large models, live use).
        partial_words: word times in partial results (slower partials, see module doc).
    """

    name = "vosk"

    def __init__(
        self,
        model_path: str | Path,
        sample_rate: int | None = None,
        *,
        endpoint: EndpointConfig | None = None,
        rescoring: bool = True,
        partial_words: bool = False,
    ) -> None:
        self.info: VoskModelInfo = check_vosk_model(model_path)
        self.sample_rate = self.info.sample_rate
        if sample_rate is not None and int(sample_rate) != self.sample_rate:
            raise SampleRateMismatchError(
                f"The Vosk model {self.info.path} is trained on {self.sample_rate} Hz audio "
                f"(conf/mfcc.conf), not {sample_rate} Hz: feed it {self.sample_rate} Hz "
                "(audio sources resample automatically) or use a model made for that rate"
            )
        self.partial_words = partial_words
        self.rescoring = rescoring
        self.endpoint = endpoint
        vosk = _import_vosk()
        vosk.SetLogLevel(-1)
        self._vosk = vosk
        view = build_model_view(self.info.path, endpoint, rescoring)
        if view is not None:
            weakref.finalize(self, shutil.rmtree, view, True)
        load_from = view or self.info.path
        t = time.perf_counter()
        try:
            self._model = vosk.Model(str(load_from))
        except Exception as exc:
            raise InvalidModelError(
                f"Vosk could not load the model in {self.info.path} ({exc}): the files are "
                "damaged or from an incompatible Vosk version; re-install the model"
            ) from exc
        self.load_seconds = time.perf_counter() - t
        extra = []
        if not rescoring and (self.info.has_rnnlm or self.info.has_rescore):
            extra.append("no rescoring")
        self.model_description = f"{self.info.name} ({self.info.path})" + (
            f" [{', '.join(extra)}]" if extra else ""
        )

    def recognizer(self, speaker: Speaker, channel: int = 0) -> VoskRecognizer:
        return VoskRecognizer(self, speaker, channel)

    def _new_kaldi(self) -> Any:
        rec = self._vosk.KaldiRecognizer(self._model, float(self.sample_rate))
        rec.SetWords(True)
        rec.SetPartialWords(self.partial_words)
        return rec


class VoskRecognizer:
    """Vosk recogniser for one channel; see the module docstring for the time rules."""

    def __init__(self, engine: VoskEngine, speaker: Speaker, channel: int = 0) -> None:
        self.engine = engine
        self.speaker: Speaker = speaker
        self.channel = channel
        self.sample_rate = engine.sample_rate
        self._rec = engine._new_kaldi()
        self._base: float | None = None  # call time of the recogniser's sample 0
        self._fed = 0  # samples fed since _base
        self._floor = 0.0  # no event may start before this (end of the last final)
        self._last_partial: str | None = None
        self._partial_end = 0.0
        self._onset: float | None = None  # first loud sample since the last final

    # -- Recognizer protocol
    def accept(self, chunk: AudioChunk) -> list[TranscriptEvent]:
        if chunk.sample_rate != self.sample_rate:
            raise SampleRateMismatchError(
                f"Audio at {chunk.sample_rate} Hz fed to a {self.sample_rate} Hz Vosk recogniser: "
                "resample the source to the engine's sample_rate"
            )
        events: list[TranscriptEvent] = []
        if self._base is None:
            self._restart(chunk.t0)
        elif abs(chunk.t0 - self._position()) > 1.0 / self.sample_rate + 1e-6:
            events.extend(self.flush())
            self._rec = self.engine._new_kaldi()
            self._restart(chunk.t0)
        samples = chunk.samples
        if samples.dtype.name != "int16":
            raise SampleRateMismatchError(
                f"Vosk expects int16 PCM chunks, got {samples.dtype.name}"
            )
        if len(samples) == 0:
            return events
        if self._onset is None:
            loud = np.flatnonzero(np.abs(samples) > ONSET_LEVEL)
            if len(loud):
                self._onset = self._position() + int(loud[0]) / self.sample_rate
        self._fed += len(samples)
        if self._rec.AcceptWaveform(samples.tobytes()):
            ev = self._final_event(json.loads(self._rec.Result()))
        else:
            ev = self._partial_event(json.loads(self._rec.PartialResult()))
        if ev is not None:
            events.append(ev)
        return events

    def flush(self) -> list[TranscriptEvent]:
        if self._base is None:
            return []
        ev = self._final_event(json.loads(self._rec.FinalResult()))
        return [ev] if ev is not None else []

    # -- internals
    def _restart(self, t0: float) -> None:
        self._base = t0
        self._fed = 0
        self._floor = t0
        self._partial_end = t0
        self._last_partial = None
        self._onset = None

    def _position(self) -> float:
        return (self._base or 0.0) + self._fed / self.sample_rate

    def _words(self, items: list[dict[str, Any]]) -> tuple[Word, ...]:
        base = self._base or 0.0
        out: list[Word] = []
        floor = self._floor
        for w in items:
            start = max(base + float(w.get("start", 0.0)), floor)
            end = max(base + float(w.get("end", 0.0)), start)
            out.append(
                Word(
                    str(w.get("word", "")),
                    round(start, 3),
                    round(end, 3),
                    round(float(w.get("conf", 1.0)), 4),
                )
            )
            floor = start
        return tuple(out)

    def _final_event(self, res: dict[str, Any]) -> TranscriptEvent | None:
        raw = str(res.get("text", "")).strip()
        self._last_partial = None
        self._onset = None
        now = self._position()
        if not raw:
            return None
        words = self._words(res.get("result") or [])
        start = words[0].start if words else self._floor
        end = words[-1].end if words else now
        start = max(start, self._floor)
        end = max(end, start)
        self._floor = end
        self._partial_end = end
        return self._event(raw, start, end, True, words)

    def _partial_event(self, res: dict[str, Any]) -> TranscriptEvent | None:
        raw = str(res.get("partial", "")).strip()
        if not raw or raw == self._last_partial:
            return None
        self._last_partial = raw
        words = self._words(res.get("partial_result") or [])
        if words:
            start, end = words[0].start, max(words[-1].end, self._partial_end)
        else:
            start = max(self._onset if self._onset is not None else self._floor, self._floor)
            end = self._position()
        end = max(end, start, self._partial_end)
        self._partial_end = end
        return self._event(raw, start, end, False, words)

    def _event(
        self, raw: str, start: float, end: float, final: bool, words: tuple[Word, ...]
    ) -> TranscriptEvent:
        return TranscriptEvent(
            speaker=self.speaker,
            text=normalize_text(raw),
            start=round(start, 3),
            end=round(end, 3),
            final=final,
            raw=raw,
            words=words,
            channel=self.channel,
            engine="vosk",
        )
