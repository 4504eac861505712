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

# An editable install leaves src/ uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# every process (each kernel zygote, each kernel of papermill) would compile the toolkit
# again: compile it once here. Python recompiles in memory any module edited since.
COMPILE := $(BIN)/python -m compileall -q src/toolkit > /dev/null

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(COMPILE)
	touch $(VENV)/.installed $@

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(COMPILE)
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(COMPILE)
	$(BIN)/toolkit run --all --quarter $(QUARTER)
	@echo "Open outputs/$(QUARTER)/index.html (one briefing per report in outputs/$(QUARTER)/<report>/briefing.html)."

# JupyterLab for analysts, opened on notebooks/ (the briefing notebook runs there as it is).
# JupyterLab refuses to start as root unless told to (containers often run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/toolkit

test: lint
	$(COMPILE)
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(COMPILE)
	$(BIN)/python benchmarks/bench_policeuk.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf outputs/*/ outputs/.cache
