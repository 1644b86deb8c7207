"""The live screen's notice line (``#notice``): a possible duplicate, the number's earlier
tickets or the caller saying so; after submit, the ticket number."""

from __future__ import annotations

from rich.text import Text

from tui.format import TicketBrief


def lookup_notice(
    duplicates: list[TicketBrief],
    history: list[TicketBrief],
    counts: tuple[int, int],
    said: bool,
) -> Text | None:
    """Possible duplicate, the number's earlier tickets (``counts``: all, still open), or
    the caller saying so (``said``); None when there is nothing to say."""
    total, still_open = counts
    if not duplicates and not total and not said:
        return None
    t = Text()
    if duplicates:
        d = duplicates[0]
        t.append(" 疑似重复 ", style="bold reverse")
        t.append(f" 工单 {d.number}（{d.created} · {d.category or d.address}）")
        if len(duplicates) > 1:
            t.append(f" 等 {len(duplicates)} 张")
    if total:
        t.append("  重复来电 ", style="bold reverse")
        t.append(f" 该号码此前已有 {total} 张工单")
        if still_open:
            t.append(f"（{still_open} 张未办结）")
    elif said:
        t.append(" 来电人说此前反映过 ", style="bold reverse")
        t.append(" 记下电话后可查历史工单")
    if duplicates or history:
        t.append("  · F8 并入已有工单", style="bold")
    return t


def submitted_notice(number: str, verb: str) -> Text:
    return Text(f" ✔ 工单 {number} {verb} · 请说结束语 · F10 返回", style="bold")


def ticket_choice(c: TicketBrief) -> Text:
    """One row of the merge chooser (F8)."""
    label = Text()
    label.append(f"{c.number}", style="bold")
    label.append(f"  {c.created} · {c.status}")
    label.append(f"\n  {c.category}\n  {c.address} · {c.summary[:30]}", style="dim")
    return label
