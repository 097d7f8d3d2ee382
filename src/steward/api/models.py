"""What the JSON API accepts and returns (the OpenAPI spec is generated from these).

Amounts are exact: `balance` / `usd_value` are integers in base units (USD values in
micro-dollars, 6 decimals, like USDC), next to the same amount as decimal text for people.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from steward.intents import Intent
from steward.journal import JournalEntry, VerdictEntry
from steward.proposals import MAX_REQUEST_CHARS

WalletName = Field(default=None, min_length=1, max_length=64,
                   description="Wallet name (`steward wallet list`); the default wallet when "
                               "left out.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="What was wrong and what is valid.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class HoldingOut(BaseModel):
    wallet: str
    address: str
    chain: str
    symbol: str
    token: str | None = Field(description="The token contract; null for the native coin.")
    decimals: int
    balance: int = Field(description="Exact balance in the token's base units.")
    amount: str = Field(description="The balance with the decimals applied, exact.")
    usd_value: int | None = Field(description="USD value in micro-dollars (6 decimals) from the "
                                              "chain's pools; null when no pool prices it.")
    usd: str | None = Field(description="The USD value as decimal text.")


class WalletTotal(BaseModel):
    wallet: str
    address: str
    usd_value: int = Field(description="Micro-dollars, summed over every chain.")
    usd: str


class ChainTotal(BaseModel):
    chain: str
    usd_value: int = Field(description="Micro-dollars, summed over the wallets shown.")
    usd: str


class PortfolioOut(BaseModel):
    holdings: list[HoldingOut]
    wallets: list[WalletTotal]
    chains: list[ChainTotal]
    total_usd_value: int = Field(description="Micro-dollars over everything shown.")
    total_usd: str
    unpriced: list[str] = Field(description="Non-zero holdings no pool prices (not in totals), "
                                            "as 'SYMBOL on CHAIN'.")
    errors: dict[str, str] = Field(description="Chain → why it could not be read; the other "
                                               "chains are still shown.")


class ProposeText(BaseModel):
    """A request in plain words."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "send 5 USDC to alice on l1"}]})

    text: str = Field(min_length=1, max_length=MAX_REQUEST_CHARS,
                      description="What to do, e.g. 'swap 10 USDC for ETH on l1'.")
    wallet: str | None = WalletName


class ProposeIntent(BaseModel):
    """A structured intent (the same types the parser produces; see docs/intents.md)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"intent": {"action": "transfer", "amount": {"kind": "exact", "value": "5"},
                                 "token": "USDC", "recipient": "alice", "chain": "sandbox-l1"}}]})

    intent: Intent
    wallet: str | None = WalletName


def _which_request(body: Any) -> str:
    # Judged by shape, so a bad intent is reported once, not also as "text is missing".
    return "intent" if isinstance(body, dict) and "intent" in body else "text"


ProposeRequest = Annotated[Union[Annotated[ProposeText, Tag("text")],
                                 Annotated[ProposeIntent, Tag("intent")]],
                           Discriminator(_which_request)]


class JournalOut(BaseModel):
    transactions: list[JournalEntry] = Field(description="Transactions Steward signed, newest "
                                                         "first.")
    verdicts: list[VerdictEntry] = Field(description="The guard's verdicts, newest first.")


__all__ = ["ChainTotal", "ErrorResponse", "Health", "HoldingOut", "JournalOut", "PortfolioOut",
           "ProposeIntent", "ProposeRequest", "ProposeText", "WalletTotal"]
