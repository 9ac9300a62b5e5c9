# Talentloop — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TL := $(BIN)/talentloop
export TALENTLOOP_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-test lint typecheck browsers unit e2e bench bench-ci messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

## make demo [PORT=8080]: install, migrate, load the demo company, serve it with its job worker on :$(PORT)
PORT ?= 8000
demo: install
	TALENTLOOP_DEMO=1 $(TL) demo --url http://127.0.0.1:$(PORT)/
	TALENTLOOP_DEMO=1 $(TL) serve 127.0.0.1:$(PORT)

## Chromium for the browser tests (Debian package; needs root, as on CI)
browsers:
	@if [ ! -x /usr/bin/chromium ] || ! command -v msgfmt >/dev/null || [ ! -d /usr/share/fonts/truetype/wqy ]; then \
	  echo "Installing Chromium for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq chromium gettext fonts-wqy-microhei >/dev/null; \
	fi
	@/usr/bin/chromium --version

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/mypy

## mypy with django-stubs on every app's services, selectors and access (the files are listed in pyproject.toml)
typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/pytest -q -n 2 -m "not e2e and not bench" src tests

e2e: install-test browsers
	TALENTLOOP_REQUIRE_BROWSER=1 $(BIN)/pytest -q -m e2e tests/e2e

## make test: install what the tests need, lint, type-check, unit + API tests (with the coverage floor
## from pyproject.toml), browser tests. Coverage is measured on the embedded database (no DATABASE_URL);
## with DATABASE_URL set (CI's PostgreSQL leg) the same tests run without it: which lines run does not
## depend on the database, and measuring it twice costs CI a quarter of a leg.
COVERAGE := $(if $(DATABASE_URL),,--cov --cov-report=term:skip-covered)
test: install-test browsers
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 -m "not e2e and not bench" $(COVERAGE) src tests
	TALENTLOOP_REQUIRE_BROWSER=1 $(BIN)/pytest -q -p no:xdist -m e2e tests/e2e

## make bench: full-size benchmarks, JSON results under docs/benchmarks/
bench: install-test
	$(BIN)/python -m tests.bench.run --out docs/benchmarks

## a scaled-down benchmark run (CI), so the benchmarks never rot
bench-ci: install-test
	$(BIN)/python -m tests.bench.run --scale small --out $(TALENTLOOP_VAR_DIR)/bench

## regenerate translation catalogues (needs gettext): extract, fill the English catalogue, compile.
## Keep MESSAGE_EXTENSIONS in step with tests/test_i18n.py. The zh_Hans catalogue is translated by hand.
MESSAGE_EXTENSIONS := html,txt,py,js,webmanifest
messages: install
	cd src/talentloop && ../../$(TL) makemessages -l zh_Hans -l en --no-obsolete -e $(MESSAGE_EXTENSIONS)
	$(BIN)/python scripts/i18n_fill_en.py src/talentloop/locale/en/LC_MESSAGES/django.po
	cd src/talentloop && ../../$(TL) compilemessages

clean:
	rm -rf $(VENV) var
