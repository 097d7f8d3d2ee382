"""Verdicts: what the guard decided about exactly one plan, sealed so nothing else can mint one.

A verdict carries the digest of the plan it judged and an HMAC tag made with a key that exists
only inside this process's guard. Execution refuses a plan whose digest differs from the
verdict's, a verdict whose tag does not verify, a deny, and a confirm no person approved.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Literal

from hexbytes import HexBytes
from pydantic import BaseModel

from steward.chains import chain_config
from steward.errors import StewardError
from steward.guard.spending import Outflow, SpendLimits
from steward.plans import Plan
from steward.simulation import SimulationResult

Decision = Literal["allow", "confirm", "deny"]
Severity = Literal["info", "warning", "danger"]

_KEY = secrets.token_bytes(32)


class Finding(BaseModel):
    """Something the guard noticed, with how much it matters and one sentence about it."""

    code: str
    severity: Severity
    message: str


class Reason(BaseModel):
    """A mandate rule that pushed the decision to confirm or deny."""

    rule: str
    decision: Decision
    message: str


class Movement(BaseModel):
    symbol: str
    amount: str  # human text, exact
    usd: str | None
    counterparty: str | None = None


class Preview(BaseModel):
    """The plain-language explanation shown before signing, and its parts for machines."""

    text: str
    sends: list[Movement]
    receives: list[Movement]
    approvals: list[str]
    fee: str


class GuardRefusal(StewardError):
    """Execution was refused because the guard's verdict does not allow this plan."""


class Verdict(BaseModel):
    id: str
    wallet: str
    chain: str
    plan_digest: str
    decision: Decision
    reasons: list[Reason]
    findings: list[Finding]
    simulation: SimulationResult
    preview: Preview
    usd_outflow: int  # USDC micros of priced assets leaving the wallet (unpriced ones need a person)
    # What leaves the wallet by token address and the limits in force when judged: the
    # executor re-checks every limit from these under the spend lock right before signing.
    outflows: list[Outflow] = []
    limits: SpendLimits
    mandate_source: str  # the mandate judged under: re-read at signing unless built in by code
    recipients: list[str]
    approved_by: str | None = None
    tag: str = ""

    @property
    def explanation(self) -> str:
        """The reasons behind the decision (for a deny, only the denying ones)."""
        shown = [r for r in self.reasons if r.decision == self.decision] or self.reasons
        return "; ".join(reason.message for reason in shown) or "within the mandate"


class Judging:
    """What a review collects (the EVM and the Solana guard both): reasons for the decision
    and findings for the person."""

    reasons: list[Reason]
    findings: list[Finding]

    def deny(self, rule: str, message: str) -> None:
        self.reasons.append(Reason(rule=rule, decision="deny", message=message))

    def confirm(self, rule: str, message: str) -> None:
        self.reasons.append(Reason(rule=rule, decision="confirm", message=message))

    def note(self, code: str, severity: str, message: str) -> None:
        self.findings.append(Finding(code=code, severity=severity, message=message))


PLAN_DIGEST_DOMAIN = "steward-plan-v1"


def plan_digest(plan: Plan, chain_id: int | None = None) -> str:
    """sha256 over exactly what will be signed: the chain (name and chain id), the sender, and
    every call's to, value and data, in order. Descriptions and gas hints are Steward's own
    labels and estimates, never signed, so they are left out: what a person approves is the
    bytes, and the preview they saw was built from simulating those bytes."""
    chain = chain_config(plan.chain) if chain_id is None or any(c.accounts for c in plan.calls) \
        else None
    if chain_id is None:
        chain_id = chain.chain_id
    if chain is not None and chain.family == "solana":
        return _solana_digest(plan, chain_id)
    canonical = {
        "domain": PLAN_DIGEST_DOMAIN, "chain": plan.chain, "chain_id": chain_id,
        "sender": plan.sender.lower(),
        "calls": [{"to": call.to.lower() if call.to is not None else None,
                   "value": str(call.value), "data": bytes(HexBytes(call.data)).hex()}
                  for call in plan.calls],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _solana_digest(plan: Plan, chain_id: int) -> str:
    """Base58 is case-sensitive, so nothing is lower-cased; every instruction's program, data
    and accounts (with their signer and writable flags) are what the signature covers."""
    canonical = {
        "domain": PLAN_DIGEST_DOMAIN, "family": "solana", "chain": plan.chain,
        "chain_id": chain_id, "sender": plan.sender,
        "instructions": [{"program": call.to, "data": bytes(HexBytes(call.data)).hex(),
                          "accounts": [[a.pubkey, a.signer, a.writable] for a in call.accounts]}
                         for call in plan.calls],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _tag(verdict: Verdict) -> str:
    body = verdict.model_dump_json(exclude={"tag"}).encode()
    return hmac.new(_KEY, body, hashlib.sha256).hexdigest()


def seal(verdict: Verdict) -> Verdict:
    return verdict.model_copy(update={"tag": _tag(verdict)})


def approve(verdict: Verdict, by: str) -> Verdict:
    """A person's yes to a confirm verdict. A deny can never be approved."""
    verify(verdict)
    if verdict.decision == "deny":
        raise GuardRefusal(f"denied by the mandate: {verdict.explanation}; nothing was signed")
    if verdict.decision == "allow":
        return verdict
    return seal(verdict.model_copy(update={"approved_by": by}))


def verify(verdict: Verdict) -> None:
    if not hmac.compare_digest(verdict.tag, _tag(verdict)):
        raise GuardRefusal("this verdict was not issued by the guard (or was altered after); "
                           "nothing was signed")


def authorize(plan: Plan, verdict: Verdict) -> None:
    """Raise unless `verdict` lets exactly `plan` be signed now."""
    verify(verdict)
    if verdict.plan_digest != plan_digest(plan):
        raise GuardRefusal("the plan differs from the one the guard simulated and judged; "
                           "nothing was signed")
    if verdict.decision == "deny":
        raise GuardRefusal(f"denied by the mandate: {verdict.explanation}; nothing was signed")
    if verdict.decision == "confirm" and not verdict.approved_by:
        raise GuardRefusal(f"a person must approve this first ({verdict.explanation}); "
                           "nothing was signed")
