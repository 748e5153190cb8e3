# Two entry points: `make demo` (crawl the bundled mirror into archive/) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pywb cannot share the Scrapy environment (docs/pitfalls.md): it gets its own, made by the archiver.
PYWB_ENV ?= .venv-pywb

.PHONY: demo test test-unit test-faults lint install install-test pywb system-deps replaywebpage mirror

# Two stamps, so that `make demo` installs only what the archiver runs (about half the size of
# the test tools: playwright alone is 165 MB) and a later `make test` adds the test extras.
# pip is not quiet: its "Collecting ..." lines are the progress of the slowest step.
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-test

$(RUNTIME_STAMP): pyproject.toml
	@echo "== creating $(VENV)/ and installing the archiver with its runtime dependencies"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	@echo "== adding the test tools to $(VENV)/ (pytest, ruff, mypy, playwright)"
	$(BIN)/pip install -e '.[test]'
	touch $@

install: $(RUNTIME_STAMP)

install-test: $(TEST_STAMP)

$(PYWB_ENV)/bin/wayback: | $(RUNTIME_STAMP)
	$(BIN)/archiver replay --setup --env $(PYWB_ENV)

pywb: $(PYWB_ENV)/bin/wayback

demo: install
	$(BIN)/archiver demo

# Regenerate the offline mirror's reconstructed pages, routes.json and manifest.json from
# tools/mirror/ (a developer tool, not shipped); tests/mirror/ fails until they are committed.
mirror: install
	$(BIN)/python -m tools.mirror

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# redis-server, chromium and postgresql from Debian's packages (installed when run as root).
system-deps:
	bash scripts/system-deps.sh

# ReplayWeb.page's prebuilt ui.js and sw.js (pinned) for tests/replay/test_replaywebpage.py. `npm pack`
# fetches the package alone, integrity-checked: `npm install` also resolves its build and Electron
# dependencies, which the bundled dist does not need (and warcio@^2.4.12 fails to resolve).
REPLAYWEBPAGE_VERSION := 2.5.3
REPLAYWEBPAGE := .tools/replaywebpage

$(REPLAYWEBPAGE)/.version-$(REPLAYWEBPAGE_VERSION):
	rm -rf $(REPLAYWEBPAGE) && mkdir -p $(REPLAYWEBPAGE)
	npm pack --silent replaywebpage@$(REPLAYWEBPAGE_VERSION) --pack-destination $(REPLAYWEBPAGE)
	tar -xzf $(REPLAYWEBPAGE)/replaywebpage-$(REPLAYWEBPAGE_VERSION).tgz -C $(REPLAYWEBPAGE) --strip-components=1
	rm $(REPLAYWEBPAGE)/replaywebpage-$(REPLAYWEBPAGE_VERSION).tgz
	touch $@

replaywebpage: $(REPLAYWEBPAGE)/.version-$(REPLAYWEBPAGE_VERSION)

test: install-test system-deps lint pywb replaywebpage
	ARCHIVER_REPLAY_ENV=$(abspath $(PYWB_ENV)) $(BIN)/pytest

# The fast part alone: in-process tests, no crawl, pywb, chromium, Redis or PostgreSQL
# (tests/conftest.py).
test-unit: install-test
	$(BIN)/pytest -m unit

# The fault suite of "Failure modes" in the README: network faults, hostile bodies, kills, full
# disks, concurrent crawls, damaged indexes, notify (about 4 minutes on 2 cores).
FAULT_TESTS := tests/faults tests/store/test_kill_points.py tests/store/test_incremental_kill.py \
	tests/store/test_disk_full.py tests/store/test_durable_writes.py tests/warc/test_warc_disk_full.py \
	tests/store/test_concurrent_crawls.py tests/store/test_index_damage_crawl.py \
	tests/store/test_index_heal.py tests/store/test_index_heal_race.py tests/store/test_index_open_race.py \
	tests/schedule/test_site_lock.py tests/schedule/test_schedule_notify.py tests/store/test_agreement_crawl.py

test-faults: install-test system-deps pywb
	ARCHIVER_REPLAY_ENV=$(abspath $(PYWB_ENV)) $(BIN)/pytest $(FAULT_TESTS)
