# Each target bootstraps the virtual environment it needs; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast lint lab bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[pdf,dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/rar validate parameters/sample.yaml
	$(BIN)/rar run parameters/sample.yaml

# The whole suite: lint, unit and end-to-end tests, and every notebook run top to bottom.
test: lint
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval-lax notebooks/

# No kernel, no browser, no `rar run`: under a minute on two cores.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -m "not slow" -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

schema: $(STAMP)
	$(BIN)/rar schema > docs/data_dictionary.md

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_reports.py
