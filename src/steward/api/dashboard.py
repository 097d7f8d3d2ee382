"""The dashboard: plain server-rendered pages for a person, served by `steward serve`.

A person signs in once with the service token (`/login?token=…` or the form); the browser then
holds an HttpOnly, SameSite=Strict cookie with a random session id, never the token itself;
the server keeps its live sessions, and signing out (or a restart) ends one for good. Pages
read the portfolio, the proposals, the journal and due-diligence checks; the only way to move
money is a proposal, and a pending one moves only after a person presses Approve here (or runs
`steward approve`). Every POST must also come from this origin (Origin/Referer), and the pages
forbid framing, so another site can neither forge nor overlay an Approve click.

The including app provides `app.state.token`, `app.state.passphrase` (None: the server's
STEWARD_PASSPHRASE) and `app.state.chain_lock` (one thread at a time does chain work).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from steward import chains as chain_registry
from steward import service
from steward.display import visible
from steward.errors import StewardError
from steward.portfolio import USD_DECIMALS
from steward.proposals import Proposal
from steward.service import PortfolioOut, as_service_error
from steward.units import format_units
from steward.wallets.passphrase import PASSPHRASE_ENV

SESSION_COOKIE = "steward_session"
SESSION_SECONDS = 12 * 3600
APPROVER = "dashboard"
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".js": "text/javascript"}
CHECK_KINDS = ("url", "address", "token")
CHART_BARS = 12
# The approve buttons must never be framed by another site, and nothing but our own CSS loads.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


# ---- presentation helpers (also Jinja filters) ------------------------------------------------

def usd(micros: int | None) -> str:
    return "—" if micros is None else "$" + format_units(micros, USD_DECIMALS, places=2)


def amount(base_units: int, decimals: int, places: int | None = None) -> str:
    if places is not None and base_units and abs(base_units) < 10 ** max(decimals - places, 0):
        places = None  # a dust balance is shown exactly rather than as 0.0000
    return format_units(base_units, decimals, places)


def signed_amount(delta: int, decimals: int) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "") + format_units(abs(delta), decimals)


def utc(moment: datetime | str | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def intent_parts(intent: Any, prefix: str = "") -> list[tuple[str, str]]:
    """An intent as (field, value) pairs a person can read; empty fields left out."""
    if not isinstance(intent, dict):
        return [(prefix or "intent", str(intent))]
    parts: list[tuple[str, str]] = []
    for key, value in intent.items():
        name = f"{prefix}{key}"
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, dict) and value.get("kind") == "exact" and "value" in value:
            parts.append((name, str(value["value"])))
        elif isinstance(value, dict):
            parts.append((name, ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)))
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value, 1):
                parts.extend(intent_parts(item, f"{name} {index} · "))
        else:
            parts.append((name, str(value)))
    return parts


_SHOWN_CHAR = re.compile(r"<(U\+[0-9A-F]{4,6})>")


def shown(value: Any) -> Any:
    """Jinja's finalize: every value a page prints, with control, bidi and zero-width characters
    made visible (`<U+202E>`) before autoescape; request text, names, symbols and error messages
    are outside text, and an override character would reorder what follows it on the page."""
    if isinstance(value, Markup):  # already escaped HTML (e.g. from |join): escape the form too
        return Markup(_SHOWN_CHAR.sub(r"&lt;\1&gt;", visible(str(value), multiline=True)))
    if isinstance(value, str):
        return visible(value, multiline=True)
    return value


templates.env.finalize = shown
templates.env.filters.update(usd=usd, amount=amount, signed_amount=signed_amount, utc=utc)
templates.env.globals.update(intent_parts=intent_parts)


# ---- sign-in and request checks ---------------------------------------------------------------

def _sessions(request: Request) -> dict[str, float]:
    """This server's live sessions: sha256(cookie) → expiry (epoch seconds). Only the digest is
    kept, so a look-up's timing says nothing about a valid cookie."""
    return request.app.state.sessions  # made empty by create_app: a restart ends every session


def _session_key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def _new_session(request: Request) -> str:
    """A random session id for the cookie (not derived from the token, so signing out — or a
    restart — ends it for good: a copied cookie cannot be replayed)."""
    sessions = _sessions(request)
    now = time.time()
    for key, expiry in list(sessions.items()):
        if expiry <= now:
            sessions.pop(key, None)
    cookie = secrets.token_urlsafe(32)
    sessions[_session_key(cookie)] = now + SESSION_SECONDS
    return cookie


def _signed_in(request: Request) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    expiry = _sessions(request).get(_session_key(cookie)) if cookie else None
    return expiry is not None and expiry > time.time()


def _end_session(request: Request) -> None:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie:
        _sessions(request).pop(_session_key(cookie), None)


def _token_matches(request: Request, token: str) -> bool:
    return bool(token) and hmac.compare_digest(token.encode(), request.app.state.token.encode())


def _same_origin(request: Request) -> bool:
    """A form POST must come from a page of this server (a forged cross-site POST does not)."""
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    return bool(host) and source not in ("", "null") and (
        urlsplit(source).netloc.lower() == host.lower())


def _local_path(target: str) -> str:
    """Where to go after signing in: a path on this server only (never another site)."""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and all(ch.isprintable() and not ch.isspace() for ch in target)):
        return target
    return "/"


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _login_page(request: Request, status: int = 401, error: str | None = None,
                next_path: str | None = None) -> HTMLResponse:
    if next_path is None:
        next_path = request.url.path if request.method == "GET" else "/"
        if request.url.query and next_path != "/login":
            next_path += "?" + request.url.query
    return _page(request, "login.html", status, error=error, signed_in=False,
                 next_path=_local_path(next_path) if next_path != "/login" else "/")


def _refuse_post(request: Request) -> HTMLResponse | None:
    """The response for a POST that must not run (not signed in, or not from this origin)."""
    if not _same_origin(request):
        return _page(request, "error.html", 403, title="Refused",
                     error="this form was not sent from the Steward dashboard (its Origin/Referer "
                           "is another site or missing); open the dashboard and try again",
                     signed_in=_signed_in(request))
    if not _signed_in(request):
        return _login_page(request)
    return None


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@contextmanager
def _chain_work(request: Request):
    """One thread at a time on the chains; the embedded chains' file lock is given back after,
    so `steward` commands in other processes are not kept waiting."""
    with request.app.state.chain_lock:
        try:
            yield
        finally:
            chain_registry.end_all_sessions()


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    path = STATIC_DIR / name
    kind = STATIC_TYPES.get(path.suffix)
    if kind is None or "/" in name or name.startswith(".") or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "max-age=300",
                                                        "X-Content-Type-Options": "nosniff"})


@router.get("/login", response_class=HTMLResponse)
def login_get(request: Request, token: str = "", next: str = "/") -> Response:
    if not token:
        if _signed_in(request):
            return _see(_local_path(next))
        return _login_page(request, status=200, next_path=next)
    return _sign_in(request, token, next)


@router.post("/login", response_class=HTMLResponse)
def login_post(request: Request, token: str = Form(""), next: str = Form("/")) -> Response:
    if not _same_origin(request):
        return _refuse_post(request)
    return _sign_in(request, token, next)


def _sign_in(request: Request, token: str, next_path: str) -> Response:
    if not _token_matches(request, token):
        return _login_page(request, next_path=next_path,
                           error="that token is not this server's; `steward token` prints "
                                 "it, `steward serve --show-token` a sign-in link")
    response = _see(_local_path(next_path))
    response.set_cookie(SESSION_COOKIE, _new_session(request),
                        max_age=SESSION_SECONDS, path="/", httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    if not _same_origin(request):
        return _refuse_post(request)
    _end_session(request)  # server-side: the same cookie, replayed, is signed out too
    response = _see("/login")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# ---- portfolio and asking ---------------------------------------------------------------------

def _wallets() -> tuple[dict[str, str], str | None, list[str]]:
    listed = service.list_wallets()
    wallets = {w.name: w.address for w in listed if w.address and not w.error}
    broken = [f"wallet '{w.name}' cannot be read ({w.error})" for w in listed if w.error]
    default = next((w.name for w in listed if w.is_default), None)
    return wallets, default, broken


def _sum(values) -> int:
    return sum(v or 0 for v in values)


def portfolio_view(result: PortfolioOut, show_all: bool) -> dict:
    holdings = result.holdings
    wallets = sorted({h.wallet for h in holdings})
    chain_names = list(dict.fromkeys(h.chain for h in holdings))
    by_wallet = []
    for wallet in wallets:
        mine = [h for h in holdings if h.wallet == wallet]
        chains = []
        for chain in chain_names:
            rows = [h for h in mine if h.chain == chain]
            if not rows:
                continue
            shown = rows if show_all else [h for h in rows if h.balance]
            chains.append({"name": chain, "rows": shown, "hidden": len(rows) - len(shown),
                           "total": _sum(h.usd_value for h in rows)})
        by_wallet.append({"name": wallet, "address": mine[0].address, "chains": chains,
                          "total": _sum(h.usd_value for h in mine)})
    chain_totals = [{"name": chain, "total": _sum(h.usd_value for h in holdings
                                                  if h.chain == chain)}
                    for chain in chain_names]
    return {"wallets": by_wallet, "chains": chain_totals, "total": result.total_usd_value,
            "chart": _chart(result), "errors": result.errors, "unpriced": result.unpriced}


def _chart(result: PortfolioOut) -> dict:
    """Horizontal bars: USD value per asset and chain, summed over the wallets, largest first."""
    values: dict[tuple[str, str], int] = {}
    for h in result.holdings:
        if h.usd_value:
            values[(h.chain, h.symbol)] = values.get((h.chain, h.symbol), 0) + h.usd_value
    ranked = sorted(values.items(), key=lambda item: -item[1])[:CHART_BARS]
    largest = ranked[0][1] if ranked else 1
    chain_index = {c: i for i, c in enumerate(dict.fromkeys(h.chain for h in result.holdings))}
    bar_room, row = 380, 28
    bars = [{"label": f"{symbol} · {chain}", "usd": usd(value), "y": index * row,
             "width": max(2, round(bar_room * value / largest)),
             "colour": f"chain-{chain_index[chain] % 4}"}
            for index, ((chain, symbol), value) in enumerate(ranked)]
    return {"bars": bars, "height": max(len(bars) * row, row), "bar_x": 190}


@router.get("/", response_class=HTMLResponse)
def portfolio_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login_page(request)
    show_all = request.query_params.get("all") == "1"
    wallets, default, broken = _wallets()
    view, error = None, None
    status = 200
    if not wallets:
        error, status = service.NO_WALLET, 400
    else:
        try:
            with _chain_work(request):
                view = portfolio_view(service.get_portfolio(), show_all)
        except StewardError as exc:
            failure = as_service_error(exc)
            error, status = failure.message, failure.status
    return _page(request, "portfolio.html", status, view=view,
                 error=error, broken=broken, show_all=show_all, wallet_names=list(wallets),
                 default_wallet=default, signed_in=True, nav="portfolio")


@router.post("/ask", response_class=HTMLResponse)
def ask(request: Request, text: str = Form(""), wallet: str = Form("")) -> Response:
    if refused := _refuse_post(request):
        return refused
    try:
        with _chain_work(request):
            proposal = service.propose(text=text, wallet=wallet or None)
    except StewardError as exc:
        failure = as_service_error(exc)
        wallets, default, _ = _wallets()
        return _page(request, "ask.html", failure.status, error=failure.message, text=text,
                     wallet_names=list(wallets), default_wallet=wallet or default,
                     signed_in=True, nav="portfolio")
    return _see(f"/proposals/{proposal.id}")


# ---- proposals --------------------------------------------------------------------------------

@router.get("/proposals", response_class=HTMLResponse)
def proposals_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login_page(request)
    try:
        pending = service.list_proposals("pending")
        recent = [p for p in service.list_proposals(limit=50) if p.status != "pending"]
    except StewardError as exc:
        return _error_page(request, "Proposals", exc)
    return _page(request, "proposals.html", pending=pending, recent=recent, signed_in=True,
                 nav="proposals")


def _proposal_page(request: Request, proposal_id: str, error: str | None = None,
                   status: int = 200) -> HTMLResponse:
    try:
        proposal = service.get_proposal(proposal_id)
    except StewardError as exc:
        return _error_page(request, "Proposal", exc)
    wallets, default, _ = _wallets()
    return _page(request, "proposal.html", status, p=proposal, error=error,
                 answer=_answer_view(proposal), answers=_answers(proposal),
                 wallet_names=list(wallets),
                 default_wallet=proposal.wallet or default, signed_in=True, nav="proposals")


def _answers(proposal: Proposal) -> list[tuple[str, str]]:
    """For a "which chain?" question: each chain option as the request it completes."""
    if proposal.status != "needs_clarification" or proposal.request.startswith("{"):
        return []
    chains = set(_configured_chains())
    return [(option, f"{proposal.request} on {option}") for option in proposal.options
            if option in chains]


def _answer_view(proposal: Proposal) -> dict | None:
    if not proposal.answer:
        return None
    holdings = (proposal.answer.get("portfolio") or {}).get("holdings", [])
    return {"holdings": holdings, "quotes": proposal.answer.get("quotes", []),
            "total": sum(h.get("usd_value") or 0 for h in holdings)}


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, proposal_id: str) -> Response:
    if not _signed_in(request):
        return _login_page(request)
    return _proposal_page(request, proposal_id)


def _error_page(request: Request, title: str, exc: StewardError) -> HTMLResponse:
    """An error page with the status of the error's code (404 for an unknown proposal)."""
    failure = as_service_error(exc)
    if failure.code == "not_found":
        title = "No such proposal"
    return _page(request, "error.html", failure.status, title=title, error=failure.message,
                 signed_in=True, nav="proposals")


def _execute(request: Request, proposal_id: str) -> None:
    # Without a passphrase, reading one would prompt on the server's terminal and hang this page.
    service.execute(proposal_id, request.app.state.passphrase or os.environ.get(PASSPHRASE_ENV),
                    cannot_sign=f"this server cannot sign: start `steward serve` with "
                                f"{PASSPHRASE_ENV} set, or run `steward execute ID` in a terminal")


def _act(request: Request, proposal_id: str, action) -> Response:
    if refused := _refuse_post(request):
        return refused
    try:
        with _chain_work(request):
            action()
    except StewardError as exc:
        failure = as_service_error(exc)
        if failure.code == "not_found":
            return _error_page(request, "No such proposal", failure)
        return _proposal_page(request, proposal_id, error=failure.message, status=failure.status)
    return _see(f"/proposals/{proposal_id}")


@router.post("/proposals/{proposal_id}/approve", response_class=HTMLResponse)
def approve(request: Request, proposal_id: str) -> Response:
    def approve_and_execute() -> None:
        service.approve(proposal_id, by=APPROVER)
        _execute(request, proposal_id)

    return _act(request, proposal_id, approve_and_execute)


@router.post("/proposals/{proposal_id}/execute", response_class=HTMLResponse)
def execute(request: Request, proposal_id: str) -> Response:
    return _act(request, proposal_id, lambda: _execute(request, proposal_id))


@router.post("/proposals/{proposal_id}/reject", response_class=HTMLResponse)
def reject(request: Request, proposal_id: str) -> Response:
    return _act(request, proposal_id, lambda: service.reject(proposal_id, by=APPROVER))


# ---- journal ----------------------------------------------------------------------------------

@router.get("/journal", response_class=HTMLResponse)
def journal_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login_page(request)
    try:
        journal = service.get_journal(limit=100)
    except StewardError as exc:
        failure = as_service_error(exc)
        return _page(request, "error.html", failure.status, title="Journal",
                     error=failure.message, signed_in=True, nav="journal")
    return _page(request, "journal.html", transactions=journal.transactions,
                 verdicts=journal.verdicts, signed_in=True, nav="journal")


# ---- due diligence ----------------------------------------------------------------------------

def _configured_chains() -> list[str]:
    try:
        return [chain.name for chain in service.list_chains()]
    except StewardError:
        return []


def run_check(kind: str, value: str, chain: str) -> dict:
    """The report for one check, shaped for the page: verdict, score, reasons, findings."""
    if kind == "url":
        report = service.check_url(value)
        return {"title": report.host, "verdict": report.verdict, "score": None,
                "subtitle": f"known good: {report.known_good}" if report.known_good else "",
                "reasons": report.reasons,
                "findings": [(f.severity, f.message, f.how) for f in report.findings]}
    if kind == "address":
        report = service.check_address(value, chain)
        what = "contract" if report.is_contract else "account (EOA)"
        return {"title": f"{report.address} on {report.chain}: {what}", "score": None,
                "verdict": report.verdict, "subtitle": report.known_as or "",
                "reasons": report.reasons,
                "findings": [(f.severity, f.message, f.how) for f in report.findings]}
    report = service.check_token(value, chain)
    return {"title": f"{report.symbol} ({report.token}) on {report.chain}",
            "verdict": report.verdict, "score": report.score, "subtitle": report.name,
            "reasons": report.reasons,
            "findings": [(f.severity, f.reason, f.method) for f in report.findings],
            "fields": [(name, field.value, field.flagged, field.method)
                       for name, field in report.fields.items()],
            "notes": report.notes}


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request) -> Response:
    if not _signed_in(request):
        return _login_page(request)
    params = request.query_params
    kind, value = params.get("kind", "url"), params.get("value", "").strip()
    chains = _configured_chains()
    chain = params.get("chain") or (chains[0] if chains else "")
    report, error, status = None, None, 200
    if kind not in CHECK_KINDS:
        error, status = f"unknown check '{kind}'; valid: {', '.join(CHECK_KINDS)}", 400
    elif value:
        try:
            if kind == "url":
                report = run_check(kind, value, chain)
            else:
                with _chain_work(request):
                    report = run_check(kind, value, chain)
        except StewardError as exc:
            failure = as_service_error(exc)
            error, status = failure.message, failure.status
    return _page(request, "check.html", status, kind=kind, value=value,
                 chain=chain, chains=chains, kinds=CHECK_KINDS, report=report, error=error,
                 signed_in=True, nav="check")


__all__ = ["router", "SESSION_COOKIE"]
