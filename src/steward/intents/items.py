"""The parser's small shared pieces: the items the lexer makes and the question it asks.

`Amt` and `Item` (what `steward.intents.lexer` turns words into), `Ask` (raised anywhere in the
parser to answer with a clarification), `dec_text` and the one-slip test `edit1`. Kept apart
from the lexer so the normalising (`normalise`) and the context tables (`tables`) can use them
without importing one another. Pure and offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from steward.intents import Clarification


def dec_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def clarify(question: str, options: list[str] | None = None) -> Clarification:
    return Clarification(question=question, options=list(options or []))


class Ask(Exception):
    """Raised inside the handlers to answer with a clarification."""

    def __init__(self, question: str, options: list[str] | None = None):
        super().__init__(question)
        self.clarification = clarify(question, options)


def edit1(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


@dataclass
class Amt:
    kind: str  # exact | usd | fraction
    value: Decimal
    raw: str
    ref: bool = False  # "of it", "it", "the rest": the previous step's output
    mine: bool = False  # "half my", "all of my"
    token: str | None = None  # the token written right after the amount


@dataclass
class Item:
    kind: str
    value: object = None
    text: str = ""
    prep: str | None = None  # the preposition right before it
    near: str | None = None  # an unknown word one edit from a known token: its symbol
