"""Wallets: named keys in standard Web3 Secret Storage (V3, scrypt) keystore files, a secp256k1
key for the EVM chains and, beside it, an ed25519 key for Solana (Phantom's derivation).

See `steward.wallets.store` for the rules (names, the default wallet, what is never revealed) and
`steward.wallets.solana_keys` for the Solana key (derivation path, keystore file).
"""

from steward.wallets.passphrase import PASSPHRASE_ENV, read_passphrase
from steward.wallets.solana_keys import (
    SOLANA_DEFAULT_PATH,
    check_solana_path,
    keypair_from_mnemonic,
    keypair_from_secret,
    phantom_path,
)
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
    "SOLANA_DEFAULT_PATH",
    "STANDARD_SCRYPT_N",
    "WalletInfo",
    "WalletStore",
    "check_name",
    "check_solana_path",
    "forget_unlocked",
    "keypair_from_mnemonic",
    "keypair_from_secret",
    "phantom_path",
    "read_passphrase",
    "scrypt_n",
]
