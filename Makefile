# The two set-up commands: `make demo` and `make test`. Each builds .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: preflight demo test lint typecheck unit diagrams schema statements bench clean validator browser graphviz screenshots mermaid

# One line for each thing this machine lacks (Python 3.11+ with venv; Graphviz for pictures).
preflight:
	@PYTHON=$(PYTHON) bash scripts/preflight.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

test: preflight lint typecheck validator browser
	mkdir -p .test-results
	$(BIN)/pytest --junitxml=.test-results/junit.xml $(PYTEST_ARGS)

# The web view's browser tests: Debian's Chromium (apt package chromium; Playwright's own
# browser download is never used) and axe-core from npm, in tests/browser/node_modules.
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser: $(AXE) graphviz
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "make: no Chromium (apt-get install chromium): the browser tests will skip"

# Graphviz draws the SVG and PNG diagrams (the CLI's and the web view's): installed like
# Chromium where make runs as root with apt; elsewhere preflight has said it is missing.
graphviz:
	@command -v dot >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && echo "make: installing Graphviz (apt-get install graphviz)" \
	  && apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; } \
	  || echo "make: no Graphviz (apt-get install graphviz): the SVG and PNG tests will skip"

$(AXE): tests/browser/package-lock.json
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && apt-get install -y -qq npm >/dev/null; } || true
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund --prefix tests/browser; \
	  else echo "make: no npm (apt-get install npm): the accessibility tests will skip"; fi

# mermaid-cli from npm, to check that the Mermaid diagrams render (in Debian's Chromium:
# puppeteer's own browser download is skipped). Optional for `make test` (some 500 MB of
# node modules); .ci/run installs it and requires that check to run.
MMDC := tests/integration/mermaid/node_modules/.bin/mmdc

mermaid: $(MMDC) browser

$(MMDC): tests/integration/mermaid/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund --prefix tests/integration/mermaid

# Refresh the README's screenshots (docs/screenshots) from the browser walkthrough.
screenshots: $(STAMP) browser
	CPW_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser -k "walkthrough and sqlite and goes_from"

# The DfE CIN census validator (PyPI csc-validator-be-cin) pins pandas 1.5, which needs
# numpy < 2: it lives in its own environment, run as a subprocess by
# tests/integration/test_census_validator.py.
VALIDATOR := .venv-validator
VALIDATOR_STAMP := $(VALIDATOR)/.installed

$(VALIDATOR_STAMP):
	$(PYTHON) -m venv $(VALIDATOR)
	$(VALIDATOR)/bin/pip install --quiet --upgrade pip
	$(VALIDATOR)/bin/pip install --quiet 'csc-validator-be-cin==0.1.13' 'numpy<2'
	touch $(VALIDATOR_STAMP)

validator: $(VALIDATOR_STAMP)

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

# Regenerate committed, generated files (tests fail when these are stale).
diagrams: $(STAMP)
	$(BIN)/cpw diagram --write-all diagrams

schema: $(STAMP)
	$(BIN)/python -m cpworkflow.store.schema_sql > eventstore/schema.sql

statements: $(STAMP)
	$(BIN)/python -m cpworkflow.store.sqlite_sql > src/cpworkflow/store/sqlite_statements.py
	$(BIN)/ruff format src/cpworkflow/store/sqlite_statements.py

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py

demo: preflight $(STAMP)
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) $(VALIDATOR) .pytest_cache .mypy_cache .ruff_cache .test-results
