"""Ticket form: one row per field, prefilled from the session, every field editable.

Each row shows the field's status: 建议 (suggested by the assistant), 已确认 (confirmed
by the call-taker), 已修改 (typed by the call-taker) or 待填 (empty). The form never
overwrites what the user is typing: a value from the session replaces the input only
when the input still shows the previous value from the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from assistant.core.state import TICKET_FIELDS, SessionState
from assistant.labels import DEADLINE_LABELS, FIELD_LABELS, FIELD_STATUS_LABELS
from knowledge.types import Leaf
from tui.format import pad
from tui.messages import FieldEdited, OpenCategoryPicker

PLACEHOLDERS = {
    "name": "来电人姓名（可匿名）",
    "phone": "11位手机号或带区号座机",
    "address": "区/街道/小区/楼号",
    "incident_time": "如 今天上午9点",
    "summary": "一句话概括诉求",
}


class CategoryField(Static):
    """The category row's value: not typed but chosen (Enter opens the picker)."""

    can_focus = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "pick", "选分类", show=False)]

    def action_pick(self) -> None:
        self.post_message(OpenCategoryPicker())


class TicketForm(Vertical):
    BORDER_TITLE = "工单"

    # Typed text reaches the session (and so the crash journal) this long after the last key,
    # not only on Enter / leaving the field.
    EDIT_SETTLE_S: ClassVar[float] = 0.8

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._settle: dict[str, Timer] = {}
        self._shown: dict[str, str] = dict.fromkeys(TICKET_FIELDS, "")
        self.statuses: dict[str, str] = dict.fromkeys(TICKET_FIELDS, "empty")
        self.category_leaf: Leaf | None = None
        self.read_only = False

    def compose(self) -> ComposeResult:
        for name in TICKET_FIELDS:
            with Horizontal(classes="field-row", id=f"row-{name}"):
                yield Label(pad(FIELD_LABELS[name], 8), classes="field-label")
                if name == "category":
                    yield CategoryField(
                        Text("未选择 — Enter 或 F2 选分类", style="dim"),
                        id="f-category",
                        classes="field-input",
                    )
                else:
                    yield Input(
                        placeholder=PLACEHOLDERS.get(name, ""),
                        id=f"f-{name}",
                        classes="field-input",
                        compact=True,
                        select_on_focus=False,
                    )
                yield Label(
                    FIELD_STATUS_LABELS["empty"], id=f"tag-{name}", classes="field-tag -empty"
                )
            yield Static("", id=f"err-{name}", classes="field-error")

    # ---- data down -----------------------------------------------------------------------
    def show_state(self, state: SessionState | None, leaf: Leaf | None = None) -> None:
        if state is None:
            return
        for name in TICKET_FIELDS:
            fv = state.fields.get(name)
            value = fv.value if fv else ""
            status: str = fv.status if fv and fv.value else "empty"
            if name == "category":
                self._show_category(leaf, value)
            else:
                inp = self.query_one(f"#f-{name}", Input)
                if inp.value == self._shown[name] and inp.value != value:
                    inp.value = value
                    # Focused: keep typing at the end. Otherwise show the start of a long value
                    # (also pins the horizontal scroll, which would otherwise depend on whether
                    # layout had run before the update).
                    inp.cursor_position = len(value) if inp.has_focus else 0
                self._shown[name] = value
                if inp.value != value:
                    status = "edited"  # typed, not yet sent
            if status == "suggested" and fv is not None and fv.extra.get("verified") == "false":
                status = "unverified"  # a heard place the gazetteer does not know: 待核实
            self._set_tag(name, status)

    def _show_category(self, leaf: Leaf | None, value: str) -> None:
        self.category_leaf = leaf
        widget = self.query_one("#f-category", CategoryField)
        self._shown["category"] = value
        if leaf is not None:
            t = Text(leaf.path_text)
            t.append(
                f"  [{leaf.department}·{DEADLINE_LABELS.get(leaf.deadline, leaf.deadline)}]",
                style="dim",
            )
            widget.update(t)
        elif value:
            widget.update(Text(value))
        else:
            widget.update(Text("未选择 — Enter 或 F2 选分类", style="dim"))

    def _set_tag(self, name: str, status: str) -> None:
        self.statuses[name] = status
        tag = self.query_one(f"#tag-{name}", Label)
        tag.update(FIELD_STATUS_LABELS.get(status, "待核实" if status == "unverified" else status))
        for cls in ("-suggested", "-confirmed", "-edited", "-empty"):
            tag.remove_class(cls)
        tag.add_class(f"-{status}" if status != "unverified" else "-suggested")

    def show_errors(self, errors: Iterable[tuple[str, str]]) -> None:
        by_field: dict[str, list[str]] = {}
        for fld, msg in errors:
            by_field.setdefault(fld if fld in TICKET_FIELDS else "summary", []).append(msg)
        for name in TICKET_FIELDS:
            err = self.query_one(f"#err-{name}", Static)
            msgs = by_field.get(name)
            err.update("  ⚠ " + "；".join(msgs) if msgs else "")
            err.display = bool(msgs)
            self.query_one(f"#row-{name}").set_class(bool(msgs), "-invalid")

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for inp in self.query(Input):
            inp.disabled = read_only
        self.query_one("#f-category", CategoryField).disabled = read_only

    # ---- user edits up -----------------------------------------------------------------
    def pending_edits(self) -> dict[str, str]:
        """Values typed in the form that the session has not seen yet."""
        edits: dict[str, str] = {}
        for name in TICKET_FIELDS:
            if name == "category":
                continue
            inp = self.query_one(f"#f-{name}", Input)
            if inp.value != self._shown[name]:
                edits[name] = inp.value.strip()
        return edits

    def mark_sent(self, name: str, value: str) -> None:
        """The edit was handed to the session: it is the new baseline."""
        self._shown[name] = value
        inp = self.query_one(f"#f-{name}", Input)
        if inp.value.strip() == value and inp.value != value:
            inp.value = value

    def focused_field(self) -> str | None:
        focused = self.screen.focused
        if focused is None or not focused.id or not focused.id.startswith("f-"):
            return None
        name = focused.id[2:]
        return name if name in TICKET_FIELDS else None

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in TICKET_FIELDS:
            if name == "category":
                out[name] = (
                    self.category_leaf.path_text if self.category_leaf else self._shown[name]
                )
            else:
                out[name] = self.query_one(f"#f-{name}", Input).value.strip()
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._send(event.input)
        event.stop()
        self.screen.focus_next()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self._send(event.input)

    def on_input_changed(self, event: Input.Changed) -> None:
        inp = event.input
        if not inp.id or not inp.has_focus or self.read_only:
            return  # a value shown by the session, not typed
        name = inp.id
        if (timer := self._settle.pop(name, None)) is not None:
            timer.stop()
        self._settle[name] = self.set_timer(self.EDIT_SETTLE_S, lambda: self._send(inp))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Editing usually means adding to the end of what the assistant prefilled.
        if isinstance(event.widget, Input):
            event.widget.cursor_position = len(event.widget.value)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # At rest a long value shows its beginning, which is what the call-taker reads.
        if isinstance(event.widget, Input):
            event.widget.cursor_position = 0

    def _send(self, inp: Input) -> None:
        if not inp.id:
            return
        name = inp.id[2:]
        value = inp.value.strip()
        if value != self._shown.get(name):
            self._shown[name] = value  # the session will get it; it is the new baseline
            self.post_message(FieldEdited(name, value))
