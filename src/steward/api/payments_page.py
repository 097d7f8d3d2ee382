"""The dashboard's "Payments" page: a wallet's x402 payments from the ledger (status, amount,
merchant, settlement transaction, note and the resource received).

Built on `steward.service.payments`; sign-in, headers and templates are the dashboard's. The
merchant's answer (the body, and reasons quoted in notes) is outside text: the template prints
it through Jinja's autoescape and the dashboard's `shown`, never as markup.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from steward.api.dashboard import _chain_work, _login_page, _page, _signed_in, _wallets
from steward.errors import StewardError
from steward.service import as_service_error
from steward.service import payments as service_payments

PAYMENTS_SHOWN = 100
BODY_SHOWN = 4000  # characters of a resource shown on the page (the ledger keeps 64 KiB)
# The dashboard's badge colours: paid and received, waiting, refused or paid without delivery.
BADGES = {"delivered": "status-done", "free": "status-done", "judging": "status-pending",
          "signed": "status-pending", "pending": "status-pending", "refused": "status-denied",
          "undelivered": "status-failed"}

router = APIRouter(include_in_schema=False)


def payment_rows(wallet: str | None) -> tuple[str, list[dict]]:
    """The wallet's name and its payments, newest first, shaped for the page."""
    name = wallet or _wallets()[1]
    rows = []
    for payment in service_payments.list_payments(name, PAYMENTS_SHOWN):
        body = payment.body or ""
        rows.append({"payment": payment, "badge": BADGES.get(payment.status, ""),
                     "body": body[:BODY_SHOWN], "body_chars": len(body),
                     "cut": len(body) > BODY_SHOWN})
    return name, rows


@router.get("/payments", response_class=HTMLResponse)
def payments_page(request: Request, wallet: str = "") -> Response:
    if not _signed_in(request):
        return _login_page(request)
    try:
        with _chain_work(request):
            name, rows = payment_rows(wallet or None)
    except StewardError as exc:
        failure = as_service_error(exc)
        return _page(request, "error.html", failure.status, title="Payments",
                     error=failure.message, signed_in=True, nav="payments")
    return _page(request, "payments.html", wallet=name, rows=rows, signed_in=True,
                 nav="payments")


__all__ = ["payment_rows", "router"]
