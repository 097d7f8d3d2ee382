"""Proposals: requests judged now and signed later, after a person's yes where the mandate asks.

The API, the dashboard and the MCP server do not sign what they are handed. They `propose`
(text or a structured intent → plans, simulation, preview, verdicts, all persisted in SQLite in
the Steward home) and later `execute` by id. Execution takes only a proposal the guard allowed
or a person approved, before it expires, and simulates every step again right before signing:
if the wallet's balance changes or the decision differ from what was judged, nothing is signed
and the proposal goes stale. Verdicts are sealed per process, so the executing process always
gets its own fresh verdict from the guard; the stored decision is only what the new one is
compared with.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from steward import chains as chain_registry
from steward.chains.config import config_path
from steward.errors import StewardError
from steward.execution import Executor, PlanFailed
from steward.fulfilment import Fulfilment, StepOutcome, deliver, fulfil
from steward.guard import approve, review
from steward.guard.verdict import Decision, Finding, Preview, Reason
from steward.home import home_path
from steward.intents import Intent
from steward.planning import Plan
from steward.simulation import AssetChange
from steward.wallets import WalletStore
from steward.wallets.passphrase import read_passphrase

DEFAULT_TTL_SECONDS = 900
MAX_REQUEST_CHARS = 2000

Status = Literal["needs_clarification", "answered", "denied", "pending", "allowed", "approved",
                 "rejected", "expired", "executing", "executed", "failed", "stale"]
STATUSES: tuple[str, ...] = Status.__args__
# A proposal in one of these can still be signed some day; only these can expire.
OPEN = ("pending", "allowed", "approved")
_STRICTNESS = {"allow": 0, "confirm": 1, "deny": 2}


class ProposalError(StewardError):
    """The proposal cannot do that now (wrong state, expired, stale, denied)."""


class ProposalNotFound(ProposalError):
    pass


class ProposalStep(BaseModel):
    summary: str
    chain: str
    plan: Plan
    destination: str | None = None  # a bridge's destination chain: execution waits for delivery
    decision: Decision
    explanation: str
    reasons: list[Reason]
    findings: list[Finding]
    preview: Preview
    changes: list[AssetChange]  # the wallet's simulated balance changes
    status: str = "planned"  # planned, done, failed
    tx_hashes: list[str] = []


class Proposal(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime
    wallet: str
    address: str
    request: str
    intent: dict | None = None
    status: Status
    decision: Decision | None = None
    question: str | None = None
    options: list[str] = []
    answer: dict | None = None
    steps: list[ProposalStep] = []
    decided_by: str | None = None
    decided_at: datetime | None = None
    message: str = ""


SCHEMA = """
CREATE TABLE IF NOT EXISTS proposals (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_by_status ON proposals (status, created_at);
"""

_local = threading.local()


def _connection() -> sqlite3.Connection:
    path = home_path("proposals.sqlite")
    cached = getattr(_local, "connections", {})
    conn = cached.get(path)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        cached[path] = conn
        _local.connections = cached
    return conn


def ttl_seconds() -> int:
    """`[proposals] ttl_seconds` in config.toml; 900 (15 minutes) when absent."""
    path = config_path()
    try:
        section = tomllib.loads(path.read_text()).get("proposals", {})
    except FileNotFoundError:
        return DEFAULT_TTL_SECONDS
    except tomllib.TOMLDecodeError as exc:
        raise StewardError(f"{path} is not valid TOML: {exc}") from None
    ttl = section.get("ttl_seconds", DEFAULT_TTL_SECONDS)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl <= 0:
        raise StewardError(f"{path}: [proposals] ttl_seconds must be a positive whole number of "
                           f"seconds, not {ttl!r}")
    return ttl


def _now() -> datetime:
    return datetime.now(UTC)


def _save(proposal: Proposal, *, expected: tuple[str, ...] | None = None) -> bool:
    """Store `proposal`; with `expected`, only if the stored status is one of those (atomic)."""
    data = proposal.model_dump_json()
    with _connection() as conn:
        if expected is None:
            conn.execute("INSERT OR REPLACE INTO proposals (id, created_at, expires_at, status, "
                         "data) VALUES (?,?,?,?,?)",
                         (proposal.id, proposal.created_at.isoformat(),
                          proposal.expires_at.isoformat(), proposal.status, data))
            return True
        marks = ",".join("?" for _ in expected)
        cursor = conn.execute(f"UPDATE proposals SET status=?, data=? WHERE id=? AND status IN "
                              f"({marks})", (proposal.status, data, proposal.id, *expected))
        return cursor.rowcount == 1


def _expire_overdue() -> None:
    now = _now().isoformat()
    with _connection() as conn:
        rows = conn.execute("SELECT data FROM proposals WHERE expires_at < ? AND status IN "
                            "(?,?,?)", (now, *OPEN)).fetchall()
    for (data,) in rows:
        proposal = Proposal.model_validate_json(data)
        proposal.status = "expired"
        proposal.message = (f"expired at {proposal.expires_at:%Y-%m-%d %H:%M:%S} UTC before it "
                            "was executed; nothing was signed — propose it again")
        _save(proposal, expected=OPEN)


def get_proposal(proposal_id: str) -> Proposal:
    _expire_overdue()
    with _connection() as conn:
        row = conn.execute("SELECT data FROM proposals WHERE id=?", (proposal_id,)).fetchone()
    if row is None:
        raise ProposalNotFound(f"no proposal '{proposal_id}'; `steward proposals` lists them")
    return Proposal.model_validate_json(row[0])


def list_proposals(status: str | None = None, limit: int = 50) -> list[Proposal]:
    """Newest first; `status` filters (one of STATUSES)."""
    if status is not None and status not in STATUSES:
        raise StewardError(f"unknown proposal status '{status}'; valid: {', '.join(STATUSES)}")
    if limit < 1:
        raise StewardError(f"limit must be at least 1, not {limit}")
    _expire_overdue()
    query, args = "SELECT data FROM proposals", []
    if status:
        query, args = query + " WHERE status=?", [status]
    with _connection() as conn:
        rows = conn.execute(query + " ORDER BY created_at DESC LIMIT ?", (*args, limit)).fetchall()
    return [Proposal.model_validate_json(row[0]) for row in rows]


def parse_intent(intent: dict) -> Intent:
    """A structured intent from a program, validated exactly like the parser's output."""
    try:
        return TypeAdapter(Intent).validate_python(intent)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "intent"
        raise StewardError(
            f"invalid intent at {where}: {error['msg']}; actions are transfer, swap, bridge, "
            "wrap, unwrap, approve, revoke, balance, quote and sequence (see docs/intents.md), "
            'e.g. {"action": "transfer", "amount": {"kind": "exact", "value": "5"}, '
            '"token": "USDC", "recipient": "alice"}') from None


def propose(text: str | None = None, *, intent: dict | None = None,
            wallet: str | None = None) -> Proposal:
    """Understand, plan, simulate and judge a request now; persist it for a later `execute`."""
    if (text is None) == (intent is None):
        raise StewardError("give either the request text or a structured intent, not both or "
                           "neither")
    if text is not None:
        text = text.strip()
        if not text:
            raise StewardError("the request is empty; say what to do, e.g. 'send 5 USDC to alice'")
        if len(text) > MAX_REQUEST_CHARS:
            raise StewardError(f"the request is {len(text)} characters; at most "
                               f"{MAX_REQUEST_CHARS} are accepted")
    structured = parse_intent(intent) if intent is not None else None
    request = text if text is not None else json.dumps(intent, sort_keys=True)
    report = fulfil(request, wallet, lambda outcome: False, dry_run=True, intent=structured)
    store = WalletStore()
    name = store.resolve(wallet)
    now = _now()
    proposal = Proposal(
        id=f"p-{secrets.token_hex(5)}", created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds()), wallet=name,
        address=store.get(name).address, request=request, status="answered",
        intent=report.intent.model_dump())
    _fill(proposal, report)
    chain_registry.end_all_sessions()
    _save(proposal)
    return proposal


def _fill(proposal: Proposal, report: Fulfilment) -> None:
    if report.clarification is not None:
        proposal.status = "needs_clarification"
        proposal.question = report.clarification.question
        proposal.options = list(report.clarification.options)
        proposal.intent = None
        proposal.steps = []
        return
    if not report.steps:
        proposal.answer = {
            "portfolio": report.portfolio.model_dump(mode="json") if report.portfolio else None,
            "quotes": [quote.model_dump() for quote in report.quotes],
        }
        return
    proposal.steps = [_step(outcome) for outcome in report.steps]
    proposal.decision = max((step.decision for step in proposal.steps),
                            key=_STRICTNESS.__getitem__)
    proposal.status = {"allow": "allowed", "confirm": "pending", "deny": "denied"}[
        proposal.decision]
    if proposal.decision == "deny":
        denied = next(step for step in proposal.steps if step.decision == "deny")
        proposal.message = f"denied by the mandate: {denied.explanation}; nothing can be signed"
    elif proposal.decision == "confirm":
        proposal.message = (f"waiting for a person: `steward approve {proposal.id}` or the "
                            "dashboard")


def _step(outcome: StepOutcome) -> ProposalStep:
    verdict, planned = outcome.verdict, outcome.planned
    return ProposalStep(
        summary=planned.plan.summary, chain=planned.plan.chain, plan=planned.plan,
        destination=planned.destination, decision=verdict.decision,
        explanation=verdict.explanation, reasons=verdict.reasons, findings=verdict.findings,
        preview=verdict.preview, changes=verdict.simulation.sender_changes())


def approve_proposal(proposal_id: str, by: str) -> Proposal:
    """A person's yes to a pending proposal (the only kind that needs one)."""
    return _decide(proposal_id, by, "approved")


def reject_proposal(proposal_id: str, by: str) -> Proposal:
    return _decide(proposal_id, by, "rejected")


def _decide(proposal_id: str, by: str, status: str) -> Proposal:
    proposal = get_proposal(proposal_id)
    allowed_from = ("pending",) if status == "approved" else OPEN
    if proposal.status not in allowed_from:
        raise ProposalError(f"proposal {proposal_id} is {proposal.status}; only "
                            f"{' or '.join(allowed_from)} proposals can be {status}"
                            + (f" ({proposal.message})" if proposal.message else ""))
    proposal.status = status
    proposal.decided_by, proposal.decided_at = by, _now()
    proposal.message = (f"approved by {by}; execute it before {proposal.expires_at:%H:%M:%S} UTC"
                        if status == "approved" else f"rejected by {by}; nothing was signed")
    if not _save(proposal, expected=allowed_from):
        raise ProposalError(f"proposal {proposal_id} changed while deciding; look at it again")
    return proposal


def execute_proposal(proposal_id: str, passphrase: str | None = None) -> Proposal:
    """Sign an allowed or approved proposal, re-judging each step just before it is signed."""
    proposal = get_proposal(proposal_id)
    if proposal.status not in ("allowed", "approved"):
        hint = {"pending": f"a person must approve it first (`steward approve {proposal_id}` or "
                           "the dashboard)",
                "denied": "the mandate denies it and no one can approve a deny"}.get(
            proposal.status, proposal.message or "only allowed or approved proposals are executed")
        raise ProposalError(f"proposal {proposal_id} is {proposal.status}: {hint}; nothing was "
                            "signed")
    store = WalletStore()
    account = store.unlock(proposal.wallet, passphrase if passphrase is not None
                           else read_passphrase())
    approved_status = proposal.status
    proposal.status, proposal.message = "executing", "signing"
    if not _save(proposal, expected=(approved_status,)):
        raise ProposalError(f"proposal {proposal_id} is already being executed or has changed")
    try:
        _execute_steps(proposal, account, approved_status == "approved", store)
    finally:
        chain_registry.end_all_sessions()
        _save(proposal, expected=("executing",))
    return proposal


def _execute_steps(proposal: Proposal, account, approved: bool, store: WalletStore) -> None:
    executor = Executor(account, proposal.wallet)
    own = {w.name: w.address for w in store.list() if w.address}
    for index, step in enumerate(proposal.steps):
        label = f"step {index + 1} of {len(proposal.steps)} ({step.summary})"
        verdict = review(step.plan, proposal.wallet, own_wallets=own)
        changed = _what_changed(step, verdict)
        if changed:
            proposal.status = "stale" if index == 0 else "failed"
            proposal.message = (f"{label}: {changed} since it was judged; it was not signed"
                                + ("" if index == 0 else "; the steps before it were done")
                                + " — propose it again")
            return
        try:
            verdict = approve(verdict, by=proposal.decided_by or "mandate") if approved else verdict
            result = executor.execute(step.plan, verdict)
        except PlanFailed as failure:
            step.status, step.tx_hashes = "failed", [s.tx_hash for s in failure.done]
            proposal.status, proposal.message = "failed", f"{label}: {failure}"
            return
        except StewardError as failure:
            step.status = "failed"
            proposal.status, proposal.message = "failed", f"{label}: {failure}"
            return
        step.status, step.tx_hashes = "done", result.tx_hashes
        if step.destination:
            deliver(step.chain, step.destination, result.tx_hashes[-1])
    proposal.status = "executed"
    proposal.message = "done: " + "; ".join(step.summary for step in proposal.steps)


def _what_changed(step: ProposalStep, verdict) -> str | None:
    if not verdict.simulation.success:
        return f"it would now fail ({verdict.simulation.revert_reason or 'reverted'})"
    if _STRICTNESS[verdict.decision] > _STRICTNESS[step.decision]:
        return f"the mandate's decision is now {verdict.decision} ({verdict.explanation})"
    before = sorted((c.token or "", c.delta) for c in step.changes)
    after = sorted((c.token or "", c.delta) for c in verdict.simulation.sender_changes())
    if before != after:
        return "the simulated balance changes differ"
    return None


__all__ = ["Proposal", "ProposalError", "ProposalNotFound", "ProposalStep", "STATUSES",
           "approve_proposal", "execute_proposal", "get_proposal", "list_proposals",
           "parse_intent", "propose", "reject_proposal", "ttl_seconds"]
