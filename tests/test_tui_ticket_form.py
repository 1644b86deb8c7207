"""The ticket form widget through a real Textual app: what a prefilled field shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from assistant.core.state import FieldValue, SessionState
from tests.tui_fixtures import anyio_backend  # noqa: F401  (a fixture)
from tui.messages import FieldEdited
from tui.widgets.ticket_form import TicketForm

pytestmark = pytest.mark.anyio

LONG = "来电人反映：其家楼下天天有人摆摊占道经营，人行道都走不了了，晚上还很吵。"


def _state(summary: str, name: str = "张") -> SessionState:
    fields = {
        "name": FieldValue("name", name),
        "summary": FieldValue("summary", summary),
    }
    return SessionState(
        call_id="t",
        started_at=datetime(2026, 3, 7, 9, 30, tzinfo=UTC),
        transcript=(),
        partials={},
        fields=fields,
        suggestions=(),
        uncertain=True,
        verdict="accept",
        channel=None,
        reason=None,
        guidance=None,
        urgency="normal",
        due=None,
        emotion="calm",
        empathy_script=None,
        next_question=None,
        summary=summary,
        alerts=(),
    )


class FormApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.edits: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Input(id="elsewhere")
        yield TicketForm(id="form")

    def on_field_edited(self, message: FieldEdited) -> None:
        self.edits.append((message.name, message.value))


async def test_prefilled_long_value_shows_its_start_until_edited() -> None:
    app = FormApp()
    async with app.run_test(size=(60, 20)) as pilot:
        form = app.query_one(TicketForm)
        summary = app.query_one("#f-summary", Input)
        # Two updates after layout: the second is where the old code scrolled to the tail.
        form.show_state(_state(LONG[:20]))
        await pilot.pause()
        form.show_state(_state(LONG))
        await pilot.pause()
        assert summary.max_scroll_x > 0, "the test needs a value wider than the field"
        assert summary.scroll_x == 0 and summary.cursor_position == 0

        # Focusing the field puts the cursor at the end, ready to add to the text.
        summary.focus()
        await pilot.pause()
        assert summary.cursor_position == len(LONG)
        assert summary.scroll_x > 0

        # Leaving it shows the beginning again.
        app.query_one("#elsewhere", Input).focus()
        await pilot.pause()
        assert summary.cursor_position == 0 and summary.scroll_x == 0


async def test_session_update_never_overwrites_what_the_user_typed() -> None:
    app = FormApp()
    async with app.run_test(size=(60, 20)) as pilot:
        form = app.query_one(TicketForm)
        name: Any = app.query_one("#f-name", Input)
        form.show_state(_state("摆摊", name="张"))
        name.focus()
        await pilot.press("backspace", "李")
        form.show_state(_state("摆摊占道", name="王"))
        await pilot.pause()
        assert name.value == "李"
        assert form.statuses["name"] == "edited"
        assert form.pending_edits() == {"name": "李"}


async def test_typed_text_reaches_the_session_while_the_field_keeps_focus() -> None:
    """So that a crash mid-typing loses at most the last fraction of a second."""
    app = FormApp()
    async with app.run_test(size=(60, 20)) as pilot:
        summary = app.query_one("#f-summary", Input)
        summary.focus()
        await pilot.press(*"路灯坏了")
        await pilot.pause(0.2)
        assert app.edits == []  # still typing
        await pilot.pause(TicketForm.EDIT_SETTLE_S + 0.3)
        assert app.edits == [("summary", "路灯坏了")]
        assert summary.has_focus
        # a value the session shows (not typed) is not sent back
        app.query_one(TicketForm).show_state(_state("摆摊", name="王"))
        await pilot.pause(TicketForm.EDIT_SETTLE_S + 0.3)
        assert app.edits == [("summary", "路灯坏了")]
