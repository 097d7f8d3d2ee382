"""What can go wrong between trading agents; every one is raised before anything is signed."""

from __future__ import annotations

from steward.errors import StewardError


class CommerceError(StewardError):
    """A market action that cannot proceed; the message says why and what is valid."""


class OfferRejected(CommerceError):
    """An offer that is not genuine or no longer valid: forged, wrongly signed, expired,
    replayed, or not the answer to the offer it claims to answer."""


class ForgedOffer(OfferRejected):
    """The signature does not recover to the party the offer names as its proposer."""


class ExpiredOffer(OfferRejected):
    """The offer's validity ended."""


class ReplayedOffer(OfferRejected):
    """This (proposer, nonce) was seen before: an offer is good once."""


class OutsideMandate(CommerceError):
    """The owner's [commerce] mandate does not allow this deal (budget, counterparty, token or
    reputation); nothing was signed, not even the offer."""


class JobMismatch(CommerceError):
    """The job on-chain is not what the agreed offer said."""


__all__ = ["CommerceError", "ExpiredOffer", "ForgedOffer", "JobMismatch", "OfferRejected",
           "OutsideMandate", "ReplayedOffer"]
