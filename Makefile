# `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_UPSTREAM_PORT ?= 8001

.PHONY: install run test lint fmt bench schema clean prod-local prod-local-stop prod-local-status

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# Serves the embedded default: SQLite, database-backed counter, demo upstream.
# DEBUG defaults to true here, so no SECRET_KEY is needed on a developer's machine.
run: install
	@set -e; export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py migrate --noinput; \
	if [ -z "$$MOVIES_API_URL" ] && ! grep -qs '^MOVIES_API_URL=.' .env; then \
		$(PY) manage.py demo_upstream --host 127.0.0.1 --port $(DEMO_UPSTREAM_PORT) & \
		upstream=$$!; trap 'kill $$upstream 2>/dev/null' EXIT; \
		export MOVIES_API_URL=http://127.0.0.1:$(DEMO_UPSTREAM_PORT)/api/v1/maya/movies/; \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	SECRET_KEY=$${SECRET_KEY:-insecure-test-only-key-not-for-production-use} DEBUG=false $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-exports the committed GraphQL SDL after a schema change.
schema: install
	SECRET_KEY=schema-export DEBUG=false $(PY) manage.py export_schema --path graphql_api/schema.graphql

# The whole API side by side with a floor, on PostgreSQL and Redis (BENCH_ARGS="--rounds 5 --seconds 10";
# "--smoke": every scenario for a second, checking it answers 2xx). Installs wrk when missing and possible.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| { echo "wrk is missing: apt-get install wrk"; exit 1; }
	$(PY) -m benchmarks.run $(BENCH_ARGS)

# The production topology on this machine (README, "Production"): nginx (installed when missing and root),
# two gunicorn instances, PostgreSQL and Redis from DATABASE_URL/REDIS_URL (the local ones by default).
# PROD_LOCAL_ARGS="--port 8080 --app-ports 8101,8102 --workers 2 --threads 4"; everything it starts is under .prod-local/.
prod-local: install
	$(PY) -m deploy.local start $(PROD_LOCAL_ARGS)

prod-local-stop: install
	$(PY) -m deploy.local stop $(PROD_LOCAL_ARGS)

prod-local-status: install
	$(PY) -m deploy.local status $(PROD_LOCAL_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
