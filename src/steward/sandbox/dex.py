"""Uniswap V2 and V3 on the sandbox chains: Uniswap's published contracts at the addresses of the
chain each sandbox chain mirrors (`SANDBOX_MIRRORS`), and realistic pools.

V2 pairs are seeded through the real UniswapV2Router02, V3 positions through the real
NonfungiblePositionManager (`createAndInitializePoolIfNecessary` + `mint`), all sent by the
sandbox operator through the guard and the executor. After seeding, every pair and pool is
checked to sit at the CREATE2 address the periphery computes from the published init-code
hashes, so routers and quoters find them exactly as they would on mainnet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_canonical_address, to_checksum_address
from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.chains.presets import PRESETS, SANDBOX_MIRRORS, ChainPreset
from steward.contracts import uniswap
from steward.errors import StewardError
from steward.protocols import registry
from steward.protocols.amm import deadline
from steward.protocols.erc20 import encode

ETH = 10**18
USD6 = 10**6
ETH_PRICE_USD = 3_000
ZERO_ADDRESS = "0x" + "00" * 20
V2_ROLES = ("uniswap-v2:factory", "uniswap-v2:router")
V3_ROLES = ("uniswap-v3:factory", "uniswap-v3:swap_router", "uniswap-v3:quoter",
            "uniswap-v3:position_manager")
UNISWAP_ROLES = V2_ROLES + V3_ROLES
# The V3 tick spacing of each fee tier the v3-core factory enables.
TICK_SPACING = {500: 10, 3000: 60, 10000: 200}
MIN_TICK, MAX_TICK = -887272, 887272
NPM = "uniswap/NonfungiblePositionManager"
OBSERVATION_CARDINALITY = 100  # so a time-weighted price can be read from every V3 pool


@dataclass(frozen=True)
class V2Pool:
    """A V2 pair: the deposit fixes its price (amount_b per amount_a)."""

    symbol_a: str
    amount_a: int
    symbol_b: str
    amount_b: int


@dataclass(frozen=True)
class V3Pool:
    """A V3 pool and the operator's one position in it: priced like the deposit (amount_b per
    amount_a), liquidity from `lower` to `upper` times that price."""

    symbol_a: str
    amount_a: int
    symbol_b: str
    amount_b: int
    fee: int
    lower: float
    upper: float


# About $1.5M a side, ETH ≈ $3,000; USDT trades slightly under USDC.
V2_POOLS = [
    V2Pool("WETH", 500 * ETH, "USDC", 500 * ETH_PRICE_USD * USD6),
    V2Pool("WETH", 500 * ETH, "USDT", 500 * (ETH_PRICE_USD + 3) * USD6),
    V2Pool("USDC", 1_500_000 * USD6, "USDT", 1_500_500 * USD6),
]
# Mainnet-like tiers and ranges: WETH/stable positions ±20–30 % around the price, the stable
# pair in a narrow band. The amounts are what the operator offers; mint takes what the range
# needs of the scarcer side and leaves the rest with the operator.
V3_POOLS = [
    V3Pool("WETH", 500 * ETH, "USDC", 500 * ETH_PRICE_USD * USD6, 500, 0.8, 1.25),
    V3Pool("WETH", 500 * ETH, "USDC", 500 * ETH_PRICE_USD * USD6, 3000, 0.7, 1.3),
    V3Pool("WETH", 500 * ETH, "USDT", 500 * (ETH_PRICE_USD + 3) * USD6, 3000, 0.7, 1.3),
    V3Pool("USDC", 1_500_000 * USD6, "USDT", 1_500_500 * USD6, 500, 0.995, 1.005),
]


def mirrored_preset(chain_name: str) -> ChainPreset:
    """The real chain whose addresses `chain_name` (a sandbox chain) mirrors."""
    if chain_name not in SANDBOX_MIRRORS:
        raise StewardError(f"{chain_name} is not a sandbox chain")
    return PRESETS[SANDBOX_MIRRORS[chain_name]]


def pool_needs(symbol: str) -> int:
    """How much of `symbol` the operator offers to all V2 and V3 pools together."""
    total = 0
    for pool in [*V2_POOLS, *V3_POOLS]:
        total += pool.amount_a if pool.symbol_a == symbol else 0
        total += pool.amount_b if pool.symbol_b == symbol else 0
    return total


# --- addresses -------------------------------------------------------------------------------
def sort_tokens(token_a: str, token_b: str) -> tuple[str, str]:
    a, b = to_checksum_address(token_a), to_checksum_address(token_b)
    return (a, b) if int(a, 16) < int(b, 16) else (b, a)


def create2_address(deployer: str, salt: bytes, init_code_hash: str) -> str:
    digest = keccak(b"\xff" + to_canonical_address(deployer) + salt
                    + bytes.fromhex(init_code_hash.removeprefix("0x")))
    return to_checksum_address(digest[12:])


def v2_pair_address(factory: str, token_a: str, token_b: str) -> str:
    """Where UniswapV2Library.pairFor says the pair is (V2_PAIR_INIT_CODE_HASH)."""
    token0, token1 = sort_tokens(token_a, token_b)
    salt = keccak(to_canonical_address(token0) + to_canonical_address(token1))
    return create2_address(factory, salt, uniswap.V2_PAIR_INIT_CODE_HASH)


def v3_pool_address(factory: str, token_a: str, token_b: str, fee: int) -> str:
    """Where the V3 periphery's PoolAddress.computeAddress says the pool is."""
    token0, token1 = sort_tokens(token_a, token_b)
    salt = keccak(abi_encode(["address", "address", "uint24"], [token0, token1, fee]))
    return create2_address(factory, salt, uniswap.V3_POOL_INIT_CODE_HASH)


# --- V3 price math -----------------------------------------------------------------------------
def sqrt_price_x96(amount0: int, amount1: int) -> int:
    """sqrt(amount1 / amount0) in Q64.96, the price of token0 in token1 base units."""
    return math.isqrt((amount1 << 192) // amount0)


def price_tick(price: float, spacing: int, round_up: bool) -> int:
    """The usable tick (a multiple of `spacing`) at or beyond `price` (token1 per token0)."""
    exact = math.log(price) / math.log(1.0001)
    ticks = math.ceil(exact / spacing) if round_up else math.floor(exact / spacing)
    return max(MIN_TICK // spacing * spacing + spacing, min(ticks * spacing,
                                                              MAX_TICK // spacing * spacing))


@dataclass(frozen=True)
class Position:
    token0: str
    token1: str
    amount0: int
    amount1: int
    sqrt_price_x96: int
    tick_lower: int
    tick_upper: int


def position(pool: V3Pool, token_a: str, token_b: str) -> Position:
    """The NonfungiblePositionManager parameters for `pool` (token order by address)."""
    token0, token1 = sort_tokens(token_a, token_b)
    if token0 == to_checksum_address(token_a):
        amount0, amount1 = pool.amount_a, pool.amount_b
    else:
        amount0, amount1 = pool.amount_b, pool.amount_a
    price = amount1 / amount0
    spacing = TICK_SPACING[pool.fee]
    return Position(token0, token1, amount0, amount1, sqrt_price_x96(amount0, amount1),
                    price_tick(price * pool.lower, spacing, round_up=False),
                    price_tick(price * pool.upper, spacing, round_up=True))


# --- deployment --------------------------------------------------------------------------------
def place_uniswap(builder, chain: ChainConfig) -> dict[str, str]:
    """Place WETH9 and Uniswap V2 + V3 at the mirrored chain's addresses; returns the contracts
    by role ("weth" and the "uniswap-v2:…" / "uniswap-v3:…" roles)."""
    preset = mirrored_preset(chain.name)
    roles = registry.contracts_on(preset.chain_id)
    weth = preset.tokens[preset.wrapped_native]
    operator = builder.operator.address
    builder.place(chain, weth, "uniswap/WETH9", label="WETH9")
    builder.place(chain, roles["uniswap-v2:factory"], "uniswap/UniswapV2Factory", operator,
                  label="UniswapV2Factory")
    builder.place(chain, roles["uniswap-v2:router"], "uniswap/UniswapV2Router02",
                  roles["uniswap-v2:factory"], weth, label="UniswapV2Router02")
    factory = roles["uniswap-v3:factory"]
    builder.place(chain, factory, "uniswap/UniswapV3Factory", label="UniswapV3Factory")
    builder.place(chain, roles["uniswap-v3:swap_router"], "uniswap/SwapRouter", factory, weth,
                  label="SwapRouter")
    builder.place(chain, roles["uniswap-v3:quoter"], "uniswap/QuoterV2", factory, weth,
                  label="QuoterV2")
    # The token descriptor only renders position NFTs' tokenURI, which nothing here reads.
    builder.place(chain, roles["uniswap-v3:position_manager"],
                  "uniswap/NonfungiblePositionManager", factory, weth, ZERO_ADDRESS,
                  label="NonfungiblePositionManager")
    return {"weth": weth, **{role: roles[role] for role in UNISWAP_ROLES}}


def _wrap_and_approve(builder, chain: ChainConfig, spender: str, amounts: dict[str, int],
                      purpose: str) -> None:
    for symbol, amount in amounts.items():
        if symbol == "WETH":
            builder.call(chain, chain.tokens["WETH"], "uniswap/WETH9", "deposit", value=amount,
                         description=f"wrap ETH for the {purpose}")
        builder.call(chain, chain.tokens[symbol], "ERC20", "approve", spender, amount,
                     description=f"approve {symbol} for the {purpose}")


def _totals(pools) -> dict[str, int]:
    totals: dict[str, int] = {}
    for pool in pools:
        totals[pool.symbol_a] = totals.get(pool.symbol_a, 0) + pool.amount_a
        totals[pool.symbol_b] = totals.get(pool.symbol_b, 0) + pool.amount_b
    return totals


def _empty_v2_pools(w3: Web3, chain: ChainConfig) -> list[V2Pool]:
    factory = w3.eth.contract(address=chain.contracts["uniswap-v2:factory"],
                              abi=uniswap.abi("uniswap/UniswapV2Factory"))
    empty = []
    for pool in V2_POOLS:
        pair = factory.functions.getPair(chain.tokens[pool.symbol_a],
                                         chain.tokens[pool.symbol_b]).call()
        if int(pair, 16) == 0 or not w3.eth.contract(
                address=pair, abi=uniswap.abi("uniswap/UniswapV2Pair")
        ).functions.totalSupply().call():
            empty.append(pool)
    return empty


def seed_v2_pools(builder, chain: ChainConfig) -> None:
    """Seed every V2 pair of `V2_POOLS` that holds no liquidity yet (a pair that does is left
    alone: its price may have moved, and the exact deposit would revert)."""
    w3 = chain_registry.connect(chain)
    router = chain.contracts["uniswap-v2:router"]
    pools = _empty_v2_pools(w3, chain)
    _wrap_and_approve(builder, chain, router, _totals(pools), "V2 pools")
    for pool in pools:
        token_a, token_b = chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b]
        builder.call(chain, router, "uniswap/UniswapV2Router02", "addLiquidity", token_a,
                     token_b, pool.amount_a, pool.amount_b, pool.amount_a, pool.amount_b,
                     builder.operator.address, deadline(w3),
                     description=f"add liquidity {pool.symbol_a}/{pool.symbol_b} (Uniswap V2)")
        builder.progress(f"{chain.name}: V2 pool {pool.symbol_a}/{pool.symbol_b} seeded")


def _v3_pool_contract(w3: Web3, chain: ChainConfig, pool: V3Pool):
    factory = w3.eth.contract(address=chain.contracts["uniswap-v3:factory"],
                              abi=uniswap.abi("uniswap/UniswapV3Factory"))
    address = factory.functions.getPool(chain.tokens[pool.symbol_a],
                                        chain.tokens[pool.symbol_b], pool.fee).call()
    if int(address, 16) == 0:
        return None
    return w3.eth.contract(address=address, abi=uniswap.abi("uniswap/UniswapV3Pool"))


def seed_v3_pools(builder, chain: ChainConfig) -> None:
    """Create, price and fill every pool of `V3_POOLS` that holds no liquidity yet, and make it
    keep `OBSERVATION_CARDINALITY` price observations."""
    w3 = chain_registry.connect(chain)
    manager = chain.contracts["uniswap-v3:position_manager"]
    pools = [pool for pool in V3_POOLS if (found := _v3_pool_contract(w3, chain, pool)) is None
             or not found.functions.liquidity().call()]
    _wrap_and_approve(builder, chain, manager, _totals(pools), "V3 positions")
    for pool in pools:
        p = position(pool, chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b])
        name = f"{pool.symbol_a}/{pool.symbol_b} {pool.fee / 10_000:g}%"
        # One transaction (the manager's multicall): create and price the pool, then mint.
        steps = [
            encode(w3, manager, NPM, "createAndInitializePoolIfNecessary", p.token0, p.token1,
                   pool.fee, p.sqrt_price_x96),
            encode(w3, manager, NPM, "mint", (p.token0, p.token1, pool.fee, p.tick_lower,
                                               p.tick_upper, p.amount0, p.amount1, 0, 0,
                                               builder.operator.address, deadline(w3))),
        ]
        builder.call(chain, manager, NPM, "multicall", [bytes.fromhex(d[2:]) for d in steps],
                     description=f"create the V3 pool {name} and add liquidity")
        address = _v3_pool_contract(w3, chain, pool).address
        builder.call(chain, address, "uniswap/UniswapV3Pool", "increaseObservationCardinalityNext",
                     OBSERVATION_CARDINALITY, description=f"keep price history in {name}")
        builder.progress(f"{chain.name}: V3 pool {name} seeded")


def check_pool_addresses(w3: Web3, chain: ChainConfig) -> None:
    """Every pair and pool is where the periphery computes it (the published init-code hashes
    match the factories' creation code); raise otherwise."""
    if uniswap.init_code_hash("uniswap/UniswapV2Pair") != uniswap.V2_PAIR_INIT_CODE_HASH or (
            uniswap.init_code_hash("uniswap/UniswapV3Pool") != uniswap.V3_POOL_INIT_CODE_HASH):
        raise StewardError("the Uniswap artifacts' pool code does not match the periphery's "
                           "init-code hashes; run `make setup-tools`")
    v2 = w3.eth.contract(address=chain.contracts["uniswap-v2:factory"],
                         abi=uniswap.abi("uniswap/UniswapV2Factory"))
    v3 = w3.eth.contract(address=chain.contracts["uniswap-v3:factory"],
                         abi=uniswap.abi("uniswap/UniswapV3Factory"))
    for pool in V2_POOLS:
        a, b = chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b]
        found = v2.functions.getPair(a, b).call()
        if found != v2_pair_address(v2.address, a, b):
            raise StewardError(f"{chain.name}: V2 pair {pool.symbol_a}/{pool.symbol_b} is at "
                               f"{found}, not where the router computes it")
    for pool in V3_POOLS:
        a, b = chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b]
        found = v3.functions.getPool(a, b, pool.fee).call()
        if found != v3_pool_address(v3.address, a, b, pool.fee):
            raise StewardError(f"{chain.name}: V3 pool {pool.symbol_a}/{pool.symbol_b} "
                               f"{pool.fee} is at {found}, not where the periphery computes it")


__all__ = ["UNISWAP_ROLES", "V2_POOLS", "V3_POOLS", "V2Pool", "V3Pool", "check_pool_addresses",
           "mirrored_preset", "place_uniswap", "pool_needs", "position", "seed_v2_pools",
           "seed_v3_pools", "sqrt_price_x96", "v2_pair_address", "v3_pool_address"]
