"""A request understood before any chain work: the front of `ask`, kept light for start-up.

`understand_request` resolves the wallet (its keystore read for the address, never decrypted),
builds the parser's context from the config, the address book and the wallet names, and parses
(the configured language model only when the parser asks). Nothing here loads web3, py-evm,
eth-account or solders, and no chain is contacted: a request the parser answers with a question
is answered in a fraction of a second, and fulfilment (planning, simulation, the guard, signing)
is loaded only for a request that needs it (`steward.service.ask`, given the intent).

`parse_context` and `understand` are the same as `steward.fulfilment.context_for` and
`steward.fulfilment.understand`, which load the whole of fulfilment; a test keeps them equal.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from steward.chains.config import ChainConfig, load_config
from steward.contacts import load_contacts
from steward.errors import StewardError
from steward.intents import Clarification, ParseContext, ParseResult
from steward.service.errors import translated
from steward.wallets import WalletStore


class Understood(BaseModel):
    wallet: str  # the wallet the request runs from (the default when none was named)
    intent: ParseResult  # a Clarification when the parser (or the model) asks


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


def _token_addresses(chains: list[ChainConfig]) -> dict[str, dict[str, str]]:
    """chain → {registry address → symbol}: 0x addresses in lower case (the parser compares
    them so); Solana mints as written, since base58 is case-sensitive."""
    return {chain.name: {(address.lower() if address.lower().startswith("0x") else address):
                         symbol for symbol, address in chain.tokens.items()}
            for chain in chains}


def _venues(chains: list[ChainConfig]) -> dict[str, list[str]]:
    """The venues deployed on at least one configured chain → the words people use for them."""
    from steward.intents.parser import VENUE_WORDS

    return {venue: list(VENUE_WORDS.get(venue, [venue])) for venue in VENUE_CONTRACTS
            if any(venue_available(venue, chain) for chain in chains)}


def parse_context(store: WalletStore) -> ParseContext:
    """What the parser may name: chains and their aliases, tokens, contacts, wallet names, token
    addresses and venues, all from files in the Steward home."""
    config = load_config()
    chains = list(config.chains.values())
    return ParseContext(
        chains={c.name: [a.lower() for a in c.aliases] for c in chains},
        tokens=sorted({s.upper() for c in chains for s in c.tokens}
                      | {c.native_symbol.upper() for c in chains}),
        native={c.name: c.native_symbol for c in chains},
        families={c.name: c.family for c in chains},
        contacts=sorted(load_contacts()), wallets=[w.name for w in store.list()],
        token_addresses=_token_addresses(chains),
        venues=_venues(chains),
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


@translated
def understand_request(text: str, wallet: str | None) -> Understood:
    """The wallet a request runs from and what it asks for, as `fulfil` would find them; an
    unknown or unreadable wallet is refused before the words are read."""
    store = WalletStore()
    name = store.resolve(wallet)
    info = store.get(name)
    if info.error or not info.address:
        raise StewardError(f"wallet '{name}' cannot be read ({info.error})")
    return Understood(wallet=name, intent=understand(text, parse_context(store)))


def clarification_report(text: str, question: Clarification) -> dict[str, Any]:
    """The JSON `ask` prints when the request is answered with a question before any chain
    work: the same as `Fulfilment(text=…, intent=question, clarification=question)` dumped (a test
    keeps the two equal), without loading fulfilment."""
    asked = question.model_dump(mode="json")
    return {"text": text, "intent": asked, "clarification": asked, "steps": [],
            "portfolio": None, "quotes": [], "readings": []}


__all__ = ["Understood", "VENUE_CONTRACTS", "clarification_report", "parse_context",
           "understand", "understand_request", "venue_available"]
