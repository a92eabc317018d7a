# Leerlijn: `make run` installs and serves the app with demo data; `make test` installs and tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint install test-deps bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# gunicorn.conf.py (read from the project root) sets the worker class: threads, see README.
# The public base URL (credential ids, status lists, did:web, links, QR codes) follows HOST and
# PORT, unless the environment sets LEERLIJN_BASE_URL (0.0.0.0 or :: serve on 127.0.0.1).
ifeq ($(strip $(LEERLIJN_BASE_URL)),)
run: export LEERLIJN_BASE_URL = http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
endif

run: install
	@echo "LEERLIJN_BASE_URL=$$LEERLIJN_BASE_URL"
	$(BIN)/flask --app wsgi seed
	$(BIN)/gunicorn --config gunicorn.conf.py --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# Node + the independent verifier, Debian's chromium, PostgreSQL: installed once, then cached.
test-deps: install
	bash scripts/install-test-deps.sh

# Lint, types and architecture rules first (seconds), then every test suite.
lint: install
	$(BIN)/ruff check app tests bench migrations wsgi.py
	$(BIN)/ruff format --check app tests bench migrations wsgi.py
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install test-deps lint
	$(BIN)/python -m pytest

bench: install test-deps
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache interop/node_modules test-artifacts
