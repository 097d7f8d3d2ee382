"""Simulation: run a whole plan on a throwaway copy of the current state, before signing.

Embedded chains run the plan on py-evm's in-memory state on top of the latest block, with the
sender spoofed (no key needed) and everything reverted afterwards. RPC chains run it in one
`eth_simulateV1` request (`bundle.py`: the plan's calls and the measurements in one simulated
block), or, where the node has no eth_simulateV1 or cannot simulate this plan that way, on an
anvil fork of the RPC URL, impersonating the sender. Either way the result says what each step
did (success, gas, revert reason, decoded events) and how balances move: the sender's by real
`balanceOf` before and after, counterparties' from the same reads for every address that the
plan's Transfer events name. Native coin is followed through contracts (py-evm's call frames,
the fork's call trace, or eth_simulateV1's traced transfers): every account a call frame paid
is measured too, so a contract that passes the coin on shows no change and whoever it paid does.
"""

from __future__ import annotations

from contextlib import contextmanager

from eth_utils import to_checksum_address
from web3 import Web3

from steward.accounts.store import is_guarded
from steward.chains.backend import backend_for
from steward.chains.config import ChainConfig
from steward.chains.throwaway import (
    READ_GAS,
    SIMULATION_GAS,
    Outcome,
    RawLog,
    ValueTransfer,
    stop_idle_forks,
)
from steward.plans import Plan
from steward.simulation.results import (
    APPROVAL_TOPIC,
    TRANSFER_TOPIC,
    Approval,
    AssetChange,
    DecodedEvent,
    Measured,
    SimulationResult,
    StepSimulation,
    allowance_call,
    assemble,
    balance_call,
    decode_event,
    imitated_symbol,
    needs,
    steps_of,
    token_label,
    uint_of,
)
from steward.simulation.reverts import describe as decode_revert
from steward.simulation.reverts import revert_text


@contextmanager
def throwaway(w3: Web3, chain: ChainConfig):
    """A throwaway copy of the chain's current state for experiments, discarded on exit
    (`ChainBackend.throwaway` with Steward's revert decoders).

    It offers `apply(sender, call) -> Outcome` (any sender: nothing is signed), `read(to, data)
    -> bytes | None`, `native_balance(address)`, `rewind()` (back to the start),
    `checkpoint()` / `revert_to(mark)` and `method`.
    """
    with backend_for(chain).throwaway(w3, describe=decode_revert, error_text=revert_text) as state:
        yield state


def simulate(w3: Web3, chain: ChainConfig, plan: Plan, *, one_call: bool = True) -> SimulationResult:
    """Run `plan` on a throwaway state; stops at the first step that would fail. `one_call`
    False keeps an RPC chain on the anvil fork (for comparisons)."""
    backend = backend_for(chain)
    if one_call and backend.prefers_bundle:
        from steward.simulation.bundle import NeedsFork, simulate_v1

        try:
            return simulate_v1(backend, chain, plan)
        except NeedsFork:
            pass  # the anvil fork, as before
    with throwaway(w3, chain) as state:
        return _run(chain, plan, state, state.method)


def _run(chain: ChainConfig, plan: Plan, state, method: str) -> SimulationResult:
    """The plan step by step on a throwaway state, measured after and (rewound) before."""
    sender = to_checksum_address(plan.sender)
    lend_gas = is_guarded(sender, chain.name)  # its agent key pays the gas, not the account
    outcomes = []
    for call in plan.calls:
        outcomes.append(state.apply(sender, call, lend_gas=lend_gas))
        if not outcomes[-1].success:
            break
    _, transfers = steps_of(plan, outcomes)
    found = needs(chain, plan, sender, outcomes, transfers)

    def measure() -> tuple[dict, dict]:
        tokens = {(token, holder): uint_of(state.read(token, balance_call(holder)))
                  for token, holder in found.pairs}
        return tokens, {holder: state.native_balance(holder) for holder in found.natives}

    after_tokens, after_native = measure()
    remaining = {key: uint_of(state.read(key[0], allowance_call(key[1], key[2])))
                 for key in found.allowances}
    state.rewind()
    before_tokens, before_native = measure()
    labels: dict[str, dict] = {}  # per simulation: read once on this state

    def label(token: str) -> dict:
        if token not in labels:
            labels[token] = token_label(state.read, chain, token)
        return labels[token]

    measured = Measured(before_tokens=before_tokens, after_tokens=after_tokens,
                        before_native=before_native, after_native=after_native, remaining=remaining)
    return assemble(chain, plan, sender, outcomes, found, measured, label, method, fees_charged=True)


__all__ = ["APPROVAL_TOPIC", "AssetChange", "Approval", "DecodedEvent", "Outcome", "RawLog",
           "READ_GAS", "SIMULATION_GAS", "SimulationResult", "StepSimulation", "TRANSFER_TOPIC",
           "ValueTransfer", "decode_event", "decode_revert", "imitated_symbol", "revert_text",
           "simulate", "stop_idle_forks", "throwaway"]
