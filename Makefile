# `make run` serves the demo petition embedded (SQLite, eager tasks, console email).
# `make test` runs the whole suite against real PostgreSQL and Redis (installing Chromium and gettext with apt, and
# axe-core with `npm ci`, first when they are missing); `make test-fast` runs the unit tests, which need neither.
# `make bench` starts the production configuration on loopback and prints the benchmark table
# (docs/BENCHMARKS.md; BENCH_QUICK=1 for a seconds-long run).

# The distribution's CPython 3.11 when it can make a virtualenv, else python3 from PATH: Debian
# builds it with profile-guided and link-time optimisation, as the image's python:3.11 is built,
# where a CPython built from source without them (pyenv's) spent 10-50 % more CPU on the same
# requests (docs/BENCHMARKS.md, "Issue 15: the interpreter"). `make venv PYTHON=...` picks another.
SYSTEM_PYTHON := /usr/bin/python3.11
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/petition
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: venv run test test-fast test-tools lint migrations-check messages bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# DEBUG is off unless set: development commands turn it on for themselves.
run: export DEBUG = 1
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:8000/ (confirmation emails, with their links, are printed below)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv test-tools
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# Pure functions and the import graph: no PostgreSQL, no Redis, a few seconds.
test-fast: venv
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m pytest -m unit $(PYTEST_ARGS)

test-tools:
	scripts/install-test-tools

lint: venv
	$(BIN)/ruff check .

# The 24 official languages of the EU (settings.LANGUAGES). Needs GNU gettext.
LANGUAGES := bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=staticfiles --ignore=media

# Refresh locale/*/LC_MESSAGES/django.po from the source, then compile the .mo files (both are committed).
messages: export DEBUG = 1
messages: venv
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) --add-location=file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages $(MESSAGES_IGNORE)

bench: venv
	$(BIN)/python -m bench.run

migrations-check: export DEBUG = 1
migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
