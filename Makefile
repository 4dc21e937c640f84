# ARTUI: `make run` opens the workstation, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-deep bench bench-small lint fmt wheel clean venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/artui

test: $(STAMP)
	$(PYTEST) -n 2 --dist loadgroup tests

test-deep: $(STAMP)
	ARTUI_DEEP=1 $(PYTEST) -n 2 --dist loadgroup tests

bench: $(STAMP)
	ARTUI_BENCH=full $(PYTEST) -s -p no:xdist tests/benchmarks

bench-small: $(STAMP)
	ARTUI_BENCH=small $(PYTEST) -s -p no:xdist tests/benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

wheel: $(STAMP)
	$(BIN)/python -m pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache .hypothesis
