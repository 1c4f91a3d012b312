# make preview [STACK=dev] [SNAPSHOT=file] [CLOUD_SNAPSHOT=file]   offline preview (no cloud, no cluster)
# make test                                  the whole test suite, ruff and mypy
# make bench                                 benchmarks (wall time of the offline preview)
# make graph [STACK=dev]                     optional: render PLAN.md's Mermaid graph with mermaid-cli (needs npm and
#                                            a Chromium, e.g. `apt-get install chromium`; nothing else depends on it)
# make clean                                 remove what the preview, the tests and the linters wrote; keeps venv/
# make distclean                             clean, and remove venv/ (and the pack's and the package's venvs)
# PYTHON=python3.13                          build venv/ with that Python (3.10 to 3.13); a venv/ built by another
#                                            Python is rebuilt
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
# venv/ in two steps: what the offline preview needs, then the test tools on top.
PREVIEW_STAMP := $(VENV)/.preview-installed
STAMP := $(VENV)/.installed
STACK ?= dev
SNAPSHOT ?=
CLOUD_SNAPSHOT ?=
POLICY_CONFIG ?=

.PHONY: preview test lint bench graph clean distclean policy-pack FORCE

# The interpreter behind a Python: its version and installation prefix (a venv's base_prefix is its builder's).
PY_ID := import sys; print(sys.version.split()[0], sys.base_prefix)
HAVE_ID := $(shell test -f $(PREVIEW_STAMP) -o -f $(STAMP) && $(PY) -c '$(PY_ID)' 2>/dev/null)
ifeq ($(HAVE_ID),)
REBUILD := $(if $(wildcard $(VENV)),it was left half-built or no longer runs)
else ifneq ($(filter command environment,$(origin PYTHON)),)
WANT_ID := $(shell $(PYTHON) -c '$(PY_ID)' 2>/dev/null)
ifneq ($(WANT_ID),$(HAVE_ID))
REBUILD := it was built by Python $(firstword $(HAVE_ID)), not by PYTHON=$(PYTHON)
endif
endif
ifneq ($(REBUILD),)
$(PREVIEW_STAMP): FORCE
endif

# Installed again only when a requirements file changes, or rebuilt from scratch (REBUILD above).
$(PREVIEW_STAMP): requirements.txt requirements-preview.txt pyproject.toml
	@command -v $(PYTHON) > /dev/null || { echo "PYTHON=$(PYTHON): no such command; give a Python 3.10 to 3.13, such as make PYTHON=python3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(None if sys.version_info >= (3, 10) else "hybrid-terway needs Python 3.10 to 3.13; $(PYTHON) is Python " + sys.version.split()[0] + ": give another one, such as make PYTHON=python3.11")'
	$(if $(REBUILD),@echo "Rebuilding $(VENV)/: $(REBUILD)." && rm -rf $(VENV))
	@echo "Setting up $(VENV)/ for the offline preview: the Pulumi SDK, the Alibaba Cloud and Kubernetes provider SDKs,"
	@echo "the policy SDK and the schema validator (about 60 s the first time; again only when a requirements file changes)..."
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-preview.txt
	touch $@
	@echo "$(VENV)/ is ready for the offline preview."

$(STAMP): $(PREVIEW_STAMP) requirements-dev.txt
	@echo "Adding the test tools to $(VENV)/ (pytest, hypothesis, ruff, mypy; about 20 s the first time)..."
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@
	@echo "$(VENV)/ is ready for the tests."

FORCE:

# What `pulumi policy publish` ships: policy/ with the pure modules of hybrid_terway it imports (docs/release.md).
policy-pack: $(PREVIEW_STAMP)
	$(PY) -m preview.pack_bundle build/policy-pack

preview: $(PREVIEW_STAMP)
	$(PY) -m preview --stack $(STACK) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT)) $(if $(CLOUD_SNAPSHOT),--cloud-snapshot $(CLOUD_SNAPSHOT)) \
		$(if $(POLICY_CONFIG),--policy-pack-config $(POLICY_CONFIG))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/mypy components/hybrid_terway preview policy/hybrid_terway_guard __main__.py provider

test: $(STAMP) lint
	$(VENV)/bin/pytest

bench: $(PREVIEW_STAMP)
	$(PY) benchmarks/preview_bench.py
	$(PY) benchmarks/hostile_input_bench.py
	$(PY) benchmarks/large_cluster_bench.py

MERMAID_CLI := build/mermaid-cli
CHROMIUM ?= $(firstword $(shell command -v chromium chromium-browser google-chrome 2>/dev/null))

graph: $(PREVIEW_STAMP)
	@test -n "$(CHROMIUM)" || { echo "make graph needs a Chromium: apt-get install chromium, or CHROMIUM=/path"; exit 1; }
	test -x $(MERMAID_CLI)/node_modules/.bin/mmdc || { mkdir -p $(MERMAID_CLI) && cd $(MERMAID_CLI) && \
		PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent @mermaid-js/mermaid-cli@11; }
	printf '{"executablePath": "%s", "args": ["--no-sandbox"]}' "$(CHROMIUM)" > $(MERMAID_CLI)/puppeteer.json
	-$(PY) -m preview --stack $(STACK) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT)) > /dev/null
	$(MERMAID_CLI)/node_modules/.bin/mmdc -p $(MERMAID_CLI)/puppeteer.json \
		-i build/preview/$(STACK)/PLAN.md -o build/preview/$(STACK)/graph.md

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	@echo "Kept $(VENV)/ (the installed packages, reused by the next make); make distclean removes it too."

distclean: clean
	rm -rf $(VENV) policy/venv provider/venv
