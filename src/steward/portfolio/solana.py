"""Holdings on a Solana chain: SOL and the registry's SPL tokens of each wallet's Solana key."""

from __future__ import annotations

from solders.pubkey import Pubkey

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.protocols.solana_pricing import SolanaPrices
from steward.solana import solana_chain
from steward.solana.plans import SOL_DECIMALS
from steward.solana.spl import mint_info, token_balance


def solana_holdings(chain: ChainConfig, wallets: dict[str, str]):
    """wallet name → Solana address; the registry's decimals, checked against the mint."""
    from steward.portfolio import Holding

    backend = solana_chain(chain)
    prices = SolanaPrices(chain)
    mints = []
    for symbol, address in chain.tokens.items():
        mint = mint_info(backend, Pubkey.from_string(address))
        recorded = chain.token_decimals.get(symbol)
        if recorded is not None and recorded != mint.decimals:
            raise StewardError(f"{symbol} on {chain.name} reports {mint.decimals} decimals but "
                               f"the registry recorded {recorded}; its balances are not shown")
        mints.append((symbol, mint))
    holdings = []
    for wallet, address in wallets.items():
        owner = Pubkey.from_string(address)
        lamports = backend.balance(owner)
        holdings.append(Holding(wallet=wallet, address=address, chain=chain.name,
                                symbol=chain.native_symbol, token=None, decimals=SOL_DECIMALS,
                                balance=lamports, usd_value=prices.usdc_value(None, lamports)))
        for symbol, mint in mints:
            amount = token_balance(backend, owner, mint)
            holdings.append(Holding(wallet=wallet, address=address, chain=chain.name,
                                    symbol=symbol, token=str(mint.address), decimals=mint.decimals,
                                    balance=amount,
                                    usd_value=prices.usdc_value(str(mint.address), amount)))
    return holdings


__all__ = ["solana_holdings"]
