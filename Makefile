# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint browser bench-solomon bench-homberger bench-field clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(INSTALLED_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/fieldsched demo

# The map test drives Debian's headless chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "warning: chromium could not be installed; the map browser test will skip"

test: $(INSTALLED_DEV) browser
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(INSTALLED_DEV)
	$(BIN)/ruff check .

bench-solomon: $(INSTALLED)
	$(BIN)/python -m benchmarks.solomon_bench --set solomon --time-limit 10

bench-homberger: $(INSTALLED)
	$(BIN)/python -m benchmarks.solomon_bench --set homberger --time-limit 30

bench-field: $(INSTALLED)
	$(BIN)/python -m benchmarks.field_days

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
