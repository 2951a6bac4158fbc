# exitanalysis: two commands do everything (see README).
#   make report   set up .venv on first use, then run the default config
#   make test     same set-up, then the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
CONFIG ?= configs/exitpakke.yaml
PYTEST_ARGS ?=
RUN_ARGS ?=
BENCH_ARGS ?=
LAB_ARGS ?=

.PHONY: help setup report test lab lint synth validate lock clean browser bench

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "exitanalysis needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e ".[dev]"
	@# the notebooks' kernel, "Python (exitanalysis)": for make lab and the nbval tests
	$(BIN)/python -c 'from exitanalysis.lab import install_kernel; install_kernel()'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned set (only when needed)

report: $(STAMP)  ## run the default config into reports/ (RUN_ARGS="--jobs 1" etc.)
	$(BIN)/exitanalysis run $(CONFIG) $(RUN_ARGS)

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download is not used). Installs it when missing and we may (root or sudo).
CHROMIUM := $(shell command -v chromium || command -v chromium-browser || true)
browser:  ## install Chromium for the browser tests when it is missing
	@if [ -z "$(CHROMIUM)" ] && [ -z "$${EXITANALYSIS_CHROMIUM:-}" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "install Chromium (Debian: apt-get install chromium) for the browser tests"; \
	  exit 1; fi; \
	  echo "installing Debian's chromium for the browser tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(STAMP) browser  ## lint, type-check, then the whole test suite (notebooks and browser included)
	$(BIN)/ruff check --quiet src tests benchmarks
	$(BIN)/mypy --no-error-summary
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)  ## measure speed and memory into benchmarks/results.md (BENCH_ARGS="--repeat 5")
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

lab: $(STAMP)  ## JupyterLab with the kernel "Python (exitanalysis)"; prints the URL to open
	$(BIN)/python -m exitanalysis.lab $(LAB_ARGS)

validate: $(STAMP)  ## validate the default config and its inputs only
	$(BIN)/exitanalysis validate $(CONFIG)

synth: $(STAMP)  ## regenerate data/synthetic/ (same seed, same bytes)
	$(BIN)/exitanalysis synth --out data/synthetic

lock: $(STAMP)  ## rewrite the pinned versions after a dependency change
	@sed -n '/^# /p;/^#$$/p' $(CONSTRAINTS) > $(CONSTRAINTS).new
	@$(BIN)/python -m pip freeze --exclude-editable --all | grep -vE '^(setuptools|wheel)==' >> $(CONSTRAINTS).new
	@mv $(CONSTRAINTS).new $(CONSTRAINTS)
	@echo "rewrote $(CONSTRAINTS); run make test"

clean:  ## remove .venv, generated reports and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info test-artifacts
	find reports -mindepth 1 -maxdepth 1 ! -name README.md ! -name .gitignore -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
