"""Wallets: named secp256k1 keys in standard Web3 Secret Storage (V3, scrypt) keystore files.

See `steward.wallets.store` for the rules (names, the default wallet, what is never revealed).
"""

from steward.wallets.passphrase import PASSPHRASE_ENV, read_passphrase
from steward.wallets.store import (
    DEFAULT_DERIVATION_PATH,
    SCRYPT_N_ENV,
    STANDARD_SCRYPT_N,
    WalletInfo,
    WalletStore,
    check_name,
    forget_unlocked,
    scrypt_n,
)

__all__ = [
    "DEFAULT_DERIVATION_PATH",
    "PASSPHRASE_ENV",
    "SCRYPT_N_ENV",
    "STANDARD_SCRYPT_N",
    "WalletInfo",
    "WalletStore",
    "check_name",
    "forget_unlocked",
    "read_passphrase",
    "scrypt_n",
]
