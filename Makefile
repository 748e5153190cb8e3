# Two entry points: `make demo` (crawl the bundled mirror into archive/) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pywb cannot share the Scrapy environment (PITFALLS.md): it gets its own, made by the archiver.
PYWB_ENV ?= .venv-pywb

.PHONY: demo test lint install pywb system-deps

$(BIN)/archiver: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/archiver

$(PYWB_ENV)/bin/wayback: | $(BIN)/archiver
	$(BIN)/archiver replay --setup --env $(PYWB_ENV)

pywb: $(PYWB_ENV)/bin/wayback

demo: install
	$(BIN)/archiver demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# redis-server and chromium from Debian's packages (installed when run as root).
system-deps:
	bash scripts/system-deps.sh

test: system-deps lint pywb
	ARCHIVER_REPLAY_ENV=$(abspath $(PYWB_ENV)) $(BIN)/pytest
