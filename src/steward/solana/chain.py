"""The Solana chain backend: one interface, an embedded LiteSVM chain and (in `rpc.py`) any
JSON-RPC cluster.

Everything above talks to a `SolanaChain` and never asks which it is. The embedded chain is
LiteSVM from `solders` (an in-process Solana runtime with the System, SPL Token, Token-2022,
Associated Token Account and Memo programs), persisted in the Steward home like the embedded EVM
chains: every account a transaction touches is written to SQLite (`synchronous=FULL`) before
`send` returns, so a journal row written afterwards never describes a transaction a crash could
take back. A file lock serialises processes; each operation reloads the accounts when another
process changed them.

LiteSVM starts every process from the same blockhash, so a transaction signed in one session
would be valid again in the next: the blockhash moves on after every transaction and the count
of moves is stored, so each load starts past every blockhash used before; signatures already
processed are refused from the stored history too.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from solders.account import Account
from solders.hash import Hash
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from steward.errors import StewardError

LAMPORTS_PER_SOL = 10**9
LOCK_WAIT_SECONDS = 120
AnyTransaction = Transaction | VersionedTransaction


@dataclass
class TxRecord:
    """A processed (or simulated) transaction: what happened, never what anyone claims."""

    signature: str
    success: bool
    error: str | None
    logs: list[str]
    fee: int
    compute_units: int
    slot: int = 0
    message: bytes = b""  # the signed message (solders `Message` bytes) for decoding


@dataclass
class Simulated(TxRecord):
    """A simulation: the outcome, and every account of the transaction as it would be after."""

    accounts_after: dict[Pubkey, Account | None] = field(default_factory=dict)


class SolanaChain:
    """What Steward needs of a Solana cluster."""

    name: str
    embedded: bool = False

    def get_account(self, pubkey: Pubkey) -> Account | None:
        raise NotImplementedError

    def balance(self, pubkey: Pubkey) -> int:
        account = self.get_account(pubkey)
        return 0 if account is None else account.lamports

    def latest_blockhash(self) -> Hash:
        raise NotImplementedError

    def rent_exempt(self, space: int) -> int:
        """Lamports an account of `space` bytes needs to be rent-exempt."""
        raise NotImplementedError

    def simulate(self, tx: AnyTransaction) -> Simulated:
        """Run `tx` on the current state without keeping it; signatures are not verified (the
        guard simulates unsigned plans)."""
        raise NotImplementedError

    def send(self, tx: AnyTransaction) -> TxRecord:
        """Submit and wait for the outcome; a failed transaction is a record with success False."""
        raise NotImplementedError

    def transaction(self, signature: str) -> TxRecord | None:
        raise NotImplementedError

    def signatures_for_address(self, address: Pubkey, limit: int = 1000) -> list[str]:
        """Signatures of processed transactions that touched `address`, newest first."""
        raise NotImplementedError

    def slot(self) -> int:
        raise NotImplementedError


def _message_of(tx: AnyTransaction):
    return tx.message


def _account_keys(tx: AnyTransaction) -> list[Pubkey]:
    return list(_message_of(tx).account_keys)


def _signature(tx: AnyTransaction) -> str:
    return str(tx.signatures[0])


def _message_bytes(tx: AnyTransaction) -> bytes:
    return bytes(_message_of(tx))


def _error_text(err) -> str:
    return str(err)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (pubkey TEXT PRIMARY KEY, lamports INTEGER NOT NULL,
    data BLOB NOT NULL, owner TEXT NOT NULL, executable INTEGER NOT NULL, rent_epoch INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS txs (seq INTEGER PRIMARY KEY AUTOINCREMENT, signature TEXT UNIQUE NOT NULL,
    slot INTEGER NOT NULL, success INTEGER NOT NULL, error TEXT, logs TEXT NOT NULL, fee INTEGER NOT NULL,
    compute_units INTEGER NOT NULL, message BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tx_accounts (pubkey TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tx_accounts_pubkey ON tx_accounts (pubkey, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_LOG_SEPARATOR = "\n"


class EmbeddedSolana(SolanaChain):
    """LiteSVM in this process, persisted in `<home>/chains/<name>.svm.sqlite`."""

    embedded = True

    def __init__(self, name: str, path: Path):
        self.name = name
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(path) + ".lock", thread_local=False)
        self._guard = threading.RLock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        self._svm: LiteSVM | None = None
        self._generation = -1

    # --- locking and persistence ---------------------------------------------------------
    def _meta(self, key: str, default: int = 0) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else int(row[0])

    def _set_meta(self, key: str, value: int) -> None:
        self._conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", (key, value))

    def _enter(self) -> LiteSVM:
        """Take the lock (the caller holds `_guard`) and make the in-memory VM current."""
        try:
            self._lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Exception:
            raise StewardError(f"the embedded Solana chain {self.name} stayed locked by another "
                               f"steward process for {LOCK_WAIT_SECONDS} s") from None
        try:
            if self._svm is None or self._meta("generation") != self._generation:
                self._load()
        except BaseException:
            self._lock.release()
            raise
        return self._svm  # type: ignore[return-value]

    def _exit(self) -> None:
        self._lock.release()

    @contextmanager
    def _vm(self):
        """The in-memory VM, current with the store, while this process holds the lock."""
        with self._guard:
            svm = self._enter()
            try:
                yield svm
            finally:
                self._exit()

    def _load(self) -> None:
        svm = LiteSVM()
        # LiteSVM's blockhashes follow one fixed sequence: stepping past every one used before
        # gives a blockhash no earlier transaction was signed with (about 1.5 µs a step).
        expirations = self._meta("expirations") + 1
        for _ in range(expirations):
            svm.expire_blockhash()
        self._set_meta("expirations", expirations)
        rows = self._conn.execute(
            "SELECT pubkey, lamports, data, owner, executable, rent_epoch FROM accounts")
        for pubkey, lamports, data, owner, executable, rent_epoch in rows:
            svm.set_account(Pubkey.from_string(pubkey),
                            Account(lamports=lamports, data=bytes(data),
                                    owner=Pubkey.from_string(owner), executable=bool(executable),
                                    rent_epoch=rent_epoch))
        slot = self._meta("slot")
        if slot:
            svm.warp_to_slot(slot)
        self._svm = svm
        self._generation = self._meta("generation")

    def _save(self, pubkeys: list[Pubkey], record: TxRecord | None = None) -> None:
        """Write `pubkeys`' accounts (and the transaction) in one SQLite transaction."""
        svm = self._svm
        assert svm is not None
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for pubkey in dict.fromkeys(pubkeys):
                account = svm.get_account(pubkey)
                if account is None or (account.lamports == 0 and not account.data):
                    self._conn.execute("DELETE FROM accounts WHERE pubkey = ?", (str(pubkey),))
                    continue
                self._conn.execute(
                    "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?, ?, ?)",
                    (str(pubkey), account.lamports, bytes(account.data), str(account.owner),
                     int(account.executable), min(account.rent_epoch, 2**63 - 1)))
            if record is not None:
                cursor = self._conn.execute(
                    "INSERT INTO txs (signature, slot, success, error, logs, fee, compute_units, "
                    "message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.signature, record.slot, int(record.success), record.error,
                     _LOG_SEPARATOR.join(record.logs), record.fee, record.compute_units,
                     record.message))
                self._conn.executemany("INSERT INTO tx_accounts VALUES (?, ?)",
                                       [(str(p), cursor.lastrowid) for p in dict.fromkeys(pubkeys)])
                slot = svm.get_clock().slot + 1
                svm.warp_to_slot(slot)
                self._set_meta("slot", slot)
                # A new blockhash after every transaction, as a cluster has: the same transfer
                # asked twice is two transactions, not a duplicate.
                svm.expire_blockhash()
                self._set_meta("expirations", self._meta("expirations") + 1)
            self._generation = self._meta("generation") + 1
            self._set_meta("generation", self._generation)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            self._svm = None  # memory may be ahead of the store: reload next time
            raise

    # --- reads ---------------------------------------------------------------------------
    def get_account(self, pubkey: Pubkey) -> Account | None:
        with self._vm() as svm:
            return svm.get_account(pubkey)

    def latest_blockhash(self) -> Hash:
        with self._vm() as svm:
            return svm.latest_blockhash()

    def rent_exempt(self, space: int) -> int:
        with self._vm() as svm:
            return svm.minimum_balance_for_rent_exemption(space)

    def slot(self) -> int:
        with self._vm() as svm:
            return svm.get_clock().slot

    # --- transactions --------------------------------------------------------------------
    def simulate(self, tx: AnyTransaction) -> Simulated:
        with self._vm() as svm:
            # The guard simulates before any key is unlocked: signatures are not checked here
            # (sending checks them).
            svm.with_sigverify(False)
            try:
                result = svm.simulate_transaction(tx)
            finally:
                svm.with_sigverify(True)
            keys = _account_keys(tx)
            if isinstance(result, FailedTransactionMetadata):
                meta, error = result.meta(), _error_text(result.err())
                after: dict[Pubkey, Account | None] = {}
            else:
                meta, error = result.meta(), None
                after = {key: account for key, account in result.post_accounts()}
                after = {key: after.get(key, svm.get_account(key)) for key in keys}
            return Simulated(signature=_signature(tx), success=error is None, error=error,
                             logs=list(meta.logs()), fee=meta.fee(),
                             compute_units=meta.compute_units_consumed(),
                             slot=svm.get_clock().slot, message=_message_bytes(tx),
                             accounts_after=after)

    def send(self, tx: AnyTransaction) -> TxRecord:
        with self._vm() as svm:
            signature = _signature(tx)
            if self._conn.execute("SELECT 1 FROM txs WHERE signature = ?",
                                  (signature,)).fetchone():
                return TxRecord(signature=signature, success=False,
                                error="AlreadyProcessed", logs=[], fee=0, compute_units=0)
            slot = svm.get_clock().slot
            result = svm.send_transaction(tx)
            failed = isinstance(result, FailedTransactionMetadata)
            meta = result.meta() if failed else result
            record = TxRecord(signature=signature, success=not failed,
                              error=_error_text(result.err()) if failed else None,
                              logs=list(meta.logs()), fee=meta.fee(),
                              compute_units=meta.compute_units_consumed(), slot=slot,
                              message=_message_bytes(tx))
            if failed and record.error and "BlockhashNotFound" in record.error:
                return record  # never processed: nothing was charged
            self._save(_account_keys(tx), record)
            return record

    def transaction(self, signature: str) -> TxRecord | None:
        row = self._conn.execute(
            "SELECT signature, success, error, logs, fee, compute_units, slot, message FROM txs "
            "WHERE signature = ?", (signature,)).fetchone()
        if row is None:
            return None
        return TxRecord(signature=row[0], success=bool(row[1]), error=row[2],
                        logs=row[3].split(_LOG_SEPARATOR) if row[3] else [], fee=row[4],
                        compute_units=row[5], slot=row[6], message=bytes(row[7]))

    def signatures_for_address(self, address: Pubkey, limit: int = 1000) -> list[str]:
        rows = self._conn.execute(
            "SELECT t.signature FROM tx_accounts a JOIN txs t ON t.seq = a.seq WHERE a.pubkey = ? "
            "ORDER BY a.seq DESC LIMIT ?", (str(address), limit)).fetchall()
        return [row[0] for row in rows]

    # --- development-only facts (the sandbox and tests) ----------------------------------
    def airdrop(self, pubkey: Pubkey, lamports: int) -> None:
        with self._vm() as svm:
            result = svm.airdrop(pubkey, lamports)
            if isinstance(result, FailedTransactionMetadata):
                raise StewardError(f"airdrop to {pubkey} failed: {result.err()}")
            self._save([pubkey])

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        with self._vm() as svm:
            svm.set_account(pubkey, account)
            self._save([pubkey])

    def close(self) -> None:
        self._conn.close()


def decode_message(record: TxRecord) -> Message:
    return Message.from_bytes(record.message)


__all__ = ["AnyTransaction", "EmbeddedSolana", "LAMPORTS_PER_SOL", "Simulated", "SolanaChain",
           "TxRecord", "decode_message"]
