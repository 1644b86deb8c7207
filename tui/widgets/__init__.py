"""Widgets show data handed down by screens and report user intent up as messages."""
