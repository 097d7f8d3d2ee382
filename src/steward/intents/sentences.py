"""The request as sentences: which carry a step, what the pronouns point at, how steps join.

Over the steps `lexer.split_steps` cut from a request: courtesy and context sentences are
dropped (`without_context`), a statement or a debt followed by an order that points back is
that order with its pronouns replaced (`resolve_pronouns`; a balance question before it stays a
step of its own), a last sentence naming only a chain scopes the whole request
(`scope_sentence`); after the steps are read, payments joined by "and" become one batch
(`batched`) and a chain named once at the end applies to every step (`chain_in_scope`). Pure
and offline.
"""

from __future__ import annotations

import re

from steward.intents import Batch, Bridge, Payment, Transfer
from steward.intents.lexer import SOFT, Ask, Item, Tables, lex, words_of
from steward.intents.phrasing import take_terms

QUOTE_WORDS = {"quote", "price", "prices", "pricing", "rate", "quotes"}


BALANCE_WORDS = {"balance", "balances", "portfolio", "holdings", "holding", "bal", "funds",
                  "assets", "networth"}


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
               for it in items) or (refs and any(it.kind == "VERB" and it.value == "show"
                                                 for it in items)) or any(
        it.text in BALANCE_WORDS | QUOTE_WORDS for it in items) or bool(
        re.search(r"\bhow (?:much|many)\b", part))


def without_context(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                     caps: set[str]) -> list[tuple[str, bool]]:
    """Courtesy and context sentences ("It's an important transaction.", "Please assist me with
    the transfer.", "I'm new to this") name no amount, token, party, chain or question: they
    are not steps. A pointer ("this", "it") counts only in a sentence with a verb."""
    def content(part: str) -> bool:
        items = _items_of(part, tb, addrs, caps)
        verb = items is not None and any(it.kind == "VERB" for it in items)
        return _has_content(items, part, refs=verb)

    kept: list[tuple[str, bool]] = []
    for part, joined in parts:
        if content(part):
            kept.append((part, joined))
        elif kept and _terms_only(part):  # "swap 0.2 eth to usdc. slippage: 1%"
            kept[-1] = (f"{kept[-1][0]} {part}", kept[-1][1])
    return kept if kept else parts[:1] if len(parts) == 1 else []


def scope_sentence(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                    caps: set[str]) -> tuple[list[tuple[str, bool]], str | None]:
    """A last sentence that only names a chain ("Both on sandbox-l2.", "all of it on l2") is
    where every step happens, not a step."""
    if len(parts) < 2:
        return parts, None
    items = _items_of(parts[-1][0], tb, addrs, caps)
    if not items:
        return parts, None
    chains = {it.value for it in items if it.kind == "CHAIN"}
    rest = [it for it in items if it.kind != "CHAIN" and not (
        it.kind in ("WORD", "PREP") and (it.text in SOFT or it.text in ("both", "all")))]
    if len(chains) != 1 or rest:
        return parts, None
    return parts[:-1], chains.pop()


def _terms_only(part: str) -> bool:
    try:
        return take_terms(words_of(part))[1].any
    except Ask:
        return True  # a term that cannot be read: the step it belongs to will ask


_PRONOUNS = {"him", "her", "them"}


def resolve_pronouns(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
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
            if merged is not None and _is_read(part, tb, addrs, caps):
                out.append((part, bool(joined)))  # "check bob's balance, then send him 5 usdc"
                parts[index + 1] = (merged, next_joined)
                index += 1
                continue
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
    """`second` with its pronouns replaced by what `first` names, or None when `first` is not
    an antecedent (it has an order of its own, or nothing to point at)."""
    a, b = _items_of(first, tb, addrs, caps), _items_of(second, tb, addrs, caps)
    if a is None or b is None or (not _statement(a) and any(
            it.kind == "VERB" and it.value not in ("show", "get") for it in a)):
        return None
    verb = next((it for it in b if it.kind == "VERB"), None)
    people = [it for it in a if it.kind in ("CONTACT", "ADDR", "WALLET")] or _stranger(a)
    amounts = [it for it in a if it.kind == "AMT" and not it.value.ref]
    refers = [it for it in b if it.kind == "AMT" and it.value.ref and it.text in ("it", "that",
                                                                                 "this")]
    pointed = [w for w in words_of(second) if w in _PRONOUNS]
    if verb is None or not people or not (refers or pointed):
        return None
    if len(people) >= 2 and len(amounts) == len(people):  # "I owe alice 15 and bob 10, pay them"
        listed = [it.text for it in a if it.kind in ("CONTACT", "ADDR", "WALLET", "AMT", "TOK")]
        return f"{verb.text} " + " ".join(listed).replace(f" {people[1].text}",
                                                          f" and {people[1].text}", 1)
    names = [it.text for it in people]
    person = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if len(names) > 1 and not any(w in ("them", "each") for w in words_of(first + " " + second)):
        return None
    text = second
    if len(amounts) == 1:
        amt = amounts[0].value
        token = next((it.text for it in a if it.kind == "TOK"), None)
        if token is None:
            return None
        amount = f"{amt.raw} of {token}" if amt.kind == "usd" else f"{amt.raw} {token}"
        if len(names) > 1 and "each" in words_of(first):
            amount += " each"  # "I owe bob and alice 10 usdc each, pay them"
        if refers:
            text = re.sub(r"\b(?:it|that|this)\b", amount, text, count=1)
        elif re.search(r"\bthem\b(?=\s+(?:to|over|back)\b)", text) and len(names) == 1:
            text = re.sub(r"\bthem\b", amount, text, count=1)  # "give them to her": the coins
            refers = [verb]
        if not refers:
            text += f" {amount}"
    elif refers or not any(it.kind == "AMT" for it in b):
        return None  # "it" with nothing to point at; or no amount at all
    text = re.sub(r"\b(?:him|her|them)\b", person, text, count=1)
    if not pointed and not any(it.kind in ("CONTACT", "ADDR", "WALLET") for it in b):
        text += f" to {person}"
    chain = next((it.text for it in a if it.kind == "CHAIN"), None)
    if chain is not None and not any(it.kind == "CHAIN" for it in b):
        text += f" on {chain}"  # "carol needs 15 usdt on l2, send it to her"
    return text


_OWED = {"owe", "owes", "owed", "lent", "borrowed"}


_SAID_OF = {"needs", "lent", "wants", "asked", "helped", "paid", "sent", "deserves", "owes"}


def _stranger(items: list[Item]) -> list[Item]:
    """A name Steward does not know where the sentence puts a person ("I owe dave 10 usdc",
    "dave needs 5 usdt"): the order that points back at it names it, and is asked about."""
    for n, it in enumerate(items):
        if it.kind != "WORD" or it.text in SOFT or not it.text.isalpha():
            continue
        before = items[n - 1].text if n else ""
        after = items[n + 1].text if n + 1 < len(items) else ""
        if before in _OWED or (n == 0 and after in _SAID_OF):
            return [it]
    return []


def _statement(items: list[Item]) -> bool:
    """A sentence about a person, not an order to Steward: it opens with the person and a word
    of its own ("bob helped me move house", "alice is moving abroad") and moves no token."""
    return (len(items) >= 2 and items[0].kind in ("CONTACT", "WALLET")
            and items[1].kind == "WORD" and items[1].text not in ("and", "&", "plus", ",")
            and not any(it.kind in ("TOK", "ADDR", "CHAIN") or (it.kind == "AMT"
                                                                and not it.value.ref)
                        for it in items))


def _is_read(part: str, tb: Tables, addrs: list[str], caps: set[str]) -> bool:
    """A balance or price question ("how much usdc does alice have", "check bob's balance")."""
    items = _items_of(part, tb, addrs, caps) or []
    return bool(re.search(r"\bhow (?:much|many)\b", part)) or any(
        it.text in BALANCE_WORDS | QUOTE_WORDS for it in items)


def batched(steps: list[object], joined: list[bool]) -> list[object]:
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
            if len({(p.recipient, p.token) for p in payments}) == len(payments):
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


def chain_in_scope(steps: list[object]) -> list[object]:
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
