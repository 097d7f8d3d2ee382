"""The one place protocol adapters are registered, and what callers ask of them.

The planner, the guard, pricing and diligence ask this registry — never a contract role name —
which venues a chain has, which route is best, and what a call to a protocol contract does.
Adding a protocol is one adapter module plus one line in `ADAPTERS`.
"""

from __future__ import annotations

from web3 import Web3

from steward.chains.config import ChainConfig
from steward.errors import NoRouteError, StewardError, UnknownNameError
from steward.plans import Call
from steward.protocols.adapter import DexAdapter, Exact, ProtocolAdapter, SwapEffect, SwapRoute
from steward.protocols.sushiswap_v2 import SushiSwapV2
from steward.protocols.uniswap_v2 import UniswapV2
from steward.protocols.uniswap_v3 import UniswapV3

# Registration order is preference order when two venues quote exactly the same.
ADAPTERS: list[ProtocolAdapter] = [UniswapV3(), UniswapV2(), SushiSwapV2()]


def adapter(name: str) -> ProtocolAdapter:
    for candidate in ADAPTERS:
        if candidate.name == name.lower():
            return candidate
    raise UnknownNameError("protocol", name, [a.name for a in ADAPTERS])


class VenueNotDeployed(StewardError):
    """A named venue has no contracts on the chain; `deployed` lists the venues that do."""

    def __init__(self, message: str, deployed: list[str]):
        super().__init__(message)
        self.deployed = deployed


def named(venue: str) -> list[ProtocolAdapter]:
    """The adapters a person's venue word means: one adapter by name ("uniswap-v2"), or every
    version of a family ("uniswap": any adapter named "uniswap-…")."""
    word = venue.lower()
    family = [a for a in ADAPTERS if a.name.startswith(word + "-")]
    return family or [adapter(word)]


def dexes(chain: ChainConfig, venue: str | None = None) -> list[DexAdapter]:
    """The exchanges deployed on `chain` (only `venue`'s when one is named: an adapter name or a
    family such as "uniswap")."""
    found = [a for a in ADAPTERS if isinstance(a, DexAdapter) and a.available(chain)]
    if venue is not None:
        wanted = named(venue)
        deployed = [a for a in found if a in wanted]
        if not deployed:
            label = wanted[0].label if len(wanted) == 1 else venue
            raise VenueNotDeployed(
                f"{label} is not deployed on {chain.name} (as far as its config knows); venues "
                f"there: {', '.join(a.name for a in found) or 'none'}", [a.name for a in found])
        return deployed
    return found


def best_route(w3: Web3, chain: ChainConfig, token_in: str, token_out: str, amount: int,
               exact: Exact, hubs: list[str], venue: str | None = None) -> SwapRoute:
    """The best quote across every venue (and every pool and fee tier each offers): the most
    out for exact "in", the least in for exact "out"."""
    venues = dexes(chain, venue)
    if not venues:
        raise StewardError(f"{chain.name} has no exchange configured; add one with "
                           f"`steward chains add` (presets know Uniswap's deployments)")
    best: SwapRoute | None = None
    for dex in venues:
        route = dex.quote(w3, chain, token_in, token_out, amount, exact, hubs)
        if route is None:
            continue
        better = (route.amount_out > best.amount_out if exact == "in"
                  else route.amount_in < best.amount_in) if best else True
        if better:
            best = route
    if best is None:
        raise NoRouteError("no pool with liquidity connects these tokens")
    return best


def decode_swap(w3: Web3, chain: ChainConfig, call: Call) -> SwapEffect | None:
    """What `call` swaps, decoded by the venue whose contract it calls."""
    if not call.to:
        return None
    for dex in dexes(chain):
        effect = dex.decode(w3, chain, call)
        if effect is not None:
            return effect
    return None


def venue_of(effect: SwapEffect) -> DexAdapter:
    found = adapter(effect.venue)
    assert isinstance(found, DexAdapter)
    return found


def protocol_label(w3: Web3, chain: ChainConfig, address: str) -> str | None:
    """A label when `address` is a registered protocol's contract or pool on `chain`."""
    for candidate in ADAPTERS:
        if candidate.available(chain):
            label = candidate.owns(w3, chain, address)
            if label:
                return label
    return None


def contracts_on(chain_id: int) -> dict[str, str]:
    """Every registered protocol's canonical contracts on a real chain, as config keys
    ("<adapter>:<role>" → address)."""
    return {f"{candidate.name}:{role}": address for candidate in ADAPTERS
            for role, address in candidate.deployments.get(chain_id, {}).items()}


def config_key_label(key: str) -> str:
    """A chain config's contract key for people: "uniswap-v2:router" → "Uniswap V2 router";
    keys no adapter owns ("bridge", "feed:ETH") as they are."""
    venue, _, role = key.partition(":")
    known = next((a for a in ADAPTERS if a.name == venue), None)
    return known.role_label(role) if known and role else key


def forget_facts() -> None:
    for candidate in ADAPTERS:
        candidate.forget()


def default_dex(chain: ChainConfig) -> DexAdapter:
    """The venue "the router" means when a person names no venue."""
    venues = dexes(chain)
    if not venues:
        raise StewardError(f"{chain.name} has no exchange configured")
    return venues[0]


__all__ = ["ADAPTERS", "VenueNotDeployed", "adapter", "best_route", "config_key_label",
           "contracts_on", "decode_swap", "default_dex", "dexes", "forget_facts", "named",
           "protocol_label", "venue_of"]
