"""Speech commands: `hotline devices`, `hotline transcribe FILE`, `hotline listen`.

Heavy imports (numpy, vosk, sounddevice, faster-whisper) happen inside the commands.
Exit codes: 0 ok; 1 engine/model/device problem; 2 unusable audio file or bad option;
130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.display import echo
from assistant.labels import SPEAKER_LABELS

if TYPE_CHECKING:
    from asr.engine import EngineFactory
    from asr.events import TranscriptEvent

PROGRESS_MIN_SECONDS = 30.0


def _fmt_time(t: float) -> str:
    minutes, seconds = divmod(max(t, 0.0), 60.0)
    return f"{int(minutes):02d}:{seconds:05.2f}"


def _segment_line(ev: TranscriptEvent) -> str:
    label = SPEAKER_LABELS.get(ev.speaker, ev.speaker)
    return f"[{_fmt_time(ev.start)} - {_fmt_time(ev.end)}] {label}：{ev.text}"


def _segment_json(ev: TranscriptEvent) -> str:
    return json.dumps(
        {"speaker": ev.speaker, "start": ev.start, "end": ev.end, "text": ev.text, "raw": ev.raw},
        ensure_ascii=False,
    )


def _fail(message: str, code: int) -> typer.Exit:
    echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _load_engine(
    engine: str | None, model: str | None, *, batch: bool = False
) -> tuple[EngineFactory, str]:
    """``batch``: a file transcribed offline keeps a large Vosk model's rescoring."""
    from asr.select import create_engine
    from assistant.settings import load_settings

    settings = load_settings()
    choice = (engine or settings.asr_engine).lower()
    vosk_model: Path | None = settings.vosk_model
    whisper_model = settings.whisper_model
    if model:
        as_path = Path(model).expanduser()
        if choice == "vosk" or (choice == "auto" and (as_path / "am" / "final.mdl").exists()):
            vosk_model = as_path
        elif choice == "auto" and as_path.exists() and not (as_path / "model.bin").exists():
            vosk_model = as_path  # let the Vosk checks explain what is wrong with it
        else:
            whisper_model = model
            if choice == "auto":
                choice = "whisper"
    return create_engine(
        choice, vosk_model, whisper_model, settings.models_dir, vosk_rescoring=batch
    )


def _second_pass(factory: Any, source: Any, channel_map: tuple[str, ...]) -> Iterator[Any]:
    """The offline second pass of a whole file (Whisper), as an iterator of final events."""
    from asr.whisper.offline import transcribe_source

    yield from transcribe_source(factory, source, channel_map)  # type: ignore[arg-type]


def devices() -> None:
    """List the audio input devices (microphones, headsets, line inputs)."""
    from asr.audio import list_input_devices
    from asr.errors import AudioDeviceError

    try:
        found = list_input_devices()
    except AudioDeviceError as exc:
        raise _fail(str(exc), 1) from exc
    if not found:
        raise _fail(
            "no audio input device found: plug in a headset/microphone "
            "(or check PulseAudio/ALSA permissions)",
            1,
        )
    from rich.table import Table

    from assistant.cli.display_rich import SafeConsole as Console

    table = Table("#", "name", "channels", "default rate", "host API", "default")
    for d in found:
        table.add_row(
            str(d.index),
            d.name,
            str(d.max_input_channels),
            f"{d.default_samplerate:.0f}",
            d.hostapi,
            "*" if d.is_default else "",
        )
    Console().print(table)
    echo("Use: hotline listen --device <# or part of the name>")


def transcribe(
    file: Annotated[
        Path,
        typer.Argument(
            help="Audio file (WAV, FLAC, OGG; any sample rate), or a saved session folder: "
            "its audio is transcribed again and kept as events.<engine>.jsonl beside the "
            "original events."
        ),
    ],
    stereo: Annotated[
        bool,
        typer.Option("--stereo", help="Call recording: left channel = caller, right = agent."),
    ] = False,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json", help="One JSON object per final segment: speaker, start, end, text, raw."
        ),
    ] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", help="vosk | whisper | auto (default: the configured asr_engine)."
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Vosk model folder, or Whisper model folder/name.")
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Whisper: run the live streaming recogniser (as during a call) instead of "
            "the offline second pass, e.g. to compare the two.",
        ),
    ] = False,
) -> None:
    """Transcribe an audio file (or re-transcribe a saved session) and print the final
    segments with their times. With Whisper this is the offline second pass: whole
    utterances decoded with the model's long-form settings (more accurate than live)."""
    from asr.errors import ASRError, AudioFileError

    session_dir: Path | None = None
    channel_map: tuple[str, ...] | None = None
    if file.is_dir():
        from assistant.errors import SessionFileError
        from assistant.files.session_reader import is_session, load_session

        if not is_session(file):
            raise _fail(f"{file} is a folder but not a saved session (no session.json)", 2)
        try:
            saved = load_session(file)
        except SessionFileError as exc:
            raise _fail(str(exc), 2) from exc
        if saved.audio is None:
            raise _fail(f"the session {file} has no audio to transcribe again", 2)
        session_dir, file, channel_map = file, saved.audio, saved.channel_map
        stereo = True  # a session's audio is caller left / agent right (mono: caller)
    from asr.audio import FileSource, probe_audio_file
    from asr.pipeline import Transcriber

    if engine is not None and engine.lower() not in ("vosk", "whisper", "auto"):
        raise _fail(f"unknown engine {engine!r}: use vosk, whisper or auto", 2)
    try:
        info = probe_audio_file(file)  # bad files fail fast, before a model is loaded
    except AudioFileError as exc:
        raise _fail(str(exc), 2) from exc
    try:
        factory, reason = _load_engine(engine, model, batch=True)
    except ASRError as exc:
        raise _fail(str(exc), 1) from exc
    echo(f"engine: {reason}", err=True)
    for warning in info.warnings:
        echo(f"warning: {warning}", err=True)
    if stereo and info.channels == 1:
        echo("note: mono file, all speech is attributed to the caller", err=True)
    if not stereo and info.channels > 1:
        echo(
            f"note: {info.channels}-channel file mixed to mono (use --stereo for call recordings)",
            err=True,
        )
    try:
        source = FileSource(file, sample_rate=factory.sample_rate, split_channels=stereo)
    except AudioFileError as exc:
        raise _fail(str(exc), 2) from exc

    progress: Any = None
    task: Any = None
    if info.duration >= PROGRESS_MIN_SECONDS and sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TimeRemainingColumn

        from assistant.cli.display_rich import SafeConsole as Console

        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "{task.completed:.0f}/{task.total:.0f} s",
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = progress.add_task(file.name, total=info.duration)

    def on_progress(done: float, total: float | None) -> None:
        if progress is not None:
            progress.update(task, completed=done)

    from assistant.settings import load_settings

    if channel_map is None:
        channel_map = load_settings().channel_map  # left = caller unless configured otherwise
    kept: list[TranscriptEvent] = []
    finals = 0
    transcriber: Transcriber | None = None
    events: Iterator[TranscriptEvent]
    if factory.name == "whisper" and not live:
        events = _second_pass(factory, source, channel_map)
    else:
        transcriber = Transcriber(source, factory, channel_map, on_progress=on_progress)
        events = transcriber.events()
    try:
        if progress is not None and transcriber is not None:
            progress.start()
        for ev in events:
            if not ev.final or not ev.text.strip():  # (an empty final only clears a partial)
                continue
            finals += 1
            kept.append(ev)
            line = _segment_json(ev) if json_out else _segment_line(ev)
            echo(line)
            sys.stdout.flush()
    except AudioFileError as exc:
        raise _fail(str(exc), 2) from exc
    except ASRError as exc:
        raise _fail(str(exc), 1) from exc
    except KeyboardInterrupt:
        if transcriber is not None:
            transcriber.stop()
        raise _fail("interrupted", 130) from None
    finally:
        if progress is not None:
            progress.stop()
        if transcriber is not None:
            transcriber.stop()
            transcriber.join(timeout=5)
    if finals == 0:
        echo("note: no speech recognised", err=True)
    if session_dir is not None:
        from assistant.files.session_writer import save_second_pass

        path = save_second_pass(
            session_dir,
            kept,
            engine=factory.name,
            model=factory.model_description,
            sample_rate=factory.sample_rate,
            channel_map=channel_map,
        )
        echo(f"second pass saved beside the original events: {path}", err=True)


def listen(
    device: Annotated[
        str | None,
        typer.Option(
            "--device", help="Input device: index or part of its name (see `hotline devices`)."
        ),
    ] = None,
    stereo: Annotated[
        bool, typer.Option("--stereo", help="Two-channel line input: left = caller, right = agent.")
    ] = False,
    engine: Annotated[str | None, typer.Option("--engine", help="vosk | whisper | auto.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Model folder or Whisper name.")
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option("--record", help="Save audio + events.jsonl of this session into the folder."),
    ] = None,
) -> None:
    """Recognise the microphone live: partial text on one line, final segments below. Ctrl-C stops."""
    from asr.audio import MicrophoneSource, list_input_devices, resolve_input_device
    from asr.errors import ASRError
    from asr.pipeline import Transcriber
    from assistant.settings import load_settings

    settings = load_settings()
    wanted = device if device is not None else settings.input_device
    try:  # fail fast on a missing device, before loading a model
        resolve_input_device(wanted, list_input_devices())
        factory, reason = _load_engine(engine, model)
    except ASRError as exc:
        raise _fail(str(exc), 1) from exc
    echo(f"engine: {reason}", err=True)
    source = MicrophoneSource(
        device=wanted,
        sample_rate=factory.sample_rate,
        channels=2 if stereo or settings.input_channels == 2 else 1,
    )
    recorder = None
    try:
        source.start()
    except ASRError as exc:
        raise _fail(str(exc), 1) from exc
    if record is not None:
        from asr.recording import SessionRecorder

        recorder = SessionRecorder(
            record,
            sample_rate=factory.sample_rate,
            channels=source.channels,
            channel_map=settings.channel_map,
            engine=factory.name,
            model=factory.model_description,
            metadata={"device": source.device_name},
        )
    echo(f"listening on {source.device_name!r} - Ctrl-C to stop", err=True)
    transcriber = Transcriber(source, factory, settings.channel_map, recorder=recorder)
    tty = sys.stdout.isatty()

    def show(ev: TranscriptEvent) -> None:
        if ev.final:
            prefix = "\r\033[K" if tty else ""
            echo(prefix + _segment_line(ev))
        elif tty:
            label = SPEAKER_LABELS.get(ev.speaker, ev.speaker)
            sys.stdout.write(f"\r\033[K… {label}：{ev.text}")
            sys.stdout.flush()

    code = 0
    try:
        try:
            for ev in transcriber.events():
                show(ev)
        except KeyboardInterrupt:
            transcriber.stop()
            for ev in transcriber.events():  # the last finals
                show(ev)
    except ASRError as exc:
        echo(f"\nerror: {exc}", err=True)
        code = 1
    finally:
        transcriber.stop()
        transcriber.join(timeout=5)
        if recorder is not None:
            recorder.close()
        stats = source.stats
        if stats.dropped_blocks:
            echo(
                f"warning: {stats.dropped_seconds:.1f} s of audio dropped "
                f"({stats.dropped_blocks} blocks): the computer could not keep up",
                err=True,
            )
        if recorder is not None:
            echo(f"saved: {record}", err=True)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("devices")(devices)
    app.command("transcribe")(transcribe)
    app.command("listen")(listen)
