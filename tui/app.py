"""HotlineApp and :func:`create_app`, the one factory used by the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Literal

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from assistant.settings import Settings
from tui.context import AppContext, AsrFactory, system_clock
from tui.messages import EngineReady

ScreenName = Literal["home", "live", "practice", "review", "tickets"]
SCREENS: tuple[str, ...] = ("home", "live", "practice", "review", "tickets")


class HotlineApp(App[None]):
    """The call-taker's terminal app. Screens do the work; the app loads shared services."""

    CSS_PATH = "app.tcss"
    TITLE = "12345 热线助手"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "退出", priority=True, show=False)
    ]

    def __init__(
        self, ctx: AppContext, *, screen: ScreenName = "home", target: str | None = None
    ) -> None:
        super().__init__()
        if screen not in SCREENS:
            raise ValueError(f"unknown screen {screen!r}; use one of {', '.join(SCREENS)}")
        self.ctx = ctx
        self.start_screen: ScreenName = screen
        self.start_target = target

    def on_mount(self) -> None:
        from assistant.applog import configure_file_logging, get_logger

        configure_file_logging(self.ctx.settings)
        get_logger("tui").info(
            "app started: screen %s, seat %s", self.start_screen, self.ctx.settings.seat_id
        )
        if self.is_headless:
            self.ctx.deterministic = True  # tests and snapshots: no cursor blink
        if not self.ctx.engine_ready:
            self.load_engine()
        from tui.screens.home import HomeScreen

        self.push_screen(HomeScreen(self.ctx))
        if self.start_screen != "home":
            self.open_screen(self.start_screen, self.start_target)

    @work(thread=True, exclusive=True, group="engine")
    def load_engine(self) -> None:
        """Load the knowledge engine off the UI thread (the embedding model keeps loading
        inside the engine; keyword suggestions work as soon as this returns)."""
        try:
            engine = self.ctx.load_engine()
            error = None
        except Exception as exc:
            engine, error = None, f"{type(exc).__name__}: {exc}"
        self.call_from_thread(self._engine_loaded, engine, error)

    def _engine_loaded(self, engine: Any, error: str | None) -> None:
        if error:
            from assistant.applog import get_logger

            get_logger("tui").error("knowledge engine failed to load: %s", error)
            self.notify(f"知识库加载失败：{error}", severity="error", timeout=15)
        for screen in self.screen_stack:
            screen.post_message(EngineReady(engine, error))

    def open_screen(self, name: str, target: str | None = None) -> None:
        """Push one of the main screens (``target``: a session / recording for practice, review)."""
        self.push_screen(self.build_screen(name, target))

    def build_screen(self, name: str, target: str | None = None) -> Screen[Any]:
        from assistant.applog import get_logger
        from tui.screens import factory

        screen = factory.build(self.ctx, name, target)
        get_logger("tui").info("screen opened: %s %s", name, target or "")
        return screen


def create_app(
    settings: Settings,
    *,
    screen: ScreenName = "home",
    target: str | None = None,
    clock: Callable[[], datetime] | None = None,
    engine: Any = None,
    store: Any = None,
    asr_factory: AsrFactory | None = None,
) -> HotlineApp:
    """Build the app. Tests inject ``engine``, ``store``, ``clock`` and ``asr_factory``;
    the CLI passes only settings (services are then built lazily in worker threads)."""
    ctx = AppContext(
        settings=settings,
        clock=clock or system_clock,
        engine=engine,
        store=store,
        asr_factory=asr_factory,
    )
    return HotlineApp(ctx, screen=screen, target=target)
