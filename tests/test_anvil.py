"""The real local node: anvil started on 127.0.0.1, a signed transfer, several nodes, clean stop.

Without anvil these tests skip locally and FAIL when `CI` is set (CI must run them).
"""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

import steward.chains.anvil as anvil_module
from conftest import anvil_or_fail
from steward.chains.anvil import NOT_FOUND, AnvilNode, find_anvil, free_port
from steward.errors import ChainConnectionError, StewardError

# Anvil's first default account: index 0 of "test test ... junk", funded with 10000 ETH.
FUNDED_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
FUNDED_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.fixture(scope="module")
def anvil_binary() -> Path:
    return anvil_or_fail()


def _port_is_free(port: int) -> bool:
    """Whether a server could listen on the port now (as servers do, ignoring TIME_WAIT leftovers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.anvil
def test_node_serves_its_chain_id(anvil_binary):
    with AnvilNode(chain_id=777001) as node:
        assert node.url.startswith("http://127.0.0.1:")
        assert node.chain_id == 777001
        w3 = Web3(HTTPProvider(node.url))
        assert w3.eth.chain_id == 777001
        assert w3.eth.get_balance(FUNDED_ADDRESS) == Web3.to_wei(10_000, "ether")


@pytest.mark.anvil
def test_signed_transfer_lands_and_moves_exactly_the_value(anvil_binary):
    with AnvilNode(chain_id=777001) as node:
        w3 = Web3(HTTPProvider(node.url))
        sender = Account.from_key(FUNDED_KEY)
        assert sender.address == FUNDED_ADDRESS
        recipient = Account.create().address
        value = Web3.to_wei("1.2345", "ether")
        sender_before = w3.eth.get_balance(sender.address)
        recipient_before = w3.eth.get_balance(recipient)
        base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
        tx = {
            "type": 2,
            "chainId": 777001,
            "nonce": w3.eth.get_transaction_count(sender.address),
            "to": recipient,
            "value": value,
            "gas": 21_000,
            "maxPriorityFeePerGas": Web3.to_wei(1, "gwei"),
            "maxFeePerGas": 2 * base_fee + Web3.to_wei(1, "gwei"),
        }
        signed = sender.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        assert receipt["status"] == 1
        gas_cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        assert gas_cost > 0
        assert w3.eth.get_balance(recipient) - recipient_before == value
        assert sender_before - w3.eth.get_balance(sender.address) == value + gas_cost


@pytest.mark.anvil
def test_two_nodes_at_once(anvil_binary):
    with AnvilNode(chain_id=777001) as one, AnvilNode(chain_id=777002) as two:
        assert one.port != two.port
        assert Web3(HTTPProvider(one.url)).eth.chain_id == 777001
        assert Web3(HTTPProvider(two.url)).eth.chain_id == 777002


@pytest.mark.anvil
def test_stop_frees_the_port(anvil_binary):
    port = free_port()
    node = AnvilNode(chain_id=777001, port=port).start()
    assert node.url == f"http://127.0.0.1:{port}"
    assert node.running and not _port_is_free(port)
    node.stop()
    assert not node.running
    assert _port_is_free(port)
    with pytest.raises(OSError):
        urllib.request.urlopen(node.url, timeout=1)
    node.stop()  # twice is fine
    with AnvilNode(chain_id=777003, port=port) as again:  # the port can be used again at once
        assert Web3(HTTPProvider(again.url)).eth.chain_id == 777003


@pytest.mark.anvil
def test_a_taken_port_is_a_clear_error(anvil_binary):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ChainConnectionError, match=f"port {port} .* in use"):
            AnvilNode(port=port).start()


@pytest.mark.anvil
def test_anvil_dying_at_start_reports_its_stderr(anvil_binary):
    node = AnvilNode(extra_args=["--no-such-flag-xyz"])
    with pytest.raises(ChainConnectionError, match="exited with code .*no-such-flag-xyz"):
        node.start()
    assert not node.running


def test_free_port_is_bindable():
    assert _port_is_free(free_port())


def test_steward_anvil_env_overrides(monkeypatch, tmp_path):
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("STEWARD_ANVIL", str(fake))
    assert find_anvil() == fake
    monkeypatch.setenv("STEWARD_ANVIL", str(tmp_path / "missing"))
    with pytest.raises(StewardError, match="STEWARD_ANVIL"):
        find_anvil()


def test_not_found_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("STEWARD_ANVIL", raising=False)
    monkeypatch.setattr(anvil_module, "_REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(StewardError) as exc:
        find_anvil()
    assert str(exc.value) == NOT_FOUND
    assert "make setup-anvil" in str(exc.value)


def test_finds_the_native_binary_under_dot_tools_in_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv("STEWARD_ANVIL", raising=False)
    monkeypatch.setattr(anvil_module, "_REPO_ROOT", tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path)
    package, binary = anvil_module._platform_package()
    native = tmp_path / ".tools" / "node_modules" / "@foundry-rs" / package / "bin" / binary
    wrapper = tmp_path / ".tools" / "node_modules" / ".bin" / binary
    for path in (wrapper, native):
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    assert find_anvil() == native.resolve()
