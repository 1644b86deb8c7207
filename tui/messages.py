"""Messages that flow UP from workers and widgets to the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from asr.events import TranscriptEvent
from assistant.core.state import SessionState, VerdictCause

if TYPE_CHECKING:
    from assistant.files.drafts import DraftInfo
    from assistant.store import Ticket, TicketDraft
    from tui.format import TicketBrief
    from tui.restore import DraftBrief


class TranscriptArrived(Message):
    """A partial or final recognition result (posted from a feed thread)."""

    def __init__(self, event: TranscriptEvent) -> None:
        super().__init__()
        self.event = event


class StateChanged(Message):
    """The call session produced a new snapshot (posted from the session thread)."""

    def __init__(self, state: SessionState) -> None:
        super().__init__()
        self.state = state


class FeedStatus(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FeedPosition(Message):
    def __init__(self, position: float) -> None:
        super().__init__()
        self.position = position


class FeedEnded(Message):
    """The recording / replay reached its end."""


class WorkerFailed(Message):
    """A background job failed; ``where`` says which (shown to the user)."""

    def __init__(self, where: str, error: BaseException) -> None:
        super().__init__()
        self.where = where
        self.error = error


class EngineReady(Message):
    """The knowledge engine is loaded (keyword search works; semantic may still load)."""

    def __init__(self, engine: Any, error: str | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.error = error


@dataclass
class FieldEdited(Message):
    """The user changed a ticket field in the form."""

    name: str
    value: str


class OpenCategoryPicker(Message):
    """The user wants to choose the category by hand (查字典)."""


@dataclass
class CategoryChosen(Message):
    leaf_id: str


class DraftsFound(Message):
    """Unfinished calls were found (crash restore): a summary of the newest, the others."""

    def __init__(self, brief: DraftBrief, rest: list[DraftInfo]) -> None:
        super().__init__()
        self.brief = brief
        self.rest = rest  # newest first


class SessionRestored(Message):
    """A draft was restored: its transcript so far (posted from the session thread)."""

    def __init__(self, call_id: str, events: tuple[TranscriptEvent, ...]) -> None:
        super().__init__()
        self.call_id = call_id
        self.events = events


class DuplicatesFound(Message):
    """Store look-up result: possible duplicates and the caller's earlier tickets."""

    def __init__(
        self,
        duplicates: list[TicketBrief],
        history: list[TicketBrief],
        key: tuple[str, ...] | None = None,
        counts: tuple[int, int] = (0, 0),
    ) -> None:
        super().__init__()
        self.duplicates = duplicates
        self.history = history
        self.counts = counts  # earlier tickets with this phone number: (all, still open)
        self.key = key  # the (phone, address, category) looked up


class TicketSubmitted(Message):
    """The ticket was stored (or merged into an earlier one; practice: scored)."""

    def __init__(self, number: str, ticket: Ticket | TicketDraft, merged: bool = False) -> None:
        super().__init__()
        self.number = number
        self.ticket = ticket  # practice: the trainee's draft
        self.merged = merged


class ShowVerdictCause(Message):
    """A banner was clicked: show the turn that caused the verdict."""

    def __init__(self, cause: VerdictCause) -> None:
        super().__init__()
        self.cause = cause
