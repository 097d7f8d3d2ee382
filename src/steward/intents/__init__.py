"""Intents: what a person asked for, typed, before any chain is touched.

The parser (and the optional language-model backend) produce these; the resolver fills what
can be known from the wallet's state (which chain holds the token) or asks; the planner turns
a resolved intent into exact calls. Amounts stay as the person wrote them (Decimal text,
fractions, USD values) until the planner reads the token's decimals from the chain.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class Amount(BaseModel):
    """How much, as said: an exact number of tokens, a USD value, a fraction of the balance
    ("half", "10%", "all"), or a fraction of what the previous step of a sequence produced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["exact", "usd", "fraction", "previous"]
    value: str  # Decimal text: tokens for exact, dollars for usd, 0 < f <= 1 for the fractions


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


__all__ = ["Amount", "Approve", "Balance", "Bridge", "Clarification", "Intent", "ParseContext",
           "ParseResult", "Quote", "Revoke", "Sequence", "Step", "Swap", "Transfer", "Unwrap",
           "Wrap"]
