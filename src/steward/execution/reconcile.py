"""Start-up reconciliation: the journal made to agree with the chains after a crash.

A process that dies while signing leaves journal rows `pending` and verdicts `executing`.
On start (every CLI command, `steward serve`, `steward mcp`) each such row whose wallet no
live process is signing for (its spend lock is free) is looked up on its chain:

- a receipt for the hash → `success` or `reverted`;
- no receipt, but the node still holds the transaction → left `pending` (it may land);
- no receipt and the account's nonce is past the row's → `replaced` (another transaction
  took the nonce; this one can never land);
- no receipt and the nonce unused → `not_sent` (never broadcast, or lost with a crash).

Verdicts are then settled from their rows (`Journal.settle_verdict`): only what the chain
confirms counts against daily limits and makes a recipient known.
"""

from __future__ import annotations

from typing import Literal

from filelock import Timeout
from pydantic import BaseModel
from web3.exceptions import TransactionNotFound

from steward.chains import chain_config, connect, end_all_sessions
from steward.errors import StewardError
from steward.execution import spend_lock
from steward.journal import Journal, JournalEntry


class Reconciled(BaseModel):
    """One row that start-up found unfinished, and what it is now."""

    kind: Literal["transaction", "verdict", "proposal"]
    id: str
    before: str
    after: str
    message: str

    @property
    def line(self) -> str:
        return f"reconciled {self.kind} {self.id}: {self.before} → {self.after} ({self.message})"


def reconcile_journal(journal: Journal | None = None) -> list[Reconciled]:
    """Settle pending transactions and executing verdicts that no live process owns."""
    journal = journal or Journal()
    senders: dict[str, None] = {}
    for row in journal.pending_transactions():
        senders[row.sender.lower()] = None
    for entry in journal.verdicts_with_status("executing"):
        senders[entry.sender.lower()] = None
    found: list[Reconciled] = []
    try:
        for sender in senders:
            lock = spend_lock(sender)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue  # a live process is signing for this wallet: its rows are its own
            try:
                found += _reconcile_sender(journal, sender)
            finally:
                lock.release()
    finally:
        if senders:
            end_all_sessions()
    return found


def _reconcile_sender(journal: Journal, sender: str) -> list[Reconciled]:
    found: list[Reconciled] = []
    touched: set[str] = set()
    for row in journal.pending_transactions():  # read again, now under the lock
        if row.sender.lower() != sender:
            continue
        outcome = _reconcile_transaction(journal, row)
        found.append(outcome)
        if outcome.after != "pending" and row.verdict_id:
            touched.add(row.verdict_id)
    executing = {e.id for e in journal.verdicts_with_status("executing")
                 if e.sender.lower() == sender}
    for verdict_id in sorted(executing | touched):
        entry = journal.verdict(verdict_id)
        if entry is None or entry.status not in ("executing", "failed"):
            continue
        after = journal.settle_verdict(verdict_id)
        if after != entry.status:
            found.append(Reconciled(kind="verdict", id=verdict_id, before=entry.status, after=after,
                                    message=_VERDICT_MEANING[after]))
    return found


_VERDICT_MEANING = {
    "executed": "every call landed",
    "failed": "some of it landed or may still land; it counts against the limits",
    "aborted": "nothing landed; it does not count against the limits",
}


def _reconcile_transaction(journal: Journal, row: JournalEntry) -> Reconciled:
    def outcome(after: str, message: str) -> Reconciled:
        return Reconciled(kind="transaction", id=row.tx_hash, before="pending", after=after,
                          message=f"{row.purpose} on {row.chain}, nonce {row.nonce}: {message}")

    try:
        config = chain_config(row.chain)
        if config.chain_id != row.chain_id:
            return outcome("pending", f"{row.chain} is now configured with chain id "
                                      f"{config.chain_id}, not {row.chain_id}; could not check")
        if config.family == "solana":
            from steward.execution.solana import settle_pending

            return outcome(*settle_pending(journal, row))
        w3 = connect(config)
        try:
            receipt = w3.eth.get_transaction_receipt(row.tx_hash)
        except TransactionNotFound:
            receipt = None
        if receipt is not None:
            status = "success" if receipt["status"] == 1 else "reverted"
            journal.record_outcome(
                row.id, status=status, gas_used=receipt["gasUsed"],
                fee_wei=receipt["gasUsed"] * receipt["effectiveGasPrice"],
                block_number=receipt["blockNumber"],
                error=None if status == "success" else "reverted on-chain (found at start-up)")
            return outcome(status, f"found on chain in block {receipt['blockNumber']}")
        if _known_to_node(w3, row.tx_hash):
            return outcome("pending", "the node still holds it; it may land")
        nonce = w3.eth.get_transaction_count(row.sender, "latest")
    except StewardError as exc:
        return outcome("pending", f"could not check: {exc}")
    except Exception as exc:  # an unreachable node is "could not establish", never a fact
        return outcome("pending", f"could not check ({type(exc).__name__})")
    if nonce > row.nonce:
        status, why = "replaced", "another transaction took its nonce; it can never land"
    else:
        status, why = "not_sent", ("not on chain and its nonce is unused: never broadcast, or "
                                   "lost in a crash")
    journal.record_outcome(row.id, status=status, error=why)
    return outcome(status, why + ("; nothing moved" if status == "not_sent" else ""))


def _known_to_node(w3, tx_hash: str) -> bool:
    try:
        w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return False
    return True


__all__ = ["Reconciled", "reconcile_journal"]
