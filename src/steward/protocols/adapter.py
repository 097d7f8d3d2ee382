"""The protocol adapter seam: what every protocol module offers the planner, guard and pricing.

One module per protocol (`uniswap_v2.py`, `uniswap_v3.py`, …) subclasses `ProtocolAdapter` (or
`DexAdapter` for exchanges) and is registered in one line in `steward.protocols.registry`. The
adapter knows its own contracts per chain (config keys `"<adapter name>:<role>"`, filled in from
`steward.chains.presets` or by the sandbox), builds the calls for the intents it supports,
quotes, and decodes its own calldata for the guard: what a call spends, what it buys, the least
it accepts and who is paid. Nobody else needs its role names or ABIs.

Amounts are integers in base units. Token addresses are checksummed; in routes the chain's
wrapped native token stands for the native coin, and `native_in` / `native_out` say whether the
coin itself is paid or received.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.plans import Call

Exact = Literal["in", "out"]


class SwapRoute(BaseModel):
    """One way through a venue's pools, with its quote."""

    venue: str  # the adapter's name
    path: list[str]  # token addresses, input first
    fees: list[int] = []  # per hop, in hundredths of a basis point (V3: 500 = 0.05 %); V2: empty
    exact: Exact = "in"
    amount_in: int  # exact "in": what is spent; exact "out": what the quote says it costs
    amount_out: int  # exact "in": what the quote says it gives; exact "out": what is bought


class SwapOrder(BaseModel):
    """What the planner asks an adapter to build for a route."""

    route: SwapRoute
    recipient: str
    limit: int  # exact "in": the least accepted out; exact "out": the most that may be spent
    deadline: int
    native_in: bool = False
    native_out: bool = False


class SwapEffect(BaseModel):
    """What one call does, decoded from its own calldata by the adapter that owns its target."""

    venue: str
    function: str
    exact: Exact
    token_in: str | None  # None: the native coin, sent as the call's value
    token_out: str | None  # None: the native coin, paid out
    path: list[str]  # token addresses as the pools see them (wrapped native for the coin)
    fees: list[int] = []
    amount_in: int  # exact "in": what is spent; exact "out": the most that may be spent
    amount_out: int  # exact "in": the least accepted; exact "out": what is bought
    payee: str  # who receives the output
    # Parts of the call the adapter could not account for (unknown inner calls of a multicall):
    # the guard asks a person rather than guess what they do.
    unexplained: list[str] = []


class Permit(BaseModel):
    """A function a protocol's calls use: its contract, 4-byte selector (0x-hex) and whether
    calls to it may carry the native coin."""

    target: str
    selector: str
    value: bool = False


def selectors(abi_name: str, functions: list[str]) -> dict[str, str]:
    """0x-hex selectors of `functions` (names, or signatures for overloaded ones) in one of
    the vendored ABIs."""
    from eth_utils import function_abi_to_4byte_selector

    from steward import contracts

    entries = [e for e in contracts.abi(abi_name) if e.get("type") == "function"]
    found: dict[str, str] = {}
    for wanted in functions:
        name, _, args = wanted.partition("(")
        for entry in entries:
            signature = ",".join(i["type"] for i in entry["inputs"])
            if entry["name"] == name and (not args or signature == args.rstrip(")")):
                found[wanted] = "0x" + function_abi_to_4byte_selector(entry).hex()
                break
        else:
            raise KeyError(f"{abi_name} has no function {wanted}")
    return found


class ProtocolAdapter:
    """A protocol's contracts on each chain; subclasses add what the protocol does."""

    name: ClassVar[str]  # e.g. "uniswap-v3"; also the prefix of its config keys
    label: ClassVar[str]  # e.g. "Uniswap V3", for people
    roles: ClassVar[tuple[str, ...]]  # the contracts it needs, e.g. ("factory", "swap_router")
    # Its canonical deployments on real chains: chain id → role → address. `steward chains add`
    # and the sandbox's mirrors take them from here; a chain's config may override them.
    deployments: ClassVar[dict[int, dict[str, str]]] = {}

    def addresses(self, chain: ChainConfig) -> dict[str, str]:
        """This adapter's contracts on `chain`, by role (nothing when it is not deployed there)."""
        prefix = f"{self.name}:"
        return {key[len(prefix):]: address for key, address in chain.contracts.items()
                if key.startswith(prefix)}

    def available(self, chain: ChainConfig) -> bool:
        found = self.addresses(chain)
        return all(role in found for role in self.roles)

    def forget(self) -> None:
        """Drop facts cached per process (for a chain that was reset: contracts at the same
        addresses may now be different ones)."""

    def owns(self, w3: Web3, chain: ChainConfig, address: str) -> str | None:
        """A label when `address` is one of this protocol's contracts (or pools) on `chain`."""
        for role, known in self.addresses(chain).items():
            if known.lower() == address.lower():
                return self.role_label(role)
        return None

    def role_label(self, role: str) -> str:
        """How people read one of its contracts: "Uniswap V3 swap router"."""
        return f"{self.label} {role.replace('_', ' ')}"


class DexAdapter(ProtocolAdapter):
    """An exchange: quotes, swap calls and the decoding of its own swap calldata."""

    def quote(self, w3: Web3, chain: ChainConfig, token_in: str, token_out: str, amount: int,
              exact: Exact, hubs: list[str]) -> SwapRoute | None:
        """The best route on this venue (direct or through one of `hubs`) for `amount` in
        (exact "in") or out (exact "out"); None when no pool with liquidity connects them.
        A node that does not answer raises (`amm.could_not_establish`): never "no route"."""
        raise NotImplementedError

    def spender(self, chain: ChainConfig) -> str:
        """The contract the input token is approved to."""
        raise NotImplementedError

    def swap_calls(self, w3: Web3, chain: ChainConfig, order: SwapOrder,
                   description: str) -> list[Call]:
        """The swap itself (the planner adds the exact approval before it)."""
        raise NotImplementedError

    def decode(self, w3: Web3, chain: ChainConfig, call: Call) -> SwapEffect | None:
        """What `call` swaps, when its target is this venue's router; None otherwise (or when
        the call is not a swap, e.g. an approval-free read)."""
        raise NotImplementedError

    def requote(self, w3: Web3, chain: ChainConfig, effect: SwapEffect) -> int | None:
        """The venue's quote now for a decoded swap: the output for exact "in", the input for
        exact "out"; None when it cannot be quoted (the pools cannot fill it)."""
        raise NotImplementedError

    def permissions(self, chain: ChainConfig) -> list[Permit]:
        """The contracts and functions this venue's own swap calls use on `chain`, and nothing
        more: what a guarded account's on-chain allowlist grants for swaps here."""
        raise NotImplementedError

    def pair_prices(self, w3: Web3, chain: ChainConfig, base: str, quote: str,
                    head: tuple[int, int], window_seconds: int):
        """Prices of `base` in `quote` from this venue's pool (spot, a time-weighted price over
        `window_seconds` that one transaction cannot move, depth) as
        (`oracle.PairPrices`, base is token0) — or None when the venue has no such pool or
        offers no time-weighted price."""
        return None


__all__ = ["DexAdapter", "Exact", "ProtocolAdapter", "SwapEffect", "SwapOrder", "SwapRoute"]
