"""USD prices derived from the chain's own pools, quoted in USDC.

A price is the pool's mid price (reserves ratio), not a trade quote, and values are computed in
integers: a holding's value is returned in USDC base units.
"""

from __future__ import annotations

from web3 import Web3

from steward.chains.config import ChainConfig
from steward.protocols.amm import reserves

QUOTE_SYMBOL = "USDC"


class PriceSource:
    def __init__(self, w3: Web3, chain: ChainConfig):
        self.w3, self.chain = w3, chain
        self.usdc = chain.tokens.get(QUOTE_SYMBOL)
        self.weth = chain.contracts.get("weth")
        self.factory = chain.contracts.get("factory")
        self._reserves: dict[tuple[str, str], tuple[int, int] | None] = {}

    def _pool(self, a: str, b: str) -> tuple[int, int] | None:
        if (a, b) not in self._reserves:
            self._reserves[(a, b)] = reserves(self.w3, self.factory, a, b)
        return self._reserves[(a, b)]

    def usdc_value(self, token: str | None, amount: int) -> int | None:
        """Value of `amount` of `token` (None = native coin, priced as WETH) in USDC base units."""
        if not (self.usdc and self.factory):
            return None
        token = token or self.weth
        if token is None:
            return None
        if token.lower() == self.usdc.lower():
            return amount
        direct = self._pool(token, self.usdc)
        if direct:
            return amount * direct[1] // direct[0]
        if self.weth and token.lower() != self.weth.lower():
            via = self._pool(token, self.weth)
            weth_usdc = self._pool(self.weth, self.usdc)
            if via and weth_usdc:
                return amount * via[1] * weth_usdc[1] // (via[0] * weth_usdc[0])
        return None
