# shian — set-up, demo, tests. Two commands do everything on a fresh machine:
#   make demo    installs everything and serves the demo district on http://127.0.0.1:8000
#   make check   installs everything and runs lint, types, the migration check and every test,
#                on SQLite and on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/shian
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-packages assets demo serve check lint types migrations-check test-sqlite test-postgres test-both pg-start bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

setup: $(BIN)/python system-packages assets
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/shian compilemessages --ignore=.venv --ignore=node_modules -v 0

# Debian packages the platform and its tests use: Chromium for the browser tests, a TrueType CJK
# font (WenQuanYi Micro Hei: reportlab embeds it in PDFs, matplotlib draws charts with it, and
# pages and screenshots render Chinese with it), gettext to compile translations.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Front-end assets come from the npm registry at set-up time and are served locally (no CDN).
assets:
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p shian/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js shian/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js shian/static/vendor/echarts.min.js

demo: setup
	SHIAN_DEBUG=true $(BIN)/shian demo

serve:
	SHIAN_DEBUG=true $(BIN)/shian serve

check: setup lint types migrations-check test-both

lint:
	$(BIN)/ruff check shian tests bench conftest.py
	$(BIN)/ruff format --check shian tests bench conftest.py

types:
	$(BIN)/mypy shian

migrations-check:
	$(BIN)/shian makemigrations --check --dry-run

test-sqlite:
	DATABASE_URL= $(BIN)/pytest -q

pg-start:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

test-postgres: pg-start
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

# Both databases at once, one per core: the two runs share nothing but the machine (SQLite in
# memory, PostgreSQL its own test database, live servers on free ports, uploads in temp folders).
# Each run's output is kept and printed whole; the target fails if either run fails.
test-both: pg-start
	@mkdir -p var/test-logs; \
	( DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider > var/test-logs/sqlite.log 2>&1; echo $$? > var/test-logs/sqlite.rc ) & \
	( DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider > var/test-logs/postgres.log 2>&1; echo $$? > var/test-logs/postgres.rc ) & \
	wait; \
	for db in sqlite postgres; do echo "=== tests on $$db"; cat var/test-logs/$$db.log; done; \
	for db in sqlite postgres; do echo "$$db: exit $$(cat var/test-logs/$$db.rc)"; done; \
	[ "$$(cat var/test-logs/sqlite.rc)" = 0 ] && [ "$$(cat var/test-logs/postgres.rc)" = 0 ]

bench:
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_list.py
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_whitepaper.py
	$(BIN)/python bench/bench_risk.py
	$(BIN)/python bench/bench_sampling.py
	$(BIN)/python bench/bench_sampling_plan.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_trace.py --edges 1000000
