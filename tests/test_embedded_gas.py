"""The embedded chain's gas estimate: two or three runs instead of a binary search, and never
below what the transaction needs (a nested swap loses 1/64 of its gas at every call)."""

from __future__ import annotations

from eth.estimators.gas import binary_gas_search_exact
from eth.vm.spoof import SpoofTransaction
from eth_utils import to_canonical_address

from steward import chains
from steward.chains.config import load_config
from steward.chains.embedded import estimate_gas
from steward.planning.builders import swap_plan
from steward.wallets import WalletStore


def test_the_estimate_covers_what_a_nested_swap_needs(embedded_world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    sender = WalletStore().get("main").address
    # ETH in: no approval needed first, and the V3 router wraps, swaps and calls back.
    plan, quote = swap_plan(chain, sender, "ETH", "0.5", "USDC")
    [swap] = plan.calls
    tx = {"from": sender, "to": swap.to, "data": swap.data, "value": swap.value}
    estimate = w3.eth.estimate_gas(tx)
    backend = w3.provider.embedded_chain.backend
    normalized = {"from": to_canonical_address(sender), "to": to_canonical_address(swap.to),
                  "data": bytes.fromhex(swap.data[2:]), "value": swap.value, "gas": 21_000}
    evm_tx = backend._get_normalized_and_unsigned_evm_transaction(normalized, "latest")
    spoofed = SpoofTransaction(evm_tx, from_=to_canonical_address(sender))
    state = backend.chain.get_vm().state
    exact = binary_gas_search_exact(state, spoofed)
    assert estimate == estimate_gas(state, spoofed)
    assert exact <= estimate <= exact * 11 // 10  # enough, and not wildly more
    # A plain transfer is exactly its intrinsic gas.
    assert w3.eth.estimate_gas({"from": sender, "to": sender, "value": 1}) == 21_000
