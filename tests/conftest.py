"""Shared test set-up: isolate every test run from the user's own config and data.

Real components are reached through environment variables that `.ci/run` / the Makefile set:
``HOTLINE_EMBEDDING_MODEL`` (a sentence-transformers folder), ``HOTLINE_TEST_AUDIO_DIR``
(real Mandarin clips) and ``HOTLINE_MODELS_DIR`` (Whisper base assembled from PyPI).
With ``HOTLINE_TEST_REQUIRE_REAL=1`` (CI) a missing real component fails the test instead of
skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The embedding model configured for the real-model tests (before isolation below hides it).
REAL_EMBEDDING_MODEL = os.environ.get("HOTLINE_EMBEDDING_MODEL")
REAL_AUDIO_DIR = os.environ.get("HOTLINE_TEST_AUDIO_DIR")
REQUIRE_REAL = os.environ.get("HOTLINE_TEST_REQUIRE_REAL") == "1"


def need_real(what: str, available: bool) -> None:
    """Skip (locally) or fail (CI) when a real component is missing."""
    if available:
        return
    if REQUIRE_REAL:
        pytest.fail(f"{what} is required in CI (HOTLINE_TEST_REQUIRE_REAL=1) but missing")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session", autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point data, cache and config at a temporary home for the whole run."""
    base = tmp_path_factory.mktemp("hotline-home")
    os.environ["HOTLINE_DATA_DIR"] = str(base / "data")
    os.environ["HOTLINE_CACHE_DIR"] = str(base / "cache")
    os.environ["HOTLINE_CONFIG"] = str(base / "config.toml")
    if "HOTLINE_MODELS_DIR" not in os.environ:
        os.environ["HOTLINE_MODELS_DIR"] = str(ROOT / ".models")


@pytest.fixture(scope="session")
def embedding_model_path() -> str:
    need_real(
        "HOTLINE_EMBEDDING_MODEL (a sentence-transformers model folder)",
        bool(REAL_EMBEDDING_MODEL) and Path(str(REAL_EMBEDDING_MODEL)).is_dir(),
    )
    return str(REAL_EMBEDDING_MODEL)


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    need_real(
        "HOTLINE_TEST_AUDIO_DIR (real Mandarin clips)",
        bool(REAL_AUDIO_DIR) and Path(str(REAL_AUDIO_DIR)).is_dir(),
    )
    return Path(str(REAL_AUDIO_DIR))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return ROOT / "audio_samples"
