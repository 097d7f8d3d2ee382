"""Pay per request (x402) over the JSON API: the wallet's payments, its `[payments]` mandate,
paying for a resource within that mandate, and reconciling open payments against the chain.

Everything goes through `steward.service.payments`, which `steward pay` and the MCP server's
`pay_for_resource` call too. A payment the mandate or the guard refuses is a 400 whose message
names the rule (e.g. `payments.merchants`); nothing was signed. Paying and reconciling (which may
cancel an authorization on chain) need the wallet unlocked: a server started without the
passphrase answers 503, like `execute`, before anything is asked of the merchant.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from steward.api.app import _errors, chain_work, require_token
from steward.guard.payment_mandate import PaymentsMandate, merchant_origin
from steward.payments.payer import PaymentOutcome
from steward.service import ServiceError
from steward.service import payments as service_payments
from steward.wallets.passphrase import PASSPHRASE_ENV

MAX_URL_CHARS = 2048

# A payment as listed: the outcome without the resource's body (`POST .../pay` returns that).
PaymentOut = create_model(
    "PaymentOut", __doc__="A payment from the ledger (the resource's body left out).",
    **{name: (field.annotation, field) for name, field in PaymentOutcome.model_fields.items()
       if name != "body"})

WalletQuery = Annotated[str | None, Query(min_length=1, max_length=64, description=(
    "The wallet (the default wallet when left out)."))]


class PayRequest(BaseModel):
    """A resource to fetch, paid for if it answers HTTP 402 and the mandate allows it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"url": "http://127.0.0.1:8402/checks/link?url=https://app.uniswap.org"}]})

    url: str = Field(min_length=1, max_length=MAX_URL_CHARS, description=(
        "An absolute http(s) URL; its origin (scheme://host[:port]) must be a merchant in the "
        "wallet's [payments] mandate for anything to be paid."))
    payment_id: str | None = Field(default=None, min_length=1, max_length=128, description=(
        "Idempotency key (16-128 letters, digits, '-' or '_'): a payment id is never paid twice; "
        "sending it again returns (or finishes) the first payment."))
    wallet: str | None = Field(default=None, min_length=1, max_length=64, description=(
        "The paying wallet (the default wallet when left out)."))

    @field_validator("url")
    @classmethod
    def _absolute_http_url(cls, url: str) -> str:
        merchant_origin(url)  # ValueError (a 422) for anything but an absolute http(s) URL
        return url


router = APIRouter(prefix="/api/payments", tags=["payments"],
                   dependencies=[Depends(require_token)], responses=_errors(401))


def _passphrase(request: Request) -> str:
    passphrase = request.app.state.passphrase or os.environ.get(PASSPHRASE_ENV)
    if not passphrase:  # reading one would prompt on the server's terminal and hang the request
        raise ServiceError("cannot_sign", (
            f"this server cannot sign: start `steward serve` with {PASSPHRASE_ENV} set or in a "
            "terminal, or run `steward pay URL`; nothing was signed"))
    return passphrase


@router.get("", response_model=list[PaymentOut], responses=_errors(400),
            summary="The wallet's x402 payments, newest first")
def list_payments(
    request: Request,
    wallet: WalletQuery = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> list[BaseModel]:
    """Each payment's status (delivered, undelivered, pending, refused, cancelled, expired...),
    amount, merchant, settlement transaction and note. The resources' bodies are left out."""
    with chain_work(request):
        return [PaymentOut(**p.model_dump(exclude={"body"}))
                for p in service_payments.list_payments(wallet, limit)]


@router.get("/mandate", response_model=PaymentsMandate, responses=_errors(400),
            summary="The [payments] table of the wallet's mandate")
def get_mandate(request: Request, wallet: WalletQuery = None) -> PaymentsMandate:
    """Networks, assets, the per-payment cap, how long an authorization may stay valid, and each
    merchant (by origin) with its cap per period and pinned pay_to. USD amounts are micro-dollars.
    A wallet whose mandate has no [payments] table pays no one: a 400 that shows an example."""
    with chain_work(request):
        return service_payments.payments_mandate(wallet)


@router.post("/pay", response_model=PaymentOutcome, responses=_errors(400, 409, 502, 503),
             summary="Fetch a resource, paying for it within the [payments] mandate")
def pay(request: Request, body: Annotated[PayRequest, Body()]) -> PaymentOutcome:
    """GET `url`; on HTTP 402 the guard judges the payment as the transfer it authorizes and
    the wallet signs an EIP-3009 authorization only if the mandate allows it. The answer:
    status `free` (nothing asked), `delivered` (paid, `tx_hash`, the resource in `body`),
    `undelivered` (paid on chain but no resource: the record to claim a refund with),
    `cancelled` / `expired` (never settled), or `pending` (reconcile later). A refusal by the
    mandate is a 409 `denied` naming the rule; nothing was signed."""
    passphrase = _passphrase(request)
    with chain_work(request):
        return service_payments.pay(body.url, passphrase, body.wallet, body.payment_id)


@router.post("/reconcile", response_model=list[PaymentOut], responses=_errors(400, 502, 503),
             summary="Settle every open payment against the chain")
def reconcile(request: Request, wallet: WalletQuery = None) -> list[BaseModel]:
    """Each open payment (signed or pending) ends `delivered`, `undelivered` (paid; the record to
    claim a refund with), or `cancelled` on chain so it can never be settled. Returns those it
    looked at; an empty list when none was open."""
    passphrase = _passphrase(request)
    with chain_work(request):
        return [PaymentOut(**p.model_dump(exclude={"body"}))
                for p in service_payments.reconcile_payments(passphrase, wallet)]


__all__ = ["PayRequest", "PaymentOut", "router"]
