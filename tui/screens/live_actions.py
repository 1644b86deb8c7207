"""What the call-taker does on the live screen: choose the category (F2/F3), confirm fields
(F4/F6), submit (Ctrl+S), merge into an earlier ticket (F8); and the duplicate look-ups.

:class:`CallActions` is the base of :class:`~tui.screens.live.LiveScreen`, which lays out and
renders the call. Everything that blocks (the store, waiting for the session thread) runs
in thread workers through the screen's :class:`~tui.controller.CallController`; the results
come back as messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen
from textual.widgets import Static

from assistant.core.state import TICKET_FIELDS, SessionState
from assistant.labels import FIELD_LABELS
from assistant.store import TicketDraft
from knowledge.types import Leaf
from tui.format import TicketBrief, form_readback, form_values, match_briefs, ticket_briefs
from tui.messages import (
    CategoryChosen,
    DuplicatesFound,
    FieldEdited,
    OpenCategoryPicker,
    TicketSubmitted,
    WorkerFailed,
)
from tui.screens.modals import CategoryPicker, ChooseTicket, ConfirmSubmit
from tui.widgets.notice import lookup_notice, submitted_notice, ticket_choice
from tui.widgets.ticket_form import TicketForm

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from tui.context import AppContext
    from tui.controller import CallController


def draft_problems(draft: TicketDraft) -> list[tuple[str, str]]:
    """(field, message) of every problem that keeps the draft from being submitted."""
    return [(p.field, p.message) for p in draft.validate()]


class CallActions(Screen[None]):
    """The call-taker's actions and the store look-ups of a call screen (the key bindings
    are LiveScreen's)."""

    mode = "live"
    # set by LiveScreen.__init__
    ctx: AppContext
    controller: CallController
    state: SessionState | None
    leaf: Leaf | None
    duplicates: list[TicketBrief]
    history: list[TicketBrief]
    caller_counts: tuple[int, int]
    submitted_number: str | None
    submit_attempted: bool
    _dup_key: tuple[str, ...]

    def _render_state(self) -> None:
        """Show ``self.state`` everywhere (LiveScreen)."""
        raise NotImplementedError

    @property
    def form(self) -> TicketForm:
        return self.query_one(TicketForm)

    @property
    def catalogue(self) -> Catalogue | None:
        engine = self.ctx.engine
        return engine.catalogue if engine is not None else None

    # ---- fields and category -------------------------------------------------------------
    @on(FieldEdited)
    def _field_edited(self, message: FieldEdited) -> None:
        self.controller.edit(message.name, message.value)

    @on(CategoryChosen)
    def _category_chosen(self, message: CategoryChosen) -> None:
        self._choose_category(message.leaf_id)

    def _choose_category(self, leaf_id: str) -> None:
        if self.submitted_number is not None:
            return
        self.controller.choose_category(leaf_id)
        catalogue = self.catalogue
        leaf = catalogue.get(leaf_id) if catalogue is not None and leaf_id else None
        if leaf is not None:
            self.notify(f"分类：{leaf.path_text}", timeout=3)

    @on(OpenCategoryPicker)
    def _open_picker(self, _message: OpenCategoryPicker) -> None:
        self.action_pick_category()

    def action_pick_category(self) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            self.notify("知识库加载中，请稍候", severity="warning")
            return
        suggestions = self.state.suggestions if self.state else ()

        def picked(leaf_id: str | None) -> None:
            if leaf_id:
                self._choose_category(leaf_id)

        self.app.push_screen(CategoryPicker(catalogue, suggestions), picked)

    def action_adopt_top(self) -> None:
        if self.state is None or not self.state.suggestions:
            self.notify("暂无分类建议，可按 F2 查字典", severity="warning")
            return
        self._choose_category(self.state.suggestions[0].leaf.id)

    def action_confirm_field(self) -> None:
        name = self.form.focused_field()
        if name is None:
            self.notify("先把光标移到要确认的字段（Tab）", severity="warning")
            return
        self._confirm([name])

    def action_confirm_all(self) -> None:
        if self.state is None:
            return
        names = [
            n
            for n in TICKET_FIELDS
            if (fv := self.state.fields.get(n)) is not None
            and fv.value
            and fv.status == "suggested"
        ]
        if not names:
            self.notify("没有待确认的建议字段")
            return
        self._confirm(names)
        self.notify("已确认：" + "、".join(FIELD_LABELS[n] for n in names), timeout=3)

    def _confirm(self, names: list[str]) -> None:
        self._flush_edits()
        for name in names:
            self.controller.confirm(name)

    def _flush_edits(self) -> None:
        for name, value in self.form.pending_edits().items():
            self.form.mark_sent(name, value)
            self.controller.edit(name, value)

    # ---- duplicates ---------------------------------------------------------------------------
    def _maybe_check_duplicates(self) -> None:
        if self.state is None:
            return
        values = form_values(self.state, self.leaf)
        key = (values["phone"], values["address"], values["category"])
        if key == self._dup_key or not (values["phone"] or values["address"]):
            return
        self._dup_key = key
        self._check_duplicates(self.state, key)

    @work(thread=True, exclusive=True, group="duplicates")
    def _check_duplicates(self, state: SessionState, key: tuple[str, ...] | None = None) -> None:
        try:
            found = self.controller.look_up(state)
            dups = match_briefs(found.duplicates)
            history = ticket_briefs(found.history.last) if found.history is not None else []
        except Exception as exc:
            self.post_message(WorkerFailed("查重", exc))
            return
        self.post_message(DuplicatesFound(dups, history, key, found.counts))

    def on_duplicates_found(self, message: DuplicatesFound) -> None:
        if message.key is not None and message.key != self._dup_key:
            return  # a slower look-up for values the call has since moved past
        self.duplicates = message.duplicates
        self.history = [h for h in message.history if h.key not in {d.key for d in self.duplicates}]
        self.caller_counts = message.counts
        self._show_notice()

    def _show_notice(self) -> None:
        """Possible duplicate, the number's earlier tickets, or the caller saying so."""
        notice = self.query_one("#notice", Static)
        if self.submitted_number is not None:
            return  # the notice now says the ticket was submitted
        said = self.state is not None and any(a.kind == "repeat_caller" for a in self.state.alerts)
        text = lookup_notice(self.duplicates, self.history, self.caller_counts, said)
        if text is None:
            notice.display = False
            return
        notice.update(text)
        notice.display = True

    # ---- submit ------------------------------------------------------------------------------
    async def action_submit(self) -> None:
        if self.submitted_number is not None:
            self.notify(f"本次来电已登记为工单 {self.submitted_number}")
            return
        if self.controller.session is None:
            self.notify("知识库加载中，请稍候再提交", severity="warning")
            return
        self._flush_edits()
        state = await self.controller.barrier()
        if state is None:
            return
        self.state = state
        self.submit_attempted = True
        self._render_state()
        draft = TicketDraft.from_session_state(state)
        errors = draft_problems(draft)
        if errors:
            self.form.show_errors(errors)
            first = errors[0][0]
            self.notify(
                "请先修正：" + "；".join(m for _, m in errors[:3]), severity="error", timeout=6
            )
            target = self.form.query(f"#f-{first}")
            if target:
                target.first().focus()
            return
        values = form_values(state, self.leaf)
        warnings = [
            f"疑似重复：工单 {d.number}（{d.category or d.address}），可 Esc 后按 F8 并入"
            for d in self.duplicates[:2]
        ]

        def answered(ok: bool | None) -> None:
            if ok:
                self._submit(state, draft)

        self.app.push_screen(
            ConfirmSubmit(values, form_readback(self.ctx.engine, state, values), warnings),
            answered,
        )

    @work(thread=True, exclusive=True, group="submit")
    def _submit(self, state: SessionState, draft: TicketDraft) -> None:
        try:
            ticket = self.controller.submit(state, draft)
        except Exception as exc:
            self.post_message(WorkerFailed("提交工单", exc))
            return
        self.post_message(TicketSubmitted(str(ticket.number), ticket))

    def on_ticket_submitted(self, message: TicketSubmitted) -> None:
        from assistant.applog import get_logger

        get_logger("live").info(
            "ticket %s %s (%s)", message.number, "merged" if message.merged else "stored", self.mode
        )
        self.submitted_number = message.number
        verb = "已并入" if message.merged else "已提交"
        self.notify(f"工单 {message.number} {verb}", title="完成", timeout=6)
        notice = self.query_one("#notice", Static)
        notice.update(submitted_notice(message.number, verb))
        notice.display = True
        self.form.set_read_only(True)
        self._render_state()
        self.controller.finish()
        self.after_submit(message)

    def after_submit(self, message: TicketSubmitted) -> None:
        """Hook for subclasses (practice scores the ticket)."""

    # ---- merge into an earlier ticket ---------------------------------------------------------
    def action_merge(self) -> None:
        if self.submitted_number is not None:
            self.notify("本次来电已登记")
            return
        candidates = self.duplicates + self.history
        if not candidates:
            self.notify("没有发现可并入的已有工单", severity="warning")
            return
        rows = [(c.key, ticket_choice(c)) for c in candidates]

        def chosen(key: str | None) -> None:
            if key:
                target = next(c for c in candidates if c.key == key)
                self._merge_into(target)

        self.app.push_screen(ChooseTicket("并入已有工单（本次来电记为追加来电）", rows), chosen)

    @work(thread=True, exclusive=True, group="submit")
    def _merge_into(self, target: TicketBrief) -> None:
        self.controller.wait_idle(5)
        try:
            ticket = self.controller.merge_into(target.ticket.id, self.state)
        except Exception as exc:
            self.post_message(WorkerFailed("并入工单", exc))
            return
        self.post_message(TicketSubmitted(str(ticket.number), ticket, merged=True))
