"""Agents that trade with agents: signed offers, escrowed jobs, evaluators, reputation, pools.

See docs/commerce.md. `Agent` (agent.py) is the entry point; every on-chain step it takes is
judged by the guard under its wallet's mandate and signed only by the executor.
"""

from steward.commerce.agent import Agent, AgentCard, MarketEvent
from steward.commerce.errors import (
    CommerceError,
    ExpiredOffer,
    ForgedOffer,
    JobMismatch,
    OfferRejected,
    OutsideMandate,
    ReplayedOffer,
)
from steward.commerce.mandate import CommerceMandate, load_commerce_mandate
from steward.commerce.market import Market
from steward.commerce.offers import MarketDomain, Offer, OfferBook, SignedOffer
from steward.commerce.work import Deliverable, Spec

__all__ = [
    "Agent", "AgentCard", "CommerceError", "CommerceMandate", "Deliverable", "ExpiredOffer",
    "ForgedOffer", "JobMismatch", "Market", "MarketDomain", "MarketEvent", "Offer", "OfferBook",
    "OfferRejected", "OutsideMandate", "ReplayedOffer", "SignedOffer", "Spec",
    "load_commerce_mandate",
]
