"""Solana keys beside the EVM key in one wallet: Phantom's derivation checked against published
vectors, the encrypted keystore, the store's rules, and secrets kept out of every message."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eth_keyfile import decode_keyfile_json
from solders.keypair import Keypair

from steward.errors import UnknownNameError, WalletError
from steward.wallets import (
    SOLANA_DEFAULT_PATH,
    WalletStore,
    forget_unlocked,
    keypair_from_mnemonic,
    keypair_from_secret,
    phantom_path,
)
from steward.wallets.solana_keys import keypair_from_seed, mnemonic_seed

PASS = "correct horse battery staple"

# SLIP-0010, "Test vector 1 for ed25519" and "Test vector 2 for ed25519":
# https://github.com/satoshilabs/slips/blob/master/slip-0010.md
# (path, private key, public key with SLIP-0010's 0x00 prefix)
SLIP10_SEED_1 = "000102030405060708090a0b0c0d0e0f"
SLIP10_VECTOR_1 = [
    ("m", "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
     "00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed"),
    ("m/0'", "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
     "008c8a13df77a28f3445213a0f432fde644acaa215fc72dcdf300d5efaa85d350c"),
    ("m/0'/1'", "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
     "001932a5270f335bed617d5b935c80aedb1a35bd9fc1e31acafd5372c30f5c1187"),
    ("m/0'/1'/2'", "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
     "00ae98736566d30ed0e9d2f4486a64bc95740d89c7db33f52121f8ea8f76ff0fc1"),
    ("m/0'/1'/2'/2'", "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
     "008abae2d66361c879b900d204ad2cc4984fa2aa344dd7ddc46007329ac76c429c"),
    ("m/0'/1'/2'/2'/1000000000'",
     "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
     "003c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a"),
]
SLIP10_SEED_2 = ("fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d"
                 "8a8784817e7b7875726f6c696663605d5a5754514e4b484542")
SLIP10_VECTOR_2 = [
    ("m", "171cb88b1b3c1db25add599712e36245d75bc65a1a5c9e18d76f9f2b1eab4012",
     "008fe9693f8fa62a4305a140b9764c5ee01e455963744fe18204b4fb948249308a"),
    ("m/0'", "1559eb2bbec5790b0c65d8693e4d0875b1747f4970ae8b650486ed7470845635",
     "0086fab68dcb57aa196c77c5f264f215a112c22a912c10d123b0d03c3c28ef1037"),
    ("m/0'/2147483647'", "ea4f5bfe8694d8bb74b7b59404632fd5968b774ed545e810de9c32a4fb4192f4",
     "005ba3b9ac6e90e83effcd25ac4e58a1365a9e35a3d3ae5eb07b9e4d90bcf7506d"),
    ("m/0'/2147483647'/1'", "3757c7577170179c7868353ada796c839135b3d30554bbb74a4b1e4a5a58505c",
     "002e66aa57069c86cc18249aecf5cb5a9cebbfd6fadeab056254763874a9352b45"),
    ("m/0'/2147483647'/1'/2147483646'",
     "5837736c89570de861ebc173b1086da4f505d4adb387c6a1b1342d5e4ac9ec72",
     "00e33c0f7d81d843c572275f287498e8d408654fdf0d1e065b84e2e6f157aab09b"),
    ("m/0'/2147483647'/1'/2147483646'/2'",
     "551d333177df541ad876a60ea71f00447931c0a9da16f227c11ea080d7391b8d",
     "0047150c75db263559a70d5778bf36abbab30fb061ad69f69ece61a72b0cfa4fc0"),
]

# Solana Cookbook, "How to Restore a Keypair from a Mnemonic", "Restoring BIP44 format
# mnemonics": https://solana.com/developers/cookbook/wallets/restore-from-mnemonic (code:
# solana-developers/solana-cookbook, code/keypairs-and-wallets/mnemonic-to-keypair/from-bip44.ts),
# the words below along m/44'/501'/{i}'/0' (Phantom's accounts). The addresses are the ones
# published with that example (its output listing for accounts 0-9; the cookbook's test for the
# page asserts accounts 0-2).
COOKBOOK_MNEMONIC = "neither lonely flavor argue grass remind eye tag avocado spot unusual intact"
PHANTOM_ADDRESSES = {
    0: "5vftMkHL72JaJG6ExQfGAsT2uGVHpRR7oTNUPMs68Y2N",
    1: "GcXbfQ5yY3uxCyBNDPBbR5FjumHf89E7YHXuULfGDBBv",
    2: "7QPgyQwNLqnoSwHEuK8wKy2Y3Ani6EHoZRihTuWkwxbc",
    9: "6frdqXQAgJMyKwmZxkLYbdGjnYTvUceh6LNhkQt2siQp",
}
HARDHAT_MNEMONIC = "test test test test test test test test test test test junk"
HARDHAT_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    monkeypatch.setenv("STEWARD_KEYSTORE_SCRYPT_N", "2")


@pytest.fixture
def store(tmp_path):
    return WalletStore(tmp_path)


def _reference_slip10(seed: bytes, path: str) -> bytes:
    """SLIP-0010 ed25519 private-key derivation written from the specification, independent of
    solders (checked below against the specification's own vectors)."""
    digest = hmac.new(b"ed25519 seed", seed, hashlib.sha512).digest()
    key, chain = digest[:32], digest[32:]
    for level in path.split("/")[1:]:
        index = int(level.rstrip("'")) + 2**31
        digest = hmac.new(chain, b"\0" + key + index.to_bytes(4, "big"), hashlib.sha512).digest()
        key, chain = digest[:32], digest[32:]
    return key


def _public_hex(private: bytes) -> str:
    """The ed25519 public key by the `cryptography` package (another implementation than
    solders'), with SLIP-0010's 0x00 prefix."""
    public = Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    return "00" + public.hex()


def _secret_forms(keypair: Keypair) -> list[str]:
    """Every way a key's secret could show up in text."""
    seed = bytes(keypair.secret())
    return [str(keypair), str(keypair)[:20], seed.hex(), seed.hex().upper(), seed.hex()[:24],
            base64.b64encode(seed).decode(), str(Keypair.from_seed(seed))]


# ---- derivation ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path, private, public", SLIP10_VECTOR_2)
def test_solana_wallets_solders_derivation_is_slip10(path, private, public):
    seed = bytes.fromhex(SLIP10_SEED_2)  # solders takes only 64-byte seeds: vector 2's length
    keypair = (Keypair.from_seed_and_derivation_path(seed, path) if path == "m"
               else keypair_from_seed(seed, path))
    assert bytes(keypair.secret()).hex() == private
    assert "00" + bytes(keypair.pubkey()).hex() == public


@pytest.mark.parametrize("path, private, public", SLIP10_VECTOR_1 + SLIP10_VECTOR_2)
def test_solana_wallets_reference_slip10_meets_the_specification(path, private, public):
    seed = bytes.fromhex(SLIP10_SEED_1 if (path, private, public) in SLIP10_VECTOR_1
                         else SLIP10_SEED_2)
    key = _reference_slip10(seed, path)
    assert key.hex() == private and _public_hex(key) == public


@pytest.mark.parametrize("account", sorted(PHANTOM_ADDRESSES))
def test_solana_wallets_phantom_mnemonic_vector(account):
    keypair = keypair_from_mnemonic(COOKBOOK_MNEMONIC, phantom_path(account))
    assert str(keypair.pubkey()) == PHANTOM_ADDRESSES[account]
    # The independent derivation agrees on the exact path, key for key.
    reference = _reference_slip10(mnemonic_seed(COOKBOOK_MNEMONIC), phantom_path(account))
    assert bytes(keypair.secret()) == reference


def test_solana_wallets_default_path_is_phantoms_first_account():
    assert SOLANA_DEFAULT_PATH == phantom_path(0) == "m/44'/501'/0'/0'"
    assert str(keypair_from_mnemonic(COOKBOOK_MNEMONIC).pubkey()) == PHANTOM_ADDRESSES[0]
    # Case and spacing of the words do not change the key (as in the EVM import).
    messy = "  " + COOKBOOK_MNEMONIC.upper().replace(" ", "   ") + "\n"
    assert str(keypair_from_mnemonic(messy).pubkey()) == PHANTOM_ADDRESSES[0]


@pytest.mark.parametrize("bad_path", [
    "m/44/501/0/0",  # unhardened: solders would silently harden it into another-looking name
    "m/44'/501'/0'/0",
    "m",
    "44'/501'/0'/0'",
    "m/44'/501'/2147483648'/0'",  # beyond the hardened range
    "m/44'/501'/0'/0'/",
    "m/-1'",
])
def test_solana_wallets_bad_path_refused(store, bad_path):
    with pytest.raises(WalletError, match="invalid Solana derivation path"):
        keypair_from_mnemonic(COOKBOOK_MNEMONIC, bad_path)
    with pytest.raises(WalletError, match="invalid Solana derivation path"):
        store.import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS, solana_path=bad_path)
    assert store.names() == []


# ---- the store ----------------------------------------------------------------------------------

def test_solana_wallets_create_makes_both_keys(store, tmp_path):
    info = store.create("main", PASS)
    assert info.address and info.address.startswith("0x")
    assert info.solana_address and info.solana_error is None
    assert store.solana_address("main") == info.solana_address
    assert str(store.unlock_solana("main", PASS).pubkey()) == info.solana_address
    assert store.unlock("main", PASS).address == info.address
    assert (tmp_path / "wallets" / "solana" / "main.json").is_file()
    assert store.names() == ["main"]  # the Solana folder is not a wallet
    other = store.create("other", PASS)
    assert other.solana_address != info.solana_address  # fresh randomness each time


def test_solana_wallets_import_mnemonic_gives_phantoms_addresses(store):
    zero = store.import_mnemonic("zero", COOKBOOK_MNEMONIC, PASS)
    assert zero.solana_address == PHANTOM_ADDRESSES[0]
    # MetaMask's account n goes with Phantom's account n.
    one = store.import_mnemonic("one", COOKBOOK_MNEMONIC, PASS, path="m/44'/60'/0'/0/1")
    assert one.solana_address == PHANTOM_ADDRESSES[1]
    nine = store.import_mnemonic("nine", COOKBOOK_MNEMONIC, PASS, path="m/44'/60'/0'/0/5",
                                 solana_path=phantom_path(9))
    assert nine.solana_address == PHANTOM_ADDRESSES[9]
    assert str(store.unlock_solana("one", PASS).pubkey()) == PHANTOM_ADDRESSES[1]
    # Same words, another EVM path that is not MetaMask's: Phantom's first account, already
    # the wallet 'zero': refused, naming it, and nothing half-made is left.
    with pytest.raises(WalletError, match="already the wallet 'zero'"):
        store.import_mnemonic("odd", COOKBOOK_MNEMONIC, PASS, path="m/44'/60'/1'/0/0")
    assert store.names() == ["nine", "one", "zero"]
    assert not store.solana_keystore_path("odd").exists()


def test_solana_wallets_private_key_import_has_no_solana_key(store):
    info = store.import_private_key("ops", HARDHAT_KEY_1, PASS)
    assert info.solana_address is None and info.solana_error is None
    assert store.solana_address("ops") is None
    with pytest.raises(WalletError, match="has no Solana key: add one with `steward wallet "
                                          "add-solana ops`"):
        store.unlock_solana("ops", PASS)
    with pytest.raises(UnknownNameError):
        store.unlock_solana("nobody", PASS)


def test_solana_wallets_persist_unlock_and_sign(tmp_path):
    address = WalletStore(tmp_path).import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS).solana_address
    forget_unlocked()  # as a new process would
    keypair = WalletStore(tmp_path).unlock_solana("hd", PASS)
    assert str(keypair.pubkey()) == address == PHANTOM_ADDRESSES[0]
    message = b"steward: solana signing round trip"
    signature = keypair.sign_message(message)
    assert signature.verify(keypair.pubkey(), message)
    # An independent ed25519 verifier accepts it too, and rejects it for other bytes.
    verifier = Ed25519PublicKey.from_public_bytes(bytes(keypair.pubkey()))
    verifier.verify(bytes(signature), message)
    assert not signature.verify(keypair.pubkey(), message + b"!")
    assert WalletStore(tmp_path).unlock_solana("hd", PASS) is keypair  # decrypted once


def test_solana_wallets_wrong_passphrase(store):
    store.create("main", PASS)
    store.unlock_solana("main", PASS)  # cached: the cache must still check the passphrase
    for attempt in ("not it", PASS + " ", ""):
        with pytest.raises(WalletError, match="wrong passphrase for wallet 'main'") as exc:
            store.unlock_solana("main", attempt)
        assert PASS not in str(exc.value)
    forget_unlocked()
    with pytest.raises(WalletError, match="wrong passphrase"):
        store.unlock_solana("main", "not it")


def test_solana_wallets_keystore_is_owner_only_and_encrypted(store, tmp_path):
    store.import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS)
    keypair = keypair_from_mnemonic(COOKBOOK_MNEMONIC)
    path = tmp_path / "wallets" / "solana" / "hd.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert bytes(keypair.secret()) not in raw and bytes(keypair) not in raw
    text = raw.decode()
    for form in _secret_forms(keypair):
        assert form not in text and form.lower() not in text.lower()
    assert COOKBOOK_MNEMONIC.split()[0] not in text
    data = json.loads(text)
    assert data["version"] == 3 and data["crypto"]["kdf"] == "scrypt"
    assert data["crypto"]["kdfparams"]["n"] == 2
    assert data["solana_address"] == PHANTOM_ADDRESSES[0]
    assert "address" not in data  # eth-keyfile's EVM reading of the seed is dropped
    # The standard container: eth-keyfile opens it back to the 32-byte ed25519 seed.
    assert decode_keyfile_json(data, PASS.encode()) == bytes(keypair.secret())


def test_solana_wallets_tampered_address_is_caught_at_unlock(store, tmp_path):
    """An attacker who can edit the keystore swaps in their own address, hoping funds are sent
    there: unlocking proves the key does not match, and nothing signs with it."""
    store.create("main", PASS)
    path = tmp_path / "wallets" / "solana" / "main.json"
    data = json.loads(path.read_text())
    data["solana_address"] = PHANTOM_ADDRESSES[2]
    path.write_text(json.dumps(data))
    with pytest.raises(WalletError, match="does not match"):
        store.unlock_solana("main", PASS)


def test_solana_wallets_corrupt_solana_keystore_leaves_the_evm_key_working(store, tmp_path):
    created = store.create("main", PASS)
    path = tmp_path / "wallets" / "solana" / "main.json"
    path.write_text("{ not json")
    [listed] = store.list()
    assert listed.error is None and listed.address == created.address
    assert listed.solana_address is None and "not valid JSON" in listed.solana_error
    assert store.unlock("main", PASS).address == created.address
    with pytest.raises(WalletError, match="corrupt"):
        store.unlock_solana("main", PASS)
    with pytest.raises(WalletError, match="already has a Solana key"):  # never overwritten
        store.add_solana("main", PASS)


def test_solana_wallets_symlinked_keystore_is_refused(store, tmp_path):
    store.create("main", PASS)
    store.create("spare", PASS)
    folder = tmp_path / "wallets" / "solana"
    (folder / "main.json").unlink()
    (folder / "main.json").symlink_to(folder / "spare.json")
    assert "symbolic link" in store.get("main").solana_error
    with pytest.raises(WalletError, match="symbolic link"):
        store.unlock_solana("main", PASS)


def test_solana_wallets_add_solana_needs_the_wallets_passphrase(store):
    store.import_private_key("ops", HARDHAT_KEY_1, PASS)
    with pytest.raises(WalletError, match="wrong passphrase for wallet 'ops'"):
        store.add_solana("ops", "another long passphrase", COOKBOOK_MNEMONIC)
    assert not store.solana_keystore_path("ops").exists()
    info = store.add_solana("ops", PASS, COOKBOOK_MNEMONIC, phantom_path(2))
    assert info.solana_address == PHANTOM_ADDRESSES[2]
    assert str(store.unlock_solana("ops", PASS).pubkey()) == PHANTOM_ADDRESSES[2]
    with pytest.raises(WalletError, match="already has a Solana key"):
        store.add_solana("ops", PASS)
    with pytest.raises(UnknownNameError):
        store.add_solana("nobody", PASS)
    store.import_private_key("rand", "0x" + "11" * 32, PASS)
    assert store.add_solana("rand", PASS).solana_address not in PHANTOM_ADDRESSES.values()


def test_solana_wallets_one_key_one_name(store):
    store.import_mnemonic("first", COOKBOOK_MNEMONIC, PASS)
    store.import_private_key("second", HARDHAT_KEY_1, PASS)
    with pytest.raises(WalletError, match="already the wallet 'first'"):
        store.add_solana("second", PASS, COOKBOOK_MNEMONIC)
    assert store.solana_address("second") is None
    exported = str(keypair_from_mnemonic(COOKBOOK_MNEMONIC))
    with pytest.raises(WalletError, match="already the wallet 'first'"):
        store.import_solana_secret("third", exported, PASS)
    assert store.names() == ["first", "second"]  # no EVM key made for the refused one
    with pytest.raises(WalletError, match="already the wallet 'first'"):
        store.import_solana_secret("second", exported, PASS)


def test_solana_wallets_phantom_export_import(store):
    keypair = keypair_from_mnemonic(COOKBOOK_MNEMONIC, phantom_path(1))
    exported = str(keypair)  # Phantom's "export private key": base58 of seed || public key
    assert keypair_from_secret(exported) == keypair
    new = store.import_solana_secret("fresh", "  " + exported + "\n", PASS)
    assert new.solana_address == PHANTOM_ADDRESSES[1] and new.address  # a fresh EVM key beside
    store.import_private_key("ops", HARDHAT_KEY_1, PASS)
    with pytest.raises(WalletError, match="wrong passphrase"):
        store.import_solana_secret("ops", str(keypair_from_mnemonic(COOKBOOK_MNEMONIC)), "nope")
    added = store.import_solana_secret("ops", str(keypair_from_mnemonic(COOKBOOK_MNEMONIC)), PASS)
    assert added.solana_address == PHANTOM_ADDRESSES[0]
    with pytest.raises(WalletError, match="too weak"):  # a new wallet's passphrase is checked
        store.import_solana_secret("weak", str(Keypair()), "short")


def test_solana_wallets_export_with_mismatched_halves_refused(store):
    """A forged export pairs the victim's displayed address with the attacker's seed (or is
    simply damaged): importing it would show one address and sign for another."""
    attacker, shown = Keypair(), keypair_from_mnemonic(COOKBOOK_MNEMONIC)
    forged = _b58encode(bytes(attacker.secret()) + bytes(shown.pubkey()))
    with pytest.raises(WalletError, match="public half is not the public key") as exc:
        store.import_solana_secret("victim", forged, PASS)
    _assert_clean(exc.value, forged, attacker)
    assert store.names() == []
    store.import_private_key("ops", HARDHAT_KEY_1, PASS)
    with pytest.raises(WalletError, match="public half"):
        store.import_solana_secret("ops", forged, PASS)
    assert store.solana_address("ops") is None


@pytest.mark.parametrize("bad", [
    "0OIl" + "1" * 80,  # not base58
    PHANTOM_ADDRESSES[0],  # 32 bytes: an address (or a bare seed), not an export
    "",
])
def test_solana_wallets_bad_export_is_not_echoed(store, bad):
    with pytest.raises(WalletError, match="invalid Solana secret key") as exc:
        keypair_from_secret(bad)
    if bad:
        assert bad not in str(exc.value) and bad[:12] not in str(exc.value)
    assert exc.value.__cause__ is None and exc.value.__context__ is None


@pytest.mark.parametrize("bad_mnemonic", [
    "neither lonely flavor argue grass remind eye tag avocado spot unusual unusual",  # checksum
    "neither lonely flavor argue grass remind eye tag avocado spot unusual zzqxw",  # unknown word
])
def test_solana_wallets_bad_mnemonic_is_not_echoed(store, bad_mnemonic):
    store.import_private_key("ops", HARDHAT_KEY_1, PASS)
    with pytest.raises(WalletError, match="invalid mnemonic") as exc:
        store.add_solana("ops", PASS, bad_mnemonic)
    for word in set(bad_mnemonic.split()):
        assert word not in str(exc.value)
    assert exc.value.__cause__ is None and exc.value.__context__ is None
    assert store.solana_address("ops") is None


def test_solana_wallets_remove_deletes_both(store, tmp_path):
    store.import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS)
    store.remove("hd")
    assert not (tmp_path / "wallets" / "hd.json").exists()
    assert not (tmp_path / "wallets" / "solana" / "hd.json").exists()
    # The name and the key are free again.
    assert store.import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS).solana_address == \
        PHANTOM_ADDRESSES[0]


def test_solana_wallets_orphan_solana_keystore_is_never_overwritten(store, tmp_path):
    store.import_mnemonic("hd", COOKBOOK_MNEMONIC, PASS)
    orphan = tmp_path / "wallets" / "solana" / "hd.json"
    before = orphan.read_bytes()
    (tmp_path / "wallets" / "hd.json").unlink()  # the EVM keystore moved away by hand
    for make in (lambda: store.create("hd", PASS),
                 lambda: store.import_private_key("hd", HARDHAT_KEY_1, PASS),
                 lambda: store.import_solana_secret("hd", str(Keypair()), PASS)):
        with pytest.raises(WalletError, match="without the wallet's EVM keystore"):
            make()
    assert orphan.read_bytes() == before and store.names() == []


def test_solana_wallets_agent_style_store_makes_no_solana_key(tmp_path):
    class EvmOnly(WalletStore):
        makes_solana_keys = False

    info = EvmOnly(tmp_path).create("agent", PASS)
    assert info.solana_address is None and not (tmp_path / "wallets" / "solana").exists()


# ---- service and command line -------------------------------------------------------------------

def _run(capsys, monkeypatch, *args: str, secret: str | None = None) -> tuple[int, str, str]:
    """The real `steward` entry point in this process; (exit code, stdout, stderr)."""
    from steward.cli.app import main

    monkeypatch.setattr(sys, "argv", ["steward", *args])
    if secret is None:
        monkeypatch.delenv("STEWARD_SECRET", raising=False)
    else:
        monkeypatch.setenv("STEWARD_SECRET", secret)
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_solana_wallets_cli_shows_both_addresses_and_never_a_secret(capsys, monkeypatch,
                                                                     steward_home):
    code, out, err = _run(capsys, monkeypatch, "wallet", "import", "hd", "--mnemonic",
                          secret=COOKBOOK_MNEMONIC)
    assert code == 0, err
    assert PHANTOM_ADDRESSES[0] in out and "EVM address:" in out
    code, out, err = _run(capsys, monkeypatch, "wallet", "create", "main")
    assert code == 0, err
    solana = WalletStore().get("main").solana_address
    assert solana in out and WalletStore().get("main").address in out
    code, out, err = _run(capsys, monkeypatch, "wallet", "import", "ops", secret=HARDHAT_KEY_1)
    assert code == 0 and "Solana address: none" in out and HARDHAT_KEY_1[2:] not in out + err
    code, out, err = _run(capsys, monkeypatch, "wallet", "add-solana", "ops", "--mnemonic",
                          "--path", phantom_path(1), secret=COOKBOOK_MNEMONIC)
    assert code == 0, err
    assert PHANTOM_ADDRESSES[1] in out
    assert COOKBOOK_MNEMONIC.split()[0] not in out + err
    code, out, err = _run(capsys, monkeypatch, "wallet", "list", "--json")
    listed = {w["name"]: w["solana_address"] for w in json.loads(out)}
    assert listed == {"hd": PHANTOM_ADDRESSES[0], "main": solana, "ops": PHANTOM_ADDRESSES[1]}
    code, out, err = _run(capsys, monkeypatch, "wallet", "list")
    assert "Solana" in out and PHANTOM_ADDRESSES[1] in out
    for form in _secret_forms(WalletStore().unlock_solana("main", PASS)):
        assert form not in out


def test_solana_wallets_cli_errors_carry_no_secret(capsys, monkeypatch, steward_home):
    _run(capsys, monkeypatch, "wallet", "import", "ops", secret=HARDHAT_KEY_1)
    attacker, shown = Keypair(), keypair_from_mnemonic(COOKBOOK_MNEMONIC)
    forged = _b58encode(bytes(attacker.secret()) + bytes(shown.pubkey()))
    code, out, err = _run(capsys, monkeypatch, "wallet", "add-solana", "ops", "--secret",
                          secret=forged)
    assert code == 1 and "public half is not the public key" in err
    assert forged not in out + err and forged[:16] not in out + err
    for form in _secret_forms(attacker):
        assert form not in out + err
    bad_words = "neither lonely flavor argue grass remind eye tag avocado spot unusual unusual"
    code, out, err = _run(capsys, monkeypatch, "wallet", "add-solana", "ops", "--mnemonic",
                          secret=bad_words)
    assert code == 1 and "invalid mnemonic" in err
    assert "lonely" not in out + err and "avocado" not in out + err
    monkeypatch.setenv("STEWARD_PASSPHRASE", "not the passphrase at all")
    code, out, err = _run(capsys, monkeypatch, "wallet", "add-solana", "ops")
    assert code == 1 and "wrong passphrase for wallet 'ops'" in err
    assert "not the passphrase" not in out + err
    assert WalletStore().get("ops").solana_address is None


def test_solana_wallets_service_addresses(steward_home):
    from steward.service import ServiceError
    from steward.service.wallets import (add_solana_key, own_solana_wallets, import_wallet,
                                         solana_wallet_address)

    imported = import_wallet("hd", COOKBOOK_MNEMONIC, PASS, mnemonic=True)
    assert imported.wallet.solana_address == PHANTOM_ADDRESSES[0]
    import_wallet("ops", HARDHAT_KEY_1, PASS)
    with pytest.raises(ServiceError, match="has no Solana key") as exc:
        solana_wallet_address("ops")
    assert exc.value.code == "wallet_error"
    assert own_solana_wallets() == {"hd": PHANTOM_ADDRESSES[0]}
    exported = str(keypair_from_mnemonic(COOKBOOK_MNEMONIC, phantom_path(2)))
    added = add_solana_key("phantom", PASS, secret=exported)
    assert added.created and added.mandate and added.wallet.solana_address == PHANTOM_ADDRESSES[2]
    with pytest.raises(ServiceError) as both:
        add_solana_key("ops", PASS, mnemonic=COOKBOOK_MNEMONIC, secret=exported)
    assert both.value.code == "invalid_input" and exported not in str(both.value)
    assert solana_wallet_address("phantom") == PHANTOM_ADDRESSES[2]


def _assert_clean(error: BaseException, secret: str, keypair: Keypair) -> None:
    message = str(error)
    assert secret not in message and secret[:16] not in message
    for form in _secret_forms(keypair):
        assert form not in message
    assert error.__cause__ is None and error.__context__ is None


def _b58encode(raw: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = alphabet[digit] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text
