"""Plans: ordered contract calls on one chain, each with a one-line description for people.

A plan is what the guard judges and what execution signs; it carries everything needed to
rebuild each transaction exactly, and nothing else.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Call(BaseModel):
    """One transaction to send: `to` None deploys `data` as a contract."""

    to: str | None
    data: str = "0x"
    value: int = Field(default=0, ge=0)
    description: str
    gas_hint: int = 200_000  # for the up-front affordability check, before estimates are possible


class Plan(BaseModel):
    chain: str
    sender: str
    calls: list[Call]
    summary: str


__all__ = ["Call", "Plan"]
