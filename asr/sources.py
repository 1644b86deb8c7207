"""Audio sources: files (any rate, mono or stereo) and microphones, with optional pacing.

Every source yields :class:`~asr.events.AudioChunk` blocks: mono int16 PCM for ONE
channel at the source's ``sample_rate`` (the recogniser's rate), with a call-relative
``t0``. Stereo call recordings yield one chunk per channel per block (channel 0 = left,
channel 1 = right); the :class:`~asr.pipeline.Transcriber` maps channels to speakers.

* :class:`FileSource` reads WAV/FLAC/OGG/... through soundfile at any sample rate and
  resamples with soxr (8 kHz telephone audio works). Files are checked up front by
  :func:`probe_audio_file`: empty, silent, truncated and corrupt files raise
  :class:`~asr.errors.AudioFileError` before any recognition starts.
* :class:`MicrophoneSource` captures through sounddevice (imported lazily so that a
  machine without PortAudio can still transcribe files). The PortAudio callback only
  copies the block into a bounded queue; when the queue is full the NEWEST block is
  dropped and counted (see :class:`CaptureStats`).
* :class:`Pacer` releases file audio at wall-clock speed for practice sessions, with
  ``pause()``, ``resume()``, ``seek()`` and ``position``.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from asr.errors import AudioDeviceError, AudioFileError
from asr.events import AudioChunk

DEFAULT_BLOCK_SECONDS = 0.1
SILENCE_DBFS = -60.0
"""A file whose every channel peaks below this level is rejected as silent."""


# --------------------------------------------------------------------------- protocol


@runtime_checkable
class AudioSource(Protocol):
    """Anything that yields per-channel audio blocks for the recognisers."""

    channels: int
    sample_rate: int

    @property
    def duration(self) -> float | None:
        """Total seconds when known (files), else ``None`` (microphones)."""
        ...

    def chunks(self) -> Iterator[AudioChunk]:
        """Blocks in time order; for stereo, channel 0 then channel 1 of each block."""
        ...

    def close(self) -> None:
        """Stop producing; a running :meth:`chunks` iterator ends soon after."""
        ...


# --------------------------------------------------------------------------- helpers


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Convert float audio in [-1, 1] to int16 with clipping."""
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def _dbfs(peak: float) -> float:
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


class _Resampler:
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


# --------------------------------------------------------------------------- pacing


class Pacer:
    """Wall-clock pacing for file sources (practice sessions, live-like demos).

    The source calls :meth:`wait_until` with the END time of each block, so a block is
    released when it would have been fully spoken, exactly like a microphone delivers
    it. The controller side (UI thread) may call :meth:`pause`, :meth:`resume`,
    :meth:`seek` at any time; all methods are thread-safe.

    A seek is a discontinuity: the source restarts at the new position and the
    recogniser finalises the utterance in progress (see ``VoskRecognizer``); after a
    backward seek, event times go back to the new position.
    """

    def __init__(
        self,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._clock = clock
        self._cond = threading.Condition()
        self._paused = False
        self._closed = False
        self._anchor_wall: float | None = None
        self._anchor_pos = 0.0
        self._seek_to: float | None = None

    # -- controller API
    @property
    def position(self) -> float:
        """Current playback position in audio seconds."""
        with self._cond:
            return self._position_locked()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def closed(self) -> bool:
        return self._closed

    def pause(self) -> None:
        with self._cond:
            if not self._paused:
                self._anchor_pos = self._position_locked()
                self._paused = True
                self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            if self._paused:
                self._paused = False
                self._anchor_wall = self._clock()
                self._cond.notify_all()

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` (clamped at 0); the source picks it up at its next block."""
        with self._cond:
            target = max(0.0, float(seconds))
            self._seek_to = target
            self._anchor_pos = target
            self._anchor_wall = self._clock()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wall_time_of(self, audio_t: float) -> float:
        """The clock time at which audio time ``audio_t`` is (or was) played, since the last anchor."""
        with self._cond:
            anchor = self._anchor_wall if self._anchor_wall is not None else self._clock()
            return anchor + (audio_t - self._anchor_pos) / self.speed

    # -- source API
    def start(self) -> None:
        with self._cond:
            if self._anchor_wall is None:
                self._anchor_wall = self._clock()

    def take_seek(self) -> float | None:
        with self._cond:
            target, self._seek_to = self._seek_to, None
            return target

    def wait_until(self, audio_t: float) -> bool:
        """Block until playback reaches ``audio_t``.

        Returns ``False`` early when a seek is pending or the pacer was closed (the
        caller should then discard the block and check :meth:`take_seek`).
        """
        with self._cond:
            if self._anchor_wall is None:
                self._anchor_wall = self._clock()
            while True:
                if self._closed or self._seek_to is not None:
                    return False
                if not self._paused:
                    remaining = (audio_t - self._position_locked()) / self.speed
                    if remaining <= 0:
                        return True
                    self._cond.wait(timeout=min(remaining, 0.25))
                else:
                    self._cond.wait(timeout=0.25)

    def _position_locked(self) -> float:
        if self._paused or self._anchor_wall is None:
            return self._anchor_pos
        return self._anchor_pos + (self._clock() - self._anchor_wall) * self.speed


# --------------------------------------------------------------------------- files


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

    @property
    def duration(self) -> float:
        return self.frames / float(self.sample_rate)


def probe_audio_file(path: str | Path, allow_silent: bool = False) -> AudioFileInfo:
    """Open and fully decode ``path`` once; raise :class:`AudioFileError` when it is unusable.

    Checks: the file exists, libsndfile can read it (WAV, FLAC, OGG/Vorbis, AIFF, ...),
    it holds at least one frame, every frame the header promises can be decoded
    (truncated files are caught here, not halfway through a transcription) and, unless
    ``allow_silent``, at least one channel rises above ``SILENCE_DBFS``.
    """
    import soundfile as sf

    p = Path(path)
    if not p.exists():
        raise AudioFileError(f"Audio file not found: {p}")
    if p.is_dir():
        raise AudioFileError(f"{p} is a folder, not an audio file")
    if p.stat().st_size == 0:
        raise AudioFileError(f"{p} is empty (0 bytes): re-export or re-record the call")
    try:
        f = sf.SoundFile(str(p))
    except Exception as exc:  # soundfile.LibsndfileError, RuntimeError, ...
        raise AudioFileError(
            f"{p} is not a readable audio file ({_short(exc)}); "
            "use WAV, FLAC or OGG (convert with: sox in.xxx -r 16000 out.wav)"
        ) from exc
    with f:
        frames = int(f.frames)
        declared = _wav_declared_frames(p) if str(f.format) == "WAV" else None
        if frames <= 0 and not declared:
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
                f"({_short(exc)}); re-export the file"
            ) from exc
        frames_expected = declared if declared is not None and declared > frames else frames
        if decoded < frames_expected:
            raise AudioFileError(
                f"{p} is truncated: its header announces {frames_expected / f.samplerate:.1f} s "
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
        )
    if not allow_silent and max(info.peak_dbfs) < SILENCE_DBFS:
        loudest = max(info.peak_dbfs)
        level = "-inf" if loudest == -math.inf else f"{loudest:.0f}"
        raise AudioFileError(
            f"{p} is silent (peak {level} dBFS on every channel): "
            "check that the right file/channel was recorded"
        )
    return info


def _wav_declared_frames(path: Path) -> int | None:
    """Frames announced by a RIFF/WAVE header's ``data`` chunk (``None`` if not a plain WAV)."""
    import struct

    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = 0
            while True:
                hdr = fh.read(8)
                if len(hdr) < 8:
                    return None
                cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(size + (size & 1))
                    if len(fmt) >= 14:
                        block_align = struct.unpack("<H", fmt[12:14])[0]
                elif cid == b"data":
                    if size in (0, 0xFFFFFFFF) or block_align <= 0:
                        return None  # streaming placeholder: length unknown
                    return size // block_align
                else:
                    fh.seek(size + (size & 1), 1)
    except OSError:
        return None


def _short(exc: BaseException) -> str:
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
        import soundfile as sf

        in_rate = self.info.sample_rate
        block_frames = max(1, round(self.block_seconds * in_rate))
        resampler = _Resampler(in_rate, self.sample_rate, self.channels)
        base_t = 0.0
        out_pos = 0
        if self.pacer is not None:
            self.pacer.start()
        try:
            f = sf.SoundFile(str(self.path))
        except Exception as exc:
            raise AudioFileError(f"{self.path} can no longer be read ({_short(exc)})") from exc
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
                        f"({_short(exc)})"
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


# --------------------------------------------------------------------------- microphones


def _import_sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise AudioDeviceError(
            "PortAudio is not installed, so no microphone can be used "
            "(install it: sudo apt-get install libportaudio2). "
            f"Files can still be transcribed. ({_short(exc)})"
        ) from exc
    except ImportError as exc:
        raise AudioDeviceError(
            "The Python package 'sounddevice' is missing: pip install sounddevice"
        ) from exc
    return sd


@dataclass(frozen=True, slots=True)
class InputDevice:
    """A capture device as PortAudio reports it."""

    index: int
    name: str
    max_input_channels: int
    default_samplerate: float
    hostapi: str
    is_default: bool


def list_input_devices() -> list[InputDevice]:
    """All devices with at least one input channel (raises AudioDeviceError without PortAudio)."""
    sd = _import_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except Exception as exc:
        raise AudioDeviceError(f"Cannot list audio devices: {_short(exc)}") from exc
    result: list[InputDevice] = []
    for i, d in enumerate(devices):
        if int(d.get("max_input_channels", 0)) <= 0:
            continue
        api_index = int(d.get("hostapi", 0))
        api = hostapis[api_index]["name"] if 0 <= api_index < len(hostapis) else "?"
        result.append(
            InputDevice(
                index=i,
                name=str(d["name"]),
                max_input_channels=int(d["max_input_channels"]),
                default_samplerate=float(d["default_samplerate"]),
                hostapi=str(api),
                is_default=(i == default_in),
            )
        )
    return result


def resolve_input_device(spec: str | int | None, devices: list[InputDevice]) -> InputDevice:
    """Pick a device by index, by (case-insensitive) name substring, or the default."""
    if not devices:
        raise AudioDeviceError(
            "No audio input device found: plug in a headset/microphone or check that "
            "the audio system (PulseAudio/ALSA) sees it (`hotline devices` lists them)"
        )
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        for d in devices:
            if d.is_default:
                return d
        return devices[0]
    if isinstance(spec, int) or spec.strip().isdigit():
        idx = int(spec)
        for d in devices:
            if d.index == idx:
                return d
        raise AudioDeviceError(
            f"Input device #{idx} does not exist or has no input channels; "
            f"available: {_device_list(devices)}"
        )
    needle = spec.strip().lower()
    exact = [d for d in devices if d.name.lower() == needle]
    if exact:
        return exact[0]
    matches = [d for d in devices if needle in d.name.lower()]
    if not matches:
        raise AudioDeviceError(
            f"No input device name contains {spec!r}; available: {_device_list(devices)}"
        )
    return matches[0]


def _device_list(devices: list[InputDevice]) -> str:
    return ", ".join(f"#{d.index} {d.name}" for d in devices)


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """Honest capture accounting of a :class:`MicrophoneSource`.

    ``captured_blocks = queued_blocks + dropped_blocks`` always holds; every queued
    block is delivered (in order) unless the source is closed first.
    """

    captured_blocks: int
    queued_blocks: int
    dropped_blocks: int
    dropped_frames: int
    delivered_blocks: int
    portaudio_overflows: int
    device_rate: int

    @property
    def dropped_seconds(self) -> float:
        return self.dropped_frames / self.device_rate if self.device_rate else 0.0


class MicrophoneSource:
    """Live capture through sounddevice/PortAudio.

    The PortAudio callback does nothing but copy the block into a bounded
    ``queue.Queue`` (``max_queue_seconds`` of audio). If the recogniser falls that far
    behind, the NEWEST block is dropped (the callback never blocks or waits) and
    counted in :attr:`stats`; kept blocks carry their true capture position, so
    the timeline stays correct and the recogniser sees the gap as a discontinuity.

    Args:
        device: index, name substring or ``None`` for the default input.
        sample_rate: rate of the produced chunks. The device is opened at this rate
            when it supports it, else at its default rate and resampled with soxr.
        channels: 1 (caller only) or 2 (a stereo line box: left/right = two speakers).
        stream_factory: for tests: ``f(callback, samplerate, channels, blocksize,
            device) -> stream`` with ``start()``, ``stop()``, ``close()``.
    """

    def __init__(
        self,
        device: str | int | None = None,
        sample_rate: int = 16000,
        channels: int = 1,
        block_seconds: float = DEFAULT_BLOCK_SECONDS,
        max_queue_seconds: float = 10.0,
        stream_factory: Callable[..., Any] | None = None,
    ) -> None:
        if channels not in (1, 2):
            raise AudioDeviceError("A microphone source has 1 or 2 channels")
        self.device_spec = device
        self.sample_rate = int(sample_rate)
        self.channels = channels
        self.block_seconds = block_seconds
        self._max_blocks = max(1, round(max_queue_seconds / block_seconds))
        self._queue: queue.Queue[tuple[int, np.ndarray]] = queue.Queue(maxsize=self._max_blocks)
        self._stream_factory = stream_factory
        self._stream: Any = None
        self._stop = threading.Event()
        self.device_rate = self.sample_rate
        self.device_name = ""
        # counters written only by the callback thread
        self._next_frame = 0
        self._captured = 0
        self._dropped = 0
        self._dropped_frames = 0
        self._overflows = 0
        # written only by the consumer thread
        self._delivered = 0

    @property
    def duration(self) -> float | None:
        return None

    @property
    def stats(self) -> CaptureStats:
        captured, dropped = self._captured, self._dropped
        return CaptureStats(
            captured_blocks=captured,
            queued_blocks=captured - dropped,
            dropped_blocks=dropped,
            dropped_frames=self._dropped_frames,
            delivered_blocks=self._delivered,
            portaudio_overflows=self._overflows,
            device_rate=self.device_rate,
        )

    # PortAudio thread: copy and count, nothing else.
    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        start = self._next_frame
        self._next_frame = start + frames
        self._captured += 1
        if status:
            self._overflows += 1
        try:
            self._queue.put_nowait((start, indata.copy()))
        except queue.Full:
            self._dropped += 1
            self._dropped_frames += frames

    def start(self) -> None:
        if self._stream is not None:
            return
        if self._stream_factory is not None:
            self.device_rate = self.sample_rate
            self.device_name = "test stream"
            self._stream = self._stream_factory(
                callback=self._callback,
                samplerate=self.device_rate,
                channels=self.channels,
                blocksize=round(self.block_seconds * self.device_rate),
                device=self.device_spec,
            )
        else:
            self._stream = self._open_portaudio()
        self._stream.start()

    def _open_portaudio(self) -> Any:
        sd = _import_sounddevice()
        dev = resolve_input_device(self.device_spec, list_input_devices())
        if dev.max_input_channels < self.channels:
            raise AudioDeviceError(
                f"Input device #{dev.index} {dev.name!r} has {dev.max_input_channels} "
                f"channel(s); {self.channels} needed"
            )
        self.device_name = dev.name
        last_error: Exception | None = None
        for rate in dict.fromkeys([self.sample_rate, round(dev.default_samplerate)]):
            try:
                stream = sd.InputStream(
                    device=dev.index,
                    samplerate=rate,
                    channels=self.channels,
                    dtype="float32",
                    blocksize=round(self.block_seconds * rate),
                    callback=self._callback,
                )
            except Exception as exc:  # PortAudioError: invalid rate, device busy...
                last_error = exc
                continue
            self.device_rate = int(rate)
            return stream
        raise AudioDeviceError(
            f"Cannot open input device #{dev.index} {dev.name!r}: {_short(last_error or Exception())} "
            "(is it in use by another program?)"
        )

    def close(self) -> None:
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
            finally:
                stream.close()

    def chunks(self) -> Iterator[AudioChunk]:
        self.start()
        resampler = _Resampler(self.device_rate, self.sample_rate, self.channels)
        expected: int | None = None
        base_t = 0.0
        out_pos = 0
        while True:
            try:
                start, block = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._stop.is_set():
                    break
                continue
            self._delivered += 1
            if block.dtype == np.int16:
                block = block.astype(np.float32) / 32768.0
            block = block.reshape(len(block), -1)[:, : self.channels].astype(np.float32)
            if expected is None or start != expected:
                # first block, or blocks were dropped: restart the timeline here
                resampler.reset()
                base_t = start / self.device_rate
                out_pos = 0
            expected = start + len(block)
            out = resampler.process(block)
            if len(out) == 0:
                continue
            t0 = base_t + out_pos / self.sample_rate
            out_pos += len(out)
            pcm = float_to_int16(out)
            for ch in range(self.channels):
                yield AudioChunk(ch, np.ascontiguousarray(pcm[:, ch]), self.sample_rate, t0)
