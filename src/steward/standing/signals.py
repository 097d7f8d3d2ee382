"""A stablecoin's peg, read from sources one transaction cannot move, failing closed.

Per chain: the coin's reference feed (``feed:<SYMBOL>``, `steward.protocols.oracle.read_feed`),
and the deepest pool of the coin against USDC that any venue has (`registry.dexes` →
`pair_prices`, deepest among those with a time-weighted price, as `steward.protocols.pricing`
picks it): its time-weighted price over pricing's `twap_window_seconds`, and its spot price,
which a donation or one large swap moves and which therefore only ever shows on the chart.

USDC is the quote of every pool, so its own peg is its feeds'; the USDC/USDT pool prices USDC in
USDT, which is not independent of USDT's own peg: shown as a cross-check, never counted.

The trusted price is the median of the usable feeds and time-weighted prices. There is none —
and the reading's `problem` says why, so nothing acts on it — when a configured feed is stale or
invalid ("stale: …"), when the usable sources disagree by more than the feed's own deviation
band plus BUFFER_BPS ("conflicting: …"; a feed only moves once the price leaves its band, so
closer disagreement is normal), or when no source is usable ("no trusted source: …"). A pool
thinner than pricing's `min_depth_usd` on its quote side is left out, with its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.protocols import erc20, oracle, registry
from steward.protocols.pricing import USD, PricingSettings, pricing_settings
from steward.standing.facts import BUFFER_BPS, FactsFile, load_facts

QUOTE = "USDC"
QUOTE_OF_QUOTE = "USDT"  # what USDC's own pool is priced in (a cross-check only)


@dataclass(frozen=True)
class SourcePrice:
    kind: Literal["feed", "twap", "spot"]
    chain: str
    label: str  # "sandbox-l1 USDT/USD feed", "sandbox-l1 uniswap-v2 USDT/USDC 30-min TWAP"
    usd: Fraction | None  # USD per whole token; None: unusable (see problem)
    problem: str | None = None
    depth_usd: int | None = None  # usd micros of the pool's quote side (pools only)
    updated_at: int | None = None  # feeds: the answer's timestamp


@dataclass(frozen=True)
class PegReading:
    symbol: str
    at: int  # now (unix s) used for the reading
    price: Fraction | None  # median of the usable feeds and TWAPs; None when problem
    sources: tuple[SourcePrice, ...]
    problem: str | None  # "stale: ..." / "conflicting: ..." / "no trusted source: ..."
    depth_usd: int  # total quote-side depth over the chains' pools (usd micros)


def _evm(chains: list[ChainConfig]) -> list[ChainConfig]:
    return [chain for chain in chains if chain.family == "evm"]


def chain_now(chains: list[ChainConfig]) -> int:
    """The later of the wall clock and the chains' latest block timestamps: a sandbox whose
    clock was moved ahead reads as that later time."""
    now = int(time.time())
    for chain in _evm(chains):
        now = max(now, chain_registry.connect(chain).eth.get_block("latest")["timestamp"])
    return now


def _usd_text(price: Fraction) -> str:
    return f"${float(price):.4f}"


def _window_text(seconds: int) -> str:
    return f"{seconds // 60}-min" if seconds % 60 == 0 else f"{seconds}-s"


# --- sources -------------------------------------------------------------------------------------
def _feed_source(w3: Web3, chain: ChainConfig, symbol: str, now: int,
                 heartbeat: int) -> SourcePrice | None:
    address = chain.contracts.get(f"feed:{symbol}")
    if not address:
        return None
    label = f"{chain.name} {symbol}/USD feed"
    reading = oracle.read_feed(w3, address, now, heartbeat)
    return SourcePrice("feed", chain.name, label, reading.usd, reading.problem,
                       updated_at=reading.updated_at)


def _quote_side(prices: oracle.PairPrices, base_first: bool) -> tuple[Fraction, Fraction | None,
                                                                      int]:
    """Spot and time-weighted price as quote per base (base units), and the quote reserve."""
    if base_first:
        return prices.spot, prices.twap, prices.reserve1
    return 1 / prices.spot, None if prices.twap is None else 1 / prices.twap, prices.reserve0


def _pool_sources(w3: Web3, chain: ChainConfig, symbol: str,
                  settings: PricingSettings) -> list[SourcePrice]:
    """The time-weighted and spot prices of the deepest pool of `symbol` against its quote."""
    quote_symbol = QUOTE_OF_QUOTE if symbol == QUOTE else QUOTE
    token, quote = chain.tokens.get(symbol), chain.tokens.get(quote_symbol)
    if not token or not quote:
        return []
    block = w3.eth.get_block("latest")
    head = (block["number"], block["timestamp"])
    window = settings.twap_window_seconds
    found = []
    for dex in registry.dexes(chain):
        prices = dex.pair_prices(w3, chain, token, quote, head, window)
        if prices is not None:
            found.append((dex.name, *_quote_side(*prices)))
    if not found:
        return []
    venue, spot, twap, reserve = max(found, key=lambda f: (f[2] is not None, f[3]))
    quote_decimals = erc20.token_info(w3, quote).decimals
    scale = Fraction(10 ** erc20.token_info(w3, token).decimals, 10 ** quote_decimals)
    depth = reserve * USD // 10**quote_decimals
    pair = f"{chain.name} {venue} {symbol}/{quote_symbol}"
    spot_source = SourcePrice("spot", chain.name, f"{pair} spot", spot * scale, depth_usd=depth)
    label = f"{pair} {_window_text(window)} TWAP"
    if twap is None:
        problem = f"no price history {window} s old yet"
    elif symbol == QUOTE:
        problem = (f"cross-check only: {_usd_text(twap * scale)} in {quote_symbol}, whose own "
                   f"peg it is not independent of")
    elif depth < settings.min_depth_usd * USD:
        problem = (f"thin: {depth / USD:,.0f} {quote_symbol} on its quote side, under "
                   f"{settings.min_depth_usd:,}; its price ({_usd_text(twap * scale)}) is "
                   "cheap to move")
    else:
        return [SourcePrice("twap", chain.name, label, twap * scale, depth_usd=depth),
                spot_source]
    return [SourcePrice("twap", chain.name, label, None, problem, depth_usd=depth), spot_source]


# --- the reading ---------------------------------------------------------------------------------
def median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _problem(symbol: str, sources: list[SourcePrice], usable: list[SourcePrice],
             tolerance_bps: int, band_bps: int) -> str | None:
    bad_feeds = [s for s in sources if s.kind == "feed" and s.usd is None]
    if bad_feeds:
        return "stale: " + "; ".join(f"{s.label}: {s.problem}" for s in bad_feeds)
    if not usable:
        left = [f"{s.label}: {s.problem}" for s in sources if s.kind != "spot"]
        return (f"no trusted source: no usable {symbol}/USD feed or pool time-weighted price"
                + (f" ({'; '.join(left)})" if left else " on these chains"))
    high = max(s.usd for s in usable)
    low = min(s.usd for s in usable)
    if (high - low) * 10_000 > tolerance_bps * low:
        spread = float((high - low) * 10_000 / low)
        listed = ", ".join(f"{s.label} {_usd_text(s.usd)}" for s in usable)
        return (f"conflicting: {listed} differ by {spread:.0f} bps, more than the feed's "
                f"{band_bps} bps deviation band plus a {BUFFER_BPS} bps buffer")
    return None


def read_peg(symbol: str, chains: list[ChainConfig], now: int | None = None, *,
             facts: FactsFile | None = None,
             settings: PricingSettings | None = None) -> PegReading:
    """`symbol`'s peg in USD over `chains` at `now` (default: `chain_now(chains)`)."""
    symbol = symbol.upper()
    facts = facts or load_facts()
    settings = settings or pricing_settings()
    coin = facts.get(symbol)
    heartbeat = settings.heartbeat_seconds
    if coin.feed_heartbeat_seconds:
        heartbeat = min(heartbeat, coin.feed_heartbeat_seconds)
    evm = _evm(chains)
    now = chain_now(evm) if now is None else now
    sources: list[SourcePrice] = []
    for chain in evm:
        w3 = chain_registry.connect(chain)
        feed = _feed_source(w3, chain, symbol, now, heartbeat)
        if feed is not None:
            sources.append(feed)
        sources += _pool_sources(w3, chain, symbol, settings)
    usable = [s for s in sources if s.kind in ("feed", "twap") and s.usd is not None
              and s.problem is None]
    depth = sum(s.depth_usd or 0 for s in sources if s.kind == "spot")
    problem = _problem(symbol, sources, usable, coin.feed_band_bps + BUFFER_BPS,
                       coin.feed_band_bps)
    price = None if problem else median([s.usd for s in usable])
    return PegReading(symbol=symbol, at=now, price=price, sources=tuple(sources),
                      problem=problem, depth_usd=depth)


__all__ = ["BUFFER_BPS", "PegReading", "SourcePrice", "chain_now", "median", "read_peg"]
