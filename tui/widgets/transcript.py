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

    :meth:`highlight` scrolls to one final (the turn a verdict came from) and shows it in
    reverse until :meth:`clear_highlight` or the next final, which also gives back the
    following the view had before.
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
        self._highlight: int | None = None  # index into ``finals`` shown in reverse
        self._pinned_before = True  # following before the highlight took the view back

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
        self._highlight = None
        self._refresh()

    def add(self, event: TranscriptEvent) -> None:
        if event.final and event.text.strip():
            self.clear_highlight()  # a new final ends the look back
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
        self._highlight = None
        self._refresh()
        self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def following(self) -> bool:
        return self._pinned

    # ---- looking back at one turn -----------------------------------------------------------
    @property
    def highlighted(self) -> TranscriptEvent | None:
        """The final shown in reverse (None when none is)."""
        i = self._highlight
        return self.finals[i] if i is not None and i < len(self.finals) else None

    def highlight(self, event: TranscriptEvent) -> bool:
        """Scroll to ``event`` (a final on screen) and show it in reverse; False when it is
        not in the view."""
        index = next((i for i, e in enumerate(self.finals) if e == event), None)
        if index is None:
            return False
        if self._highlight is None:
            self._pinned_before = self._pinned
        self._highlight = index
        self._refresh()
        self.call_after_refresh(self._scroll_to_row, index)
        return True

    def clear_highlight(self) -> None:
        """End the look back: plain rows again, and follow new text if the view did before."""
        if self._highlight is None:
            return
        self._highlight = None
        self._refresh()
        if self._pinned_before:
            self._pinned = True
            self._unseen = 0
            self._update_subtitle()
            self.call_after_refresh(self.scroll_end, animate=False)

    def _scroll_to_row(self, index: int) -> None:
        offset = self._row_offset(index)
        if self.max_scroll_y > 0 and offset < self.max_scroll_y - 1:
            self._pinned = False  # looking back: new partials must not pull the view away
        self.scroll_to(y=max(0, offset - 1), animate=False)

    def _row_offset(self, index: int) -> int:
        """The line the ``index``-th final starts on in the body (rows wrap)."""
        if index <= 0:
            return 0
        width = self._body.content_region.width or self.content_region.width
        if width <= 0:
            return 0
        console = self.app.console
        lines = console.render_lines(
            self._grid(self.finals[:index], []), console.options.update_width(width), pad=False
        )
        return len(lines)

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
        partials = sorted(self.partials.values(), key=lambda e: e.start)
        return self._grid(self.finals, partials, highlight=self._highlight)

    def _grid(
        self,
        finals: list[TranscriptEvent],
        partials: list[TranscriptEvent],
        *,
        highlight: int | None = None,
    ) -> Table:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(width=5, style="dim")
        grid.add_column(width=6)  # 来电人 / 话务员
        grid.add_column(ratio=1, overflow="fold")
        for i, ev in enumerate(finals):
            grid.add_row(
                *self._cells(ev, partial=False), style="reverse" if i == highlight else None
            )
        for ev in partials:
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
