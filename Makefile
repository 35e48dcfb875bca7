# Claimdesk: `make run` sets everything up and serves the app; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per requirements file content: production (make run) and development (make test) installs.
REQ_HASH := $(shell cat requirements.txt | sha256sum | cut -c1-16)
DEV_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(DEV_HASH)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev test-fast run test browser lint bench evaluate migrate demo check-deploy clean-data serve worker bench-pages load load-desk wrk audit probe

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(filter-out $(DEV_STAMP),$(wildcard $(VENV)/.installed-*))
	@touch $@

# The dev install includes production's (requirements-dev.txt starts with -r requirements.txt).
$(DEV_STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@ $(STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo ""
	@echo "  Claimdesk is running at http://$(HOST):$(PORT)/"
	@echo "  Log in as editor / claimdesk-demo   (also: viewer, admin; same password)"
	@echo "  Stop with Ctrl-C (it stops the background ingest worker too)."
	@echo ""
	@# The ingest worker files bulk uploads; it runs beside the dev server and stops with it.
	@$(BIN)/python manage.py ingest_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The background ingest worker on its own (a second terminal, or a service in production).
worker: migrate
	$(BIN)/python manage.py ingest_worker

# Production-style serving: production settings from the environment (DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...; see README "Production"), static files collected for
# whitenoise, migrations applied, gunicorn with 2 workers (config/gunicorn.py) and one ingest worker.
PROD := DJANGO_SETTINGS_MODULE=config.settings.production
serve: install
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD) $(BIN)/python manage.py migrate --noinput
	@$(PROD) $(BIN)/python manage.py ingest_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(PROD) GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} $(BIN)/gunicorn config.wsgi -c config/gunicorn.py

# Browser tests use Debian's chromium; Playwright cannot download a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The whole suite: lint and types first (ruff, mypy; ~20 s cold), then every test.
test: install-dev browser lint
	$(BIN)/python -m pytest

# Every test but the browser ones, without lint.
test-fast: install-dev
	$(BIN)/python -m pytest -m "not browser"

# ruff, mypy, the import contracts (pyproject.toml [tool.importlinter]) and no missing migration.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy claims_app claimdesk_dev config
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

evaluate: install-dev migrate
	@echo "== development set (eval/extraction)"
	$(BIN)/python manage.py evaluate_extraction
	@echo "== held-out set (eval/heldout)"
	$(BIN)/python manage.py evaluate_extraction --gold eval/heldout
	@echo "== statement origins (eval/origins)"
	$(BIN)/python manage.py evaluate_origins

bench: install-dev migrate
	$(BIN)/python bench/ingest.py

# Page costs at 10k and 200k synthetic claims against baselines, in a separate database (.data/bench).
bench-pages: install-dev
	$(BIN)/python bench/pages.py

# Debian's wrk drives the load test.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk for the load test..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# 60 s of list/detail/status-change traffic against gunicorn (2 workers) on loopback; fails on any error.
# REPORT=1 also prints the top routes and queries by total and p99 time (request timing log, pg_stat_statements).
# Hunting the tail (docs/performance.md, "Load"): RUNS=N runs wrk N times against one gunicorn, a row per run with
# each run's routes by p99 and 3 slowest requests, and whether every p99 < 1 s; FRESH=1 drops and regenerates the
# claims first (right after a bulk load); INGEST=N has ingest_worker file N queued articles meanwhile (throughput
# beside the web figures); INGEST_ALONE=N measures that ingest with no web load. LOAD_SECONDS, LOAD_CLAIMS and
# CLAIMS_DATA_DIR (default .data/bench) apply to every mode.
load: install wrk
	$(BIN)/python bench/load.py $(if $(REPORT),--report) $(if $(RUNS),--runs $(RUNS)) $(if $(FRESH),--fresh-load) \
		$(if $(INGEST),--ingest $(INGEST)) $(if $(INGEST_ALONE),--ingest-alone $(INGEST_ALONE))

# Open loop like a desk (bench/openloop.py): the maximum throughput from a 20 s closed-loop wrk run (or MAX=req/s),
# then LOAD_SECONDS of Poisson arrivals at each fraction in LEVELS (default 0.5,0.8): list 40%, search 20%, claim
# page 30%, status change 9%, upload 1%; per route p50/p95/p99 from the scheduled send time, errors, and whether
# reads' p99 < 300 ms and writes' p99 < 600 ms. FRESH=1 and INGEST=N as for `make load`.
load-desk: install-dev wrk
	$(BIN)/python bench/openloop.py $(if $(MAX),--max $(MAX)) $(if $(LEVELS),--levels $(LEVELS)) \
		$(if $(FRESH),--fresh-load) $(if $(INGEST),--ingest $(INGEST)) $(if $(WORKERS),--workers $(WORKERS))

# Hostile input against gunicorn with production settings on loopback, on a fresh database in .data/probe (a few
# minutes): prints inputs, requests, 5xx, raw script renders, formula cells, lost updates and permission leaks, and
# fails on any finding. JSON=1 prints JSON; URL=http://... probes a running `make serve` (bench/security_probe.py).
probe: install
	$(BIN)/python bench/security_probe.py $(if $(JSON),--json) $(if $(URL),--url $(URL))

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		DJANGO_ALLOWED_HOSTS=claimdesk.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in the pinned requirements (pip-audit); says so and exits 0 when the advisory data
# cannot be reached, so CI never fails for lack of network (config/dependency_audit.py).
audit: install-dev
	$(BIN)/python -m config.dependency_audit

clean-data:
	rm -rf .data
