"""USD values for limits, in USDC base units, from prices that one transaction cannot move.

The rule: a value is trusted only when it comes from a price that no single transaction can
move, and it is never cheaper than it is.

* Sources. (1) The chain's reference feed for the asset (contract ``feed:<SYMBOL>`` in the
  registry, ``feed:ETH`` for the native coin and its wrapped token): used only when its answer is
  positive and newer than `heartbeat_seconds`. (2) The time-weighted price of the asset's pool
  (against USDC, or against WETH times WETH's own trusted price) over at least
  `twap_window_seconds`. (3) The pool's spot price (reserves ratio), which anyone can move with
  a donation and `sync()` or a large swap: it is a cross-check only, never a price by itself.
* Combination. With at least one of (1) and (2) and every source that exists (including the
  spot price) within `max_disagreement_bps` of each other, the asset is valued at the HIGHEST of
  them. Otherwise it is unpriced: `usdc_value` answers None and `price(token).problem` says why.
  Sources that disagree, a pool shallower than `min_depth_usd` on its quote side, or a feed that
  is configured but stale or invalid make the price *suspect*: the guard then asks a person
  whatever the mandate's `confirm.unpriced_assets` says, and counts the amount at the highest
  price any source gave (`ceiling_value`) against the limits.

The settings come from ``[pricing]`` in config.toml (defaults in `PricingSettings`). The
quote (USDC) counts as one dollar per unit; its own feed, when listed, must agree.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from fractions import Fraction

from pydantic import BaseModel, Field, ValidationError
from web3 import Web3

from steward.chains.config import ChainConfig, config_path
from steward.errors import StewardError
from steward.protocols import erc20, oracle
from steward.protocols import registry

QUOTE_SYMBOL = "USDC"
USD = 10**6  # USDC base units per dollar


class PricingSettings(BaseModel):
    """``[pricing]`` in config.toml."""

    heartbeat_seconds: int = Field(24 * 3600, gt=0)
    twap_window_seconds: int = Field(30 * 60, gt=0)
    max_disagreement_bps: int = Field(200, ge=0, le=10_000)
    min_depth_usd: int = Field(10_000, ge=0)


_settings_cache: dict[tuple, PricingSettings] = {}


def pricing_settings() -> PricingSettings:
    path = config_path()
    try:
        stat = path.stat()
        version = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        return PricingSettings()
    if version not in _settings_cache:
        try:
            section = tomllib.loads(path.read_text()).get("pricing", {})
            _settings_cache[version] = PricingSettings(**section)
        except (tomllib.TOMLDecodeError, ValidationError, TypeError) as exc:
            raise StewardError(f"{path}: [pricing] is invalid ({str(exc).splitlines()[0]}); "
                               "valid keys: heartbeat_seconds, twap_window_seconds, "
                               "max_disagreement_bps, min_depth_usd (whole numbers)") from None
    return _settings_cache[version]


@dataclass(frozen=True)
class Price:
    """USDC base units per base unit of an asset."""

    value: Fraction | None  # the trusted price; None: unpriced
    ceiling: Fraction | None = None  # the highest price any source gave (spot included)
    problem: str | None = None  # why unpriced
    suspect: bool = False  # there are prices, but they cannot be trusted: a person must approve


@dataclass(frozen=True)
class _PoolQuote:
    label: str
    spot: Fraction
    twap: Fraction | None
    depth: Fraction  # USDC base units on the pool's quote side


def _usd_text(price: Fraction, decimals: int) -> str:
    return f"${float(price * 10**decimals / USD):,.2f}"


def _oriented(prices: oracle.PairPrices,
              base_first: bool) -> tuple[Fraction, Fraction | None, int]:
    """A pair's spot and time-weighted prices as quote per base, and its quote-side reserve."""
    if base_first:
        return prices.spot, prices.twap, prices.reserve1
    return 1 / prices.spot, None if prices.twap is None else 1 / prices.twap, prices.reserve0


# Prices read at one block are the same for every review of that block: they are kept per
# process by the block's hash (a revert or reorg gives another hash, so another answer) and the
# chain's contracts and settings, for at most PRICE_CACHE_SECONDS of wall-clock time (feeds'
# freshness is judged against the clock too).
PRICE_CACHE_SECONDS = 5.0
_block_prices: dict[tuple, tuple[float, "Price"]] = {}


def forget_prices() -> None:
    _block_prices.clear()


class Valuation:
    """Values from `price(token)`: the trusted price, or the ceiling for an unpriced amount."""

    def price(self, token: str | None) -> Price:
        raise NotImplementedError

    def usdc_value(self, token: str | None, amount: int) -> int | None:
        """Value of `amount` of `token` (None = native coin) in USDC base units; None when no
        trusted price exists (see the module's rule)."""
        price = self.price(token).value
        return None if price is None else int(amount * price)

    def ceiling_value(self, token: str | None, amount: int) -> int | None:
        """The value at the highest price any source gave (for limits on an unpriced amount)."""
        ceiling = self.price(token).ceiling
        return None if ceiling is None else int(amount * ceiling)


class PriceSource(Valuation):
    def __init__(self, w3: Web3, chain: ChainConfig, settings: PricingSettings | None = None):
        self.w3, self.chain = w3, chain
        self.settings = settings or pricing_settings()
        self.usdc = chain.tokens.get(QUOTE_SYMBOL)
        self.weth = chain.contracts.get("weth")
        self._prices: dict[str, Price] = {}
        self._head: tuple[int, int] | None = None
        self._hash: bytes | None = None

    # --- what callers use (and usdc_value / ceiling_value; the native coin is priced as WETH)
    def price(self, token: str | None) -> Price:
        token = token or self.weth
        if token is None or not self.usdc:
            return Price(None, problem="the chain has no USDC or WETH to price it with")
        key = token.lower()
        if key not in self._prices:
            self._prices[key] = self._block_price(token)
        return self._prices[key]

    def _block_price(self, token: str) -> Price:
        _ = self.head  # the block (and its hash), read once per source
        key = (self.chain.chain_id, self.chain.rpc_url, self._hash, token.lower(),
               tuple(sorted(self.chain.contracts.items())), self.usdc,
               self.settings.model_dump_json())
        now = time.monotonic()
        kept = _block_prices.get(key)
        if kept is not None and now - kept[0] <= PRICE_CACHE_SECONDS:
            return kept[1]
        price = self._price(token)
        if len(_block_prices) > 1024:
            _block_prices.clear()
        _block_prices[key] = (now, price)
        return price

    # --- sources --------------------------------------------------------------------------
    @property
    def head(self) -> tuple[int, int]:
        if self._head is None:
            block = self.w3.eth.get_block("latest")
            self._head = (block["number"], block["timestamp"])
            self._hash = bytes(block["hash"])
        return self._head

    def _symbol(self, token: str) -> str | None:
        if self.weth and token.lower() == self.weth.lower():
            return self.chain.native_symbol
        return self.chain.token_symbol(token)

    def _decimals(self, token: str) -> int:
        if self.weth and token.lower() == self.weth.lower():
            return 18
        recorded = self.chain.recorded_decimals(token)
        return recorded if recorded is not None else erc20.token_info(self.w3, token).decimals

    def _feed(self, token: str) -> oracle.FeedReading | None:
        symbol = self._symbol(token)
        address = symbol and (self.chain.contracts.get(f"feed:{symbol}")
                              or self.chain.contracts.get(f"feed:{symbol.upper()}"))
        if not address:
            return None
        now = max(self.head[1], int(time.time()))  # a chain that mined nothing lately is not fresher
        reading = oracle.read_feed(self.w3, address, now, self.settings.heartbeat_seconds)
        if reading.usd is None:
            return reading
        return oracle.FeedReading(reading.usd * USD / 10 ** self._decimals(token))

    def _pair(self, base: str, quote: str) -> tuple[oracle.PairPrices, bool] | None:
        """The base/quote prices (as quote per base, and whether base is token0) of the deepest
        pool any venue has for the pair — among those with a time-weighted price, if any has."""
        found = []
        for dex in registry.dexes(self.chain):
            prices = dex.pair_prices(self.w3, self.chain, base, quote, self.head,
                                     self.settings.twap_window_seconds)
            if prices is not None:
                found.append(prices)
        if not found:
            return None
        return max(found, key=lambda p: (p[0].twap is not None, _oriented(*p)[2]))

    def _pool_quote(self, token: str) -> _PoolQuote | Price | None:
        """The pool's prices in USDC per base unit; a Price when the route's WETH is unpriced."""
        name = self._symbol(token) or Web3.to_checksum_address(token)[:10]
        direct = self._pair(token, self.usdc)
        if direct:
            spot, twap, depth = _oriented(*direct)
            return _PoolQuote(f"{name}/{QUOTE_SYMBOL}", spot, twap, Fraction(depth))
        if not self.weth or token.lower() == self.weth.lower():
            return None
        via = self._pair(token, self.weth)
        if via is None:
            return None
        weth = self.price(self.weth)
        if weth.value is None:
            return Price(None, problem=f"it is priced through WETH, and WETH is unpriced: "
                                       f"{weth.problem}", suspect=weth.suspect)
        spot, twap, depth = _oriented(*via)
        return _PoolQuote(f"{name}/WETH", spot * weth.value,
                          None if twap is None else twap * weth.value, depth * weth.value)

    # --- the rule -------------------------------------------------------------------------
    def _price(self, token: str) -> Price:
        feed = self._feed(token)
        if token.lower() == self.usdc.lower():
            return self._quote_price(feed)
        quote = self._pool_quote(token)
        if isinstance(quote, Price):
            return quote
        seen: dict[str, Fraction] = {}
        if feed is not None and feed.usd is not None:
            seen["the reference feed"] = feed.usd
        if quote is not None:
            if quote.twap is not None:
                seen[f"the {quote.label} pool's time-weighted price"] = quote.twap
            seen[f"the {quote.label} pool's spot price"] = quote.spot
        ceiling = max(seen.values()) if seen else None
        if feed is not None and feed.usd is None:
            return Price(None, ceiling, feed.problem, suspect=True)
        if quote is not None and quote.depth < self.settings.min_depth_usd * USD:
            return Price(None, ceiling, f"the {quote.label} pool is thin (under "
                                        f"${self.settings.min_depth_usd:,} on its quote side), so "
                                        "its price is cheap to move", suspect=True)
        trusted = (feed is not None and feed.usd is not None) or (quote and quote.twap is not None)
        if not trusted:
            return Price(None, ceiling, "no reference feed prices it and no pool has a "
                                        f"time-weighted price over {self.settings.twap_window_seconds} s"
                         if quote else "no pool or reference feed prices it")
        low = min(seen.values())
        if ceiling * 10_000 > low * (10_000 + self.settings.max_disagreement_bps):
            decimals = self._decimals(token)
            listed = ", ".join(f"{source} {_usd_text(price, decimals)}"
                               for source, price in seen.items())
            return Price(None, ceiling, f"its prices disagree by more than "
                                        f"{self.settings.max_disagreement_bps / 100:g}% ({listed}); "
                                        "a pool may have been manipulated", suspect=True)
        return Price(ceiling, ceiling)

    def _quote_price(self, feed: oracle.FeedReading | None) -> Price:
        """USDC counts as one dollar; a listed feed must be fresh and agree."""
        par = Fraction(1)
        if feed is None:
            return Price(par, par)
        if feed.usd is None:
            return Price(None, par, feed.problem, suspect=True)
        high, low = max(par, feed.usd), min(par, feed.usd)
        if high * 10_000 > low * (10_000 + self.settings.max_disagreement_bps):
            return Price(None, high, f"its reference feed says {_usd_text(feed.usd, 6)}, not $1.00",
                         suspect=True)
        return Price(high, high)
