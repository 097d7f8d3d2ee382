# Steward: `make demo` runs the main job on the embedded sandbox; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ANVIL_VERSION := 1.7.1
# The demo keeps its own Steward home so it never touches ~/.steward; its wallet guards only
# sandbox money, so a fixed passphrase keeps `make demo` unattended.
DEMO_HOME := $(CURDIR)/.steward-demo
DEMO_PASSPHRASE ?= sandbox-demo-only

.PHONY: setup setup-dev setup-anvil demo test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup-anvil: .tools/.installed

.tools/.installed:
	npm install --prefix .tools --no-audit --no-fund --loglevel=error @foundry-rs/anvil@$(ANVIL_VERSION) solc@0.8.26
	touch $@

demo: setup
	rm -rf $(DEMO_HOME)
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward demo

test: setup-dev setup-anvil
	$(BIN)/python -m pytest -n 2 --timeout 600

bench: setup setup-anvil
	$(BIN)/python benchmarks/transfers.py
	$(BIN)/python benchmarks/guard.py

clean:
	rm -rf $(VENV) .tools $(DEMO_HOME)
