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
    # What the person said about how: a venue they named ("on uniswap": an adapter name such as
    # "uniswap-v3", or a family such as "uniswap" meaning any of its versions), the slippage
    # they accept ("with 1% slippage": 100 basis points) and how long the order may wait
    # ("within 10 minutes"). None: Steward's defaults (the best venue, the default slippage,
    # the default deadline); the mandate caps all of them either way.
    venue: str | None = None
    slippage_bps: int | None = Field(default=None, ge=0, le=10_000)
    deadline_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)


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
    """A question about a swap, never an order: "estimate swapping 1 ETH to USDC", "how much
    USDT to receive 35.85 USDC" (amount_of "out": the amount is what would be received)."""

    action: Literal["quote"] = "quote"
    amount: Amount
    token_in: str
    token_out: str
    amount_of: Literal["in", "out"] = "in"
    venue: str | None = None


class Payment(BaseModel):
    """One line of a batch: how much of which token to whom (recipient as in Transfer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Amount
    token: str
    recipient: str


class Batch(_Intent):
    """Several transfers from one wallet on one chain, as one plan: one preview, one verdict
    ("send 5 usdc to alice and 5 usdc to bob", "pay alice 5 and bob 7 USDC")."""

    action: Literal["batch"] = "batch"
    payments: list[Payment] = Field(min_length=2)


class Split(_Intent):
    """One amount shared equally ("split 10 USDC between alice and bob"): the planner divides
    it exactly in base units and gives the indivisible remainder, one base unit each, to the
    first recipients, so exactly the amount leaves and the plan states who got the extra."""

    action: Literal["split"] = "split"
    amount: Amount
    token: str
    recipients: list[str] = Field(min_length=2)

    @field_validator("recipients")
    @classmethod
    def _distinct(cls, recipients: list[str]) -> list[str]:
        if len({r.lower() for r in recipients}) != len(recipients):
            raise ValueError("a recipient is named twice: each shares once")
        return recipients


Step = Annotated[Union[Transfer, Swap, Bridge, Wrap, Unwrap, Approve, Revoke, Balance, Quote,
                       Batch, Split], Field(discriminator="action")]


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
                         Batch, Split, Sequence], Field(discriminator="action")]
ParseResult = Annotated[Union[Transfer, Swap, Bridge, Wrap, Unwrap, Approve, Revoke, Balance,
                              Quote, Batch, Split, Sequence, Clarification],
                        Field(discriminator="action")]


class ParseContext(BaseModel):
    """What the parser may recognise: names only, no balances (those are the resolver's)."""

    chains: dict[str, list[str]]  # canonical name → aliases (lower-case)
    tokens: list[str]  # known symbols, upper-case, including native coins
    native: dict[str, str] = {}  # chain → native symbol
    contacts: list[str] = []
    wallets: list[str] = []
    default_chain: str | None = None
    families: dict[str, str] = {}  # chain → "evm" or "solana": an address fits one family
    # Registry token addresses per chain: chain → {lower-case 0x… (or base58 mint) → symbol}. A
    # person who pastes a token's contract address means that token on that chain; an address
    # not here is asked about, never looked up by what the contract says it is.
    token_addresses: dict[str, dict[str, str]] = {}
    # Venues Steward has adapters for: name ("uniswap-v3") → words people use for it.
    venues: dict[str, list[str]] = {}


__all__ = ["Amount", "Approve", "Balance", "Batch", "Bridge", "Clarification", "Intent",
           "ParseContext", "ParseResult", "Payment", "Quote", "Revoke", "Sequence", "Split", "Step",
           "Swap", "Transfer", "Unwrap", "Wrap"]
