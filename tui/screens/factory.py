"""Builds the main screens and their feeds from the app context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from assistant.files.recordings import RecordedCall, find_calls, load_call, samples_dir
from tui.context import AppContext
from tui.feeds import EventFeed, ReplayFeed, TranscriberFeed


def mandarin_recogniser(ctx: AppContext) -> tuple[bool, str]:
    """Whether the engine :func:`asr.select.choose_engine` picks has its model installed
    (cheap check, loads nothing), and its label."""
    s = ctx.settings
    try:
        from asr.select import choose_engine, probe_vosk, probe_whisper

        choice = choose_engine(
            s.asr_engine,
            probe_vosk(s.vosk_model, s.models_dir),
            probe_whisper(s.whisper_model, s.models_dir),
        )
    except Exception:
        return False, "未安装中文识别模型（hotline models install whisper-base）"
    info = choice.vosk.info
    if choice.name == "vosk" and info is not None:
        if choice.requested and not info.is_mandarin:  # the admin insists
            return True, f"Vosk {info.name}（非中文模型）"
        return True, f"Vosk {info.name}"
    if choice.name == "vosk":
        return False, "未安装中文 Vosk 模型"
    if choice.name == "whisper" and choice.ready:
        return True, f"Whisper {s.whisper_model or Path(choice.whisper.source).name}"
    return False, "未安装中文识别模型（hotline models install whisper-base）"


def microphone_feed(ctx: AppContext) -> EventFeed:
    """Live call: microphone -> recogniser, recorded into the sessions folder."""
    settings = ctx.settings

    def source(sample_rate: int) -> Any:
        from asr.audio import MicrophoneSource

        return MicrophoneSource(
            device=settings.input_device,
            sample_rate=sample_rate,
            channels=settings.input_channels,
        )

    def check_device() -> None:  # fail in a moment, before a speech model is loaded
        from asr.audio import list_input_devices, resolve_input_device

        resolve_input_device(settings.input_device, list_input_devices())

    return live_feed(settings, source, description="麦克风", precheck=check_device)


def live_feed(
    settings: Any,
    make_source: Callable[[int], Any],
    *,
    description: str,
    precheck: Callable[[], object] | None = None,
    **feed_args: Any,
) -> TranscriberFeed:
    """A live-recognition feed over ``make_source(sample_rate)``; with ``record_audio`` on,
    its audio goes to an :class:`asr.recording.AudioTap` that the live screen attaches to
    the call's saved session. ``precheck()`` runs first in the feed's thread (e.g. that the
    microphone exists), so a missing device is reported before any model loads."""
    from asr.recording import AudioTap

    tap = AudioTap() if settings.record_audio else None

    def make() -> Any:
        from asr.pipeline import Transcriber
        from assistant.services import create_asr

        if precheck is not None:
            precheck()
        factory, reason = create_asr(settings)
        source = make_source(factory.sample_rate)
        if tap is not None:
            tap.configure(factory.sample_rate, source.channels)
        return Transcriber(source, factory, settings.channel_map, recorder=tap, reason=reason)

    return TranscriberFeed(
        make,
        description=description,
        engine_name=settings.asr_engine,
        audio_tap=tap,
        **feed_args,
    )


def recording_feed(ctx: AppContext, call: RecordedCall, *, start_paused: bool = False) -> EventFeed:
    """Practice: recognise the recording live when a Mandarin model is installed, else
    replay its stored transcript (and say so)."""
    if ctx.asr_factory is not None:
        feed: EventFeed = ctx.asr_factory(ctx.settings, call)
        return feed
    ok, what = mandarin_recogniser(ctx)
    if ok and call.audio is not None:
        settings = ctx.settings
        from asr.audio import Pacer

        pacer = Pacer()
        if start_paused:
            pacer.pause()
        audio = call.audio

        def make() -> Any:
            from asr.audio import FileSource
            from asr.pipeline import Transcriber
            from assistant.services import create_asr

            factory, reason = create_asr(settings)
            source = FileSource(
                audio, sample_rate=factory.sample_rate, split_channels=True, pacer=pacer
            )
            return Transcriber(source, factory, settings.channel_map, reason=reason)

        return TranscriberFeed(
            make,
            description=f"实时识别 {audio.name}",
            engine_name=what,
            pacer=pacer,
            duration=call.duration,
        )
    if not call.events:
        from assistant.errors import SessionFileError

        raise SessionFileError(f"{call.path} 只有录音没有转写，需要中文识别模型才能练习：{what}")
    note = "回放已存转写" if call.transcript_source == "events" else "回放脚本转写"
    return ReplayFeed(
        call.events,
        times=call.times,
        duration=call.duration,
        description=f"{note}（{what}）",
        engine_name="无识别引擎",
        start_paused=start_paused,
    )


def practice_dirs(ctx: AppContext) -> list[Path]:
    return [samples_dir(), ctx.sessions_dir]


def build(ctx: AppContext, name: str, target: str | None = None) -> Screen[Any]:
    if name == "home":
        from tui.screens.home import HomeScreen

        return HomeScreen(ctx)
    if name == "live":
        from tui.screens.live import LiveScreen

        feed = ctx.asr_factory(ctx.settings, None) if ctx.asr_factory else microphone_feed(ctx)
        return LiveScreen(ctx, feed)
    if name == "practice":
        from tui.screens.pickers import CallListScreen
        from tui.screens.practice import PracticeScreen

        if target is None:
            return CallListScreen(ctx, purpose="practice", folders=practice_dirs(ctx))
        call = load_call(target)
        return PracticeScreen(ctx, call, recording_feed(ctx, call))
    if name == "review":
        from tui.screens.review import build_review

        return build_review(ctx, target)  # type: ignore[no-any-return,unused-ignore]
    if name == "tickets":
        from tui.screens.tickets import TicketsScreen

        return TicketsScreen(ctx)
    raise ValueError(f"unknown screen {name!r}")


def first_sample() -> Path | None:
    calls = find_calls(samples_dir())
    return calls[0] if calls else None
