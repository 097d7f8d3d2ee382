"""Issue class 9: the journal never claims what did not happen, and nothing stays `executing`.

A real `steward` process is killed with SIGKILL (the STEWARD_FAILPOINT test hook, see
steward/failpoints.py) at several points of signing; the next process reconciles on start.
Then the journal and the chain must agree: a transaction is on chain exactly when the journal
says success, the recipient's balance moved exactly then, nothing is left pending, and the
daily spend and known recipients count exactly what landed. Before the fix, a kill right after
the success row on an embedded chain left "success" for a transaction the chain never kept.
"""

from __future__ import annotations

import signal

import pytest
from web3 import Web3
from web3.exceptions import TransactionNotFound

from steward import chains
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.guard.mandate import mandate_path
from steward.journal import Journal
from steward.proposals import (ProposalError, approve_proposal, execute_proposal, get_proposal,
                               propose, reject_proposal)
from steward.wallets import WalletStore

from conftest import PASSPHRASE, forget_process_state, run_cli, usdc_balance

USDC = 10**6
KILLED = -signal.SIGKILL


def bob() -> str:
    return Web3.to_checksum_address(load_contacts()["bob"].address)


def main_address() -> str:
    return WalletStore().get("main").address


def main_rows() -> list:
    sender = main_address().lower()
    return [e for e in Journal().entries(limit=10_000) if e.sender.lower() == sender]


def on_chain(tx_hash: str) -> bool:
    w3 = chains.connect(load_config().chain("sandbox-l1"))
    try:
        receipt = w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        return False
    finally:
        chains.end_all_sessions()
    return receipt["status"] == 1


def assert_journal_matches_chain(rows: list) -> int:
    """Every row of main's is settled and says success exactly when the chain has it."""
    for row in rows:
        assert row.status != "pending", row
        assert on_chain(row.tx_hash) == (row.status == "success"), row
    return sum(row.status == "success" for row in rows)


@pytest.mark.parametrize("point, lands", [
    ("after_journal_pending", False),   # signed and journalled, never broadcast
    ("after_broadcast", False),         # embedded: mined in memory, lost with the process
    ("after_journal_success", True),    # the journal said success: the chain must have it
])
def test_kill_9_while_sending_leaves_journal_and_chain_in_agreement(embedded_world, point,
                                                                    lands):
    recipient, main = bob(), main_address()
    before, rows_before = usdc_balance(recipient), len(main_rows())
    spent_before = Journal().spent_usd(main)
    assert recipient.lower() not in Journal().past_recipients(main)
    forget_process_state()

    killed = run_cli("send", "25", "USDC", "bob", "--yes", home=embedded_world,
                     env={"STEWARD_FAILPOINT": point})
    assert killed.returncode == KILLED, killed.stderr

    # The next process reconciles on start and says what it found.
    after = run_cli("log", "--json", home=embedded_world)
    assert after.returncode == 0, after.stderr
    expected = ("reconciled verdict" if lands else "pending → not_sent")
    assert expected in after.stderr, after.stderr

    rows = main_rows()[: len(main_rows()) - rows_before]
    assert len(rows) == 1
    assert assert_journal_matches_chain(rows) == (1 if lands else 0)
    assert rows[0].status == ("success" if lands else "not_sent")
    assert usdc_balance(recipient) == before + (25 * USDC if lands else 0)
    # Limits count only what landed.
    journal = Journal()
    verdict = next(v for v in journal.verdicts(limit=10) if v.sender.lower() == main.lower()
                   and v.recipients)
    assert verdict.status == ("executed" if lands else "aborted")
    assert verdict.usd_outflow > 0
    assert journal.spent_usd(main) - spent_before == (verdict.usd_outflow if lands else 0)
    assert (recipient.lower() in journal.past_recipients(main)) == lands


def test_kill_9_while_executing_a_proposal_is_settled_at_start(embedded_world):
    recipient = bob()
    before = usdc_balance(recipient)
    proposal = propose("send 5 USDC to bob on l1")
    if proposal.status == "pending":
        approve_proposal(proposal.id, by="tester")
    forget_process_state()

    killed = run_cli("execute", proposal.id, home=embedded_world,
                     env={"STEWARD_FAILPOINT": "after_journal_success"})
    assert killed.returncode == KILLED, killed.stderr
    assert get_proposal(proposal.id).status == "executing"  # what the crash left

    after = run_cli("proposals", home=embedded_world)
    assert after.returncode == 0, after.stderr
    assert f"reconciled proposal {proposal.id}" in after.stderr
    settled = get_proposal(proposal.id)
    assert settled.status == "executed", settled.message
    assert settled.steps[0].status == "done" and settled.steps[0].tx_hashes
    assert all(on_chain(h) for h in settled.steps[0].tx_hashes)
    assert usdc_balance(recipient) == before + 5 * USDC


def test_proposal_killed_before_signing_ends_failed_and_can_be_rejected(embedded_world):
    recipient = bob()
    before, rows_before = usdc_balance(recipient), len(main_rows())
    proposal = propose("send 5 USDC to bob on l1")
    if proposal.status == "pending":
        approve_proposal(proposal.id, by="tester")
    forget_process_state()
    killed = run_cli("execute", proposal.id, home=embedded_world,
                     env={"STEWARD_FAILPOINT": "after_proposal_step_signing"})
    assert killed.returncode == KILLED, killed.stderr

    assert run_cli("proposals", home=embedded_world).returncode == 0
    settled = get_proposal(proposal.id)
    assert settled.status == "failed", settled.message
    assert settled.steps[0].status == "failed"
    assert reject_proposal(proposal.id, by="tester").status == "rejected"
    assert len(main_rows()) == rows_before
    assert usdc_balance(recipient) == before


def test_rejudging_that_raises_ends_failed_never_executing(embedded_world):
    recipient = bob()
    proposal = propose("send 5 USDC to bob on l1")
    if proposal.status == "pending":
        approve_proposal(proposal.id, by="tester")
    before, rows_before = usdc_balance(recipient), len(main_rows())
    mandate_path("main").write_text("[limits\nthis is not TOML")  # edited between approve/execute

    done = execute_proposal(proposal.id, PASSPHRASE)

    assert done.status == "failed", done.message
    assert get_proposal(proposal.id).status == "failed"
    assert "nothing landed" in done.message
    assert done.steps[0].status == "failed"
    with pytest.raises(ProposalError, match="failed"):
        execute_proposal(proposal.id, PASSPHRASE)
    assert reject_proposal(proposal.id, by="tester").status == "rejected"
    assert len(main_rows()) == rows_before
    assert usdc_balance(recipient) == before


def test_unexpected_error_while_rejudging_is_recorded_then_raised(embedded_world, monkeypatch):
    import steward.proposals as proposals

    proposal = propose("send 5 USDC to bob on l1")
    if proposal.status == "pending":
        approve_proposal(proposal.id, by="tester")

    def broken_rpc(*args, **kwargs):
        raise ConnectionError("the RPC endpoint went away")
    monkeypatch.setattr(proposals, "review", broken_rpc)
    with pytest.raises(ConnectionError):
        execute_proposal(proposal.id, PASSPHRASE)
    stopped = get_proposal(proposal.id)
    assert stopped.status == "failed" and "ConnectionError" in stopped.message
    assert reject_proposal(proposal.id, by="tester").status == "rejected"
