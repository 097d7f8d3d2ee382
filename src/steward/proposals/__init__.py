"""Proposals: requests judged now and signed later, after a person's yes where the mandate asks.

The API, the dashboard and the MCP server do not sign what they are handed. They `propose`
(text or a structured intent → plans, simulation, preview, verdicts, all persisted in SQLite in
the Steward home) and later `execute` by id. Execution takes only a proposal the guard allowed
or a person approved, before it expires, and simulates every step again right before signing:
if the wallet's balance changes or the decision differ from what was judged, nothing is signed
and the proposal goes stale. Verdicts are sealed per process, so the executing process always
gets its own fresh verdict from the guard; the stored decision is only what the new one is
compared with.

Every step stores the digest of the exact plan that was judged, an approval records the
digests it was given for, and the record is sealed (`integrity.py`): a plan that differs from
what was judged and approved, or a record edited outside Steward, is never signed and the
proposal goes `tampered`. Execution ends in `executed`, `failed` (nothing landed) or `partial`
(some steps landed; each step's state is kept), never stuck in `executing`; a process that
died while executing is settled from the journal and the chain at the next start
(`recovery.py`).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Literal

from filelock import FileLock
from pydantic import BaseModel, TypeAdapter, ValidationError

from steward import chains as chain_registry
from steward.chains.config import config_path
from steward.errors import StewardError
from steward.execution import Executor, PlanFailed
from steward.failpoints import failpoint
from steward.fulfilment import (Fulfilment, RelayerFactory, StepOutcome, deliver, fulfil,
                                own_wallets_on, relay_problem)
from steward.guard import approve, review
from steward.guard.verdict import Decision, Finding, Preview, Reason
from steward.home import home_path
from steward.intents import Intent
from steward.journal import Journal
from steward.plans import Plan
from steward.proposals.integrity import integrity_problem, seal
from steward.simulation import Approval, AssetChange
from steward.wallets import WalletStore
from steward.wallets.passphrase import read_passphrase

DEFAULT_TTL_SECONDS = 900
MAX_REQUEST_CHARS = 2000

Status = Literal["needs_clarification", "answered", "denied", "pending", "allowed", "approved",
                 "rejected", "expired", "executing", "executed", "failed", "partial", "stale",
                 "tampered"]
STATUSES: tuple[str, ...] = Status.__args__
# A proposal in one of these can still be signed some day.
OPEN = ("pending", "allowed", "approved")
# Execution stopped on the way: nothing more is signed, but a person can still close it
# (reject), and it expires like an open one.
STOPPED = ("failed", "partial")
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
    recipients: list[str] = []  # who gains value, as judged (re-judging must find the same)
    approvals: list[Approval] = []  # allowances the plan grants, as judged
    digest: str = ""  # plan_digest of `plan` when it was judged: what may be signed
    # planned, signing (handed to the executor), done, failed, sent (no receipt yet)
    status: str = "planned"
    verdict_id: str | None = None  # the verdict it was signed under (journal)
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
    approved_digests: list[str] = []  # the plan digests a person said yes to
    message: str = ""
    seal: str = ""  # HMAC over what may be signed and who decided (integrity.py)


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
    expiring = OPEN + STOPPED
    marks = ",".join("?" for _ in expiring)
    with _connection() as conn:
        rows = conn.execute(f"SELECT data FROM proposals WHERE expires_at < ? AND status IN "
                            f"({marks})", (now, *expiring)).fetchall()
    for (data,) in rows:
        proposal = Proposal.model_validate_json(data)
        when = f"{proposal.expires_at:%Y-%m-%d %H:%M:%S} UTC"
        if proposal.status in STOPPED:
            proposal.message = f"expired at {when} after it {proposal.status}: {proposal.message}"
        else:
            proposal.message = (f"expired at {when} before it was executed; nothing was signed "
                                "— propose it again")
        proposal.status = "expired"
        _save(proposal, expected=expiring)


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
        # A validator's own sentence (an amount that is not canonical decimal, a fraction
        # over one) already says what is valid; pydantic's "Value error, " adds nothing.
        message = error["msg"].removeprefix("Value error, ")
        raise StewardError(
            f"invalid intent at {where}: {message}; actions are transfer, batch, split, swap, "
            "bridge, wrap, unwrap, approve, revoke, balance, quote and sequence (see "
            "docs/intents.md), "
            'e.g. {"action": "transfer", "amount": {"kind": "exact", "value": "5"}, '
            '"token": "USDC", "recipient": "alice"}') from None


def propose(text: str | None = None, *, intent: dict | None = None,
            wallet: str | None = None, origin: str | None = None) -> Proposal:
    """Understand, plan, simulate and judge a request now; persist it for a later `execute`.
    `origin` names who asked when it was not a person's words (e.g. a standing order); it is
    shown with the request, never read for what is done."""
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
    if origin:
        request = f"{origin}: {request}"
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
    seal(proposal)
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
    # A sequence's balance and quote steps were read when it was judged (before anything was
    # signed): they travel as "readings", beside the steps.
    readings = [reading.model_dump(mode="json") for reading in report.readings]
    if not report.steps:
        proposal.answer = {
            "portfolio": report.portfolio.model_dump(mode="json") if report.portfolio else None,
            "quotes": [quote.model_dump() for quote in report.quotes],
        } | ({"readings": readings} if readings else {})
        return
    if readings:
        proposal.answer = {"portfolio": None, "quotes": [], "readings": readings}
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
        preview=verdict.preview, changes=verdict.simulation.sender_changes(),
        recipients=verdict.recipients, approvals=verdict.simulation.approvals,
        digest=verdict.plan_digest)


def approve_proposal(proposal_id: str, by: str) -> Proposal:
    """A person's yes to a pending proposal (the only kind that needs one)."""
    return _decide(proposal_id, by, "approved")


def reject_proposal(proposal_id: str, by: str) -> Proposal:
    return _decide(proposal_id, by, "rejected")


def _decide(proposal_id: str, by: str, status: str) -> Proposal:
    proposal = get_proposal(proposal_id)
    allowed_from = ("pending",) if status == "approved" else OPEN + STOPPED
    if proposal.status not in allowed_from:
        raise ProposalError(f"proposal {proposal_id} is {proposal.status}; only "
                            f"{' or '.join(allowed_from)} proposals can be {status}"
                            + (f" ({proposal.message})" if proposal.message else ""))
    if status == "approved":
        # A person's yes covers the plans they were shown, and only if those are still the
        # plans that were judged.
        problem = integrity_problem(proposal)
        if problem:
            _mark_tampered(proposal, problem, expected=allowed_from)
            raise ProposalError(f"proposal {proposal_id} cannot be approved: {proposal.message}")
        proposal.approved_digests = [step.digest for step in proposal.steps]
    previous = proposal.status
    proposal.status = status
    proposal.decided_by, proposal.decided_at = by, _now()
    if status == "approved":
        proposal.message = f"approved by {by}; execute it before {proposal.expires_at:%H:%M:%S} UTC"
    elif previous in STOPPED:
        proposal.message = f"rejected by {by} after it {previous}: {proposal.message}"
    else:
        proposal.message = f"rejected by {by}; nothing was signed"
    seal(proposal)
    if not _save(proposal, expected=allowed_from):
        raise ProposalError(f"proposal {proposal_id} changed while deciding; look at it again")
    return proposal


def _mark_tampered(proposal: Proposal, problem: str, *, expected: tuple[str, ...]) -> Proposal:
    """Final: a stored plan or approval that is not what was judged is never signed."""
    proposal.status = "tampered"
    proposal.message = f"{problem}; nothing was signed — propose it again"
    _save(proposal, expected=expected)
    return proposal


def _execution_lock(proposal_id: str) -> FileLock:
    """Held while a process executes the proposal; start-up recovery leaves a held one alone."""
    return FileLock(str(home_path("locks", f"proposal-{proposal_id}.lock")), thread_local=False)


def execute_proposal(proposal_id: str, passphrase: str | None = None, *,
                     relayer: RelayerFactory | None = None) -> Proposal:
    """Sign an allowed or approved proposal, re-judging each step just before it is signed.
    `relayer` delivers a bridge step between embedded chains (see `steward.fulfilment`)."""
    proposal = get_proposal(proposal_id)
    if proposal.status not in ("allowed", "approved"):
        hint = {"pending": f"a person must approve it first (`steward approve {proposal_id}` or "
                           "the dashboard)",
                "denied": "the mandate denies it and no one can approve a deny"}.get(
            proposal.status, proposal.message or "only allowed or approved proposals are executed")
        raise ProposalError(f"proposal {proposal_id} is {proposal.status}: {hint}; nothing was "
                            "signed")
    problem = integrity_problem(proposal)
    if problem:
        return _mark_tampered(proposal, problem, expected=(proposal.status,))
    store = WalletStore()
    executor = Executor.unlock(proposal.wallet, passphrase if passphrase is not None
                               else read_passphrase(), store)
    approved_status = proposal.status
    with _execution_lock(proposal.id):
        proposal.status, proposal.message = "executing", "signing"
        if not _save(proposal, expected=(approved_status,)):
            raise ProposalError(f"proposal {proposal_id} is already being executed or has changed")
        unexpected: BaseException | None = None
        try:
            _execute_steps(proposal, executor, approved_status == "approved", store, relayer)
        except BaseException as exc:  # any failure ends it failed or partial, never executing
            _stopped(proposal, exc)
            unexpected = None if isinstance(exc, StewardError) else exc
        finally:
            try:
                chain_registry.end_all_sessions()
            finally:
                _save(proposal, expected=("executing",))
        if unexpected is not None:
            raise unexpected
    return proposal


def _stopped(proposal: Proposal, exc: BaseException) -> None:
    """The proposal's end after an exception: which step stopped, what is done, why."""
    total = len(proposal.steps)
    index = next((i for i, step in enumerate(proposal.steps) if step.status != "done"), None)
    reason = str(exc) if isinstance(exc, StewardError) else f"{type(exc).__name__}: {exc}"
    if index is None:
        where = f"all {total} steps landed, but then"
    else:
        step = proposal.steps[index]
        settle_step(step, Journal())
        if step.status == "planned":
            step.status = "failed"
        where = f"step {index + 1} of {total} ({step.summary}) failed:"
    _end(proposal, f"{where} {reason}")


def settle_step(step: ProposalStep, journal: Journal) -> None:
    """A step that stopped while signing, from the journal of its verdict's transactions:
    done when every call landed, sent when one may still land, failed otherwise."""
    if step.status != "signing":
        return
    rows = journal.transactions_for_verdict(step.verdict_id) if step.verdict_id else []
    entry = journal.verdict(step.verdict_id) if step.verdict_id else None
    step.tx_hashes = [row.tx_hash for row in rows if row.status == "success"]
    if entry is not None and entry.status == "executed":
        step.status = "done"
    elif any(row.status == "pending" for row in rows):
        step.status = "sent"
    else:
        step.status = "failed"


def _end(proposal: Proposal, message: str) -> None:
    """failed when nothing landed, partial when some step did (each step says which)."""
    landed = any(step.status in ("done", "sent") or step.tx_hashes for step in proposal.steps)
    proposal.status = "partial" if landed else "failed"
    proposal.message = message + ("; the steps marked done landed, the others did not"
                                  if landed else "; nothing landed")


def _execute_steps(proposal: Proposal, executor: Executor, approved: bool, store: WalletStore,
                   relayer: RelayerFactory | None = None) -> None:
    wallets = store.list()
    for index, step in enumerate(proposal.steps):
        label = f"step {index + 1} of {len(proposal.steps)} ({step.summary})"
        if step.destination and (problem := relay_problem(step.chain, step.destination, relayer)):
            step.status = "failed"
            _end(proposal, f"{label}: {problem}")
            return
        verdict = review(step.plan, proposal.wallet,
                         own_wallets=own_wallets_on(step.chain, wallets))
        bound = proposal.approved_digests[index] if approved else step.digest
        if verdict.plan_digest != step.digest or verdict.plan_digest != bound:
            proposal.status = "tampered"
            proposal.message = (f"{label}: the plan about to be signed is not the plan that was "
                                "judged and approved; it was not signed")
            return
        changed = _what_changed(step, verdict)
        if changed:
            if index == 0:
                proposal.status = "stale"
                proposal.message = (f"{label}: {changed} since it was judged; it was not signed "
                                    "— propose it again")
            else:
                _end(proposal, f"{label}: {changed} since it was judged; it was not signed")
            return
        # A person's yes carries over only to a fresh verdict on the very plan they approved.
        verdict = approve(verdict, by=proposal.decided_by or "mandate") if approved else verdict
        step.status, step.verdict_id = "signing", verdict.id
        _save(proposal, expected=("executing",))
        failpoint("after_proposal_step_signing")
        try:
            result = executor.execute(step.plan, verdict)
        except PlanFailed as failure:
            step.status, step.tx_hashes = "failed", [s.tx_hash for s in failure.done]
            _end(proposal, f"{label}: {failure}")
            return
        except StewardError as failure:
            step.status = "failed"
            _end(proposal, f"{label}: {failure}")
            return
        step.status, step.tx_hashes = "done", result.tx_hashes
        _save(proposal, expected=("executing",))
        if step.destination:
            deliver(step.chain, step.destination, result.tx_hashes[-1], relayer)
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
    if sorted(r.lower() for r in step.recipients) != sorted(r.lower() for r in verdict.recipients):
        return "the accounts that would gain value differ"
    if _allowances(step.approvals) != _allowances(verdict.simulation.approvals):
        return "the allowances it would grant differ"
    return None


def _allowances(approvals: list[Approval]) -> list[tuple]:
    return sorted((a.token.lower(), a.owner.lower(), a.spender.lower(), a.amount,
                   -1 if a.remaining is None else a.remaining) for a in approvals)


__all__ = ["Proposal", "ProposalError", "ProposalNotFound", "ProposalStep", "STATUSES",
           "approve_proposal", "execute_proposal", "get_proposal", "list_proposals",
           "parse_intent", "propose", "reject_proposal", "ttl_seconds"]
