# cssim: `make demo` and `make test` work on a fresh machine with python3 (>= 3.11) and make.
# Both create .venv when absent and install into it; re-running them installs nothing new.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# pinned versions CI and developers share (regenerate with `make lock`)
CONSTRAINTS := requirements/constraints.txt

.PHONY: demo test test-fast browser lint format lock clean docs

# the HTML report test renders pages in Debian's Chromium (not a downloaded browser)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "cssim needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml setup.cfg $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml setup.cfg $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -c $(CONSTRAINTS) -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/cssim run scenarios/default.yaml -n 10
	@echo
	@echo "next: $(BIN)/cssim solve             # the CSMs each team needs, for its targets and for value"
	@echo "      $(BIN)/cssim decide scenarios/default.yaml scenarios/cfo_six.yaml   # 8 CSMs or the CFO's 6, under uncertainty"

# lint first (ruff, format, mypy) and the docs site (--strict), then the suite on every
# core (setup.cfg addopts:
# -n auto; `pytest -n 0` runs it serially)
test: $(VENV)/.installed-dev browser lint docs
	$(BIN)/python -m pytest

# the quick loop: everything but the tests marked slow (trade-off searches, notebooks)
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the HTML report test"; \
	    $(SUDO) apt-get update -qq >/dev/null && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else \
	    echo "note: no chromium and no apt-get; the browser test will be skipped"; \
	  fi; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy simulator

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# the documentation site (mkdocs.yml) into site/; --strict fails on any warning
$(VENV)/.installed-docs: pyproject.toml setup.cfg $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -c $(CONSTRAINTS) -e '.[docs]'
	touch $@ $(VENV)/.installed

docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lock: $(VENV)/.installed-dev
	$(BIN)/python -m pip freeze --exclude-editable --exclude cssim > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
