# The README's commands. Only Python 3.11+ and make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test test-fast lint fmt load bench screenshots clean

$(VENV)/installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# openapi-python-client, for the generated-client test, in a venv of its own (it caps typer below ours).
$(VENV)/tools/installed: requirements-clientgen.txt
	$(PYTHON) -m venv $(VENV)/tools
	$(VENV)/tools/bin/pip install --quiet --disable-pip-version-check -r requirements-clientgen.txt
	touch $@

## Set up and serve the website and API on http://$(HOST):$(PORT) from the bundled catalog.
serve: $(VENV)/installed
	$(BIN)/mentordir serve --host $(HOST) --port $(PORT)

## Set up and run the whole check: lint, types, the catalog, and the test suite.
test: lint $(VENV)/tools/installed
	$(BIN)/pytest

## While working: the quick tests only (no browser, PostgreSQL or slow ones) on two processes, in under a minute.
test-fast: $(VENV)/installed
	$(BIN)/pytest -q -m "not browser and not postgres and not slow" -n 2 --dist loadfile

lint: $(VENV)/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/mentordir validate data/programs.yaml

fmt: $(VENV)/installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

load: $(VENV)/installed
	$(BIN)/mentordir load

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

## Save screenshots of the main pages at 1280 px and 390 px widths into screenshots/ (needs Debian's chromium).
screenshots: $(VENV)/installed
	PYTHONPATH=. $(BIN)/python scripts/screenshots.py

## Run the benchmark suite at 1k and 10k programs (a few minutes); prints a markdown table, saved in bench/out/.
bench: $(VENV)/installed
	PYTHONPATH=. $(BIN)/python -m bench.run --sizes 1000 10000 --workers 2
