# The two commands of the README. Each sets up what it needs (a virtual environment in .venv,
# re-installed when pyproject.toml changes) and then does its job.
#   make run    set up and start the app
#   make test   set up and run the whole suite: lint, format check, tests
# and, for packaging:
#   make bundle build the one-folder app in dist/ketadesk/ (installs PyInstaller first)
#   make bench  run the benchmarks and print the table (README, Performance)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format clean bundle bench

run: $(VENV)/.runtime
	$(BIN)/ketadesk

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bundle: $(VENV)/.bundle
	$(BIN)/python -m PyInstaller build_app.spec --noconfirm --clean
	@echo "Built dist/ketadesk/ ($$(du -sh dist/ketadesk | cut -f1)); try: dist/ketadesk/ketadesk --self-test"

bench: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/run.py

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.runtime

$(VENV)/.bundle: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e . "pyinstaller==6.22.3"
	touch $@ $(VENV)/.runtime

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
