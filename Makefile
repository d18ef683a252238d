# Newsroom: `make run` serves the demo site, `make test` runs the whole suite.
VENV := .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install e2e-tools run test lint messages bench

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --editable ".[dev]"
	touch $@

# What the browser tests load (axe-core, the W3C HTML checker), pinned by the lockfile;
# install scripts never run and no browser is downloaded.
E2E_NODE := tests/e2e/node
$(E2E_NODE)/node_modules/.installed: $(E2E_NODE)/package-lock.json
	cd $(E2E_NODE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The site and its tools, from PyPI only.
install: $(VENV)/.installed

# The browser tests' tools, when npm is here (`make test` asks for them).
e2e-tools:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(E2E_NODE)/node_modules/.installed; \
	else echo "NOTE: npm not found: the browser tests (tests/e2e) will be skipped."; fi

# Development settings that every manage.py command reads (newsroom/settings.py): written
# once, readable by its owner only, never committed (.gitignore).
ENV_FILE := .env
$(ENV_FILE):
	python3 -c 'import secrets; print("# Development settings written by make run. Never commit this file;\n# it is ignored wherever DJANGO_DEBUG or DJANGO_SECRET_KEY is set.\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY=" + secrets.token_urlsafe(50) + "\nNEWSROOM_DEMO_PASSWORD=" + secrets.token_urlsafe(12))' > $@.tmp
	chmod 600 $@.tmp && mv $@.tmp $@

# Development server on the embedded SQLite database, with demo content; the demo
# accounts and their password are the last thing printed before the server starts.
run: install $(ENV_FILE)
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py loaddemo
	$(PYTHON) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; set DATABASE_URL to run it on PostgreSQL.
# The browser tests run when /usr/bin/chromium exists; NEWSROOM_E2E_REQUIRED=1 fails them otherwise.
test: install e2e-tools
	@test -x /usr/bin/chromium || echo "NOTE: /usr/bin/chromium not found: the browser tests" \
		"(tests/e2e) will be SKIPPED. Install it with: apt-get install chromium"
	$(PYTHON) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Rebuild the message catalogues after changing user-facing strings (needs GNU gettext).
messages: export DJANGO_DEBUG ?= 1
messages: install
	$(PYTHON) manage.py makemessages --locale ar --locale en --ignore ".venv/*" --ignore "tests/*" --ignore "benchmarks/*" --no-obsolete
	$(PYTHON) manage.py compilemessages --ignore ".venv/*"

# Benchmarks (not tests: none fails on a time); each script prints its own table or line.
# Pages: N generated articles on PostgreSQL (10,000 by default: `make bench N=100000`),
# gunicorn and wrk on loopback, Redis for the shared cache. Imports, search and the load
# run use the PostgreSQL database DATABASE_URL names (by default the 100,000-article one
# on 127.0.0.1, filled on first use; imports and the load run in throw-away copies).
# At N above 100,000 (`make bench N=1000000`) every script uses the N-article database.
N ?= 10000
BENCH_SEARCH_N := $(shell [ $(N) -gt 100000 ] && echo $(N) || echo 100000)
BENCH_DATABASE_URL := postgres://postgres@127.0.0.1:5432/newsroom_bench_$(BENCH_SEARCH_N)
BENCHMARKS := \
	benchmarks/web.py \
	benchmarks/import_wxr.py \
	benchmarks/renditions.py \
	benchmarks/search.py \
	benchmarks/load_run.py

bench: export N := $(N)
bench: export BENCH_SEARCH_N := $(BENCH_SEARCH_N)
bench: export DJANGO_DEBUG ?= 1
bench: export DATABASE_URL ?= $(BENCH_DATABASE_URL)
bench: install
	@for script in $(BENCHMARKS); do $(PYTHON) $$script || exit 1; done
