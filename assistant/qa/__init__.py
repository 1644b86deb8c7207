"""Quality assurance of calls (质检): the QA scorecard, trainee ticket scoring, the HTML report.

Modules (each imports only those above it; nothing here needs a heavy library at import):

* :mod:`~assistant.qa.items`     one scorecard item: :class:`QAItem`, :class:`Moment`, points
* :mod:`~assistant.qa.checks`    the seven checks (greeting, empathy, ...) and their thresholds
* :mod:`~assistant.qa.scorecard` :class:`Scorecard`; :func:`score_events`,
  :func:`score_session`, :func:`score_call`
* :mod:`~assistant.qa.report`    the batch HTML report (:func:`write_report`)
* :mod:`~assistant.qa.trainee`   a trainee's ticket against the reference (:func:`score_ticket`)

Errors: the package defines none of its own. Reading sessions raises
:class:`assistant.errors.SessionFileError` (:func:`score_session` with a folder;
:func:`write_report` when no session can be read — unreadable ones are listed in the report).
"""

from assistant.qa.items import (
    LABELS,
    POINTS,
    SPEAKER_LABELS,
    STATUS_LABELS,
    Moment,
    QAItem,
    Status,
    fmt_time,
)
from assistant.qa.report import render_report, write_report
from assistant.qa.scorecard import PASS_MARK, Scorecard, score_call, score_events, score_session
from assistant.qa.trainee import FieldScore, TicketScore, score_ticket

__all__ = [
    "LABELS",
    "PASS_MARK",
    "POINTS",
    "SPEAKER_LABELS",
    "STATUS_LABELS",
    "FieldScore",
    "Moment",
    "QAItem",
    "Scorecard",
    "Status",
    "TicketScore",
    "fmt_time",
    "render_report",
    "score_call",
    "score_events",
    "score_session",
    "score_ticket",
    "write_report",
]
