"""Live capture from a microphone or a stereo line box through sounddevice/PortAudio.

sounddevice is imported lazily, so a machine without PortAudio can still transcribe
files. The PortAudio callback only copies the block into a bounded queue; when the queue
is full the NEWEST block is dropped and counted (see :class:`CaptureStats`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from asr.audio.files import Resampler, float_to_int16, short_reason
from asr.audio.source import DEFAULT_BLOCK_SECONDS
from asr.errors import AudioDeviceError
from asr.events import AudioChunk

__all__ = [
    "CaptureStats",
    "InputDevice",
    "MicrophoneSource",
    "list_input_devices",
    "resolve_input_device",
]


def _import_sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise AudioDeviceError(
            "PortAudio is not installed, so no microphone can be used "
            "(install it: sudo apt-get install libportaudio2). "
            f"Files can still be transcribed. ({short_reason(exc)})"
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
        raise AudioDeviceError(f"Cannot list audio devices: {short_reason(exc)}") from exc
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
            f"Cannot open input device #{dev.index} {dev.name!r}: {short_reason(last_error or Exception())} "
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
        resampler = Resampler(self.device_rate, self.sample_rate, self.channels)
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
