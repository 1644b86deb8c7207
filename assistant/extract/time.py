"""When the problem happened: ``jionlp.ner.extract_time`` on the caller's words, relative
expressions (昨天晚上十点) resolved against the call time; deadlines and future times ignored.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from assistant.core.state import FieldValue
from assistant.extract._text import load_jionlp, make_field, nfkc
from assistant.extract.address import address_numbers

__all__ = ["extract_incident_time"]

_TIME_MASK_RE = re.compile(r"\d+(?:号楼|号院|号门|栋|幢|座|单元|室|层|组)|[路街巷道]\d+号|\d{5,}")
_DEADLINE_HINT = re.compile(r"之前|以前|以内|之内|尽快|希望|要求|能不能|赶紧")
# "我上周已经打过了": when the caller called before, not when the problem happened
_EARLIER_CONTACT = re.compile(
    r"^[^，。,.!?！？]{0,4}?(打过|打了.{0,4}电话|来过电话|打电话|反映过|反映了|投诉过|投诉了|找过|来过)"
)


def extract_incident_time(
    text: str, *, call_time: datetime, at: float | None = None
) -> FieldValue | None:
    """When the problem happened/started, if the caller says so (昨天晚上十点, 从上周三开始).

    ``value`` keeps the caller's words; ``extra["start"]``/``extra["end"]`` are ISO datetimes
    resolved against ``call_time`` (best effort), ``extra["kind"]`` is point/span/duration.
    Deadlines ("明天之前处理") and future times are ignored.
    """
    text = nfkc(text)
    if not re.search(r"[天晚早午点号周月年前昨今凌晨夜礼拜星期分钟小时]", text):
        return None
    masked = _TIME_MASK_RE.sub(lambda m: "＃" * len(m.group(0)), address_numbers(text))
    jio = load_jionlp()
    base = call_time.timestamp()
    logging.disable(logging.ERROR)  # jionlp logs tracebacks for phrases it cannot parse
    try:
        hits = jio.ner.extract_time(masked, time_base=base, with_parsing=True)
    except Exception:
        hits = []
    finally:
        logging.disable(logging.NOTSET)
    for hit in hits:
        words: str = hit.get("text", "")
        detail = hit.get("detail") or {}
        kind = detail.get("type", hit.get("type", ""))
        if re.fullmatch(r"\d+号", words) or words in {"现在", "今天", "目前", "刚才", "马上"}:
            continue
        if "从" in words:
            words = words[words.index("从") :]
        words = re.sub(r"^[下上的]+(?=[从昨今前上本这去])", "", words)
        tail = text[hit["offset"][1] : hit["offset"][1] + 4]
        if _EARLIER_CONTACT.search(text[hit["offset"][1] : hit["offset"][1] + 10]):
            continue
        if kind in ("time_point", "time_span"):
            try:
                start = datetime.strptime(detail["time"][0], "%Y-%m-%d %H:%M:%S")
                end = datetime.strptime(detail["time"][1], "%Y-%m-%d %H:%M:%S")
            except (KeyError, ValueError, TypeError, IndexError):
                continue
            naive_call = call_time.replace(tzinfo=None)
            if start > naive_call + timedelta(hours=1):
                continue  # future: a wish or a deadline, not when it happened
            if (
                kind == "time_span"
                and end > naive_call + timedelta(hours=1)
                and abs((start - naive_call).total_seconds()) < 120
                and (_DEADLINE_HINT.search(words + tail) or "之前" in words)
            ):
                continue
            if call_time.tzinfo is not None:
                start, end = (
                    start.replace(tzinfo=call_time.tzinfo),
                    end.replace(tzinfo=call_time.tzinfo),
                )
            return make_field(
                "incident_time",
                words,
                0.8 if detail.get("definition") == "accurate" else 0.6,
                words,
                at,
                start=start.isoformat(),
                end=end.isoformat(),
                kind="span" if kind == "time_span" else "point",
            )
        if kind == "time_delta" and re.search(r"了|开始|以来|多", tail + words):
            delta = detail.get("time") or {}
            try:
                days = (
                    float(delta.get("year", 0)) * 365
                    + float(delta.get("month", 0)) * 30
                    + float(delta.get("day", 0))
                    + float(delta.get("hour", 0)) / 24
                )
            except (TypeError, ValueError):
                continue
            if days <= 0:
                continue
            start = call_time - timedelta(days=days)
            return make_field(
                "incident_time",
                words + (tail[:1] if tail[:1] == "了" else ""),
                0.5,
                words,
                at,
                start=start.isoformat(),
                end=call_time.isoformat(),
                kind="duration",
            )
    return None
