"""The token report's models: what `token_report` returns and what its parts hand each other."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Severity = Literal["danger", "caution", "info"]
Verdict = Literal["safe", "caution", "danger"]

class Field(BaseModel):
    """One report field: its value, how it was established, and whether it is a risk."""

    value: Any = None
    method: str = "not established"
    flagged: bool = False
    detail: str | None = None


class Evidence(BaseModel):
    """What was done and what it did: the grounds of a finding, in the report's words."""

    call: str  # the call or simulated trade, arguments in words
    caller: str  # who made it (an address, or a role such as "a fresh buyer")
    effect: str  # what it did to holders, the pool or the supply


class Finding(BaseModel):
    field: str
    severity: Severity
    reason: str
    method: str
    evidence: list[Evidence] = []


class Holder(BaseModel):
    address: str
    balance: int
    share: float  # of total supply (or of LP supply for LP holders)
    kind: str  # "eoa", "contract", "pool", "burn", "owner", "creator"


class PoolReport(BaseModel):
    pair: str
    quote_symbol: str
    quote_token: str
    token_reserve: int
    quote_reserve: int
    liquidity_usd: float | None
    lp_total_supply: int
    lp_holders: list[Holder]
    lp_burned_share: float
    lp_owner_share: float  # held by the token's owner or creator


class CreatorToken(BaseModel):
    address: str
    symbol: str
    verdict: Verdict | Literal["unrated"]
    reason: str


class TokenReport(BaseModel):
    chain: str
    token: str
    symbol: str
    name: str
    decimals: int
    total_supply: int
    fields: dict[str, Field]
    holders: list[Holder]
    holder_count: int
    pools: list[PoolReport]
    creator_tokens: list[CreatorToken]
    findings: list[Finding]
    score: int
    verdict: Verdict
    reasons: list[str]
    notes: list[str]  # caps and limits of what was looked at
    method: str
    elapsed_s: float

    def flagged(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.flagged}

    def value(self, name: str) -> Any:
        return self.fields[name].value


FIELD_NAMES = [
    "is_honeypot", "cannot_buy", "buy_tax", "sell_tax", "transfer_tax", "cannot_sell_all",
    "balance_inconsistent", "is_mintable", "owner_change_balance", "hidden_owner",
    "can_take_back_ownership", "is_blacklisted", "is_whitelisted", "transfer_pausable",
    "trading_cooldown", "slippage_modifiable", "is_anti_whale", "anti_whale_modifiable",
    "is_proxy", "selfdestruct", "external_call", "owner_address", "owner_renounced",
    "owner_percent", "creator_address", "creator_percent", "top10_holder_percent",
    "liquidity_usd", "is_in_dex", "owner_can_move_holder_tokens", "owner_can_drain_pool",
]
# GoPlus's leak category, and the two ways of taking what holders have that GoPlus has no term
# for: the owner moving holders' tokens, and the owner emptying the pool.
LEAK_FIELDS = ("owner_change_balance", "can_take_back_ownership", "owner_can_move_holder_tokens",
               "owner_can_drain_pool")

