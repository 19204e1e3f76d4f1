# `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_UPSTREAM_PORT ?= 8001
# The example single-page app (examples/spa): `make run` lets its origins call the API.
SPA := examples/spa
SPA_PORT ?= 5173
SPA_ORIGINS := http://127.0.0.1:$(SPA_PORT),http://localhost:$(SPA_PORT)
SPA_INSTALLED := $(SPA)/node_modules/.installed
SPA_BUILT := $(SPA)/dist/index.html
SPA_SOURCES := $(shell find $(SPA)/src $(SPA)/public -type f -not -path '*/generated/*' 2>/dev/null) \
	$(addprefix $(SPA)/,index.html package.json codegen.ts tsconfig.json vite.config.ts) graphql_api/schema.graphql
# SKIP_BROWSER_TESTS=1: `make test` neither builds the SPA nor runs the browser tests (no Chromium or node needed).
BROWSER_TESTS := $(if $(SKIP_BROWSER_TESTS),,spa-build)

.PHONY: install run test lint fmt bench bench-smoke schema clean spa spa-build screenshots prod-local prod-local-stop prod-local-status

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
	if [ -z "$$CORS_ALLOWED_ORIGINS" ] && ! grep -qs '^CORS_ALLOWED_ORIGINS=' .env; then \
		export CORS_ALLOWED_ORIGINS=$(SPA_ORIGINS); \
	fi; \
	$(PY) manage.py migrate --noinput; \
	if [ -z "$$MOVIES_API_URL" ] && ! grep -qs '^MOVIES_API_URL=.' .env; then \
		$(PY) manage.py demo_upstream --host 127.0.0.1 --port $(DEMO_UPSTREAM_PORT) & \
		upstream=$$!; trap 'kill $$upstream 2>/dev/null' EXIT; \
		export MOVIES_API_URL=http://127.0.0.1:$(DEMO_UPSTREAM_PORT)/api/v1/maya/movies/; \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install $(BROWSER_TESTS)
	SECRET_KEY=$${SECRET_KEY:-insecure-test-only-key-not-for-production-use} DEBUG=false $(PY) -m pytest \
		$(if $(SKIP_BROWSER_TESTS),-m "not browser") $(PYTEST_ARGS)

$(SPA_INSTALLED): $(SPA)/package.json $(SPA)/package-lock.json
	cd $(SPA) && npm ci --no-audit --no-fund
	touch $(SPA_INSTALLED)

$(SPA_BUILT): $(SPA_INSTALLED) $(SPA_SOURCES)
	cd $(SPA) && npm run build

# Builds the SPA (codegen, type check, bundle) into examples/spa/dist when its sources changed.
spa-build: $(SPA_BUILT)

# The SPA on http://127.0.0.1:5173 beside the API of `make run` on http://$(HOST):$(PORT).
spa: install spa-build
	@set -e; printf '{ "apiUrl": "http://%s:%s/graphql/" }\n' $(HOST) $(PORT) > $(SPA)/dist/config.json; \
	$(SPA)/node_modules/.bin/vite preview $(SPA) --host 127.0.0.1 --port $(SPA_PORT) --strictPort & \
	preview=$$!; trap 'kill $$preview 2>/dev/null' EXIT; \
	$(MAKE) --no-print-directory run

# Re-takes the README's screenshots (docs/screenshots/) with the browser tests.
screenshots: install spa-build
	SECRET_KEY=insecure-test-only-key-not-for-production-use DEBUG=false $(PY) -m pytest -q -m browser \
		--screenshots-dir docs/screenshots tests/browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-exports the committed GraphQL SDL after a schema change.
schema: install
	SECRET_KEY=schema-export DEBUG=false $(PY) manage.py export_schema --path graphql_api/schema.graphql

# The whole API side by side with a floor, on PostgreSQL and Redis (BENCH_ARGS="--rounds 5 --seconds 10").
# Installs wrk when missing and possible.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| { echo "wrk is missing: apt-get install wrk"; exit 1; }
	$(PY) -m benchmarks.run $(BENCH_ARGS)

# Every benchmark scenario once, on the same servers and data: does each answer 2xx? (CI; no wrk needed)
bench-smoke: install
	$(PY) -m benchmarks.run --smoke

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
	rm -rf $(VENV) .pytest_cache .ruff_cache $(SPA)/node_modules $(SPA)/dist $(SPA)/src/generated
