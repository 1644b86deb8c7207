"""Status bar: recognition state + engine, elapsed call time, due time, model loading."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    recognition: reactive[str] = reactive("未开始")
    engine: reactive[str] = reactive("")
    elapsed: reactive[str] = reactive("00:00")
    due: reactive[str] = reactive("时限 —")
    knowledge: reactive[str] = reactive("")
    note: reactive[str] = reactive("")
    recording: reactive[bool] = reactive(False)  # the call's audio is being saved

    def render(self) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" ● ", style="bold #87d787" if "识别中" in self.recognition else "bold #ffaf00")
        t.append(self.recognition)
        if self.engine:
            t.append(f" · {self.engine}", style="dim")
        if self.recording:
            t.append("  ● 录音保存中", style="bold #ff5f5f")
        t.append("  │ 通话 ")
        t.append(self.elapsed, style="bold")
        t.append("  │ " + self.due)
        if self.knowledge:
            t.append("  │ ")
            t.append(self.knowledge, style="#ffaf00" if "加载" in self.knowledge else "dim")
        if self.note:
            t.append("  │ ")
            t.append(self.note, style="bold #ffaf00")
        return t
