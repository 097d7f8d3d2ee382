"""Which wallets are guarded accounts where, and the agent keys Steward signs them with.

- `<home>/accounts.json`: per wallet and chain, how the account came to be (`7702`: the
  wallet's own address delegates to the implementation; `contract`: a deployed account), its
  address and its agent key's address; per chain, the implementation Steward deployed (its
  code hash is checked before any address delegates to it).
- `<home>/agent-keys/<wallet>.json`: the wallet's agent key, a V3 scrypt keystore under the
  wallet's passphrase (same rules as wallets: 0600, never printed). One agent key per wallet,
  on every chain. The wallet's own key stays the owner: needed only to change the policy,
  pause, or move funds outside the policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from eth_account.signers.local import LocalAccount
from filelock import FileLock
from pydantic import BaseModel

from steward.home import home_path, steward_home, write_private
from steward.wallets import WalletStore

Mode = Literal["7702", "contract"]


class AccountRecord(BaseModel):
    wallet: str
    owner: str  # the wallet's own address
    chain: str
    chain_id: int
    mode: Mode
    address: str  # where the money is: the owner's address (7702) or the deployed account
    agent: str


class Implementation(BaseModel):
    chain_id: int
    address: str
    code_hash: str


class _Book(BaseModel):
    accounts: list[AccountRecord] = []
    implementations: dict[str, Implementation] = {}


class AgentKeys(WalletStore):
    """Agent keys, one per wallet name, kept like wallets but apart from them (an agent key is
    not a wallet: it holds only gas money and can act only through its account's policy)."""

    makes_solana_keys = False  # an agent key acts on EVM chains only

    def __init__(self, home: Path | None = None):
        super().__init__(home)
        self.dir = self.home / "agent-keys"

    def ensure(self, wallet: str, passphrase: str) -> str:
        """The wallet's agent key address, made if there is none yet."""
        if not self.exists(wallet):
            self.create(wallet, passphrase)
        return self.get(wallet).address


def _path() -> Path:
    return steward_home() / "accounts.json"


def _lock() -> FileLock:
    return FileLock(str(home_path("locks", "accounts.lock")), timeout=30)


def _read() -> _Book:
    path = _path()
    if not path.exists():
        return _Book()
    return _Book.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _write(book: _Book) -> None:
    write_private(_path(), book.model_dump_json(indent=2) + "\n")


def guarded_account(wallet: str, chain: str) -> AccountRecord | None:
    return next((r for r in _read().accounts if r.wallet == wallet and r.chain == chain), None)


def acting_address(owner: str, chain: str) -> str:
    """The address that holds and spends a wallet's money on `chain`: its deployed guarded
    account there, if it has one; else the wallet's own address (also under EIP-7702)."""
    found = next((r for r in _read().accounts
                  if r.chain == chain and r.owner.lower() == owner.lower()), None)
    return found.address if found is not None else owner


def is_guarded(address: str, chain: str) -> bool:
    """Whether `address` is a guarded account on `chain` (its agent key pays its gas)."""
    return any(r.chain == chain and r.address.lower() == address.lower()
               for r in _read().accounts)


def accounts_of(wallet: str | None = None) -> list[AccountRecord]:
    return [r for r in _read().accounts if wallet is None or r.wallet == wallet]


def save_account(record: AccountRecord) -> None:
    with _lock():
        book = _read()
        book.accounts = [r for r in book.accounts
                         if not (r.wallet == record.wallet and r.chain == record.chain)]
        book.accounts.append(record)
        _write(book)


def implementation(chain: str, chain_id: int) -> Implementation | None:
    found = _read().implementations.get(chain)
    return found if found is not None and found.chain_id == chain_id else None


def save_implementation(chain: str, found: Implementation) -> None:
    with _lock():
        book = _read()
        book.implementations[chain] = found
        _write(book)


def unlock_agent(wallet: str, passphrase: str) -> LocalAccount | None:
    """The wallet's agent key, when it has one (None otherwise)."""
    keys = AgentKeys()
    return keys.unlock(wallet, passphrase) if keys.exists(wallet) else None
