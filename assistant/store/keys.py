"""Matching keys of the ticket store: the normalised address and phone stored beside each
ticket (``address_norm``, ``phone_norm``) and the cleaned text compared for duplicates."""

from __future__ import annotations

import functools
import re
import unicodedata

from asr.text.phone import phone_key

__all__ = ["normalize_address", "normalize_phone"]

_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_address(address: str) -> str:
    """Key used to compare addresses for duplicate detection.

    The canonical key of `assistant.extract.normalize_address`, then NFKC, without
    whitespace/punctuation and case folded. Results are cached (the extract normaliser costs
    a few ms per new address).
    """
    if not address.strip():
        return ""
    return _normalize_address_cached(address.strip())


@functools.lru_cache(maxsize=4096)
def _normalize_address_cached(address: str) -> str:
    from assistant.extract import normalize_address as extract_key

    # An address with no recognisable parts (a bare city name, a landmark) keys on its text.
    key = extract_key(address) or address
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", key)).casefold()


def normalize_phone(phone: str) -> str:
    """Digits only, without a +86/86 country prefix: the key for caller history
    (:func:`asr.text.phone.phone_key`, the one phone rule)."""
    return phone_key(phone)


def _clean_text(text: str) -> str:
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", text))
