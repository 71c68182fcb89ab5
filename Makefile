# The two commands: `make run` (set up everything and serve) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-fast lint bench clean help translations

help:
	@echo "make run    set up .venv, the database and the demo, then serve http://$(HOST):$(PORT)"
	@echo "make test   install the dev extras and run the whole test suite"
	@echo "make lint   ruff"
	@echo "make bench  every bench/*.py on SQLite; with LMS_BENCH_DATABASE_URL=postgresql+psycopg://..."
	@echo "            set, readiness and sales again on that PostgreSQL server (load.py uses it too)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The interface's catalogues: compiled from the .po files in git whenever those change.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# After changing strings: extract them, update both catalogues, then translate the new Dutch
# entries (tests/unit/test_catalogues.py fails while one is empty or fuzzy).
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --add-location=file \
	    --sort-by-file --width 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
	    --ignore-obsolete --width 100
	$(BIN)/python translations/complete_english.py translations/en/LC_MESSAGES/messages.po

run: $(VENV)/.installed $(MO_FILES)
	$(BIN)/lms init
	$(BIN)/lms content sync --quiet
	$(BIN)/lms demo --if-empty
	@echo ""
	@echo "Serving Verkoopklaar on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/lms run --host $(HOST) --port $(PORT)

# One worker per core (pytest-xdist), a test file per worker: its module fixtures are built once.
test: $(VENV)/.installed-dev $(MO_FILES)
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check lms tests bench

# LMS_BENCH_DATABASE_URL: a database URL on a PostgreSQL server; each bench makes its own
# throwaway database there (load.py reads the variable itself and runs both engines).
bench: $(VENV)/.installed-dev
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	@if [ -n "$$LMS_BENCH_DATABASE_URL" ]; then \
	    for script in bench/readiness.py bench/sales.py; do \
	        echo "== $$script (PostgreSQL)"; \
	        $(BIN)/python $$script --database "$$LMS_BENCH_DATABASE_URL" || exit 1; \
	    done; \
	else echo "== PostgreSQL: skipped (set LMS_BENCH_DATABASE_URL)"; fi

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
