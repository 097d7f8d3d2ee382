"""Uniswap-V2-style pool math and reads: reserves, quotes, routes (any V2 fork's factory/router).

The adapter the registry knows is `steward.protocols.uniswap_v2`; the helpers at the bottom
(`could_not_establish`, `min_out`, `deadline`) are shared by every venue.
"""

from __future__ import annotations

import time

from pydantic import BaseModel
from web3 import Web3

from steward.protocols import contract_answered, contract_at
from steward.errors import NoRouteError, StewardError

ZERO = "0x0000000000000000000000000000000000000000"
DEADLINE_SECONDS = 20 * 60
FEE_NUM, FEE_DEN = 997, 1000


class Route(BaseModel):
    path: list[str]
    amount_in: int
    amount_out: int


def router(w3: Web3, address: str):
    return contract_at(w3, address, "uniswap/UniswapV2Router02")


def factory(w3: Web3, address: str):
    return contract_at(w3, address, "uniswap/UniswapV2Factory")


def pair(w3: Web3, address: str):
    return contract_at(w3, address, "uniswap/UniswapV2Pair")


class PoolInfo(BaseModel):
    address: str
    token0: str
    token1: str


# A pair's address and tokens never change once it exists, so they are read once per process;
# reserves are read every time.
_pools: dict[tuple[int, str, str], PoolInfo] = {}


def pool(w3: Web3, factory_address: str, token_a: str, token_b: str) -> PoolInfo | None:
    key = (w3.eth.chain_id, factory_address.lower(), "/".join(sorted((token_a.lower(),
                                                                       token_b.lower()))))
    if key not in _pools:
        address = factory(w3, factory_address).functions.getPair(token_a, token_b).call()
        if address == ZERO:
            return None
        contract = pair(w3, address)
        _pools[key] = PoolInfo(address=address, token0=contract.functions.token0().call(),
                               token1=contract.functions.token1().call())
    return _pools[key]


def forget_pools() -> None:
    _pools.clear()
    _pair_tokens.clear()


# (chain id, factory, address) → the pair's (token0, token1): immutable once it is a pair.
_pair_tokens: dict[tuple[int, str, str], tuple[str, str]] = {}


def pair_tokens(w3: Web3, factory_address: str, address: str) -> tuple[str, str] | None:
    """(token0, token1) when `address` is a pair this factory created; None otherwise."""
    key = (w3.eth.chain_id, factory_address.lower(), address.lower())
    if key not in _pair_tokens:
        try:
            contract = pair(w3, address)
            if contract.functions.factory().call().lower() != factory_address.lower():
                return None
            tokens = (contract.functions.token0().call(), contract.functions.token1().call())
            if factory(w3, factory_address).functions.getPair(*tokens).call().lower() \
                    != address.lower():
                return None  # claims the factory, but the factory does not know it
        except Exception:
            return None  # not a pair (yet): asked again next time
        _pair_tokens[key] = tokens
    return _pair_tokens[key]


def reserves(w3: Web3, factory_address: str, token_a: str, token_b: str) -> tuple[int, int] | None:
    """(reserve of token_a, reserve of token_b), or None when there is no pool with liquidity."""
    info = pool(w3, factory_address, token_a, token_b)
    if info is None:
        return None
    reserve0, reserve1, _ = pair(w3, info.address).functions.getReserves().call()
    if reserve0 == 0 or reserve1 == 0:
        return None
    return (reserve0, reserve1) if info.token0.lower() == token_a.lower() else (reserve1, reserve0)


def amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """The V2 formula, with its 0.3% fee."""
    with_fee = amount_in * FEE_NUM
    return with_fee * reserve_out // (reserve_in * FEE_DEN + with_fee)


def candidate_paths(token_in: str, token_out: str, hubs: list[str]) -> list[list[str]]:
    paths = [[token_in, token_out]]
    for hub in hubs:
        if hub.lower() not in (token_in.lower(), token_out.lower()):
            paths.append([token_in, hub, token_out])
    return paths


def best_route(w3: Web3, router_address: str, factory_address: str, token_in: str,
               token_out: str, amount_in: int, hubs: list[str]) -> Route:
    """The direct or one-hop path with the largest output, computed from the pools' reserves
    with the router's own V2 formula (the same numbers `getAmountsOut` returns, in fewer calls)."""
    best: Route | None = None
    for path in candidate_paths(token_in, token_out, hubs):
        amount = amount_in
        for a, b in zip(path, path[1:]):
            try:
                pool_reserves = reserves(w3, factory_address, a, b)
            except Exception as exc:
                if not contract_answered(exc):
                    raise could_not_establish("a swap route", exc) from None
                pool_reserves = None  # a pool (or factory) that reverts offers no route
            if pool_reserves is None:
                amount = 0
                break
            amount = amount_out(amount, *pool_reserves)
        if amount and (best is None or amount > best.amount_out):
            best = Route(path=path, amount_in=amount_in, amount_out=amount)
    if best is None:
        raise NoRouteError("no pool with liquidity connects these tokens")
    return best


def amount_in_for(w3: Web3, router_address: str, amount_out: int, path: list[str]) -> int | None:
    """The router's `getAmountsIn` for `amount_out` through `path`; None when the pools cannot
    give it (the call reverts); a StewardError when the node does not answer."""
    try:
        return router(w3, router_address).functions.getAmountsIn(amount_out, path).call()[0]
    except Exception as exc:
        if contract_answered(exc):
            return None
        raise could_not_establish("a swap route", exc) from None


def could_not_establish(what: str, exc: BaseException) -> StewardError:
    """The error for a fact the node failed to give: never read as "there is none"."""
    return StewardError(f"could not establish {what}: the chain's RPC node did not answer "
                        f"({type(exc).__name__}); nothing was planned or signed, try again "
                        "(or check the chain's rpc_url)")


def min_out(quoted: int, slippage_bps: int) -> int:
    return quoted * (10_000 - slippage_bps) // 10_000


def deadline(w3: Web3, seconds: int = DEADLINE_SECONDS) -> int:
    """`seconds` from now (the chain's clock or the wall clock, whichever is later)."""
    latest = w3.eth.get_block("latest")["timestamp"]
    return max(latest, int(time.time())) + seconds
