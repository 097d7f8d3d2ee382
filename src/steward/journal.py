"""The journal: every guard verdict and every transaction Steward signed, in SQLite in the
Steward home. Daily limits and first-time-recipient checks are counted from it, so they hold
across restarts and concurrent processes.

A row is written as `pending` before the transaction is broadcast (its hash is known once it is
signed) and updated from the receipt, so a crash between the two leaves a hash to look up
rather than a silent gap. Each transaction row names the verdict it executes, so start-up
reconciliation (`steward.execution.reconcile`) can settle both from the chain.

Verdict statuses: `judged`, `executing` (signing now, or a process died while signing),
`executed` (every call landed), `failed` (something landed or may still land: counted against
the daily limit) and `aborted` (nothing landed: not counted).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from steward.home import home_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    chain TEXT NOT NULL,
    chain_id INTEGER NOT NULL,
    wallet TEXT NOT NULL,
    sender TEXT NOT NULL,
    to_address TEXT,
    purpose TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    value_wei TEXT NOT NULL,
    status TEXT NOT NULL,
    gas_used INTEGER,
    fee_wei TEXT,
    block_number INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS transactions_by_sender ON transactions (chain_id, sender);
CREATE TABLE IF NOT EXISTS verdicts (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    wallet TEXT NOT NULL,
    sender TEXT NOT NULL,
    chain TEXT NOT NULL,
    summary TEXT NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL,
    usd_outflow INTEGER,
    recipients TEXT NOT NULL,
    approved_by TEXT,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verdicts_by_wallet ON verdicts (wallet, status, created_at);
"""


# Columns added after the first release; `_add_column` adds them to older journals.
_LATER_COLUMNS = (
    ("transactions", "verdict_id", "TEXT"),
    ("verdicts", "calls", "INTEGER"),
    ("verdicts", "plan_digest", "TEXT"),
    ("verdicts", "outflows", "TEXT"),  # JSON: token address (or "native") → base units, as text
)


def _add_column(conn: sqlite3.Connection, table: str, column: str, decl: str) -> None:
    """Add `column` to `table` unless it is there (idempotent; safe against a concurrent add)."""
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    if column in present:
        return
    try:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):
            raise


class VerdictEntry(BaseModel):
    id: str
    created_at: str
    wallet: str
    sender: str
    chain: str
    summary: str
    decision: str
    reasons: list[str]
    usd_outflow: int | None
    recipients: list[str]
    approved_by: str | None
    status: str  # judged, executing, executed, failed, aborted
    calls: int | None = None
    plan_digest: str | None = None


class JournalEntry(BaseModel):
    id: int
    created_at: str
    chain: str
    chain_id: int
    wallet: str
    sender: str
    to_address: str | None
    purpose: str
    tx_hash: str
    nonce: int
    value_wei: str
    status: str
    gas_used: int | None
    fee_wei: str | None
    block_number: int | None
    error: str | None
    verdict_id: str | None = None


class Journal:
    def __init__(self, path: Path | None = None):
        self.path = path or home_path("journal.sqlite")
        self._local = threading.local()
        with self._connection() as conn:
            conn.executescript(SCHEMA)
            for table, column, decl in _LATER_COLUMNS:
                _add_column(conn, table, column, decl)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def record_pending(
        self, *, chain: str, chain_id: int, wallet: str, sender: str, to: str | None,
        purpose: str, tx_hash: str, nonce: int, value_wei: int, verdict_id: str | None = None,
    ) -> int:
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT INTO transactions (created_at, chain, chain_id, wallet, sender, to_address,"
                " purpose, tx_hash, nonce, value_wei, status, verdict_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (_now(), chain, chain_id, wallet, sender,
                 to, purpose, tx_hash, nonce, str(value_wei), "pending", verdict_id),
            )
            return cursor.lastrowid

    def record_outcome(
        self, entry_id: int, *, status: str, gas_used: int | None = None,
        fee_wei: int | None = None, block_number: int | None = None, error: str | None = None,
    ) -> None:
        with self._connection() as conn:
            conn.execute(
                "UPDATE transactions SET status=?, gas_used=?, fee_wei=?, block_number=?, error=?"
                " WHERE id=?",
                (status, gas_used, None if fee_wei is None else str(fee_wei), block_number, error,
                 entry_id),
            )

    def _latest(self, table: str, order: str, limit: int, wallet: str | None) -> list[sqlite3.Row]:
        query, params = f"SELECT * FROM {table}", ()
        if wallet:
            query, params = query + " WHERE wallet = ?", (wallet,)
        return self._select(f"{query} ORDER BY {order} LIMIT ?", (*params, limit))

    def entries(self, limit: int = 50, wallet: str | None = None) -> list[JournalEntry]:
        rows = self._latest("transactions", "id DESC", limit, wallet)
        return [JournalEntry(**dict(row)) for row in rows]

    # --- verdicts ------------------------------------------------------------------------
    def record_verdict(self, *, id: str, wallet: str, sender: str, chain: str, summary: str,
                       decision: str, reasons: list[str], usd_outflow: int | None,
                       recipients: list[str], outflows: dict[str, int] | None = None) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO verdicts (id, created_at, wallet, sender, chain, summary, decision,"
                " reasons, usd_outflow, recipients, status, outflows)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (id, _now(), wallet, sender, chain, summary, decision, json.dumps(reasons),
                 usd_outflow, json.dumps([r.lower() for r in recipients]), "judged",
                 json.dumps({token.lower(): str(amount)
                             for token, amount in (outflows or {}).items()})),
            )

    def mark_verdict(self, verdict_id: str, status: str, approved_by: str | None = None, *,
                     calls: int | None = None, plan_digest: str | None = None) -> None:
        with self._connection() as conn:
            conn.execute("UPDATE verdicts SET status=?, approved_by=COALESCE(?, approved_by),"
                         " calls=COALESCE(?, calls), plan_digest=COALESCE(?, plan_digest)"
                         " WHERE id=?", (status, approved_by, calls, plan_digest, verdict_id))

    def settle_verdict(self, verdict_id: str) -> str:
        """Set a verdict's status from its transactions: `executed` when every call succeeded,
        `failed` when something landed or may still land (a pending row), `aborted` when
        nothing did. Returns the status."""
        rows = self.transactions_for_verdict(verdict_id)
        entry = self.verdict(verdict_id)
        calls = entry.calls if entry and entry.calls is not None else None
        succeeded = sum(row.status == "success" for row in rows)
        if calls is not None and succeeded == calls and calls > 0:
            status = "executed"
        elif succeeded or any(row.status == "pending" for row in rows):
            status = "failed"
        else:
            status = "aborted"
        self.mark_verdict(verdict_id, status)
        return status

    def verdict(self, verdict_id: str) -> VerdictEntry | None:
        rows = self._select("SELECT * FROM verdicts WHERE id=?", (verdict_id,))
        return _verdict_entry(rows[0]) if rows else None

    def verdicts_with_status(self, status: str) -> list[VerdictEntry]:
        rows = self._select("SELECT * FROM verdicts WHERE status=? ORDER BY created_at", (status,))
        return [_verdict_entry(row) for row in rows]

    def transactions_for_verdict(self, verdict_id: str) -> list[JournalEntry]:
        rows = self._select("SELECT * FROM transactions WHERE verdict_id=? ORDER BY id",
                            (verdict_id,))
        return [JournalEntry(**dict(row)) for row in rows]

    def pending_transactions(self) -> list[JournalEntry]:
        rows = self._select("SELECT * FROM transactions WHERE status='pending' ORDER BY id", ())
        return [JournalEntry(**dict(row)) for row in rows]

    def _select(self, query: str, params: tuple) -> list[sqlite3.Row]:
        conn = self._connection()
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.row_factory = None

    # What counts against the limits: every verdict whose plan is being signed or may have
    # moved value (the spend queries below are the only place that decides it).
    SPENDING_STATUSES = ("executing", "executed", "failed")

    def _spending(self, columns: str, sender: str, hours: int, chain: str | None,
                  wallet: str | None = None) -> list:
        since = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
        marks = ",".join("?" * len(self.SPENDING_STATUSES))
        who = "(lower(sender)=? OR wallet=?)" if wallet else "lower(sender)=?"
        query = (f"SELECT {columns} FROM verdicts WHERE {who}"
                 f" AND status IN ({marks}) AND created_at >= ?")
        params: tuple = (sender.lower(), *((wallet,) if wallet else ()),
                         *self.SPENDING_STATUSES, since)
        if chain:
            query += " AND chain=?"
            params += (chain,)
        return self._connection().execute(query, params).fetchall()

    def spent_usd(self, sender: str, hours: int = 24, chain: str | None = None,
                  wallet: str | None = None) -> int:
        """USD (micros) that left `sender` (and, when given, any address of `wallet`: its EVM and
        Solana keys) through executed plans in the last `hours`."""
        return self._spending("COALESCE(SUM(usd_outflow), 0)", sender, hours, chain,
                              wallet)[0][0]

    def spent_token(self, sender: str, chain: str, token: str, hours: int = 24) -> int:
        """Base units of `token` (lower-case address, or "native") that left `sender` on
        `chain` through executed plans in the last `hours` (summed here: they exceed 2**63)."""
        rows = self._spending("outflows", sender, hours, chain)
        return sum(int(json.loads(text).get(token.lower(), 0)) for (text,) in rows if text)

    def past_recipients(self, sender: str) -> set[str]:
        """Every address `sender` has sent value to through an executed plan (lower-case)."""
        rows = self._connection().execute(
            "SELECT recipients FROM verdicts WHERE lower(sender)=? AND status='executed'",
            (sender.lower(),)).fetchall()
        return {address for (text,) in rows for address in json.loads(text)}

    def verdicts(self, limit: int = 50, wallet: str | None = None) -> list[VerdictEntry]:
        rows = self._latest("verdicts", "created_at DESC, rowid DESC", limit, wallet)
        return [_verdict_entry(row) for row in rows]


def _verdict_entry(row: sqlite3.Row) -> VerdictEntry:
    return VerdictEntry(**(dict(row) | {"reasons": json.loads(row["reasons"]),
                                        "recipients": json.loads(row["recipients"])}))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
