"""The portfolio in one shape for every face: exact balances (base units and decimal text),
USD values in micro-dollars and as text, totals per wallet and per chain, what no price covers
and which chains could not be read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from steward.portfolio import USD_DECIMALS, Portfolio, portfolio
from steward.service.errors import translated
from steward.service.wallets import wallet_addresses
from steward.units import format_units


class HoldingOut(BaseModel):
    wallet: str
    address: str
    chain: str
    symbol: str
    token: str | None = Field(description="The token contract; null for the native coin.")
    decimals: int
    balance: int = Field(description="Exact balance in the token's base units.")
    amount: str = Field(description="The balance with the decimals applied, exact.")
    usd_value: int | None = Field(description="USD value in micro-dollars (6 decimals) from "
                                              "prices one transaction cannot move; null when "
                                              "nothing prices it.")
    usd: str | None = Field(description="The USD value as decimal text.")


class WalletTotal(BaseModel):
    wallet: str
    address: str
    usd_value: int = Field(description="Micro-dollars, summed over every chain.")
    usd: str


class ChainTotal(BaseModel):
    chain: str
    usd_value: int = Field(description="Micro-dollars, summed over the wallets shown.")
    usd: str


class PortfolioOut(BaseModel):
    holdings: list[HoldingOut]
    wallets: list[WalletTotal]
    chains: list[ChainTotal]
    total_usd_value: int = Field(description="Micro-dollars over everything shown.")
    total_usd: str
    unpriced: list[str] = Field(description="Non-zero holdings nothing prices (not in totals), "
                                            "as 'SYMBOL on CHAIN'.")
    errors: dict[str, str] = Field(description="Chain → why it could not be read; the other "
                                               "chains are still shown.")


def usd_text(micros: int) -> str:
    return format_units(micros, USD_DECIMALS)


def portfolio_out(result: Portfolio, wallets: dict[str, str] | None = None) -> PortfolioOut:
    """`result` in the service's shape; `wallets` (name → address) get a total even when they
    hold nothing shown (default: the wallets in the holdings)."""
    if wallets is None:
        wallets = {h.wallet: h.address for h in result.holdings}
    holdings = [HoldingOut(wallet=h.wallet, address=h.address, chain=h.chain, symbol=h.symbol,
                           token=h.token, decimals=h.decimals, balance=h.balance,
                           amount=format_units(h.balance, h.decimals), usd_value=h.usd_value,
                           usd=None if h.usd_value is None else usd_text(h.usd_value))
                for h in result.holdings]
    wallet_totals = [WalletTotal(wallet=name, address=address,
                                 usd_value=result.usd_total(name),
                                 usd=usd_text(result.usd_total(name)))
                     for name, address in wallets.items()]
    chain_totals = []
    for chain in dict.fromkeys(h.chain for h in result.holdings):
        total = sum(h.usd_value or 0 for h in result.holdings if h.chain == chain)
        chain_totals.append(ChainTotal(chain=chain, usd_value=total, usd=usd_text(total)))
    unpriced = sorted({f"{h.symbol} on {h.chain}" for h in result.holdings
                       if h.balance and h.usd_value is None})
    return PortfolioOut(holdings=holdings, wallets=wallet_totals, chains=chain_totals,
                        total_usd_value=result.usd_total(), total_usd=usd_text(result.usd_total()),
                        unpriced=unpriced, errors=result.errors)


@translated
def get_portfolio(wallet: str | None = None, chains: list[str] | None = None) -> PortfolioOut:
    """Every asset of `wallet` (default: every readable wallet) on `chains` (names or aliases;
    default: every configured chain). A chain that cannot be read is listed in `errors`."""
    wallets = wallet_addresses(wallet)
    return portfolio_out(portfolio(wallets, chains or None), wallets)


__all__ = ["ChainTotal", "HoldingOut", "PortfolioOut", "WalletTotal", "get_portfolio",
           "portfolio_out", "usd_text"]
