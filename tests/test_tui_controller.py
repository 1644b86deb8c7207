"""CallController without Textual: the live-call workflow against a real SQLite store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.core.state import SessionState
from assistant.files.drafts import find_unfinished
from assistant.settings import load_settings
from assistant.store import TicketDraft, TicketStore
from tests.tui_fixtures import fixed_clock, lexical_engine, scripted_events
from tui.context import AppContext
from tui.controller import CallController, CallListener, CallSetup
from tui.feeds import StaticFeed

ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """A CallListener that keeps what it was told."""

    def __init__(self) -> None:
        self.states: list[SessionState] = []
        self.errors: list[tuple[str, BaseException]] = []
        self.restored: list[tuple[str, tuple[Any, ...]]] = []

    def listener(self) -> CallListener:
        return CallListener(
            on_state=self.states.append,
            on_error=lambda where, exc: self.errors.append((where, exc)),
            on_restored=lambda call_id, evs: self.restored.append((call_id, evs)),
        )


@pytest.fixture(scope="module")
def engine() -> Any:
    return lexical_engine()


@pytest.fixture()
def ctx(tmp_path: Path, engine: Any) -> Any:
    settings = load_settings(data_dir=tmp_path / "data", recordings_dir=tmp_path / "sessions")
    store = TicketStore.open(f"sqlite:///{tmp_path / 'tickets.db'}")
    yield AppContext(settings=settings, clock=fixed_clock, engine=engine, store=store)
    store.dispose()


def played_call(ctx: AppContext, rec: Recorder, setup: CallSetup | None = None) -> CallController:
    controller = CallController(ctx, StaticFeed(), rec.listener())
    controller.start(setup or CallSetup(title="测试来电"))
    for ev in scripted_events():
        controller.feed_event(ev)
    assert controller.wait_idle(30)
    return controller


def test_controller_module_does_not_import_textual() -> None:
    code = "import sys, tui.controller; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_submit_audits_suggestions_and_changes(ctx: Any) -> None:
    rec = Recorder()
    controller = played_call(ctx, rec)
    session = controller.session
    assert session is not None and rec.states and not rec.errors
    # journalled until the ticket is stored; saved as a session folder
    assert [d.call_id for d in find_unfinished(ctx.settings.drafts_dir)] == [session.call_id]
    assert controller.session_path is not None and Path(controller.session_path).is_dir()

    top = session.state.suggestions[0].leaf
    controller.edit("name", "张三")
    controller.choose_category(top.id)
    controller.confirm("phone")
    assert controller.wait_idle(30)
    state = rec.states[-1]
    ticket = controller.submit(state, TicketDraft.from_session_state(state))

    store = ctx.store
    assert (ticket.name, ticket.phone, ticket.category_id) == ("张三", "13812345678", top.id)
    audit = store.audit(ticket.id)
    trail = {(a.action, a.field) for a in audit}
    assert {("suggested", "name"), ("edited", "name"), ("confirmed", "phone")} <= trail
    during = {(a.action, a.field, a.new_value) for a in audit if a.at < ticket.created_at}
    assert ("edited", "name", "张三") in during
    assert ("confirmed", "category", top.id) in during
    [call] = store.calls(ticket.id)
    assert call.call_id == session.call_id and call.session_path == controller.session_path

    controller.finish()  # the journal is done, the saved session closed
    assert controller.wait_idle(30)
    assert find_unfinished(ctx.settings.drafts_dir) == []
    folder = Path(controller.session_path)
    assert json.loads((folder / "ticket.json").read_text("utf-8"))["name"] == "张三"
    assert json.loads((folder / "session.json").read_text("utf-8"))["ended_at"]
    controller.shutdown()
    assert not rec.errors


def test_repeat_call_is_found_and_merged(ctx: Any) -> None:
    first_rec = Recorder()
    first = played_call(ctx, first_rec)
    state = first_rec.states[-1]
    ticket = first.submit(state, TicketDraft.from_session_state(state))
    first.finish()
    first.shutdown()

    rec = Recorder()
    again = played_call(ctx, rec)
    found = again.look_up(rec.states[-1])
    assert found.history is not None and [t.id for t in found.history.last] == [ticket.id]
    assert found.counts == (1, 1)
    merged = again.merge_into(ticket.id, rec.states[-1])
    assert merged.number == ticket.number
    assert ("appended", "call") in {(a.action, a.field) for a in ctx.store.audit(ticket.id)}
    assert len(ctx.store.calls(ticket.id)) == 2
    assert len(ctx.store.list()) == 1
    again.shutdown()
    with pytest.raises(RuntimeError):
        again.merge_into(ticket.id, None)  # nothing analysed yet


def test_restore_continues_the_journalled_call(ctx: Any) -> None:
    rec = Recorder()
    crashed = played_call(ctx, rec)
    crashed.shutdown()  # as if the app died: the draft stays
    assert crashed.journal is not None
    crashed.journal.close()
    [info] = find_unfinished(ctx.settings.drafts_dir)

    rec2 = Recorder()
    restored = CallController(ctx, StaticFeed(), rec2.listener())
    restored.start(CallSetup(), restore_from=info)
    assert restored.wait_idle(30)
    [(call_id, events)] = rec2.restored
    assert call_id == info.call_id and len(events) == len(scripted_events()) // 2
    assert rec2.states and rec2.states[-1].fields["phone"].value == "13812345678"
    # the crashed run's saved session is kept beside the new one
    assert Path(f"{restored.session_path}.before-restore").is_dir()
    restored.shutdown()


def test_practice_run_is_saved_but_never_stored(ctx: Any) -> None:
    rec = Recorder()
    reference = {"name": "张三", "category_id": "01.01.01"}
    setup = CallSetup(mode="practice", source="practice", reference=reference)
    controller = played_call(ctx, rec, setup)
    assert controller.journal is None and find_unfinished(ctx.settings.drafts_dir) == []
    state = rec.states[-1]
    controller.save_practice_ticket(TicketDraft.from_session_state(state))
    controller.finish()
    assert controller.wait_idle(30)
    folder = Path(controller.session_path or "")
    assert json.loads((folder / "reference_ticket.json").read_text("utf-8")) == reference
    assert (folder / "ticket.json").is_file()
    assert ctx.store.list() == []
    controller.shutdown()
