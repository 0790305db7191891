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

.PHONY: install demo test lint format bench bench-full schema clean

install: $(VENV)/.installed

# Re-sync whenever the lock file changes; uv installs exactly what uv.lock pins.
$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

demo: install
	$(BIN)/beredt demo

test: install
	$(BIN)/pytest -n 2 -q

lint: install
	$(BIN)/ruff check beredt tests
	$(BIN)/ruff format --check beredt tests
	$(BIN)/mypy beredt

format: install
	$(BIN)/ruff format beredt tests
	$(BIN)/ruff check --fix beredt tests

# Benchmarks measure; they are not tests. A quick subset here, the full runs below.
bench: install
	$(BIN)/beredt bench planner --sizes 100x20,200x40 --absences 0,0.3 --seeds 1 --time-limit 5
	@if [ -d "$(HHCRSP)" ]; then \
	  $(BIN)/beredt hhcrsp bench $(HHCRSP)/mankowska --time-limit 5 --seed 1 \
	    --match 'InstanzCPLEX_HCSRP_25_*' --match 'InstanzVNS_HCSRP_100_1' --output var/bench/hhcrsp; \
	else echo "HHCRSP instances not found at $(HHCRSP): skipped (set SHARED=...)"; fi

# The full runs behind docs/benchmarks.md and docs/benchmarks-hhcrsp.md (hours, not minutes).
bench-full: install
	$(BIN)/beredt bench planner --sizes 100x20,200x40,400x80 --absences 0,0.2,0.3,0.4 --seeds 1,2,3 --time-limit 10 --output var/bench/planner-full
	$(BIN)/beredt bench convergence --clients 130 --caregivers 43 --absence 0.3 --seconds 30
	$(BIN)/beredt hhcrsp bench $(HHCRSP)/mankowska --time-limit 60 --seed 1 --output var/bench/hhcrsp-mankowska-60
	$(BIN)/beredt hhcrsp bench $(HHCRSP)/italian --time-limit 60 --seed 1 --output var/bench/hhcrsp-italian-60

schema: install
	$(BIN)/beredt scenario schema docs

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
