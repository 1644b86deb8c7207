"""Suggestion pane: top categories with department, deadline and evidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.core.state import SessionState
from assistant.files.suggestions import CategoryRecord, SuggestionRecord
from assistant.labels import DEADLINE_LABELS
from knowledge.types import Suggestion
from tui.messages import CategoryChosen

MAX_SUGGESTIONS = 3


def evidence_text(s: Suggestion) -> str:
    ev = s.evidence
    parts: list[str] = []
    if ev.keywords:
        parts.append("关键词 " + "、".join(ev.keywords[:4]))
    if ev.fuzzy:
        parts.append("近音 " + "、".join(ev.fuzzy[:2]))
    if ev.matched:
        parts.append("词语 " + "、".join(ev.matched[:3]))
    if ev.semantic is not None:
        parts.append(f"语义 {ev.semantic:.2f}")
    return " · ".join(parts) or "—"


def suggestion_prompt(index: int, s: Suggestion, *, uncertain: bool) -> Text:
    leaf = s.leaf
    t = Text()
    t.append(f"{index}. ", style="bold")
    t.append(leaf.path[2], style="bold")
    t.append(f"  {leaf.path[0]} > {leaf.path[1]}", style="dim")
    if uncertain:
        t.append("  不确定", style="bold #ffaf00")
    t.append("\n   承办 ")
    t.append(leaf.department, style="#87afff")
    t.append(f" · 时限 {DEADLINE_LABELS.get(leaf.deadline, leaf.deadline)}")
    t.append(f" · 分 {s.score:.2f}", style="dim")
    t.append("\n   依据 " + evidence_text(s), style="dim")
    if s.evidence.nearest_example:
        t.append("\n   例：" + s.evidence.nearest_example[:30], style="dim italic")
    return t


def record_prompt(index: int, c: CategoryRecord, *, uncertain: bool) -> Text:
    """A category as recorded in a saved session (no evidence is recorded)."""
    parts = [p.strip() for p in c.path.split(">")]
    t = Text()
    t.append(f"{index}. ", style="bold")
    t.append(parts[-1] or c.id, style="bold")
    if len(parts) > 1:
        t.append("  " + " > ".join(parts[:-1]), style="dim")
    if uncertain:
        t.append("  不确定", style="bold #ffaf00")
    t.append("\n   承办 ")
    t.append(c.department or "—", style="#87afff")
    t.append(f" · 时限 {DEADLINE_LABELS.get(c.deadline, c.deadline)}")
    t.append(f" · 分 {c.score:.2f}", style="dim")
    return t


class SuggestionList(OptionList):
    """Up to three suggested catalogue leaves; Enter adopts the highlighted one."""

    BORDER_TITLE = "分类建议"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.suggestions: tuple[Suggestion, ...] = ()
        self._signature: tuple[object, ...] = ()

    def show_state(
        self,
        state: SessionState | None,
        *,
        engine_loading: bool = False,
        semantic_loading: bool = False,
    ) -> None:
        suggestions = state.suggestions[:MAX_SUGGESTIONS] if state else ()
        uncertain = bool(state and state.uncertain)
        semantic_ready = not semantic_loading
        sig = (
            tuple((s.leaf.id, round(s.score, 3)) for s in suggestions),
            uncertain,
            semantic_ready,
            engine_loading,
        )
        if sig == self._signature:
            return
        self._signature = sig
        self.suggestions = suggestions
        highlighted = self.highlighted
        self.clear_options()
        if engine_loading:
            self.border_subtitle = "知识库加载中…"
        elif not semantic_ready:
            self.border_subtitle = "关键词匹配可用 · 语义模型加载中…"
        elif uncertain and suggestions:
            self.border_subtitle = "不确定：请追问或 F2 查字典"
        else:
            self.border_subtitle = "Enter 采纳 · F3 采纳首选"
        if not suggestions:
            self.add_option(
                Option(Text("暂无建议 — 听取诉求或 F2 查字典", style="dim"), disabled=True)
            )
            return
        for i, s in enumerate(suggestions, start=1):
            self.add_option(Option(suggestion_prompt(i, s, uncertain=uncertain), id=s.leaf.id))
        if highlighted is not None and highlighted < len(suggestions):
            self.highlighted = highlighted

    def show_record(self, record: SuggestionRecord | None) -> None:
        """Show what a saved session recorded at one moment (review)."""
        cats = record.categories[:MAX_SUGGESTIONS] if record else ()
        uncertain = bool(record and record.uncertain)
        sig = ("record", tuple((c.id, c.score) for c in cats), uncertain, record is None)
        if sig == self._signature:
            return
        self._signature = sig
        self.suggestions = ()
        self.clear_options()
        self.border_subtitle = "录制时所见"
        if not cats:
            text = "此刻尚无建议" if record is not None else "此刻之前没有记录的建议"
            self.add_option(Option(Text(text, style="dim"), disabled=True))
            return
        for i, c in enumerate(cats, start=1):
            self.add_option(Option(record_prompt(i, c, uncertain=uncertain), id=c.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(CategoryChosen(event.option.id))
