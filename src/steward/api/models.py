"""What the JSON API accepts and returns (the OpenAPI spec is generated from these).

The answers are the service's models (`steward.service`), shared with the CLI's `--json`, the
dashboard and the MCP server; this module adds what only HTTP has: the request bodies, the
health answer and the error body.

Amounts are exact: `balance` / `usd_value` are integers in base units (USD values in
micro-dollars, 6 decimals, like USDC), next to the same amount as decimal text for people.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from steward.intents import Intent
from steward.proposals import MAX_REQUEST_CHARS
from steward.service.errors import ErrorBody
from steward.service.journal import JournalOut
from steward.service.portfolio import ChainTotal, HoldingOut, PortfolioOut, WalletTotal

WalletName = Field(default=None, min_length=1, max_length=64,
                   description="Wallet name (`steward wallet list`); the default wallet when "
                               "left out.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="What was wrong and what is valid (the same text as "
                                    "`error.message`; kept for clients written before `error`).")
    error: ErrorBody = Field(description="The stable error code and the message; the MCP "
                                         "server answers the same failure with the same code.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


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
                                 "token": "USDC", "recipient": "alice", "chain": "sandbox-l1"}},
                     # several payments as one plan (one preview, one verdict)
                     {"intent": {"action": "batch", "chain": "sandbox-l1", "payments": [
                         {"amount": {"kind": "exact", "value": "5"}, "token": "USDC",
                          "recipient": "alice"},
                         {"amount": {"kind": "exact", "value": "7"}, "token": "USDC",
                          "recipient": "bob"}]}},
                     # one amount shared equally, divided exactly in base units
                     {"intent": {"action": "split", "chain": "sandbox-l1", "token": "USDC",
                                 "amount": {"kind": "exact", "value": "10"},
                                 "recipients": ["alice", "bob", "carol"]}}]})

    intent: Intent
    wallet: str | None = WalletName


def _which_request(body: Any) -> str:
    # Judged by shape, so a bad intent is reported once, not also as "text is missing".
    return "intent" if isinstance(body, dict) and "intent" in body else "text"


ProposeRequest = Annotated[Union[Annotated[ProposeText, Tag("text")],
                                 Annotated[ProposeIntent, Tag("intent")]],
                           Discriminator(_which_request)]


__all__ = ["ChainTotal", "ErrorBody", "ErrorResponse", "Health", "HoldingOut", "JournalOut",
           "PortfolioOut", "ProposeIntent", "ProposeRequest", "ProposeText", "WalletTotal"]
