# beredt — developer entry points. `make demo` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint format bench schema clean

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

bench: install
	$(BIN)/beredt bench planner

schema: install
	$(BIN)/beredt scenario schema docs

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
