"""EIP-712 signed offers and counter-offers between agents.

An offer proposes a job on the chain's JobEscrow: who does it (provider), who judges it
(evaluator), what it pays (token, price in base units, the evaluator's fee in basis points), the
job's deadline (`expiresAt` on-chain) and the spec's hash. It is signed by its proposer (the client
or the provider) under the domain {name "Steward Market", version "1", chainId, verifyingContract =
the JobEscrow}, so a signature is good for one escrow on one chain only. `expiry` bounds how long
the offer may be accepted; `nonce` makes it good once; a counter-offer names the offer it answers
by that offer's EIP-712 digest in `previous`.

Signing and checking are offline; an `OfferBook` is what one agent remembers: the nonces it has
used and the (proposer, nonce) pairs it has seen, so a replayed offer is refused.
"""

from __future__ import annotations

import re
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import is_checksum_address, keccak
from pydantic import BaseModel, ConfigDict, Field, field_validator

from steward.commerce.errors import ExpiredOffer, ForgedOffer, OfferRejected, ReplayedOffer

DOMAIN_NAME = "Steward Market"
DOMAIN_VERSION = "1"
ZERO_HASH = "0x" + "00" * 32
MAX_EVALUATOR_FEE_BPS = 1000  # JobEscrow's own limit
HASH32 = re.compile(r"^0x[0-9a-f]{64}$")
SIGNATURE = re.compile(r"^0x[0-9a-f]{130}$")

OFFER_TYPES = {
    "Offer": [
        {"name": "proposer", "type": "address"},
        {"name": "client", "type": "address"},
        {"name": "provider", "type": "address"},
        {"name": "evaluator", "type": "address"},
        {"name": "token", "type": "address"},
        {"name": "price", "type": "uint256"},
        {"name": "evaluatorFeeBps", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
        {"name": "specHash", "type": "bytes32"},
        {"name": "expiry", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "previous", "type": "bytes32"},
    ]
}


def _checksummed(value: Any) -> str:
    if not isinstance(value, str) or not is_checksum_address(value):
        raise ValueError(f"must be an EIP-55 checksummed address, got {value!r}")
    return value


def _hash32(value: Any) -> str:
    if not isinstance(value, str) or not HASH32.match(value.lower()):
        raise ValueError(f"must be 0x and 64 hex digits, got {value!r}")
    return value.lower()


class MarketDomain(BaseModel):
    """Where an offer is valid: one chain, one escrow."""

    model_config = ConfigDict(frozen=True)

    chain_id: int = Field(gt=0)
    escrow: str

    _escrow = field_validator("escrow")(classmethod(lambda cls, v: _checksummed(v)))

    def as_eip712(self) -> dict[str, Any]:
        return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": self.chain_id,
                "verifyingContract": self.escrow}


class Offer(BaseModel):
    """The terms. Money is in the token's base units; times are unix seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    proposer: str
    client: str
    provider: str
    evaluator: str
    token: str
    price: int = Field(gt=0, lt=2**256)
    evaluator_fee_bps: int = Field(ge=0, le=MAX_EVALUATOR_FEE_BPS)
    deadline: int = Field(gt=0, lt=2**256)
    spec_hash: str
    expiry: int = Field(gt=0, lt=2**256)
    nonce: int = Field(ge=0, lt=2**256)
    previous: str = ZERO_HASH

    _addresses = field_validator("proposer", "client", "provider", "evaluator", "token")(
        classmethod(lambda cls, v: _checksummed(v)))
    _hashes = field_validator("spec_hash", "previous")(classmethod(lambda cls, v: _hash32(v)))

    @property
    def is_counter(self) -> bool:
        return self.previous != ZERO_HASH

    def message(self) -> dict[str, Any]:
        return {
            "proposer": self.proposer, "client": self.client, "provider": self.provider,
            "evaluator": self.evaluator, "token": self.token, "price": self.price,
            "evaluatorFeeBps": self.evaluator_fee_bps, "deadline": self.deadline,
            "specHash": bytes.fromhex(self.spec_hash[2:]), "expiry": self.expiry,
            "nonce": self.nonce, "previous": bytes.fromhex(self.previous[2:]),
        }

    def same_job_as(self, other: "Offer") -> bool:
        """Same parties, token and spec: what a counter-offer may not change."""
        keys = ("client", "provider", "evaluator", "token", "spec_hash")
        return all(getattr(self, k) == getattr(other, k) for k in keys)


class SignedOffer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    offer: Offer
    signature: str

    @field_validator("signature")
    @classmethod
    def _signature(cls, value: Any) -> str:
        if not isinstance(value, str) or not SIGNATURE.match(value.lower()):
            raise ValueError("must be 0x and 130 hex digits (r, s, v)")
        return value.lower()


def _signable(offer: Offer, domain: MarketDomain):
    return encode_typed_data(full_message={
        "types": {"EIP712Domain": [
            {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
        ]} | OFFER_TYPES,
        "primaryType": "Offer",
        "domain": domain.as_eip712(),
        "message": offer.message(),
    })


def offer_digest(offer: Offer, domain: MarketDomain) -> str:
    """The EIP-712 digest: what is signed, and the id a counter-offer names in `previous`."""
    signable = _signable(offer, domain)
    return "0x" + keccak(b"\x19" + signable.version + signable.header + signable.body).hex()


def sign_offer(offer: Offer, account: LocalAccount, domain: MarketDomain) -> SignedOffer:
    if account.address != offer.proposer:
        raise OfferRejected(f"an offer proposed by {offer.proposer} cannot be signed by "
                            f"{account.address}")
    signed = account.sign_message(_signable(offer, domain))
    return SignedOffer(offer=offer, signature="0x" + bytes(signed.signature).hex())


def recover_signer(signed: SignedOffer, domain: MarketDomain) -> str | None:
    try:
        return Account.recover_message(_signable(signed.offer, domain), signature=signed.signature)
    except Exception:  # malformed r/s/v: no signer at all
        return None


class OfferBook:
    """One agent's memory of offers: its own next nonce and every (proposer, nonce) seen."""

    def __init__(self) -> None:
        self._next = 0
        self._seen: set[tuple[str, int]] = set()

    def next_nonce(self) -> int:
        nonce, self._next = self._next, self._next + 1
        return nonce

    @property
    def used(self) -> int:
        """How many nonces this agent has spent on its own offers."""
        return self._next

    def seen(self, proposer: str, nonce: int) -> bool:
        return (proposer.lower(), nonce) in self._seen

    def check(self, signed: SignedOffer, domain: MarketDomain, now: int) -> Offer:
        """The offer if it is genuine, valid now and new; else an OfferRejected saying why.
        Only a genuine offer's nonce is remembered, so a forgery cannot burn a real one."""
        offer = signed.offer
        if offer.proposer not in (offer.client, offer.provider):
            raise ForgedOffer(f"the offer's proposer {offer.proposer} is neither its client nor "
                              "its provider")
        signer = recover_signer(signed, domain)
        if signer != offer.proposer:
            raise ForgedOffer(f"the signature does not belong to the proposer {offer.proposer} "
                              f"(it recovers to {signer or 'no address'}); refused")
        if offer.expiry <= now:
            raise ExpiredOffer(f"the offer expired at {offer.expiry} (now {now}); ask for a new one")
        key = (offer.proposer.lower(), offer.nonce)
        if key in self._seen:
            raise ReplayedOffer(f"nonce {offer.nonce} of {offer.proposer} was already used; "
                                "an offer is good once")
        self._seen.add(key)
        return offer

    def remember_own(self, signed: SignedOffer) -> None:
        self._seen.add((signed.offer.proposer.lower(), signed.offer.nonce))


def check_counter(counter: Offer, original: Offer, domain: MarketDomain) -> None:
    """A counter-offer must answer `original` (by digest), come from the other party and keep
    the parties, token and spec."""
    if counter.previous != offer_digest(original, domain):
        raise OfferRejected("the counter-offer does not answer this offer (its `previous` is "
                            f"{counter.previous}, not {offer_digest(original, domain)})")
    if counter.proposer == original.proposer:
        raise OfferRejected("a counter-offer must come from the other party")
    if not counter.same_job_as(original):
        raise OfferRejected("a counter-offer may change the price, deadline, evaluator fee and "
                            "expiry, never the parties, the token or the spec")


def spec_hash(canonical: bytes) -> str:
    return "0x" + keccak(canonical).hex()


__all__ = ["DOMAIN_NAME", "DOMAIN_VERSION", "MarketDomain", "Offer", "OfferBook", "SignedOffer",
           "ZERO_HASH", "check_counter", "offer_digest", "recover_signer", "sign_offer",
           "spec_hash"]
