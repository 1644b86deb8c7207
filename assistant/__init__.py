"""hotline-assistant core: call sessions, field extraction, tickets, QA scoring.

Pure logic: no terminal I/O and no Textual. The same core serves the TUI, the batch
CLI and replay.
"""

__version__ = "0.1.0"
