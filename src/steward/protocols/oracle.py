"""Prices that one transaction cannot move: reference feeds and pools' time-weighted prices.

* A reference feed is a Chainlink-style aggregator (`AggregatorV3Interface`): `latestRoundData`
  gives the answer and when it was updated, `decimals` its scale (read once per feed). The chain
  registry lists feeds as contracts named ``feed:<SYMBOL>`` (``feed:ETH`` for the native coin and
  its wrapped token); the sandbox deploys its own from `@chainlink/contracts`' sources.
* A time-weighted price comes from a Uniswap V2 pair's cumulative prices, exactly as
  `UniswapV2OracleLibrary.currentCumulativePrices` computes them: the cumulative now (carried
  forward from the pair's last update with its current reserves) minus the cumulative at an
  observation block at least `window` seconds older (read with `eth_call` at that block), divided
  by the time between them. A donation and `sync()` in the latest block moves it by nothing;
  holding a skewed price for t seconds moves it by t / window of the skew.

Prices here are `Fraction`s of quote base units per base unit; nothing here decides what to
trust (that is `steward.protocols.pricing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from web3 import Web3

from steward.protocols import contract_at
from steward.protocols.batch import Read, failed, read_all

Q112 = 2**112
UINT256 = 2**256
UINT32 = 2**32

FEED_ABI = [
    {"type": "function", "name": "decimals", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint8"}]},
    {"type": "function", "name": "latestRoundData", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "roundId", "type": "uint80"}, {"name": "answer", "type": "int256"},
                 {"name": "startedAt", "type": "uint256"}, {"name": "updatedAt", "type": "uint256"},
                 {"name": "answeredInRound", "type": "uint80"}]},
]


@dataclass(frozen=True)
class FeedReading:
    """A feed's answer in USD per whole unit, or why it cannot be used."""

    usd: Fraction | None
    problem: str | None = None
    updated_at: int | None = None  # when the answer was written (None: unreadable)


# Immutable facts, read once per process: (chain id, feed) -> decimals; (chain id) -> an
# observation block (number, timestamp) reused while it stays in [window, 2 * window] old.
_feed_decimals: dict[tuple[int, str], int] = {}
_observations: dict[tuple[int, int], tuple[int, int]] = {}


@lru_cache(maxsize=256)
def _feed_contract(w3: Web3, address: str):
    return w3.eth.contract(address=address, abi=FEED_ABI)


def forget() -> None:
    _feed_decimals.clear()
    _observations.clear()


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f} h" if seconds < 3 * 86400 else f"{seconds / 86400:.0f} days"


def read_feed(w3: Web3, address: str, now: int, heartbeat: int) -> FeedReading:
    """The feed's latest answer, refused when it is not positive, incomplete or older than
    `heartbeat` seconds at `now` (the latest block's timestamp)."""
    feed = _feed_contract(w3, Web3.to_checksum_address(address))
    key = (w3.eth.chain_id, address.lower())
    reads = [Read(feed, "latestRoundData")] + ([Read(feed, "decimals")]
                                                if key not in _feed_decimals else [])
    try:  # one batch over HTTP
        answers = read_all(w3, reads, "a reference feed")
        if any(failed(a) for a in answers):
            raise ValueError("the feed reverted")
        if len(answers) == 2:
            _feed_decimals[key] = answers[1]
        round_id, answer, _, updated_at, answered_in = answers[0]
    except Exception:
        return FeedReading(None, f"its reference feed {address} could not be read")
    if answer <= 0:
        return FeedReading(None, f"its reference feed answers {answer}, not a price", updated_at)
    if updated_at == 0 or answered_in < round_id:
        return FeedReading(None, "its reference feed's latest round is incomplete", updated_at)
    age = now - updated_at
    if age > heartbeat:
        return FeedReading(None, f"its reference feed is stale (updated {_hours(age)} ago; "
                                 f"it must be newer than {_hours(heartbeat)})", updated_at)
    return FeedReading(Fraction(answer, 10 ** _feed_decimals[key]), updated_at=updated_at)


def observation_block(w3: Web3, latest_number: int, latest_time: int,
                      window: int) -> tuple[int, int] | None:
    """(number, timestamp) of a block between `window` and about 2 * `window` seconds before
    the latest one (the newest block at least `window` old), or None when the chain is younger."""
    key = (w3.eth.chain_id, window)
    cached = _observations.get(key)
    if cached and window <= latest_time - cached[1] <= 2 * window and cached[0] <= latest_number:
        try:  # the same chain? (a reset sandbox reuses chain ids)
            if w3.eth.get_block(cached[0])["timestamp"] == cached[1]:
                return cached
        except Exception:
            pass
    target = latest_time - window
    low, high = 0, latest_number
    if w3.eth.get_block(low)["timestamp"] > target:
        return None
    while low < high:  # the largest block number whose timestamp is <= target
        middle = (low + high + 1) // 2
        if w3.eth.get_block(middle)["timestamp"] <= target:
            low = middle
        else:
            high = middle - 1
    found = (low, w3.eth.get_block(low)["timestamp"])
    _observations[key] = found
    return found


def cumulative_prices(w3: Web3, pair: str, block: int | str,
                      timestamp: int) -> tuple[int, int, int, int] | None:
    """(price0Cumulative, price1Cumulative, reserve0, reserve1) of `pair` carried forward to
    `timestamp` at `block`; None when the pair had no liquidity (or no code) then."""
    contract = contract_at(w3, pair, "uniswap/UniswapV2Pair")
    try:  # one batch over HTTP
        answers = read_all(w3, [Read(contract, name) for name in (
            "price0CumulativeLast", "price1CumulativeLast", "getReserves")], "a pool price",
            block=block)
        if any(failed(a) for a in answers):
            return None
        c0, c1, (r0, r1, last) = answers
    except Exception:
        return None
    if r0 == 0 or r1 == 0:
        return None
    elapsed = (timestamp - last) % UINT32
    c0 = (c0 + (r1 * Q112 // r0) * elapsed) % UINT256
    c1 = (c1 + (r0 * Q112 // r1) * elapsed) % UINT256
    return c0, c1, r0, r1


@dataclass(frozen=True)
class PairPrices:
    """A pair's prices, token1 base units per token0 base unit."""

    spot: Fraction
    twap: Fraction | None
    reserve0: int
    reserve1: int


def pair_prices(w3: Web3, pair: str, latest_number: int, latest_time: int,
                window: int) -> PairPrices | None:
    """Spot and time-weighted price of `pair` (twap None: no observation `window` old)."""
    now = cumulative_prices(w3, pair, latest_number, latest_time)
    if now is None:
        return None
    c0, _, r0, r1 = now
    spot, twap = Fraction(r1, r0), None
    observed = observation_block(w3, latest_number, latest_time, window)
    if observed is not None:
        then = cumulative_prices(w3, pair, observed[0], observed[1])
        if then is not None and latest_time > observed[1]:
            twap = Fraction((c0 - then[0]) % UINT256, (latest_time - observed[1]) * Q112)
    return PairPrices(spot=spot, twap=twap, reserve0=r0, reserve1=r1)
