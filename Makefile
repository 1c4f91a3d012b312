# make preview [STACK=dev] [SNAPSHOT=file]   offline preview of a stack (no cloud, no cluster)
# make test                                  the whole test suite, ruff and mypy
# make bench                                 benchmarks (wall time of the offline preview)
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STACK ?= dev
SNAPSHOT ?=

.PHONY: preview test lint bench clean

# venv/ is (re)built only when missing or when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

preview: $(STAMP)
	$(PY) -m preview --stack $(STACK) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy components/hybrid_terway preview policy/hybrid_terway_guard __main__.py provider

test: $(STAMP) lint
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) benchmarks/preview_bench.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis
