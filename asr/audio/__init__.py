"""Audio sources for the recognisers: files, arrays, microphones, and the pacing clock.

* :mod:`asr.audio.source` — the :class:`AudioSource` protocol.
* :mod:`asr.audio.files` — :func:`probe_audio_file`, :class:`FileSource`,
  :class:`ArraySource`, :func:`read_audio_file` (soundfile / soxr imported when first used).
* :mod:`asr.audio.wavheader` — :func:`open_audio_file`, THE way an audio file is opened:
  a WAV whose header misstates its length is read as it really is, with a warning.
* :mod:`asr.audio.microphone` — :class:`MicrophoneSource` and device lookup (sounddevice
  imported when first used, so this package loads without PortAudio).
* :mod:`asr.audio.pacing` — :class:`Pacer`, THE wall-clock pacing with pause / resume /
  seek, and :func:`paced` for replays.

Importing the package loads numpy, nothing heavier.
"""

from asr.audio.files import (
    SILENCE_DBFS,
    ArraySource,
    AudioFileInfo,
    FileSource,
    float_to_int16,
    probe_audio_file,
    read_audio_file,
)
from asr.audio.microphone import (
    CaptureStats,
    InputDevice,
    MicrophoneSource,
    list_input_devices,
    resolve_input_device,
)
from asr.audio.pacing import Pacer, paced
from asr.audio.source import DEFAULT_BLOCK_SECONDS, AudioSource
from asr.audio.wavheader import open_audio_file

__all__ = [
    "DEFAULT_BLOCK_SECONDS",
    "SILENCE_DBFS",
    "ArraySource",
    "AudioFileInfo",
    "AudioSource",
    "CaptureStats",
    "FileSource",
    "InputDevice",
    "MicrophoneSource",
    "Pacer",
    "float_to_int16",
    "list_input_devices",
    "open_audio_file",
    "paced",
    "probe_audio_file",
    "read_audio_file",
    "resolve_input_device",
]
