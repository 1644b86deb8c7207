"""Ticket deadlines: working days in mainland China and the assign/resolve times of a call."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from assistant.core.state import DueTimes


def is_working_day(day: date) -> bool:
    """A working day in mainland China: the State Council's holiday schedule with its
    make-up working weekends (``chinesecalendar``, published a year at a time); for a year
    it does not know yet, Monday to Friday."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (same time of day; holidays and weekends skipped,
    make-up working Saturdays counted)."""
    out = start
    left = days
    while left > 0:
        out += timedelta(days=1)
        if is_working_day(out.date()):
            left -= 1
    return out


def due_times(base: datetime, deadline_class: str, urgency: str) -> DueTimes:
    """Assign within 2 h (15 min for emergencies and urgent 2h/24h repairs); resolve within
    2 h / 24 h / 7 working days of ``base``. Emergencies are 2h, urgent calls at most 24h."""
    cls = deadline_class if deadline_class in ("2h", "24h", "7d") else "7d"
    if urgency == "emergency":
        cls = "2h"
    elif urgency == "urgent" and cls == "7d":
        cls = "24h"
    fast = urgency == "emergency" or (urgency == "urgent" and cls in ("2h", "24h")) or cls == "2h"
    assign = base + (timedelta(minutes=15) if fast else timedelta(hours=2))
    if cls == "2h":
        resolve = base + timedelta(hours=2)
    elif cls == "24h":
        resolve = base + timedelta(hours=24)
    else:
        resolve = add_working_days(base, 7)
    return DueTimes(assign_by=assign, resolve_by=resolve, deadline_class=cls)
