"""What every command does first, kept light: settle what a crashed process left unfinished.

`steward.proposals.recovery.reconcile` settles it from the chains, and loading it loads web3,
py-evm and the whole signing path. Most of the time nothing is unfinished, so the journal and
the proposal queue are read first (SQLite only) and reconcile is loaded only when a row waits
for it: a pending transaction, a verdict still executing, or a proposal still executing.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from steward.home import steward_home


def unfinished_work() -> bool:
    """Whether `reconcile` may have something to settle (it does nothing without a journal)."""
    home = steward_home()
    if not (home / "journal.sqlite").exists():
        return False
    from steward.journal import Journal

    journal = Journal()
    if journal.pending_transactions() or journal.verdicts_with_status("executing"):
        return True
    return _executing_proposals(home / "proposals.sqlite")


def _executing_proposals(path) -> bool:
    if not path.exists():
        return False
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        try:
            row = conn.execute("SELECT 1 FROM proposals WHERE status='executing' LIMIT 1")
            return row.fetchone() is not None
        except sqlite3.OperationalError:
            return True  # not a queue this reads: reconcile's own reading decides


def reconcile_at_start() -> list:
    """`reconcile()`'s entries (each has the `line` to show), or none when nothing waits."""
    if not unfinished_work():
        return []
    from steward.proposals.recovery import reconcile

    return reconcile()


__all__ = ["reconcile_at_start", "unfinished_work"]
