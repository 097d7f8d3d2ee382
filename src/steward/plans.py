"""Plans: ordered contract calls on one chain, each with a one-line description for people.

A plan is what the guard judges and what execution signs; it carries everything needed to
rebuild each transaction exactly, and nothing else.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class AccountRef(BaseModel):
    """An account a Solana instruction reads or writes (base58, case-sensitive)."""

    pubkey: str
    signer: bool = False
    writable: bool = False


class Call(BaseModel):
    """One transaction to send: `to` None deploys `data` as a contract.

    On a Solana chain a call is one instruction: `to` is the program, `data` its instruction
    data in hex, `accounts` the accounts it names; the plan's calls are signed as ONE
    transaction (all or nothing) with the sender paying the fee."""

    to: str | None
    data: str = "0x"
    value: int = Field(default=0, ge=0)
    description: str
    gas_hint: int = 200_000  # for the up-front affordability check, before estimates are possible
    accounts: list[AccountRef] = []


class Plan(BaseModel):
    chain: str
    sender: str
    calls: list[Call]
    summary: str


__all__ = ["AccountRef", "Call", "Plan"]
