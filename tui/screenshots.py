"""Export SVG screenshots of every screen for the README.

    python -m tui.screenshots [--out docs/screenshots] [--size 120x36]

Uses the real knowledge engine without embeddings (deterministic), a fixed clock, a
temporary SQLite store with one ticket, and the bundled sample calls (stored transcripts
replayed instantly). Nothing is written outside ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from asr.events import Speaker

FIXED = datetime(2025, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))

# The demo call and ticket shown in the README screenshots; the snapshot tests use the same.
DEMO_SCRIPT: list[tuple[Speaker, str, float, float]] = [
    ("agent", "您好，一二三四五热线，请问有什么可以帮您？", 0.5, 3.0),
    ("caller", "我家楼下天天有人摆摊占道经营，人行道都走不了了。", 3.5, 8.0),
    ("agent", "请问您贵姓？", 8.5, 9.5),
    ("caller", "我姓张，张三。", 10.0, 11.0),
    ("agent", "您的联系电话是多少？", 11.5, 12.5),
    ("caller", "13812345678。", 13.0, 15.0),
    ("agent", "请问具体地址是哪里？", 15.5, 16.5),
    ("caller", "朝阳区建国路88号小区门口。", 17.0, 19.0),
]


def seed_demo_ticket(store: Any) -> Any:
    """Submit the one ticket the tickets screen shows in screenshots and snapshots."""
    from assistant.store import TicketDraft

    return store.submit(
        TicketDraft(
            name="王",
            phone="13900001111",
            address="海淀区中关村大街1号",
            category_id="01.01.01",
            category_path="城市管理 > 市容环境 > 占道经营",
            department="城市管理",
            deadline="7d",
            summary="门口摆摊占道",
        ),
        suggestions={"name": "王", "category": "01.01.01"},
    )


async def _settle(app: Any, pilot: Any, timeout: float = 60.0) -> None:
    t0 = time.monotonic()

    def done() -> bool:
        s = app.screen
        runner = getattr(s, "runner", None)
        if runner is not None and (s.state is None or runner.pending):
            return False
        if hasattr(s, "moments") and not s.moments:
            return False
        return not (hasattr(s, "tickets") and hasattr(s, "audit") and not s.audit)

    while not done():
        if time.monotonic() - t0 > timeout:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)


async def export(out: Path, size: tuple[int, int]) -> list[Path]:
    from asr.events import TranscriptEvent
    from assistant.files.recordings import samples_dir
    from assistant.settings import load_settings
    from assistant.store import TicketStore
    from knowledge.engine import KnowledgeEngine
    from tui.app import create_app
    from tui.feeds import ReplayFeed

    out.mkdir(parents=True, exist_ok=True)
    engine = KnowledgeEngine.create(embedding_backend="none", load_in_background=False)
    clock: Callable[[], datetime] = lambda: FIXED  # noqa: E731
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = TicketStore.open(f"sqlite:///{Path(tmp) / 't.db'}", clock=clock)
        seed_demo_ticket(store)
        events: list[TranscriptEvent] = []
        for speaker, text, start, end in DEMO_SCRIPT:
            events.append(TranscriptEvent(speaker, text, start, end, final=True))

        def feed(_s: Any, call: Any) -> ReplayFeed:
            if call is None:
                return ReplayFeed(events, speed=0, description="回放示例转写")
            return ReplayFeed(
                call.events,
                times=call.times,
                duration=call.duration,
                speed=0,
                description="回放脚本转写",
            )

        settings = load_settings(data_dir=Path(tmp) / "data", recordings_dir=Path(tmp) / "s")
        samples = samples_dir()
        plan = [
            ("home", None),
            ("live", None),
            ("practice", samples / "04_gas_smell"),
            ("review", samples / "02_unpaid_wages_angry"),
            ("tickets", None),
        ]
        for screen, target in plan:
            if target is not None and not target.is_dir():
                continue
            app = create_app(
                settings,
                screen=screen,  # type: ignore[arg-type]
                target=str(target) if target else None,
                clock=clock,
                engine=engine,
                store=store,
                asr_factory=feed,
            )
            async with app.run_test(size=size) as pilot:
                await _settle(app, pilot)
                path = out / f"{screen}.svg"
                app.save_screenshot(filename=path.name, path=str(out))
                written.append(path)
        store.dispose()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--size", default="120x36", help="columns x rows")
    args = parser.parse_args(argv)
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    for path in asyncio.run(export(args.out, (cols, rows))):
        print(path)


if __name__ == "__main__":
    main()
