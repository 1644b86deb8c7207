"""The audio half of a recording: 16-bit PCM WAV files placed by call time.

The WAV header sizes are patched after every block, so a crash loses at most the block
being written. Chunks go where ``chunk.t0`` says: a gap (dropped microphone blocks, a
forward seek) is filled with silence so that the WAV position always equals call time;
audio for a time already written (a backward seek in practice) is not written again.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from asr.events import AudioChunk
from asr.fileio import open_private, private_dir

__all__ = ["MAX_GAP_SECONDS", "AudioLayout", "AudioRecorder", "WavWriter"]

MAX_GAP_SECONDS = 3600.0


class WavWriter:
    """16-bit PCM WAV writer whose header is valid after every write."""

    def __init__(self, path: Path, sample_rate: int, channels: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        self._fh: BinaryIO = open_private(path, "wb")
        self._fh.write(self._header(0))
        self._fh.flush()

    def _header(self, data_bytes: int) -> bytes:
        block_align = self.channels * 2
        return b"".join(
            [
                b"RIFF",
                struct.pack("<I", 36 + data_bytes),
                b"WAVE",
                b"fmt ",
                struct.pack(
                    "<IHHIIHH",
                    16,
                    1,
                    self.channels,
                    self.sample_rate,
                    self.sample_rate * block_align,
                    block_align,
                    16,
                ),
                b"data",
                struct.pack("<I", data_bytes),
            ]
        )

    def write(self, frames: np.ndarray) -> None:
        if len(frames) == 0:
            return
        data = np.ascontiguousarray(frames, dtype="<i2").reshape(-1, self.channels)
        self._fh.seek(0, 2)
        self._fh.write(data.tobytes())
        self.frames += len(data)
        nbytes = self.frames * self.channels * 2
        self._fh.seek(4)
        self._fh.write(struct.pack("<I", 36 + nbytes))
        self._fh.seek(40)
        self._fh.write(struct.pack("<I", nbytes))
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


AudioLayout = Literal["stereo", "split"]


class AudioRecorder:
    """Write the audio of a session (no events) into ``folder``, placed by call time.

    Thread-safe. Chunks go where ``chunk.t0`` says: a gap is filled with silence, audio for
    a time already written is dropped. The WAV headers are valid after every write.

    Args:
        folder: created if needed; existing WAV files of the same names are replaced.
        sample_rate: rate of the chunks (the engine's rate).
        channels: 1 or 2 (the source's channel count).
        channel_map: speaker of channel 0 and 1 (names the files of the split layout).
        layout: ``"stereo"`` (one ``audio.wav``, caller left / agent right) or ``"split"``
            (one mono WAV per speaker).
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        sample_rate: int,
        channels: int,
        channel_map: Sequence[str] = ("caller", "agent"),
        layout: AudioLayout = "stereo",
    ) -> None:
        if channels not in (1, 2):
            raise ValueError("A session recording has 1 or 2 channels")
        self.folder = private_dir(folder)
        self.sample_rate = int(sample_rate)
        self.channels = channels
        self.channel_map = tuple(channel_map)[:channels]
        self._lock = threading.Lock()
        self._pending: list[list[np.ndarray]] = [[] for _ in range(channels)]
        self._pending_len = [0] * channels
        self._next_pos = [0] * channels  # next sample index per channel (written + pending)
        self._closed = False
        if layout == "stereo" or channels == 1:
            self.layout: AudioLayout = "stereo"
            self.audio_files = ["audio.wav"]
            self._writers = [WavWriter(self.folder / "audio.wav", self.sample_rate, channels)]
        else:
            self.layout = "split"
            self.audio_files = [f"{name}.wav" for name in self.channel_map]
            self._writers = [
                WavWriter(self.folder / f, self.sample_rate, 1) for f in self.audio_files
            ]

    @property
    def seconds(self) -> float:
        """Audio written so far (first file)."""
        return self._writers[0].frames / self.sample_rate

    def write_audio(self, chunk: AudioChunk) -> None:
        if chunk.channel >= self.channels:
            return
        if chunk.sample_rate != self.sample_rate:
            raise ValueError(
                f"Recorder at {self.sample_rate} Hz got a {chunk.sample_rate} Hz chunk"
            )
        with self._lock:
            if self._closed:
                return
            ch = chunk.channel
            samples = np.asarray(chunk.samples, dtype=np.int16)
            pos = round(chunk.t0 * self.sample_rate)
            expected = self._next_pos[ch]
            if pos > expected:
                gap = min(pos - expected, int(MAX_GAP_SECONDS * self.sample_rate))
                self._append(ch, np.zeros(gap, np.int16))
            elif pos < expected:
                samples = samples[expected - pos :]  # already written: keep the first take
            self._append(ch, samples)
            self._drain(final=False)

    def flush(self) -> None:
        """Write what is pending, padding the shorter channel with silence."""
        with self._lock:
            if not self._closed:
                self._drain(final=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._drain(final=True)
            for w in self._writers:
                w.close()

    def _append(self, ch: int, samples: np.ndarray) -> None:
        if len(samples):
            self._pending[ch].append(samples)
            self._pending_len[ch] += len(samples)
            self._next_pos[ch] += len(samples)

    def _take(self, ch: int, n: int) -> np.ndarray:
        buf = np.concatenate(self._pending[ch]) if self._pending[ch] else np.zeros(0, np.int16)
        out, rest = buf[:n], buf[n:]
        if len(out) < n:
            out = np.concatenate([out, np.zeros(n - len(out), np.int16)])
        self._pending[ch] = [rest] if len(rest) else []
        self._pending_len[ch] = len(rest)
        return out

    def _drain(self, final: bool) -> None:
        if len(self._writers) == 1 and self.channels == 2:
            n = max(self._pending_len) if final else min(self._pending_len)
            if n > 0:
                left, right = self._take(0, n), self._take(1, n)
                self._writers[0].write(np.stack([left, right], axis=1))
        else:
            for ch, writer in enumerate(self._writers):
                n = self._pending_len[ch]
                if n > 0:
                    writer.write(self._take(ch, n))
