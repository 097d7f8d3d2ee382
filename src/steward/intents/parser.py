"""The deterministic plain-language parser: one request in, a typed intent or a question out.

A hand-written lexer and a small pattern grammar, no model: the text is normalised (politeness
and filler dropped, punctuation unified), split into the steps of a sequence, each step is cut
into words and lexed into items (amounts, tokens, chains, recipients, wallets, spenders,
prepositions, verbs), and a handler per action fills the intent's slots from those items.
Anything unknown or ambiguous becomes a `Clarification` whose question names what was not
understood and the valid options (docs/intents.md). Pure, offline and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from steward.contacts import checked_address
from steward.errors import StewardError
from steward.intents.phrasing import RECEIVE_WORDS, Terms, is_question, take_terms
from steward.intents.lexer import (
    CAN_DO,
    CAPABILITIES,
    FUZZY_VERBS,
    NOT_CHAIN,
    PLACEHOLDER_RE,
    SOFT,
    TOKEN_NAMES,
    VENUE_WORDS,
    VERB_ALT,
    Amt,
    Ask,
    Item,
    Tables,
    clarify,
    clean_step,
    dec_text,
    edit1,
    lex,
    prepare,
    split_steps,
    tables_for,
    words_of,
)
from steward.intents import (
    Amount,
    Approve,
    Balance,
    Batch,
    Bridge,
    ParseContext,
    Clarification,
    ParseResult,
    Payment,
    Quote,
    Revoke,
    Sequence,
    Split,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)

__all__ = ["TOKEN_NAMES", "VENUE_WORDS", "parse", "sandbox_context"]


def sandbox_context() -> ParseContext:
    """The fixed context of the sandbox: two chains, four tokens, three contacts, two wallets."""
    return ParseContext(
        chains={"sandbox-l1": ["l1", "sandbox l1", "layer 1", "layer one"],
                "sandbox-l2": ["l2", "sandbox l2", "layer 2", "layer two"]},
        tokens=["ETH", "USDC", "USDT", "WETH"],
        native={"sandbox-l1": "ETH", "sandbox-l2": "ETH"},
        contacts=["alice", "bob", "carol"],
        wallets=["main", "savings"],
        default_chain=None,
        # The sandbox's tokens sit at the addresses of the chains it mirrors (ethereum, optimism).
        token_addresses={
            "sandbox-l1": {"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": "USDC",
                           "0xdac17f958d2ee523a2206206994597c13d831ec7": "USDT",
                           "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": "WETH"},
            "sandbox-l2": {"0x0b2c639c533813f4aa9d7837caf62653d097ff85": "USDC",
                           "0x94b008aa00579c1307b0ef2c499ad98a8ce58e58": "USDT",
                           "0x4200000000000000000000000000000000000006": "WETH"}},
        venues={name: VENUE_WORDS[name] for name in ("uniswap-v3", "uniswap-v2")},
    )


# --------------------------------------------------------------------------- step parsing

@dataclass
class _Prev:
    token: str | None
    chain: str | None


_PAST = {"transfer": "sent", "swap": "swapped", "bridge": "bridged", "wrap": "wrapped",
         "unwrap": "unwrapped", "approve": "approved", "quote": "quoted"}


_NOUN_REFS = {"output", "result", "proceeds"}


class _Step:
    def __init__(self, items: list[Item], tb: Tables, prev: _Prev | None, text: str):
        self.items = items
        self.tb = tb
        self.prev = prev
        self.text = text
        for item in items:
            if item.kind == "XVENUE":
                raise Ask(_missing_venue(item, tb), tb.venues if item.value == "dex" else [])
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
                                                   and it.text in _NOUN_REFS)]
        if prev is None:
            for item in items:
                if item.kind == "AMT" and item.value.ref:
                    raise Ask(f"What does '{item.value.raw}' refer to? This is the first step: "
                               "name the amount and the token.")
        for item in items:
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
        if _address_family(it.value) == "solana":
            return it.value  # checked when cut out of the text; its case is part of the key
        try:
            return checked_address(it.value)
        except StewardError as exc:
            raise Ask(f"{exc}. Which address did you mean?") from None

    def chain_for_address(self, chain: str | None, address: str) -> str | None:
        """The chain an address is used on: the named (or inherited) one when its family is the
        address's, else a question; none named, a Solana address can only mean the one Solana
        chain (an EVM address leaves the choice to the resolver, as before)."""
        family = _address_family(address)
        fitting = self.tb.chains_of(family)
        if chain is not None:
            if self.tb.family(chain) != family:
                raise Ask(_family_mismatch(address, chain, self.tb), fitting)
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


def _missing_venue(item: Item, tb: Tables) -> str:
    """The question for a venue Steward has no adapter for: never swap elsewhere silently."""
    if item.value == "bridge":
        return (f"Steward has no adapter for {item.text}: it moves funds between chains only "
                "through its own bridge. Bridge with Steward's bridge instead (say it without "
                f"'{item.text}'), or use {item.text} yourself?")
    have = " or ".join(tb.venues) or "no exchange"
    return (f"Steward has no adapter for {item.text}, and it never trades somewhere else in its "
            f"place. Here it can use {have}: say one of those, or leave the venue out for the "
            "best quote among them.")


def _address_family(address: str) -> str:
    # Only two kinds of text become addresses: 0x… and base58 keys that decode to 32 bytes.
    return "evm" if address.lower().startswith("0x") else "solana"


_FAMILY_WORDS = {"evm": ("an EVM", "a 0x address"), "solana": ("a Solana", "a base58 address")}


def _family_mismatch(address: str, chain: str, tb: Tables) -> str:
    family = _address_family(address)
    found, _ = _FAMILY_WORDS[family]
    kind, needed = _FAMILY_WORDS[tb.family(chain)]
    elsewhere = " or ".join(tb.chains_of(family)) or f"no chain you have ({found} chain)"
    return (f"'{address}' is {found} address, but {chain} is {kind} chain, which needs {needed}; "
            "addresses are never converted between the two. Send on "
            f"{elsewhere} instead, or give the recipient's address for {chain}?")


def _token_for(step: _Step, amt: Amt | None, action: str) -> str:
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
        raise Ask(f"Which token should be {_PAST[action]}? Known tokens: {step.tb.token_list()}.",
                   step.tb.tokens)
    return token


def _need_amount(step: _Step, token: str, action: str) -> Amt:
    amt = step.the_amount()
    if amt is None:
        raise Ask(f"How much {token} should be {_PAST[action]}?")
    return amt


def _transfer_or_bridge(step: _Step, verb: str) -> object:
    tb = step.tb
    step.check_usdword("transfer")
    step.ens()
    chains = step.chains()
    recipients: list[Item] = []
    me = None
    for it in step.items:
        if it.kind in ("CONTACT", "ADDR") and it.prep != "from":
            recipients.append(it)
        elif it.kind == "WALLET" and it.prep not in ("from", "in", "on"):
            recipients.append(it)
        elif it.kind == "ME" and it.prep in ("to", None):
            me = it
    wallet = step.source_wallet()
    if verb == "bridge" or (not recipients and chains["to"] and verb in ("transfer", "move")):
        return _bridge(step, chains)
    if not recipients:
        bad = step.unknown_after("to", "for")
        if bad is None:
            # "pay dave 5 usdc": an unknown name right after the verb
            for idx, it in enumerate(step.items[:-1]):
                if it.kind == "VERB" and step.items[idx + 1].kind == "WORD" and \
                        step.items[idx + 1].text not in SOFT and step.items[idx + 1].prep is None:
                    bad = step.items[idx + 1]
                    break
        if bad is not None:
            raise Ask(f"Who is '{bad.text}'? Known recipients: {tb.recipient_list()}.",
                       tb.recipients)
        if me is not None:
            raise Ask("Which of your wallets should receive it? Known wallets: " +
                       ", ".join(tb.wallets) + ".", [f"wallet {w}" for w in tb.wallets])
    recips = list(dict.fromkeys(_recipient(step, it) for it in recipients))
    amounts = step.kinds("AMT")
    if len(recips) > 1 or verb == "split" or (len(amounts) > 1 and len(recipients) > 1):
        return _payments(step, recipients, wallet, chains, verb)
    if len(recips) > 1:
        raise Ask("Who should receive it: " + " or ".join(recips) + "? I send to one recipient "
                   "at a time.", recips)
    amt = step.the_amount()
    token = _token_for(step, amt, "transfer")
    if amt is None and _the_previous_output(step, token):
        amt = Amt("fraction", Decimal(1), "the " + token.lower(), ref=True)
    if amt is None:
        raise Ask(f"How much {token} should be sent?")
    if not recips:
        raise Ask(f"Who should receive the {token}? Known recipients: {tb.recipient_list()}.",
                   tb.recipients)
    if chains["on"] or chains["from"]:
        chain = step.single_chain(chains["on"] + chains["from"])
    else:
        chain = step.single_chain(chains["to"])
    if step.unknown_after("on") is not None:
        bad = step.unknown_after("on")
        raise Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    chain = step.inherit_chain(chain)
    if recipients[0].kind == "ADDR":
        chain = step.chain_for_address(chain, recips[0])
    return Transfer(amount=step.amount_model(amt, token), token=token, recipient=recips[0],
                    chain=chain, wallet=wallet)


def _the_previous_output(step: _Step, token: str) -> bool:
    """"swap 10 usdc for eth. send the eth to bob": "the ETH" is what the previous step made."""
    if step.prev is None or step.prev.token != token:
        return False
    named = [it.text for it in step.items if it.kind == "TOK" and it.value == token]
    return any(re.search(rf"\bthe {re.escape(name)}\b", step.text) for name in named)


def _recipient(step: _Step, it: Item) -> str:
    if it.kind == "ADDR":
        return step.address(it)
    return f"wallet {it.value}" if it.kind == "WALLET" else it.value


_EACH = {"each", "apiece", "everyone", "everybody", "both"}
_SHARED = {"between", "among", "amongst", "equally", "evenly", "split", "divided", "shared"}


def _payments(step: _Step, recipients: list[Item], wallet: str | None,
              chains: dict[str, list[str]], verb: str) -> object:
    """Several recipients in one step: a Batch (one amount each, or amounts paired with
    recipients in the order written) or a Split (one amount shared)."""
    tb = step.tb
    names = [_recipient(step, it) for it in recipients]
    if len(set(names)) != len(names):
        raise Ask("A recipient is named twice: who should receive what?", names)
    if not names:
        raise Ask(f"Who should share it? Known recipients: {tb.recipient_list()}.",
                  tb.recipients)
    amounts = [it.value for it in step.items if it.kind == "AMT"]
    if not amounts:
        raise Ask("How much should " + _joined(names) + " get?")
    several = len(set(chains["on"] + chains["from"] + chains["to"])) > 1 and len(amounts) > 1
    chain = None if several else step.inherit_chain(
        step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    for it in recipients:
        if it.kind == "ADDR" and not several:
            chain = step.chain_for_address(chain, step.address(it))
    shared = verb == "split" or any(it.text in _SHARED for it in step.items)
    each = any(it.text in _EACH for it in step.items)
    if len(amounts) == 1:
        amt = amounts[0]
        token = _token_for(step, amt, "transfer")
        if len(names) == 1:
            raise Ask(f"Who should share the {token} with {names[0]}? Name at least two "
                      "recipients.", tb.recipients)
        amount = step.amount_model(amt, token)
        between = any(it.text in _SHARED - {"split"} for it in step.items)
        if shared and not each:
            return Split(amount=amount, token=token, recipients=names, chain=chain,
                         wallet=wallet)
        if each and not between:  # "distribute 5 usdc to each of alice and bob"
            return Batch(payments=[Payment(amount=amount, token=token, recipient=name)
                                   for name in names], chain=chain, wallet=wallet)
        raise Ask(f"Should each of {_joined(names)} get {amt.raw} {token}, or should {amt.raw} "
                  f"{token} be split between them? Say 'each' or 'split'.", ["each", "split"])
    if len(amounts) != len(names):
        raise Ask(f"I see {len(amounts)} amounts (" + ", ".join(a.raw for a in amounts) +
                  f") for {len(names)} recipients ({_joined(names)}): who should get what?")
    if shared:
        raise Ask("Should the amounts be paid as written, or one amount split? Say each "
                  "recipient's amount, or one amount to split.")
    per_chain = _segment_chains(step, recipients, chain)
    tokens = step.tokens()
    payments: list[Payment] = []
    token = None
    for amt, name in zip(amounts, names):  # paired in the order written
        if amt.token not in (None, "?"):
            token = amt.token
        elif len(tokens) == 1:
            token = tokens[0]
        elif token is None:
            token = _token_for(step, None, "transfer") if not tokens else None
        if token is None:
            raise Ask(f"Which token should {name} get {amt.raw} of: " + " or ".join(tokens) + "?",
                      tokens)
        payments.append(Payment(amount=step.amount_model(amt, token), token=token,
                                recipient=name))
    if per_chain is not None:  # "5 usdc to bob on l2 and 5 usdc to alice on l1": one per chain
        return Sequence(steps=[Transfer(amount=p.amount, token=p.token, recipient=p.recipient,
                                        chain=c, wallet=wallet)
                               for p, c in zip(payments, per_chain)])
    return Batch(payments=payments, chain=chain, wallet=wallet)


def _segment_chains(step: _Step, recipients: list[Item], chain: str | None) -> list[str] | None:
    """Each payment's own chain when the payments name different ones, in their own part of the
    sentence; None when one chain (or none) serves them all."""
    named = {it.value for it in step.items if it.kind == "CHAIN"}
    if len(named) < 2:
        return None
    items = step.items
    amount_at = [i for i, it in enumerate(items) if it.kind == "AMT"]
    recipient_at = [items.index(it) for it in recipients]
    starts = [min(a, r) for a, r in zip(amount_at, recipient_at)]
    chains: list[str] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(items)
        own = {it.value for it in items[start:end] if it.kind == "CHAIN"}
        if len(own) != 1:
            raise Ask("Which chain is each payment on? Name one chain per payment, or one for "
                      "all of them.", step.tb.chain_names)
        chains.append(own.pop())
    return chains


def _joined(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _bridge(step: _Step, chains: dict[str, list[str]]) -> Bridge:
    tb = step.tb
    step.check_usdword("bridge")
    for it in step.items:
        if it.kind in ("CONTACT", "ADDR", "ENS") and it.prep != "from":
            family = _address_family(it.value) if it.kind == "ADDR" else "evm"
            example = (tb.chains_of(family) or tb.chain_names)[-1]
            raise Ask(f"A bridge moves funds to your own wallet on another chain; to pay "
                       f"'{it.text}' say which chain: send … to {it.text} on {example}.")
    wallet = step.source_wallet()
    bad = step.unknown_after("to", "into", "over", "on")
    if bad is not None:
        raise Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    amt = step.the_amount()
    token = _token_for(step, amt, "bridge")
    if amt is None:
        raise Ask(f"How much {token} should be bridged?")
    to_list = list(dict.fromkeys(chains["to"]))
    src = chains["from"] + chains["on"]
    if not to_list and len(src) == 2 and not chains["from"]:
        # "bridge 5 usdc l1 l2"
        src, to_list = [src[0]], [src[1]]
    if len(to_list) > 1:
        raise Ask("Which chain should it go to: " + " or ".join(to_list) + "?", to_list)
    if not to_list and len(set(src)) == 1 and step.has_word("bring", "back", "return"):
        # "bring back 50 usdc from l2": home is the one other chain of that family
        others = [c for c in tb.chains_of(tb.family(src[0])) if c != src[0]]
        if len(others) == 1:
            to_list = others
    if not to_list:
        raise Ask(f"Which chain should the {token} be bridged to? Known chains: "
                   f"{tb.chain_list()}.", tb.chain_names)
    chain = step.single_chain(src)
    chain = step.inherit_chain(chain)
    if chain == to_list[0]:
        raise Ask(f"The {token} would stay on {chain}: which chain should it be bridged to?",
                   [c for c in tb.chain_names if c != chain])
    return Bridge(amount=step.amount_model(amt, token), token=token, to_chain=to_list[0],
                  chain=chain, wallet=wallet)


def _swap(step: _Step, verb: str) -> object:
    tb = step.tb
    step.check_usdword("swap")
    wallet = step.source_wallet()
    buy = verb in ("buy", "get")
    toks = [it for it in step.items if it.kind == "TOK"]
    amt = step.the_amount()
    tin: str | None = None
    tout: str | None = None
    for it in toks:
        bound = getattr(it, "bound", False)
        p = it.prep
        if buy:
            if p in ("with", "for", "from", "by", "of") and not (p == "of" and bound):
                tin = tin or it.value
            else:
                if tout is None:
                    tout = it.value
                elif tin is None:
                    tin = it.value
        else:
            if p in ("for", "to", "into", "in") and not (bound and p == "in"):
                tout = tout or it.value
            else:
                if tin is None:
                    tin = it.value
                elif tout is None:
                    tout = it.value
    if len({it.value for it in toks}) > 2:
        raise Ask("Which tokens: " + ", ".join(dict.fromkeys(it.value for it in toks)) +
                   "? A swap has one token in and one out.", tb.tokens)
    amount_of = "in"
    if amt is not None and amt.token not in (None, "?"):
        if amt.token == tout and amt.token != tin:
            amount_of = "out"
    elif amt is not None and buy and tout is not None and not amt.ref:
        # "buy 0.5 eth" style with the amount unbound only when it precedes the bought token
        amt_idx = next(i for i, it in enumerate(step.items) if it.kind == "AMT")
        out_idx = next(i for i, it in enumerate(step.items) if it.kind == "TOK"
                       and it.value == tout)
        if amt_idx < out_idx and amt.kind != "fraction":
            amount_of = "out"
    if tin is None and step.prev is not None and step.prev.token and (amt is None or amt.ref
                                                                     or amount_of == "in"):
        if step.prev.token != tout:
            tin = step.prev.token
    chains = step.chains()
    if chains["to"] and (tout is None):
        raise Ask("Did you mean to bridge? Swaps stay on one chain: which token should it be "
                   f"swapped for? Known tokens: {tb.token_list()}.", tb.tokens)
    bad = step.unknown_after("for", "into", "with")
    if bad is not None and (tin is None or tout is None):
        raise Ask(f"I don't know the token {bad.text.upper()}. Known tokens: {tb.token_list()}.",
                   tb.tokens)
    if tin is None and tout is None:
        raise Ask(f"Which tokens should be swapped? Known tokens: {tb.token_list()}.", tb.tokens)
    if tout is None:
        raise Ask(f"What should the {tin} be swapped for? Known tokens: {tb.token_list()}.",
                   [t for t in tb.tokens if t != tin])
    if tin is None:
        raise Ask(f"Which token should pay for the {tout}? Known tokens: {tb.token_list()}.",
                   [t for t in tb.tokens if t != tout])
    if tin == tout:
        raise Ask(f"Both sides of the swap are {tin}: what should it be swapped for?",
                   [t for t in tb.tokens if t != tin])
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    if amt is None:
        if amount_of == "out":
            raise Ask(f"How much {tout} should be bought?")
        raise Ask(f"How much {tin} should be swapped?")
    amount_token = tout if amount_of == "out" else tin
    native = tb.native.get(chain or "", None) if chain else None
    natives = {native} if native else tb.native_symbols
    if tb.wrapped and {tin, tout} <= natives | {tb.wrapped} and amount_of == "in" and \
            verb == "convert" and tb.family(chain) == "evm":
        amount = step.amount_model(amt, amount_token)
        if tin in natives and tout == tb.wrapped:
            return Wrap(amount=amount, chain=chain, wallet=wallet)
        if tin == tb.wrapped and tout in natives:
            return Unwrap(amount=amount, chain=chain, wallet=wallet)
    return Swap(amount=step.amount_model(amt, amount_token), token_in=tin, token_out=tout,
                amount_of=amount_of, chain=chain, wallet=wallet)


def _wrap(step: _Step, unwrap: bool) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    wrapped = tb.wrapped or "WETH"
    if tb.family(chain) == "solana":
        raise Ask(f"Wrapping turns ETH into WETH on an EVM chain; {chain} is a Solana chain. "
                   f"Which EVM chain: {' or '.join(tb.chains_of('evm'))}?", tb.chains_of("evm"))
    native = tb.native.get(chain or "") or "ETH"
    want = wrapped if unwrap else native
    toks = step.tokens()
    for tok in toks:
        if tok != want and not (unwrap and tok in tb.native_symbols and tok == toks[-1]
                                and len(toks) == 2) and not (
                not unwrap and tok == wrapped and len(toks) == 2 and toks[0] == want):
            if unwrap:
                raise Ask(f"Only {wrapped} can be unwrapped (into {native}), not {tok}.")
            raise Ask(f"Only {native} can be wrapped (into {wrapped}), not {tok}.")
    amt = step.the_amount()
    if amt is None:
        raise Ask(f"How much {want} should be {'unwrapped' if unwrap else 'wrapped'}?")
    amount = step.amount_model(amt, want)
    if unwrap:
        return Unwrap(amount=amount, chain=chain, wallet=wallet)
    return Wrap(amount=amount, chain=chain, wallet=wallet)


def _spender(step: _Step, first_verb_index: int) -> str:
    found: list[str] = []
    venue_named = any(it.kind == "VENUE" for it in step.items)
    for idx, it in enumerate(step.items):
        if it.kind == "VENUE":
            if it.value not in step.tb.venues:  # "uniswap": which of its routers?
                versions = [v for v in step.tb.venues if v.split("-")[0] == it.value]
                raise Ask(f"Which {it.text} router: " + " or ".join(versions) + "? Each "
                          "version has its own router, and an approval is for one of them.",
                          versions)
            found.append(it.value)
        elif it.kind == "SPENDER" and venue_named:
            continue  # "the uniswap v2 router": the venue's router
        elif it.kind == "SPENDER":
            found.append(it.value)
        elif it.kind == "VERB" and it.text.startswith("bridge") and idx != first_verb_index:
            found.append("bridge")
        elif it.kind == "ADDR" and _address_family(it.value) == "solana":
            raise Ask(f"'{it.text}' is a Solana address; approvals are for EVM contracts: which "
                       "spender, the router, the bridge, or a 0x address?", ["router", "bridge"])
        elif it.kind == "ADDR":
            found.append(step.address(it))
        elif it.kind in ("CONTACT", "WALLET", "ENS") and it.prep != "from":
            raise Ask(f"Approvals are for contracts: which spender, the router, the bridge, or "
                       f"a 0x address? ('{it.text}' is not a contract I know.)",
                       ["router", "bridge"])
    found = list(dict.fromkeys(found))
    if len(found) > 1:
        raise Ask("Which spender: " + " or ".join(found) + "?", found)
    if not found:
        bad = step.unknown_after("for", "to", "from", "of", "by")
        if bad is None:
            for idx, it in enumerate(step.items[:-1]):
                if idx == first_verb_index and step.items[idx + 1].kind == "WORD" and \
                        step.items[idx + 1].text not in SOFT:
                    bad = step.items[idx + 1]
        if bad is not None:
            raise Ask(f"Which spender is '{bad.text}'? Known spenders: router, bridge, or a 0x "
                       "address.", ["router", "bridge"])
        raise Ask("Which spender: the router, the bridge, or a 0x address?", ["router", "bridge"])
    return found[0]


def _approve(step: _Step, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = _spender(step, verb_index)
    toks = step.tokens()
    if step.kinds("UNLIMITED"):
        raise Ask("Steward approves exact amounts only, never unlimited: how much "
                   f"{toks[0] if len(toks) == 1 else 'of the token'} should the {spender} be "
                   "allowed to spend?")
    if len(toks) > 1:
        raise Ask("Which token: " + " or ".join(toks) + "?", toks)
    amt = step.the_amount()
    token = toks[0] if toks else (step.prev.token if step.prev and step.prev.token else None)
    if token is None:
        raise Ask(f"Which token should the {spender} be allowed to spend? Known tokens: "
                   f"{tb.token_list()}.", tb.tokens)
    if amt is None:
        raise Ask(f"How much {token} should the {spender} be allowed to spend? (Exact amounts "
                   "only.)")
    if amt.kind != "exact" or amt.ref:
        raise Ask(f"Steward approves exact amounts only: how much {token} should the {spender} "
                   "be allowed to spend?")
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    return Approve(token=token, spender=spender, amount=step.amount_model(amt, token),
                   chain=chain, wallet=wallet)


def _revoke(step: _Step, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = _spender(step, verb_index)
    toks = step.tokens()
    if len(toks) > 1:
        raise Ask("Which token: " + " or ".join(toks) + "?", toks)
    token = toks[0] if toks else (step.prev.token if step.prev and step.prev.token else None)
    if token is None:
        raise Ask(f"Which token's approval should be revoked from the {spender}? Known tokens: "
                   f"{tb.token_list()}.", tb.tokens)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    return Revoke(token=token, spender=spender, chain=chain, wallet=wallet)


def _balance(step: _Step) -> object:
    tb = step.tb
    step.ens()
    toks = step.tokens()
    token = toks[0] if len(toks) == 1 else None
    address = None
    wallet = None
    for it in step.items:
        if it.kind == "CONTACT":
            if address not in (None, it.value):
                raise Ask("Whose balance: " + address + " or " + it.value + "?")
            address = it.value
        elif it.kind == "ADDR":
            address = step.address(it)
        elif it.kind == "WALLET":
            wallet = it.value
    if address is None:
        for idx, it in enumerate(step.items):
            nxt = step.items[idx + 1] if idx + 1 < len(step.items) else None
            if it.kind == "WORD" and it.text not in SOFT and (
                    it.prep in ("of", "for", "in") or (nxt is not None and nxt.kind == "POSS")
                    or (nxt is not None and nxt.kind == "WORD" and nxt.text in ("have", "has",
                                                                                "hold", "holds",
                                                                                "own", "owns"))):
                if it.prep == "in" and it.text not in tb.contacts:
                    raise Ask(f"I don't know a wallet named '{it.text}'. Known wallets: "
                               f"{', '.join(tb.wallets)}.", tb.wallets)
                raise Ask(f"Who is '{it.text}'? Known names: {tb.recipient_list()}.",
                           tb.recipients)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    if step.unknown_after("on") is not None:
        bad = step.unknown_after("on")
        raise Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    if address is not None and step.kinds("ADDR"):
        chain = step.chain_for_address(chain, address)
    return Balance(token=token, chain=chain, address=address, wallet=wallet)


def _quote(step: _Step, how_much: bool) -> object:
    tb = step.tb
    step.check_usdword("quote")
    toks = [it for it in step.items if it.kind == "TOK"]
    amt = step.the_amount()
    tin = tout = None
    received = _received(step, amt)
    if received is not None:  # "… required to receive 35.85 USDC when swapping from USDT"
        others = [it.value for it in toks if it.value != received]
        if len(set(others)) > 1:
            raise Ask("Which token would pay for the " + received + ": " + " or ".join(
                dict.fromkeys(others)) + "?", list(dict.fromkeys(others)))
        if not others:
            raise Ask(f"Paid with which token, to receive the {received}? Known tokens: "
                      f"{tb.token_list()}.", [t for t in tb.tokens if t != received])
        chains = step.chains()
        chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"]))
        return Quote(amount=step.amount_model(amt, received), token_in=others[0],
                     token_out=received, amount_of="out", chain=chain)
    if how_much:
        # "how much ETH would I get for 100 USDC": the first token is the output
        for it in toks:
            if amt is not None and amt.token == it.value and getattr(it, "bound", False):
                tin = tin or it.value
            elif tout is None:
                tout = it.value
            elif tin is None:
                tin = it.value
    else:
        for it in toks:
            if it.prep in ("in", "to", "into", "for") and not getattr(it, "bound", False):
                tout = tout or it.value
            elif tin is None:
                tin = it.value
            elif tout is None:
                tout = it.value
    if how_much and tin is None and tout is not None and len(toks) == 2:
        tin = toks[1].value if toks[0].value == tout else toks[0].value
    if tin is None or tout is None:
        have = tin or tout
        raise Ask(("Which tokens should be quoted? " if have is None else
                    f"Quote {have} in which token? ") + f"Known tokens: {tb.token_list()}.",
                   tb.tokens)
    if tin == tout:
        raise Ask(f"Both sides of the quote are {tin}: in which token?",
                   [t for t in tb.tokens if t != tin])
    if amt is None:
        if step.has_word("price", "prices", "worth", "rate", "value"):
            amount = Amount(kind="exact", value="1")
        else:
            raise Ask(f"How much {tin} should be quoted?")
    else:
        amount = step.amount_model(amt, tin)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"]))
    return Quote(amount=amount, token_in=tin, token_out=tout, chain=chain)


_TRADE_VERBS = {"swap", "convert", "buy", "get", "quote"}


def _received(step: _Step, amt: Amt | None) -> str | None:
    """The token of an amount said as what would be received ("to receive 35.85 USDC", "do I
    need to get 100 USDC"), or None."""
    if amt is None or amt.ref or amt.kind == "fraction":
        return None
    items = step.items
    at = next(i for i, it in enumerate(items) if it.kind == "AMT")
    before = at - 1
    while before >= 0 and items[before].text in ("exactly", "precisely", "at", "least", "a",
                                                 "total", "of"):
        before -= 1
    if before < 0 or items[before].text not in RECEIVE_WORDS:
        return None
    if amt.token not in (None, "?"):
        return amt.token
    after = items[at + 1] if at + 1 < len(items) else None
    return after.value if after is not None and after.kind == "TOK" else None


def _shown(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


_NEGATION_RE = re.compile(r"^(?:don't|dont|do not|never|not|stop|no)\b|\b(?:don't|dont|do not|"
                          r"never|shouldn't|should not|won't)\s+(?:\w+\s+){0,2}(?:" + VERB_ALT +
                          r")\b")
_QUOTE_WORDS = {"quote", "price", "prices", "pricing", "rate", "quotes"}
_BALANCE_WORDS = {"balance", "balances", "portfolio", "holdings", "holding", "bal", "funds",
                  "assets", "networth"}


def _parse_step(text: str, tb: Tables, prev: _Prev | None, addrs: list[str],
                caps: set[str]) -> object:
    words = words_of(text)
    if not words:
        raise Ask("What would you like to do? " + CAN_DO, CAPABILITIES)
    if _NEGATION_RE.search(text):
        raise Ask("That sounds like something not to do; nothing will be sent. What would you "
                   "like to do? " + CAN_DO, CAPABILITIES)
    if "or" in words or "either" in words:
        raise Ask(f"'{text}' leaves a choice open: which one exactly? (one token, one amount and "
                   "one recipient or chain per step)")
    words, terms = take_terms(words)
    items = lex(words, tb, addrs, caps)
    step = _Step(items, tb, prev, text)
    intent = _read_step(step, text, is_question(text))
    return _with_how(step, intent, terms)


def _with_how(step: _Step, intent: object, terms: Terms) -> object:
    """The venue and the terms the person stated, on the intents they apply to (asked about
    where they do not apply: a slippage on a transfer is a misunderstanding, not a detail)."""
    venue = step.venue()
    if venue is not None:
        if isinstance(intent, (Swap, Quote)):
            intent = intent.model_copy(update={"venue": venue})
        elif not isinstance(intent, (Approve, Revoke)):
            raise Ask(f"{venue} is an exchange; a {getattr(intent, 'action', 'request')} does not "
                      "go through one. Did you mean a swap?")
    if terms.any:
        if isinstance(intent, Swap):
            intent = intent.model_copy(update={"slippage_bps": terms.slippage_bps,
                                               "deadline_minutes": terms.deadline_minutes})
        elif not isinstance(intent, Quote):
            raise Ask(f"'{terms.said}' applies to swaps, but this is a "
                      f"{getattr(intent, 'action', 'request')}: what should happen?")
    return intent


def _read_step(step: _Step, text: str, question: bool) -> object:
    items, tb = step.items, step.tb
    # the first content item decides when it is a verb
    first = None
    for idx, it in enumerate(items):
        if it.kind == "WORD" and it.text in ("and", "also", "then", "now", "just", "i", "we",
                                             "want", "to", "a", "an"):
            continue
        first = idx
        break
    verb_index = first if first is not None and items[first].kind == "VERB" else None
    if verb_index is None and first is not None and items[first].kind == "WORD" and len(
            items[first].text) >= 4 and items[first].text not in SOFT:
        hits = {a for v, a in FUZZY_VERBS.items() if edit1(items[first].text, v)}
        if len(hits) == 1:
            items[first].kind = "VERB"
            items[first].value = hits.pop()
            verb_index = first
    if first is not None and items[first].text == "let" and any(
            it.text in ("spend", "use", "pull", "move") for it in items):
        items[first].kind = "VERB"
        items[first].value = "approve"
        verb_index = first
    if (first is not None and items[first].kind == "PREP" and items[first].text == "by"
            and first + 1 < len(items) and items[first + 1].kind == "AMT"):
        items[first].kind = "VERB"  # "by 1 eth with usdc": a typo of buy
        items[first].value = "buy"
        verb_index = first
    has_quote = any(it.text in _QUOTE_WORDS for it in items)
    has_balance = any(it.text in _BALANCE_WORDS for it in items)
    how_much = bool(re.search(r"\bhow (?:much|many)\b", text))
    numeric = [it for it in items if it.kind == "AMT" and it.value.kind in ("exact", "usd")]
    has_approval = any(it.text in ("approval", "approvals", "allowance", "allowances",
                                   "permission", "permissions", "access") for it in items)
    if verb_index is None:
        for idx, it in enumerate(items):
            if it.kind == "VERB" and it.value not in ("show", "get", "quote"):
                if has_quote or how_much or (has_balance and it.value == "move"):
                    break
                if it.value == "transfer" and it.text in ("give",) and has_balance:
                    break
                verb_index = idx
                break
    verb = items[verb_index].value if verb_index is not None else None
    if verb == "get" and (has_balance or has_quote):
        verb = None
    if verb == "show":
        if has_quote:
            return _quote(step, False)
        return _balance(step)
    if verb is None and first is not None and items[first].kind == "AMT" and not (
            has_quote or has_balance or how_much):
        # no verb: "25 usdc to bob", "100 usdc -> eth", "100 usdc l2 -> l1"
        kinds = {it.kind for it in items}
        if kinds & {"CONTACT", "ADDR", "WALLET", "ENS"}:
            verb = "transfer"
        elif len(step.tokens()) >= 2:
            verb = "swap"
        elif "CHAIN" in kinds:
            verb = "bridge"
    if verb == "remove":
        verb = "revoke" if has_approval else None
    if verb == "transfer" and verb_index is not None and items[verb_index].text in (
            "give", "giving", "grant", "hand") and (has_approval or any(
                it.text in ("spend", "light", "use") for it in items)):
        verb = "approve"  # "giving alice the green light to spend my WETH": never a transfer
    if verb is None and any(it.text == "let" for it in items) and any(
            it.text in ("spend", "use") for it in items):
        verb = "approve"
        verb_index = next(i for i, it in enumerate(items) if it.text == "let")
    if question and (verb in _TRADE_VERBS or verb is None or verb == "quote"):
        return _quote(step, how_much)  # "estimate swapping 1 ETH to USDC": never an order
    if question and verb is not None:
        raise Ask(f"That reads as a question, so nothing will be done: '{_shown(text)}'. To act, "
                  "say it as an order (for example 'send 5 USDC to alice'); for prices, ask for "
                  "a quote.")
    if verb == "quote":
        return _quote(step, False)
    if verb == "split":
        return _transfer_or_bridge(step, "split")
    if verb in ("deposit", "withdraw"):
        if tb.wrapped and tb.wrapped in step.tokens():  # "deposit 1 eth into weth"
            unwrap = verb == "withdraw"
            if unwrap:  # "withdraw 0.5 eth from weth": ETH and WETH are one to one
                step.items = [it for it in items if not (it.kind == "TOK"
                                                         and it.value in tb.native_symbols)]
            return _wrap(step, unwrap)
        verb = "move"
    if verb == "bring":
        return _transfer_or_bridge(step, "bridge")
    if verb in ("transfer", "move"):
        return _transfer_or_bridge(step, verb)
    if verb == "bridge":
        return _transfer_or_bridge(step, "bridge")
    if verb in ("swap", "convert", "buy", "get"):
        return _swap(step, verb)
    if verb == "wrap":
        return _wrap(step, False)
    if verb == "unwrap":
        return _wrap(step, True)
    if verb == "approve":
        return _approve(step, verb_index if verb_index is not None else -1)
    if verb == "revoke":
        return _revoke(step, verb_index)
    # no verb: a question
    if has_quote or (how_much and numeric) or (
            re.match(r"^(?:what's|whats|what is|what are|what would|what will|what does|"
                     r"what do)\b", text) and numeric and len(step.tokens()) >= 2) or (
            numeric and any(it.text in ("worth", "value") for it in items)
            and len(step.tokens()) >= 2):
        return _quote(step, how_much and not has_quote)
    if has_balance or how_much or re.search(
            r"\b(?:what|which) (?:do|does|did) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bwhat(?:'s| is) in\b|\b(?:do|does) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bhow am i doing\b|\bhow rich\b", text) or (
            verb_index is None and any(it.kind == "VERB" and it.value == "show"
                                       for it in items)):
        return _balance(step)
    if any(it.kind == "VERB" and it.value == "show" for it in items) and step.tokens():
        return _balance(step)
    raise Ask("I didn't understand that. " + CAN_DO, CAPABILITIES)


def _after(intent: object, prev: _Prev | None) -> _Prev:
    chain = getattr(intent, "chain", None)
    if isinstance(intent, Bridge):
        return _Prev(intent.token, intent.to_chain)
    if isinstance(intent, (Swap, Quote)):
        return _Prev(intent.token_out, chain)
    if isinstance(intent, Wrap):
        return _Prev("WETH", chain)
    if isinstance(intent, Unwrap):
        return _Prev("ETH", chain)
    if isinstance(intent, (Transfer, Approve, Revoke)):
        return _Prev(intent.token, chain)
    if isinstance(intent, Balance):
        return _Prev(intent.token or (prev.token if prev else None), chain)
    return _Prev(None, chain)


def parse(text: str, context: ParseContext) -> ParseResult:
    """One request in plain language → an intent, a sequence of intents, or a clarification."""
    tb = tables_for(context)
    if not isinstance(text, str) or not text.strip():
        return clarify("What would you like to do? " + CAN_DO, CAPABILITIES)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        # \d and Decimal() read ١٠, ১০ or １０ as 10, and "1٠" looks like "1.": never guess.
        return clarify("Write numbers with the digits 0-9 (like 10 or 0.5); digits of other "
                       "scripts and superscripts are not read as amounts.")
    addrs: list[str] = []
    try:
        s, addrs, caps = prepare(text)
        parts = [(clean_step(p), joined) for p, joined in split_steps(s)]
        parts = _without_context(_resolve_pronouns([(p, j) for p, j in parts if p], tb, addrs,
                                                   caps), tb, addrs, caps)  # type: ignore[arg-type]
        if not parts:
            return clarify("What would you like to do? " + CAN_DO, CAPABILITIES)
        steps: list[object] = []
        prev: _Prev | None = None
        joins: list[bool] = []
        for number, (part, joined) in enumerate(parts):
            try:
                intent = _parse_step(part, tb, prev, addrs, caps)
            except Ask as ask:
                if len(parts) > 1:
                    q = ask.clarification
                    raise Ask(f"In step {number + 1} ('{part}'): {q.question}",
                              q.options) from None
                raise
            # a step may be several payments on several chains: each its own step, coordinated
            for n, one in enumerate(intent.steps if isinstance(intent, Sequence) else [intent]):
                steps.append(one)
                joins.append(joined if n == 0 else True)
                prev = _after(one, prev)
        steps = _batched(steps, joins)
        steps = _chain_in_scope(steps)
        if len(steps) == 1:
            return steps[0]  # type: ignore[return-value]
        return Sequence(steps=steps)  # type: ignore[arg-type]
    except Ask as ask:
        return _restored(ask.clarification, addrs)
    except (InvalidOperation, ValueError) as exc:  # a malformed number or a model refusal
        return _restored(clarify(f"I couldn't read that request ({exc}). " + CAN_DO,
                                 CAPABILITIES), addrs)


def _restored(question: Clarification, addrs: list[str]) -> Clarification:
    """A question shows addresses as the person wrote them, never the lexer's placeholders."""
    def back(text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: addrs[int(m.group(1))] if int(m.group(1)) < len(
            addrs) else "the address", text)

    return clarify(back(question.question), [back(option) for option in question.options])


_CONTENT = {"AMT", "TOK", "ADDR", "CONTACT", "WALLET", "CHAIN", "ENS", "XTOK", "XCHAIN", "VENUE",
            "XVENUE", "UNLIMITED", "SPENDER"}


def _items_of(part: str, tb: Tables, addrs: list[str], caps: set[str]) -> list[Item] | None:
    try:
        return lex(take_terms(words_of(part))[0], tb, addrs, caps)
    except Ask:
        return None  # the step's own parse will ask


def _has_content(items: list[Item] | None, part: str, refs: bool = True) -> bool:
    """Whether a sentence names anything an order or a question is about (`refs`: whether a
    pointer such as "it" counts: it does in a step of its own, not in a lead-in)."""
    if items is None:
        return True
    return any(it.kind in _CONTENT and (refs or it.kind != "AMT" or not it.value.ref)
               for it in items) or any(
        it.text in _BALANCE_WORDS | _QUOTE_WORDS for it in items) or bool(
        re.search(r"\bhow (?:much|many)\b", part))


def _without_context(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                     caps: set[str]) -> list[tuple[str, bool]]:
    """Courtesy and context sentences ("It's an important transaction.", "Please assist me with
    the transfer.") name no amount, token, party, chain or question: they are not steps."""
    kept = [(p, j) for p, j in parts if _has_content(_items_of(p, tb, addrs, caps), p)]
    return kept if kept else parts[:1] if len(parts) == 1 else []


_PRONOUNS = {"him", "her", "them"}


def _resolve_pronouns(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                      caps: set[str]) -> list[tuple[str, bool]]:
    """A sentence that states a debt or a need without an order ("I owe bob $40 in USDC", "alice
    needs 20 usdc") followed by an order that points back at it ("settle it", "send it to her",
    "pay him back"): one order, with the pronouns replaced by what they stand for."""
    out: list[tuple[str, bool]] = []
    index = 0
    while index < len(parts):
        part, joined = parts[index]
        if index + 1 < len(parts):
            following, next_joined = parts[index + 1]
            if joined is None and not _has_content(_items_of(part, tb, addrs, caps), part,
                                                   refs=False):
                parts[index + 1] = (following, next_joined)  # "I trust you with this, send…"
                index += 1
                continue
            merged = _merge_antecedent(part, following, tb, addrs, caps)
            if merged is None and joined is None:
                merged = f"{part} {following}"  # a lead-in: part of the next step
            if merged is not None:
                parts[index + 1] = (merged, bool(joined) if joined is not None else next_joined)
                index += 1
                continue
        out.append((part, bool(joined)))
        index += 1
    return out


def _merge_antecedent(first: str, second: str, tb: Tables, addrs: list[str],
                      caps: set[str]) -> str | None:
    a, b = _items_of(first, tb, addrs, caps), _items_of(second, tb, addrs, caps)
    if a is None or b is None or any(it.kind == "VERB" and it.value not in ("show", "get")
                                     for it in a):
        return None
    if not any(it.kind == "VERB" for it in b):
        return None
    people = [it for it in a if it.kind in ("CONTACT", "ADDR", "WALLET")]
    amounts = [it for it in a if it.kind == "AMT"]
    refers = [it for it in b if it.kind == "AMT" and it.value.ref and it.text in ("it", "that",
                                                                                 "this")]
    pointed = [w for w in words_of(second) if w in _PRONOUNS]
    if len(people) != 1 or len(amounts) != 1 or not (refers or pointed):
        return None
    amt = amounts[0].value
    token = next((it.text for it in a if it.kind == "TOK"), None)
    if token is None:
        return None
    amount = f"{amt.raw} of {token}" if amt.kind == "usd" else f"{amt.raw} {token}"
    person = people[0].text
    text = second
    text = re.sub(r"\b(?:it|that|this)\b", amount, text, count=1) if refers else text
    text = re.sub(r"\b(?:him|her|them)\b", person, text, count=1)
    if not refers:
        text += f" {amount}"
    if not pointed and not any(it.kind in ("CONTACT", "ADDR", "WALLET") for it in b):
        text += f" to {person}"
    return text


def _batched(steps: list[object], joined: list[bool]) -> list[object]:
    """Payments joined by "and" or a comma (not "then") from one wallet on one chain are one
    batch: one plan, one preview, one verdict."""
    out: list[object] = []
    for step, coordinated in zip(steps, joined):
        last = out[-1] if out else None
        if (coordinated and isinstance(step, (Transfer, Batch)) and isinstance(last, (Transfer,
                                                                                     Batch))
                and _payable(step) and _payable(last) and last.chain == step.chain
                and last.wallet == step.wallet):
            payments = _as_payments(last) + _as_payments(step)
            if len({p.recipient for p in payments}) == len(payments):
                out[-1] = Batch(payments=payments, chain=step.chain, wallet=step.wallet)
                continue
        out.append(step)
    return out


def _payable(step: object) -> bool:
    return all(p.amount.kind != "previous" for p in _as_payments(step))


def _as_payments(step: object) -> list[Payment]:
    if isinstance(step, Batch):
        return list(step.payments)
    return [Payment(amount=step.amount, token=step.token, recipient=step.recipient)]


def _chain_in_scope(steps: list[object]) -> list[object]:
    """"swap 1 eth for usdc and send 100 usdc to bob on l2": a chain named once, at the end of
    a sequence with no bridge, is where every step happens."""
    if len(steps) < 2 or any(isinstance(step, Bridge) for step in steps):
        return steps
    chain = getattr(steps[-1], "chain", None)
    if chain is None or any(getattr(step, "chain", None) not in (None, chain)
                            for step in steps[:-1]):
        return steps
    return [step if getattr(step, "chain", None) else step.model_copy(update={"chain": chain})
            for step in steps]
