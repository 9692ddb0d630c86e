# Two commands do all set-up (see README): `make serve` and `make test`.
# Each creates the virtual environment and installs what it needs first:
# `make serve` the package alone, `make test` also the test tools.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: serve test lint venv browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# one stamp per set of extras, so that serving never installs the test tools
$(VENV)/.installed-serve: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-serve

venv: $(VENV)/.installed-test

serve: $(VENV)/.installed-serve
	$(BIN)/sldkg serve

browser:
	bash tests/browser/ensure-chromium.sh

# ruff (lint and format) and mypy (strict on the package), configured in pyproject.toml;
# `make test`, and with it .ci/run, runs it before the tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks
	$(BIN)/mypy

test: $(VENV)/.installed-test browser lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
