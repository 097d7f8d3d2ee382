"""Red team, class 12 ("smaller holes") and the small-holes part of "validated input at every
boundary": addresses without a checksum, near-typo look-alikes, revocable dashboard sessions,
the API token in the access log, passphrase strength, files Steward must not trust, a full or
read-only disk, RPC failures read as facts, fees, and revert decoding.

Every test judges with the wallet's real default mandate where a verdict is involved, and
asserts the decision and the rule (or the HTTP status, or the exact error)."""

from __future__ import annotations

import pytest
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contacts import checked_address, load_contacts, resolve_recipient
from steward.errors import StewardError
from steward.guard import review
from steward.planning.builders import transfer_plan
from steward.wallets import WalletStore

from conftest import PASSPHRASE

L1 = "sandbox-l1"


def _typo(address: str, positions: tuple[int, ...]) -> str:
    """`address` with the hex digits at `positions` (0-39) changed."""
    digits = list(address.lower()[2:])
    for index in positions:
        digits[index] = "0" if digits[index] != "0" else "1"
    return "0x" + "".join(digits)


def _main_and_review(recipient_text: str):
    chain = load_config().chain(L1)
    main = WalletStore().get("main").address
    own = {"main": main}
    plan = transfer_plan(chain, main, "USDC", "5", resolve_recipient(recipient_text, own))
    return review(plan, "main", own_wallets=own)  # the wallet's real default mandate


# ---- addresses --------------------------------------------------------------------------------

def test_all_caps_address_with_a_typo_is_refused(steward_home):
    alice = Web3.to_checksum_address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8")
    typo = "0x" + _typo(alice, (17,))[2:].upper()
    with pytest.raises(StewardError, match="capitals, which carries no EIP-55 checksum"):
        checked_address(typo)
    with pytest.raises(StewardError, match="capitals"):  # even without the typo: no checksum
        checked_address("0x" + alice[2:].upper())
    assert checked_address(alice) == alice  # a valid checksum, and lower case, still pass
    assert checked_address(alice.lower()) == alice
    assert resolve_recipient(alice.lower()).source.startswith("address (no checksum")


# A typo in the first or last four digits escapes the prefix/suffix poisoning pattern.
@pytest.mark.parametrize("positions", [(1,), (38,), (2, 37)])
def test_lower_case_near_typo_of_a_contact_is_denied_as_poisoning(embedded_world, positions):
    alice = load_contacts()["alice"].address
    typo = _typo(alice, positions)  # all lower case: accepted as unchecked
    verdict = _main_and_review(typo)
    assert verdict.decision == "deny"
    assert "address_poisoning" in {reason.rule for reason in verdict.reasons}
    assert any(f.code == "address_poisoning" and "of its 40 hex digits" in f.message
               for f in verdict.findings)
    chains.end_all_sessions()


def test_three_digits_off_is_a_stranger_not_a_lookalike():
    from steward.diligence.addresses import lookalike

    alice = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
    assert lookalike(_typo(alice, (10,)), alice) and lookalike(_typo(alice, (0, 39)), alice)
    assert not lookalike(_typo(alice, (0, 20, 39)), alice) and not lookalike(alice, alice)


# ---- passphrases ------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["x", "hunter2", "aaaaaaaaaaaaaaaa", "abcdefghijklmnop",
                                  "1234567890123", "qwertyuiopasdf", "Password1234!",
                                  "abcabcabcabcabc"])
def test_weak_passphrases_are_refused_for_new_keystores(steward_home, weak):
    from steward.errors import WalletError

    store = WalletStore()
    with pytest.raises(WalletError, match="too weak .*at least 12 characters"):
        store.create("main", weak)
    assert store.names() == []  # nothing written


def test_good_passphrases_work_and_old_weak_keystores_still_unlock(steward_home):
    import json

    from eth_account import Account

    store = WalletStore()
    for name, good in (("tests", PASSPHRASE), ("demo", "sandbox-demo-only")):
        assert store.create(name, good).address == store.unlock(name, good).address
    # A keystore made elsewhere (or before this rule) with a weak passphrase still unlocks.
    account = Account.create()
    keystore = Account.encrypt(account.key, "x", kdf="scrypt", iterations=1024)
    (steward_home / "wallets" / "old.json").write_text(json.dumps(keystore))
    (steward_home / "wallets" / "old.json").chmod(0o600)
    assert store.unlock("old", "x").address == account.address


# ---- files Steward must not trust -------------------------------------------------------------

def _strict_mandate(path):
    from steward.guard.mandate import default_mandate_toml

    path.write_text(default_mandate_toml("main"))
    path.chmod(0o600)


@pytest.mark.parametrize("attack", ["symlink", "world_writable", "group_writable", "other_owner",
                                    "dangling_symlink"])
def test_untrusted_mandate_files_are_refused(steward_home, tmp_path, attack):
    import os

    from steward.guard.mandate import MandateError, load_mandate, mandate_path

    path = mandate_path("main")
    if attack in ("symlink", "dangling_symlink"):
        target = tmp_path / "elsewhere.toml"
        if attack == "symlink":
            _strict_mandate(target)
            target.chmod(0o666)  # the attacker's: anyone may rewrite the rules
        path.symlink_to(target)
        fix = "symbolic link"
    else:
        _strict_mandate(path)
        if attack == "other_owner":
            os.chown(path, 4321, -1)
            fix = "belongs to user id 4321"
        else:
            path.chmod(0o602 if attack == "world_writable" else 0o620)
            fix = "chmod 600"
    with pytest.raises(MandateError, match=fix) as refused:
        load_mandate("main")
    assert str(path) in str(refused.value)


def test_untrusted_keystores_are_refused(steward_home, tmp_path):
    import shutil

    from steward.errors import WalletError

    store = WalletStore()
    store.create("main", PASSPHRASE)
    path = store.path("main")
    path.chmod(0o666)
    with pytest.raises(WalletError, match="chmod 600"):
        store.unlock("main", PASSPHRASE)
    path.chmod(0o600)
    store.unlock("main", PASSPHRASE)
    moved = tmp_path / "kept-elsewhere.json"
    shutil.move(path, moved)
    path.symlink_to(moved)  # a swapped link would sign with someone else's key file
    with pytest.raises(WalletError, match="symbolic link"):
        store.unlock("main", PASSPHRASE)
    assert "symbolic link" in store.get("main").error


# ---- dashboard sessions -----------------------------------------------------------------------

API_TOKEN = "small-holes-token-5f0e2b9d41"


def test_logout_revokes_the_session_server_side(steward_home):
    from fastapi.testclient import TestClient

    from steward.api import create_app

    app = create_app(token=API_TOKEN, passphrase=PASSPHRASE)
    with TestClient(app, follow_redirects=False) as browser:
        assert browser.get("/login", params={"token": API_TOKEN}).status_code == 303
        cookie = browser.cookies.get("steward_session")
        assert cookie and API_TOKEN not in cookie
        assert browser.get("/journal").status_code == 200
        assert browser.post("/logout", headers={"Origin": "http://testserver"}).status_code == 303
    # Someone who copied the cookie before the person signed out replays it.
    with TestClient(app, follow_redirects=False, cookies={"steward_session": cookie}) as thief:
        replayed = thief.get("/journal")
        assert replayed.status_code == 401 and 'id="login"' in replayed.text
        assert thief.post("/ask", data={"text": "send 5 USDC to alice"},
                          headers={"Origin": "http://testserver"}).status_code == 401
    # A session is not derived from the token: a restarted server does not know old cookies.
    with TestClient(app, follow_redirects=False) as browser:
        browser.get("/login", params={"token": API_TOKEN})
        kept = browser.cookies.get("steward_session")
    restarted = create_app(token=API_TOKEN, passphrase=PASSPHRASE)
    with TestClient(restarted, follow_redirects=False, cookies={"steward_session": kept}) as old:
        assert old.get("/journal").status_code == 401


# ---- the API token in the access log ----------------------------------------------------------

TOKEN_IN_DISGUISE = [
    "/login?token={t}", "/login?tok%65n={t}", "/login?%74oken={t}", "/login?TOKEN={t}",
    "/login?Token=%{hex}", "/login?t%6Fken%3D{t}", "/{t}/journal", "/api/x?q={upper}",
    "/login?next=%2Flogin%3Ftoken%3D{t}", "/p?access_token={t}&x=1", "/login?%2574oken={t}",
]


@pytest.mark.parametrize("path", TOKEN_IN_DISGUISE)
def test_access_log_records_never_carry_the_token(path):
    import logging

    from steward.cli.serve_cmd import RedactTokens

    shown = path.format(t=API_TOKEN, upper=API_TOKEN.upper(),
                        hex="%".join(format(ord(ch), "02x") for ch in API_TOKEN))
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", shown, "1.1", 303), None)
    referer = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                                f'GET /journal referer="http://127.0.0.1{shown}"', (), None)
    for one in (record, referer):
        RedactTokens(API_TOKEN).filter(one)
        message = one.getMessage()
        assert API_TOKEN.lower() not in _fully_decoded(message)
    assert record.getMessage().startswith('127.0.0.1:5 - "GET /')  # the rest of the line stays


def _fully_decoded(text: str) -> str:
    from urllib.parse import unquote_plus

    for _ in range(5):
        text = unquote_plus(text)
    return text.lower()


def test_uvicorn_access_log_of_a_real_request_hides_the_token(steward_home):
    import io
    import logging
    import socket
    import threading

    import httpx
    import uvicorn
    from uvicorn.logging import AccessFormatter

    from steward.api import create_app
    from steward.cli.serve_cmd import install_log_redaction

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    install_log_redaction(API_TOKEN)
    server = uvicorn.Server(uvicorn.Config(create_app(token=API_TOKEN), host="127.0.0.1",
                                           port=port, log_config=None, log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            thread.join(0.05)
        base = f"http://127.0.0.1:{port}"
        for path in ("/login?tok%65n={t}", "/login?%74oken={t}", "/{t}", "/login?TOKEN={t}"):
            httpx.get(base + path.format(t=API_TOKEN), follow_redirects=False)
    finally:
        server.should_exit = True
        thread.join(30)
        access.removeHandler(handler)
        for name in ("uvicorn.access", "uvicorn.error"):
            for added in list(logging.getLogger(name).filters):
                logging.getLogger(name).removeFilter(added)
    log = written.getvalue()
    assert log.count("GET /") == 4  # the four requests were logged…
    assert API_TOKEN.lower() not in _fully_decoded(log)  # …without the token


# ---- a full or read-only disk -----------------------------------------------------------------

def test_a_write_that_fails_on_disk_is_one_sentence_not_a_traceback(steward_home):
    """A real failing write, even as root: the child may not write a single byte to any file
    (RLIMIT_FSIZE 0; Python ignores SIGXFSZ, so the write fails with EFBIG)."""
    import os
    import subprocess
    import sys

    resource = pytest.importorskip("resource")
    from conftest import TEST_ENV

    def no_bytes_on_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    done = subprocess.run(
        [sys.executable, "-m", "steward.cli", "contacts", "add", "zed",
         "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"], capture_output=True, text=True,
        env=os.environ | TEST_ENV | {"STEWARD_HOME": str(steward_home)},
        preexec_fn=no_bytes_on_disk, timeout=120)
    assert done.returncode == 74, done.stderr
    assert "Steward could not write to disk" in done.stderr
    assert "Traceback" not in done.stderr and "OSError" not in done.stderr
    assert load_contacts() == {}


def test_a_read_only_journal_stops_before_signing(embedded_world, monkeypatch, capsys):
    import sqlite3
    import sys

    from steward.cli.app import main
    from steward.protocols import erc20

    real_connect = sqlite3.connect

    def read_only(*args, **kwargs):  # what SQLite does on a read-only disk or file
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA query_only = ON")
        return conn

    def alice_usdc() -> int:
        chain = load_config().chain(L1)
        balance = erc20.balance_of(chains.connect(chain), chain.tokens["USDC"],
                                   load_contacts()["alice"].address)
        chains.end_all_sessions()
        return balance

    before = alice_usdc()
    with monkeypatch.context() as patched:
        patched.setattr("steward.journal.sqlite3.connect", read_only)
        patched.setattr(sys, "argv", ["steward", "send", "5", "USDC", "alice", "--chain", L1,
                                      "--yes"])
        with pytest.raises(SystemExit) as exited:
            main()
    err = capsys.readouterr().err
    assert exited.value.code == 74, err
    assert "could not write to disk: a database file (or its folder) is read-only" in err
    assert "Traceback" not in err
    assert alice_usdc() == before  # nothing was signed


def test_storage_problems_are_recognised_from_real_errors(tmp_path):
    import sqlite3

    from steward.home import storage_problem

    full = sqlite3.connect(":memory:")
    full.execute("CREATE TABLE t (x BLOB)")
    full.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as caught:
        full.execute("INSERT INTO t VALUES (zeroblob(100000))")
    assert storage_problem(caught.value) == "the disk is full"
    with pytest.raises(OSError) as no_space:
        with open("/dev/full", "w") as device:  # a real ENOSPC
            device.write("x")
    assert storage_problem(no_space.value).startswith("the disk is full")
    assert storage_problem(ValueError("no")) is None
    assert storage_problem(FileNotFoundError(2, "missing")) is None


# ---- RPC failures are not facts ---------------------------------------------------------------

DECIMALS = "0x313ce567"
GET_RESERVES = "0x0902f1ac"
GET_AMOUNTS_IN = "0x1f00ca74"


def _failing_calls(w3, selector: str, to: str | None = None) -> None:
    """A web3 middleware: the node fails (a read timeout) every eth_call of `selector` (to `to`,
    if given); everything else goes through."""
    import requests
    from web3.middleware.base import Web3Middleware

    class NodeTimesOut(Web3Middleware):
        def wrap_make_request(self, make_request):
            def failing(method, params):
                if method == "eth_call":
                    call = params[0]
                    data = str(call.get("data") or call.get("input") or "")
                    if data.startswith(selector) and (
                            to is None or str(call.get("to", "")).lower() == to.lower()):
                        raise requests.exceptions.ReadTimeout("the node did not answer in time")
                return make_request(method, params)
            return failing

    w3.middleware_onion.add(NodeTimesOut, name=f"fail {selector} {to}")


def test_an_rpc_failure_is_not_read_as_not_a_token(embedded_world):
    from steward.protocols import amm

    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    pool = amm.pool(w3, chain.contracts["uniswap-v2:factory"], chain.tokens["WETH"], chain.tokens["USDC"])
    honest = _main_and_review(pool.address.lower())  # the pool's LP share is a token
    assert honest.decision == "deny"
    assert "allow.transfers_to_token_contracts" in {r.rule for r in honest.reasons}
    _failing_calls(w3, DECIMALS, pool.address)
    verdict = _main_and_review(pool.address.lower())
    rules = {r.rule for r in verdict.reasons}
    assert verdict.decision in ("confirm", "deny") and "could_not_establish" in rules
    assert any(f.code == "recipient_kind_unknown" and "could not establish" in f.message
               for f in verdict.findings)
    chains.end_all_sessions()


def test_an_rpc_failure_is_not_read_as_no_route(embedded_world):
    from steward.intents import Amount, Swap
    from steward.planning.requests import plan_step
    from steward.protocols import amm

    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    main = WalletStore().get("main").address
    _failing_calls(w3, GET_AMOUNTS_IN)
    with pytest.raises(StewardError, match="could not establish a swap route") as refused:
        plan_step(Swap(amount=Amount(kind="exact", value="0.5"), token_in="USDC",
                       token_out="ETH", amount_of="out", chain=L1), main)
    assert "No pool route" not in str(refused.value)
    _failing_calls(w3, GET_RESERVES)
    with pytest.raises(StewardError, match="could not establish a swap route"):
        amm.best_route(w3, chain.contracts["uniswap-v2:router"], chain.contracts["uniswap-v2:factory"],
                       chain.tokens["USDC"], chain.tokens["WETH"], 10**6, [])
    chains.end_all_sessions()


# ---- fees -------------------------------------------------------------------------------------

def test_fees_come_from_the_node_with_a_legacy_fallback(embedded_world):
    """EIP-1559 on the embedded chain (the node's suggested tip on top of its base fee); and a
    chain whose blocks have no base fee — none can be run here, so a minimal stand-in w3 that
    answers like one — gets the node's gas price as a legacy transaction, not a KeyError."""
    from steward.execution import fee_caps

    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    fees = fee_caps(w3)
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    assert not fees.legacy and fees.tip == w3.eth.max_priority_fee
    assert fees.max_fee == 2 * base_fee + fees.tip
    assert fees.fields() == {"maxFeePerGas": fees.max_fee, "maxPriorityFeePerGas": fees.tip}
    chains.end_all_sessions()

    class LegacyEth:
        gas_price = 3 * 10**9

        @property
        def max_priority_fee(self):
            raise AssertionError("a legacy chain has no priority fee")

        def get_block(self, which):
            return {"number": 7, "gasLimit": 30_000_000}  # pre-London: no baseFeePerGas

    class LegacyW3:
        eth = LegacyEth()

    legacy = fee_caps(LegacyW3())
    assert legacy.legacy and legacy.fields() == {"gasPrice": 3 * 10**9}


# ---- reverts in words -------------------------------------------------------------------------

def _reverting_initcode(payload: bytes) -> bytes:
    """Creation code that reverts with exactly `payload` (CODECOPY it, REVERT): real revert data
    from a real EVM, no compiler needed."""
    size = len(payload).to_bytes(2, "big")
    prefix = b"\x61" + size + b"\x61" + (15).to_bytes(2, "big") + bytes.fromhex("600039") \
        + b"\x61" + size + bytes.fromhex("6000fd")
    return prefix + payload


def _panic(code: int) -> bytes:
    from eth_abi import encode

    return bytes.fromhex("4e487b71") + encode(["uint256"], [code])


def _insufficient_balance() -> bytes:
    from eth_abi import encode

    selector = Web3.keccak(text="ERC20InsufficientBalance(address,uint256,uint256)")[:4]
    return selector + encode(["address", "uint256", "uint256"],
                             ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 5, 10])


@pytest.mark.parametrize("payload, words", [
    (_panic(0x11), "panic 0x11: arithmetic overflow or underflow"),
    (_panic(0x12), "panic 0x12: division or modulo by zero"),
    (_panic(0x32), "panic 0x32: an array index out of bounds"),
    (_insufficient_balance(), "custom error ERC20InsufficientBalance(sender=0x70997970C51812dc3A0"
                              "10C7d01b50e0d17dc79C8, balance=5, needed=10)"),
    (bytes.fromhex("deadbeef") + bytes(32), "reverted with custom error 0xdeadbeef (not in the "
                                            "ABIs Steward knows)"),
], ids=["overflow", "division_by_zero", "out_of_bounds", "known_custom_error", "unknown_error"])
def test_panics_and_custom_errors_are_decoded(embedded_world, payload, words):
    from steward.execution import revert_reason
    from steward.planning import Call, Plan
    from steward.simulation import decode_revert, simulate

    assert decode_revert(payload).startswith(words)
    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    main = WalletStore().get("main").address
    code = "0x" + _reverting_initcode(payload).hex()
    # The simulation (py-evm) reads the revert data itself…
    plan = Plan(chain=L1, sender=main, calls=[Call(to=None, data=code, description="deploy")],
                summary="deploy")
    assert simulate(w3, chain, plan).revert_reason.startswith(words)
    # …and signing reads it from the node's answer to the gas estimate.
    with pytest.raises(Exception) as reverted:
        w3.eth.estimate_gas({"from": main, "data": code})
    assert revert_reason(reverted.value).startswith(words)
    chains.end_all_sessions()


def test_json_rpc_panic_and_custom_errors_are_decoded():
    """web3 turns a JSON-RPC node's revert into ContractPanicError / ContractCustomError with
    the data; revert_reason decodes it (anvil and geth answer this way)."""
    from web3._utils.error_formatters_utils import raise_contract_logic_error_on_revert

    from steward.execution import revert_reason

    for payload, words in ((_panic(0x12), "panic 0x12: division or modulo by zero"),
                           (_insufficient_balance(), "custom error ERC20InsufficientBalance(")):
        response = {"jsonrpc": "2.0", "id": 1, "error": {
            "code": 3, "message": "execution reverted", "data": "0x" + payload.hex()}}
        with pytest.raises(Exception) as reverted:
            raise_contract_logic_error_on_revert(response)
        assert revert_reason(reverted.value).startswith(words)
