"""The issue's end-to-end promise: a real chain from a preset, no address typed by hand.

An anvil node that mirrors Ethereum's canonical addresses (the sandbox places Uniswap's published
V2/V3 contracts, WETH9 and the stables there) plays Ethereum. A person who only has a wallet
adds the chain with `steward chains add ethereum --rpc-url …` (the chain-id override is the
test-only stand-in for mainnet's id 1) and asks in plain words; Steward routes through Uniswap
V3, simulates the whole plan with one eth_simulateV1 call, judges it, signs it, and exactly the
quoted amounts move.
"""

from __future__ import annotations

import json
import shutil

from web3 import Web3
from web3.providers import HTTPProvider

from steward.chains.presets import PRESETS

from conftest import run_cli

USDC = 10**6


def _balances(w3: Web3, address: str) -> tuple[int, int]:
    usdc = w3.eth.contract(address=PRESETS["ethereum"].tokens["USDC"], abi=[{
        "name": "balanceOf", "type": "function", "stateMutability": "view",
        "inputs": [{"name": "a", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}]}])
    return usdc.functions.balanceOf(address).call(), w3.eth.get_balance(address)


def test_a_preset_chain_swaps_through_uniswap_v3_simulated_by_the_node(anvil_world, anvil_nodes,
                                                                      tmp_path):
    l1, _ = anvil_nodes
    w3 = Web3(HTTPProvider(l1.url))
    # A home with nothing but the person's wallet and mandate: no sandbox, no addresses.
    home = tmp_path / "person"
    home.mkdir()
    for part in ("wallets", "mandates"):
        shutil.copytree(anvil_world / part, home / part)
    address = Web3.to_checksum_address(
        "0x" + json.loads(next((home / "wallets").glob("*.json")).read_text())["address"][-40:])

    refused = run_cli("chains", "add", "ethereum", "--rpc-url", l1.url, home=home)
    assert refused.returncode != 0 and "chain id" in (refused.stdout + refused.stderr)
    added = run_cli("chains", "add", "ethereum", "--rpc-url", l1.url,
                    "--chain-id-override", str(w3.eth.chain_id), home=home)
    assert added.returncode == 0, added.stdout + added.stderr
    # The mirror has Uniswap V2 and V3 at Ethereum's addresses, not SushiSwap: it is left out.
    assert "not on this node (left out): SushiSwap V2" in added.stdout

    usdc_before, eth_before = _balances(w3, address)
    asked = run_cli("ask", "swap 500 USDC for ETH", "--yes", "--json", home=home)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    report = json.loads(asked.stdout)
    [step] = report["steps"]
    assert step["status"] == "done", step
    quote = step["planned"]["quote"]
    assert quote["venue"] == "uniswap-v3" and quote["amount_in"] == 500 * USDC
    assert step["planned"]["source"] == "ethereum"
    assert step["verdict"]["simulation"]["method"].startswith("eth_simulateV1")

    fees = 0
    for tx_hash in step["tx_hashes"]:
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        fees += receipt["gasUsed"] * receipt["effectiveGasPrice"]
    usdc_after, eth_after = _balances(w3, address)
    assert usdc_before - usdc_after == 500 * USDC
    assert eth_after - eth_before + fees == quote["quoted_out"]  # exactly what was quoted
