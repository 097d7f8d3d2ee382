"""Requests that ask about an action instead of ordering it.

* A hypothetical ("if I approve the router for 50 USDC, what will happen?", "what happens if I
  send 5 USDC to bob", "suppose I bridge 100 USDC to l2, …", "if I were to wrap 1 ETH",
  "would approving the router be risky?") is a question: a swap asked about this way is a
  quote (read-only), and any other action is asked back, never done. The question offers the
  order in words, to be said if it is wanted.
* Advice asked for ("should I …", "is it safe to …", "…, is that safe?", "would it be wise")
  is a question anywhere in the request, even after an order: nothing is done.

A courtesy that is a condition on the listener ("if you can, send 5 USDC to bob", "if possible,
…") is neither: the person is not the one acting in it, so the order stands.

Pure functions over the prepared (lower-case) text; offline and deterministic.
"""

from __future__ import annotations

import re

from steward.intents import (Amount, Approve, Batch, Bridge, Revoke, Split, Transfer, Unwrap,
                             Wrap)
from steward.intents.lexer import VERB_ALT

# Past forms of the action verbs ("if I sent …", "if I approved …").
_PAST = ("sent|paid|transferred|gave|given|tipped|donated|forwarded|handed|repaid|refunded|"
         "settled|moved|swapped|traded|exchanged|sold|dumped|converted|bought|purchased|"
         "bridged|wrapped|unwrapped|approved|allowed|authorized|authorised|granted|permitted|"
         "revoked|deposited|withdrew|shared|distributed")
_ACT = rf"(?:{VERB_ALT}|{_PAST})"
_GERUND = "|".join(verb for verb in VERB_ALT.split("|") if verb.endswith("ing"))
# Words between "if I" and the verb that keep it the person's own action ("if I just send").
_BETWEEN = (r"(?:(?:just|now|then|also|actually|really|accidentally|mistakenly|instead|"
            r"go ahead and|went ahead and|did|do|try to|tried to|decide to|decided to|want to|"
            r"wanted to|choose to|chose to)\s+)*")
_HYPOTHETICAL_RE = re.compile(
    r"\bhypothetical(?:ly)?\b|\bin theory\b|\btheoretically\b|\bwhat if\b"
    r"|\bif (?:i|we|you) (?:were|was) to\b"
    rf"|\bif (?:i|we) {_BETWEEN}{_ACT}\b"
    rf"|\b(?:thinking (?:of|about)|considering|contemplating) (?:{_GERUND})\b"
    r"|(?:^|[.!?;,:]\s*|\band\s+)(?:so\s+|ok\s+|okay\s+|now\s+|but\s+)?(?:suppose|supposing|"
    r"imagine|assume|assuming|pretend|(?:let's|lets|let us)\s+(?:say|suppose|assume|imagine|"
    r"pretend)|say)\b,?\s+(?:that\s+)?(?:if\s+)?(?:i|we)\b"
    rf"|(?:^|[.!?;,]\s*)(?:would|will|could|might|wouldn't|won't|is|isn't)\s+(?:(?:it|that)\s+)?"
    rf"(?:{_GERUND})\b")
# "what will happen", "what happens", "what's going to happen": hypothetical with "if/when I".
_HAPPEN_RE = re.compile(r"\bwhat(?:'s|\s+is|\s+will|\s+would|\s+could|\s+might|\s+may|\s+does)?"
                        r"(?:\s+(?:then|next|exactly))?(?:\s+going\s+to)?\s+happens?\b")
_IF_I_RE = re.compile(r"\b(?:if|when|once|after)\s+(?:i|we)\b")
_ADVICE_RE = re.compile(
    r"\b(?:should|shall)\s+(?:i|we)\b|\b(?:good|bad|smart|wise)\s+(?:idea|move)\b"
    r"|\b(?:is|isn't|would|wouldn't|will|could|was)\s+(?:it|that|this)\s+(?:be\s+)?(?:safe|wise|"
    r"smart|risky|dangerous|sensible|ok|okay|alright|fine|a mistake|too risky|worth it)\b"
    r"|\bbe\s+(?:safe|wise|smart|risky|dangerous|sensible|a mistake)\b")


def hypothetical(text: str) -> str | None:
    """The words that make the request a hypothetical about an action, or None."""
    found = _HYPOTHETICAL_RE.search(text)
    if found is not None:
        return found.group(0).strip(" .!?;,:")
    for happen in _HAPPEN_RE.finditer(text):
        # asked on its own ("…, what happens?") or about "if/when I …"; never "tell me what
        # happens" after an order, which asks for a report
        if _IF_I_RE.search(text) or re.search(r"(?:^|[.!?;,:]|\b(?:and|so|but))\s*$",
                                              text[:happen.start()]):
            return happen.group(0).strip()
    return None


# Past forms of the actions that are not trades ("if I sent him 5 usdc"): not read as verbs.
_DONE_RE = re.compile(r"\b(?:sent|paid|gave|given|transferred|tipped|donated|forwarded|handed|"
                      r"repaid|refunded|bridged|moved|wrapped|unwrapped|approved|authorized|"
                      r"authorised|granted|revoked|deposited|withdrew)\b")


def names_an_action(text: str) -> bool:
    """Whether the text says a past form of an action that is not a trade."""
    return bool(_DONE_RE.search(text))


def advice_asked(text: str) -> str | None:
    """The words that ask for advice about an action ("should I", "is that safe"), or None."""
    found = _ADVICE_RE.search(text)
    return found.group(0).strip() if found else None


def not_done(said: str, order: object | None) -> str:
    """The question for a hypothetical action: nothing is done, and the order is offered."""
    offer = as_order(order) if order is not None else None
    how = (f"say so as an order: '{offer}'" if offer else
           "say it as an order (for example 'send 5 USDC to alice')")
    return (f"That is a hypothetical question ('{said}'), so nothing will be done: Steward does "
            f"not act on a hypothetical. If you want it done, {how}.")


def _amount(amount: Amount, token: str) -> str | None:
    value = amount.value
    if amount.kind == "exact":
        return f"{value} {token}"
    if amount.kind == "usd":
        return f"${value} of {token}"
    if amount.kind == "fraction":
        if value == "1":
            return f"all my {token}"
        if value == "0.5":
            return f"half my {token}"
        return f"{(float(value) * 100):g}% of my {token}"
    return None  # "half of it": only meaningful after a previous step


def _party(name: str) -> str:
    return f"my {name[len('wallet '):]} wallet" if name.startswith("wallet ") else name


def _spender(spender: str) -> str:
    if spender in ("router", "bridge"):
        return f"the {spender}"
    if spender.startswith("0x"):
        return spender
    return f"the {spender.replace('-', ' ')} router"  # "uniswap-v2": that venue's router


def _where(intent: object) -> str:
    chain, wallet = getattr(intent, "chain", None), getattr(intent, "wallet", None)
    return (f" on {chain}" if chain else "") + (f" from {wallet}" if wallet else "")


def as_order(intent: object) -> str | None:
    """The intent said back as an order Steward reads the same way, or None when it has no
    short form (a step that points at a previous one)."""
    if isinstance(intent, Transfer):
        amount = _amount(intent.amount, intent.token)
        return amount and f"send {amount} to {_party(intent.recipient)}{_where(intent)}"
    if isinstance(intent, Bridge):
        amount = _amount(intent.amount, intent.token)
        source = f" from {intent.chain}" if intent.chain else ""
        return amount and f"bridge {amount}{source} to {intent.to_chain}"
    if isinstance(intent, (Wrap, Unwrap)):
        unwrap = isinstance(intent, Unwrap)
        amount = _amount(intent.amount, "WETH" if unwrap else "ETH")
        return amount and f"{'unwrap' if unwrap else 'wrap'} {amount}{_where(intent)}"
    if isinstance(intent, Approve):
        amount = _amount(intent.amount, intent.token)
        return amount and f"approve {_spender(intent.spender)} to spend {amount}{_where(intent)}"
    if isinstance(intent, Revoke):
        return f"revoke {intent.token} allowance for {_spender(intent.spender)}{_where(intent)}"
    if isinstance(intent, Batch):
        payments = [_amount(p.amount, p.token) for p in intent.payments]
        if None in payments:
            return None
        said = " and ".join(f"{amount} to {_party(p.recipient)}"
                            for amount, p in zip(payments, intent.payments))
        return f"send {said}{_where(intent)}"
    if isinstance(intent, Split):
        amount = _amount(intent.amount, intent.token)
        names = [_party(r) for r in intent.recipients]
        people = ", ".join(names[:-1]) + f" and {names[-1]}"
        return amount and f"split {amount} between {people}{_where(intent)}"
    return None


__all__ = ["advice_asked", "as_order", "hypothetical", "names_an_action", "not_done"]
