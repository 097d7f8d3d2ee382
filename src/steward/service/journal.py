"""The journal for every face: the guard's verdicts and the transactions Steward signed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from steward.journal import Journal, JournalEntry, VerdictEntry
from steward.service.errors import ServiceError, translated


class JournalOut(BaseModel):
    transactions: list[JournalEntry] = Field(description="Transactions Steward signed, newest "
                                                         "first.")
    verdicts: list[VerdictEntry] = Field(description="The guard's verdicts (executed or not), "
                                                     "newest first.")


@translated
def get_journal(limit: int = 50, wallet: str | None = None) -> JournalOut:
    """The newest `limit` of each, optionally only `wallet`'s."""
    if limit < 1:
        raise ServiceError("invalid_input", f"limit must be at least 1, not {limit}")
    journal = Journal()
    return JournalOut(transactions=journal.entries(limit, wallet),
                      verdicts=journal.verdicts(limit, wallet))


__all__ = ["JournalOut", "get_journal"]
