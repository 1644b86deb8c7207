"""Crash restore on a screen: offer the calls a crash left unfinished, newest first.

:class:`OffersRestore` is a base of the home screen and the live screen. Each draft is
summarised off the UI thread, then the call-taker chooses 恢复 / 放弃 / later in the
:class:`~tui.screens.modals.RestoreDraft` dialog; the screen says what happens next
through :meth:`~OffersRestore.restore_chosen` and :meth:`~OffersRestore.restore_settled`.
"""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from assistant.files.drafts import DraftInfo
from tui.messages import DraftsFound, WorkerFailed
from tui.restore import discard_draft, summarise_draft


class OffersRestore(Screen[None]):
    """A screen that offers the unfinished calls (call :meth:`offer_restore`)."""

    def restore_chosen(self, info: DraftInfo) -> None:
        """The call-taker chose to continue this call."""

    def restore_settled(self) -> None:
        """No draft is being restored (none left, discarded or put off)."""

    def offer_restore(self, drafts: list[DraftInfo]) -> None:
        self._prepare_restore(drafts)

    @work(thread=True, exclusive=True, group="restore")
    def _prepare_restore(self, drafts: list[DraftInfo]) -> None:
        """Summarise the newest readable draft off the UI thread (name/phone extraction)."""
        for i, info in enumerate(drafts):
            try:
                brief = summarise_draft(info)
            except Exception as exc:  # unreadable draft: say so, keep the file, go on
                self.post_message(WorkerFailed("读取未完成记录", exc))
                continue
            self.post_message(DraftsFound(brief, drafts[i + 1 :]))
            return
        self.app.call_from_thread(self.restore_settled)

    def on_drafts_found(self, message: DraftsFound) -> None:
        from tui.screens.modals import RestoreDraft

        info, rest = message.brief.info, message.rest

        def answered(choice: str | None) -> None:
            if choice == "restore":
                self.restore_chosen(info)
            elif choice == "discard":
                try:
                    discard_draft(info)
                except OSError as exc:
                    self.post_message(WorkerFailed("放弃未完成记录", exc))
                self.notify("已放弃该通话记录", timeout=3)
                if rest:
                    self._prepare_restore(rest)
                else:
                    self.restore_settled()
            else:
                self.restore_settled()

        self.app.push_screen(RestoreDraft(message.brief, remaining=len(rest)), answered)
