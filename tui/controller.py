"""CallController: the live-call workflow, without the UI.

One controller per call screen. It owns

* the :class:`~tui.runner.SessionRunner` (every :class:`~assistant.core.session.CallSession`
  change runs on one background thread, in order),
* the crash journal (:class:`~assistant.files.drafts.DraftJournal`, live calls only) and the
  restore of an unfinished call from its draft,
* the saved session folder (:class:`~assistant.files.session_writer.SessionWriter`, and the live
  audio through the feed's audio tap),
* the ticket store side: duplicate and caller-history look-ups, submit, merge into an
  earlier ticket, with the audit of what the assistant proposed and of the call-taker's
  edits and confirmations during the call.

It reports through :class:`CallListener` callbacks, called from worker threads (the screen
turns them into Textual messages). The methods marked *blocking* wait on the store or the
session thread: call them from a worker thread, never the UI thread. Nothing here imports
textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from assistant.core.session import CallSession
from assistant.core.state import SessionState

# Imported here, at start-up on the UI thread (about 0.2 s), so that no UI-thread call
# ever waits on the import lock of a module a worker thread is still importing.
from assistant.files.drafts import DraftInfo, DraftJournal, restore
from assistant.store import (
    CallerHistory,
    CallInfo,
    DuplicateMatch,
    Ticket,
    TicketDraft,
    suggestions_from_state,
)
from tui.context import AppContext
from tui.feeds import EventFeed
from tui.overrides import VerdictOverride, audit_overrides, replay_overrides, state_verdict
from tui.runner import SessionRunner

if TYPE_CHECKING:
    from asr.events import TranscriptEvent
    from assistant.files.session_writer import SessionWriter

__all__ = ["CallController", "CallListener", "CallLookup", "CallSetup"]

Mode = Literal["live", "practice"]


def _ignore(*_args: object) -> None:
    return None


@dataclass(frozen=True, slots=True)
class CallSetup:
    """What kind of call this is: a live call, or a practice run over a recording."""

    mode: Mode = "live"
    title: str = ""
    record_session: bool = True  # saved as a session folder (live calls always are)
    # SessionWriter header of the saved session
    source: Literal["live", "practice"] = "live"
    audio: str | None = None
    duration: float | None = None
    metadata: Mapping[str, Any] | None = None
    reference: Mapping[str, Any] | None = None  # practice: the recording's reference ticket

    @property
    def journalled(self) -> bool:
        """Live calls are journalled (crash safety) until the ticket is stored."""
        return self.mode == "live"


@dataclass(slots=True)
class CallListener:
    """What the controller reports; each is called from a worker thread."""

    on_state: Callable[[SessionState], object] = _ignore
    on_error: Callable[[str, BaseException], object] = _ignore  # (where, error)
    # a draft was restored: its call id and transcript so far (empty when it failed)
    on_restored: Callable[[str, tuple[TranscriptEvent, ...]], object] = _ignore


@dataclass(frozen=True, slots=True)
class CallLookup:
    """Possible duplicates of the ticket being filled, and the caller's earlier tickets."""

    duplicates: list[DuplicateMatch] = field(default_factory=list)
    history: CallerHistory | None = None

    @property
    def counts(self) -> tuple[int, int]:
        """Earlier tickets with this phone number: (all, still open)."""
        h = self.history
        return (int(h.count), int(h.open_count)) if h is not None else (0, 0)


class CallController:
    """The workflow of one call, from the first words to the stored ticket."""

    def __init__(self, ctx: AppContext, feed: EventFeed, listener: CallListener) -> None:
        self.ctx = ctx
        self.feed = feed
        self.listener = listener
        self.setup = CallSetup()
        self.runner: SessionRunner | None = None
        self.restore_from: DraftInfo | None = None
        self.journal: DraftJournal | None = None
        self.writer: SessionWriter | None = None
        self.session_path: str | None = None
        # the call-taker's verdict overrides of this run (session thread), with the verdict
        # each replaced: the audit trail says what was overridden
        self.overrides: list[VerdictOverride] = []

    # ---- the session thread ------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self.runner is not None

    @property
    def session(self) -> CallSession | None:
        return self.runner.session if self.runner is not None else None

    def start(self, setup: CallSetup, restore_from: DraftInfo | None = None) -> None:
        """Start the session thread: it waits for the knowledge engine, then builds the
        session (or restores ``restore_from``)."""
        if self.runner is not None:
            return
        self.setup = setup
        self.restore_from = restore_from
        self.runner = SessionRunner(
            self._make_session,
            on_state=self.listener.on_state,
            on_error=lambda exc: self.listener.on_error("分析", exc),
        )
        self.runner.start()
        if restore_from is not None:
            self.run(lambda s: s.state)  # show the restored state at once

    def run(self, job: Callable[[CallSession], Any]) -> None:
        """Queue ``job(session)`` on the session thread; its new state goes to ``on_state``."""
        if self.runner is not None:
            self.runner.submit(job)

    def feed_event(self, ev: TranscriptEvent) -> None:
        """Feed one recognition event; the saved session records it and, after a final,
        what the assistant then shows."""

        def job(s: CallSession) -> SessionState:
            writer = self.writer
            if writer is not None:
                writer.write_event(ev)
            state = s.feed(ev)
            if writer is not None and ev.final:
                writer.record_state(state, ev.end)
            return state

        self.run(job)

    def edit(self, name: str, value: str) -> None:
        self.run(lambda s: s.set_field(name, value, "edited"))

    def confirm(self, name: str) -> None:
        self.run(lambda s: s.confirm_field(name))

    def choose_category(self, leaf_id: str) -> None:
        self.run(lambda s: s.choose_category(leaf_id))

    def set_verdict(
        self, verdict: str, channel: str | None = None, reason: str | None = None
    ) -> None:
        """The call-taker overrides the call's verdict (改判): recorded by the session (journal,
        replay) and, with the verdict it replaced, in the submitted ticket's audit trail."""

        def job(s: CallSession) -> SessionState:
            before = state_verdict(s.state)
            state = s.set_verdict(verdict, channel, reason)
            op = s.ops[-1] if s.ops else {}
            at = op.get("at")
            self.overrides.append(
                VerdictOverride(
                    at if isinstance(at, int | float) else None,
                    before,
                    (state.verdict, state.channel, state.reason),
                )
            )
            return state

        self.run(job)

    def verdict_overrides(self) -> list[VerdictOverride]:
        """Every override of the call so far (blocking: a restored call replays its ops)."""
        session = self.session
        if session is None:
            return []
        n = sum(1 for op in session.ops if op.get("op") == "set_verdict")
        if n == len(self.overrides):
            return list(self.overrides)
        try:  # overrides made before a crash: replay to know what each replaced
            return replay_overrides(session)
        except Exception as exc:
            self.listener.on_error("改判记录", exc)
            return list(self.overrides)

    def refresh(self) -> None:
        """Re-run the analysis (the embedding model finished loading)."""
        self.run(lambda s: s.refresh())

    def barrier(self) -> asyncio.Future[SessionState | None]:
        """A future of the session state once every queued change ran (UI event loop)."""
        if self.runner is None:
            raise RuntimeError("the call has not started")
        return self.runner.barrier()

    def _make_session(self) -> CallSession:
        """Session thread: wait for the knowledge engine, then build or restore the session."""
        engine = self.ctx.wait_engine()
        info = self.restore_from
        if engine is None:
            if info is not None:  # still show the words (and start the feed)
                self.listener.on_restored(info.call_id, ())
            raise RuntimeError(self.ctx.engine_error or "知识库未能加载")
        session: CallSession | None = None
        if info is not None:
            restored: tuple[TranscriptEvent, ...] = ()
            try:
                # the journal keeps appending to the same draft file
                session, self.journal = restore(info, engine, clock=self.ctx.clock, resume=True)
                restored = tuple(session.state.transcript)
            except Exception as exc:  # the draft stays on disk; the call goes on as a new one
                self.listener.on_error("恢复通话记录", exc)
                session = None
            self.listener.on_restored(info.call_id, restored)
        if session is None:
            session = CallSession(engine, clock=self.ctx.clock)
            if self.setup.journalled:
                # crash safety: every change is journalled until the ticket is stored
                self.journal = DraftJournal(self.ctx.settings.drafts_dir, session.call_id)
                self.journal.attach(session)
        if self.setup.record_session:
            self._open_writer(session)
        return session

    # ---- the saved session ---------------------------------------------------------------
    def _open_writer(self, session: CallSession) -> None:
        """Record the call as a saved session (``<recordings>/<call_id>/``)."""
        setup = self.setup
        tap = getattr(self.feed, "audio_tap", None)
        try:
            from assistant.files.session_writer import SessionWriter

            folder = self.ctx.sessions_dir / session.call_id
            if folder.exists():  # a restored call: keep what the crashed run saved, intact
                kept = folder.with_name(f"{folder.name}.before-restore")
                n = 1
                while kept.exists():
                    n += 1
                    kept = folder.with_name(f"{folder.name}.before-restore-{n}")
                folder.rename(kept)
            writer = SessionWriter(
                folder,
                call_id=session.call_id,
                started_at=session.started_at,
                title=setup.title,
                seat_id=self.ctx.settings.seat_id,
                engine=self.feed.engine_name or "",
                source=setup.source,
                audio=setup.audio,
                duration=setup.duration,
                metadata=setup.metadata,
            )
            for ev in session.state.transcript:  # a restored call: what was said before
                writer.write_event(ev)
            if setup.reference is not None:
                writer.write_reference(setup.reference)
        except Exception as exc:  # the call goes on; the draft journal still protects it
            if tap is not None:
                tap.detach()  # nowhere to save the audio: stop keeping it in memory
            self.listener.on_error("保存通话记录", exc)
            return
        self.writer = writer
        self.session_path = str(writer.folder)
        if tap is not None:  # live recognition: the call's audio goes into the session too
            tap.on_error = lambda exc: self.listener.on_error("保存通话录音", exc)
            tap.attach(writer.open_audio)

    def close_writer(self) -> None:
        """Finish the saved session (idempotent; any thread)."""
        writer = self.writer
        if writer is None:
            return
        tap = getattr(self.feed, "audio_tap", None)
        if tap is not None:
            tap.detach()
        try:
            writer.close(self.ctx.clock())
        except Exception as exc:
            self.listener.on_error("保存通话记录", exc)

    def save_practice_ticket(self, draft: TicketDraft) -> None:
        """Practice: the trainee's ticket goes into the saved session (never the store)."""

        def job(_s: CallSession) -> None:
            if self.writer is None:
                return
            try:
                self.writer.write_ticket(draft)
            except Exception as exc:
                self.listener.on_error("保存练习记录", exc)

        self.run(job)

    def finish(self) -> None:
        """The ticket is stored: the draft journal is done, the saved session closed (both
        after the changes still queued)."""
        if self.journal is not None:
            journal = self.journal
            self.run(lambda _s: journal.complete())
        self.run(lambda _s: self.close_writer())

    def shutdown(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        self.close_writer()

    # ---- the ticket store (blocking: worker threads) -------------------------------------------
    def look_up(self, state: SessionState) -> CallLookup:
        """Possible duplicates of the draft and the caller's history (blocking)."""
        store = self.ctx.get_store()
        draft = TicketDraft.from_session_state(state)
        dups = store.find_duplicates(draft, window_days=self.ctx.settings.duplicate_window_days)
        phone = state.fields.get("phone")
        history = store.caller_history(phone.value) if phone and phone.value else None
        return CallLookup(list(dups), history)

    def call_record(self, state: SessionState) -> CallInfo:
        """What the store keeps about this call: call id, times, final transcript, where it
        was saved, and the call-taker's changes with their moments."""
        session = self.session
        ops = list(session.ops) if session is not None else []
        return CallInfo.from_session_state(
            state, ended_at=self.ctx.clock(), session_path=self.session_path, ops=ops
        )

    def submit(self, state: SessionState, draft: TicketDraft) -> Ticket:
        """Store the ticket, with the assistant's proposals and the call-taker's changes in
        its audit trail, and keep a copy in the saved session (blocking)."""
        suggestions, call = audit_overrides(
            suggestions_from_state(state), self.call_record(state), self.verdict_overrides()
        )
        ticket = self.ctx.get_store().submit(
            draft, suggestions=suggestions, call=call, seat=self.ctx.settings.seat_id
        )
        if self.writer is not None:
            try:
                self.writer.write_ticket(draft)
            except Exception as exc:  # the ticket is stored; only the session copy failed
                self.listener.on_error("保存通话记录", exc)
        return ticket

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every queued change ran (blocking)."""
        return self.runner.wait_idle(timeout) if self.runner is not None else True

    def merge_into(self, ticket_id: int, state: SessionState | None) -> Ticket:
        """Link this call (``state``: its latest analysis) to an earlier ticket, a repeat
        call; returns the ticket it was linked to (blocking)."""
        store = self.ctx.get_store()
        if state is None:
            raise RuntimeError("通话内容尚未分析，无法并入")
        return store.append_call(ticket_id, self.call_record(state), seat=self.ctx.settings.seat_id)
