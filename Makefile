# The two commands the README starts with: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install test e2e lint format messages clean

run: setup
	@echo "Serving on http://$(HOST):$(PORT)/ with a task worker (Ctrl+C stops both)."
	@$(BIN)/python manage.py qcluster & QPID=$$!; \
	trap 'kill $$QPID 2>/dev/null; wait $$QPID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: install .env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Local settings for `make run`: debug on, a random secret of its own.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=1, a random SECRET_KEY)."

# One worker per core (pytest-xdist); test databases are kept between runs
# (--reuse-db in pyproject.toml): `make test ARGS=--create-db` rebuilds them.
test: install
	$(BIN)/pytest -n auto $(ARGS)

# Browser tests flush the database after each test (live server), which a
# kept database would not survive: they always start from a fresh one.
e2e: install
	$(BIN)/pytest -m e2e --create-db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh locale/fr after changing user-facing strings, translate, then compile.
messages: install
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemessages -l fr --no-obsolete -i '.venv/*' -i 'staticfiles/*'
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py compilemessages -l fr -i '.venv'

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles .pytest_cache .mypy_cache
