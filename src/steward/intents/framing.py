"""The frame around a request, taken off before its words are read.

* A letter's frame: a salutation opening the request ("Dear assistant,", "Hi Steward,") and a
  sign-off closing it ("Best regards,\nSam", "Thanks!\n- Sam") carry no order; the name in a
  sign-off is the writer's, never a recipient. Only the very start and the very end count: a
  vocative in the middle ("… Assistant, please also pay …") stays where the injection check
  sees it.
* A form: lines of `field: value` ("to: bob", "amount: 25 usdc", "chain: l2") are the order
  they spell ("send 25 usdc to bob on l2"); a form with an unknown field is left as written.
* A condition ("if I have more than 100 usdc", "once ETH drops below $2000"): a request runs
  now, once, so an order that waits on a balance or a price is asked about, never done.

Pure functions over the raw text; offline and deterministic.
"""

from __future__ import annotations

import re

from steward.intents.lexer import VERB_ALT

_ORDER_WORD_RE = re.compile(rf"\b(?:{VERB_ALT}|show|check|list|what|how|balance|quote)\b")

_GREETING = r"(?:dear|hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening))"
# "Dear assistant," / "Hi Steward," / "Hello there!" at the very start, up to three words of name.
_SALUTATION_RE = re.compile(
    rf"^\s*{_GREETING}(?:\s+[A-Za-z][\w'-]*){{0,3}}\s*(?:[,!:]+|\n)\s*", re.IGNORECASE)
_CLOSING = (r"(?:best|kind|warm|warmest|many|with)?\s*(?:regards|wishes|thanks|thank you|"
            r"cheers|sincerely|yours(?: truly| sincerely| faithfully)?|best|respectfully|"
            r"all the best|take care|thx|ty)")
# A sign-off on a line of its own (or after a full stop) at the very end, with or without a
# name after it: "\nBest regards,\nSam", ". Thanks, Sam", "\n- Sam".
_SIGN_OFF_RE = re.compile(
    rf"(?:(?<=[.!?])\s+|\s*\n\s*){_CLOSING}\s*[,.!]*\s*(?:\n\s*)?(?:-\s*)?(?:[A-Za-z][\w'-]*"
    rf"(?:\s+[A-Za-z][\w'-]*)?)?\s*[.!]*\s*$|\s*\n\s*-{{1,2}}\s*[A-Za-z][\w'-]*\s*$",
    re.IGNORECASE)

_FIELDS = {"to": "to", "recipient": "to", "payee": "to", "send to": "to", "pay to": "to",
           "amount": "amount", "value": "amount", "sum": "amount",
           "token": "token", "asset": "token", "currency": "token", "coin": "token",
           "chain": "chain", "network": "chain", "on": "chain",
           "from": "from", "wallet": "from", "from wallet": "from"}
_FIELD_RE = re.compile(r"^\s*(?:[-•*]\s*)?([A-Za-z][A-Za-z ]{0,12}?)\s*:\s*(\S.*?)\s*$")


def unframed(text: str) -> str:
    """The request without a letter's salutation and sign-off (the whole text when nothing
    else would be left)."""
    greeting = _SALUTATION_RE.match(text)
    inner = text
    if greeting is not None and not _ORDER_WORD_RE.search(greeting.group(0).lower()):
        inner = text[greeting.end():]  # "Hey send alice, …" is an order, not a salutation
    inner = _SIGN_OFF_RE.sub("", inner, count=1)
    return inner if inner.strip() else text


def form_order(text: str) -> str | None:
    """"to: bob / amount: 25 usdc / chain: l2" → "send 25 usdc to bob on l2", or None when the
    text is not such a form (every line a known field, with at least a recipient and an
    amount)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    fields: dict[str, str] = {}
    for line in lines:
        m = _FIELD_RE.match(line)
        if m is None:
            return None
        name = _FIELDS.get(m.group(1).strip().lower())
        if name is None or name in fields:
            return None  # an unknown or repeated field: not a form Steward can read
        fields[name] = m.group(2).strip().rstrip(".")
    if "to" not in fields or "amount" not in fields:
        return None
    order = f"send {fields['amount']}"
    if "token" in fields:
        order += f" {fields['token']}"
    order += f" to {fields['to']}"
    if "chain" in fields:
        order += f" on {fields['chain']}"
    if "from" in fields:
        order += f" from {fields['from']}"
    return order


# "if I have more than 100 usdc", "once eth drops below 2000", "unless my balance is under 5":
# a comparison the request would wait on. Durations ("if it goes through in under 5 minutes")
# and slippage ("cancel if slippage is above 1%") are terms of a swap, not conditions.
_CONDITION_RE = re.compile(
    r"\b(?:if|when|whenever|once|unless|as soon as|provided(?: that)?|only if|in case)\s+"
    r"(?P<clause>[^,.;]*?\b(?:(?:more|less|fewer|greater|lower|higher) than|at (?:least|most)|"
    r"(?:above|below|over|under|exceeds?|reach(?:es)?|hits?)\s+\$?\d+|drops?|falls?|rises?|dips?|"
    r"goes (?:up|down)|enough)\b[^,.;]*)", re.IGNORECASE)
_NOT_A_CONDITION = re.compile(r"\b(?:slippage|minutes?|mins?|hours?|hrs?|seconds?|secs?|"
                              r"deadline|through|fills?|filled|confirms?|confirmed|lands?)\b",
                              re.IGNORECASE)


def condition(text: str) -> str | None:
    """The words of a condition an order would wait on, or None."""
    for found in _CONDITION_RE.finditer(text):
        if not _NOT_A_CONDITION.search(found.group("clause")):
            return found.group(0).strip()
    return None


__all__ = ["condition", "form_order", "unframed"]
