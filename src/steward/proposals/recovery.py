"""Start-up recovery: proposals left `executing` by a process that died, settled from the
journal (after `reconcile_journal` has settled the journal from the chains).

`reconcile()` is what every interface calls on start: the journal first, then proposals. A
proposal whose execution lock is still held belongs to a live process and is left alone.
"""

from __future__ import annotations

from filelock import Timeout

from steward.execution.reconcile import Reconciled, reconcile_journal
from steward.home import steward_home
from steward.journal import Journal
from steward.proposals import (Proposal, _connection, _end, _execution_lock, _save,
                               settle_step)


def reconcile() -> list[Reconciled]:
    """Settle what a crash left unfinished; returns one entry per row it changed or could not
    settle. Does nothing (and creates nothing) in a home without a journal."""
    home = steward_home()
    found: list[Reconciled] = []
    if (home / "journal.sqlite").exists():
        journal = Journal()
        found += reconcile_journal(journal)
        if (home / "proposals.sqlite").exists():
            found += recover_proposals(journal)
    return found


def recover_proposals(journal: Journal) -> list[Reconciled]:
    with _connection() as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM proposals WHERE status='executing'")]
    found: list[Reconciled] = []
    for proposal_id in ids:
        lock = _execution_lock(proposal_id)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # a live process is executing it
        try:
            with _connection() as conn:
                row = conn.execute("SELECT data FROM proposals WHERE id=?",
                                   (proposal_id,)).fetchone()
            proposal = Proposal.model_validate_json(row[0])
            if proposal.status != "executing":
                continue
            _recover(proposal, journal)
            _save(proposal, expected=("executing",))
            found.append(Reconciled(kind="proposal", id=proposal_id, before="executing",
                                    after=proposal.status, message=proposal.message))
        finally:
            lock.release()
    return found


def _recover(proposal: Proposal, journal: Journal) -> None:
    for step in proposal.steps:
        settle_step(step, journal)
    if all(step.status == "done" for step in proposal.steps):
        proposal.status = "executed"
        bridged = any(step.destination for step in proposal.steps)
        proposal.message = ("done (settled at start-up after the executing process stopped): "
                            + "; ".join(step.summary for step in proposal.steps)
                            + ("; the bridge delivery was not waited for" if bridged else ""))
        return
    _end(proposal, "the process executing it stopped before it finished (settled at start-up "
                   "from the journal and the chain)")


__all__ = ["recover_proposals", "reconcile"]
