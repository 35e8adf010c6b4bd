# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export INTAKE_INSTANCE_PATH ?= $(CURDIR)/instance
LINTED := intake channels tests tools cli.py flask_app.py

BABEL_EXTRACT := $(BIN)/pybabel extract -F translations/babel.cfg -k t -k plural:1,2 \
	--no-location --sort-output --width=100 --add-comments=Translators: -o translations/messages.pot .

.PHONY: run test install install-dev translations compile-translations db-upgrade bench eval lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Extract every reporter-facing word, update each catalog, compile them all.
translations: install
	$(BABEL_EXTRACT)
	$(BIN)/python tools/catalogs.py update
	$(BIN)/python tools/catalogs.py fill-source
	$(BIN)/python tools/catalogs.py compile

## Compiled catalogs are built, never committed (translations/*/LC_MESSAGES/*.mo is git-ignored).
compile-translations: install
	$(BIN)/python tools/catalogs.py compile

db-upgrade: install
	$(BIN)/intake db upgrade

## Serve on http://127.0.0.1:5000 with SQLite under instance/ and no credentials.
run: install compile-translations db-upgrade
	$(BIN)/intake run

## The whole suite. INTAKE_TEST_DATABASE_URL adds PostgreSQL to the store tests.
test: install-dev compile-translations
	$(BIN)/ruff check $(LINTED)
	$(BIN)/pytest

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

## Speed and accuracy, as ratios to baselines measured in the same run.
bench: $(VENV)/.installed-bench compile-translations
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_language
	$(BIN)/python -m tests.bench_sms
	$(BIN)/python -m tests.bench_nlp

## Precision, recall and F1 of intake.nlp per label and language on tests/data/nlp/.
eval: install-dev
	$(BIN)/python -m tests.nlp_eval

lint: install-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

clean:
	rm -rf $(VENV) instance .pytest_cache
	find translations -name '*.mo' -delete
