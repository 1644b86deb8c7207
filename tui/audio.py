"""Practice audio to the speakers: a sounddevice OutputStream opened lazily.

When PortAudio or an output device is missing, :func:`open_player` returns ``None`` with a
reason; practice then runs silently. sounddevice is imported only here and only on use.
Nothing here imports textual.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


class AudioPlayer:
    """Plays one audio file from any position; driven by feed transport notifications."""

    def __init__(self, path: Path, sd: Any, data: Any, sample_rate: int) -> None:
        self.path = path
        self._sd = sd
        self._data = data  # float32 frames x channels
        self.sample_rate = sample_rate
        self._frame = 0
        self._lock = threading.Lock()
        self._stream: Any = None

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        with self._lock:
            chunk = self._data[self._frame : self._frame + frames]
            self._frame += len(chunk)
        outdata[: len(chunk)] = chunk
        if len(chunk) < frames:
            outdata[len(chunk) :] = 0

    def on_transport(self, what: str, position: float) -> None:
        """Listener for ReplayFeed / TranscriberFeed: play, pause, seek, stop, end."""
        with self._lock:
            self._frame = max(0, int(position * self.sample_rate))
        if what in ("play", "seek"):
            if what == "seek" and self._stream is None:
                return
            self._ensure_stream()
        elif what in ("pause", "stop", "end"):
            self.close()

    def _ensure_stream(self) -> None:
        if self._stream is None:
            self._stream = self._sd.OutputStream(
                samplerate=self.sample_rate,
                channels=self._data.shape[1],
                dtype="float32",
                callback=self._callback,
            )
            self._stream.start()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                pass


def open_player(path: Path | None) -> tuple[AudioPlayer | None, str]:
    """An AudioPlayer for ``path``, or None and why (no file / no PortAudio / no device)."""
    if path is None:
        return None, "无录音文件，静音练习"
    try:
        import sounddevice as sd
    except (OSError, ImportError):
        return None, "未找到 PortAudio，静音练习"
    try:
        sd.query_devices(kind="output")
    except Exception:
        return None, "无音频输出设备，静音练习"
    try:
        from asr.audio import read_audio_file

        data, rate = read_audio_file(path)
    except Exception as exc:
        return None, f"无法读取录音（{type(exc).__name__}），静音练习"
    return AudioPlayer(path, sd, data, int(rate)), "播放到扬声器"
