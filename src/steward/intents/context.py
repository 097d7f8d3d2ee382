"""What the parser may name, read from the Steward home, and the understanding of a request.

`parse_context` builds a `ParseContext` from the chain registry's config, the address book and
the wallet names (no keystore is decrypted, no chain contacted, nothing heavy loaded: `steward
ask` answers a question in a fraction of a second); `understand` runs the deterministic parser,
and a configured language model only when the parser asks. Fulfilment and the service layer both
use these, so what `ask` understood early is what fulfilment would.
"""

from __future__ import annotations

from collections.abc import Iterable

from steward.chains.config import ChainConfig, load_config
from steward.contacts import load_contacts
from steward.intents import Clarification, ParseContext, ParseResult

# What each venue's adapter needs on a chain to be deployed there, in the registry's order: every
# group needs one of its roles configured as "<venue>:<role>". `steward.protocols.registry`'s
# adapters say the same (`available`), but loading them loads web3; a test keeps the two equal.
VENUE_CONTRACTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "uniswap-v3": (("factory",), ("quoter",), ("swap_router", "swap_router02")),
    "uniswap-v2": (("factory",), ("router",)),
    "sushiswap-v2": (("factory",), ("router",)),
}


def venue_available(venue: str, chain: ChainConfig) -> bool:
    """Whether `chain`'s config has the contracts `venue` needs (no chain is contacted)."""
    return all(any(f"{venue}:{role}" in chain.contracts for role in group)
               for group in VENUE_CONTRACTS[venue])


def token_addresses(chains: Iterable[ChainConfig]) -> dict[str, dict[str, str]]:
    """chain → {registry address → symbol}: 0x addresses in lower case (the parser compares
    them so); Solana mints as written, since base58 is case-sensitive."""
    from steward.intents.lexer import address_key

    return {chain.name: {address_key(address): symbol for symbol, address in chain.tokens.items()}
            for chain in chains}


def venues(chains: Iterable[ChainConfig]) -> dict[str, list[str]]:
    """The venues deployed on at least one configured chain → the words people use for them."""
    from steward.intents.lexer import VENUE_WORDS

    chains = list(chains)
    return {venue: list(VENUE_WORDS.get(venue, [venue])) for venue in VENUE_CONTRACTS
            if any(venue_available(venue, chain) for chain in chains)}


def parse_context(store) -> ParseContext:
    """What the parser may name: chains and their aliases, tokens, contacts, the names of the
    wallets in `store` (a `WalletStore`), token addresses and venues."""
    chains = list(load_config().chains.values())
    return ParseContext(
        chains={c.name: [a.lower() for a in c.aliases] for c in chains},
        tokens=sorted({s.upper() for c in chains for s in c.tokens}
                      | {c.native_symbol.upper() for c in chains}),
        native={c.name: c.native_symbol for c in chains},
        families={c.name: c.family for c in chains},
        contacts=sorted(load_contacts()), wallets=[w.name for w in store.list()],
        token_addresses=token_addresses(chains),
        venues=venues(chains),
    )


def understand(text: str, context: ParseContext) -> ParseResult:
    """The deterministic parser first; a configured language model only if it asked."""
    from steward.intents.parser import parse

    result = parse(text, context)
    if isinstance(result, Clarification):
        from steward.intents.llm import configured_model

        model = configured_model()
        if model is not None:
            proposal = model.propose(text, context)
            if proposal is not None:
                return proposal
    return result


__all__ = ["VENUE_CONTRACTS", "parse_context", "token_addresses", "understand",
           "venue_available", "venues"]
