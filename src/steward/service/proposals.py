"""Requests and proposals for every face: `ask` (the CLI's understand → judge → confirm →
sign), and the proposal queue (`propose`, `list_proposals`, `get_proposal`, `approve`,
`reject`, `execute`). The bridge relayer is chosen here, above fulfilment: the sandbox's
relayer when the sandbox chains are configured, so bridges between embedded chains are still
relayed in-process."""

from __future__ import annotations

from typing import Any, Callable

from steward import proposals
from steward.chains.config import SANDBOX_CHAINS, load_config
from steward.fulfilment import (Approver, Fulfilment, RelayerFactory, StepOutcome, deliver as
                                deliver_transfers, fulfil)
from steward.intents import ParseResult
from steward.proposals import Proposal, ProposalError, ProposalNotFound
from steward.protocols.bridge import BridgeTransfer
from steward.service.errors import ServiceError, translated

# A proposal's status → the code of an error about it (a status not listed: "conflict").
_STATUS_CODES = {"denied": "denied", "expired": "expired", "stale": "stale",
                 "tampered": "tampered"}
SIGNABLE = ("allowed", "approved")


def default_relayer() -> RelayerFactory | None:
    """`sandbox.bridge_relayer` when the sandbox's chains are configured (it signs with the
    sandbox operator's key, through the execution path), else None."""
    configured = load_config().chains
    if not all(name in configured for name in SANDBOX_CHAINS):
        return None
    from steward import sandbox  # heavy (the contract zoo); only when a relayer may be needed

    return sandbox.bridge_relayer


def _relayer(relayer: RelayerFactory | None) -> RelayerFactory | None:
    return relayer if relayer is not None else default_relayer()


def _state_error(proposal_id: str, exc: ProposalError, action: str) -> ServiceError:
    """A ProposalError with the code its proposal's status now gives."""
    if isinstance(exc, ProposalNotFound):
        return ServiceError("not_found", str(exc))
    try:
        status = proposals.get_proposal(proposal_id).status
    except ProposalError:
        status = ""
    code = _STATUS_CODES.get(status, "conflict")
    if status == "pending" and action == "execute":
        code = "needs_approval"
    return ServiceError(code, str(exc))


def _on_proposal(proposal_id: str, action: str, run: Callable[[], Proposal]) -> Proposal:
    try:
        return run()
    except ProposalError as exc:
        raise _state_error(proposal_id, exc, action) from exc


@translated
def ask(text: str, wallet: str | None, approver: Approver, *, dry_run: bool = False,
        passphrase: Callable[[], str] | None = None,
        on_intent: Callable[[ParseResult], None] = lambda intent: None,
        on_step: Callable[[StepOutcome], None] = lambda outcome: None,
        relayer: RelayerFactory | None = None,
        intent: ParseResult | None = None) -> Fulfilment:
    """A plain-language request carried through the whole flow; `approver` is the person.
    `intent`: what `understand_request` already made of `text` (then it is not parsed again)."""
    return fulfil(text, wallet, approver, dry_run=dry_run, intent=intent, passphrase=passphrase,
                  on_intent=on_intent, on_step=on_step, relayer=_relayer(relayer))


@translated
def deliver(source: str, destination: str, tx_hash: str,
            relayer: RelayerFactory | None = None) -> list[BridgeTransfer]:
    """Wait until the bridge transfers sent in `tx_hash` arrive on `destination`."""
    return deliver_transfers(source, destination, tx_hash, _relayer(relayer))


@translated
def propose(text: str | None = None, *, intent: Any = None,
            wallet: str | None = None) -> Proposal:
    """Understand, plan, simulate and judge a request (plain words or a structured intent as a
    JSON object); store it as a proposal. Nothing is signed."""
    if intent is not None and not isinstance(intent, dict):
        raise ServiceError("invalid_input", "intent must be a JSON object such as {\"action\": "
                                            "\"transfer\", \"amount\": {\"kind\": \"exact\", "
                                            "\"value\": \"5\"}, \"token\": \"USDC\", "
                                            "\"recipient\": \"alice\"}")
    return proposals.propose(text, intent=intent, wallet=wallet)


@translated
def list_proposals(status: str | None = None, limit: int = 50) -> list[Proposal]:
    """Newest first; `status` filters."""
    return proposals.list_proposals(status, limit)


@translated
def get_proposal(proposal_id: str) -> Proposal:
    return _on_proposal(proposal_id, "get", lambda: proposals.get_proposal(proposal_id))


@translated
def approve(proposal_id: str, by: str) -> Proposal:
    """A person's yes to a pending proposal; signs nothing."""
    return _on_proposal(proposal_id, "approve",
                        lambda: proposals.approve_proposal(proposal_id, by=by))


@translated
def reject(proposal_id: str, by: str) -> Proposal:
    return _on_proposal(proposal_id, "reject",
                        lambda: proposals.reject_proposal(proposal_id, by=by))


@translated
def execute(proposal_id: str, passphrase: str | None, *, cannot_sign: str | None = None,
            relayer: RelayerFactory | None = None) -> Proposal:
    """Sign an allowed or approved proposal, re-judged right before signing. Without a
    passphrase, a signable proposal is refused with `cannot_sign` (the face's words for how to
    give one; "{wallet}" in it names the proposal's wallet) rather than prompting; other
    statuses are refused with their own reason."""
    if not passphrase and cannot_sign is not None:
        proposal = get_proposal(proposal_id)
        if proposal.status in SIGNABLE:
            raise ServiceError("cannot_sign", cannot_sign.replace("{wallet}", proposal.wallet))
    return _on_proposal(proposal_id, "execute", lambda: proposals.execute_proposal(
        proposal_id, passphrase or "", relayer=_relayer(relayer)))


__all__ = ["SIGNABLE", "approve", "ask", "default_relayer", "deliver", "execute",
           "get_proposal", "list_proposals", "propose", "reject"]
