"""The ticket store: confirmed tickets, linked calls and an audit trail of every change.

One SQLAlchemy 2 code path, two backends: SQLite (default) and PostgreSQL for a whole call
centre (`engine`). `TicketStore.submit` writes the ticket, its audit rows and the call link
in ONE transaction: a ticket is either fully stored or not at all. When the database is
locked or unreachable a `StoreLockedError` / `StoreUnavailableError` is raised that carries
the draft (and, when ``drafts_dir`` is configured, names the JSON file it was saved to), so
the call-taker can submit again without retyping anything.

Modules: `records` (stored records), `draft` (what is submitted, and the session-to-draft
mapping), `keys` (address/phone matching keys), `repository` (`TicketStore`, assembled from
`base`, `submit`, `edits`, `queries`, `duplicates`), `engine` (backend setup), `orm`
(SQLAlchemy tables). Importing this package loads no SQLAlchemy: only `orm` and `engine`
need it, and the store imports them when it first opens or touches the database.
"""

from assistant.errors import (
    DraftInvalidError,
    StoreLockedError,
    StoreUnavailableError,
    TicketNotFoundError,
    TicketNotSavedError,
)
from assistant.store.draft import CallInfo, FieldProblem, TicketDraft, suggestions_from_state
from assistant.store.keys import normalize_address, normalize_phone
from assistant.store.records import AuditEntry, CallerHistory, CallRecord, DuplicateMatch, Ticket
from assistant.store.repository import TicketStore

__all__ = [
    "AuditEntry",
    "CallInfo",
    "CallRecord",
    "CallerHistory",
    "DraftInvalidError",
    "DuplicateMatch",
    "FieldProblem",
    "StoreLockedError",
    "StoreUnavailableError",
    "Ticket",
    "TicketDraft",
    "TicketNotFoundError",
    "TicketNotSavedError",
    "TicketStore",
    "normalize_address",
    "normalize_phone",
    "suggestions_from_state",
]
