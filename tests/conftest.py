"""Shared fixtures: an isolated Steward home per test, a sandbox world built once per worker
and copied per test, and two real anvil nodes for the RPC backend."""

from __future__ import annotations

import json
import os
import shutil
import threading
import subprocess
import sys
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from steward import chains, sandbox
from steward.chains.backend import forget_node_facts
from steward.chains.embedded import close_all
from steward.errors import StewardError
from steward.guard import forget_cached_facts
from steward.solana import forget_solana_chains
from steward.wallets import forget_unlocked

PASSPHRASE = "correct horse battery staple"
TEST_ENV = {"STEWARD_PASSPHRASE": PASSPHRASE, "STEWARD_KEYSTORE_SCRYPT_N": "1024"}


def forget_process_state() -> None:
    from steward.standing.store import forget_connections as forget_standing_store

    forget_standing_store()
    close_all()
    chains.forget_connections()
    forget_node_facts()
    forget_unlocked()
    forget_cached_facts()
    forget_solana_chains()


@pytest.fixture(autouse=True)
def steward_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("STEWARD_HOME", str(home))
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    yield home
    forget_process_state()


@contextmanager
def steward_home_at(path: Path):
    """Work in the Steward home at `path` (for session/module templates built outside a test's
    own home); the previous home and this process's cached state are restored after."""
    previous = os.environ.get("STEWARD_HOME")
    os.environ["STEWARD_HOME"] = str(path)
    os.environ.update(TEST_ENV)
    try:
        yield path
    finally:
        forget_process_state()
        if previous is None:
            os.environ.pop("STEWARD_HOME", None)
        else:
            os.environ["STEWARD_HOME"] = previous


def build_template(path: Path, **up_args) -> Path:
    with steward_home_at(path):
        sandbox.up(**up_args)
    return path


@pytest.fixture(scope="session")
def embedded_template(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("embedded-template") / "home")


@pytest.fixture
def embedded_world(embedded_template, steward_home) -> Path:
    """A fresh copy of the embedded sandbox world as this test's Steward home."""
    shutil.copytree(embedded_template, steward_home)
    return steward_home


def anvil_or_fail():
    from steward.chains.anvil import find_anvil

    try:
        return find_anvil()
    except StewardError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} (CI is set, so the anvil tests must run)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def anvil_nodes():
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    with AnvilNode(chain_id=31_337_001) as l1, AnvilNode(chain_id=31_337_002) as l2:
        yield l1, l2


@pytest.fixture(scope="session")
def anvil_template(anvil_nodes, tmp_path_factory) -> Path:
    l1, l2 = anvil_nodes
    return build_template(tmp_path_factory.mktemp("anvil-template") / "home",
                          l1_url=l1.url, l2_url=l2.url)


_snapshots: dict[str, str] = {}


@pytest.fixture
def anvil_world(anvil_nodes, anvil_template, steward_home) -> Path:
    """Both anvil nodes rewound to just after `sandbox up`, and a copy of that home."""
    for node in anvil_nodes:
        w3 = Web3(HTTPProvider(node.url))
        if node.url in _snapshots:
            assert w3.provider.make_request("evm_revert", [_snapshots[node.url]])["result"]
        _snapshots[node.url] = w3.provider.make_request("evm_snapshot", [])["result"]
    shutil.copytree(anvil_template, steward_home)
    return steward_home


def run_cli(*args: str, home: Path, env: dict | None = None, timeout: int = 120):
    """The real `steward` executable in a separate process."""
    full_env = os.environ | TEST_ENV | {"STEWARD_HOME": str(home)} | (env or {})
    return subprocess.run([sys.executable, "-m", "steward.cli", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


# Variants of two-backend scenarios that `make test` leaves to `make test-all` (marked slow):
# the scenario itself still runs in CI on the other backend.
SLOW_VARIANTS = {
    # ~55 s on the embedded chain; its anvil twin (~16 s) runs in CI, and the always-on demo
    # (slow) runs the same depeg on the embedded chain end to end
    "test_always_on.py::test_always_on_depeg_acts_after_debounce_within_step_and_daily_cap"
    "[embedded]",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("/")[-1] in SLOW_VARIANTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(params=["embedded", "anvil"])
def world(request) -> str:
    """Runs a test on the embedded sandbox and on the anvil one; returns the backend name."""
    request.getfixturevalue(f"{request.param}_world")
    return request.param


class ModelStandIn(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint standing in for a language model (a hosted service
    cannot run here): it answers every request with `answer` as a `submit_intent` tool call and
    keeps (path, Authorization header, body) of each request in `seen`."""

    answer: dict = {}
    seen: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ModelStandIn.seen.append((self.path, self.headers.get("Authorization"), body))
        reply = {"choices": [{"message": {"tool_calls": [{"type": "function", "function": {
            "name": "submit_intent", "arguments": json.dumps(ModelStandIn.answer)}}]}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def model_stand_in():
    """Serve ModelStandIn on a free localhost port; yields (the handler class, its base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ModelStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ModelStandIn.seen.clear()
    try:
        yield ModelStandIn, f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()


def usdc_balance(holder: str, chain: str = "sandbox-l1") -> int:
    """`holder`'s USDC on `chain` as the chain says (the embedded chains released after)."""
    from steward.chains.config import load_config
    from steward.protocols import erc20

    config = load_config().chain(chain)
    balance = erc20.balance_of(chains.connect(config), config.tokens["USDC"], holder)
    chains.end_all_sessions()
    return balance
