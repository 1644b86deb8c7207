"""Evaluation of the call model on labelled whole calls (``hotline eval-calls``).

* :mod:`~assistant.evaluation.calls` — run scripted calls through the real call model and
  score the final state (department, verdict, channel, emergencies, dialogue acts);
* :mod:`~assistant.evaluation.variants` — the ASR-style variant of a call (no punctuation,
  words spaced, numbers in Chinese words), as a recogniser writes it.
"""

from assistant.evaluation.calls import CALL_METRICS, CallReport, evaluate_calls, load_calls
from assistant.evaluation.variants import asr_style, asr_style_call

__all__ = [
    "CALL_METRICS",
    "CallReport",
    "asr_style",
    "asr_style_call",
    "evaluate_calls",
    "load_calls",
]
