"""The payer's ledger, `<home>/payments.sqlite`: one row per payment id, from judging to its end.

A row is claimed (PRIMARY KEY on the payment id) before the guard judges anything, and the signed
authorization is written (with `synchronous=FULL`) before it is sent: so a payment id is signed at
most once, a crash after signing leaves a row that reconciliation settles against the chain, and a
retry resends the very same authorization, which EIP-3009 lets the chain settle only once.

Statuses:

| status | meaning | counts against the caps |
|---|---|---|
| judging | claimed; the guard is judging it | yes (until it ends) |
| refused | the guard refused it; nothing was signed | no |
| signed | signed and recorded; being sent | yes |
| pending | sent, but the answer did not show it settled and delivered | yes |
| delivered | settled on chain and the resource received | yes |
| undelivered | settled on chain (the money moved) but the resource never came: the record to claim a refund with | yes |
| cancelled | never settled: the payer cancelled the authorization on chain | no |
| expired | never settled: its validity window passed | no |
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Literal

from pydantic import BaseModel

from steward.home import home_path

Status = Literal["judging", "refused", "signed", "pending", "delivered", "undelivered",
                 "cancelled", "expired"]
# Payments that moved money or still may: what the per-merchant caps add up.
MAY_HAVE_MOVED = ("judging", "signed", "pending", "delivered", "undelivered")
OPEN = ("signed", "pending")
MAX_BODY = 64 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    wallet TEXT NOT NULL,
    payer TEXT NOT NULL,
    url TEXT NOT NULL,
    merchant TEXT NOT NULL,
    chain TEXT NOT NULL,
    asset TEXT NOT NULL,
    pay_to TEXT NOT NULL,
    amount TEXT NOT NULL,          -- base units, as text (they may exceed 2**63)
    usd INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    verdict_id TEXT,
    nonce TEXT,                    -- the EIP-3009 nonce, 0x-hex
    valid_before INTEGER,
    from_block INTEGER,            -- the chain's latest block when it was signed (no earlier use)
    header TEXT,                   -- the PAYMENT-SIGNATURE header, exactly as sent
    tx_hash TEXT,
    http_status INTEGER,
    body TEXT,                     -- the resource as received (first 64 KiB)
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS payments_by_merchant ON payments (wallet, merchant, created_at);
"""


class Payment(BaseModel):
    payment_id: str
    created_at: int
    updated_at: int
    wallet: str
    payer: str
    url: str
    merchant: str
    chain: str
    asset: str
    pay_to: str
    amount: int
    usd: int
    status: Status
    verdict_id: str | None = None
    nonce: str | None = None
    valid_before: int | None = None
    from_block: int | None = None
    header: str | None = None
    tx_hash: str | None = None
    http_status: int | None = None
    body: str | None = None
    note: str = ""


class DuplicatePayment(Exception):
    """The payment id is in the ledger already."""


class PaymentLedger:
    def __init__(self, path=None):
        self.path = path or home_path("payments.sqlite")
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def claim(self, *, payment_id: str, wallet: str, payer: str, url: str, merchant: str,
              chain: str, asset: str, pay_to: str, amount: int) -> None:
        """Insert the row for a new payment; DuplicatePayment if the id was ever used."""
        now = int(time.time())
        try:
            with self._conn() as conn:
                conn.execute(
                    "INSERT INTO payments (payment_id, created_at, updated_at, wallet, payer, url,"
                    " merchant, chain, asset, pay_to, amount, status)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,'judging')",
                    (payment_id, now, now, wallet, payer, url, merchant, chain, asset, pay_to,
                     str(amount)))
        except sqlite3.IntegrityError:
            raise DuplicatePayment(payment_id) from None

    def update(self, payment_id: str, **fields) -> None:
        if "body" in fields and fields["body"] is not None:
            fields["body"] = fields["body"][:MAX_BODY]
        fields["updated_at"] = int(time.time())
        assignments = ", ".join(f"{name}=?" for name in fields)
        with self._conn() as conn:
            conn.execute(f"UPDATE payments SET {assignments} WHERE payment_id=?",
                         (*fields.values(), payment_id))

    def get(self, payment_id: str) -> Payment | None:
        row = self._conn().execute("SELECT * FROM payments WHERE payment_id=?",
                                   (payment_id,)).fetchone()
        return _payment(row) if row else None

    def list(self, wallet: str | None = None, limit: int = 50,
             statuses: tuple[str, ...] | None = None) -> list[Payment]:
        query, params = "SELECT * FROM payments WHERE 1=1", []
        if wallet:
            query, params = query + " AND wallet=?", [wallet]
        if statuses:
            query += f" AND status IN ({','.join('?' * len(statuses))})"
            params += list(statuses)
        rows = self._conn().execute(query + " ORDER BY created_at DESC, rowid DESC LIMIT ?",
                                    (*params, limit)).fetchall()
        return [_payment(row) for row in rows]

    def spent_usd(self, wallet: str, merchant: str, seconds: int) -> int:
        """USD micros paid (or possibly paid) to `merchant` by `wallet` in the last `seconds`."""
        since = int(time.time()) - seconds
        marks = ",".join("?" * len(MAY_HAVE_MOVED))
        row = self._conn().execute(
            f"SELECT COALESCE(SUM(usd), 0) FROM payments WHERE wallet=? AND merchant=?"
            f" AND created_at>=? AND status IN ({marks})",
            (wallet, merchant, since, *MAY_HAVE_MOVED)).fetchone()
        return int(row[0])


def _payment(row: sqlite3.Row) -> Payment:
    data = dict(row)
    data["amount"] = int(data["amount"])
    return Payment(**data)


__all__ = ["MAY_HAVE_MOVED", "OPEN", "DuplicatePayment", "Payment", "PaymentLedger", "Status"]
