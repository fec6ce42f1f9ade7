# ddops.datadog — every command a person runs. `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
PYTHON_VERSION ?= 3.11
VENV ?= .venv
REQUIREMENTS ?= tests/requirements-dev.txt
BUILD ?= .build
TOP := $(abspath .)
BIN := $(abspath $(VENV))/bin
TREE := $(abspath $(BUILD))/ansible_collections/ddops/datadog
RUN := PATH="$(BIN):$$PATH"
EMULATED := $(BIN)/python $(TOP)/tests/utils/emulated.py
ANSIBLE_TEST := $(RUN) ansible-test
TARGETS ?=
# Lane 2: Python 3.12 with the newest ansible-core (pyenv's interpreter when python3.12 is only a shim).
PYTHON_LATEST ?= $(shell for p in python3.12 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 \
	$$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c '' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: help venv venv-latest tree demo test prerequisites test-main test-latest units property-tests emulator-tests lint sanity integration reliability eda collection-checks testing-page mutation bench bench-smoke clean

help:
	@echo "make demo   - create the venv, start the local Datadog API emulator, run playbooks/demo.yml, stop it"
	@echo "make test   - every test layer: unit, emulator, ansible-lint, ansible-test sanity, integration, reliability, EDA rulebooks, collection checks, bench smoke"
	@echo "make units | emulator-tests | lint | sanity | integration [TARGETS=...] | reliability | eda | collection-checks | testing-page"
	@echo "make property-tests - the audit property tests with many more examples than in make units, random (minutes)"
	@echo "make test-main (lane 1 only) | test-latest (lane 2: Python 3.12, newest ansible-core) | bench | bench-smoke | clean"
	@echo "make mutation - mutation testing of the HTTP client, the comparison, the set plan and the audit reader (not in make test)"

# --no-compile: Python compiles what it imports; most of datadog-api-client's ~9,800 model files never are.
$(VENV)/.installed: $(REQUIREMENTS) tests/emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r $(REQUIREMENTS) -e tests/emulator
	touch $@

venv: $(VENV)/.installed

# The lane 2 venv alone (`make test-latest` builds it too); `make bench` runs benchmark 5 on it as well.
venv-latest:
	@test -n "$(PYTHON_LATEST)" || { echo "venv-latest needs python3.12"; exit 1; }
	$(MAKE) --no-print-directory PYTHON="$(PYTHON_LATEST)" VENV=.venv-latest REQUIREMENTS=tests/requirements-latest.txt venv

# ansible-test wants the collection at .../ansible_collections/ddops/datadog; copy it there.
tree:
	@tests/utils/collection_tree.sh $(abspath $(BUILD)) >/dev/null

demo: venv
	rm -rf $(BUILD)/demo && mkdir -p $(BUILD)/demo
	$(RUN) ansible-galaxy collection build --force --output-path $(BUILD)/demo . >/dev/null
	$(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD))/demo/collections \
	  ansible-galaxy collection install --force -p $(BUILD)/demo/collections $(BUILD)/demo/ddops-datadog-*.tar.gz >/dev/null
	ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD))/demo/collections ANSIBLE_STDOUT_CALLBACK=default \
	  ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_LOCALHOST_WARNING=false \
	  $(EMULATED) -- $(BIN)/ansible-playbook playbooks/demo.yml

# Lane 1 (Python 3.11, the oldest supported ansible-core) shown as it runs and logged to $(MAIN_LOG); lane 2
# (Python 3.12, the newest ansible-core) at the same time, logged to $(LATEST_LOG). tests/utils/test_lanes.sh waits for
# both whatever happens, prints both summaries, fails when either failed and stops both on Ctrl-C or SIGTERM.
MAIN_LOG := $(abspath .build-main.log)
LATEST_LOG := $(abspath .build-latest.log)
test: prerequisites
	@tests/utils/test_lanes.sh "$(MAKE)" $(MAIN_LOG) $(LATEST_LOG)

# Both interpreters, checked before anything runs (README.md, Development, lists every prerequisite).
prerequisites:
	@$(PYTHON) -c 'import venv' 2>/dev/null || { echo "make test needs Python $(PYTHON_VERSION) with its venv module as $(PYTHON)" \
	  "(or make test PYTHON=/path/to/python$(PYTHON_VERSION))"; exit 1; }
	@test -n "$(PYTHON_LATEST)" || { echo "make test needs Python 3.12 for lane 2: python3.12 on PATH, pyenv's" \
	  "versions/3.12* (pyenv install 3.12) or /usr/bin/python3.12, or make test PYTHON_LATEST=/path/to/python3.12"; exit 1; }

test-main: RELIABILITY_SHARE = lane1
test-main: INTEGRATION_EXCLUDE = action_plugin_paths
test-main: units emulator-tests lint sanity integration reliability collection-checks bench-smoke
	@echo "make test: lane 1 (Python $(PYTHON_VERSION)) passed"

units: venv tree
	cd $(TREE) && $(RUN) PYTHONPATH=$(abspath $(BUILD)) python -m pytest -q -p no:cacheprovider tests/unit

# The hypothesis property tests of the audit reads and the event source with PROPERTY_FACTOR times the examples of
# `make units` (which runs a bounded, derandomized number), random: a long local run, not part of `make test`.
PROPERTY_FACTOR ?= 25
property-tests: venv tree
	cd $(TREE) && $(RUN) PYTHONPATH=$(abspath $(BUILD)) DDOPS_HYPOTHESIS_PROFILE=thorough \
	  DDOPS_HYPOTHESIS_FACTOR=$(PROPERTY_FACTOR) python -m pytest -q -p no:cacheprovider \
	  tests/unit/plugins/module_utils/test_audit_properties.py tests/unit/plugins/module_utils/test_audit_stream.py

emulator-tests: venv
	$(RUN) python -m pytest -q -p no:cacheprovider tests/emulator/tests

# ansible-lint resolves ddops.datadog.* through the copied tree (offline, it installs nothing itself). The
# documentation generated from the connection catalogue must be up to date (tests/utils/generate_docs.py), and
# ansible-lint must report every wrong argument in the fixture tests/lint/bad_arguments.yml (tests/utils/lint_fixture.py).
lint: venv tree
	$(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD)) ansible-lint --offline -q --nocolor
	$(RUN) antsibull-changelog lint
	$(RUN) python tests/utils/generate_docs.py --check
	$(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD)) python tests/utils/lint_fixture.py
	$(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD)) python tests/utils/lint_docs_examples.py

# Faults, bad input, transport security, with figures (printed, and written to $(BUILD)/reliability.json).
# make test splits it between its lanes (RELIABILITY_SHARE, see tests/reliability/conftest.py); alone it runs whole.
RELIABILITY_SHARE ?=
reliability: venv tree
	cd tests/reliability && $(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD)) DDOPS_FIGURES=$(abspath $(BUILD))/reliability.json \
	  DDOPS_RELIABILITY_SHARE=$(RELIABILITY_SHARE) python -m pytest -q -p no:cacheprovider .

# Event-Driven Ansible: the audit_events event source and the self-healing example rulebook under the real
# ansible-rulebook (it needs Java 17; without it the tests say why and are skipped). Figures in $(BUILD)/eda.json.
eda: venv tree
	cd tests/eda && $(RUN) ANSIBLE_COLLECTIONS_PATH=$(abspath $(BUILD)) DDOPS_FIGURES=$(abspath $(BUILD))/eda.json \
	  python -m pytest -q -rs -p no:cacheprovider .

# ansible-doc, antsibull-docs lint, galaxy build + galaxy-importer, ansible-builder introspect, install + run.
collection-checks: venv tree
	$(RUN) tests/utils/collection_checks.sh $(TREE) $(abspath $(BUILD))/checks

# docs/testing-your-playbooks.md followed as written, from a tarball of the tree, the emulator pip-installed into a
# fresh venv (collection-checks runs it on lane 1 with its own tarball; lane 2 runs this target).
testing-page: venv tree
	rm -rf $(BUILD)/testing-page && mkdir -p $(BUILD)/testing-page
	cd $(TREE) && $(RUN) ansible-galaxy collection build --force --output-path $(abspath $(BUILD))/testing-page >/dev/null
	$(RUN) python tests/utils/testing_page_check.py $(abspath $(BUILD))/testing-page/ddops-datadog-*.tar.gz $(abspath $(BUILD))/testing-page/work

sanity: venv tree
	$(BIN)/python tests/utils/ansible_test_offline.py
	cd $(TREE) && $(ANSIBLE_TEST) sanity --venv --python $(PYTHON_VERSION) --color no

# INTEGRATION_EXCLUDE names targets to leave out: make test's lane 1 leaves out action_plugin_paths (the action
# connection target rerun through module processes, the costliest target), which lane 2 runs on the newest ansible-core;
# lane 1's share of the reliability suite goes through module processes on its ansible-core.
INTEGRATION_EXCLUDE ?=
# Integration targets run at -vvvv --diff; the whole output and every answer of the emulator are then searched
# for every secret value the emulator received (figures in $(BUILD)/secret-scan.json).
integration: venv tree
	cd $(TREE) && $(RUN) $(EMULATED) --second-org --config tests/integration/integration_config.yml \
	  --output $(abspath $(BUILD))/integration.log --scan-secrets $(abspath $(BUILD))/secret-scan.json -- \
	  ansible-test integration --python $(PYTHON_VERSION) --color no -vvvv --diff $(TARGETS) \
	  $(foreach target,$(INTEGRATION_EXCLUDE),--exclude $(target))
	@grep -E "^(testhost|localhost) +: ok=" $(abspath $(BUILD))/integration.log | sed 's/^/  /' || true

# The same sanity, unit and integration layers on Python 3.12 with the newest ansible-core.
test-latest:
	@test -n "$(PYTHON_LATEST)" || { echo "test-latest needs python3.12"; exit 1; }
	$(MAKE) --no-print-directory PYTHON="$(PYTHON_LATEST)" PYTHON_VERSION=3.12 VENV=.venv-latest \
	  REQUIREMENTS=tests/requirements-latest.txt BUILD=.build-latest RELIABILITY_SHARE=lane2 units sanity integration reliability testing-page
	@# The EDA rulebook tests, with lane 1's venv (ansible-rulebook is installed there) on lane 2's copy of the tree:
	@# lane 1 has more to run, so make test ends sooner this way.
	$(MAKE) --no-print-directory BUILD=.build-latest eda
	@echo "lane 2: units, sanity, integration, its share of reliability, the testing page and the EDA rulebook tests passed"

# Mutation testing (docs/dev/testing.md): mutmut over the core, judged by the fast unit tests; the score and every
# surviving mutant are printed and written to $(BUILD)/mutation/mutation.json. Not part of make test (it takes long);
# a second run continues where the first stopped. MUTATION_ARGS="--fresh" starts over, "--max-children N" sets the
# mutants tested at once (default 2), "--audit" mutates the audit reader instead ($(BUILD)/mutation-audit).
MUTATION_ARGS ?=
mutation: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-mutation.txt
	$(RUN) python tests/utils/mutation.py $(abspath $(BUILD))/mutation $(MUTATION_ARGS)

# Benchmarks (docs/performance.md): figures printed and written to $(BUILD)/bench.json. Only bench-smoke (tiny sizes,
# $(BUILD)/bench-smoke.json, 1-2 min) is part of `make test`, so the scripts keep working; it judges no time goal.
# They load the collection from a copy of their own, so a `make tree` run meanwhile cannot pull it away.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS="--only converge".
BENCH_TREE := $(abspath $(BUILD))/bench-tree
BENCH_ARGS ?=
BENCH = tests/utils/collection_tree.sh $(BENCH_TREE) >/dev/null && \
  $(RUN) ANSIBLE_COLLECTIONS_PATH=$(BENCH_TREE) python benchmarks/run.py
bench: venv venv-latest
	$(BENCH) --connections 50 --events 100000 --noop-items 20 --set-sizes 50,200,1000 --parallel-events 100000 --rounds 3 --output $(abspath $(BUILD))/bench.json $(BENCH_ARGS)

bench-smoke: venv
	$(BENCH) --connections 5 --events 2000 --noop-items 2 --set-sizes 5,10 --set-parallel 1,4 --access-size 5 --access-parallel 1,8 --parallel-events 3000 --latency 0.02 --rounds 1 --smoke --output $(abspath $(BUILD))/bench-smoke.json $(BENCH_ARGS)

clean:
	rm -rf .build .build-latest .build-main.log .build-latest.log tests/output
