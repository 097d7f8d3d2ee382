"""The portfolio: every asset on every chain for every wallet, valued in USD from the pools."""

from __future__ import annotations

from pydantic import BaseModel

from steward import chains as chain_registry
from steward.accounts.store import acting_address
from steward.chains.config import ChainConfig, load_config
from steward.errors import StewardError
from steward.protocols import erc20
from steward.protocols.pricing import PriceSource
from steward.units import to_decimal

USD_DECIMALS = 6  # values are USDC base units


class Holding(BaseModel):
    wallet: str
    address: str
    chain: str
    symbol: str
    token: str | None  # None for the native coin
    decimals: int
    balance: int
    usd_value: int | None  # USDC base units; None when no pool prices the asset

    @property
    def amount(self):
        return to_decimal(self.balance, self.decimals)


class Portfolio(BaseModel):
    holdings: list[Holding]
    errors: dict[str, str] = {}  # chain → why it could not be read

    def usd_total(self, wallet: str | None = None) -> int:
        return sum(h.usd_value or 0 for h in self.holdings if wallet in (None, h.wallet))


def chain_holdings(chain: ChainConfig, wallets: dict[str, str]) -> list[Holding]:
    w3 = chain_registry.connect(chain)
    prices = PriceSource(w3, chain)
    # Registry symbols and recorded decimals: an RPC's answer cannot rescale a balance.
    tokens = [erc20.registry_token(w3, chain, symbol) for symbol in chain.tokens]
    holdings = []
    # A wallet's deployed guarded account on this chain holds its money too.
    owned = [(wallet, address) for wallet, owner in wallets.items()
             for address in dict.fromkeys([owner, acting_address(owner, chain.name)])]
    for wallet, address in owned:
        native = w3.eth.get_balance(address)
        holdings.append(Holding(wallet=wallet, address=address, chain=chain.name,
                                symbol=chain.native_symbol, token=None, decimals=18,
                                balance=native, usd_value=prices.usdc_value(None, native)))
        for token in tokens:
            balance = erc20.balance_of(w3, token.address, address)
            holdings.append(Holding(wallet=wallet, address=address, chain=chain.name,
                                    symbol=token.symbol, token=token.address,
                                    decimals=token.decimals, balance=balance,
                                    usd_value=prices.usdc_value(token.address, balance)))
    return holdings


def portfolio(wallets: dict[str, str], chain_names: list[str] | None = None,
              solana_wallets: dict[str, str] | None = None) -> Portfolio:
    """Balances for wallets (name → EVM address) and, on Solana chains, `solana_wallets` (name →
    Solana address; by default the Solana keys of those wallet names); a chain that cannot be
    read is reported, not fatal."""
    config = load_config()
    selected = [config.chain(name) for name in chain_names] if chain_names else list(
        config.chains.values())
    if solana_wallets is None and any(chain.family == "solana" for chain in selected):
        solana_wallets = _solana_addresses(wallets)
    result = Portfolio(holdings=[])
    for chain in selected:
        try:
            if chain.family == "solana":
                from steward.portfolio.solana import solana_holdings  # solders only when needed

                result.holdings.extend(solana_holdings(chain, solana_wallets or {}))
            else:
                result.holdings.extend(chain_holdings(chain, wallets))
        except StewardError as exc:
            result.errors[chain.name] = str(exc)
    return result


def _solana_addresses(wallets: dict[str, str]) -> dict[str, str]:
    """The Solana keys of the named wallets of this home that have one."""
    from steward.wallets import WalletStore

    found = {}
    for info in WalletStore().list():
        address = getattr(info, "solana_address", None)
        if info.name in wallets and address:
            found[info.name] = address
    return found
