"""A request understood before any chain work: the front of `ask`, kept light for start-up.

`understand_request` resolves the wallet (its keystore read for the address, never decrypted),
builds the parser's context from the config, the address book and the wallet names, and parses
(the configured language model only when the parser asks). Nothing here loads web3, py-evm,
eth-account or solders, and no chain is contacted: a request the parser answers with a question
is answered in a fraction of a second, and fulfilment (planning, simulation, the guard, signing)
is loaded only for a request that needs it (`steward.service.ask`, given the intent).

`parse_context` and `understand` come from `steward.intents.context`, which fulfilment uses too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from steward.errors import StewardError
from steward.intents import Clarification, ParseResult
# The parser's context and the understanding itself live with the intents (fulfilment uses the
# same); re-exported for the service's callers.
from steward.intents.context import VENUE_CONTRACTS, parse_context, understand, venue_available
from steward.service.errors import translated
from steward.wallets import WalletStore


class Understood(BaseModel):
    wallet: str  # the wallet the request runs from (the default when none was named)
    intent: ParseResult  # a Clarification when the parser (or the model) asks


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
