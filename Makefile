# make preview [STACK=dev] [SNAPSHOT=file] [CLOUD_SNAPSHOT=file]   offline preview (no cloud, no cluster)
# make test                                  the whole test suite, ruff and mypy
# make bench                                 benchmarks (wall time of the offline preview)
# make graph [STACK=dev]                     optional: render PLAN.md's Mermaid graph with mermaid-cli (needs npm and
#                                            a Chromium, e.g. `apt-get install chromium`; nothing else depends on it)
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STACK ?= dev
SNAPSHOT ?=
CLOUD_SNAPSHOT ?=

.PHONY: preview test lint bench graph clean

# venv/ is (re)built only when missing or when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@echo "Setting up $(VENV)/: the Pulumi SDK, the Alibaba Cloud and Kubernetes provider SDKs, the policy SDK and"
	@echo "the test tools (about 80 s the first time; again only when a requirements file changes)..."
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)
	@echo "$(VENV)/ is ready."

preview: $(STAMP)
	$(PY) -m preview --stack $(STACK) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT)) $(if $(CLOUD_SNAPSHOT),--cloud-snapshot $(CLOUD_SNAPSHOT))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy components/hybrid_terway preview policy/hybrid_terway_guard __main__.py provider

test: $(STAMP) lint
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) benchmarks/preview_bench.py
	$(PY) benchmarks/hostile_input_bench.py

MERMAID_CLI := build/mermaid-cli
CHROMIUM ?= $(firstword $(shell command -v chromium chromium-browser google-chrome 2>/dev/null))

graph: $(STAMP)
	@test -n "$(CHROMIUM)" || { echo "make graph needs a Chromium: apt-get install chromium, or CHROMIUM=/path"; exit 1; }
	test -x $(MERMAID_CLI)/node_modules/.bin/mmdc || { mkdir -p $(MERMAID_CLI) && cd $(MERMAID_CLI) && \
		PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent @mermaid-js/mermaid-cli@11; }
	printf '{"executablePath": "%s", "args": ["--no-sandbox"]}' "$(CHROMIUM)" > $(MERMAID_CLI)/puppeteer.json
	-$(PY) -m preview --stack $(STACK) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT)) > /dev/null
	$(MERMAID_CLI)/node_modules/.bin/mmdc -p $(MERMAID_CLI)/puppeteer.json \
		-i build/preview/$(STACK)/PLAN.md -o build/preview/$(STACK)/graph.md

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis
