"""Several payments in one step: batches and splits.

`read_payments` reads a step that names several recipients: one amount each ("5 usdc each to
alice and bob"), amounts paired with people in the order written ("0.5 usdt to alice, 10 usdc to
bob"), amounts that each go to a group ("5 usdc each to alice and bob, and 10 usdt to carol"),
or one amount shared ("split 9 usdc alice/bob/carol"). People are paid only where the words make
them recipients, and a name Steward does not know is asked about. Pure and offline.
"""

from __future__ import annotations

from steward.intents import Batch, Payment, Sequence, Split, Transfer
from steward.intents.lexer import SOFT, Amt, Ask, Item
from steward.intents.step import StepReader, token_for

def recipient_of(step: StepReader, it: Item) -> str:
    if it.kind == "ADDR":
        return step.address(it)
    return f"wallet {it.value}" if it.kind == "WALLET" else it.value


EACH = {"each", "apiece", "everyone", "everybody", "both"}


SHARED = {"between", "among", "amongst", "equally", "evenly", "split", "divided", "shared",
          "betwen", "bewteen", "btw", "beetween", "amoung"}


def read_payments(step: StepReader, recipients: list[Item], wallet: str | None,
              chains: dict[str, list[str]], verb: str) -> object:
    """Several recipients in one step: a Batch (one amount each, or amounts paired with
    recipients in the order written) or a Split (one amount shared)."""
    tb = step.tb
    names = [recipient_of(step, it) for it in recipients]
    stranger = unknown_name(step)  # "between alise and bob": ask about alise first
    if stranger is not None:
        raise Ask(f"Who is '{stranger}'? Known recipients: {tb.recipient_list()}.",
                  tb.recipients)
    for it in recipients:  # amounts go to people only where the words make them recipients
        if not _said_as_recipient(step.items, it, recipients):
            raise Ask(f"Should {it.text} be paid too? The request names {it.text} but not as "
                      "a recipient: say who gets what.", list(dict.fromkeys(names)))
    if not names:
        raise Ask(f"Who should share it? Known recipients: {tb.recipient_list()}.",
                  tb.recipients)
    amounts = [it.value for it in step.items if it.kind == "AMT"]
    if not amounts:
        raise Ask("How much should " + joined_names(names) + " get?")
    several = len(set(chains["on"] + chains["from"] + chains["to"])) > 1 and len(amounts) > 1
    chain = None if several else step.inherit_chain(
        step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    for it in recipients:
        if it.kind == "ADDR" and not several:
            chain = step.chain_for_address(chain, step.address(it))
    shared = verb == "split" or any(it.text in SHARED for it in step.items)
    each = any(it.text in EACH for it in step.items)
    if len(amounts) == 1:
        amt = amounts[0]
        token = token_for(step, amt, "transfer")
        if len(names) == 1:
            raise Ask(f"Who should share the {token} with {names[0]}? Name at least two "
                      "recipients.", tb.recipients)
        amount = step.amount_model(amt, token)
        if len(set(names)) != len(names):
            raise Ask("A recipient is named twice: who should receive what?",
                      list(dict.fromkeys(names)))
        between = any(it.text in SHARED - {"split"} for it in step.items)
        if shared and not each:
            return Split(amount=amount, token=token, recipients=names, chain=chain,
                         wallet=wallet)
        if each and not between:  # "distribute 5 usdc to each of alice and bob"
            return Batch(payments=[Payment(amount=amount, token=token, recipient=name)
                                   for name in names], chain=chain, wallet=wallet)
        raise Ask(f"Should each of {joined_names(names)} get {amt.raw} {token}, or should {amt.raw} "
                  f"{token} be split between them? Say 'each' or 'split'.", ["each", "split"])
    groups = _each_groups(step.items, recipients) if len(amounts) < len(names) else None
    if groups is not None:  # "5 usdc each to alice and bob, and 10 usdt to carol"
        amounts = [amt for amt, group in groups for _ in group]
        names = [recipient_of(step, it) for _, group in groups for it in group]
    if len(amounts) != len(names):
        raise Ask(f"I see {len(amounts)} amounts (" + ", ".join(a.raw for a in amounts) +
                  f") for {len(names)} recipients ({joined_names(names)}): who should get what?")
    if shared:
        raise Ask("Should the amounts be paid as written, or one amount split? Say each "
                  "recipient's amount, or one amount to split.")
    per_chain = segment_chains(step, recipients, chain)
    tokens = step.tokens()
    payments: list[Payment] = []
    token = None
    for amt, name in zip(amounts, names):  # paired in the order written
        if amt.token not in (None, "?"):
            token = amt.token
        elif len(tokens) == 1:
            token = tokens[0]
        elif token is None:
            token = token_for(step, None, "transfer") if not tokens else None
        if token is None:
            raise Ask(f"Which token should {name} get {amt.raw} of: " + " or ".join(tokens) + "?",
                      tokens)
        payments.append(Payment(amount=step.amount_model(amt, token), token=token,
                                recipient=name))
    if len({(p.recipient, p.token) for p in payments}) != len(payments):
        raise Ask("A recipient is named twice for the same token: who should receive what?",
                  list(dict.fromkeys(names)))
    if per_chain is not None:  # "5 usdc to bob on l2 and 5 usdc to alice on l1": one per chain
        return Sequence(steps=[Transfer(amount=p.amount, token=p.token, recipient=p.recipient,
                                        chain=c, wallet=wallet)
                               for p, c in zip(payments, per_chain)])
    return Batch(payments=payments, chain=chain, wallet=wallet)


def _said_as_recipient(items: list[Item], person: Item, recipients: list[Item]) -> bool:
    """Whether the words make `person` a recipient: after "to"/"for", a verb, "between" or
    "each of", right before an amount, first in a verbless list, or next in a list of
    recipients ("to alice, bob and carol"). "carol's 1 eth may wait" pays nobody."""
    at = items.index(person)
    after = items[at + 1] if at + 1 < len(items) else None
    if person.prep in ("to", "for") or (after is not None and after.kind == "AMT"):
        return True
    before = at - 1
    while before >= 0 and items[before].kind == "WORD" and items[before].text in ("and", "&",
                                                                                  "plus", "my"):
        before -= 1
    if before < 0:
        return True
    prior = items[before]
    if prior.kind in ("TOK", "AMT") and _next_in_list(items, at) in recipients:
        return True  # "split 9 usdc alice/bob/carol", "split 60 usdc: alice, bob, carol"
    return (prior.kind == "VERB" or prior.text in SHARED | EACH | {"of"}
            or (prior in recipients and _said_as_recipient(items, prior, recipients)))


def _each_groups(items: list[Item], recipients: list[Item]) -> list[tuple[Amt, list[Item]]] | None:
    """Amounts that each go to a group of people ("5 usdc each to alice and bob, and 10 usdt to
    carol"; "alice and bob 5 usdc each, carol 10 usdt"): every amount with the recipients on
    its side of the next amount, or None when a group of several lacks its own "each"."""
    at = [i for i, it in enumerate(items) if it.kind == "AMT"]
    where = [items.index(it) for it in recipients]
    if not at or not where:
        return None
    amount_first = at[0] < where[0]
    bounds = [-1, *at, len(items)]
    groups: list[tuple[Amt, list[Item]]] = []
    for n, index in enumerate(at):
        lo, hi = (index, bounds[n + 2]) if amount_first else (bounds[n], index)
        group = [it for it, w in zip(recipients, where) if lo < w < hi]
        span = items[lo + 1:hi] if amount_first else items[lo + 1:hi + 3]
        if not group or (len(group) > 1 and not any(it.text in EACH for it in span)):
            return None
        groups.append((items[index].value, group))
    if sum(len(group) for _, group in groups) != len(recipients):
        return None
    return groups


def _next_in_list(items: list[Item], at: int) -> Item | None:
    """The item after items[at] past the words that join a list ("and", "&", "plus")."""
    after = at + 1
    while after < len(items) and items[after].kind == "WORD" and items[after].text in (
            "and", "&", "plus"):
        after += 1
    return items[after] if after < len(items) else None


def unknown_name(step: StepReader) -> str | None:
    """A word where a recipient belongs that is nobody Steward knows: "… and dave 5 usdc",
    "between alice and dave"."""
    items = step.items
    for n, it in enumerate(items):
        if it.kind != "WORD" or it.text in SOFT or it.text in EACH or it.text in SHARED:
            continue
        before = items[n - 1] if n else None
        after = items[n + 1] if n + 1 < len(items) else None
        joined = before is not None and before.text in ("and", "between", "among", "amongst")
        listed = after is not None and (after.text in ("and", "&", "plus") or after.kind in (
            "CONTACT", "WALLET", "ADDR"))  # "between alise and bob": a list goes on after it
        if (joined or it.prep in ("to", "for")) and (after is None or after.kind == "AMT"
                                                     or listed):
            return it.text
        if before is not None and before.kind in ("CONTACT", "WALLET", "ADDR") and \
                after is not None and after.text in ("and", "&"):
            return it.text  # "among bob, dave and carol": inside a list of people
    return None


def segment_chains(step: StepReader, recipients: list[Item], chain: str | None) -> list[str] | None:
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


def joined_names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
