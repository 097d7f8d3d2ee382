"""The dashboard's "Always on" page: a wallet's standing orders, each observed stablecoin's peg
history with the worker's decisions marked on it, and the recent decisions with their reasons.

Built only on `steward.service.standing` (the worker's store and the orders file); it reads no
chain. Sign-in, headers and templates are the dashboard's (`steward.api.dashboard`); a waiting
decision points to its proposal, where a person approves or rejects it as any other.
"""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from steward.api.charts import MARKED_OUTCOMES, Marker, PegPoint, legend, peg_svg
from steward.api.dashboard import _login_page, _page, _signed_in, _wallets
from steward.errors import StewardError
from steward.service import as_service_error
from steward.service import standing
from steward.service.standing import DecisionOut, OrdersOut, PegPointOut

PEG_POINTS = 2000        # the newest readings charted per stablecoin
DECISIONS_SHOWN = 100    # rows in the table
DECISIONS_MARKED = 500   # the newest decisions looked at for the charts' markers

router = APIRouter(include_in_schema=False)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _mentions(symbol: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9.]){re.escape(symbol)}(?![A-Za-z0-9])", text) is not None


def concerns(symbol: str, decision: DecisionOut, summaries: dict[str, str]) -> bool:
    """Whether a decision belongs on `symbol`'s chart: its reason, or its order's one-line
    summary, names the stablecoin."""
    return _mentions(symbol, decision.reason) or _mentions(
        symbol, summaries.get(decision.order_id, ""))


def peg_view(symbol: str, points: list[PegPointOut], decisions: list[DecisionOut],
             summaries: dict[str, str]) -> dict:
    """One stablecoin's chart and its latest reading, shaped for the page."""
    shown = [PegPoint(_seconds(p.at), p.price, p.problem) for p in points]
    markers = [Marker(_seconds(d.at), d.outcome, d.reason, d.order_id, d.proposal_id)
               for d in decisions
               if d.outcome in MARKED_OUTCOMES and concerns(symbol, d, summaries)]
    latest = points[-1] if points else None
    return {"symbol": symbol, "svg": peg_svg(shown, markers, label=f"{symbol} peg history"),
            "latest": latest, "count": len(points),
            "failed": sum(1 for p in points if p.price is None),
            "marked": sum(1 for m in markers if shown and shown[0].at <= m.at <= shown[-1].at)}


def _orders(wallet: str | None) -> tuple[OrdersOut | None, str | None]:
    try:
        return standing.list_orders(wallet), None
    except StewardError as exc:
        return None, as_service_error(exc).message


def always_on_view(wallet: str | None) -> dict:
    """Everything the page shows; a wallet that cannot be resolved is an error (StewardError),
    an invalid orders file is shown on the page."""
    orders, orders_error = _orders(wallet)
    name = orders.wallet if orders else (wallet or _wallets()[1])
    recent = standing.decisions(name, limit=DECISIONS_MARKED)
    summaries = {o.id: o.summary for o in orders.orders} if orders else {}
    pegs = [peg_view(symbol, standing.peg_history(symbol, limit=PEG_POINTS), recent, summaries)
            for symbol in standing.observed_symbols()]
    return {"wallet": name, "orders": orders, "orders_error": orders_error, "pegs": pegs,
            "decisions": recent[:DECISIONS_SHOWN]}


@router.get("/always-on", response_class=HTMLResponse)
def always_on_page(request: Request, wallet: str = "") -> Response:
    if not _signed_in(request):
        return _login_page(request)
    try:
        view = always_on_view(wallet or None)
    except StewardError as exc:
        failure = as_service_error(exc)
        return _page(request, "error.html", failure.status, title="Always on",
                     error=failure.message, signed_in=True, nav="always-on")
    return _page(request, "always_on.html", view=view, legend=legend(), signed_in=True,
                 nav="always-on")


__all__ = ["always_on_view", "concerns", "peg_view", "router"]
