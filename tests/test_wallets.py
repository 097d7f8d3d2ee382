"""Wallet store: V3 scrypt keystores, imports, the default wallet, and secrets kept out of errors."""

from __future__ import annotations

import json
import os
import stat

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from steward.errors import UnknownNameError, WalletError
from steward.wallets import WalletInfo, WalletStore, read_passphrase, scrypt_n

TEST_MNEMONIC = "test test test test test test test test test test test junk"
KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ADDRESS_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ADDRESS_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    monkeypatch.setenv("STEWARD_KEYSTORE_SCRYPT_N", "1024")
    monkeypatch.delenv("STEWARD_PASSPHRASE", raising=False)


@pytest.fixture
def store(tmp_path):
    return WalletStore(tmp_path)


def test_create_then_unlock_round_trip(store, tmp_path):
    info = store.create("main", PASS)
    assert isinstance(info, WalletInfo)
    assert info.name == "main" and info.error is None and info.is_default
    assert info.address == to_checksum_address(info.address.lower())
    account = store.unlock("main", PASS)
    assert account.address == info.address
    path = tmp_path / "wallets" / "main.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "wallets").iterdir() if p.name.endswith(".tmp")]


def test_keystore_is_standard_v3_scrypt_without_the_key(store, tmp_path):
    store.import_private_key("k", KEY_0, PASS)
    text = (tmp_path / "wallets" / "k.json").read_text()
    data = json.loads(text)
    assert data["version"] == 3
    assert data["crypto"]["kdf"] == "scrypt"
    assert data["crypto"]["kdfparams"]["n"] == 1024
    assert data["address"].lower() == ADDRESS_0[2:].lower()
    assert KEY_0[2:] not in text.lower()
    # Any standard tool can read it back.
    assert Account.decrypt(data, PASS).hex().removeprefix("0x") == KEY_0[2:]


def test_standard_scrypt_cost_by_default(monkeypatch):
    monkeypatch.delenv("STEWARD_KEYSTORE_SCRYPT_N")
    assert scrypt_n() == 2**18


@pytest.mark.parametrize("bad", ["1000", "1", "0", "-4", "abc"])
def test_bad_scrypt_cost_is_refused(store, monkeypatch, bad):
    monkeypatch.setenv("STEWARD_KEYSTORE_SCRYPT_N", bad)
    with pytest.raises(WalletError, match="power of two"):
        store.create("main", PASS)
    assert store.list() == []


def test_import_private_key(store):
    info = store.import_private_key("dev", KEY_0, PASS)
    assert info.address == ADDRESS_0
    assert store.unlock("dev", PASS).key.hex().removeprefix("0x") == KEY_0[2:]


def test_import_private_key_without_0x(store):
    assert store.import_private_key("dev", KEY_0[2:], PASS).address == ADDRESS_0


def test_import_mnemonic_default_path_and_index_1(store):
    assert store.import_mnemonic("zero", TEST_MNEMONIC, PASS).address == ADDRESS_0
    one = store.import_mnemonic("one", TEST_MNEMONIC, PASS, path="m/44'/60'/0'/0/1")
    assert one.address == ADDRESS_1
    assert store.unlock("one", PASS).address == ADDRESS_1


def test_wrong_passphrase(store):
    store.create("main", PASS)
    with pytest.raises(WalletError, match="wrong passphrase for wallet 'main'"):
        store.unlock("main", "not it")


def test_cached_unlock_still_checks_the_passphrase(store):
    store.create("main", PASS)
    first = store.unlock("main", PASS)
    assert store.unlock("main", PASS) is first  # decrypted once per process
    with pytest.raises(WalletError, match="wrong passphrase"):
        store.unlock("main", "not it")


def test_cache_is_per_file_version(store, tmp_path):
    store.create("main", PASS)
    store.unlock("main", PASS)
    path = tmp_path / "wallets" / "main.json"
    path.write_text("{not json")
    with pytest.raises(WalletError, match="corrupt"):
        store.unlock("main", PASS)


def test_corrupt_file_does_not_break_the_others(store, tmp_path):
    store.create("alpha", PASS)
    store.create("beta", PASS)
    store.create("gamma", PASS)
    (tmp_path / "wallets" / "beta.json").write_text("{ this is not json")
    (tmp_path / "wallets" / "gamma.json").write_text(json.dumps({"version": 3}))
    listed = store.list()
    assert [w.name for w in listed] == ["alpha", "beta", "gamma"]
    alpha, beta, gamma = listed
    assert alpha.error is None and alpha.address
    assert beta.error and "beta.json" in beta.error and beta.address is None
    assert gamma.error and gamma.address is None
    with pytest.raises(WalletError) as exc:
        store.unlock("beta", PASS)
    message = str(exc.value)
    assert "beta.json" in message and "other wallets are unaffected" in message
    assert store.unlock("alpha", PASS).address == alpha.address
    assert store.get("beta").error


def test_tampered_ciphertext_is_corrupt_or_wrong(store, tmp_path):
    store.create("main", PASS)
    path = tmp_path / "wallets" / "main.json"
    data = json.loads(path.read_text())
    data["crypto"]["kdfparams"] = {}
    path.write_text(json.dumps(data))
    with pytest.raises(WalletError, match="corrupt"):
        store.unlock("main", PASS)


def test_duplicate_name_refused(store):
    store.create("main", PASS)
    with pytest.raises(WalletError, match="already exists"):
        store.create("main", PASS)
    with pytest.raises(WalletError, match="already exists"):
        store.import_private_key("main", KEY_0, PASS)


def test_duplicate_address_refused_and_names_the_other(store):
    store.import_private_key("first", KEY_0, PASS)
    with pytest.raises(WalletError, match="'first'") as exc:
        store.import_mnemonic("second", TEST_MNEMONIC, PASS)
    assert ADDRESS_0 in str(exc.value)
    assert [w.name for w in store.list()] == ["first"]


@pytest.mark.parametrize(
    "name", ["", "Main", "-x", "_x", "a b", "a.b", "a/b", "../x", "x" * 33, "é", "a:b"]
)
def test_invalid_names(store, name):
    with pytest.raises(WalletError, match="invalid wallet name") as exc:
        store.create(name, PASS)
    assert "lowercase letters, digits" in str(exc.value)


@pytest.mark.parametrize("name", ["a", "0", "main", "my-wallet_2", "x" * 32])
def test_valid_names(store, name):
    assert store.create(name, PASS).name == name


def test_empty_passphrase_refused(store):
    with pytest.raises(WalletError, match="passphrase must not be empty"):
        store.create("main", "")
    assert store.list() == []


@pytest.mark.parametrize(
    "bad_key",
    [
        KEY_0[:-2],  # too short
        KEY_0 + "00",  # too long
        KEY_0[:-1] + "z",  # not hex
        "0x" + "00" * 32,  # zero
        "0x" + "ff" * 32,  # above the curve order
    ],
)
def test_bad_private_key_is_not_echoed(store, bad_key):
    with pytest.raises(WalletError, match="invalid private key") as exc:
        store.import_private_key("dev", bad_key, PASS)
    message = str(exc.value)
    body = bad_key.removeprefix("0x")
    assert body not in message and body[:16] not in message and body[-16:] not in message
    assert exc.value.__cause__ is None and exc.value.__context__ is None


def test_key_pasted_as_name_is_not_echoed(store):
    with pytest.raises(WalletError) as exc:
        store.create(KEY_0[2:], PASS)
    assert KEY_0[2:] not in str(exc.value) and KEY_0[2:18] not in str(exc.value)


@pytest.mark.parametrize(
    "bad_mnemonic",
    [
        "test test test test test test test test test test test test",  # bad checksum
        "test test test test test test test test test test test zzzzqq",  # unknown word
        "secretword another",  # wrong count
    ],
)
def test_bad_mnemonic_is_not_echoed(store, bad_mnemonic):
    with pytest.raises(WalletError, match="invalid mnemonic") as exc:
        store.import_mnemonic("dev", bad_mnemonic, PASS)
    message = str(exc.value)
    for word in set(bad_mnemonic.split()):
        assert word not in message
    assert exc.value.__cause__ is None and exc.value.__context__ is None


def test_bad_derivation_path(store):
    with pytest.raises(WalletError, match="derivation path"):
        store.import_mnemonic("dev", TEST_MNEMONIC, PASS, path="44/60")


def test_wrong_passphrase_message_has_no_secret(store):
    store.import_private_key("dev", KEY_0, PASS)
    with pytest.raises(WalletError) as exc:
        store.unlock("dev", "wrong-" + PASS)
    assert KEY_0[2:] not in str(exc.value) and PASS not in str(exc.value)


def test_default_rules(store, tmp_path):
    with pytest.raises(WalletError, match="no wallet yet: create one with `steward wallet create NAME`"):
        store.resolve(None)
    assert store.default_name() is None

    store.create("alpha", PASS)
    assert store.default_name() == "alpha"  # the first wallet becomes the default
    assert store.resolve(None) == "alpha"
    store.create("beta", PASS)
    assert store.default_name() == "alpha"
    assert [w.is_default for w in store.list()] == [True, False]
    assert store.resolve("beta") == "beta"

    store.set_default("beta")
    assert store.default_name() == "beta"
    assert (tmp_path / "wallets" / "default").read_text().strip() == "beta"
    assert [w.is_default for w in store.list()] == [False, True]

    with pytest.raises(UnknownNameError):
        store.set_default("nope")
    with pytest.raises(UnknownNameError) as exc:
        store.resolve("nope")
    assert exc.value.valid == ["alpha", "beta"]

    store.create("gamma", PASS)
    store.remove("beta")  # the default goes: no default while several remain
    assert store.default_name() is None
    with pytest.raises(WalletError, match="alpha, gamma"):
        store.resolve(None)
    store.create("delta", PASS)  # not the first: does not become the default
    assert store.default_name() is None
    store.remove("delta")
    store.remove("gamma")
    assert store.default_name() == "alpha"  # the only one left


def test_implicit_default_is_kept_when_a_second_wallet_arrives(store, tmp_path):
    store.create("alpha", PASS)
    store.create("beta", PASS)
    store.remove("alpha")
    assert store.default_name() == "beta"  # the only wallet
    store.create("gamma", PASS)
    assert store.default_name() == "beta"


def test_stale_default_file_is_ignored(store, tmp_path):
    store.create("alpha", PASS)
    store.create("beta", PASS)
    (tmp_path / "wallets" / "default").write_text("ghost\n")
    assert store.default_name() is None


def test_remove(store, tmp_path):
    store.create("alpha", PASS)
    store.create("beta", PASS)
    store.remove("alpha")
    assert [w.name for w in store.list()] == ["beta"]
    assert not (tmp_path / "wallets" / "alpha.json").exists()
    with pytest.raises(UnknownNameError):
        store.remove("alpha")
    with pytest.raises(UnknownNameError):
        store.unlock("alpha", PASS)
    # The name is free again.
    store.import_private_key("alpha", KEY_0, PASS)
    assert store.get("alpha").address == ADDRESS_0


def test_get_unknown_lists_valid_names(store):
    store.create("alpha", PASS)
    with pytest.raises(UnknownNameError, match="valid wallets: alpha"):
        store.get("nope")


def test_default_home_is_steward_home(monkeypatch, tmp_path):
    monkeypatch.setenv("STEWARD_HOME", str(tmp_path / "home"))
    info = WalletStore().create("main", PASS)
    assert (tmp_path / "home" / "wallets" / "main.json").exists()
    assert WalletStore(tmp_path / "home").get("main") == info


def test_read_passphrase_from_env(monkeypatch):
    monkeypatch.setenv("STEWARD_PASSPHRASE", "from-env")
    assert read_passphrase() == "from-env"
    assert read_passphrase(confirm=True) == "from-env"


def test_read_passphrase_without_terminal(monkeypatch):
    class NotATerminal:
        def isatty(self):
            return False

    monkeypatch.setattr("sys.stdin", NotATerminal())
    with pytest.raises(WalletError, match="no passphrase: set STEWARD_PASSPHRASE or run in a terminal"):
        read_passphrase()


def test_read_passphrase_from_terminal(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    one, two = "one long passphrase", "two long passphrase"
    answers = iter([one, one, two, "three long passphrase", "short"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert read_passphrase(confirm=True) == one
    with pytest.raises(WalletError, match="do not match"):
        read_passphrase(confirm=True)
    with pytest.raises(WalletError, match="too weak"):  # said before asking it again
        read_passphrase(confirm=True)


def test_files_are_owner_only(store, tmp_path):
    store.create("main", PASS)
    assert stat.S_IMODE((tmp_path / "wallets").stat().st_mode) == 0o700
    for path in (tmp_path / "wallets").rglob("*"):
        if path.is_dir():  # the Solana keystores' folder
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
        elif path.name != ".lock":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (tmp_path / "wallets" / "solana" / "main.json").is_file()
    assert os.listdir(tmp_path / "wallets")
