"""Screens coordinate: they own sessions, workers and services, and feed the widgets."""
