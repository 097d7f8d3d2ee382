# Steward: `make demo` runs the main job on the embedded sandbox; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ANVIL_VERSION := 1.7.1
SOLC_VERSION := 0.8.26
CHAINLINK_VERSION := 1.5.0
# Uniswap's own packages (published artifacts: the sandbox deploys them at canonical addresses).
UNISWAP_PACKAGES := @uniswap/v2-core@1.0.1 @uniswap/v2-periphery@1.1.0-beta.0 @uniswap/v3-core@1.0.1 \
  @uniswap/v3-periphery@1.4.4 @uniswap/swap-router-contracts@1.3.1 @uniswap/default-token-list@22.21.0
# Packages only read, never run (unpacked like Uniswap's): OpenZeppelin's sources for the
# sandbox DAO (compiled with solc) and MetaMask's phishing list (eth-phishing-detect's config).
READ_PACKAGES := @openzeppelin/contracts@5.4.0 eth-phishing-detect@1.2.0
# The demo keeps its own Steward home so it never touches ~/.steward; its wallet guards only
# sandbox money, so a fixed passphrase keeps `make demo` unattended.
DEMO_HOME := $(CURDIR)/.steward-demo
DEMO_PASSPHRASE ?= sandbox-demo-only

.PHONY: setup setup-dev setup-tools setup-anvil setup-browser demo market-demo always-on-demo pay-demo data-demo compute-demo setup-data setup-compute test test-all bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The data market's valuation and model: numpy and scikit-learn (the `data` extra).
setup-data: $(VENV)/.installed-data

$(VENV)/.installed-data: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[data]'
	touch $@

# The compute market's exact matrix arithmetic: numpy (the `compute` extra).
setup-compute: $(VENV)/.installed-compute

$(VENV)/.installed-compute: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[compute]'
	touch $@

setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Project-local node tools: anvil (the real local node), solc (the sandbox's Solidity tokens) and
# @chainlink/contracts (the sources of the sandbox's reference price feeds).
TOOLS_MARKER := .tools/.installed-anvil-$(ANVIL_VERSION)-solc-$(SOLC_VERSION)-chainlink-$(CHAINLINK_VERSION)-uniswap-2-oz-5.4.0-phishing-1.2.0
CHAINLINK_DIR := .tools/node_modules/@chainlink/contracts

setup-tools: $(TOOLS_MARKER)

setup-anvil: setup-tools

$(TOOLS_MARKER):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error @foundry-rs/anvil@$(ANVIL_VERSION) solc@$(SOLC_VERSION)
	@# Only @chainlink/contracts' Solidity sources are compiled; its npm dependencies (one is a
	@# GitHub tarball) are not needed, so the registry's package is unpacked rather than installed.
	rm -rf $(CHAINLINK_DIR) && mkdir -p $(CHAINLINK_DIR)
	cd .tools && npm pack --silent @chainlink/contracts@$(CHAINLINK_VERSION) >/dev/null \
	  && tar -xzf chainlink-contracts-$(CHAINLINK_VERSION).tgz -C node_modules/@chainlink/contracts --strip-components=1 \
	  && rm chainlink-contracts-$(CHAINLINK_VERSION).tgz
	@# Uniswap's packages likewise: only their published artifacts and token list are read.
	cd .tools && for spec in $(UNISWAP_PACKAGES) $(READ_PACKAGES); do \
	  name=$${spec%@*}; dir=node_modules/$$name; rm -rf $$dir && mkdir -p $$dir \
	  && tgz=$$(npm pack --silent $$spec) && tar -xzf $$tgz -C $$dir --strip-components=1 \
	  && rm $$tgz || exit 1; done
	touch $@

# Headless Chromium and its driver for the dashboard's browser tests (Debian packages).
setup-browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	elif command -v sudo >/dev/null; then \
	  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	else echo "install Debian's chromium and chromium-driver (needs root)" >&2; exit 1; fi

demo: setup setup-tools
	rm -rf $(DEMO_HOME)
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward demo
	@# The thief with the guarded wallet's agent key: web3.py alone, no Steward; the chain refuses.
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/python scripts/stolen_agent_key.py

# Agents trading with agents on the demo's sandbox (built if missing, reused if there).
market-demo: setup setup-tools
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward market demo

# A USDT depeg handled by the always-on worker on simulated time, on the demo's sandbox (built
# if missing, reused if there); the wallet's mandate is left as it is.
always-on-demo: setup setup-tools
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward orders demo

# Pay per request: an agent buys Steward's checks with x402 within its mandate, the seller's
# revenue is bought back and burned, and `check tokenomics` verifies it. Its own fresh home: the
# buyback advances the sandbox's clock, and x402 authorizations are dated by this machine's.
PAY_DEMO_HOME := $(CURDIR)/.steward-pay-demo
pay-demo: setup setup-tools
	rm -rf $(PAY_DEMO_HOME)
	STEWARD_HOME=$(PAY_DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward payments demo

# A data market that pays for quality, on the demo's sandbox (built if missing, reused if there).
data-demo: setup setup-tools setup-data
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward data demo

# Staked compute providers as real processes; the buyer verifies before paying.
compute-demo: setup setup-tools setup-compute
	STEWARD_HOME=$(DEMO_HOME) STEWARD_PASSPHRASE=$${STEWARD_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/steward market compute-demo

# `make test` leaves out the long scenarios on simulated time (marked slow; CI runs the rest, a
# representative part of every scenario suite); `make test-all` runs everything.
test: setup-dev setup-tools setup-browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --timeout 600 -m "not slow"

test-all: setup-dev setup-tools setup-browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --timeout 900

bench: setup setup-tools
	$(BIN)/python benchmarks/transfers.py
	$(BIN)/python benchmarks/guard.py
	$(BIN)/python benchmarks/always_on.py

clean:
	rm -rf $(VENV) .tools $(DEMO_HOME) $(PAY_DEMO_HOME)

# The real-world diligence set (benchmarks/diligence_realworld.py): every npm solc its manifest
# names (one project-local install per version) and the packages its sources import, unpacked like
# Uniswap's into .tools/realworld (OpenZeppelin 4.9 and 5.4, solady); never committed.
REALWORLD_MANIFEST := benchmarks/data/realworld_tokens/manifest.json
REALWORLD_TOOLS := .tools/realworld
.PHONY: setup-realworld
setup-realworld:
	@mkdir -p $(REALWORLD_TOOLS)/node_modules
	@for v in $$($(PYTHON) -c "import json; print(' '.join(sorted({t['solc'] for t in json.load(open('$(REALWORLD_MANIFEST)'))['tokens']})))"); do \
	  [ -f $(REALWORLD_TOOLS)/solc-$$v/node_modules/solc/solc.js ] \
	  || npm install --prefix $(REALWORLD_TOOLS)/solc-$$v --no-audit --no-fund --loglevel=error solc@$$v || exit 1; done
	@cd $(REALWORLD_TOOLS) && $(PYTHON) -c "import json; [print(d, s) for d, s in json.load(open('../../$(REALWORLD_MANIFEST)'))['packages'].items()]" \
	  | while read dir spec; do [ -f node_modules/$$dir/package.json ] && continue; \
	    rm -rf node_modules/$$dir && mkdir -p node_modules/$$dir \
	    && tgz=$$(npm pack --silent $$spec) && tar -xzf $$tgz -C node_modules/$$dir --strip-components=1 \
	    && rm $$tgz || exit 1; done
