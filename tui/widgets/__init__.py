"""Widgets show data handed down by screens and report user intent up as messages.

* ``transcript``: the live transcript; ``suggestions``: category suggestions;
  ``ticket_form``: the ticket form; ``guidance``: the emergency / referral banners and
  the scripts panel; ``status``: the status bar; ``notice``: the live screen's notice line.
"""

__all__ = ["guidance", "notice", "status", "suggestions", "ticket_form", "transcript"]
