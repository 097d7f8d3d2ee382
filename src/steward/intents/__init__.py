"""Intents: what a person asked for, typed, before any chain is touched.

The parser (and the optional language-model backend) produce these; the resolver fills what
can be known from the wallet's state (which chain holds the token) or asks; the planner turns
a resolved intent into exact calls. Amounts stay as the person wrote them (Decimal text,
fractions, USD values) until the planner reads the token's decimals from the chain.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from steward import units
from steward.errors import StewardError


class Amount(BaseModel):
    """How much, as said: an exact number of tokens, a USD value, a fraction of the balance
    ("half", "10%", "all"), or a fraction of what the previous step of a sequence produced.

    Every boundary (API JSON, MCP arguments, the model's answer, Python) validates here: the
    value is canonical ASCII decimal text (`steward.units`), exact and usd amounts are above
    zero, fractions above 0 and at most 1. A program may say `{"kind": "percent", "value":
    "10"}` (above 0, at most 100); it is stored as the fraction 0.1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["exact", "usd", "fraction", "previous", "percent"]
    value: str  # Decimal text: tokens for exact, dollars for usd, 0 < f <= 1 for the fractions

    @model_validator(mode="before")
    @classmethod
    def _percent_as_fraction(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "percent":
            value = _checked(data.get("value"))
            if units.is_zero(value) or units.compare(value, 100) > 0:
                raise ValueError(f"{value}% is not a share of a balance: a percentage is above 0 "
                                 "and at most 100")
            return {**data, "kind": "fraction", "value": _percent_to_fraction(value)}
        return data

    @field_validator("value", mode="before")
    @classmethod
    def _canonical(cls, value: Any) -> str:
        return _checked(value)

    @model_validator(mode="after")
    def _in_range(self) -> "Amount":
        value = self.value
        if units.is_zero(value):
            raise ValueError(f"the amount must be above zero, got {value}")
        if self.kind in ("fraction", "previous") and units.compare(value, 1) > 0:
            raise ValueError(f"{value} is not a share of a balance: a fraction is above 0 and at "
                             "most 1 (0.5 is half, 1 is all); for a number of tokens use kind "
                             "exact, for a percentage kind percent")
        return self


def _checked(value: Any) -> str:
    try:
        return units.canonical_amount(value)
    except StewardError as exc:  # pydantic reports ValueError as a validation error
        raise ValueError(str(exc)) from None


def _percent_to_fraction(text: str) -> str:
    """Canonical decimal text divided by 100, exactly: N / 10**k is N / 10**(k + 2)."""
    numerator, denominator = units.ratio(text)
    return units.format_units(numerator, len(str(denominator)) + 1)


class _Intent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    chain: str | None = None  # chain name (canonical) when the person named one
    wallet: str | None = None  # source wallet when named ("from savings")


class Transfer(_Intent):
    action: Literal["transfer"] = "transfer"
    amount: Amount
    token: str  # upper-case symbol; the native coin is its symbol (ETH)
    recipient: str  # a contact name, "wallet NAME" for an own wallet, or a 0x address as written


class Swap(_Intent):
    action: Literal["swap"] = "swap"
    amount: Amount
    token_in: str
    token_out: str
    amount_of: Literal["in", "out"] = "in"  # "buy 1 ETH with USDC": the amount is of token_out


class Bridge(_Intent):
    action: Literal["bridge"] = "bridge"
    amount: Amount
    token: str
    to_chain: str


class Wrap(_Intent):
    action: Literal["wrap"] = "wrap"
    amount: Amount


class Unwrap(_Intent):
    action: Literal["unwrap"] = "unwrap"
    amount: Amount


class Approve(_Intent):
    action: Literal["approve"] = "approve"
    token: str
    spender: str  # "router", "bridge", or a 0x address
    amount: Amount


class Revoke(_Intent):
    action: Literal["revoke"] = "revoke"
    token: str
    spender: str


class Balance(_Intent):
    action: Literal["balance"] = "balance"
    token: str | None = None
    address: str | None = None  # someone else's balance (a contact name or 0x address); None = mine


class Quote(_Intent):
    action: Literal["quote"] = "quote"
    amount: Amount
    token_in: str
    token_out: str


Step = Annotated[Union[Transfer, Swap, Bridge, Wrap, Unwrap, Approve, Revoke, Balance, Quote],
                 Field(discriminator="action")]


class Sequence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["sequence"] = "sequence"
    steps: list[Step]


class Clarification(BaseModel):
    """Steward will not guess: the question to ask, and the options when there are some."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["clarify"] = "clarify"
    question: str
    options: list[str] = []


Intent = Annotated[Union[Transfer, Swap, Bridge, Wrap, Unwrap, Approve, Revoke, Balance, Quote,
                         Sequence], Field(discriminator="action")]
ParseResult = Annotated[Union[Transfer, Swap, Bridge, Wrap, Unwrap, Approve, Revoke, Balance,
                              Quote, Sequence, Clarification], Field(discriminator="action")]


class ParseContext(BaseModel):
    """What the parser may recognise: names only, no balances (those are the resolver's)."""

    chains: dict[str, list[str]]  # canonical name → aliases (lower-case)
    tokens: list[str]  # known symbols, upper-case, including native coins
    native: dict[str, str] = {}  # chain → native symbol
    contacts: list[str] = []
    wallets: list[str] = []
    default_chain: str | None = None
    families: dict[str, str] = {}  # chain → "evm" or "solana": an address fits one family


__all__ = ["Amount", "Approve", "Balance", "Bridge", "Clarification", "Intent", "ParseContext",
           "ParseResult", "Quote", "Revoke", "Sequence", "Step", "Swap", "Transfer", "Unwrap",
           "Wrap"]
