# Outstanding — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
EMBEDDED := $(BIN)/python -m outstanding.embedded run --
# uv installs the packages in seconds instead of minutes: a uv on the PATH, else one put in the venv
# (one small wheel); when neither works, pip does it all.
UV := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)
UV_FOUND := { test -x $(UV) || $(BIN)/python -m pip install --quiet uv >/dev/null 2>&1; } && $(UV) --version >/dev/null 2>&1
# Runtime libraries WeasyPrint needs (Debian/Ubuntu); installed only when missing.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core

.PHONY: help install system-deps run test bench lint typecheck messages clean

help:
	@echo "make run    set up and start web + worker + beat on http://localhost:$(PORT)/"
	@echo "make test   set up and run the whole test suite"
	@echo "make bench  run the benchmarks"
	@echo "make lint   ruff; make typecheck: mypy"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	@echo "==> [1/2] Python environment in $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/2] Outstanding and its packages (uv when it can be had, else pip; a minute or two)"
	@if $(UV_FOUND); then \
	  $(UV) pip install --python $(BIN)/python -e '.[dev]' 2>&1 | grep -v '^ [+-] ' ; test $${PIPESTATUS[0]} -eq 0; \
	else \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  echo "    (pip: this takes a few minutes)" && $(BIN)/python -m pip install --quiet -e '.[dev]'; \
	fi
	@touch $@

system-deps:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so'; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing WeasyPrint's system libraries: $(SYSTEM_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else \
	    echo "WeasyPrint needs Pango: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
	  fi; \
	fi

run: install
	@mkdir -p .data
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(EMBEDDED) $(BIN)/python -m outstanding.devrun

test: install  ## PYTEST_ARGS="-k name" to select; runs on 2 processes by default
	TESTING=1 $(EMBEDDED) $(BIN)/python -m pytest -n $${PYTEST_PROCESSES:-2} $(PYTEST_ARGS)

bench: install
	$(EMBEDDED) $(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	TESTING=1 $(BIN)/mypy .

messages: install
	TESTING=1 $(BIN)/python manage.py makemessages -l nl -l en --ignore=.venv --ignore=.data
	TESTING=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
