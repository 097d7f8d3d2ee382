"""The proposal queue: judged now, signed later, only when allowed or approved, never stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from web3 import Web3

from steward import chains
from steward.chains.config import config_path, load_config, update_chain
from steward.errors import StewardError
from steward.proposals import (ProposalError, ProposalNotFound, _connection, approve_proposal,
                               execute_proposal, get_proposal, list_proposals, propose,
                               reject_proposal)
from steward.protocols import erc20
from steward.contacts import load_contacts
from conftest import PASSPHRASE, run_cli


def usdc_balance(holder: str, chain: str = "sandbox-l1") -> int:
    config = load_config().chain(chain)
    w3 = chains.connect(config)
    balance = erc20.balance_of(w3, config.tokens["USDC"], holder)
    chains.end_all_sessions()
    return balance


def alice() -> str:
    return Web3.to_checksum_address(load_contacts()["alice"].address)


def test_allowed_proposal_executes_and_moves_exactly_what_was_previewed(embedded_world):
    before = usdc_balance(alice())
    proposal = propose("swap 10 USDC for ETH on l1")
    assert proposal.status == "allowed", proposal.message
    assert proposal.decision == "allow"
    usdc = load_config().chain("sandbox-l1").tokens["USDC"]
    assert [c.delta for c in proposal.steps[0].changes if c.token == usdc] == [-10_000_000]
    done = execute_proposal(proposal.id, PASSPHRASE)
    assert done.status == "executed", done.message
    assert done.steps[0].tx_hashes
    assert get_proposal(proposal.id).status == "executed"
    assert usdc_balance(alice()) == before
    with pytest.raises(ProposalError, match="executed"):
        execute_proposal(proposal.id, PASSPHRASE)


def test_pending_proposal_waits_for_a_person_then_executes(embedded_world):
    before = usdc_balance(alice())
    proposal = propose("send 5 USDC to alice on l1")
    assert proposal.status == "pending"
    assert any(r.rule for r in proposal.steps[0].reasons)
    assert proposal.id in proposal.message
    with pytest.raises(ProposalError, match="approve"):
        execute_proposal(proposal.id, PASSPHRASE)
    assert usdc_balance(alice()) == before
    approved = approve_proposal(proposal.id, by="tester")
    assert approved.status == "approved" and approved.decided_by == "tester"
    done = execute_proposal(proposal.id, PASSPHRASE)
    assert done.status == "executed", done.message
    assert usdc_balance(alice()) == before + 5_000_000


def test_rejected_and_denied_proposals_are_never_signed(embedded_world):
    before = usdc_balance(alice())
    proposal = propose("send 5 USDC to alice on l1")
    assert reject_proposal(proposal.id, by="tester").status == "rejected"
    with pytest.raises(ProposalError, match="rejected"):
        approve_proposal(proposal.id, by="tester")
    with pytest.raises(ProposalError, match="rejected"):
        execute_proposal(proposal.id, PASSPHRASE)
    denied = propose("send 5000 USDC to alice on l1")
    assert denied.status == "denied", denied.message
    with pytest.raises(ProposalError, match="no one can approve a deny"):
        execute_proposal(denied.id, PASSPHRASE)
    with pytest.raises(ProposalError, match="only pending"):
        approve_proposal(denied.id, by="tester")
    assert usdc_balance(alice()) == before


def test_expired_proposal_cannot_be_approved_or_executed(embedded_world):
    proposal = propose("send 5 USDC to alice on l1")
    past = (datetime.now(UTC) - timedelta(seconds=1))
    stored = get_proposal(proposal.id).model_copy(update={"expires_at": past})
    with _connection() as conn:
        conn.execute("UPDATE proposals SET expires_at=?, data=? WHERE id=?",
                     (past.isoformat(), stored.model_dump_json(), proposal.id))
    assert get_proposal(proposal.id).status == "expired"
    with pytest.raises(ProposalError, match="expired"):
        approve_proposal(proposal.id, by="tester")
    with pytest.raises(ProposalError, match="expired"):
        execute_proposal(proposal.id, PASSPHRASE)


def test_ttl_comes_from_the_config(embedded_world):
    path = config_path()
    path.write_text(path.read_text() + "\n[proposals]\nttl_seconds = 60\n")
    update_chain("sandbox-l2", aliases=["l2", "optimism-sandbox"])  # rewrites the chains only
    proposal = propose("send 5 USDC to alice on l1")
    assert 59 <= (proposal.expires_at - proposal.created_at).total_seconds() <= 60
    path.write_text(path.read_text().replace("ttl_seconds = 60", "ttl_seconds = -5"))
    with pytest.raises(StewardError, match="ttl_seconds must be a positive"):
        propose("send 5 USDC to alice on l1")


def test_a_changed_world_makes_an_approved_proposal_stale(embedded_world):
    proposal = propose("swap 500 USDC for ETH on l1")
    assert proposal.status in ("allowed", "pending"), proposal.message
    if proposal.status == "pending":
        approve_proposal(proposal.id, by="tester")
    # Someone else trades in the same pool first: the same swap now yields a different amount.
    other = propose("swap 900 USDC for ETH on l1")
    if other.status == "pending":
        approve_proposal(other.id, by="tester")
    assert execute_proposal(other.id, PASSPHRASE).status == "executed"
    before = usdc_balance(get_proposal(proposal.id).address)
    stale = execute_proposal(proposal.id, PASSPHRASE)
    assert stale.status == "stale"
    assert "simulated balance changes differ" in stale.message
    assert usdc_balance(stale.address) == before


def test_structured_intent_and_bad_input(embedded_world):
    proposal = propose(intent={"action": "transfer", "amount": {"kind": "exact", "value": "5"},
                               "token": "USDC", "recipient": "alice",
                               "chain": "sandbox-l1"})
    assert proposal.status == "pending"
    assert proposal.intent["recipient"] == "alice"
    with pytest.raises(StewardError, match="invalid intent at transfer.amount"):
        propose(intent={"action": "transfer", "token": "USDC", "recipient": "alice",
                               "chain": "sandbox-l1"})
    with pytest.raises(StewardError, match="invalid intent"):
        propose(intent={"action": "teleport"})
    with pytest.raises(StewardError, match="either the request text or a structured intent"):
        propose("send 5 USDC to alice on l1", intent={"action": "wrap"})
    with pytest.raises(StewardError, match="empty"):
        propose("   ")
    with pytest.raises(StewardError, match="nobody"):
        propose("send 5 USDC to alice on l1", wallet="nobody")
    with pytest.raises(ProposalNotFound):
        get_proposal("p-0000000000")
    with pytest.raises(StewardError, match="unknown proposal status"):
        list_proposals(status="sleeping")
    unclear = propose("send 5 USDC to bobby")
    assert unclear.status == "needs_clarification" and unclear.question
    assert [p.id for p in list_proposals()][:2] == [unclear.id, proposal.id]


def test_cli_lists_approves_and_rejects(embedded_world):
    pending = propose("send 5 USDC to alice on l1")
    other = propose("send 6 USDC to alice on l1")
    listed = run_cli("proposals", "--json", home=embedded_world)
    assert listed.returncode == 0, listed.stderr
    assert pending.id in listed.stdout
    approved = run_cli("approve", pending.id, "--yes", home=embedded_world)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert get_proposal(pending.id).status == "approved"
    rejected = run_cli("reject", other.id, home=embedded_world)
    assert rejected.returncode == 0, rejected.stdout + rejected.stderr
    assert get_proposal(other.id).status == "rejected"
    again = run_cli("approve", other.id, "--yes", home=embedded_world)
    assert again.returncode != 0 and "rejected" in again.stdout + again.stderr
    executed = run_cli("approve", pending.id, "--yes", "--execute", home=embedded_world)
    assert executed.returncode != 0  # already approved: approving twice is refused
    done = run_cli("execute", pending.id, home=embedded_world)
    assert done.returncode == 0, done.stdout + done.stderr
    assert get_proposal(pending.id).status == "executed"
