"""Planning: explicit actions → exact plans (`builders`), and requests → plans (`requests`).

`Call` and `Plan` live in `steward.plans`, below the protocol adapters that build calls; they are
re-exported here for callers that plan.
"""

from __future__ import annotations

from steward.plans import Call, Plan

__all__ = ["Call", "Plan"]
