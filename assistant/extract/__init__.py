"""Ticket-field extraction from call transcripts: pure functions, no I/O.

Every ``extract_*`` function takes ONE utterance of the caller (already normalised text,
see :func:`asr.text.normalize_text`) and returns a :class:`~assistant.core.state.FieldValue` or
``None``. ``source_text`` is the words the value came from, ``at`` the call time of the
utterance. One module per field:

* :mod:`~assistant.extract.name` — the caller's name (surnames from ``jionlp``'s 百家姓);
* :mod:`~assistant.extract.phone` — the phone number in one utterance, with its partial
  corrections; :mod:`~assistant.extract.phone_dialogue` — :class:`PhoneTracker` assembles
  one spread over several turns, read back by the agent, confirmed or corrected;
* :mod:`~assistant.extract.address` — the incident address (``cpca`` for the districts);
* :mod:`~assistant.extract.time` — the incident time (``jionlp.ner.extract_time``);
* :mod:`~assistant.extract.request` — the request draft (诉求内容).

All offline. ``jionlp``, ``cpca`` and ``rapidfuzz`` are imported on first use, so importing
this package stays cheap and every name is re-exported here.
"""

from assistant.extract._address_places import places as load_places
from assistant.extract.address import (
    DEFAULT_UMAP,
    address_parts,
    extract_address,
    merge_address,
    normalize_address,
)
from assistant.extract.address_readback import readback_address
from assistant.extract.name import (
    SURNAME_SPELLINGS,
    agent_asks_name,
    agent_title_surname,
    extract_name,
    name_surname,
    same_sound,
    surnames,
)
from assistant.extract.phone import (
    agent_asks_phone,
    apply_edits,
    digit_fragment,
    extract_phone,
    is_garbled_digits,
    phone_kind,
)
from assistant.extract.phone_dialogue import PhoneTracker, caller_confirms
from assistant.extract.request import draft_request
from assistant.extract.time import extract_incident_time

__all__ = [
    "DEFAULT_UMAP",
    "SURNAME_SPELLINGS",
    "PhoneTracker",
    "address_parts",
    "agent_asks_name",
    "agent_asks_phone",
    "agent_title_surname",
    "apply_edits",
    "caller_confirms",
    "digit_fragment",
    "draft_request",
    "extract_address",
    "extract_incident_time",
    "extract_name",
    "extract_phone",
    "is_garbled_digits",
    "load_places",
    "merge_address",
    "name_surname",
    "normalize_address",
    "phone_kind",
    "readback_address",
    "same_sound",
    "surnames",
]
