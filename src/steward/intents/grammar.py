"""The grammar per action: a step's items → one intent (or a question).

One reader per action (`read_transfer`, which also reads batches and splits, `read_bridge`,
`read_swap`, `read_wrap`, `read_approve`, `read_revoke`, `read_balance`, `read_quote`), each
filling the intent's slots from a `StepReader` and asking (`Ask`) when a slot is unknown or
ambiguous. Pure and offline.
"""

from __future__ import annotations

import re
from decimal import Decimal

from steward.intents import (
    Amount,
    Approve,
    Balance,
    Bridge,
    Quote,
    Revoke,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)
from steward.intents.lexer import (
    Amt,
    Ask,
    SOFT,
    Item,
)
from steward.intents.payments import read_payments, recipient_of, unknown_name
from steward.intents.phrasing import RECEIVE_WORDS
from steward.intents.step import (
    StepReader,
    address_family,
    token_for,
)


def read_transfer(step: StepReader, verb: str) -> object:
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
        return read_bridge(step, chains)
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
    recips = list(dict.fromkeys(recipient_of(step, it) for it in recipients))
    if len(recipients) > 1 or verb == "split":  # "alice and alice" is asked about, not merged
        return read_payments(step, recipients, wallet, chains, verb)
    if len(step.kinds("AMT")) > 1 and (stranger := unknown_name(step)) is not None:
        raise Ask(f"Who is '{stranger}'? Known recipients: {tb.recipient_list()}.",
                  tb.recipients)
    if len(recips) > 1:
        raise Ask("Who should receive it: " + " or ".join(recips) + "? I send to one recipient "
                   "at a time.", recips)
    amt = step.the_amount()
    token = token_for(step, amt, "transfer")
    if amt is None and the_previous_output(step, token):
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


def the_previous_output(step: StepReader, token: str) -> bool:
    """"swap 10 usdc for eth. send the eth to bob": "the ETH" is what the previous step made."""
    if step.prev is None or step.prev.token != token:
        return False
    named = [it.text for it in step.items if it.kind == "TOK" and it.value == token]
    return any(re.search(rf"\bthe {re.escape(name)}\b", step.text) for name in named)


def read_bridge(step: StepReader, chains: dict[str, list[str]]) -> Bridge:
    tb = step.tb
    step.check_usdword("bridge")
    for it in step.items:
        if it.kind in ("CONTACT", "ADDR", "ENS") and it.prep != "from":
            family = address_family(it.value) if it.kind == "ADDR" else "evm"
            example = (tb.chains_of(family) or tb.chain_names)[-1]
            raise Ask(f"A bridge moves funds to your own wallet on another chain; to pay "
                       f"'{it.text}' say which chain: send … to {it.text} on {example}.")
    wallet = step.source_wallet()
    bad = step.unknown_after("to", "into", "over", "on")
    if bad is not None:
        raise Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    amt = step.the_amount()
    token = token_for(step, amt, "bridge")
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


def read_swap(step: StepReader, verb: str) -> object:
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


def read_wrap(step: StepReader, unwrap: bool) -> object:
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


def read_spender(step: StepReader, first_verb_index: int) -> str:
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
        elif it.kind == "ADDR" and address_family(it.value) == "solana":
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


def read_approve(step: StepReader, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = read_spender(step, verb_index)
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


def read_revoke(step: StepReader, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = read_spender(step, verb_index)
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


def read_balance(step: StepReader) -> object:
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


def read_quote(step: StepReader, how_much: bool) -> object:
    tb = step.tb
    step.check_usdword("quote")
    toks = [it for it in step.items if it.kind == "TOK"]
    amt = step.the_amount()
    tin = tout = None
    received = received_token(step, amt)
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
    elif amt is not None and amt.token not in (None, "?") and len({t.value for t in toks}) == 2:
        # "compute the USDC obtained by swapping 0.75 WETH": the amount is of what is paid
        tin = amt.token
        tout = next(t.value for t in toks if t.value != tin)
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


TRADE_VERBS = {"swap", "convert", "buy", "get", "quote"}


def received_token(step: StepReader, amt: Amt | None) -> str | None:
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


def shown(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
