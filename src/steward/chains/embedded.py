"""The embedded backend: in-process py-evm chains whose state persists in the Steward home.

Each chain keeps py-evm's key-value store in its own SQLite file. Writes are buffered in
memory and committed in one SQLite transaction when a session ends, so a command's blocks
land together or not at all; execution also commits right after each receipt (`persist`),
so the journal never records a transaction that a crash could still take back. One file lock
covers all embedded chains of a home: a process holds it from its first request until
`end_session()` (the CLI ends the session after every command and before every prompt), so
concurrent invocations take turns instead of corrupting each other, and each sees the other's
blocks when it gets the lock back.
"""

from __future__ import annotations

import atexit
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth.vm.forks import PragueVM
from eth_account import Account
from eth_keys import keys
from eth_utils import to_canonical_address
from eth_tester import EthereumTester
from eth_tester.backends.pyevm.main import (
    PyEVMBackend,
    get_default_account_state,
    get_default_genesis_params,
)
from filelock import FileLock, Timeout
from toolz import assoc
from eth_tester.exceptions import TransactionFailed as TesterTransactionFailed
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.eth_tester.defaults import API_ENDPOINTS, static_return

from steward.errors import StewardError

# The well-known development mnemonic that anvil and hardhat also use. Its first account is
# the sandbox operator (deployer, faucet and relayer) on every backend; it guards no real money.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
OPERATOR_GENESIS_WEI = 10**6 * 10**18
LOCK_WAIT_SECONDS = 120
CALL_GAS_PRICE = 10**9  # what eth-tester offers per gas for a call that names no price

Account.enable_unaudited_hdwallet_features()


def dev_account(index: int = 0):
    """A development account from DEV_MNEMONIC (index 0 is the operator)."""
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


class SqliteKV(BaseDB):
    """py-evm's key-value interface over SQLite, with writes buffered until `commit()`."""

    _DELETED = None

    def __init__(self, path: Path):
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when it returns, so a journal row written after it never
        # describes a block that a power cut could take back.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")
        self._conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER)")
        self._pending: dict[bytes, bytes | None] = {}
        self._cache: dict[bytes, bytes] = {}

    def __getitem__(self, key: bytes) -> bytes:
        if key in self._pending:
            value = self._pending[key]
            if value is self._DELETED:
                raise KeyError(key)
            return value
        if key in self._cache:
            return self._cache[key]
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        self._cache[key] = row[0]
        return row[0]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self._pending[key] = self._DELETED

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def generation(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else 0

    def commit(self) -> int:
        """Write buffered changes in one transaction; returns the new generation."""
        if not self._pending:
            return self.generation()
        writes = [(k, v) for k, v in self._pending.items() if v is not self._DELETED]
        deletes = [(k,) for k, v in self._pending.items() if v is self._DELETED]
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", writes)
            self._conn.executemany("DELETE FROM kv WHERE k = ?", deletes)
            generation = self.generation() + 1
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (generation,)
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._cache.update(writes)
        for (key,) in deletes:
            self._cache.pop(key, None)
        self._pending.clear()
        return generation

    def forget_unsaved(self) -> None:
        """Drop buffered writes and cached reads (another process changed the file)."""
        self._pending.clear()
        self._cache.clear()

    def close(self) -> None:
        self._conn.close()


def _run_error(state, transaction, gas: int):
    """The error of running `transaction` with `gas` on a snapshot (None: it succeeded), and
    the gas it consumed before refunds."""
    from eth.vm.spoof import SpoofTransaction

    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(SpoofTransaction(transaction, gas=gas,
                                                               gas_price=0))
        return computation.error if computation.is_error else None, computation.get_gas_used()
    finally:
        state.revert(snapshot)


def estimate_gas(state, transaction) -> int:
    """py-evm's estimate in two or three runs instead of a dozen: a plain transfer needs its
    intrinsic gas; anything else runs with the block's gas,
    then confirm the used gas plus the 1/64 every call withholds (EIP-150) and a stipend's
    worth; only if that falls short, py-evm's own binary search. The executor adds its margin
    on top, and a too-high limit costs nothing: gas is paid as used."""
    from eth.estimators.gas import binary_gas_search_intrinsic_tolerance

    if _run_error(state, transaction, transaction.intrinsic_gas)[0] is None:
        return transaction.intrinsic_gas  # a plain transfer: exactly what py-evm says
    # Like a node, try with no more gas than the sender can pay for (an agent key holding a
    # little gas money need not afford the whole block's gas).
    ceiling = state.gas_limit
    price = getattr(transaction, "max_fee_per_gas", 0) or getattr(transaction, "gas_price", 0)
    if price:
        affordable = (state.get_balance(transaction.sender) - transaction.value) // price
        if affordable > transaction.intrinsic_gas:
            ceiling = min(ceiling, affordable)
    error, used = _run_error(state, transaction, ceiling)
    if error is not None:
        raise error
    # `used` is what the message consumed, on top of the transaction's intrinsic gas.
    candidate = min(ceiling, transaction.intrinsic_gas + used * 64 // 63 + 2_300)
    if _run_error(state, transaction, candidate)[0] is None:
        return candidate
    return binary_gas_search_intrinsic_tolerance(state, transaction)


def _chain_class(chain_id: int) -> type[MiningChain]:
    class StewardEmbeddedChain(MiningChain):
        vm_configuration = ((0, PragueVM),)
        gas_estimator = staticmethod(estimate_gas)

        def create_header_from_parent(self, parent_header, **header_params):
            return super().create_header_from_parent(
                parent_header, **assoc(header_params, "gas_limit", parent_header.gas_limit)
            )

        def get_transaction_builder(self):
            return super().get_vm().get_transaction_builder()

    StewardEmbeddedChain.chain_id = chain_id
    return StewardEmbeddedChain


class PersistentBackend(PyEVMBackend):
    """eth-tester's py-evm backend over a SqliteKV, resuming from whatever head the file holds."""

    def __init__(self, kv: SqliteKV, chain_id: int):
        # PyEVMBackend.__init__ would build a throwaway in-memory genesis; build ours instead.
        self.kv = kv
        self.db = AtomicDB(kv)
        self.chain_class = _chain_class(chain_id)
        operator = keys.PrivateKey(dev_account(0).key)
        self.account_keys = (operator,)
        if kv.generation() == 0 and not self._has_genesis():
            state = {
                operator.public_key.to_canonical_address(): get_default_account_state(
                    {"balance": OPERATOR_GENESIS_WEI}
                )
            }
            self.chain = self.chain_class.from_genesis(
                self.db, get_default_genesis_params(), state
            )
        else:
            self.reload()

    def _has_genesis(self) -> bool:
        from eth.db.chain import ChainDB

        try:
            ChainDB(self.db).get_canonical_head()
        except Exception:
            return False
        return True

    def reload(self) -> None:
        """Rebuild the chain object from the stored head, with a pending block stamped now."""
        self.chain = self.chain_class(self.db)

    def restamp_pending_block(self) -> None:
        self.chain.header = self.chain.create_header_from_parent(self.chain.get_canonical_head())


class EmbeddedChain:
    def __init__(self, world: "EmbeddedWorld", name: str, chain_id: int):
        self.world, self.name, self.chain_id = world, name, chain_id
        self.kv = SqliteKV(world.directory / f"{name}.sqlite")
        self.backend = PersistentBackend(self.kv, chain_id)
        self.tester = EthereumTester(self.backend, auto_mine_transactions=True)
        self.generation = self.kv.generation()
        stored_id = self.backend.chain.chain_id
        if stored_id != chain_id:
            raise StewardError(f"embedded chain {name} holds chain id {stored_id}, config says {chain_id}")

    def on_session_start(self) -> None:
        current = self.kv.generation()
        if current != self.generation:
            self.kv.forget_unsaved()
            self.backend.reload()
            self.generation = current
        else:
            self.backend.restamp_pending_block()

    def on_session_end(self) -> None:
        self.generation = self.kv.commit()

    def persist(self) -> None:
        """Commit this chain's buffered blocks now, in the middle of a session."""
        with self.world._mutex:
            self.generation = self.kv.commit()

    def affordable_call(self, tx: dict) -> dict:
        """`tx` (an eth_call) priced so that its sender can pay for it: py-evm prices a call at
        1 gwei for the whole block's gas and checks the sender could pay that, where a node
        charges a call nothing (an agent key holding a little gas money still asks its
        account). The price offered stays at least twice the base fee."""
        fee_keys = ("gasPrice", "maxFeePerGas", "gas_price", "max_fee_per_gas")
        if not tx.get("from") or any(k in tx for k in fee_keys):
            return tx
        chain = self.backend.chain
        state = chain.get_vm().state
        value = tx.get("value") or 0
        value = int(value, 16) if isinstance(value, str) else int(value)
        gas = int(tx["gas"], 16) if isinstance(tx.get("gas"), str) else tx.get("gas") or state.gas_limit
        price = (state.get_balance(to_canonical_address(tx["from"])) - value) // max(gas, 1)
        if not 2 * (chain.header.base_fee_per_gas or 0) <= price < CALL_GAS_PRICE:
            return tx
        # (the tester's own transaction keys, not JSON-RPC's)
        return {**tx, "max_fee_per_gas": price, "max_priority_fee_per_gas": 0}

    def mine_state_change(self, change) -> None:
        """Apply `change(state)` (a py-evm state) to the pending block, mine that block and
        commit it like every other block. Only the sandbox uses this, to place contracts at
        fixed addresses (`steward.sandbox.placement`); if `change` raises, nothing is kept."""
        with self.world._mutex:
            self.world.begin_session()
            chain = self.backend.chain
            vm = chain.get_vm()
            change(vm.state)
            vm.state.persist()
            chain.header = chain.header.copy(state_root=vm.state.state_root)
            self.tester.mine_blocks(1)
            self.generation = self.kv.commit()


class EmbeddedProvider(EthereumTesterProvider):
    """A web3 provider that takes the embedded lock before it touches the chain."""

    def __init__(self, chain: EmbeddedChain):
        # web3's tester endpoints answer eth_chainId with a constant; answer with this chain's id.
        endpoints = {section: dict(methods) for section, methods in API_ENDPOINTS.items()}
        endpoints["eth"]["chainId"] = static_return(chain.chain_id)
        endpoints["net"]["version"] = static_return(str(chain.chain_id))
        super().__init__(chain.tester, api_endpoints=endpoints)
        self.embedded_chain = chain

    def make_request(self, method, params) -> Any:
        self.embedded_chain.world.begin_session()
        if method == "eth_call" and params and isinstance(params[0], dict):
            params = [self.embedded_chain.affordable_call(params[0]), *params[1:]]
        try:
            return super().make_request(method, params)
        except TesterTransactionFailed as exc:
            # Behave like a JSON-RPC node: a revert during a call or estimate is a
            # ContractLogicError carrying the decoded reason.
            raise ContractLogicError(str(exc)) from None


class EmbeddedWorld:
    """All embedded chains of one Steward home, sharing one lock."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.lock = FileLock(str(directory / "embedded.lock"), thread_local=False)
        self.chains: dict[str, EmbeddedChain] = {}
        self.in_session = False
        self.announced_wait = False
        self._mutex = threading.RLock()

    def chain(self, name: str, chain_id: int) -> EmbeddedChain:
        with self._mutex:
            if name not in self.chains:
                self.begin_session()
                self.chains[name] = EmbeddedChain(self, name, chain_id)
            return self.chains[name]

    def web3(self, name: str, chain_id: int) -> Web3:
        return Web3(EmbeddedProvider(self.chain(name, chain_id)))

    def begin_session(self) -> None:
        with self._mutex:
            if self.in_session:
                return
            try:
                self.lock.acquire(timeout=0)
            except Timeout:
                if not self.announced_wait:  # once per process: a worker waits many times
                    self.announced_wait = True
                    print("waiting for another steward process to finish with the embedded "
                          "chains…", file=sys.stderr)
                try:
                    self.lock.acquire(timeout=LOCK_WAIT_SECONDS)
                except Timeout:
                    raise StewardError(
                        f"the embedded chains in {self.directory} stayed locked by another steward "
                        f"process for {LOCK_WAIT_SECONDS} s; try again when it has finished"
                    ) from None
            self.in_session = True
            for chain in self.chains.values():
                chain.on_session_start()

    def end_session(self) -> None:
        """Commit every chain's new blocks and let other processes in."""
        with self._mutex:
            if not self.in_session:
                return
            try:
                for chain in self.chains.values():
                    chain.on_session_end()
            finally:
                self.in_session = False
                self.lock.release()

    def close(self) -> None:
        self.end_session()
        for chain in self.chains.values():
            chain.kv.close()
        self.chains.clear()


_worlds: dict[Path, EmbeddedWorld] = {}


def persist(w3: Web3) -> None:
    """Make the blocks this process added to `w3`'s chain durable now. Embedded chains buffer
    writes until the session ends; an RPC node keeps its own blocks, so there is nothing to do."""
    chain = getattr(w3.provider, "embedded_chain", None)
    if chain is not None:
        chain.persist()


def embedded_world(directory: Path) -> EmbeddedWorld:
    directory = directory.resolve()
    if directory not in _worlds:
        _worlds[directory] = EmbeddedWorld(directory)
    return _worlds[directory]


def end_all_sessions() -> None:
    for world in _worlds.values():
        world.end_session()


def close_all() -> None:
    for world in _worlds.values():
        world.close()
    _worlds.clear()


atexit.register(end_all_sessions)
