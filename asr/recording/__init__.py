"""Save a live or practice session as audio + ``events.jsonl``, and replay it without a model.

Layout of a recording folder (documented in ``docs/recording-format.md``)::

    audio.wav       stereo: left = channel 0 (caller), right = channel 1 (agent); mono when
                    the source had one channel        (layout "stereo", the default)
    caller.wav / agent.wav                            (layout "split": one mono WAV each)
    events.jsonl    one JSON object per line: a header, the events, an end marker

Both are written incrementally and crash-safe: the WAV header sizes are patched after
every block and each JSON line is flushed as soon as it is written, so a crash loses at
most the block being written. Audio is placed by time (``chunk.t0``): gaps (dropped
microphone blocks, forward seeks) are filled with silence so that the WAV position
always equals call time; audio for a time already written (a backward seek in
practice) is not written again.

* :mod:`asr.recording.audio` — :class:`AudioRecorder`: the WAV files, placed by call time.
* :mod:`asr.recording.writer` — :class:`EventsLog`, the one ``events.jsonl`` writer (through
  :mod:`asr.jsonl`); :class:`SessionRecorder`: audio + events; the :class:`Recorder`
  protocol the pipeline writes to.
* :mod:`asr.recording.tap` — :class:`AudioTap`: keeps a live call's audio until its sink
  exists.
* :mod:`asr.recording.reader` — :func:`load_events`, :func:`replay_events` (which raise
  :class:`asr.errors.RecordingFormatError`, re-exported here with the API it belongs to).
"""

from asr.errors import RecordingFormatError
from asr.recording.audio import MAX_GAP_SECONDS, AudioLayout, AudioRecorder
from asr.recording.reader import RecordedEvents, load_events, replay_events
from asr.recording.tap import AudioTap
from asr.recording.writer import (
    EVENTS_FILE,
    FORMAT_NAME,
    FORMAT_VERSION,
    EventsLog,
    Recorder,
    SessionRecorder,
)

__all__ = [
    "EVENTS_FILE",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_GAP_SECONDS",
    "AudioLayout",
    "AudioRecorder",
    "AudioTap",
    "EventsLog",
    "RecordedEvents",
    "Recorder",
    "RecordingFormatError",
    "SessionRecorder",
    "load_events",
    "replay_events",
]
