"""The guard for pay-per-request (x402) payments: a payment is judged as the transfer it authorizes.

An x402 "exact" payment on an EVM chain is an EIP-3009 `transferWithAuthorization`: the payer
signs, off-chain, that `amount` of `asset` may move from it to `pay_to`, and the merchant's
facilitator submits it. Whoever submits it, the money moves as if the payer had called
`asset.transfer(pay_to, amount)`; so the guard builds exactly that plan and reviews it like any
other (simulation, the token and recipient checks, the wallet's `[limits]`), then applies the
`[payments]` table: the network, the asset (by address), the merchant (by origin), the merchant's
pinned address, and the per-payment and per-period caps.

The verdict binds the plan's digest; `authorize_payment` is the door the payer's signer passes
through, and it rebuilds the plan from the authorization it is about to sign, so a signature can
only ever cover what the guard judged.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from steward.chains import chain_config, connect
from steward.errors import StewardError
from steward.guard import review
from steward.guard.mandate import Mandate, usd_text
from steward.guard.payment_mandate import PaymentsMandate, merchant_origin
from steward.guard.verdict import GuardRefusal, Verdict, approve, authorize
from steward.journal import Journal
from steward.plans import Plan
from steward.protocols import erc20

# Confirm reasons that naming the merchant in `[payments]` already answers: the owner agreed in
# advance to pay that merchant (within its caps), which is what a first payment asks.
_ANSWERED_BY_LISTING = {"confirm.first_time_recipients"}
# ...and, when the owner also pinned the merchant's address, that the address is a contract.
_ANSWERED_BY_PIN = {"recipient_is_contract"}


class PaymentRefused(StewardError):
    """The guard refused a payment; nothing was signed."""


class PaymentRequest(BaseModel):
    """One payment a merchant asked for, as the payer would authorize it."""

    wallet: str
    payer: str
    url: str  # the resource paid for (its origin is the merchant)
    chain: str  # registry chain name
    asset: str  # token address
    pay_to: str
    amount: int = Field(gt=0)  # base units

    @property
    def merchant(self) -> str:
        return merchant_origin(self.url)


def payment_plan(request: PaymentRequest) -> Plan:
    """The transfer that a signature on this payment would let anyone carry out."""
    chain = chain_config(request.chain)
    w3 = connect(chain)
    token = erc20.token_info(w3, request.asset)
    call = erc20.transfer_call(w3, token, request.pay_to, request.amount,
                               f"x402 payment to {request.merchant}")
    return Plan(chain=chain.name, sender=request.payer, calls=[call],
                summary=f"pay {request.merchant} for {request.url} (x402)")


def check_terms(request: PaymentRequest, payments: PaymentsMandate) -> None:
    """The `[payments]` rules that need no simulation; raises PaymentRefused naming the rule."""
    chain = chain_config(request.chain)
    if chain.name not in payments.networks:
        raise PaymentRefused(f"payments.networks: {chain.name} is not a network this wallet pays "
                             f"on (allowed: {', '.join(payments.networks)}); nothing was signed")
    if not payments.asset_allowed(chain, request.asset):
        raise PaymentRefused(f"payments.assets: {request.asset} on {chain.name} is not an asset "
                             f"this wallet pays in (allowed: {', '.join(payments.assets)}, by "
                             "their registry addresses); nothing was signed")
    origin, rule = payments.merchant(request.url)
    if rule is None:
        listed = ", ".join(payments.merchants) or "none"
        raise PaymentRefused(f"payments.merchants: {origin} is not a merchant this wallet pays "
                             f"(listed: {listed}); nothing was signed")
    if rule.pay_to and rule.pay_to.lower() != request.pay_to.lower():
        raise PaymentRefused(f"payments.merchants.\"{origin}\".pay_to: the merchant asked for "
                             f"payment to {request.pay_to}, but this wallet pays it only at "
                             f"{rule.pay_to}; nothing was signed")


def check_caps(request: PaymentRequest, payments: PaymentsMandate, usd: int,
               merchant_spent_usd: int) -> None:
    """The per-payment and per-period caps, in usd micros as the guard valued the payment."""
    origin, rule = payments.merchant(request.url)
    assert rule is not None  # check_terms ran first
    cap = payments.per_payment_cap(rule)
    if usd > cap:
        raise PaymentRefused(f"payments.max_per_payment_usd: {usd_text(usd)} is above the "
                             f"{usd_text(cap)} a payment this wallet allows for {origin}; "
                             "nothing was signed")
    if merchant_spent_usd + usd > rule.max_per_period_usd:
        raise PaymentRefused(f"payments.merchants.\"{origin}\".max_per_period_usd: "
                             f"{usd_text(merchant_spent_usd)} already paid to {origin} this "
                             f"{rule.period}; {usd_text(usd)} more exceeds its "
                             f"{usd_text(rule.max_per_period_usd)}; nothing was signed")


def review_payment(request: PaymentRequest, payments: PaymentsMandate, *,
                   merchant_spent_usd: int, mandate: Mandate | None = None,
                   journal: Journal | None = None) -> Verdict:
    """The sealed verdict on one payment, or PaymentRefused. `merchant_spent_usd` is what the
    payment ledger says this merchant was paid in the rule's period (the caller holds the
    wallet's budget lock from here until the signed payment is recorded)."""
    check_terms(request, payments)
    journal = journal or Journal()
    verdict = review(payment_plan(request), request.wallet, mandate=mandate, journal=journal)
    if verdict.decision == "deny":
        journal.mark_verdict(verdict.id, "refused")
        raise PaymentRefused(f"denied by the mandate: {verdict.explanation}; nothing was signed")
    try:
        check_caps(request, payments, verdict.usd_outflow, merchant_spent_usd)
    except PaymentRefused:
        journal.mark_verdict(verdict.id, "refused")
        raise
    if verdict.decision == "confirm":
        origin, rule = payments.merchant(request.url)
        answered = _ANSWERED_BY_LISTING | (_ANSWERED_BY_PIN if rule and rule.pay_to else set())
        open_reasons = [r for r in verdict.reasons
                        if r.decision == "confirm" and r.rule not in answered]
        if open_reasons:
            journal.mark_verdict(verdict.id, "refused")
            raise PaymentRefused("a person must approve this payment first ("
                                 + "; ".join(r.message for r in open_reasons)
                                 + "); nothing was signed")
        verdict = approve(verdict, by=f"payments mandate ({origin} is listed)")
    return verdict


def authorize_payment(request: PaymentRequest, verdict: Verdict) -> None:
    """Raise GuardRefusal unless `verdict` lets exactly this payment be signed now."""
    if verdict.wallet != request.wallet:
        raise GuardRefusal("this verdict judged another wallet's payment; nothing was signed")
    authorize(payment_plan(request), verdict)


__all__ = ["PaymentRefused", "PaymentRequest", "authorize_payment", "check_caps", "check_terms",
           "payment_plan", "review_payment"]
