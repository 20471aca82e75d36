# `make run` and `make test` are the contract with every newcomer: both set up whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

setup: $(VENV)/.installed node_modules/.installed $(MO) ## install Python and npm dependencies, compile catalogues

browser-deps: ## Debian's chromium, a JRE for the HTML checker and the DejaVu fonts for PDFs, when absent
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium fonts-dejavu-core)
	command -v java >/dev/null || (apt-get update && apt-get install -y default-jre-headless)
	# Receipts and statements embed our own fonts (templates/documents/): DejaVu from Debian.
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || (apt-get update && apt-get install -y fonts-dejavu-core)

run: setup ## migrate, then start the portal (8000), sandbox (8020) and SMTP sink (8025); Ctrl-C stops all
	$(BIN)/portal dev

migrate: setup ## bring the database to the newest schema
	$(BIN)/portal migrate

lint: setup ## ruff and mypy (strict on portal/)
	$(BIN)/ruff check portal sandbox tests a11y
	$(BIN)/ruff format --check portal sandbox tests a11y
	$(BIN)/mypy

test: setup browser-deps ## everything: lint, unit, integration (SQLite and PostgreSQL), browser
	@scripts/run-tiers lint unit integration postgres browser

test-fast: setup ## unit and integration on SQLite, for iteration
	@scripts/run-tiers unit integration

a11y: setup browser-deps ## the full accessibility matrix: every inventory state, both languages, both widths
	PORTAL_A11Y_FULL=1 timeout 25m $(BIN)/pytest tests/browser -m a11y -q

fuzz: setup ## fuzz every agency contract against a private sandbox (or FUZZ_BASE_URL), 200 examples an operation
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} timeout 30m $(BIN)/pytest tests/integration/test_sandbox_contracts.py -k fuzzing -q

i18n-extract: setup ## extract messages into locales/messages.pot
	$(BIN)/python scripts/i18n.py extract

i18n-update: setup ## extract, merge into the lv and en catalogues, compile (then: scripts/i18n.py missing)
	$(BIN)/python scripts/i18n.py update

i18n-compile: setup ## compile the catalogues
	$(BIN)/python scripts/i18n.py compile

.PHONY: help setup browser-deps run migrate lint test test-fast a11y fuzz i18n-extract i18n-update i18n-compile
