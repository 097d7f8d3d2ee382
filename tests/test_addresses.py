"""Address due diligence on the embedded sandbox: accounts, tokens, the router, fresh addresses,
and a real address-poisoning scenario with a scam token that forges zero-value transfers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import vyper
from eth_account import Account
from eth_utils import to_checksum_address

from steward import chains
from steward.chains.config import load_config
from steward.contacts import load_contacts, resolve_recipient
from steward.diligence import check_address
from steward.diligence.addresses import lookalike
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import approve, review
from steward.planning import Call
from steward.planning.builders import transfer_plan
from steward.sandbox import SandboxBuilder
from steward.wallets import WalletStore

from conftest import PASSPHRASE

# What real poisoning spam does: a contract that logs ERC-20 Transfers it never made.
SCAM_TOKEN = """
# pragma version 0.4.3
event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

@external
@view
def decimals() -> uint8:
    return 6

@external
@view
def symbol() -> String[8]:
    return "USDC"

@external
@view
def totalSupply() -> uint256:
    return 10 ** 12

@external
def airdrop(fake_sender: address, victim: address, amount: uint256):
    log Transfer(sender=fake_sender, receiver=victim, value=amount)
"""


def setup():
    chain = load_config().chain("sandbox-l1")
    store = WalletStore()
    owner = store.get("main").address
    known = {name: contact.address for name, contact in load_contacts().items()}
    known["main"] = owner
    return chain, chains.connect(chain), owner, known


def imitation_of(address: str) -> str:
    """An address with the same first 4 and last 4 hex digits as `address` (no key needed)."""
    hex_ = address.lower()[2:]
    middle = "".join("a" if ch != "a" else "b" for ch in hex_[4:-4])
    return to_checksum_address("0x" + hex_[:4] + middle + hex_[-4:])


def deploy_scam_token(chain) -> tuple[str, list]:
    out = vyper.compile_code(SCAM_TOKEN, output_formats=["abi", "bytecode"])
    step = SandboxBuilder().send(chain, Call(to=None, data=out["bytecode"],
                                             description="deploy scam token", gas_hint=3_000_000))
    return step.contract_address, out["abi"]


def codes(report) -> list[str]:
    return [finding.code for finding in report.findings]


def test_lookalike_rule():
    a = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    assert lookalike(a, imitation_of(a)) and lookalike(a, "0x3c44" + "0" * 32 + "93bc")
    for b in (a, a.lower(), "0x3c44" + "0" * 32 + "93bd", "0x3c45" + "0" * 32 + "93bc"):
        assert not lookalike(a, b)


def test_an_active_account_is_safe(embedded_world):
    chain, w3, owner, known = setup()
    bob = resolve_recipient("bob")
    account = WalletStore().unlock("main", PASSPHRASE)
    verdict = review(transfer_plan(chain, owner, "USDC", "20", bob), "main")
    Executor(account, "main").execute(transfer_plan(chain, owner, "USDC", "20", bob),
                                      approve(verdict, by="test"))
    report = check_address(w3, chain, owner, None, known)
    assert not report.is_contract and report.code_size == 0
    assert report.first_activity.kind == "nonce"
    assert report.first_activity.nonce >= 1 and report.first_activity.has_sent
    assert "eth_getTransactionCount returned" in report.first_activity.how
    assert report.known_as == "main" and report.token is None
    assert report.verdict == "safe", report.reasons
    assert "active_account" in codes(report)


def test_a_token_contract_is_caution_and_says_what_it_is(embedded_world):
    chain, w3, owner, known = setup()
    report = check_address(w3, chain, chain.tokens["USDC"], owner, known)
    assert report.is_contract and report.token is not None
    assert (report.token.symbol, report.token.decimals) == ("USDC", 6)
    assert report.token.total_supply > 0 and report.token.configured_as == "USDC"
    assert report.known_as == "the USDC token"
    # The sandbox placed USDC at its mainnet address: its code appeared in a block with no
    # transactions, and the report says so rather than name a creator.
    assert report.first_activity.kind == "created" and report.first_activity.block > 0
    assert report.first_activity.tx_hash is None and report.first_activity.creator is None
    assert "no transactions" in report.first_activity.how
    assert report.verdict == "caution"
    assert any("tokens sent to it are usually lost" in reason for reason in report.reasons)


def test_the_router_is_a_known_contract(embedded_world):
    chain, w3, owner, known = setup()
    router = chain.contracts["uniswap-v2:router"]
    report = check_address(w3, chain, router, owner, known)
    assert report.is_contract and report.token is None
    assert "decimals()" in report.token_how
    assert report.known_as == "the Uniswap V2 router contract"
    assert report.first_activity.kind == "created"
    assert report.verdict == "safe", report.reasons


def test_creation_is_found_by_scanning_when_there_is_no_historical_state(embedded_world,
                                                                         monkeypatch):
    from steward.diligence import addresses

    chain, w3, owner, known = setup()
    router = chain.contracts["bridge"]  # deployed by a transaction (the router was placed)
    expected = check_address(w3, chain, router, owner, known).first_activity
    assert expected.tx_hash
    monkeypatch.setattr(addresses, "_bisect_creation",
                        lambda *args: (_ for _ in ()).throw(ValueError("pruned")))
    scanned = check_address(w3, chain, router, owner, known).first_activity
    assert (scanned.block, scanned.tx_hash) == (expected.block, expected.tx_hash)
    assert scanned.scanned_to == w3.eth.block_number and "scanned blocks" in scanned.how
    gave_up = check_address(w3, chain, router, owner, known, scan_blocks=3).first_activity
    assert gave_up.kind == "unknown" and gave_up.gave_up
    assert "gave up" in gave_up.how


def test_a_fresh_address_is_caution(embedded_world):
    chain, w3, owner, known = setup()
    fresh = Account.create().address
    report = check_address(w3, chain, fresh, owner, known)
    assert report.first_activity.nonce == 0 and report.first_activity.has_sent is False
    assert report.balance_wei == 0 and report.known_as is None
    assert report.verdict == "caution" and codes(report)[0] == "fresh_address"


def test_a_lookalike_of_a_contact_is_danger(embedded_world):
    chain, w3, owner, known = setup()
    fake_bob = imitation_of(known["bob"])
    report = check_address(w3, chain, fake_bob, owner, known)
    assert report.verdict == "danger"
    [match] = report.lookalikes
    assert match.name == "bob" and match.address == known["bob"]
    assert "looks like bob" in report.reasons[0]


def test_poisoning_spam_aimed_at_the_owner_is_listed(embedded_world):
    chain, w3, owner, known = setup()
    builder = SandboxBuilder()
    bob = known["bob"]
    account = WalletStore().unlock("main", PASSPHRASE)
    verdict = review(transfer_plan(chain, owner, "USDC", "20", resolve_recipient("bob")), "main")
    Executor(account, "main").execute(
        transfer_plan(chain, owner, "USDC", "20", resolve_recipient("bob")),
        approve(verdict, by="test"))

    scam, abi = deploy_scam_token(chain)
    fake_bob = imitation_of(bob)
    contract = w3.eth.contract(address=scam, abi=abi)
    stranger = Account.create().address
    for fake_sender, amount in ((fake_bob, 0), (stranger, 5)):  # zero-value, then dust (5e-6)
        data = contract.encode_abi("airdrop", args=[fake_sender, owner, amount])
        builder.send(chain, Call(to=scam, data=data, description="poison"))

    report = check_address(w3, chain, fake_bob, owner, known)
    assert report.verdict == "danger"
    assert {"address_poisoning", "poisoning_sender", "poisoning_aimed_at_owner"} <= set(
        codes(report))
    by_sender = {s.counterparty.lower(): s for s in report.spam}
    assert set(by_sender) == {fake_bob.lower(), stranger.lower()}  # the real payment is not spam
    poison = by_sender[fake_bob.lower()]
    assert poison.value == 0 and poison.lookalike_of == "bob" and poison.token == scam
    assert poison.direction == "in" and poison.token_symbol == "USDC"
    assert "zero-value transfer" in poison.reasons
    assert any(r.startswith("dust:") for r in by_sender[stranger.lower()].reasons)
    assert "eth_getLogs" in report.spam_how

    # Checking real bob shows the owner is being poisoned, without calling bob a poisoner.
    real = check_address(w3, chain, bob, owner, known)
    assert real.known_as == "bob" and real.lookalikes == []
    assert "poisoning_aimed_at_owner" in codes(real) and "poisoning_sender" not in codes(real)
    assert real.verdict == "caution"

    # The scam token itself: a contract calling itself USDC that is not the configured USDC.
    token = check_address(w3, chain, scam, owner, known)
    assert token.verdict == "danger" and {"impostor_token", "spam_token"} <= set(codes(token))

    # A tighter dust threshold no longer flags 5 units as dust.
    tight = check_address(w3, chain, bob, owner, known, dust=Decimal("0.000001"))
    assert {s.counterparty.lower() for s in tight.spam} == {fake_bob.lower()}


def test_forged_zero_value_transfers_from_the_owner_are_spam(embedded_world):
    chain, w3, owner, known = setup()
    scam, abi = deploy_scam_token(chain)
    fake_alice = imitation_of(known["alice"])
    data = w3.eth.contract(address=scam, abi=abi).encode_abi("airdrop",
                                                             args=[owner, fake_alice, 0])
    SandboxBuilder().send(chain, Call(to=scam, data=data, description="poison"))
    report = check_address(w3, chain, known["alice"], owner, known)
    [spam] = report.spam
    assert spam.direction == "out" and spam.counterparty == fake_alice
    assert spam.lookalike_of == "alice"


def test_bad_addresses_are_refused(embedded_world):
    chain, w3, owner, known = setup()
    with pytest.raises(StewardError, match="not an address"):
        check_address(w3, chain, "0x1234", owner, known)
    with pytest.raises(StewardError, match="checksum"):
        check_address(w3, chain, "0x" + owner[2:].swapcase(), owner, known)
