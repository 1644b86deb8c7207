"""hotline-assistant core: call sessions, field extraction, tickets, QA scoring.

Pure logic: no terminal I/O and no Textual. The same core serves the TUI, the batch
CLI and replay. Importing this package loads nothing but the version; each part is
imported on its own.

Subpackages and modules:

* :mod:`assistant.core` — the pure call model: :class:`~assistant.core.session.CallSession`,
  its state types, dialogue acts, the latched verdict, deadlines, alerts, questions,
  read-back and replay;
* :mod:`assistant.evaluation` — whole calls through the call model, scored (`hotline
  eval-calls`), and their ASR-style variant;
* :mod:`assistant.extract` — ticket fields from one utterance (name, phone, address, time,
  request draft);
* :mod:`assistant.store` — tickets, audit trail and duplicate matching in the database;
* :mod:`assistant.files` — call files: draft journals, session recordings, exports, samples;
* :mod:`assistant.qa` — call scorecards, trainee scoring and their reports;
* :mod:`assistant.setup` — model status and downloads (`hotline models`);
* :mod:`assistant.cli` — the headless `hotline` commands;
* :mod:`assistant.batch` — `hotline analyze`: one JSON Lines record in, one out;
* :mod:`assistant.labels` — display labels (speaker, verdict, urgency, ...);
* :mod:`assistant.lazy` — lazy package exports (PEP 562) for `core` and `files`;
* :mod:`assistant.settings` — typed settings; :mod:`assistant.errors` — the exception tree;
* :mod:`assistant.privacy` — masking of personal data;
* :mod:`assistant.applog` — the seat's log file;
* :mod:`assistant.services` — composition helpers (engine, store, speech from settings).
"""

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "applog",
    "batch",
    "cli",
    "core",
    "errors",
    "evaluation",
    "extract",
    "files",
    "labels",
    "lazy",
    "privacy",
    "qa",
    "services",
    "settings",
    "setup",
    "store",
]
