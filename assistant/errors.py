"""Exceptions of the assistant core. Messages tell a call-taker or admin what to do.

The tree (catch the highest class that fits; every core error is an `AssistantError`)::

    AssistantError
    ├── ModelSetupError            a model is missing, unverified or not downloadable
    ├── StoreError                 the ticket database cannot be opened or written
    │   ├── TicketNotSavedError    a write failed, nothing stored; carries the draft
    │   │   ├── StoreLockedError       another seat held the lock too long
    │   │   └── StoreUnavailableError  server unreachable / file not writable / disk full
    │   │       └── StoreFileGoneError     the SQLite file was deleted or replaced
    │   └── TicketNotFoundError    no ticket with that number or id (also a LookupError)
    ├── FieldInvalidError          a ticket or session field is invalid (``field``)
    │   └── DraftInvalidError      a submitted draft has invalid fields (``problems``)
    ├── SessionFileError           a saved call session (or a draft being read) is
    │                              missing or malformed
    ├── DraftWriteError            the crash journal of the call in progress cannot
    │                              be written (disk full, folder gone)
    ├── ExportTargetError          an export would write over a file it must not
    │                              (exists without ``--force``, the database, a draft)
    ├── CallDevsetError            a whole-call dev-set file is malformed (file:line)
    ├── BatchRecordError           a `hotline analyze` input line is refused (not JSON,
    │                              NaN, over a size cap); also a ValueError
    └── ConfigError                the settings (TOML file, HOTLINE_* variables) are
                                   malformed, unknown or out of range; also a ValueError
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol


class AssistantError(Exception):
    """Base class of every core error."""


class ModelSetupError(AssistantError):
    """A model is missing, failed verification, or could not be downloaded."""


class StoreError(AssistantError):
    """The ticket database cannot be opened or written (locked, unreachable, ...)."""


class TicketNotSavedError(StoreError):
    """A write failed and nothing of it was stored.

    ``draft``/``suggestions``/``call`` hold what was being submitted (nothing is lost; submit
    them again); ``saved_to`` is the JSON file they were also written to, when the store has
    a drafts folder. Subclasses say why: `StoreLockedError`, `StoreUnavailableError`.
    ``draft`` is an `assistant.store.TicketDraft` and ``call`` an `assistant.store.CallInfo`
    (typed loosely here so this module imports nothing of the store).
    """

    def __init__(
        self,
        message: str,
        *,
        draft: Any = None,
        suggestions: Mapping[str, str] | None = None,
        call: Any = None,
        saved_to: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.draft = draft
        self.suggestions = dict(suggestions or {})
        self.call = call
        self.saved_to = saved_to


class StoreLockedError(TicketNotSavedError):
    """Another seat held the database lock longer than the busy timeout; retry shortly."""


class StoreUnavailableError(TicketNotSavedError):
    """The database server cannot be reached or the file cannot be opened/written."""


class StoreFileGoneError(StoreUnavailableError):
    """The SQLite database file this store opened is no longer there (its folder was
    deleted or moved, or another file now has its name): a write would go into a file
    nobody can open again, so the store refuses every write until the program restarts."""


class TicketNotFoundError(StoreError, LookupError):
    """No ticket has that number or id."""


class FieldInvalidError(AssistantError):
    """A ticket field is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class _Problem(Protocol):
    """One invalid field (`assistant.store.FieldProblem`)."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> str: ...


class DraftInvalidError(FieldInvalidError):
    """`TicketStore.submit` refused a draft; ``problems`` lists every invalid field."""

    def __init__(self, problems: Sequence[_Problem]) -> None:
        first = problems[0]
        super().__init__(first.field, "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = list(problems)


class SessionFileError(AssistantError):
    """A saved call session is missing or malformed."""


class DraftWriteError(AssistantError):
    """The crash journal (draft) of the call in progress cannot be written: the call is NOT
    protected against a crash. Deliberately not a :class:`StoreError` (whose advice is "the
    draft is saved, submit again later")."""


class ExportTargetError(AssistantError):
    """An export was refused before writing anything: the target file exists (and
    ``--force`` was not given), or it is the ticket database, a draft or another file the
    program keeps (never written over, even with ``--force``). ``path`` is the target."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class CallDevsetError(AssistantError):
    """A whole-call dev-set file is malformed; the message names file, line and field."""


class BatchRecordError(AssistantError, ValueError):
    """One `hotline analyze` input line cannot be analysed; the message says why."""


class ConfigError(AssistantError, ValueError):
    """The configuration cannot be used; the message names the file / variable, the key,
    the value given and what is allowed."""
