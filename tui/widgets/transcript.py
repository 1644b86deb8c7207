"""Transcript pane: finals per speaker, the current partial dimmed, smart auto-scroll."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from asr.events import TranscriptEvent
from assistant.labels import SPEAKER_LABELS
from tui.format import clock_text


class TranscriptView(VerticalScroll):
    """Shows final utterances; a partial is shown dimmed and replaced by its final.

    Auto-scroll follows new text only while the view is at the bottom: when the user
    scrolls back, it stays put and the border says that new text is waiting.
    """

    can_focus = True
    BORDER_TITLE = "通话转写"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.finals: list[TranscriptEvent] = []
        self.partials: dict[str, TranscriptEvent] = {}
        self._body = Static("", id="transcript-body", markup=False)
        self._unseen = 0
        # Follow new text until the *user* scrolls up; reaching the bottom again resumes.
        # (Deriving this from scroll_y alone breaks when events arrive faster than the
        # deferred scroll_end runs: the view would look "scrolled back" by itself.)
        self._pinned = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Left/right belong to the screen (practice: seek), not to horizontal scrolling.
        if action in ("scroll_left", "scroll_right"):
            return False
        return super().check_action(action, parameters)

    def compose(self) -> ComposeResult:
        yield self._body

    def clear(self) -> None:
        self.finals.clear()
        self.partials.clear()
        self._refresh()

    def add(self, event: TranscriptEvent) -> None:
        follow = self.following
        if event.final:
            self.partials.pop(event.speaker, None)
            if event.text.strip():
                self.finals.append(event)
        elif event.text.strip():
            self.partials[event.speaker] = event
        else:
            self.partials.pop(event.speaker, None)
        self._refresh()
        if follow:
            self._unseen = 0
            self.call_after_refresh(self.scroll_end, animate=False)
        elif event.final:
            self._unseen += 1
        self._update_subtitle()

    def set_events(self, events: list[TranscriptEvent]) -> None:
        """Replace everything (review timeline)."""
        self.finals = [e for e in events if e.final and e.text.strip()]
        self.partials = {}
        self._refresh()
        self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def following(self) -> bool:
        return self._pinned

    def on_resize(self, _event: events.Resize) -> None:
        # A banner appearing above shrinks the pane: keep the newest line in view.
        if self._pinned:
            self.call_after_refresh(self.scroll_end, animate=False)

    def _user_scrolled_back(self) -> None:
        if self.max_scroll_y > 0:
            self._pinned = False

    def action_scroll_up(self) -> None:
        self._user_scrolled_back()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._user_scrolled_back()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._user_scrolled_back()
        super().action_scroll_home()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._user_scrolled_back()
        super()._on_mouse_scroll_up(event)

    def _update_subtitle(self) -> None:
        self.border_subtitle = f"↓ {self._unseen} 条新内容 (End 跳到最新)" if self._unseen else ""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - 1:
            self._pinned = True
        if self._unseen and self.following:
            self._unseen = 0
            self._update_subtitle()

    def render_text(self) -> RenderableType:
        """A grid (time | speaker | text) so long lines wrap under their own column."""
        if not self.finals and not self.partials:
            return Text("等待通话内容…", style="dim")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(width=5, style="dim")
        grid.add_column(width=6)  # 来电人 / 话务员
        grid.add_column(ratio=1, overflow="fold")
        for ev in self.finals:
            grid.add_row(*self._cells(ev, partial=False))
        for ev in sorted(self.partials.values(), key=lambda e: e.start):
            grid.add_row(*self._cells(ev, partial=True))
        return grid

    @staticmethod
    def _cells(ev: TranscriptEvent, *, partial: bool) -> tuple[Text, Text, Text]:
        label = SPEAKER_LABELS.get(ev.speaker, ev.speaker)
        style = "bold #5fafff" if ev.speaker == "caller" else "bold #87d787"
        body = Text(ev.text + " …", style="dim italic") if partial else Text(ev.text)
        return Text(clock_text(ev.start)), Text(label, style=style), body

    def _refresh(self) -> None:
        self._body.update(self.render_text())
        # A second layout pass once this refresh is done: a burst of updates could leave the
        # body at the height of an earlier content (seen once in CI: the last lines clipped
        # until the next event arrived).
        self.call_after_refresh(self._body.refresh, layout=True)

    @property
    def rendered_rows(self) -> int:
        """Rows the transcript body occupies on screen (for tests)."""
        return self._body.region.height
