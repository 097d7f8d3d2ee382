"""The Solana (ed25519) key of a wallet: derived as Phantom does, kept in a V3 scrypt keystore.

Derivation: BIP-39 words → 64-byte seed (eth-account's BIP-39 code, checksum checked) →
SLIP-0010 ed25519 along `m/44'/501'/{account}'/0'` (Phantom's and Solflare's default path; the
same as `solana-keygen ... prompt://?key={account}/0`) → the 32-byte ed25519 seed of the key.

Keystore: `<wallets>/solana/<name>.json`, the same Web3 Secret Storage V3 (scrypt, AES-128-CTR,
keccak MAC) container as the EVM keystores, made and opened by eth-keyfile, around the 32-byte
ed25519 seed. eth-keyfile also writes an EVM "address" computed from the secret as if it were a
secp256k1 key; it means nothing here and is dropped: the file says `solana_address` (base58)
instead, and `key_type` so that no tool mistakes it for an EVM key.

As in `steward.wallets.store`, no secret (seed, words, exported key) is ever printed, logged,
written in clear or put into an exception: every error here is raised outside the `except` that
caught the library's exception, so not even a chained exception carries it.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steward.chains.config import b58decode, is_solana_address
from steward.errors import WalletError

if TYPE_CHECKING:  # solders and eth-account load where a key is made or used, not at start-up
    from solders.keypair import Keypair

SOLANA_DEFAULT_PATH = "m/44'/501'/0'/0'"
SOLANA_PATH_PATTERN = re.compile(r"m(/[0-9]{1,10}')+")
EVM_ACCOUNT_PATH = re.compile(r"m/44'/60'/0'/0/([0-9]{1,9})")
SOLANA_DIR = "solana"
KEY_TYPE = "ed25519-seed"
HARDENED = 2**31
MNEMONIC_WORD_COUNTS = (12, 15, 18, 21, 24)


class UnreadableSolanaKeystore(Exception):
    """A Solana keystore that is not JSON or not a V3 keystore; the message is the reason."""


def phantom_path(account: int = 0) -> str:
    """Phantom's derivation path for its account number `account` (0 is the first)."""
    if not isinstance(account, int) or not 0 <= account < HARDENED:
        raise WalletError(f"invalid Solana account number: expected 0 to {HARDENED - 1}")
    return f"m/44'/501'/{account}'/0'"


def solana_path_beside(evm_path: str) -> str:
    """The Solana path that goes with an EVM path in Phantom: its account n is the EVM key at
    `m/44'/60'/0'/0/{n}` (MetaMask's account n too) and the Solana key at `m/44'/501'/{n}'/0'`.
    Any other EVM path gets Phantom's first account."""
    match = EVM_ACCOUNT_PATH.fullmatch(evm_path.strip()) if isinstance(evm_path, str) else None
    return phantom_path(int(match.group(1))) if match else SOLANA_DEFAULT_PATH


def check_solana_path(path: str) -> str:
    """The path if it is a valid ed25519 (SLIP-0010) path, else a WalletError.

    Every level must be hardened ("'"): SLIP-0010 has no other kind for ed25519, and solders
    silently hardens a level written without the mark, so `m/44/501/0/0` would name the same key
    as `m/44'/501'/0'/0'` while looking like another one."""
    text = path.strip() if isinstance(path, str) else ""
    valid = bool(SOLANA_PATH_PATTERN.fullmatch(text)) and all(
        int(level[:-1]) < HARDENED for level in text.split("/")[1:])
    if not valid:
        raise WalletError(f"invalid Solana derivation path '{str(path)[:40]}': expected hardened "
                          f"levels only, like {SOLANA_DEFAULT_PATH} (Phantom's first account)")
    return text


def mnemonic_seed(mnemonic: str) -> bytes:
    """The 64-byte BIP-39 seed of a phrase (no BIP-39 passphrase), its checksum checked."""
    if not isinstance(mnemonic, str):
        raise WalletError("invalid mnemonic: expected 12 to 24 BIP-39 English words")
    words = mnemonic.lower().split()
    if len(words) not in MNEMONIC_WORD_COUNTS:
        raise WalletError(
            f"invalid mnemonic: expected 12, 15, 18, 21 or 24 BIP-39 words, got {len(words)}")
    from eth_account.hdaccount import seed_from_mnemonic

    seed = None
    try:
        seed = seed_from_mnemonic(" ".join(words), "")
    except Exception:
        pass  # the library's message repeats the words
    if seed is None:
        raise WalletError(
            "invalid mnemonic: not a valid BIP-39 English phrase (unknown word or bad checksum)")
    return seed


def keypair_from_seed(seed: bytes, path: str = SOLANA_DEFAULT_PATH) -> Keypair:
    """The key at `path` below a 64-byte BIP-39 seed (SLIP-0010 ed25519)."""
    from solders.keypair import Keypair

    path = check_solana_path(path)
    keypair = None
    try:
        keypair = Keypair.from_seed_and_derivation_path(seed, path)
    except Exception:
        pass
    if keypair is None:
        raise WalletError("the Solana key could not be derived from this seed")
    return keypair


def keypair_from_mnemonic(mnemonic: str, path: str = SOLANA_DEFAULT_PATH) -> Keypair:
    """The key Phantom shows for these words (its first account with the default path)."""
    check_solana_path(path)  # a bad path fails before the words are stretched
    return keypair_from_seed(mnemonic_seed(mnemonic), path)


def random_keypair() -> Keypair:
    """A new key from 32 bytes of the operating system's randomness."""
    from solders.keypair import Keypair

    return Keypair.from_seed(secrets.token_bytes(32))


def keypair_from_secret(secret_base58: str) -> Keypair:
    """The key in a Phantom "export private key" string: base58 of 64 bytes, the 32-byte seed
    then the public key. The public half must be the seed's own public key: a string whose halves
    disagree is a damaged or forged export, and signing with its seed would not sign for the
    address it shows."""
    invalid = "invalid Solana secret key: expected the base58 text of 64 bytes (Phantom's export)"
    raw = b58decode(secret_base58.strip()) if isinstance(secret_base58, str) else None
    if raw is None or len(raw) != 64:
        raise WalletError(invalid)
    from solders.keypair import Keypair

    keypair = Keypair.from_seed(raw[:32])
    if bytes(keypair.pubkey()) != raw[32:]:
        raise WalletError("invalid Solana secret key: its public half is not the public key of "
                          "its secret half (a damaged or altered export); nothing was imported")
    return keypair


# ---- keystore ----------------------------------------------------------------------------------

def encrypt_keypair(keypair: Keypair, passphrase: str, scrypt_n: int) -> dict[str, Any]:
    """The V3 scrypt keystore of a key's 32-byte seed, with its base58 address."""
    from eth_keyfile import create_keyfile_json

    keystore = None
    try:
        keystore = create_keyfile_json(bytes(keypair.secret()), passphrase.encode("utf-8"),
                                       version=3, kdf="scrypt", iterations=scrypt_n)
    except Exception:
        pass
    if keystore is None:
        # eth-keyfile refuses a secret that is not also a valid secp256k1 scalar (zero, or not
        # below the curve order): one ed25519 seed in about 2**128. Nothing else reaches here.
        raise WalletError("this Solana key cannot be stored in a V3 keystore (its seed is out of "
                          "the range the format accepts); use another key")
    keystore.pop("address", None)  # an EVM address of the seed: meaningless for this key
    keystore["solana_address"] = str(keypair.pubkey())
    keystore["key_type"] = KEY_TYPE
    return keystore


def keystore_text(keystore: dict[str, Any]) -> str:
    return json.dumps(keystore, indent=2) + "\n"


def read_solana_keystore(path: Path) -> tuple[str, dict[str, Any]]:
    """(base58 address, keystore JSON) of a Solana keystore file. FileNotFoundError propagates
    (a wallet without a Solana key is not an error); anything else unreadable is
    UnreadableSolanaKeystore with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableSolanaKeystore(f"the file cannot be read ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise UnreadableSolanaKeystore("the file is not valid JSON") from None
    if not isinstance(data, dict) or data.get("version") != 3:
        raise UnreadableSolanaKeystore("the file is not a version 3 keystore")
    crypto = data.get("crypto", data.get("Crypto"))
    if not isinstance(crypto, dict) or not {"cipher", "ciphertext", "kdf", "mac"} <= crypto.keys():
        raise UnreadableSolanaKeystore("the keystore has no complete 'crypto' section")
    address = data.get("solana_address")
    if not isinstance(address, str) or not is_solana_address(address):
        raise UnreadableSolanaKeystore("the keystore has no valid 'solana_address'")
    return address, data


class WrongPassphrase(Exception):
    """The keystore's MAC does not match: the passphrase is not this keystore's."""


def decrypt_keypair(keystore: dict[str, Any], passphrase: str, address: str) -> Keypair:
    """The key in a Solana keystore. WrongPassphrase when the MAC does not match;
    UnreadableSolanaKeystore when it cannot be decrypted or holds another key than `address`."""
    from eth_keyfile import decode_keyfile_json
    from solders.keypair import Keypair

    seed, wrong = None, False
    try:
        seed = decode_keyfile_json(keystore, passphrase.encode("utf-8"))
    except ValueError as exc:
        wrong = "MAC mismatch" in str(exc)
    except Exception:
        pass
    if wrong:
        raise WrongPassphrase()
    if seed is None or len(seed) != 32:
        raise UnreadableSolanaKeystore("the keystore cannot be decrypted")
    keypair = Keypair.from_seed(bytes(seed))
    del seed
    if str(keypair.pubkey()) != address:
        raise UnreadableSolanaKeystore("the key does not match the keystore's 'solana_address'")
    return keypair


__all__ = [
    "KEY_TYPE", "SOLANA_DEFAULT_PATH", "SOLANA_DIR", "UnreadableSolanaKeystore", "WrongPassphrase",
    "check_solana_path", "decrypt_keypair", "encrypt_keypair", "keypair_from_mnemonic",
    "keypair_from_secret", "keypair_from_seed", "keystore_text", "mnemonic_seed", "phantom_path",
    "random_keypair", "read_solana_keystore", "solana_path_beside",
]
