"""Prices for a Solana chain's assets, from what one transaction cannot move.

USDC and USDT count as one dollar, cross-checked against a reference feed when one is listed;
any other asset (SOL) needs a fresh Chainlink-style reference feed `feed:<SYMBOL>` on one of the
registry's EVM chains (the sandbox lists a SOL/USD feed on sandbox-l1). The symbol is the
registry's own name for the mint (or the chain's native coin), never a name a token declares.
Without a trusted source an amount is unpriced: the guard counts it at the highest price any
source gave and asks a person, exactly as on the EVM side (`steward.protocols.pricing`).
"""

from __future__ import annotations

import time
from fractions import Fraction

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config
from steward.protocols import oracle
from steward.protocols.pricing import USD, Price, Valuation, pricing_settings

STABLES = ("USDC", "USDT")


class SolanaPrices(Valuation):
    def __init__(self, chain: ChainConfig):
        self.chain = chain
        self.settings = pricing_settings()
        self._prices: dict[str | None, Price] = {}

    def price(self, token: str | None) -> Price:
        if token not in self._prices:
            self._prices[token] = self._price(token)
        return self._prices[token]

    def _symbol_and_decimals(self, token: str | None) -> tuple[str | None, int | None]:
        if token is None:
            return self.chain.native_symbol, 9
        symbol = self.chain.token_symbol(token)
        return symbol, None if symbol is None else self.chain.token_decimals.get(symbol)

    def _price(self, token: str | None) -> Price:
        symbol, decimals = self._symbol_and_decimals(token)
        if symbol is None or decimals is None:
            return Price(None, problem="it is not a token of the chain registry")
        feed = self._feed(symbol)
        per_unit = Fraction(USD, 10**decimals)  # USDC micros per base unit at $1
        if symbol.upper() in STABLES:
            if feed is None:
                return Price(per_unit, per_unit)
            if feed.usd is None:
                return Price(None, per_unit, feed.problem, suspect=True)
            high, low = max(Fraction(1), feed.usd), min(Fraction(1), feed.usd)
            if high * 10_000 > low * (10_000 + self.settings.max_disagreement_bps):
                return Price(None, high * per_unit, f"its reference feed says "
                             f"${float(feed.usd):,.4f}, not $1.00", suspect=True)
            return Price(high * per_unit, high * per_unit)
        if feed is None:
            return Price(None, problem=f"no reference feed prices {symbol}")
        if feed.usd is None:
            return Price(None, None, feed.problem, suspect=True)
        value = feed.usd * per_unit
        return Price(value, value)

    def _feed(self, symbol: str) -> oracle.FeedReading | None:
        for evm in load_config().of_family("evm"):
            address = evm.contracts.get(f"feed:{symbol}") or evm.contracts.get(
                f"feed:{symbol.upper()}")
            if not address:
                continue
            w3 = chain_registry.connect(evm)
            now = max(w3.eth.get_block("latest")["timestamp"], int(time.time()))
            return oracle.read_feed(w3, address, now, self.settings.heartbeat_seconds)
        return None


__all__ = ["SolanaPrices"]
