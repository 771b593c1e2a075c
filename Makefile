# reisverslag: `make run` starts the product, `make test` checks it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser-installed

.PHONY: run test lint typecheck unit bench install clean system-deps catalogues

run: $(STAMP)  ## `make run RUN_ARGS="--lang en"` for the console in English
	$(BIN)/reisverslag run $(RUN_ARGS)

test: $(STAMP) $(BROWSER_STAMP) lint typecheck
	bash scripts/with-postgres.sh $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

install: $(STAMP) $(BROWSER_STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian's chromium + chromedriver and axe-core from npm, for the public register's browser test.
$(BROWSER_STAMP): $(STAMP) scripts/browser-deps.sh tests/browser/package-lock.json
	@bash scripts/browser-deps.sh
	touch $(BROWSER_STAMP)

# The bot's words: extract the msgids from the code, update each language's .po, compile the .mo
# (both committed, so a fresh clone and `pip install .` have working catalogues).
I18N := bot/i18n
catalogues: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k N_ -k msg --no-location \
		--sort-output --project reisverslag -o $(I18N)/messages.pot bot
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N)/locale -D messages --width 100 \
		--ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(I18N)/locale -D messages --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/browser/node_modules test-output
