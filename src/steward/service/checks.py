"""Due diligence for every face: a token, an address, a link. The reports are the diligence
layer's own models; the faces only choose how to show them."""

from __future__ import annotations

from collections.abc import Callable

from steward import chains as chain_registry
from steward.chains.config import load_config
from steward.contacts import checked_address
from steward.diligence.addresses import AddressReport
from steward.diligence.links import LinkReport
from steward.diligence.token import TokenReport
from steward.service.errors import translated
from steward.service.wallets import owner_address


@translated
def check_token(address: str, chain: str | None = None,
                progress: Callable[[str], None] | None = None) -> TokenReport:
    """`address` is a 0x address or a symbol of the chain's registry (USDC); `chain` a name or
    alias, the first configured chain when None; `progress(text)` hears what the scan does."""
    from steward.diligence.token import token_report

    config = load_config().chain_or_first(chain)
    target = config.tokens.get(address.strip().upper()) or checked_address(address)
    return token_report(chain_registry.connect(config), config, target, progress=progress)


@translated
def check_mint(address: str, chain: str):
    """SPL due diligence of a mint on a Solana chain: `address` is a base58 mint or a symbol of
    the chain's registry; a registry token the owner trusts states its issuer's powers."""
    from steward.diligence.spl_mint import mint_report
    from steward.solana import solana_chain

    config = load_config().chain(chain)
    target = next((a for s, a in config.tokens.items() if s.upper() == address.strip().upper()),
                  address.strip())
    symbol = config.token_symbol(target)
    return mint_report(solana_chain(config), target,
                       trusted=symbol is not None and symbol in config.trusted_tokens)


@translated
def check_address(address: str, chain: str | None = None,
                  wallet: str | None = None) -> AddressReport:
    """What `address` is on `chain`, compared with what `wallet` (default: the default wallet)
    knows: look-alikes of its contacts and past recipients, poisoning spam it received."""
    from steward.diligence.addresses import check_address as address_report
    from steward.diligence.addresses import known_addresses

    config = load_config().chain_or_first(chain)
    target = checked_address(address)
    owner = owner_address(wallet)
    return address_report(chain_registry.connect(config), config, target, owner,
                          known_addresses(owner))


@translated
def check_url(url: str, phishing_config: str | None = None, use_list: bool = True) -> LinkReport:
    """Is this link what it claims. The installed phishing list (MetaMask's, installed on first
    use) is consulted unless `phishing_config` names a MetaMask-format list to use instead or
    `use_list` is False (the heuristics alone); the report names the list and its version."""
    from steward.diligence.links import check_url as link_report
    from steward.diligence.links import load_phishing_config

    config = load_phishing_config(phishing_config) if phishing_config else None
    return link_report(url, config, use_list=use_list)


@translated
def check_tokenomics(token: str, chain: str | None = None, router: str | None = None,
                     claimed_burn_share: str = "1.0"):
    """Does `token`'s buyback-and-burn happen as claimed? `token` is a 0x address or a symbol of
    the chain's registry; `router` the project's fee router (found from the registry or the
    chain's logs when None); `claimed_burn_share` the share of the tokens bought the project
    says it burns (a decimal in (0, 1])."""
    from steward.tokenomics.report import tokenomics_report

    config = load_config().chain_or_first(chain)
    target = next((a for s, a in config.tokens.items() if s.upper() == token.strip().upper()),
                  None) or checked_address(token)
    return tokenomics_report(chain_registry.connect(config), config, target,
                             router=checked_address(router) if router else None,
                             claimed_share=claimed_burn_share)


__all__ = ["check_address", "check_token", "check_tokenomics", "check_url"]
