"""Composition helpers: build the knowledge engine, ticket store and speech engine from
settings. The CLI, the TUI factory, benchmarks and tests all go through these, so every
entry point wires the parts the same way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    from asr.engine import EngineFactory
    from knowledge.engine import KnowledgeEngine


def build_engine(settings: Settings, *, load_in_background: bool = True) -> KnowledgeEngine:
    """The knowledge engine (catalogue, rules, scripts, hybrid search) for these settings.

    With ``load_in_background`` the place gazetteer is loaded in a background thread as well
    (0.4 s from its cache, seconds on a first parse), so that the first address a caller
    gives during a live call does not wait for it."""
    from knowledge.engine import KnowledgeEngine

    if load_in_background:
        from assistant.extract import load_places

        threading.Thread(target=load_places, name="places-load", daemon=True).start()
    return KnowledgeEngine.create(
        catalogue_paths=settings.catalogue_paths or None,
        embedding_backend=settings.embedding_backend,
        embedding_model=settings.embedding_model,
        cache_dir=settings.vector_cache_dir,
        load_in_background=load_in_background,
    )


def open_store(settings: Settings) -> Any:
    """The ticket store at ``settings.effective_database_url`` (SQLite file by default), with
    this seat's id and duplicate window, and the drafts folder for the copy of a ticket the
    database could not take (disk full, server down)."""
    from asr.fileio import private_dir
    from assistant.store import TicketStore

    private_dir(settings.data_dir)
    return TicketStore.open(
        settings.effective_database_url,
        seat_id=settings.seat_id,
        duplicate_window_days=settings.duplicate_window_days,
        drafts_dir=settings.drafts_dir,
    )


def create_asr(settings: Settings, engine: str | None = None) -> tuple[EngineFactory, str]:
    """The speech engine and the reason it was chosen (for status bars and `models status`)."""
    from asr.select import create_engine

    return create_engine(
        engine or settings.asr_engine,
        vosk_model=settings.vosk_model,
        whisper_model=settings.whisper_model,
        models_dir=settings.models_dir,
        whisper_hotwords=whisper_hotwords(settings),
    )


def whisper_hotwords(settings: Settings) -> str | None:
    """``whisper_hotwords``: empty = none, ``catalogue`` = domain words derived from the
    dispatch catalogue (``Catalogue.hotwords``), anything else = the words as given."""
    value = (settings.whisper_hotwords or "").strip()
    if not value:
        return None
    if value != "catalogue":
        return value
    from knowledge.catalogue import load_catalogue

    return " ".join(load_catalogue(settings.catalogue_paths or None).hotwords()) or None
