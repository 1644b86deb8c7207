"""Crash restore: the calls a crash left unfinished, and what the restore prompt shows of one.

Used by the home screen and the live screen (both offer the newest unfinished call).
Nothing here imports textual; :func:`summarise_draft` reads a file and runs the extractors,
so call it from a worker thread. A damaged draft is summarised from its good lines, and
:attr:`DraftBrief.problems` says what was skipped (counts, first bad line) for the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.files.drafts import DraftInfo, find_unfinished
from assistant.files.journal_read import read_journal

__all__ = ["DraftBrief", "discard_draft", "summarise_draft", "unfinished_drafts"]


@dataclass(frozen=True, slots=True)
class DraftBrief:
    """What the restore prompt shows of an unfinished call (phone and last words masked)."""

    info: DraftInfo
    started: str
    name: str
    phone_masked: str
    n_events: int
    last_text: str
    problems: str = ""
    """What is damaged in the draft file (Chinese), "" when it is intact."""


def unfinished_drafts(drafts_dir: Path) -> list[DraftInfo]:
    """The drafts of calls that were never completed, newest first."""
    return list(find_unfinished(drafts_dir))


def summarise_draft(info: DraftInfo) -> DraftBrief:
    """Time, caller name and masked phone of a draft: the call-taker's own entries when
    there are some, else what the extractors find in the caller's words (worker thread)."""
    from assistant.privacy import mask_phone, mask_text

    read = read_journal(info.path)
    ops = read.ops
    values: dict[str, str] = {}
    for op in ops:
        if op.get("op") == "set_field" and op.get("name") in ("name", "phone"):
            values[str(op["name"])] = str(op.get("value") or "")
    if not values.get("name") or not values.get("phone"):
        from assistant import extract

        for op in ops:
            if op.get("op") != "event":
                continue
            ev = op.get("event") or {}
            if ev.get("speaker") != "caller" or not ev.get("text"):
                continue
            text = str(ev["text"])
            try:
                if not values.get("phone"):
                    fv = extract.extract_phone(text)
                    if fv is not None and fv.extra.get("complete") != "false":
                        values["phone"] = fv.value
                if not values.get("name"):
                    fv = extract.extract_name(text, asked=True)
                    if fv is not None:
                        values["name"] = fv.value
            except Exception:
                continue
    started = info.started_at or info.modified
    return DraftBrief(
        info=info,
        started=started.strftime("%Y-%m-%d %H:%M") if started else "",
        name=values.get("name", ""),
        phone_masked=mask_phone(values.get("phone", "")),
        n_events=int(info.n_events),
        last_text=mask_text(str(info.last_text or "")),
        problems=read.report.describe(),
    )


def discard_draft(info: DraftInfo) -> None:
    """Delete the draft file (the call-taker chose 放弃)."""
    Path(info.path).unlink(missing_ok=True)
