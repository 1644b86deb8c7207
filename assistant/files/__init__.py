"""Files the assistant keeps on disk, one module per kind of file.

* :mod:`~assistant.files.drafts` — the crash journal of a call in progress
  (:class:`DraftJournal`, :func:`read_ops`, :func:`find_unfinished`, :func:`restore`).
* :mod:`~assistant.files.journal_read` — reading a damaged journal: every good line, and a
  report of the rest (:func:`read_journal`, :class:`JournalReport`).
* :mod:`~assistant.files.session_reader` — saved call sessions: :func:`load_session`,
  :func:`list_sessions`, :func:`is_session`, :class:`SavedSession`.
* :mod:`~assistant.files.suggestions` — the ``suggestions.jsonl`` records of a session
  (:class:`SuggestionRecord`, :class:`CategoryRecord`, :class:`AlertRecord`).
* :mod:`~assistant.files.session_writer` — :class:`SessionWriter`, the second pass
  (:func:`save_second_pass`) and the reviewer's notes (:func:`save_review_notes`).
* :mod:`~assistant.files.recordings` — recorded calls for practice and review
  (:class:`RecordedCall`, :func:`load_call`, :func:`find_calls`); saved sessions among them
  are read by :func:`load_session`.
* :mod:`~assistant.files.samples` — builds the sample calls' sessions
  (``python -m assistant.files.samples build``).
* :mod:`~assistant.files.export` — tickets to CSV / JSON, masked by default.

Every JSON Lines file here is written and read through :mod:`asr.jsonl`; every file holding
personal data is created owner-only and whole files are replaced atomically through
:mod:`asr.fileio`.

Importing the package is cheap: the names below are re-exported lazily (on first access),
so ``from assistant.files import load_session`` loads only the reader. :mod:`.export` needs
the ticket store (SQLAlchemy) and :mod:`.samples` / :mod:`.drafts` the call model; import
those from their modules when you need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports

if TYPE_CHECKING:
    from assistant.files.drafts import DraftInfo, DraftJournal, find_unfinished, read_ops, restore
    from assistant.files.recordings import (
        RecordedCall,
        call_title,
        find_calls,
        load_call,
        samples_dir,
    )
    from assistant.files.session_reader import (
        SavedSession,
        SessionSummary,
        is_session,
        list_sessions,
        load_session,
    )
    from assistant.files.session_writer import (
        SessionWriter,
        save_review_notes,
        save_second_pass,
        second_pass_path,
    )
    from assistant.files.suggestions import AlertRecord, CategoryRecord, SuggestionRecord

_WHERE: dict[str, str] = {
    "DraftInfo": "drafts",
    "DraftJournal": "drafts",
    "find_unfinished": "drafts",
    "read_ops": "drafts",
    "restore": "drafts",
    "RecordedCall": "recordings",
    "call_title": "recordings",
    "find_calls": "recordings",
    "load_call": "recordings",
    "samples_dir": "recordings",
    "SavedSession": "session_reader",
    "SessionSummary": "session_reader",
    "is_session": "session_reader",
    "list_sessions": "session_reader",
    "load_session": "session_reader",
    "SessionWriter": "session_writer",
    "save_review_notes": "session_writer",
    "save_second_pass": "session_writer",
    "second_pass_path": "session_writer",
    "AlertRecord": "suggestions",
    "CategoryRecord": "suggestions",
    "SuggestionRecord": "suggestions",
}

__all__ = [  # noqa: RUF022 (grouped by module, as in _WHERE)
    "DraftInfo",
    "DraftJournal",
    "find_unfinished",
    "read_ops",
    "restore",
    "RecordedCall",
    "call_title",
    "find_calls",
    "load_call",
    "samples_dir",
    "SavedSession",
    "SessionSummary",
    "is_session",
    "list_sessions",
    "load_session",
    "SessionWriter",
    "save_review_notes",
    "save_second_pass",
    "second_pass_path",
    "AlertRecord",
    "CategoryRecord",
    "SuggestionRecord",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
