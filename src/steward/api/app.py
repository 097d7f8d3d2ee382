"""The JSON API: Steward over HTTP, with the guard in the loop (`steward serve`).

Every `/api/...` route but `/api/health` needs `Authorization: Bearer <token>` (the token in
`<home>/api-token`). Money moves only through proposals: `POST /api/proposals` understands,
plans, simulates and judges a request and stores it; `execute` signs only a proposal the
mandate allowed or a person approved, re-judged right before signing.

The embedded chains are not thread-safe, and the file lock that guards them is shared with
other `steward` processes: one lock (`app.state.chain_lock`) lets one request at a time work
on the chains, and the chains' file lock is given back after every request, so a person's
`steward approve ID` in a terminal never waits on an idle server.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from contextlib import contextmanager
from typing import Annotated, Iterator

import anyio
import requests
from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

import steward
from steward import chains as chain_registry
from steward import proposals, service
from steward.api.models import (ErrorResponse, Health, JournalOut, PortfolioOut, ProposeIntent,
                                ProposeRequest)
from steward.diligence.addresses import AddressReport
from steward.diligence.links import LinkReport
from steward.diligence.token import TokenReport
from steward.errors import StewardError
from steward.proposals import Proposal
from steward.service import ServiceError, as_service_error
from steward.service import accounts as service_accounts
from steward.service.accounts import AccountOut
from steward.service import standing as service_standing
from steward.service.standing import DecisionOut, OrdersOut, PegPointOut
from steward.wallets.passphrase import PASSPHRASE_ENV

log = logging.getLogger("steward.api")

API_APPROVER = "api"

DESCRIPTION = """\
Steward's JSON API: portfolio, proposals (propose → allowed / pending → approve or reject →
execute), due-diligence checks, the journal, and what `steward run` keeps doing (standing orders,
its decisions, the stablecoins' peg history).

Authenticate every `/api/...` call except `/api/health` with `Authorization: Bearer <token>`;
the token is in `<steward home>/api-token` (`steward token` prints it). It is the owner's
credential: whoever holds it can approve proposals. Give other agents the MCP server
(`steward mcp`) instead, which cannot approve.

Nothing is signed at `POST /api/proposals`. A proposal with status `allowed` can be executed;
`pending` waits for a person (`POST .../approve`, the dashboard, or `steward approve ID`);
`denied` never runs. Execution simulates every step again and refuses (status `stale`,
nothing signed) if the balance changes or the mandate's decision differ from the proposal.

Errors are JSON `{"error": {"code": "...", "message": "..."}, "detail": ...}`: `code` is
stable (the MCP server answers the same failure with the same code; see docs/architecture.md),
`message` (and `detail`, kept for older clients) says what was wrong and what is valid. 400 bad
input (`invalid_input`, `unknown_name`, `insufficient_funds`, `wallet_error`), 401 no or wrong
token (`unauthorized`), 404 unknown proposal (`not_found`), 409 the proposal's state does not
allow it (`denied`, `needs_approval`, `expired`, `stale`, `tampered`, `conflict`), 422 a request
that does not match this schema (`invalid_input`; `detail` lists where), 502 a chain cannot be
reached (`chain_unreachable`), 503 this server cannot sign (`cannot_sign`).
"""

TAGS = [
    {"name": "health", "description": "Is the server up (no token needed)."},
    {"name": "portfolio", "description": "Every asset on every chain for every wallet, in USD."},
    {"name": "proposals", "description": "Requests judged now and signed later, only when the "
                                         "mandate allowed them or a person approved them."},
    {"name": "checks", "description": "Due diligence on tokens, addresses and links."},
    {"name": "journal", "description": "The guard's verdicts and the transactions signed."},
    {"name": "always on", "description": "What `steward run` decided and why, the stablecoins' "
                                         "peg history and the standing orders."},
    {"name": "payments", "description": "Pay per request (x402) within the wallet's [payments] "
                                        "mandate: the ledger, the mandate, pay, reconcile."},
]


def _errors(*codes: int) -> dict[int | str, dict]:
    meaning = {400: "Bad input: what was wrong and what is valid.",
               401: "No bearer token, or not this server's.",
               404: "No such proposal.",
               409: "The proposal's status does not allow this (or it expired).",
               502: "A chain's RPC endpoint stopped answering.",
               503: "This server cannot sign (it was started without the wallet passphrase)."}
    return {code: {"model": ErrorResponse, "description": meaning[code]} for code in codes}


# ---- authentication --------------------------------------------------------------------------

bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="The token in `<steward home>/api-token` (`steward token`).")


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(bearer)]) -> None:
    if credentials is None:
        raise HTTPException(401, "missing bearer token: send 'Authorization: Bearer <token>' "
                                 "with the token from `steward token`",
                            headers={"WWW-Authenticate": "Bearer"})
    expected = request.app.state.token.encode()
    if not hmac.compare_digest(credentials.credentials.encode(), expected):
        raise HTTPException(401, "wrong bearer token: this server's token is in its Steward "
                                 "home's api-token file (`steward token` prints it)",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


# ---- chain work ------------------------------------------------------------------------------

@contextmanager
def chain_work(request: Request) -> Iterator[None]:
    """One request at a time on the chains and the stores; the chains' file lock goes back
    to other processes when it is done."""
    with request.app.state.chain_lock:
        try:
            yield
        finally:
            chain_registry.end_all_sessions()


def _release_chains(lock: threading.Lock) -> None:
    # Held means another request is on the chains, and its chain_work ends every session when
    # it is done; waiting here would only keep this answer (and /api/health) waiting.
    if lock.acquire(blocking=False):
        try:
            chain_registry.end_all_sessions()
        finally:
            lock.release()


# ---- routes ----------------------------------------------------------------------------------

ProposalId = Annotated[str, Path(min_length=1, max_length=64,
                                 description="The id `POST /api/proposals` returned, e.g. "
                                             "p-3f9a1c2b7d.")]
ChainQuery = Annotated[str | None, Query(min_length=1, max_length=64, examples=["sandbox-l1"],
                                         description=(
    "Chain name or alias, e.g. sandbox-l1 or l1; the first configured chain when left out."))]
AddressQuery = Annotated[str, Query(min_length=1, max_length=100,
                                    examples=["0x000000000000000000000000000000000000dEaD"],
                                    description="A 0x address (40 hex digits).")]

public = APIRouter(prefix="/api")
api = APIRouter(prefix="/api", dependencies=[Depends(require_token)],
                responses=_errors(401))


@public.get("/health", tags=["health"], summary="Is the server up", response_model=Health)
def health() -> Health:
    return Health(version=steward.__version__)


@api.get("/portfolio", tags=["portfolio"], response_model=PortfolioOut,
         summary="Holdings of every wallet on every chain, with USD values and totals",
         responses=_errors(400, 502))
def get_portfolio(
    request: Request,
    wallet: Annotated[str | None, Query(min_length=1, max_length=64,
                                        description="Only this wallet.")] = None,
    chain: Annotated[list[str] | None, Query(description="Only these chains (repeatable).")] = None,
) -> PortfolioOut:
    """Exact balances (base units and decimal text) and USD values from the chain's pools. A
    chain that cannot be read is listed in `errors`; the others are still shown."""
    with chain_work(request):
        return service.get_portfolio(wallet, chain or None)


@api.get("/account", tags=["accounts"], response_model=AccountOut,
         summary="A wallet's guarded account on a chain: policy, use, worst case, drift",
         responses=_errors(400, 502))
def get_account(
    request: Request,
    chain: Annotated[str, Query(min_length=1, max_length=64, description="The chain.")],
    wallet: Annotated[str | None, Query(min_length=1, max_length=64,
                                        description="The wallet (default wallet if left out).")] = None,
) -> AccountOut:
    """The on-chain policy of the wallet's guarded account, what this window used, the worst
    case a stolen agent key could still take, and where the chain is looser than the mandate
    file. Read-only: making, changing or pausing an account takes the owner (`steward account`)."""
    with chain_work(request):
        return service_accounts.show_account(wallet, chain)


@api.post("/proposals", tags=["proposals"], status_code=201, response_model=Proposal,
          summary="Propose a request: understand, plan, simulate and judge it (nothing is signed)",
          responses=_errors(400, 502))
def create_proposal(request: Request, body: Annotated[ProposeRequest, Body()]) -> Proposal:
    """Give `text` (plain words) or `intent` (structured), not both. Returns the proposal:
    status `allowed` (execute it), `pending` (a person must approve it), `denied` (never),
    `needs_clarification` (see `question` and `options`, propose again) or `answered` (a
    balance or quote question, see `answer`). Each step has the plan, the preview, the
    wallet's simulated balance changes, risk findings and the mandate's reasons."""
    with chain_work(request):
        if isinstance(body, ProposeIntent):
            return service.propose(intent=body.intent.model_dump(mode="json", exclude_none=True),
                                   wallet=body.wallet)
        return service.propose(body.text, wallet=body.wallet)


@api.get("/proposals", tags=["proposals"], response_model=list[Proposal],
         summary="List proposals, newest first", responses=_errors(400))
def list_proposals(
    request: Request,
    status: Annotated[proposals.Status | None, Query(description="Only this status, e.g. "
                                                               "pending.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> list[Proposal]:
    with chain_work(request):
        return service.list_proposals(status, limit)


@api.get("/proposals/{proposal_id}", tags=["proposals"], response_model=Proposal,
         summary="One proposal as it is now", responses=_errors(400, 404))
def get_proposal(request: Request, proposal_id: ProposalId) -> Proposal:
    """Poll a pending proposal until a person approves or rejects it; an overdue one shows
    `expired`."""
    with chain_work(request):
        return service.get_proposal(proposal_id)


@api.post("/proposals/{proposal_id}/approve", tags=["proposals"], response_model=Proposal,
          summary="A person's yes to a pending proposal", responses=_errors(400, 404, 409))
def approve_proposal(request: Request, proposal_id: ProposalId) -> Proposal:
    """Only `pending` proposals (the mandate asked for a person) can be approved, before they
    expire; a denied one never. Approving signs nothing: execute it next."""
    with chain_work(request):
        return service.approve(proposal_id, by=API_APPROVER)


@api.post("/proposals/{proposal_id}/reject", tags=["proposals"], response_model=Proposal,
          summary="Reject a proposal; nothing of it will be signed",
          responses=_errors(400, 404, 409))
def reject_proposal(request: Request, proposal_id: ProposalId) -> Proposal:
    with chain_work(request):
        return service.reject(proposal_id, by=API_APPROVER)


@api.post("/proposals/{proposal_id}/execute", tags=["proposals"], response_model=Proposal,
          summary="Sign an allowed or approved proposal, re-judged right before signing",
          responses=_errors(400, 404, 409, 502, 503))
def execute_proposal(request: Request, proposal_id: ProposalId) -> Proposal:
    """Every step is simulated and judged again first. The answer is the proposal: status
    `executed` (transaction hashes in `steps[].tx_hashes`), `failed` (what was done and why it
    stopped in `message`) or `stale` (the world changed since it was judged; nothing signed).
    A pending, denied, rejected, expired or already executed proposal is a 409."""
    with chain_work(request):
        passphrase = request.app.state.passphrase or os.environ.get(PASSPHRASE_ENV)
        # Without one, a signable proposal is refused (reading one would prompt on the
        # server's terminal and hang the request); other statuses say their own reason.
        return service.execute(proposal_id, passphrase, cannot_sign=(
            f"this server cannot sign: start `steward serve` with {PASSPHRASE_ENV} set or in a "
            "terminal, or run `steward execute ID`; nothing was signed"))


@api.get("/check/token", tags=["checks"], response_model=TokenReport,
         summary="Due diligence on a token: honeypots, taxes, privileges, holders, liquidity",
         responses=_errors(400, 502))
def check_token(request: Request, address: Annotated[str, Query(
        min_length=1, max_length=100, examples=["USDC"],
        description="The token's 0x address, or a symbol the chain registry knows (USDC).")],
        chain: ChainQuery = None) -> TokenReport:
    """Simulated buy, transfer and sell from fresh addresses, the owner's privileges probed,
    bytecode and chain data; a verdict (safe / caution / danger), a score and how each field
    was established."""
    with chain_work(request):
        return service.check_token(address, chain)


@api.get("/check/address", tags=["checks"], response_model=AddressReport,
         summary="Who is this address: account or contract, first activity, look-alikes",
         responses=_errors(400, 502))
def check_address(request: Request, address: AddressQuery,
                  chain: ChainQuery = None) -> AddressReport:
    """Whether it imitates an address the default wallet knows (address poisoning), poisoning
    spam sent to that wallet, and whether it is a (token) contract."""
    with chain_work(request):
        return service.check_address(address, chain)


@api.get("/check/url", tags=["checks"], response_model=LinkReport,
         summary="Is this link what it claims: look-alikes, punycode, homoglyphs, phishing lists",
         responses=_errors(400))
def check_url(url: Annotated[str, Query(min_length=1, max_length=2048, examples=[
        "https://app.uniswap.org.claim.xyz"], description=(
        "A URL or bare host, e.g. https://app.uniswap.org.claim.xyz"))]) -> LinkReport:
    return service.check_url(url)


@api.get("/journal", tags=["journal"], response_model=JournalOut,
         summary="The transactions Steward signed and the guard's verdicts, newest first",
         responses=_errors(400))
def get_journal(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500, description="How many of each.")] = 50,
    wallet: Annotated[str | None, Query(min_length=1, max_length=64,
                                        description="Only this wallet.")] = None,
) -> JournalOut:
    with chain_work(request):
        return service.get_journal(limit, wallet)


# ---- always on (the worker's decisions, the peg history, the standing orders) ----------------

@api.get("/standing/decisions", tags=["always on"], response_model=list[DecisionOut],
         summary="The `steward run` worker's decisions with their reasons, newest first",
         responses=_errors(400))
def get_standing_decisions(
    request: Request,
    wallet: Annotated[str | None, Query(
        min_length=1, max_length=64, description="Only this wallet (all when left out).")] = None,
    outcome: Annotated[str | None, Query(
        min_length=1, max_length=16, examples=["waiting"], description=(
            "Only this outcome: acted, skipped, blocked, waiting, failed, alert or "
            "dry-run."))] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> list[DecisionOut]:
    """Every decision (acted, skipped, blocked by the mandate, waiting for a person, failed,
    alert) with its reason, the numbers behind it and its proposal, when one was made."""
    with chain_work(request):
        return service_standing.decisions(wallet, limit=limit, outcome=outcome)


@api.get("/standing/peg/{symbol}", tags=["always on"], response_model=list[PegPointOut],
         summary="A stablecoin's observed peg, oldest first", responses=_errors(400))
def get_standing_peg(
    request: Request,
    symbol: Annotated[str, Path(min_length=1, max_length=32, examples=["USDT"],
                                description="A stablecoin the worker observes, e.g. USDT.")],
    limit: Annotated[int, Query(ge=1, le=5000,
                                description="The newest this many readings.")] = 5000,
) -> list[PegPointOut]:
    """One reading per worker tick: the trusted price (null when the reading failed closed,
    with its `problem`) and every source beside it. An unobserved symbol is `unknown_name`."""
    with chain_work(request):
        return service_standing.peg_history(symbol, limit=limit)


@api.get("/standing/orders", tags=["always on"], response_model=OrdersOut,
         summary="A wallet's standing orders, checked strictly", responses=_errors(400))
def get_standing_orders(
    request: Request,
    wallet: Annotated[str | None, Query(
        min_length=1, max_length=64, description="The wallet (the default when left out).")] = None,
) -> OrdersOut:
    """The orders file `steward run` keeps (id, kind, a one-line summary); an invalid file is a
    400 that names the key and what is valid."""
    with chain_work(request):
        return service_standing.list_orders(wallet)


# ---- errors ----------------------------------------------------------------------------------

def error_response(error: ServiceError, headers: dict[str, str] | None = None,
                   detail: object = None) -> JSONResponse:
    """`{"error": {"code", "message"}}` with the code's HTTP status; `detail` is the message
    too (a list of problems for a 422), as it was before `error` existed."""
    body = error.body().model_dump() | {"detail": error.message if detail is None else detail}
    return JSONResponse(body, status_code=error.status, headers=headers)


async def steward_error(request: Request, exc: StewardError) -> JSONResponse:
    return error_response(as_service_error(exc))


_HTTP_CODES = {401: "unauthorized", 404: "not_found"}


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # FastAPI's own answers (401 from the token check, 404/405 for unknown routes): the same
    # error object, with the HTTP status and headers they had.
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    code = _HTTP_CODES.get(exc.status_code, "invalid_input" if exc.status_code < 500
                           else "internal")
    body = {"detail": exc.detail, "error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's own answer echoes the input, and JSON cannot carry a NaN or Infinity that
    # Python's parser let in: that was a 500 for bad input. Where and what is enough.
    detail = [{"type": error["type"], "loc": list(error["loc"]),
               "msg": error["msg"].removeprefix("Value error, ")} for error in exc.errors()]
    message = "; ".join(f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                        for error in detail) or "the request does not match the API's schema"
    body = {"detail": detail, "error": {"code": "invalid_input", "message": message}}
    return JSONResponse(body, status_code=422)


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: the client gets JSON without internals; the log gets the traceback.
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ServiceError("internal", f"internal error ({type(exc).__name__}); "
                                                   "the server's log has the details"))


async def connection_lost(request: Request, exc: requests.RequestException) -> JSONResponse:
    return error_response(as_service_error(exc))


# ---- the app ---------------------------------------------------------------------------------

def create_app(*, token: str, passphrase: str | None = None) -> FastAPI:
    """The JSON API (and the dashboard at `/`, when it is installed) for one Steward home.

    `token` is required on every `/api/...` call; `passphrase` unlocks wallets for `execute`
    (None: `STEWARD_PASSPHRASE` at the time of the call; never a terminal prompt).
    """
    if not token or not token.strip():
        raise StewardError("the API needs a non-empty bearer token")
    app = FastAPI(title="Steward", version=steward.__version__, description=DESCRIPTION,
                  openapi_tags=TAGS)
    app.state.token = token
    app.state.passphrase = passphrase
    app.state.chain_lock = threading.Lock()
    app.state.sessions = {}  # dashboard sessions (sha256 of the cookie → expiry), see dashboard
    app.add_exception_handler(StewardError, steward_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(requests.RequestException, connection_lost)
    app.add_exception_handler(Exception, unexpected)

    @app.middleware("http")
    async def release_chains(request: Request, call_next):
        try:
            return await call_next(request)
        finally:
            # Whatever a route did, the chains' file lock goes back to other processes.
            await anyio.to_thread.run_sync(_release_chains, app.state.chain_lock)

    app.include_router(public)
    app.include_router(api)
    from steward.api.payments import router as payments  # it uses this module's token check

    app.include_router(payments)
    try:
        from steward.api.dashboard import router as dashboard
    except ImportError as exc:
        if exc.name != "steward.api.dashboard":
            raise
        log.warning("the dashboard is not installed; serving the JSON API only")
    else:
        from steward.api.always_on import router as always_on
        from steward.api.dao_page import router as dao_page
        from steward.api.payments_page import router as payments_page

        app.include_router(dashboard)
        app.include_router(always_on)
        app.include_router(payments_page)
        app.include_router(dao_page)
    return app


__all__ = ["create_app", "error_response", "require_token"]
