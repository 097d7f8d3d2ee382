"""Pay per request (x402): Steward as a payer within its owner's `[payments]` mandate, and as a
seller of its own checks, with a facilitator that settles on the sandbox.

- `payer`: GET a resource; on HTTP 402 choose an offer the mandate allows, have the guard judge
  the payment as the transfer it authorizes, sign the EIP-3009 authorization through the guard's
  door, record it before it leaves, and reconcile it against the chain when the merchant's answer
  is lost (coinbase/x402 #1062).
- `ledger`: the payer's record of every payment, one row per payment id (a payment id is never
  signed twice; a retry resends the same authorization, which the chain can settle only once).
- `facilitator`: a loopback x402 facilitator (verify, settle, supported) over Steward's chain
  connection, built on the official `x402` package's exact-EVM scheme.
- `seller`: Steward's token, address and link checks sold per request through the `x402`
  FastAPI middleware; each payment buys one delivery, a replay is refused.
- `loopback`: uvicorn servers on free localhost ports, in threads.

Everything in one process that touches an embedded chain does so inside `chain_turn()`
(`steward.chains.turn`): py-evm is not thread-safe, and a turn ends by committing the embedded
chains so that other `steward` processes see the blocks.
"""

from __future__ import annotations

from steward.chains import chain_config, load_config
from steward.chains.config import ChainConfig
from steward.chains.turn import chain_turn  # noqa: F401 - re-exported: payments' modules use it
from steward.errors import StewardError


def network_id(chain: ChainConfig | str) -> str:
    """The CAIP-2 id x402 names an EVM chain by: ``eip155:<chain id>``."""
    config = chain_config(chain) if isinstance(chain, str) else chain
    if config.family != "evm":
        raise StewardError(f"{config.name} is a {config.family} chain; x402 payments here are "
                           "EVM only (the exact scheme with EIP-3009)")
    return f"eip155:{config.chain_id}"


def chain_for_network(network: str) -> ChainConfig | None:
    """The registry chain an x402 network id names, or None when the registry has none."""
    family, _, reference = str(network).partition(":")
    if family != "eip155" or not reference.isdigit():
        return None
    for chain in load_config().chains.values():
        if chain.family == "evm" and chain.chain_id == int(reference):
            return chain
    return None


__all__ = ["chain_for_network", "chain_turn", "network_id"]
