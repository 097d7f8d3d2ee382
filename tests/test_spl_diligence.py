"""SPL / Token-2022 mint diligence against real mints made by the real token programs in
LiteSVM (the Solana zoo), and against forged, truncated and impostor accounts."""

from __future__ import annotations

import json
import struct

import pytest
from solders.account import Account
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from steward.diligence.spl_mint import mint_report, walk_extensions
from steward.errors import StewardError
from steward.sandbox import solana_zoo as zoo
from steward.solana.chain import EmbeddedSolana
from steward.solana.spl import (TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, associated_address,
                                create_associated_idempotent, decode_token_account, mint_info,
                                token_balance, transfer_checked)

SOL = 10**9


@pytest.fixture
def chain(tmp_path):
    solana = EmbeddedSolana("zoo-test", tmp_path / "chains" / "zoo.svm.sqlite")
    yield solana
    solana.close()


@pytest.fixture
def payer(chain) -> Keypair:
    key = Keypair()
    chain.airdrop(key.pubkey(), 100 * SOL)
    return key


def funded(chain, lamports: int = SOL) -> Keypair:
    key = Keypair()
    chain.airdrop(key.pubkey(), lamports)
    return key


def transfer(chain, payer, mint, source_owner: Pubkey, dest_owner: Pubkey, amount: int,
             authority: Keypair):
    """Move `amount` from source_owner's associated account to dest_owner's (created when
    missing), signed by `authority` — who need not be the owner."""
    info = mint_info(chain, mint)
    return zoo.send_instructions(chain, payer, [
        create_associated_idempotent(payer.pubkey(), dest_owner, info),
        transfer_checked(info, associated_address(source_owner, mint, info.program),
                         associated_address(dest_owner, mint, info.program),
                         authority.pubkey(), amount)], [authority])


def replace_data(chain, address: Pubkey, data: bytes, owner: Pubkey = TOKEN_2022_PROGRAM_ID):
    chain.set_account(address, Account(lamports=chain.rent_exempt(len(data)), data=data,
                                       owner=owner, executable=False))


def codes(report) -> dict[str, str]:
    return {finding.code: finding.severity for finding in report.findings}


# ------------------------------------------------------------------------------ the zoo

@pytest.mark.parametrize("specimen", zoo.ZOO, ids=[entry.label for entry in zoo.ZOO])
def test_spl_diligence_zoo_verdicts(chain, payer, specimen):
    mint = specimen.factory(chain, payer)
    report = mint_report(chain, mint)
    assert report.is_mint and report.extensions_readable
    assert report.verdict == specimen.verdict, report.findings
    assert report.score == 100 - 40 * list(codes(report).values()).count("danger") \
        - 15 * list(codes(report).values()).count("caution")


def test_spl_diligence_plain_mint_with_revoked_authorities_is_ok(chain, payer):
    mint = zoo.create_plain_mint(chain, payer, 9, mint_authority=None)
    report = mint_report(chain, str(mint))
    assert report.token_program == "spl-token" and report.decimals == 9 and report.supply == 0
    assert not report.mintable.status and report.mintable.authority is None
    assert not report.freezable.status
    assert report.mintable.method == "read from the mint account's base layout (mint_authority)"
    assert "cannot carry extensions" in report.permanent_delegate.method
    assert (report.verdict, report.score, report.findings) == ("ok", 100, [])


def test_spl_diligence_issuer_mint_trusted_is_ok_with_powers_stated(chain, payer):
    minter, freezer = Keypair().pubkey(), Keypair().pubkey()
    mint = zoo.create_plain_mint(chain, payer, 6, mint_authority=minter, freeze_authority=freezer)
    untrusted = mint_report(chain, mint)
    assert untrusted.verdict == "caution" and untrusted.score == 70
    assert untrusted.mintable.authority == str(minter)
    assert untrusted.freezable.authority == str(freezer)
    assert untrusted.issuer_powers == []
    trusted = mint_report(chain, mint, trusted=True)
    assert trusted.verdict == "ok" and trusted.score == 100 and trusted.trusted
    assert codes(trusted) == {"mintable": "caution", "freezable": "caution"}  # findings kept
    assert len(trusted.issuer_powers) == 2
    assert str(minter) in trusted.issuer_powers[0] and str(freezer) in trusted.issuer_powers[1]


def test_spl_diligence_transfer_fee_fields_and_the_fee_is_really_withheld(chain, payer):
    fee_authority, withdraw_authority = Keypair().pubkey(), Keypair().pubkey()
    mint = zoo.create_transfer_fee_mint(chain, payer, basis_points=150, maximum_fee=5_000,
                                        fee_authority=fee_authority,
                                        withdraw_authority=withdraw_authority,
                                        mint_authority=payer.pubkey())
    report = mint_report(chain, mint)
    fee = report.transfer_fee
    assert fee.status and fee.value["current"] == {"epoch": 0, "maximum_fee": 5_000,
                                                   "basis_points": 150}
    assert fee.value["withdraw_withheld_authority"] == str(withdraw_authority)
    assert fee.method == "read from the mint account's TransferFeeConfig extension (type 1)"
    assert report.transfer_fee_upgradable.status
    assert report.transfer_fee_upgradable.authority == str(fee_authority)
    assert codes(report) == {"mintable": "caution", "transfer_fee": "caution",
                             "transfer_fee_upgradable": "danger"}
    assert report.verdict == "danger"
    # the claim, proven: 1.5% of 10_000 is withheld from what the recipient receives
    holder, recipient = funded(chain), Keypair().pubkey()
    zoo.mint_tokens(chain, payer, mint, holder.pubkey(), 10_000, mint_authority=payer)
    transfer(chain, payer, mint, holder.pubkey(), recipient, 10_000, holder)
    assert token_balance(chain, recipient, mint_info(chain, mint)) == 10_000 - 150


def test_spl_diligence_fee_above_ten_percent_is_danger_without_any_authority(chain, payer):
    mint = zoo.create_transfer_fee_mint(chain, payer, basis_points=1_001, maximum_fee=10**12,
                                        fee_authority=None)
    report = mint_report(chain, mint)
    assert codes(report) == {"transfer_fee_high": "danger"}
    assert not report.transfer_fee_upgradable.status
    exactly_ten = zoo.create_transfer_fee_mint(chain, payer, basis_points=1_000,
                                               maximum_fee=10**12, fee_authority=None)
    assert codes(mint_report(chain, exactly_ten)) == {"transfer_fee": "caution"}


def test_spl_diligence_a_scheduled_fee_raise_is_seen_before_it_applies(chain, payer):
    mint = zoo.create_transfer_fee_mint(chain, payer, basis_points=100, maximum_fee=10**9,
                                        fee_authority=None)
    data = bytearray(chain.get_account(mint).data)
    value = 166 + 4  # the first (only) extension's value
    struct.pack_into("<QQH", data, value + 90, 1_000_000, 2**64 - 1, 9_000)  # newer fee: 90%
    replace_data(chain, mint, bytes(data))
    report = mint_report(chain, mint)
    assert report.transfer_fee.value["current"]["basis_points"] == 100  # epoch 0 < 1_000_000
    assert report.transfer_fee.value["newer"] == {"epoch": 1_000_000,
                                                  "maximum_fee": 2**64 - 1, "basis_points": 9_000}
    assert codes(report) == {"transfer_fee_high": "danger"}
    assert "90%" in report.findings[0].message


def test_spl_diligence_permanent_delegate_really_moves_a_holders_tokens(chain, payer):
    delegate = funded(chain)
    mint = zoo.create_permanent_delegate_mint(chain, payer, delegate=delegate.pubkey(),
                                              mint_authority=payer.pubkey())
    report = mint_report(chain, mint)
    assert report.permanent_delegate.status
    assert report.permanent_delegate.authority == str(delegate.pubkey())
    assert codes(report)["permanent_delegate"] == "danger" and report.verdict == "danger"
    holder = funded(chain)
    zoo.mint_tokens(chain, payer, mint, holder.pubkey(), 1_000, mint_authority=payer)
    stranger = funded(chain)
    with pytest.raises(StewardError, match="owner does not match"):  # an ordinary key cannot
        transfer(chain, payer, mint, holder.pubkey(), stranger.pubkey(), 600, stranger)
    # the delegate takes 600 of the holder's tokens; the holder signs nothing
    transfer(chain, payer, mint, holder.pubkey(), delegate.pubkey(), 600, delegate)
    info = mint_info(chain, mint)
    assert token_balance(chain, holder.pubkey(), info) == 400
    assert token_balance(chain, delegate.pubkey(), info) == 600


def test_spl_diligence_transfer_hook_fields_allowlist_and_every_transfer_calls_it(chain, payer):
    hook, hook_authority = zoo.ZOO_HOOK_PROGRAM, funded(chain)
    mint = zoo.create_transfer_hook_mint(chain, payer, hook_program=hook,
                                         hook_authority=hook_authority.pubkey(),
                                         mint_authority=payer.pubkey())
    report = mint_report(chain, mint)
    assert report.transfer_hook.value == str(hook)
    assert report.transfer_hook_upgradable.authority == str(hook_authority.pubkey())
    assert codes(report)["transfer_hook"] == "danger" and report.verdict == "danger"
    allowed = mint_report(chain, mint, hook_allowlist=[str(hook)])
    assert codes(allowed) == {"mintable": "caution", "transfer_hook": "info",
                              "transfer_hook_upgradable": "caution"}
    assert allowed.verdict == "caution"
    fixed = zoo.create_transfer_hook_mint(chain, payer, hook_program=hook, hook_authority=None)
    assert mint_report(chain, fixed, hook_allowlist=[hook]).verdict == "ok"
    # the program is really called on transfer: with no program there, every transfer fails
    holder = funded(chain)
    zoo.mint_tokens(chain, payer, mint, holder.pubkey(), 10, mint_authority=payer)
    with pytest.raises(StewardError, match="MissingAccount"):  # the hook program is absent
        transfer(chain, payer, mint, holder.pubkey(), Keypair().pubkey(), 1, holder)
    # the reported authority really can re-point the hook: it removes it, transfers then work
    update = Instruction(TOKEN_2022_PROGRAM_ID, bytes([zoo.TRANSFER_HOOK_EXTENSION, 1]) + bytes(32),
                         [AccountMeta(mint, False, True),
                          AccountMeta(hook_authority.pubkey(), True, False)])
    zoo.send_instructions(chain, payer, [update], [hook_authority])
    unhooked = mint_report(chain, mint)
    assert not unhooked.transfer_hook.status and "transfer_hook" not in codes(unhooked)
    transfer(chain, payer, mint, holder.pubkey(), Keypair().pubkey(), 1, holder)


def test_spl_diligence_non_transferable_tokens_really_cannot_move(chain, payer):
    mint = zoo.create_non_transferable_mint(chain, payer, mint_authority=payer.pubkey())
    report = mint_report(chain, mint)
    assert report.non_transferable.status and report.verdict == "danger"
    holder = funded(chain)
    zoo.mint_tokens(chain, payer, mint, holder.pubkey(), 5, mint_authority=payer)
    with pytest.raises(StewardError, match="custom program error: 0x25"):  # NonTransferable
        transfer(chain, payer, mint, holder.pubkey(), Keypair().pubkey(), 1, holder)
    assert token_balance(chain, holder.pubkey(), mint_info(chain, mint)) == 5


def test_spl_diligence_default_frozen_accounts_really_start_frozen(chain, payer):
    freezer = Keypair().pubkey()
    mint = zoo.create_default_frozen_mint(chain, payer, freeze_authority=freezer)
    report = mint_report(chain, mint)
    assert report.default_account_state.value == "frozen"
    assert report.default_account_state_upgradable.authority == str(freezer)
    assert codes(report) == {"freezable": "caution", "default_account_state": "danger"}
    holder = Keypair().pubkey()
    info = mint_info(chain, mint)
    zoo.send_instructions(chain, payer, [create_associated_idempotent(payer.pubkey(), holder,
                                                                      info)])
    address = associated_address(holder, mint, info.program)
    account = chain.get_account(address)
    assert decode_token_account(address, account.owner, bytes(account.data)).frozen


def test_spl_diligence_closable_and_pausable_and_a_pause_turns_danger(chain, payer):
    closer = funded(chain)
    closable_mint = zoo.create_closable_mint(chain, payer, close_authority=closer.pubkey())
    closable = mint_report(chain, closable_mint)
    assert closable.closable.authority == str(closer.pubkey()) and closable.verdict == "caution"
    close = Instruction(TOKEN_2022_PROGRAM_ID, bytes([9]), [  # CloseAccount, on the mint
        AccountMeta(closable_mint, False, True), AccountMeta(closer.pubkey(), False, True),
        AccountMeta(closer.pubkey(), True, False)])
    zoo.send_instructions(chain, payer, [close], [closer])  # the reported authority can close it
    assert "no account" in mint_report(chain, closable_mint).findings[0].message
    pauser = funded(chain)
    mint = zoo.create_pausable_mint(chain, payer, pause_authority=pauser.pubkey())
    report = mint_report(chain, mint)
    assert report.pausable.authority == str(pauser.pubkey())
    assert report.pausable.value == {"paused": False} and report.verdict == "caution"
    pause = Instruction(TOKEN_2022_PROGRAM_ID, bytes([zoo.PAUSABLE_EXTENSION, 1]),
                        [AccountMeta(mint, False, True), AccountMeta(pauser.pubkey(), True, False)])
    zoo.send_instructions(chain, payer, [pause], [pauser])
    paused = mint_report(chain, mint)
    assert paused.pausable.value == {"paused": True}
    assert codes(paused) == {"paused": "danger", "pausable": "caution"}


# --------------------------------------------------------------- not a mint / forged data

def test_spl_diligence_accounts_that_are_not_mints_are_danger(chain, payer):
    system = mint_report(chain, payer.pubkey())
    assert (system.verdict, system.is_mint) == ("danger", False)
    assert system.owner == "11111111111111111111111111111111"
    assert codes(system) == {"not_a_mint": "danger"} and "not a token mint" in \
        system.findings[0].message
    nothing = mint_report(chain, Keypair().pubkey())
    assert nothing.verdict == "danger" and "no account" in nothing.findings[0].message
    # token accounts: an SPL one (165 bytes) and a Token-2022 one with extensions
    for mint in (zoo.create_plain_mint(chain, payer, 6, mint_authority=payer.pubkey()),
                 zoo.create_transfer_fee_mint(chain, payer, basis_points=1, maximum_fee=1,
                                              fee_authority=None,
                                              mint_authority=payer.pubkey())):
        holding = zoo.mint_tokens(chain, payer, mint, payer.pubkey(), 1, mint_authority=payer)
        report = mint_report(chain, holding)
        assert report.verdict == "danger" and not report.is_mint
        assert "token account" in report.findings[0].message
        assert mint_report(chain, holding, trusted=True).verdict == "danger"
    with pytest.raises(StewardError, match="not a Solana address"):
        mint_report(chain, "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")


def test_spl_diligence_mint_bytes_under_a_fake_program_are_refused(chain, payer):
    real = zoo.create_plain_mint(chain, payer, 6, mint_authority=None)
    assert mint_report(chain, real).verdict == "ok"
    fake_program, forged = Keypair().pubkey(), Keypair().pubkey()
    replace_data(chain, forged, bytes(chain.get_account(real).data), owner=fake_program)
    report = mint_report(chain, forged, trusted=True)
    assert report.verdict == "danger" and not report.is_mint and report.decimals is None
    assert report.owner == str(fake_program) and str(fake_program) in report.findings[0].message


def test_spl_diligence_uninitialized_or_padded_mints_are_refused(chain, payer):
    blank = Keypair().pubkey()
    replace_data(chain, blank, bytes(82), owner=TOKEN_PROGRAM_ID)
    assert "not an initialized token mint" in mint_report(chain, blank).findings[0].message
    mint = zoo.create_closable_mint(chain, payer, close_authority=payer.pubkey())
    data = bytearray(chain.get_account(mint).data)
    data[100] = 1  # a byte in the zero padding between the base mint and the account type
    replace_data(chain, mint, bytes(data))
    assert "padding" in mint_report(chain, mint).findings[0].message
    data[100], data[165] = 0, 7  # an account type that is neither mint nor account
    replace_data(chain, mint, bytes(data))
    assert "unknown type 7" in mint_report(chain, mint).findings[0].message


def _corrupted(chain, payer, change) -> object:
    mint = zoo.create_permanent_delegate_mint(chain, payer, delegate=payer.pubkey())
    data = bytearray(chain.get_account(mint).data)
    replace_data(chain, mint, bytes(change(data)))
    return mint_report(chain, mint, trusted=True)


@pytest.mark.parametrize("label, change, reason", [
    ("length past the end", lambda d: d[:168] + struct.pack("<H", 500) + d[170:], "past"),
    ("truncated header", lambda d: d[:169], "no length"),
    ("wrong size", lambda d: d[:166] + struct.pack("<HH", 12, 10) + bytes(10), "has 10 bytes"),
    ("account extension", lambda d: d[:166] + struct.pack("<HH", 2, 8) + bytes(8),
     "TransferFeeAmount"),
    ("duplicate", lambda d: d + d[166:], "appears twice"),
])
def test_spl_diligence_garbage_extension_area_is_unreadable_not_a_crash(chain, payer, label,
                                                                        change, reason):
    report = _corrupted(chain, payer, change)
    assert report.is_mint and not report.extensions_readable
    assert report.verdict == "danger"  # even trusted: unreadable data is not an issuer power
    assert codes(report) == {"extensions_unreadable": "danger"}
    assert reason in report.findings[0].message
    assert not report.permanent_delegate.status and report.extensions == []


def test_spl_diligence_unknown_extension_types_are_listed_never_ignored(chain, payer):
    report = _corrupted(chain, payer, lambda d: d + struct.pack("<HH", 999, 3) + b"abc")
    assert report.unknown_extensions == [999]
    assert [(e.type, e.name, e.known) for e in report.extensions] == [
        (12, "PermanentDelegate", True), (999, "unknown", False)]
    assert codes(report) == {"permanent_delegate": "danger", "unknown_extension": "danger"}
    assert report.verdict == "danger" and len(report.issuer_powers) == 1


def test_spl_diligence_walk_extensions_reads_like_the_program():
    tlv = struct.pack("<HH", 9, 0) + struct.pack("<HH", 12, 2) + b"xy" + bytes(3)
    assert walk_extensions(tlv) == [(9, b""), (12, b"xy")]  # type 0 ends the list
    assert walk_extensions(b"\x09\x00\x00\x00\x01") == [(9, b"")]  # one stray byte: unused
    assert walk_extensions(b"") == []


def test_spl_diligence_impostor_metadata_is_data_only(chain, payer):
    name = "USD Coin\x1b[2J\u202eniaga"
    mint = zoo.create_metadata_mint(chain, payer, name=name, symbol="USDC\x07",
                                    uri="https://circle.example/\x00")
    report = mint_report(chain, mint)
    assert report.metadata["name"] == "USD Coin\\u001b[2J\\u202eniaga"
    assert report.metadata["symbol"] == "USDC\\u0007"
    assert report.metadata["mint"] == str(mint) and report.metadata_mutable.status
    assert report.metadata_mutable.authority == str(payer.pubkey())
    assert report.metadata_pointer.value == str(mint)
    assert not report.trusted and report.verdict == "ok"  # judged by powers, not by its name
    messages = " ".join(finding.message for finding in report.findings)
    assert "USD" not in messages and "niaga" not in messages
    dumped = report.model_dump_json()
    assert not any(ord(c) < 0x20 or c == "\u202e" for c in json.loads(dumped)["metadata"]["name"])
    powered = zoo.create_metadata_mint(chain, payer, name="USD Coin", symbol="USDC",
                                       mint_authority=payer.pubkey())
    assert mint_report(chain, powered).verdict == "caution"  # a live minter, whatever its name


def test_spl_diligence_undecodable_metadata_is_reported_not_raised(chain, payer):
    mint = zoo.create_metadata_mint(chain, payer, name="Fine", symbol="FN")
    data = bytearray(chain.get_account(mint).data)
    name_length_at = 166 + 4 + 64 + 4 + 64  # pointer entry, metadata header, authority, mint
    assert struct.unpack_from("<I", data, name_length_at)[0] == 4
    struct.pack_into("<I", data, name_length_at, 60_000)
    replace_data(chain, mint, bytes(data))
    report = mint_report(chain, mint)
    assert report.metadata == {"readable": False}
    assert codes(report) == {"metadata_unreadable": "caution"} and report.verdict == "caution"
