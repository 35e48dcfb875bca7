# Claimdesk: `make run` sets everything up and serves the app; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REQ_HASH := $(shell sha256sum requirements.txt | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test browser lint bench evaluate migrate demo check-deploy clean-data

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo ""
	@echo "  Claimdesk is running at http://$(HOST):$(PORT)/"
	@echo "  Log in as editor / claimdesk-demo   (also: viewer, admin; same password)"
	@echo "  Stop with Ctrl-C."
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests use Debian's chromium; Playwright cannot download a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

evaluate: migrate
	$(BIN)/python manage.py evaluate_extraction

bench: migrate
	$(BIN)/python bench/ingest.py

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		DJANGO_ALLOWED_HOSTS=claimdesk.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean-data:
	rm -rf .data
