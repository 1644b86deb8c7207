"""Audio files and in-memory audio as call audio: probing, reading, resampling.

* :func:`probe_audio_file` checks a file up front: empty, silent, damaged and corrupt
  files raise :class:`~asr.errors.AudioFileError` before any recognition starts. A WAV
  whose header misstates its length (crashed recorder, cut copy) is read whole, as far
  as it goes, with a warning in :attr:`AudioFileInfo.warnings`
  (:mod:`asr.audio.wavheader`).
* :class:`FileSource` reads WAV/FLAC/OGG/... through soundfile at any sample rate and
  resamples with soxr (8 kHz telephone audio works); :class:`ArraySource` does the same
  for arrays (tests, benchmarks). Both take an optional :class:`~asr.audio.pacing.Pacer`.
* :func:`float_to_int16` and :class:`Resampler` are shared with the microphone source.

soundfile and soxr are imported when first needed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asr.audio.pacing import Pacer
from asr.audio.source import DEFAULT_BLOCK_SECONDS
from asr.audio.wavheader import open_audio_file
from asr.errors import AudioFileError
from asr.events import AudioChunk

__all__ = [
    "SILENCE_DBFS",
    "ArraySource",
    "AudioFileInfo",
    "FileSource",
    "Resampler",
    "float_to_int16",
    "probe_audio_file",
    "read_audio_file",
    "short_reason",
]

SILENCE_DBFS = -60.0
"""A file whose every channel peaks below this level is rejected as silent."""


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Convert float audio in [-1, 1] to int16 with clipping."""
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def _dbfs(peak: float) -> float:
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


class Resampler:
    """Streaming soxr resampler for float32 [frames, channels] blocks (pass-through if rates match)."""

    def __init__(self, in_rate: int, out_rate: int, channels: int) -> None:
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.channels = channels
        self._stream: Any = None
        self.reset()

    def reset(self) -> None:
        if self.in_rate == self.out_rate:
            self._stream = None
            return
        import soxr

        self._stream = soxr.ResampleStream(
            self.in_rate, self.out_rate, self.channels, dtype="float32", quality="HQ"
        )

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return block
        out = self._stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32), last=last)
        return np.asarray(out, dtype=np.float32).reshape(-1, self.channels)


@dataclass(frozen=True, slots=True)
class AudioFileInfo:
    """What :func:`probe_audio_file` found in a file."""

    path: Path
    sample_rate: int
    channels: int
    frames: int
    format: str
    subtype: str
    peak_dbfs: tuple[float, ...]
    warnings: tuple[str, ...] = ()
    """What was wrong with the file but could be worked around (a lying WAV header)."""

    @property
    def duration(self) -> float:
        return self.frames / float(self.sample_rate)


def probe_audio_file(path: str | Path, allow_silent: bool = False) -> AudioFileInfo:
    """Open and fully decode ``path`` once; raise :class:`AudioFileError` when it is unusable.

    Checks: the file exists, libsndfile can read it (WAV, FLAC, OGG/Vorbis, AIFF, ...),
    it holds at least one frame, every frame the header promises can be decoded
    (damaged files are caught here, not halfway through a transcription) and, unless
    ``allow_silent``, at least one channel rises above ``SILENCE_DBFS``. A WAV whose
    header announces less or more audio than the file holds is read as it really is,
    with a warning (:func:`~asr.audio.wavheader.open_audio_file`).
    """
    p = Path(path)
    if not p.exists():
        raise AudioFileError(f"Audio file not found: {p}")
    if p.is_dir():
        raise AudioFileError(f"{p} is a folder, not an audio file")
    if p.stat().st_size == 0:
        raise AudioFileError(f"{p} is empty (0 bytes): re-export or re-record the call")
    try:
        f, warnings = open_audio_file(p)
    except Exception as exc:  # soundfile.LibsndfileError, RuntimeError, ...
        raise AudioFileError(
            f"{p} is not a readable audio file ({short_reason(exc)}); "
            "use WAV, FLAC or OGG (convert with: sox in.xxx -r 16000 out.wav)"
        ) from exc
    with f:
        frames = int(f.frames)
        if frames <= 0:
            raise AudioFileError(
                f"{p} contains no audio (0 frames): re-export or re-record the call"
            )
        peaks = np.zeros(f.channels, dtype=np.float64)
        decoded = 0
        block = max(4096, f.samplerate)  # about 1 s
        try:
            while True:
                data = f.read(block, dtype="float32", always_2d=True)
                if len(data) == 0:
                    break
                decoded += len(data)
                np.maximum(peaks, np.abs(data).max(axis=0), out=peaks)
        except Exception as exc:
            raise AudioFileError(
                f"{p} is damaged: decoding failed after {decoded / f.samplerate:.1f} s "
                f"({short_reason(exc)}); re-export the file"
            ) from exc
        if decoded < frames:
            raise AudioFileError(
                f"{p} is truncated: its header announces {frames / f.samplerate:.1f} s "
                f"but only {decoded / f.samplerate:.1f} s can be read; re-copy or re-export it"
            )
        info = AudioFileInfo(
            path=p,
            sample_rate=int(f.samplerate),
            channels=int(f.channels),
            frames=frames,
            format=str(f.format),
            subtype=str(f.subtype),
            peak_dbfs=tuple(_dbfs(float(x)) for x in peaks),
            warnings=warnings,
        )
    if not allow_silent and max(info.peak_dbfs) < SILENCE_DBFS:
        loudest = max(info.peak_dbfs)
        level = "-inf" if loudest == -math.inf else f"{loudest:.0f}"
        raise AudioFileError(
            f"{p} is silent (peak {level} dBFS on every channel): "
            "check that the right file/channel was recorded"
        )
    return info


def read_audio_file(path: str | Path) -> tuple[np.ndarray, int]:
    """The whole of an audio file as float32 ``[frames, channels]`` and its sample rate
    (a WAV with a wrong length in its header is read as it really is)."""
    f, _ = open_audio_file(path)
    with f:
        return f.read(dtype="float32", always_2d=True), int(f.samplerate)


def short_reason(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class FileSource:
    """Stream an audio file as call audio.

    Args:
        path: the audio file (any rate libsndfile reads; resampled with soxr).
        sample_rate: rate of the produced chunks (the recogniser's rate).
        split_channels: ``True`` for call recordings with one speaker per channel (up
            to 2 channels; a mono file then yields channel 0 only). ``False`` mixes all
            channels down to one.
        block_seconds: chunk length.
        pacer: release blocks at wall-clock speed (practice mode); ``None`` = as fast
            as the consumer takes them.
        allow_silent: accept files without any signal (default: reject).
    """

    def __init__(
        self,
        path: str | Path,
        sample_rate: int = 16000,
        split_channels: bool = False,
        block_seconds: float = DEFAULT_BLOCK_SECONDS,
        pacer: Pacer | None = None,
        allow_silent: bool = False,
    ) -> None:
        self.path = Path(path)
        self.info = probe_audio_file(self.path, allow_silent=allow_silent)
        if split_channels and self.info.channels > 2:
            raise AudioFileError(
                f"{self.path} has {self.info.channels} channels; a call recording must be "
                "mono (caller) or stereo (left/right = the two speakers)"
            )
        self.sample_rate = int(sample_rate)
        self.channels = self.info.channels if split_channels else 1
        self.block_seconds = block_seconds
        self.pacer = pacer
        self._stop = threading.Event()

    @property
    def duration(self) -> float:
        return self.info.duration

    def close(self) -> None:
        self._stop.set()
        if self.pacer is not None:
            self.pacer.close()

    def chunks(self) -> Iterator[AudioChunk]:
        in_rate = self.info.sample_rate
        block_frames = max(1, round(self.block_seconds * in_rate))
        resampler = Resampler(in_rate, self.sample_rate, self.channels)
        base_t = 0.0
        out_pos = 0
        if self.pacer is not None:
            self.pacer.start()
        try:
            f, _ = open_audio_file(self.path)
        except Exception as exc:
            raise AudioFileError(
                f"{self.path} can no longer be read ({short_reason(exc)})"
            ) from exc
        with f:
            finished = False
            while not finished and not self._stop.is_set():
                if self.pacer is not None:
                    target = self.pacer.take_seek()
                    if target is not None:
                        frame = min(int(target * in_rate), self.info.frames)
                        f.seek(frame)
                        resampler.reset()
                        base_t = frame / in_rate
                        out_pos = 0
                try:
                    data = f.read(block_frames, dtype="float32", always_2d=True)
                except Exception as exc:
                    raise AudioFileError(
                        f"{self.path} is damaged near {base_t + out_pos / self.sample_rate:.1f} s "
                        f"({short_reason(exc)})"
                    ) from exc
                if len(data) == 0:
                    finished = True
                    out = resampler.process(np.zeros((0, self.channels), np.float32), last=True)
                else:
                    if self.channels == 1 and data.shape[1] > 1:
                        data = data.mean(axis=1, keepdims=True)
                    out = resampler.process(data)
                if len(out) == 0:
                    continue
                t0 = base_t + out_pos / self.sample_rate
                out_pos += len(out)
                if self.pacer is not None and not self.pacer.wait_until(
                    base_t + out_pos / self.sample_rate
                ):
                    if self._stop.is_set() or self.pacer.closed:
                        break
                    continue  # a seek arrived while waiting: drop this block
                pcm = float_to_int16(out)
                for ch in range(self.channels):
                    yield AudioChunk(
                        channel=ch,
                        samples=np.ascontiguousarray(pcm[:, ch]),
                        sample_rate=self.sample_rate,
                        t0=t0,
                    )


class ArraySource:
    """In-memory audio (float in [-1, 1] or int16, shape [frames] or [frames, channels]).

    Used by tests and benchmarks; same chunking and pacing as :class:`FileSource`.
    """

    def __init__(
        self,
        audio: np.ndarray,
        sample_rate: int,
        block_seconds: float = DEFAULT_BLOCK_SECONDS,
        pacer: Pacer | None = None,
    ) -> None:
        a = np.asarray(audio)
        if a.ndim == 1:
            a = a[:, None]
        if a.dtype == np.int16:
            a = a.astype(np.float32) / 32768.0
        self._audio = a.astype(np.float32)
        self.sample_rate = int(sample_rate)
        self.channels = int(self._audio.shape[1])
        self.block_seconds = block_seconds
        self.pacer = pacer
        self._stop = threading.Event()

    @property
    def duration(self) -> float:
        return len(self._audio) / self.sample_rate

    def close(self) -> None:
        self._stop.set()
        if self.pacer is not None:
            self.pacer.close()

    def chunks(self) -> Iterator[AudioChunk]:
        n = max(1, round(self.block_seconds * self.sample_rate))
        pos = 0
        if self.pacer is not None:
            self.pacer.start()
        while pos < len(self._audio) and not self._stop.is_set():
            if self.pacer is not None:
                target = self.pacer.take_seek()
                if target is not None:
                    pos = min(int(target * self.sample_rate), len(self._audio))
                    continue
            block = self._audio[pos : pos + n]
            t0 = pos / self.sample_rate
            if self.pacer is not None and not self.pacer.wait_until(
                (pos + len(block)) / self.sample_rate
            ):
                if self.pacer.closed:
                    break
                continue  # a seek arrived while waiting
            pos += len(block)
            pcm = float_to_int16(block)
            for ch in range(self.channels):
                yield AudioChunk(ch, np.ascontiguousarray(pcm[:, ch]), self.sample_rate, t0)
