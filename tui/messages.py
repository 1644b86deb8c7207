"""Messages that flow UP from workers and widgets to the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from asr.events import TranscriptEvent
from assistant.state import SessionState


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


@dataclass
class FieldConfirmed(Message):
    name: str


class OpenCategoryPicker(Message):
    """The user wants to choose the category by hand (查字典)."""


@dataclass
class CategoryChosen(Message):
    leaf_id: str


class DraftsFound(Message):
    """Unfinished calls were found (crash restore): a summary of the newest, the others."""

    def __init__(self, brief: Any, rest: list[Any]) -> None:
        super().__init__()
        self.brief = brief  # tui.backend.DraftBrief
        self.rest = rest  # assistant.files.drafts.DraftInfo, newest first
