"""Issue class 1: an approval is bound to the bytes that will be signed.

A person approves a payment to a contact; then someone who can write `proposals.sqlite` swaps
the recipient inside the stored calldata (and, in a variant, recomputes the stored digest too,
or forges the approval itself). Executing must sign nothing: the proposal goes `tampered`, the
journal holds no transaction and the attacker's balance is unchanged. Before plans were bound
by digest and the record sealed, the first variant paid the attacker.
"""

from __future__ import annotations

import json

import pytest
from web3 import Web3

from steward.contacts import load_contacts
from steward.guard.verdict import plan_digest
from steward.journal import Journal
from steward.planning import Plan
from steward.proposals import (ProposalError, _connection, approve_proposal, execute_proposal,
                               get_proposal, propose)

from conftest import PASSPHRASE, usdc_balance

ATTACKER = Web3.to_checksum_address("0x" + "a77ac4e5" * 5)


def transactions() -> list:
    return Journal().entries(limit=10_000)


def edit_stored(proposal_id: str, change) -> None:
    """What an attacker with write access to the file does: rewrite the stored JSON."""
    with _connection() as conn:
        (text,) = conn.execute("SELECT data FROM proposals WHERE id=?", (proposal_id,)).fetchone()
        data = json.loads(text)
        change(data)
        conn.execute("UPDATE proposals SET data=?, status=? WHERE id=?",
                     (json.dumps(data), data["status"], proposal_id))


def swap_recipient(data: dict, *, recompute_digest: bool) -> None:
    alice = load_contacts()["alice"].address.lower()[2:]
    call = data["steps"][0]["plan"]["calls"][0]
    assert alice in call["data"].lower()
    call["data"] = call["data"].lower().replace(alice, ATTACKER.lower()[2:])
    if recompute_digest:
        data["steps"][0]["digest"] = plan_digest(Plan.model_validate(data["steps"][0]["plan"]))


@pytest.mark.parametrize("recompute_digest", [False, True],
                         ids=["calldata-swapped", "calldata-and-digest-swapped"])
def test_approved_proposal_edited_in_the_database_is_never_signed(embedded_world,
                                                                  recompute_digest):
    proposal = propose("send 5 USDC to alice on l1")
    assert proposal.status == "pending", proposal.message  # a person must say yes
    assert proposal.steps[0].digest == plan_digest(proposal.steps[0].plan)
    approved = approve_proposal(proposal.id, by="tester")
    assert approved.approved_digests == [proposal.steps[0].digest]
    edit_stored(proposal.id, lambda data: swap_recipient(data, recompute_digest=recompute_digest))
    before_attacker, before_txs = usdc_balance(ATTACKER), len(transactions())

    done = execute_proposal(proposal.id, PASSPHRASE)

    assert done.status == "tampered", done.message
    assert "nothing was signed" in done.message
    assert get_proposal(proposal.id).status == "tampered"
    assert len(transactions()) == before_txs
    assert usdc_balance(ATTACKER) == before_attacker
    with pytest.raises(ProposalError, match="tampered"):  # final: never executed later
        execute_proposal(proposal.id, PASSPHRASE)
    assert usdc_balance(ATTACKER) == before_attacker


def test_approval_forged_in_the_database_is_never_signed(embedded_world):
    proposal = propose("send 5 USDC to alice on l1")
    assert proposal.status == "pending", proposal.message
    alice = load_contacts()["alice"].address
    before_alice, before_txs = usdc_balance(alice), len(transactions())

    def forge(data: dict) -> None:
        data["status"], data["decided_by"] = "approved", "owner"
        data["approved_digests"] = [step["digest"] for step in data["steps"]]
    edit_stored(proposal.id, forge)

    done = execute_proposal(proposal.id, PASSPHRASE)
    assert done.status == "tampered", done.message
    assert len(transactions()) == before_txs
    assert usdc_balance(alice) == before_alice


def test_plan_swapped_before_approval_cannot_be_approved(embedded_world):
    proposal = propose("send 5 USDC to alice on l1")
    edit_stored(proposal.id, lambda data: swap_recipient(data, recompute_digest=True))
    before_attacker, before_txs = usdc_balance(ATTACKER), len(transactions())
    with pytest.raises(ProposalError, match="cannot be approved"):
        approve_proposal(proposal.id, by="tester")
    assert get_proposal(proposal.id).status == "tampered"
    with pytest.raises(ProposalError, match="tampered"):
        execute_proposal(proposal.id, PASSPHRASE)
    assert len(transactions()) == before_txs
    assert usdc_balance(ATTACKER) == before_attacker
