"""The scenarios' market on the sandbox chains, moved by the sandbox operator: the chain's clock,
its reference feeds and its pools' prices.

Everything that changes state goes through `SandboxBuilder.call` (the guard and the executor,
like every operator transaction), except the clock: a block stamped later is a fact of the
node (py-evm's `time_travel` on the embedded chains, `evm_setNextBlockTimestamp` + `evm_mine`
on a development node; any other node is refused).

Pool prices are moved by real swaps: the V2 pair by the exact amount its x·y=k curve with the
0.3 % fee needs (found on the pair's own integer formula), every V3 pool of the pair by a swap
bounded by `sqrtPriceLimitX96` at the same price, so the venues agree afterwards. A V3 pool whose
liquidity ends before the target stops where it ends, holding none of the side that was bought
(so pricing passes it by as empty): carrying its price on through empty ticks needs a swap with
input left over at the limit, which the guard's re-quote (it ignores the limit) reads as a
partial fill and denies. `push_pool_price` says so in the notes it returns.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from fractions import Fraction

from web3 import Web3

from steward import chains as chain_registry
from steward.chains.backend import backend_for
from steward.chains.config import ChainConfig, load_config
from steward.chains.embedded import persist
from steward.contracts import abi
from steward.errors import StewardError
from steward.protocols import erc20
from steward.protocols.amm import deadline
from steward.protocols.uniswap_v3 import FEE_TIERS

V2_FEE = (997, 1000)  # what a Uniswap V2 pair keeps of every input: 0.3 %
V3_QUOTE_CEILING = 10**30  # "as much as it takes" for a quote (a quote moves no tokens)
ZERO = "0x" + "00" * 20
Q96 = 2**96
MIN_SQRT_RATIO = 4295128739
MAX_SQRT_RATIO = 1461446703485210103287273052203988822282458284047


def _builder():
    from steward.sandbox import SandboxBuilder  # the sandbox package imports this module's peers

    return SandboxBuilder()


def _usd(value: Fraction | Decimal | str) -> Fraction:
    price = Fraction(value) if not isinstance(value, str) else Fraction(value.strip())
    if price <= 0:
        raise StewardError(f"a price must be positive, not {value}")
    return price


# --- the clock ---------------------------------------------------------------------------------
def advance_time(chain: ChainConfig, seconds: int) -> int:
    """Move `chain`'s clock `seconds` past its present (the later of the wall clock and its
    latest block) and mine a block there; returns that block's timestamp."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        raise StewardError(f"advance the clock by a positive whole number of seconds, "
                           f"not {seconds!r}")
    w3 = chain_registry.connect(chain)
    target = max(w3.eth.get_block("latest")["timestamp"], int(time.time())) + seconds
    embedded = getattr(w3.provider, "embedded_chain", None)
    if embedded is not None:
        # eth-tester stamps the block it mines one second before the time asked for.
        embedded.tester.time_travel(target + 1)
        persist(w3)  # like every sandbox write: durable before this returns
    else:
        if not backend_for(chain).can_set_balance:
            raise StewardError(f"{chain.name} ({chain.rpc_url}) is not a development node "
                               "(anvil or hardhat): its clock cannot be moved")
        for method, params in (("evm_setNextBlockTimestamp", [target]), ("evm_mine", [])):
            answer = w3.provider.make_request(method, params)
            if "error" in answer:
                raise StewardError(f"{chain.rpc_url} refused {method}: {answer['error']}")
    return w3.eth.get_block("latest")["timestamp"]


# --- reference feeds ---------------------------------------------------------------------------
def _feed(chain: ChainConfig, symbol: str):
    address = chain.contracts.get(f"feed:{symbol.upper()}")
    if not address:
        feeds = sorted(key.removeprefix("feed:") for key in chain.contracts
                       if key.startswith("feed:"))
        raise StewardError(f"{chain.name} has no {symbol.upper()}/USD feed; feeds there: "
                           f"{', '.join(feeds) or 'none'}")
    return chain_registry.connect(chain).eth.contract(
        address=address, abi=abi("chainlink/MockV3Aggregator"))


def set_feed(chain: ChainConfig, symbol: str, usd: Fraction | Decimal | str) -> None:
    """Write `usd` (dollars per whole unit) as the `symbol`/USD feed's new answer."""
    feed = _feed(chain, symbol)
    answer = round(_usd(usd) * 10 ** feed.functions.decimals().call())
    _builder().call(chain, feed.address, "chainlink/MockV3Aggregator", "updateAnswer", answer,
                    description=f"set the {symbol.upper()}/USD price feed to ${float(usd):.4f}")


def refresh_feeds(chain: ChainConfig) -> None:
    """Write every feed's current answer again (a new round, updated now), as a feed's
    heartbeat does: after `advance_time` the answers stay fresh."""
    builder = _builder()
    for role in sorted(key for key in chain.contracts if key.startswith("feed:")):
        feed = _feed(chain, role.removeprefix("feed:"))
        answer = feed.functions.latestRoundData().call()[1]
        builder.call(chain, feed.address, "chainlink/MockV3Aggregator", "updateAnswer", answer,
                     description=f"refresh the {role.removeprefix('feed:')}/USD price feed")


# --- pools ---------------------------------------------------------------------------------------
def _hold(builder, chain: ChainConfig, symbol: str, amount: int) -> None:
    """Make the operator hold `amount` of `symbol` on `chain`: minted where it may mint (the
    stables on sandbox-l1), bridged from sandbox-l1 elsewhere, wrapped for WETH."""
    w3 = chain_registry.connect(chain)
    operator = builder.operator.address
    token = chain.token_address(symbol)
    short = amount - erc20.balance_of(w3, token, operator)
    if short <= 0:
        return
    if token.lower() == chain.contracts.get("weth", "").lower():
        builder.call(chain, token, "uniswap/WETH9", "deposit", value=short,
                     description="wrap ETH to move a pool's price")
        return
    stable = w3.eth.contract(address=token, abi=abi("ERC20"))
    if stable.functions.minters(operator).call():
        builder.call(chain, token, "ERC20", "mint", operator, short,
                     description=f"mint {symbol} to move a pool's price")
        return
    from steward.sandbox import L1

    if chain.name == L1:
        raise StewardError(f"the sandbox operator cannot mint {symbol} on {chain.name}")
    builder.bridge_to_l2(load_config().chain(L1), chain, symbol, short, operator)


def fund(chain: ChainConfig, address: str, symbol: str, amount: int) -> None:
    """The operator gives `address` `amount` base units of `symbol` on `chain` (minted on
    sandbox-l1, from its reserve, topped up over the bridge, elsewhere): money arriving from
    outside, as a scenario needs it."""
    if amount <= 0:
        raise StewardError(f"fund a positive amount, not {amount}")
    builder = _builder()
    _hold(builder, chain, symbol, amount)
    builder.call(chain, chain.token_address(symbol), "ERC20", "transfer",
                 Web3.to_checksum_address(address), amount,
                 description=f"fund {address} with {symbol}")


# A price within 1/CLOSE_ENOUGH (0.1 bp) of the target is the target.
CLOSE_ENOUGH = 100_000


def _v2_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """UniswapV2Library.getAmountOut."""
    with_fee = amount_in * V2_FEE[0]
    return with_fee * reserve_out // (reserve_in * V2_FEE[1] + with_fee)


def v2_swap_to_price(reserve_token: int, reserve_quote: int, target: Fraction) -> tuple[bool, int]:
    """(sell the token?, the least amount in) that leaves the pair's spot price (quote base
    units per token base unit) at or past `target`; (…, 0) when it is there already."""
    spot = Fraction(reserve_quote, reserve_token)
    selling = target < spot
    if target == spot:
        return selling, 0

    def reached(amount: int) -> bool:
        if selling:
            out = _v2_out(amount, reserve_token, reserve_quote)
            return Fraction(reserve_quote - out, reserve_token + amount) <= target
        out = _v2_out(amount, reserve_quote, reserve_token)
        return out < reserve_token and Fraction(reserve_quote + amount,
                                                reserve_token - out) >= target

    high = max(reserve_token, reserve_quote)
    while not reached(high):
        high *= 2
    low = 0  # not reached at low; reached at high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if reached(middle) else (middle, high)
    return selling, high


def _v2_pair(w3: Web3, chain: ChainConfig, token: str, quote: str):
    factory = w3.eth.contract(address=chain.contract("uniswap-v2:factory"),
                              abi=abi("uniswap/UniswapV2Factory"))
    pair = factory.functions.getPair(token, quote).call()
    if int(pair, 16) == 0:
        return None
    return w3.eth.contract(address=pair, abi=abi("uniswap/UniswapV2Pair"))


def _push_v2(builder, chain: ChainConfig, symbol: str, quote_symbol: str,
             target: Fraction) -> bool:
    w3 = chain_registry.connect(chain)
    token, quote = chain.token_address(symbol), chain.token_address(quote_symbol)
    pair = _v2_pair(w3, chain, token, quote)
    if pair is None:
        return False
    reserve0, reserve1, _ = pair.functions.getReserves().call()
    token_first = pair.functions.token0().call().lower() == token.lower()
    reserve_token, reserve_quote = (reserve0, reserve1) if token_first else (reserve1, reserve0)
    selling, amount = v2_swap_to_price(reserve_token, reserve_quote, target)
    spot = Fraction(reserve_quote, reserve_token)
    if amount == 0 or abs(spot - target) * CLOSE_ENOUGH <= target:
        # Already there (a push lands at or just past its target): a dust swap would only be
        # refused by the guard as a trade far below the fair price.
        return True
    sold, bought = (symbol, quote_symbol) if selling else (quote_symbol, symbol)
    path = [chain.token_address(sold), chain.token_address(bought)]
    reserves = (reserve_token, reserve_quote) if selling else (reserve_quote, reserve_token)
    out = _v2_out(amount, *reserves)
    router = chain.contract("uniswap-v2:router")
    _hold(builder, chain, sold, amount)
    builder.call(chain, path[0], "ERC20", "approve", router, amount,
                 description=f"approve {sold} to move the {symbol}/{quote_symbol} pair")
    builder.call(chain, router, "uniswap/UniswapV2Router02", "swapExactTokensForTokens", amount,
                 out, path, builder.operator.address, deadline(w3),
                 description=f"sell {sold} to move the {symbol}/{quote_symbol} V2 price")
    return True


def _sqrt_limit(price: Fraction) -> int:
    """sqrt(price) in Q64.96 (price: token1 base units per token0 base unit), inside the
    pool's valid range."""
    root = math.isqrt(price.numerator * Q96 * Q96 // price.denominator)
    return min(max(root, MIN_SQRT_RATIO + 1), MAX_SQRT_RATIO - 1)


def _push_v3_pool(builder, chain: ChainConfig, pool, symbol: str, quote_symbol: str,
                  target: Fraction, scale: Fraction) -> str | None:
    """Swap `pool` to `target` (quote base units per token base unit; `scale` of them make one
    dollar per whole token); None when it got there, else where it stopped and why."""
    w3 = chain_registry.connect(chain)
    token = chain.token_address(symbol)
    current = pool.functions.slot0().call()[0]
    if not current:
        return "it is not initialized"
    token_first = pool.functions.token0().call().lower() == token.lower()
    limit = _sqrt_limit(target if token_first else 1 / target)
    if limit == current:
        return None
    zero_for_one = limit < current  # token0 in: the price of token0 falls
    sold = (symbol if token_first else quote_symbol) if zero_for_one else (
        quote_symbol if token_first else symbol)
    bought = quote_symbol if sold == symbol else symbol
    token_in, token_out = chain.token_address(sold), chain.token_address(bought)
    fee = pool.functions.fee().call()
    quoter = w3.eth.contract(address=chain.contract("uniswap-v3:quoter"),
                             abi=abi("uniswap/QuoterV2"))
    try:  # how much comes out before the limit, then what that costs exactly
        amount_out = quoter.functions.quoteExactInputSingle(
            (token_in, token_out, V3_QUOTE_CEILING, fee, limit)).call()[0]
        amount_in = quoter.functions.quoteExactOutputSingle(
            (token_in, token_out, amount_out, fee, limit)).call()[0] if amount_out else 0
    except Exception:  # the quoter reverts for a swap that would pay nothing
        amount_out = amount_in = 0
    if not amount_out or not amount_in:
        return "it holds no liquidity between its price and the target"
    # Exactly what the liquidity up to the limit takes: a swap that had input left where the
    # liquidity ends would carry the price through the empty ticks, which the guard's re-quote
    # (it ignores the limit) reads as a partial fill and denies.
    router = chain.contract("uniswap-v3:swap_router")
    _hold(builder, chain, sold, amount_in)
    builder.call(chain, token_in, "ERC20", "approve", router, amount_in,
                 description=f"approve {sold} to move the {symbol}/{quote_symbol} V3 pool")
    builder.call(chain, router, "uniswap/SwapRouter", "exactInputSingle",
                 (token_in, token_out, fee, builder.operator.address, deadline(w3), amount_in,
                  amount_out * 999 // 1000, limit),
                 description=f"sell {sold} to move the {symbol}/{quote_symbol} V3 price")
    reached = pool.functions.slot0().call()[0]
    if abs(reached - limit) * 10_000 > limit:  # more than 1 bp of the square root away
        price = Fraction(reached * reached, Q96 * Q96)
        price = price if token_first else 1 / price
        return (f"its liquidity ends at {float(price / scale):.4f} {quote_symbol}, where it holds "
                f"none of the {bought} bought: the price stays there")
    return None


def _v3_pools(w3: Web3, chain: ChainConfig, token: str, quote: str) -> list:
    if "uniswap-v3:factory" not in chain.contracts:
        return []
    factory = w3.eth.contract(address=chain.contracts["uniswap-v3:factory"],
                              abi=abi("uniswap/UniswapV3Factory"))
    pools = []
    for fee in FEE_TIERS:
        address = factory.functions.getPool(token, quote, fee).call()
        if int(address, 16):
            pools.append(w3.eth.contract(address=address, abi=abi("uniswap/UniswapV3Pool")))
    return pools


def push_pool_price(chain: ChainConfig, symbol: str, usd: Fraction | Decimal | str,
                    quote: str = "USDC") -> list[str]:
    """Sell (or buy) `symbol` into its `quote` pools, as the sandbox operator, until the V2
    pair's spot price is `usd` units of `quote` per `symbol` (and every V3 pool's too, where its
    liquidity reaches that far). Returns notes on pools left where they were."""
    target = _usd(usd)
    w3 = chain_registry.connect(chain)
    token, quote_token = chain.token_address(symbol), chain.token_address(quote)
    scale = Fraction(10 ** erc20.token_info(w3, quote_token).decimals,
                     10 ** erc20.token_info(w3, token).decimals)
    base_target = target * scale  # quote base units per token base unit
    builder = _builder()
    notes = []
    moved = _push_v2(builder, chain, symbol, quote, base_target)
    for pool in _v3_pools(w3, chain, token, quote_token):
        left = _push_v3_pool(builder, chain, pool, symbol, quote, base_target, scale)
        if left:
            notes.append(f"{chain.name}: the V3 {symbol}/{quote} pool {pool.address}: {left}")
        moved = True
    if not moved:
        raise StewardError(f"{chain.name} has no {symbol}/{quote} pool to move")
    return notes



# --- both sandbox chains at once: what the scenarios, the demo and the benchmark drive ------------
def sandbox_chains() -> list[ChainConfig]:
    from steward.chains.config import SANDBOX_CHAINS

    config = load_config()
    return [config.chain(name) for name in SANDBOX_CHAINS]


def sandbox_now() -> int:
    """The sandbox's time: the later of the wall clock and both chains' latest blocks (how
    the worker and pricing read the time, so a clock moved ahead is the time)."""
    try:
        return max([int(time.time())] + [chain_registry.connect(chain).eth.get_block(
            "latest")["timestamp"] for chain in sandbox_chains()])
    finally:
        chain_registry.end_all_sessions()


def advance_sandbox(seconds: int, *, refresh: bool = True) -> None:
    """Simulated time passes on both sandbox chains; their feeds keep their heartbeat (a new
    round with the same answer) unless `refresh` is false."""
    for chain in sandbox_chains():
        advance_time(chain, seconds)
        if refresh:
            refresh_feeds(chain)
    chain_registry.end_all_sessions()


def move_peg(symbol: str, usd: Fraction | Decimal | str, *, feeds: bool = True) -> None:
    """Sustained trading moves `symbol`'s pools on both sandbox chains to `usd` (real swaps),
    and, with `feeds`, the reference feeds report it as Chainlink's would."""
    for chain in sandbox_chains():
        push_pool_price(chain, symbol, usd)
        if feeds:
            set_feed(chain, symbol, usd)
    chain_registry.end_all_sessions()

__all__ = ["advance_sandbox", "advance_time", "fund", "move_peg", "push_pool_price",
           "refresh_feeds", "sandbox_chains", "sandbox_now", "set_feed", "v2_swap_to_price"]
