# The two commands of the README's Quick start, and what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test clean

# Set everything up and build the sample corpus into export/.
build: $(STAMP)
	$(BIN)/kg build data/corpus --out export

# Set everything up and run the tests (docstring examples and notebooks included).
# .ci/ensure-chromium installs Debian's chromium for the browser tests when it is
# missing (a no-op otherwise; when it cannot, those tests skip and say why).
test: $(STAMP)
	bash .ci/ensure-chromium
	$(BIN)/python -m pytest

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) export/graph.* export/*.csv export/articles export/store export/store.versions \
		export/.kg-cache export/.kg-build.lock
