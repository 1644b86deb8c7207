"""Benchmarks: `python -m benchmarks [NAME ...]` (or `make bench`) runs them and prints tables."""
