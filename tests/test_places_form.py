"""The ticket form marks an address whose heard district / street is no real place 待核实
(the value comes from the real extractor and the real gazetteer)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Label

from assistant.extract import extract_address
from tests.test_tui_ticket_form import _state
from tests.tui_fixtures import anyio_backend  # noqa: F401  (a fixture)
from tui.widgets.ticket_form import TicketForm

pytestmark = pytest.mark.anyio


class _App(App[None]):
    def compose(self) -> ComposeResult:
        yield TicketForm(id="form")


async def test_unverified_address_shows_to_be_checked() -> None:
    unknown = extract_address("钟楼区无统街道翠竹路")
    snapped = extract_address("天宁趋红美街道红梅心村二十一幢")
    assert unknown is not None and snapped is not None
    app = _App()
    async with app.run_test(size=(80, 20)) as pilot:
        form = app.query_one(TicketForm)
        tag = app.query_one("#tag-address", Label)
        base = _state("漏水")
        form.show_state(replace(base, fields={**base.fields, "address": unknown}))
        await pilot.pause()
        assert form.statuses["address"] == "unverified"
        assert "待核实" in str(tag.render())
        form.show_state(replace(base, fields={**base.fields, "address": snapped}))
        await pilot.pause()
        assert form.statuses["address"] == "suggested"
        assert "待核实" not in str(tag.render())
