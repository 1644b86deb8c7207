"""The seat's log file: what an administrator needs after a problem, without personal data.

``<data_dir>/logs/hotline.log`` (rotated at 1 MB, 3 old files kept) receives the records of
the ``hotline`` logger: screens opened, background failures, tickets stored. Every message
passes through :func:`assistant.privacy.mask_text` when ``mask_personal_data`` is on, so a
phone number that reaches an error message is logged as ``138****5678`` and a name as
``王**`` (the name tagger's dictionary is loaded in a background thread when the log is set
up, so the first log line does not wait for it).
The log and its folder are owner-only (``0600`` / ``0700``, :mod:`asr.fileio`), rotated
files included.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path
from typing import cast

from asr.fileio import open_private, private_dir
from assistant.privacy import mask_text
from assistant.settings import Settings

LOGGER = "hotline"
LOG_FILE = "hotline.log"


class _MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created ``0600`` (rotation reopens through here)."""

    def _open(self) -> io.TextIOWrapper:
        encoding = self.encoding or "utf-8"
        if self.mode.startswith("w"):
            fh = open_private(self.baseFilename, "w", encoding=encoding)
        else:
            fh = open_private(self.baseFilename, "a", encoding=encoding)
        return cast(io.TextIOWrapper, fh)


def log_path(settings: Settings) -> Path:
    return settings.data_dir / "logs" / LOG_FILE


def configure_file_logging(settings: Settings) -> Path | None:
    """Send the ``hotline`` logger to the rotating log file of ``settings`` (replacing another
    file set up earlier in this process); returns its path, or None when the folder cannot
    be written (the app runs on without a log)."""
    path = log_path(settings)
    logger = logging.getLogger(LOGGER)
    for h in list(logger.handlers):
        if isinstance(h, logging.FileHandler):
            if Path(h.baseFilename) == path.resolve():
                return path
            logger.removeHandler(h)  # one log file per process: the latest settings win
            h.close()
    try:
        private_dir(path.parent, tighten=True)
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if settings.mask_personal_data:
        handler.addFilter(_MaskPersonalData())
        import threading

        from assistant.privacy import warm_up

        threading.Thread(target=warm_up, name="mask-warm-up", daemon=True).start()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def get_logger(name: str = "") -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}" if name else LOGGER)
