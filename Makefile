# Quick start: `make run` produces the example briefings; `make test` runs lint and every test;
# `make lab` installs JupyterLab and opens the notebooks.
# Both create .venv on first use. Needs Python 3.11+ (set PYTHON=... to choose one).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
QUARTER ?= 2019-20-Q4

.PHONY: run test lint lab bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/toolkit run --all --quarter $(QUARTER)
	@echo "Open outputs/$(QUARTER)/index.html (one briefing per report in outputs/$(QUARTER)/<report>/briefing.html)."

# JupyterLab for analysts, opened on notebooks/ (the briefing notebook runs there as it is).
lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab notebooks/

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/toolkit

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_policeuk.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf outputs/*/ outputs/.cache
