# Shtab: `make run` starts the whole system locally, `make test` runs every test.
# Both install what they need first, so they work on a fresh machine.
# `make backup` writes the local data folder to one file (BACKUP=path to choose
# it), `make restore BACKUP=path` loads one into an empty data folder (FORCE=1
# deletes what is there first), and `make demo` fills a running stack with a
# demo company.

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
PORT ?= 8000
DATA_DIR ?= .data
STAGE ?= dev

.PHONY: run test install frontend browser lint package bench clean backup restore demo

# Chalice 1.34 requires pip older than 26.3.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install --quiet --upgrade "pip<26.3"
	$(VENV_PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html -type f 2>/dev/null)
	cd frontend && npm run build

frontend: frontend/dist/index.html

# Debian's Chromium drives the browser tests; Playwright's own download is not used.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

run: install frontend
	PORT=$(PORT) DATA_DIR=$(DATA_DIR) $(VENV_PYTHON) -m shtab_local

test: install frontend browser
	$(VENV_PYTHON) -m pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check app.py chalicelib shtab_local tests bench infra
	$(VENV)/bin/ruff format --check app.py chalicelib shtab_local tests bench infra

package: install
	$(VENV_PYTHON) -m infra.package --stage $(STAGE) --out build/package-$(STAGE)

bench: install
	$(VENV_PYTHON) -m bench

backup: install
	$(VENV_PYTHON) -m shtab_local.backup create --data-dir $(DATA_DIR) $(if $(BACKUP),--output $(BACKUP))

restore: install
	@test -n "$(BACKUP)" || (echo "make restore needs BACKUP=path/to/backup.tar.gz" >&2; exit 2)
	$(VENV_PYTHON) -m shtab_local.backup restore --data-dir $(DATA_DIR) $(if $(filter 1,$(FORCE)),--force) $(BACKUP)

demo: install
	PORT=$(PORT) $(VENV_PYTHON) -m shtab_local.demo

clean:
	rm -rf build vendor frontend/dist
