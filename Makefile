# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export INTAKE_INSTANCE_PATH ?= $(CURDIR)/instance
LINTED := intake channels staff tests tools cli.py flask_app.py

BABEL_EXTRACT := $(BIN)/pybabel extract -F translations/babel.cfg -k t -k mark -k plural:1,2 \
	--no-location --sort-output --width=100 --add-comments=Translators: -o translations/messages.pot .

.PHONY: run test system-packages install install-dev translations compile-translations db-upgrade frontend bench eval train lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## GOV.UK Frontend for the web form: npm packages (package-lock.json), compiled into a git-ignored folder.
GOVUK_DIR := channels/web/static/govuk
GOVUK_CSS := $(GOVUK_DIR)/govuk-frontend.min.css

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make: npm is not installed. The web form is built from npm packages: install Node.js 20 or newer with npm (on Debian or Ubuntu: sudo apt-get install nodejs npm), then run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Compiled from Sass so the font is a system stack rather than GDS Transport, which is GOV.UK's own.
$(GOVUK_CSS): node_modules/.installed channels/web/assets/govuk.scss
	mkdir -p $(GOVUK_DIR)
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps channels/web/assets/govuk.scss $@
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(GOVUK_DIR)/

# The staff console: GOV.UK Frontend and the MOJ Pattern Library (which loads GOV.UK's Sass by its own path, hence --load-path=.).
# --no-error-css: a failed build leaves no stylesheet that looks newer than its sources.
STAFF_DIR := staff/static/build
STAFF_CSS := $(STAFF_DIR)/staff.min.css
$(STAFF_CSS): node_modules/.installed staff/assets/govuk.scss staff/assets/staff.scss staff/assets/_fonts.scss
	mkdir -p $(STAFF_DIR)
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --load-path=. --quiet-deps --no-error-css staff/assets/govuk.scss $(STAFF_DIR)/govuk.min.css
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --load-path=. --quiet-deps --no-error-css staff/assets/staff.scss $@

# The console's script: GOV.UK Frontend's components and its js-enabled switch, the same files the web form uses.
STAFF_JS := $(STAFF_DIR)/govuk-frontend.min.js
$(STAFF_JS): node_modules/.installed channels/web/static/web/js-enabled.js
	mkdir -p $(STAFF_DIR)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js channels/web/static/web/js-enabled.js $(STAFF_DIR)/

frontend: $(GOVUK_CSS) $(STAFF_CSS) $(STAFF_JS)

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
run: install compile-translations db-upgrade frontend
	$(BIN)/intake run

## What the browser tests need from Debian (chromium, chromium-driver, fonts-noto-core, nodejs, npm):
## installed when missing and run as root, or named in the one command to run. First, as npm builds the frontend.
system-packages:
	tools/setup_system.sh

## The whole suite. INTAKE_TEST_DATABASE_URL adds PostgreSQL to the store tests.
test: system-packages install-dev compile-translations frontend
	$(BIN)/ruff check $(LINTED)
	$(BIN)/pytest -n auto

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

## Speed and accuracy, as ratios to baselines measured in the same run.
## tests.bench_queue fills a PostgreSQL database: INTAKE_BENCH_DATABASE_URL, by default bench15 on the local server.
bench: $(VENV)/.installed-bench compile-translations
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_language
	$(BIN)/python -m tests.bench_sms
	$(BIN)/python -m tests.bench_nlp
	$(BIN)/python -m tests.bench_queue

## Precision, recall and F1 of intake.nlp per label and language on tests/data/nlp/.
## Dev and the frozen set side by side, with Wilson 95% intervals (tests/nlp_eval.py says what each set is).
eval: install-dev
	$(BIN)/python -m tests.nlp_eval

## Retrain the NLP classifier from tests/data/nlp/train/ (seeded: a test checks the shipped files match).
train: install-dev
	$(BIN)/python tools/train_nlp.py

lint: install-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules $(GOVUK_DIR)
	find translations -name '*.mo' -delete
