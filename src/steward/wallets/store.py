"""Named wallets: a secp256k1 key for every EVM chain and, beside it, an ed25519 key for Solana,
each kept as a Web3 Secret Storage V3 (scrypt) keystore under the same passphrase.

A wallet is the file `<home>/wallets/<name>.json`, readable by its owner only, in the standard
format that geth, Foundry (`cast wallet`) and MetaMask import. The same key serves every EVM
chain. Its Solana key, when it has one, is `<home>/wallets/solana/<name>.json` (see
`steward.wallets.solana_keys`: Phantom's derivation, the same V3 container around the ed25519
seed). `<home>/wallets/default` holds the name of the default wallet.

New wallets get both keys (`create`, `import_mnemonic`); a wallet imported from an EVM private key
gets none until `add_solana` or `import_solana_secret` gives it one.

Keys never leave this module unencrypted except as the `LocalAccount` that `unlock` returns:
they are not printed, logged, written in clear or put into an exception message (errors about a
bad key or mnemonic are raised `from None`, so not even the chained exception carries it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from steward.chains.config import eip55, is_hex_address
from steward.errors import UnknownNameError, WalletError
from steward.home import steward_home, untrusted_because, write_private
from steward.wallets.passphrase import check_new_passphrase
from steward.wallets.solana_keys import (
    SOLANA_DEFAULT_PATH,
    SOLANA_DIR,
    UnreadableSolanaKeystore,
    WrongPassphrase,
    check_solana_path,
    decrypt_keypair,
    encrypt_keypair,
    keypair_from_mnemonic,
    keypair_from_secret,
    keystore_text,
    random_keypair,
    read_solana_keystore,
    solana_path_beside,
)

if TYPE_CHECKING:  # eth-account and solders load where a key is made or used, not at start-up
    from eth_account.signers.local import LocalAccount
    from filelock import FileLock
    from solders.keypair import Keypair

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
NAME_RULE = "1 to 32 characters: lowercase letters, digits, '-' and '_', starting with a letter or digit"
DEFAULT_DERIVATION_PATH = "m/44'/60'/0'/0/0"
DERIVATION_PATH_PATTERN = re.compile(r"m(/[0-9]+'?)+")

SCRYPT_N_ENV = "STEWARD_KEYSTORE_SCRYPT_N"
STANDARD_SCRYPT_N = 2**18
KEYSTORE_SUFFIX = ".json"
DEFAULT_FILE = "default"


def _accounts():
    """eth-account's `Account` (loaded on first use: listing wallets needs none of it), with the
    HD-wallet features that mnemonics need."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return Account


# Unlocked accounts for this process, by (keystore path, mtime_ns, size). Each entry keeps a keyed
# digest of the passphrase that unlocked it (the key is random per process), so a later unlock
# with another passphrase is not served from the cache but decrypts, and fails, as it should.
_UNLOCKED: dict[tuple[str, int, int], tuple[bytes, LocalAccount]] = {}
_UNLOCKED_SOLANA: dict[tuple[str, int, int], tuple[bytes, Keypair]] = {}
_UNLOCKED_GUARD = threading.Lock()
_DIGEST_KEY = secrets.token_bytes(32)


def scrypt_n() -> int:
    """The scrypt cost for new keystores: `STEWARD_KEYSTORE_SCRYPT_N`, else 2**18 (the standard)."""
    raw = os.environ.get(SCRYPT_N_ENV)
    if raw is None or raw.strip() == "":
        return STANDARD_SCRYPT_N
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 2 or value & (value - 1):
        raise WalletError(
            f"{SCRYPT_N_ENV} must be a power of two of at least 2 "
            f"(the standard is {STANDARD_SCRYPT_N}); got '{raw.strip()[:20]}'"
        )
    return value


def forget_unlocked() -> None:
    """Drop every unlocked account (EVM and Solana) cached by this process."""
    with _UNLOCKED_GUARD:
        _UNLOCKED.clear()
        _UNLOCKED_SOLANA.clear()


def _passphrase_digest(passphrase: str) -> bytes:
    return hmac.new(_DIGEST_KEY, passphrase.encode("utf-8"), hashlib.sha256).digest()


class WalletInfo(BaseModel):
    """What can be said about a wallet without its passphrase.

    `address` is the checksummed address, or None when the file cannot be read; `error` then says
    why (the other wallets keep working). `solana_address` is the base58 address of the wallet's
    Solana key, None when it has none or when that keystore cannot be read; `solana_error` then
    says why (the EVM key keeps working).
    """

    name: str
    address: str | None = None
    is_default: bool = False
    error: str | None = None
    solana_address: str | None = None
    solana_error: str | None = None


class _Unreadable(Exception):
    """A keystore file that is missing, not JSON or not a V3 keystore; the message is the reason."""


def check_name(name: str) -> str:
    """The name if it is a valid wallet name, else a WalletError saying what is valid."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        # A long "name" may be a key pasted in the wrong place: never repeat it.
        shown = f"'{name}'" if isinstance(name, str) and len(name) <= 32 else "given"
        raise WalletError(f"invalid wallet name {shown}: use {NAME_RULE}")
    return name


def _read_keystore(path: Path) -> tuple[str, dict[str, Any]]:
    """(checksummed address, keystore JSON) of a wallet file, or _Unreadable with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Unreadable("the file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unreadable(f"the file cannot be read ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise _Unreadable("the file is not valid JSON") from None
    if not isinstance(data, dict) or data.get("version") != 3:
        raise _Unreadable("the file is not a version 3 keystore")
    crypto = data.get("crypto", data.get("Crypto"))
    if not isinstance(crypto, dict) or not {"cipher", "ciphertext", "kdf", "mac"} <= crypto.keys():
        raise _Unreadable("the keystore has no complete 'crypto' section")
    address = data.get("address")
    if not isinstance(address, str) or not is_hex_address(
        address if address.startswith("0x") else "0x" + address
    ):
        raise _Unreadable("the keystore has no valid 'address'")
    return eip55(address if address.startswith("0x") else "0x" + address), data


class WalletStore:
    """The wallets in a Steward home (default: `steward_home()`)."""

    # Whether `create` and `import_mnemonic` make a Solana key beside the EVM one (a store of
    # EVM-only keys, like the agent keys, turns it off).
    makes_solana_keys = True

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else steward_home()
        self.dir = self.home / "wallets"

    # ---- paths and locking -------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """The keystore file of a wallet name (whether or not it exists)."""
        return self.dir / f"{check_name(name)}{KEYSTORE_SUFFIX}"

    def solana_keystore_path(self, name: str) -> Path:
        """The Solana keystore file of a wallet name (whether or not it exists). It lies in a
        subfolder, so `names()` (the `*.json` files of the wallets folder) never lists it."""
        return self.dir / SOLANA_DIR / f"{check_name(name)}{KEYSTORE_SUFFIX}"

    def _ensure_dir(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dir.mkdir(exist_ok=True, mode=0o700)

    def _lock(self) -> FileLock:
        from filelock import FileLock  # only writers lock: listing wallets needs none

        self._ensure_dir()
        return FileLock(str(self.dir / ".lock"), timeout=30)

    def names(self) -> list[str]:
        """Every wallet name with a file, sorted (including unreadable ones)."""
        if not self.dir.is_dir():
            return []
        return sorted(
            p.name[: -len(KEYSTORE_SUFFIX)]
            for p in self.dir.iterdir()
            if p.name.endswith(KEYSTORE_SUFFIX)
            and NAME_PATTERN.fullmatch(p.name[: -len(KEYSTORE_SUFFIX)])
            and p.is_file()
        )

    # ---- reading -----------------------------------------------------------------------------

    def _info(self, name: str, default: str | None) -> WalletInfo:
        try:
            address, _ = _read_keystore(self.path(name))
            try:
                problem = untrusted_because(self.path(name))
            except OSError:
                raise _Unreadable("the file cannot be read") from None
            if problem:
                raise _Unreadable(f"refused: {problem}")
        except _Unreadable as exc:
            return WalletInfo(
                name=name,
                address=None,
                is_default=name == default,
                error=f"{self.path(name)}: {exc}",
            )
        solana_address, solana_error = self._solana_info(name)
        return WalletInfo(name=name, address=address, is_default=name == default,
                          solana_address=solana_address, solana_error=solana_error)

    def _solana_info(self, name: str) -> tuple[str | None, str | None]:
        """(address, None) of a wallet's readable Solana keystore, (None, None) when it has none,
        (None, why) when it cannot be used."""
        path = self.solana_keystore_path(name)
        try:
            address, _ = read_solana_keystore(path)
            problem = untrusted_because(path)
        except FileNotFoundError:
            return None, None
        except UnreadableSolanaKeystore as exc:
            return None, f"{path}: {exc}"
        except OSError:
            return None, f"{path}: the file cannot be read"
        if problem:
            return None, f"{path}: refused: {problem}"
        return address, None

    def solana_address(self, name: str) -> str | None:
        """The base58 address of a wallet's Solana key; None when it has none or it is unreadable
        (`get(name).solana_error` says why)."""
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        return self._solana_info(name)[0]

    def list(self) -> list[WalletInfo]:
        """Every wallet, sorted by name; an unreadable file gives an entry with `error` set."""
        default = self.default_name()
        return [self._info(name, default) for name in self.names()]

    def get(self, name: str) -> WalletInfo:
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        return self._info(name, self.default_name())

    def exists(self, name: str) -> bool:
        return name in self.names()

    # ---- default -----------------------------------------------------------------------------

    def _stored_default(self, names: list[str]) -> str | None:
        try:
            stored = (self.dir / DEFAULT_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return stored if stored in names else None

    def default_name(self) -> str | None:
        """The default wallet: the one set (if it still exists), else the only wallet, else None."""
        names = self.names()
        stored = self._stored_default(names)
        if stored is not None:
            return stored
        return names[0] if len(names) == 1 else None

    def set_default(self, name: str) -> WalletInfo:
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        with self._lock():
            write_private(self.dir / DEFAULT_FILE, name + "\n")
        return self.get(name)

    def resolve(self, name: str | None) -> str:
        """The wallet to use: `name` if given (and it exists), else the default."""
        names = self.names()
        if name is not None:
            if name not in names:
                raise UnknownNameError("wallet", name, names)
            return name
        default = self.default_name()
        if default is not None:
            return default
        if not names:
            raise WalletError("no wallet yet: create one with `steward wallet create NAME`")
        raise WalletError(
            f"several wallets and no default: name one ({', '.join(names)}) "
            "or set one with `steward wallet default NAME`"
        )

    # ---- creating ----------------------------------------------------------------------------

    def create(self, name: str, passphrase: str) -> WalletInfo:
        """A new wallet with a fresh random EVM key and a fresh random Solana key."""
        self._check_new(name, passphrase)
        solana = random_keypair() if self.makes_solana_keys else None
        return self._add(name, _accounts().create(), passphrase, solana)

    def import_private_key(self, name: str, private_key: str, passphrase: str) -> WalletInfo:
        """A wallet from a 32-byte EVM private key in hex (with or without 0x). It gets no
        Solana key: add one with `add_solana` or `import_solana_secret`."""
        self._check_new(name, passphrase)
        return self._add(name, _account_from_key(private_key), passphrase, None)

    def import_mnemonic(
        self, name: str, mnemonic: str, passphrase: str, path: str = DEFAULT_DERIVATION_PATH,
        solana_path: str | None = None,
    ) -> WalletInfo:
        """A wallet from a BIP-39 mnemonic: the EVM key at `path` (BIP-32, default the first
        account) and the Solana key at `solana_path` (SLIP-0010), so the wallet holds the
        addresses MetaMask and Phantom show for these words. Without `solana_path`, the Solana
        key is Phantom's account matching the EVM path: `m/44'/60'/0'/0/{n}` goes with
        `m/44'/501'/{n}'/0'` (as in Phantom's own accounts); any other EVM path with account 0."""
        self._check_new(name, passphrase)
        if solana_path is None:
            solana_path = solana_path_beside(path)
        if self.makes_solana_keys:
            check_solana_path(solana_path)  # before any work
        account = _account_from_mnemonic(mnemonic, path)
        solana = keypair_from_mnemonic(mnemonic, solana_path) if self.makes_solana_keys else None
        return self._add(name, account, passphrase, solana)

    def _check_new(self, name: str, passphrase: str) -> None:
        check_name(name)
        if self.exists(name):
            raise WalletError(f"a wallet named '{name}' already exists; choose another name")
        self._refuse_orphan_solana(name)
        check_new_passphrase(passphrase)
        scrypt_n()  # a bad setting fails before any work

    def _refuse_orphan_solana(self, name: str) -> None:
        """A Solana keystore left without its EVM keystore (moved away by hand) is never
        overwritten: it may be the only copy of a key holding funds."""
        orphan = self.solana_keystore_path(name)
        if orphan.exists() or orphan.is_symlink():
            raise WalletError(f"a Solana keystore {orphan} is there without the wallet's EVM "
                              "keystore; move it away (or restore the wallet) before using the "
                              f"name '{name}'")

    def _add(self, name: str, account: LocalAccount, passphrase: str,
             solana: Keypair | None) -> WalletInfo:
        n = scrypt_n()
        with self._lock():
            names = self.names()
            if name in names:
                raise WalletError(f"a wallet named '{name}' already exists; choose another name")
            self._refuse_orphan_solana(name)
            for other in names:
                try:
                    address, _ = _read_keystore(self.path(other))
                except _Unreadable:
                    continue
                if address == account.address:
                    raise WalletError(
                        f"address {address} is already the wallet '{other}'; "
                        "one key is kept under one name"
                    )
            if solana is not None:
                self._refuse_duplicate_solana(solana, names)
            keystore = _accounts().encrypt(account.key, passphrase, kdf="scrypt", iterations=n)
            if solana is not None:
                # The Solana file first: a reader sees the wallet (its EVM file) only once both
                # exist, and a failed EVM write takes the Solana file back with it.
                self._write_solana(name, encrypt_keypair(solana, passphrase, n))
            try:
                write_private(self.path(name), json.dumps(keystore, indent=2) + "\n")
            except BaseException:
                if solana is not None:
                    self.solana_keystore_path(name).unlink(missing_ok=True)
                raise
            # The first wallet becomes the default; an implicit default (the only wallet) is kept.
            if self._stored_default(names) is None and len(names) <= 1:
                write_private(self.dir / DEFAULT_FILE, (names[0] if names else name) + "\n")
        return self.get(name)

    def _refuse_duplicate_solana(self, solana: Keypair, names: list[str]) -> None:
        wanted = str(solana.pubkey())
        for other in names:
            try:
                address, _ = read_solana_keystore(self.solana_keystore_path(other))
            except (OSError, UnreadableSolanaKeystore):
                continue
            if address == wanted:
                raise WalletError(f"Solana address {wanted} is already the wallet '{other}'; "
                                  "one key is kept under one name")

    def _write_solana(self, name: str, keystore: dict[str, Any]) -> None:
        folder = self.dir / SOLANA_DIR
        folder.mkdir(exist_ok=True, mode=0o700)
        write_private(self.solana_keystore_path(name), keystore_text(keystore))

    # ---- adding a Solana key -----------------------------------------------------------------

    def add_solana(self, name: str, passphrase: str, mnemonic: str | None = None,
                   path: str = SOLANA_DEFAULT_PATH) -> WalletInfo:
        """Give an existing wallet a Solana key: a fresh random one, or the one these BIP-39
        words give at `path` (Phantom's first account by default). The passphrase must be the
        wallet's (it must unlock its EVM keystore): both keys are kept under the same one.
        Refused when the wallet already has a Solana key."""
        check_solana_path(path)
        self._check_solana_free(name)
        self.unlock(name, passphrase)
        keypair = (keypair_from_mnemonic(mnemonic, path) if mnemonic is not None
                   else random_keypair())
        return self._attach_solana(name, keypair, passphrase)

    def import_solana_secret(self, name: str, secret_base58: str, passphrase: str) -> WalletInfo:
        """A Solana key from Phantom's "export private key" text (base58 of the 64-byte secret:
        seed then public key; an export whose halves disagree is refused).

        When the wallet `name` exists (and has no Solana key yet), the key is added to it under
        its passphrase, which must unlock its EVM keystore. When it does not exist, a new wallet
        is made: this Solana key and a fresh random EVM key (every wallet has one), under a new
        passphrase, checked for strength like any new wallet's."""
        if self.exists(name):
            self._check_solana_free(name)
            self.unlock(name, passphrase)
            return self._attach_solana(name, keypair_from_secret(secret_base58), passphrase)
        self._check_new(name, passphrase)
        return self._add(name, _accounts().create(), passphrase, keypair_from_secret(secret_base58))

    def _check_solana_free(self, name: str) -> None:
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        path = self.solana_keystore_path(name)
        if path.exists() or path.is_symlink():
            raise WalletError(f"wallet '{name}' already has a Solana key ({path}); one wallet "
                              "keeps one Solana key")

    def _attach_solana(self, name: str, keypair: Keypair, passphrase: str) -> WalletInfo:
        n = scrypt_n()
        with self._lock():
            self._check_solana_free(name)
            self._refuse_duplicate_solana(keypair, self.names())
            self._write_solana(name, encrypt_keypair(keypair, passphrase, n))
        return self.get(name)

    # ---- removing ----------------------------------------------------------------------------

    def remove(self, name: str) -> None:
        """Delete a wallet's keystore files, EVM and Solana (the CLI asks first). No undo."""
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        with self._lock():
            was_default = self._stored_default(names) == name
            self.solana_keystore_path(name).unlink(missing_ok=True)
            self.path(name).unlink(missing_ok=True)
            if was_default:
                (self.dir / DEFAULT_FILE).unlink(missing_ok=True)

    # ---- unlocking ---------------------------------------------------------------------------

    def unlock(self, name: str, passphrase: str) -> LocalAccount:
        """The account of a wallet, decrypted with its passphrase (once per process and file)."""
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        path = self.path(name)
        try:
            problem = untrusted_because(path)
            stat = path.stat()
        except OSError:
            raise self._unreadable(name, path, "the file cannot be read") from None
        if problem:
            raise WalletError(f"wallet '{name}' cannot be used: refusing the keystore {path}: "
                              f"{problem}")
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        digest = _passphrase_digest(passphrase)
        if (cached := _cached(_UNLOCKED, key, digest)) is not None:
            return cached
        try:
            address, keystore = _read_keystore(path)
        except _Unreadable as exc:
            raise self._unreadable(name, path, str(exc)) from None
        accounts = _accounts()  # outside the `try`s: an import error is not a bad keystore
        try:
            private_key = accounts.decrypt(keystore, passphrase)
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WalletError(f"wrong passphrase for wallet '{name}'") from None
            raise self._unreadable(name, path, "the keystore cannot be decrypted") from None
        except Exception:
            raise self._unreadable(name, path, "the keystore cannot be decrypted") from None
        try:
            account = accounts.from_key(private_key)
        except Exception:
            raise self._unreadable(name, path, "the keystore holds no valid key") from None
        del private_key
        if account.address != address:
            raise self._unreadable(name, path, "the key does not match the keystore's address")
        return _remember(_UNLOCKED, key, digest, account)

    def unlock_solana(self, name: str, passphrase: str) -> Keypair:
        """The Solana key of a wallet, decrypted with its passphrase (once per process and file)."""
        names = self.names()
        if name not in names:
            raise UnknownNameError("wallet", name, names)
        path = self.solana_keystore_path(name)
        try:
            problem = untrusted_because(path)
            stat = path.stat()
        except FileNotFoundError:
            raise WalletError(f"wallet '{name}' has no Solana key: add one with `steward wallet "
                              f"add-solana {name}` (a new one, or --mnemonic for your words)"
                              ) from None
        except OSError:
            raise self._unreadable(name, path, "the file cannot be read") from None
        if problem:
            raise WalletError(f"wallet '{name}' cannot be used on Solana: refusing the keystore "
                              f"{path}: {problem}")
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        digest = _passphrase_digest(passphrase)
        if (cached := _cached(_UNLOCKED_SOLANA, key, digest)) is not None:
            return cached
        try:
            address, keystore = read_solana_keystore(path)
            keypair = decrypt_keypair(keystore, passphrase, address)
        except WrongPassphrase:
            raise WalletError(f"wrong passphrase for wallet '{name}'") from None
        except (OSError, UnreadableSolanaKeystore) as exc:
            reason = str(exc) if isinstance(exc, UnreadableSolanaKeystore) else "unreadable"
            raise self._unreadable(name, path, reason) from None
        return _remember(_UNLOCKED_SOLANA, key, digest, keypair)

    @staticmethod
    def _unreadable(name: str, path: Path, reason: str) -> WalletError:
        return WalletError(
            f"wallet '{name}' cannot be used: {path} is corrupt or unreadable ({reason}); "
            "the other wallets are unaffected"
        )


def _cached(cache: dict, key: tuple, digest: bytes):
    """The key unlocked before from this file version with this passphrase, or None."""
    with _UNLOCKED_GUARD:
        cached = cache.get(key)
    if cached is not None and hmac.compare_digest(cached[0], digest):
        return cached[1]
    return None


def _remember(cache: dict, key: tuple, digest: bytes, unlocked):
    """Keep `unlocked` for this file version (older versions of the file are dropped)."""
    with _UNLOCKED_GUARD:
        for stale in [k for k in cache if k[0] == key[0]]:
            del cache[stale]
        cache[key] = (digest, unlocked)
    return unlocked


def _account_from_key(private_key: str) -> LocalAccount:
    invalid = WalletError(
        "invalid private key: expected 32 bytes as 64 hexadecimal characters, optionally 0x-prefixed"
    )
    if not isinstance(private_key, str):
        raise invalid
    text = private_key.strip()
    if text[:2].lower() == "0x":
        text = text[2:]
    if len(text) != 64 or not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise invalid
    # Raised outside the `except` so that no chained exception (whose message may echo the key)
    # travels with the error.
    accounts, account = _accounts(), None
    try:
        account = accounts.from_key("0x" + text)
    except Exception:
        pass  # zero, or not below the curve order
    if account is None:
        raise WalletError("invalid private key: not a valid secp256k1 key")
    return account


def _account_from_mnemonic(mnemonic: str, path: str) -> LocalAccount:
    if not isinstance(path, str) or not DERIVATION_PATH_PATTERN.fullmatch(path.strip()):
        raise WalletError(
            f"invalid derivation path '{str(path)[:40]}': expected a BIP-32 path like {DEFAULT_DERIVATION_PATH}"
        )
    if not isinstance(mnemonic, str):
        raise WalletError("invalid mnemonic: expected 12 to 24 BIP-39 English words")
    words = mnemonic.lower().split()
    if len(words) not in (12, 15, 18, 21, 24):
        raise WalletError(
            f"invalid mnemonic: expected 12, 15, 18, 21 or 24 BIP-39 words, got {len(words)}"
        )
    # The library's message repeats the words: say only what is wrong, outside the `except` so
    # that the library's exception is not chained to ours.
    accounts, account = _accounts(), None
    try:
        account = accounts.from_mnemonic(" ".join(words), account_path=path.strip())
    except Exception:
        pass
    if account is None:
        raise WalletError(
            "invalid mnemonic: not a valid BIP-39 English phrase (unknown word or bad checksum)"
        )
    return account
