"""Wallets as every face sees them: list, default, create, import, remove, and the addresses a
portfolio or a check is about. Nothing here reads a passphrase or a secret: the face does, and
hands it over. A wallet carries an EVM address and, when it has a Solana key, a Solana address
(`WalletInfo.solana_address`)."""

from __future__ import annotations

from pydantic import BaseModel

from steward.service.errors import ServiceError, translated
from steward.wallets import DEFAULT_DERIVATION_PATH, SOLANA_DEFAULT_PATH, WalletInfo, WalletStore


def _default_mandate(wallet: str) -> str:
    """The path of the wallet's new conservative default mandate (the guard loads only here)."""
    from steward.guard.mandate import write_default_mandate

    return str(write_default_mandate(wallet))


NO_WALLET = "no wallet yet: run `steward sandbox up` or `steward wallet create NAME`"


class WalletCreated(BaseModel):
    wallet: WalletInfo  # its `address` and, when it has a Solana key, its `solana_address`
    mandate: str  # the path of its mandate file (the conservative default when new)


class SolanaKeyAdded(BaseModel):
    wallet: WalletInfo
    created: bool  # a new wallet was made for the key (an exported secret under a new name)
    mandate: str | None = None  # the new wallet's mandate file; None when the wallet existed


@translated
def list_wallets() -> list[WalletInfo]:
    """Every wallet, addresses only (no passphrase); an unreadable one says why in `error`."""
    return WalletStore().list()


@translated
def default_wallet() -> WalletInfo | None:
    store = WalletStore()
    name = store.default_name()
    return store.get(name) if name else None


@translated
def get_wallet(name: str) -> WalletInfo:
    return WalletStore().get(name)


@translated
def resolve_wallet(name: str | None) -> str:
    """`name` if it exists, else the default wallet's name."""
    return WalletStore().resolve(name)


@translated
def wallet_address(name: str) -> str:
    """The address of a readable wallet."""
    info = WalletStore().get(name)
    if info.error or not info.address:
        raise ServiceError("wallet_error", f"wallet '{name}' cannot be read ({info.error}); the "
                                           "other wallets are unaffected")
    return info.address


@translated
def wallet_addresses(wallet: str | None = None) -> dict[str, str]:
    """name → address: the one wallet asked for, else every readable wallet."""
    if wallet is not None:
        return {wallet: wallet_address(wallet)}
    wallets = own_wallets()
    if not wallets:
        raise ServiceError("wallet_error", NO_WALLET)
    return wallets


@translated
def solana_wallet_address(name: str) -> str:
    """The Solana address of a readable wallet that has a Solana key."""
    info = WalletStore().get(name)
    if info.solana_error:
        raise ServiceError("wallet_error", f"wallet '{name}': its Solana key cannot be read "
                                           f"({info.solana_error})")
    if not info.solana_address:
        raise ServiceError("wallet_error", f"wallet '{name}' has no Solana key: add one with "
                                           f"`steward wallet add-solana {name}`")
    return info.solana_address


@translated
def own_solana_wallets() -> dict[str, str]:
    """name → Solana address of every wallet with a readable Solana key."""
    return {w.name: w.solana_address for w in WalletStore().list()
            if w.solana_address and not w.solana_error}


@translated
def own_wallets() -> dict[str, str]:
    """name → address of every readable wallet (Steward's own accounts)."""
    return {w.name: w.address for w in WalletStore().list() if w.address and not w.error}


@translated
def owner_address(wallet: str | None = None) -> str | None:
    """Whose history a check compares with: `wallet`, else the default (None when there is
    no default)."""
    store = WalletStore()
    if wallet is None and store.default_name() is None:
        return None
    return store.get(store.resolve(wallet)).address


@translated
def create_wallet(name: str, passphrase: str) -> WalletCreated:
    """A wallet with a new random key, and its conservative default mandate."""
    info = WalletStore().create(name, passphrase)
    return WalletCreated(wallet=info, mandate=_default_mandate(info.name))


@translated
def import_wallet(name: str, secret: str, passphrase: str, *, mnemonic: bool = False,
                  path: str = DEFAULT_DERIVATION_PATH,
                  solana_path: str | None = None) -> WalletCreated:
    """A wallet from an EVM private key (no Solana key), or from a BIP-39 mnemonic: the EVM key
    at `path` and the Solana key at `solana_path` (default: Phantom's account matching `path`)."""
    store = WalletStore()
    if mnemonic:
        info = store.import_mnemonic(name, secret, passphrase, path, solana_path)
    else:
        info = store.import_private_key(name, secret, passphrase)
    return WalletCreated(wallet=info, mandate=_default_mandate(info.name))


@translated
def add_solana_key(name: str, passphrase: str, *, mnemonic: str | None = None,
                   secret: str | None = None,
                   path: str = SOLANA_DEFAULT_PATH) -> SolanaKeyAdded:
    """Give wallet `name` a Solana key under its passphrase: a new random one, the one BIP-39
    `mnemonic` gives at `path`, or Phantom's exported `secret` (base58). With `secret` and no
    wallet of that name, a new wallet is made (a fresh EVM key beside it, a new passphrase, and
    its conservative default mandate)."""
    if mnemonic is not None and secret is not None:
        raise ServiceError("invalid_input", "give a mnemonic or an exported secret key, not both")
    store = WalletStore()
    if secret is not None:
        existed = store.exists(name)
        info = store.import_solana_secret(name, secret, passphrase)
        if not existed:
            return SolanaKeyAdded(wallet=info, created=True,
                                  mandate=_default_mandate(info.name))
        return SolanaKeyAdded(wallet=info, created=False)
    return SolanaKeyAdded(wallet=store.add_solana(name, passphrase, mnemonic, path),
                          created=False)


@translated
def remove_wallet(name: str) -> None:
    WalletStore().remove(name)


@translated
def set_default_wallet(name: str) -> WalletInfo:
    return WalletStore().set_default(name)


__all__ = ["NO_WALLET", "SolanaKeyAdded", "WalletCreated", "add_solana_key", "create_wallet",
           "default_wallet", "get_wallet", "import_wallet", "list_wallets", "own_solana_wallets",
           "own_wallets", "owner_address", "remove_wallet", "resolve_wallet",
           "set_default_wallet", "solana_wallet_address", "wallet_address", "wallet_addresses"]
