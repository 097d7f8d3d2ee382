"""Signing on a Solana chain: the plan's instructions as ONE transaction, signed by the
wallet's Solana key, journaled before it is sent and settled from what the chain says.

Only `Executor.execute` calls this, after `authorize` and the limits at signing, so the one
door to signing stays one door. The transaction is all or nothing: a failure lands nothing but
the fee.
"""

from __future__ import annotations

from solders.keypair import Keypair

from steward.chains.config import ChainConfig
from steward.errors import TransactionFailed
from steward.failpoints import failpoint
from steward.journal import Journal
from steward.plans import Plan
from steward.solana import solana_chain
from steward.solana.plans import transaction

SOLANA_NONCE = 0  # Solana has no account nonce; the recent blockhash bounds a transaction's life


def send_solana_plan(journal: Journal, wallet: str, chain: ChainConfig, plan: Plan,
                     keypair: Keypair, verdict_id: str | None):
    """Sign, journal, send; returns the executor's StepResult for the one transaction."""
    from steward.execution import StepResult  # the executor's own result type

    if str(keypair.pubkey()) != plan.sender:
        raise TransactionFailed(f"the plan is for {plan.sender}, not this wallet's Solana key "
                                f"{keypair.pubkey()}; nothing was signed")
    backend = solana_chain(chain)
    tx = transaction(plan, backend.latest_blockhash(), [keypair])
    signature = str(tx.signatures[0])
    entry = journal.record_pending(
        chain=chain.name, chain_id=chain.chain_id, wallet=wallet, sender=plan.sender,
        to=plan.calls[-1].to if plan.calls else None, purpose=plan.summary, tx_hash=signature,
        nonce=SOLANA_NONCE, value_wei=0, verdict_id=verdict_id)
    failpoint("after_journal_pending")
    try:
        record = backend.send(tx)
    except Exception as exc:
        # Unknown whether it landed: the row stays pending for reconciliation to settle.
        raise TransactionFailed(f"{plan.summary}: the cluster did not answer ({exc}); it may "
                                f"still land as {signature} (see `steward log`)") from None
    failpoint("after_broadcast")
    if not record.success:
        journal.record_outcome(entry, status="reverted" if record.slot else "failed",
                               gas_used=record.compute_units, fee_wei=record.fee,
                               block_number=record.slot or None, error=record.error)
        logs = " | ".join(record.logs[-4:])
        raise TransactionFailed(f"{plan.summary} failed on {chain.name}: {record.error}"
                                + (f" ({logs})" if logs else ""))
    journal.record_outcome(entry, status="success", gas_used=record.compute_units,
                           fee_wei=record.fee, block_number=record.slot)
    failpoint("after_journal_success")
    return StepResult(plan.summary, signature, "success", record.compute_units, record.fee,
                      record.slot)


def settle_pending(journal: Journal, row) -> tuple[str, str]:
    """(status, why) for a pending Solana row found at start-up, from the chain's own record."""
    from steward.chains.config import load_config

    backend = solana_chain(load_config().chain(row.chain))
    record = backend.transaction(row.tx_hash)
    if record is None:
        if backend.embedded:  # the embedded chain records a transaction before `send` returns
            journal.record_outcome(row.id, status="not_sent", error="never processed")
            return "not_sent", "not on chain: never processed; nothing moved"
        return "pending", "not found yet; it may still land until its blockhash expires"
    status = "success" if record.success else "reverted"
    journal.record_outcome(row.id, status=status, gas_used=record.compute_units,
                           fee_wei=record.fee, block_number=record.slot, error=record.error)
    return status, f"found on chain in slot {record.slot}"


__all__ = ["send_solana_plan", "settle_pending"]
