"""Privacy: masking of personal data (phone, ID and card numbers, names, house numbers) for
exports, the ticket commands and the log file.

Pure functions, no I/O. They never raise on odd input: something that does not look
like a phone number is still masked (all but the last four digits), so a typo never
leaks a number.

* :mod:`~assistant.privacy.fields` — one field's value: :func:`mask_phone`,
  :func:`mask_name`, :func:`mask_address`;
* :mod:`~assistant.privacy.numbers` — phone / ID / card numbers in free text, however they
  are written (``138 1234 5678``, ``+86 …``, full-width, 一三八… / 幺, ``0571-88881234``,
  15- and 18-digit IDs);
* :mod:`~assistant.privacy.names` — person names in free text (the caller's own and third
  parties', jieba's name tagging);
* :func:`mask_text` applies both to free text (summaries, notes, log lines).

Examples::

    mask_phone("13800138000")    -> "138****8000"
    mask_phone("010-62345678")   -> "010-****5678"
    mask_name("张三")            -> "张*"
    mask_name("王建国")          -> "王**"
    mask_address("建国路88号3栋1201室") -> "建国路**号*栋****室"
    mask_text("王建国反映，电话138 1234 5678") -> "王**反映，电话138****5678"
"""

from __future__ import annotations

from assistant.privacy.fields import mask_address, mask_name, mask_phone
from assistant.privacy.names import known_name_spans, name_spans, warm_up
from assistant.privacy.numbers import Span, number_spans

__all__ = [
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_text",
    "warm_up",
]


def _apply(text: str, spans: list[Span]) -> str:
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < pos:
            continue  # overlaps an earlier span (a number inside a name cannot happen)
        out += [text[pos : span.start], span.replacement]
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def mask_id_number(text: str) -> str:
    """Mask ID numbers (15 or 18 characters) and other phone / card numbers inside text:
    an ID keeps its 6-digit region code and its last 4 characters."""
    return _apply(text, number_spans(text))


def mask_text(text: str, *, names: tuple[str, ...] = (), people: bool = True) -> str:
    """Mask phone, ID and card numbers and every person's name in free text.

    ``names`` are the ticket's own name fields: masked wherever they occur, also in part
    (张三 on the ticket of 张三丰). Other people's names are found by
    :func:`~assistant.privacy.names.name_spans`, unless ``people`` is off (an address,
    where 宋庄 or 张江 are places, not people).
    """
    if not text:
        return text or ""
    spans = number_spans(text)
    found = name_spans(text, names) if people else known_name_spans(text, names)
    spans += [
        Span(start, end, mask_name(text[start:end]))
        for start, end in found
        if not any(s.start < end and start < s.end for s in spans)
    ]
    return _apply(text, spans)
