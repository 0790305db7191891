# beredt — developer entry points. `make demo` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
SHARED ?= ../shared
HHCRSP := $(SHARED)/benchmarks/hhcrsp

.PHONY: install demo serve services test test-pg lint format bench bench-full schema messages clean
PG_URL ?= postgres://postgres@127.0.0.1:5432/beredt

install: $(VENV)/.installed

# Re-sync whenever the lock file or the C++ core changes; uv installs exactly what
# uv.lock pins and rebuilds the core from its sources.
$(VENV)/.installed: pyproject.toml uv.lock core/pyproject.toml core/setup.py $(wildcard core/src/beredt_core/*.cpp)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# Embedded set-up (SQLite under var/, planning in a thread of the web process):
# migrate, seed the demo municipality, plan and publish today, then serve the web UI.
demo: install
	$(BIN)/beredt demo
	$(BIN)/beredt serve

serve: install
	$(BIN)/beredt serve

# PostgreSQL and Redis for the tests (verified, and started where this machine can).
services:
	@bash scripts/services.sh

# Everything on the embedded SQLite default, then the web tests again on PostgreSQL.
test: install services
	$(BIN)/pytest -n 2 -q
	$(MAKE) --no-print-directory test-pg

test-pg: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q -m "not browser" tests/web

lint: install
	$(BIN)/ruff check beredt tests
	$(BIN)/ruff format --check beredt tests
	$(BIN)/mypy beredt

format: install
	$(BIN)/ruff format beredt tests
	$(BIN)/ruff check --fix beredt tests

# Benchmarks measure; they are not tests. A quick subset here, the full runs below.
bench: install
	$(BIN)/beredt bench planner --sizes 100x20,200x40 --absences 0,0.3 --seeds 1 --time-limit 5 --route-bound-seconds 30 --class1-search-seconds 30
	@if [ -d "$(HHCRSP)" ]; then \
	  $(BIN)/beredt hhcrsp bench $(HHCRSP)/mankowska --time-limit 5 --seed 1 \
	    --match 'InstanzCPLEX_HCSRP_25_*' --match 'InstanzVNS_HCSRP_100_1' --output var/bench/hhcrsp; \
	else echo "HHCRSP instances not found at $(HHCRSP): skipped (set SHARED=...)"; fi

# The full runs behind docs/benchmarks.md and docs/benchmarks-hhcrsp.md (hours, not minutes).
bench-full: install
	$(BIN)/beredt bench planner --sizes 100x20,200x40,400x80 --absences 0,0.2,0.3,0.4 --seeds 1,2,3 --time-limit 10 --output var/bench/planner-full
	$(BIN)/beredt bench convergence --clients 130 --caregivers 43 --absence 0.3 --seconds 30 --seed 1 --runs 4 --long-runs 3
	$(BIN)/beredt bench convergence --clients 130 --caregivers 43 --absence 0.3 --seconds 30 --seed 2 --runs 4 --long-runs 3
	$(BIN)/beredt bench replan --output var/bench/replan
	$(BIN)/beredt hhcrsp bench $(HHCRSP)/mankowska --time-limit 60 --seed 1 --output var/bench/hhcrsp-mankowska-60
	$(BIN)/beredt hhcrsp bench $(HHCRSP)/italian --time-limit 60 --seed 1 --output var/bench/hhcrsp-italian-60

schema: install
	$(BIN)/beredt scenario schema docs

# Translations: extract English source strings into nb/sv/en catalogues, then compile.
messages: install
	cd beredt/web && ../../$(BIN)/django-admin makemessages -l nb -l sv -l en --ignore 'migrations/*' && ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
