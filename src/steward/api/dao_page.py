"""The dashboard's "DAO" page: each proposal decoded and simulated, the recommendation for a
wallet under its preferences, and a form for the owner's override before the vote is cast.

Built on `steward.service.dao`; sign-in, same-origin checks and templates are the dashboard's.
Proposal descriptions and decoded arguments are outside text: printed through Jinja's autoescape.
The page reads the chain only; it never deploys the sandbox DAO (`steward dao proposals` does).
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from steward.api.dashboard import (_chain_work, _login_page, _page, _refuse_post, _see,
                                   _signed_in, _wallets)
from steward.errors import StewardError
from steward.service import as_service_error
from steward.service import dao as service_dao

router = APIRouter(include_in_schema=False)
VOTE_BADGES = {"for": "status-done", "against": "status-denied", "abstain": "status-pending"}


def dao_rows(wallet: str, profile: str | None) -> tuple[str, list[dict]]:
    """(the profile used, one row per proposal with its analysis and recommendation)."""
    from steward.dao.analysis import Analyzer
    from steward.dao.delegate import override_for, recommend

    g = service_dao.governance(deploy=False)
    try:
        prefs = service_dao.preferences_for(wallet, profile)
    except StewardError:
        prefs = service_dao.load_profile("protective")  # no file yet: show the protective view
    analyzer, rows = Analyzer(g), []
    for proposal in reversed(g.proposals()):
        analysis = analyzer.analyze(proposal)
        rec = recommend(analysis, prefs)
        rows.append({"id": str(proposal.proposal_id), "analysis": analysis,
                     "recommendation": rec, "badge": VOTE_BADGES[rec.vote],
                     "override": override_for(proposal.proposal_id, wallet),
                     "open": proposal.state in ("pending", "active")})
    return prefs.name, rows


@router.get("/dao", response_class=HTMLResponse)
def dao_page(request: Request, wallet: str = "", profile: str = "", done: str = "") -> Response:
    if not _signed_in(request):
        return _login_page(request)
    name = wallet or _wallets()[1]
    try:
        with _chain_work(request):
            used, rows = dao_rows(name, profile or None)
    except StewardError as exc:
        failure = as_service_error(exc)
        return _page(request, "error.html", failure.status, title="DAO", error=failure.message,
                     signed_in=True, nav="dao")
    return _page(request, "dao.html", wallet=name, profile=used, rows=rows, done=done,
                 signed_in=True, nav="dao")


@router.post("/dao/{proposal_id}/override", response_class=HTMLResponse)
def override(request: Request, proposal_id: str, wallet: str = Form(...),
             choice: str = Form(...), reason: str = Form("")) -> Response:
    refused = _refuse_post(request)
    if refused:
        return refused
    try:
        with _chain_work(request):
            service_dao.override(int(proposal_id), wallet, choice, reason)
    except (StewardError, ValueError) as exc:
        failure = as_service_error(exc if isinstance(exc, StewardError)
                                   else StewardError(f"{proposal_id!r} is not a proposal id"))
        return _page(request, "error.html", failure.status, title="Override refused",
                     error=failure.message, signed_in=True, nav="dao")
    return _see(f"/dao?wallet={wallet}&done={proposal_id}")


__all__ = ["dao_rows", "router"]
