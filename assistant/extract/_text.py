"""Helpers shared by the field extractors: full-width folding, the lazy jionlp import and
the :class:`~assistant.core.state.FieldValue` constructor every extractor returns."""

from __future__ import annotations

import contextlib
import io
import warnings
from functools import lru_cache
from typing import Any

from assistant.core.state import FieldValue

CJK = r"\u4e00-\u9fff"
"""The CJK Unified Ideographs range, for regex character classes."""


@lru_cache(maxsize=1)
def load_jionlp() -> Any:
    """Import jionlp once, swallowing the banner it prints to stdout on import."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jionlp

    return jionlp


_FULLWIDTH = (
    {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
    | {c: c - 0xFEE0 for c in range(0xFF21, 0xFF5B)}
    | {0x3000: 0x20, 0xFF0D: 0x2D}
)


def nfkc(text: str) -> str:
    """Full-width digits/letters to ASCII; Chinese punctuation is kept as it is."""
    return (text or "").translate(_FULLWIDTH)


def make_field(
    name: str, value: str, conf: float, src: str, at: float | None, **extra: str
) -> FieldValue:
    """A suggested :class:`FieldValue` (confidence rounded to 3 places)."""
    return FieldValue(
        name=name,
        value=value,
        confidence=round(conf, 3),
        source_text=src,
        status="suggested",
        at=at,
        extra=dict(extra),
    )
