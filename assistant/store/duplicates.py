"""Duplicate detection: open tickets that look like the same incident as a draft.

Two open tickets match when they have the same normalised address and category (score 1.0)
or similar enough summaries (rapidfuzz ratio of the punctuation-free text).
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from typing import Literal

from assistant.store.base import StoreBase
from assistant.store.draft import TicketDraft
from assistant.store.keys import _clean_text, normalize_address
from assistant.store.records import DuplicateMatch

#: Two open tickets count as "similar text" when rapidfuzz ``fuzz.ratio`` of their
#: punctuation-free summaries is at least this (0..1). 0.75 separates re-worded reports of
#: the same incident (e.g. 堵塞，污水外溢 / 堵了，污水流出来了: 0.78) from different
#: incidents on the same street (0.45) in our samples.
SIMILAR_TEXT_THRESHOLD = 0.75
#: Summaries shorter than this (characters, after cleaning) are not compared by text.
MIN_TEXT_CHARS = 6
#: At most this many recent open tickets are scanned for duplicates.
DUPLICATE_SCAN_LIMIT = 5000


class DuplicateMixin(StoreBase):
    """`TicketStore.find_duplicates`."""

    def find_duplicates(
        self,
        draft: TicketDraft,
        window_days: int | None = None,
        *,
        text_threshold: float = SIMILAR_TEXT_THRESHOLD,
        limit: int = 5,
    ) -> builtins.list[DuplicateMatch]:
        """Open tickets created within ``window_days`` (default: the configured
        ``duplicate_window_days``) that look like the same incident: same normalised address
        and category (score 1.0), or summaries at least ``text_threshold`` similar (rapidfuzz
        ratio). Best first, one match per ticket."""
        from rapidfuzz import fuzz
        from sqlalchemy import select

        from assistant.store.orm import TicketRow

        days = self.duplicate_window_days if window_days is None else window_days
        since = self._clock() - timedelta(days=days)
        addr_key = normalize_address(draft.address)
        addr_raw = _clean_text(draft.address)
        cat = draft.category_id.strip()
        summary = _clean_text(draft.summary)
        Reason = Literal["same_address_category", "similar_text"]
        with self._read("look for duplicate tickets") as s:
            # Scan light columns only; full rows are loaded for the few matches.
            cand = s.execute(
                select(
                    TicketRow.id,
                    TicketRow.category_id,
                    TicketRow.address_norm,
                    TicketRow.address,
                    TicketRow.summary,
                    TicketRow.created_at,
                )
                .where(TicketRow.status == "open", TicketRow.created_at >= since)
                .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
                .limit(DUPLICATE_SCAN_LIMIT)
            ).all()
            found: list[tuple[int, Reason, float, datetime]] = []
            for tid, row_cat, row_norm, row_addr, row_summary, created in cand:
                # The key stored at submit time is compared (re-normalising every row would
                # cost ~5 ms each with the cpca-based normaliser); identical raw text also counts.
                if (
                    addr_key
                    and cat
                    and row_cat == cat
                    and (addr_key == row_norm or addr_raw == _clean_text(row_addr))
                ):
                    found.append((tid, "same_address_category", 1.0, created))
                    continue
                other = _clean_text(row_summary)
                if len(summary) >= MIN_TEXT_CHARS and len(other) >= MIN_TEXT_CHARS:
                    score = fuzz.ratio(summary, other) / 100.0
                    if score >= text_threshold:
                        found.append((tid, "similar_text", round(score, 3), created))
            found.sort(key=lambda t: (-t[2], -t[3].timestamp(), -t[0]))
            found = found[:limit]
            rows = {
                r.id: r
                for r in s.execute(select(TicketRow).where(TicketRow.id.in_([f[0] for f in found])))
                .scalars()
                .all()
            }
            tickets = self._tickets(s, [rows[f[0]] for f in found])
            return [
                DuplicateMatch(ticket=t, reason=f[1], score=f[2])
                for t, f in zip(tickets, found, strict=True)
            ]
