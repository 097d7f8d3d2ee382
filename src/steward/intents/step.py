"""One step of a request, read: the lexed items and the slots an action takes from them.

`StepReader` holds one step's items and answers what the grammar asks (the amount, the tokens,
the chains by preposition, the source wallet, an address checked for its family, the venue);
anything unknown or ambiguous raises `Ask` with the question. Pure and offline.
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.contacts import checked_address
from steward.errors import StewardError
from steward.intents import Amount
from steward.intents.lexer import (
    Amt,
    Ask,
    NOT_CHAIN,
    SOFT,
    Item,
    Tables,
    dec_text,
)


@dataclass
class Previous:
    token: str | None
    chain: str | None
    read: bool = False  # the previous step read a balance: "half of it" is half of that balance


PAST = {"transfer": "sent", "swap": "swapped", "bridge": "bridged", "wrap": "wrapped",
         "unwrap": "unwrapped", "approve": "approved", "quote": "quoted"}


NOUN_REFS = {"output", "result", "proceeds"}


class StepReader:
    def __init__(self, items: list[Item], tb: Tables, prev: Previous | None, text: str):
        self.items = items
        self.tb = tb
        self.prev = prev
        self.text = text
        for item in items:
            if item.kind == "XVENUE":
                raise Ask(missing_venue(item, tb), tb.venues if item.value == "dex" else [])
        for item in items:
            if item.kind == "XCHAIN":
                raise Ask(f"Which chain is '{item.text}'? Known chains: {tb.chain_list()}.",
                           tb.chain_names)
        for item in items:
            if item.kind == "PRON":
                raise Ask(f"Who is '{item.text}'? Name the recipient: {tb.recipient_list()}.",
                          tb.recipients)
        for item in items:
            if item.kind == "WORD" and item.prep == "on" and item.text not in SOFT and \
                    item.text not in NOT_CHAIN:
                raise Ask(f"Which chain is '{item.text}'? Known chains: {tb.chain_list()}.",
                           tb.chain_names)
        if prev is None and any(it.kind == "AMT" and not it.value.ref for it in items):
            # "estimate the output of swapping 3 usdt": a noun here, not the previous step's
            items[:] = [it for it in items if not (it.kind == "AMT" and it.value.ref
                                                   and it.text in NOUN_REFS)]
        if prev is None:
            for item in items:
                if item.kind == "AMT" and item.value.ref:
                    raise Ask(f"What does '{item.value.raw}' refer to? This is the first step: "
                               "name the amount and the token.")
        for item in items:
            if item.kind == "XTOK" and item.near:
                raise Ask(f"I don't know the token '{item.text}': did you mean {item.near}? "
                          f"Known tokens: {tb.token_list()}.", [item.near])
            if item.kind == "XTOK":
                raise Ask(f"I don't know the token {item.value}. Known tokens: "
                           f"{tb.token_list()}.", tb.tokens)

    # slots --------------------------------------------------------------
    def venue(self) -> str | None:
        named = list(dict.fromkeys(it.value for it in self.items if it.kind == "VENUE"))
        if len(named) > 1:
            raise Ask("Which venue: " + " or ".join(named) + "?", named)
        return named[0] if named else None

    def kinds(self, *kinds: str) -> list[Item]:
        return [it for it in self.items if it.kind in kinds]

    def has_word(self, *words: str) -> bool:
        return any(it.text in words for it in self.items)

    def the_amount(self) -> Amt | None:
        amts = [it.value for it in self.items if it.kind == "AMT"]
        if not amts:
            return None
        if len(amts) > 1:
            raise Ask("I see more than one amount (" + ", ".join(a.raw for a in amts) +
                       "): how much should it be?")
        return amts[0]

    def amount_model(self, amt: Amt, token: str | None) -> Amount:
        if self.prev is not None and amt.kind == "fraction" and not amt.mine and (
                amt.ref or token is None or token == self.prev.token):
            if self.prev.read:  # "show my usdc balance, then swap half of it": of the balance
                return Amount(kind="fraction", value=dec_text(amt.value))
            return Amount(kind="previous", value=dec_text(amt.value))
        if amt.ref:
            raise Ask(f"What does '{amt.raw}' refer to? Name the amount and the token.")
        return Amount(kind=amt.kind, value=dec_text(amt.value))

    def check_usdword(self, action: str) -> None:
        for it in self.items:
            if it.kind == "USDWORD" or (it.kind == "AMT" and it.value.kind == "usd"
                                        and it.value.token is None and action == "transfer"
                                        and not self.kinds("TOK")):
                stables = [t for t in self.tb.tokens if t.startswith("USD")]
                raise Ask("Which stablecoin: " + " or ".join(stables) + "? Dollars are not a "
                           "token.", stables)

    def chains(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"to": [], "from": [], "on": []}
        for it in self.items:
            if it.kind != "CHAIN":
                continue
            p = it.prep
            if p in ("to", "into", "over"):
                out["to"].append(it.value)
            elif p == "from":
                out["from"].append(it.value)
            else:
                out["on"].append(it.value)
        return out

    def unknown_after(self, *preps: str) -> Item | None:
        for it in self.items:
            if it.kind == "WORD" and it.prep in preps and it.text not in SOFT:
                return it
        return None

    def tokens(self) -> list[str]:
        seen: list[str] = []
        for it in self.items:
            if it.kind == "TOK" and it.value not in seen:
                seen.append(it.value)
        return seen

    def inherit_chain(self, chain: str | None) -> str | None:
        if chain is None and self.prev is not None:
            return self.prev.chain
        return chain

    def single_chain(self, chains: list[str]) -> str | None:
        uniq = list(dict.fromkeys(chains))
        if len(uniq) > 1:
            raise Ask("Which chain: " + " or ".join(uniq) + "?", uniq)
        return uniq[0] if uniq else None

    def source_wallet(self) -> str | None:
        wallets = [it for it in self.items if it.kind == "WALLET" and it.prep == "from"]
        if wallets:
            return wallets[0].value
        bad = self.unknown_after("from")
        if bad is None:
            bad = next((it for it in self.items[1:] if it.kind == "VERB" and it.prep == "from"),
                       None)
        if bad is not None:
            raise Ask(f"I don't know a wallet named '{bad.text}'. Known wallets: "
                       f"{', '.join(self.tb.wallets)}.", self.tb.wallets)
        for it in self.items:
            if it.kind in ("CONTACT", "ADDR", "ENS") and it.prep == "from":
                raise Ask(f"I can only send from your own wallets, not from '{it.text}'. Known "
                           f"wallets: {', '.join(self.tb.wallets)}.", self.tb.wallets)
        return None

    def address(self, it: Item) -> str:
        if address_family(it.value) == "solana":
            return it.value  # checked when cut out of the text; its case is part of the key
        try:
            return checked_address(it.value)
        except StewardError as exc:
            raise Ask(f"{exc}. Which address did you mean?") from None

    def chain_for_address(self, chain: str | None, address: str) -> str | None:
        """The chain an address is used on: the named (or inherited) one when its family is the
        address's, else a question; none named, a Solana address can only mean the one Solana
        chain (an EVM address leaves the choice to the resolver, as before)."""
        family = address_family(address)
        fitting = self.tb.chains_of(family)
        if chain is not None:
            if self.tb.family(chain) != family:
                raise Ask(family_mismatch(address, chain, self.tb), fitting)
            return chain
        if family == "evm":
            return None
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            raise Ask(f"'{address}' is a Solana address, but no Solana chain is configured; "
                       f"known chains: {self.tb.chain_list()}.", self.tb.chain_names)
        raise Ask(f"'{address}' is a Solana address: on which Solana chain, "
                   f"{' or '.join(fitting)}?", fitting)

    def ens(self) -> None:
        for it in self.items:
            if it.kind == "ENS":
                raise Ask(f"I can't look up names like '{it.text}' (ENS needs the network). "
                           f"Known recipients: {self.tb.recipient_list()}.", self.tb.recipients)


def missing_venue(item: Item, tb: Tables) -> str:
    """The question for a venue Steward has no adapter for: never swap elsewhere silently."""
    if item.value == "bridge":
        return (f"Steward has no adapter for {item.text}: it moves funds between chains only "
                "through its own bridge. Bridge with Steward's bridge instead (say it without "
                f"'{item.text}'), or use {item.text} yourself?")
    have = " or ".join(tb.venues) or "no exchange"
    return (f"Steward has no adapter for {item.text}, and it never trades somewhere else in its "
            f"place. Here it can use {have}: say one of those, or leave the venue out for the "
            "best quote among them.")


def address_family(address: str) -> str:
    # Only two kinds of text become addresses: 0x… and base58 keys that decode to 32 bytes.
    return "evm" if address.lower().startswith("0x") else "solana"


FAMILY_WORDS = {"evm": ("an EVM", "a 0x address"), "solana": ("a Solana", "a base58 address")}


def family_mismatch(address: str, chain: str, tb: Tables) -> str:
    family = address_family(address)
    found, _ = FAMILY_WORDS[family]
    kind, needed = FAMILY_WORDS[tb.family(chain)]
    elsewhere = " or ".join(tb.chains_of(family)) or f"no chain you have ({found} chain)"
    return (f"'{address}' is {found} address, but {chain} is {kind} chain, which needs {needed}; "
            "addresses are never converted between the two. Send on "
            f"{elsewhere} instead, or give the recipient's address for {chain}?")


def token_for(step: StepReader, amt: Amt | None, action: str) -> str:
    toks = step.tokens()
    token = amt.token if amt is not None and amt.token not in (None, "?") else None
    if len(toks) > 1:
        raise Ask("Which token: " + " or ".join(toks) + "?", toks)
    if token is None:
        if len(toks) == 1:
            token = toks[0]
        elif len(toks) > 1:
            raise Ask("Which token: " + " or ".join(toks) + "?", toks)
    if token is None and step.prev is not None and step.prev.token:
        token = step.prev.token
    if token is None:
        raise Ask(f"Which token should be {PAST[action]}? Known tokens: {step.tb.token_list()}.",
                   step.tb.tokens)
    return token


def need_amount(step: StepReader, token: str, action: str) -> Amt:
    amt = step.the_amount()
    if amt is None:
        raise Ask(f"How much {token} should be {PAST[action]}?")
    return amt
