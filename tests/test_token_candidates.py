"""Where a token hides the addresses that hold power (issue 12's second missed kind), and the
rule that one unconfirmed signal is a caution: pure functions, no chain."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from steward.diligence.candidates import argument_addresses, code_addresses, unpack_word
from steward.diligence.token_fields import weigh_signals as _weigh_signals
from steward.diligence.token_models import Evidence, Finding

TAX_WALLET = to_checksum_address(keccak(text="tax wallet")[-20:])
OPS = to_checksum_address(keccak(text="ops")[-20:])


def test_an_address_packed_beside_other_fields_is_found_at_its_offset():
    launched_at, epoch = 1_700_000_000, 7
    word = (epoch << 224) | (int(TAX_WALLET, 16) << 64) | launched_at  # uint64, address, uint32
    found = unpack_word(word)
    assert TAX_WALLET in found
    # the windows that straddle the timestamp's zero bytes are not taken for addresses
    assert all(bytes.fromhex(a[2:]).count(0) <= 3 for a in found)


def test_an_address_alone_in_its_slot_comes_first_and_small_numbers_are_not_addresses():
    assert unpack_word(int(OPS, 16))[0] == OPS
    assert unpack_word(10**24) == []  # a supply
    assert unpack_word(0) == []


def test_immutables_and_constants_in_runtime_code_are_found():
    push32 = bytes([0x7F]) + b"\x00" * 12 + bytes.fromhex(OPS[2:])  # a Solidity immutable
    push20 = bytes([0x73]) + bytes.fromhex(TAX_WALLET[2:])  # a hard-coded constant
    # a PUSH32 whose data merely contains a 0x73 byte is skipped as data, not read as PUSH20
    noise = bytes([0x7F]) + bytes([0x73]) * 32
    found = code_addresses(b"\x60\x80" + noise + push32 + b"\x50" + push20 + b"\x00")
    assert OPS in found and TAX_WALLET in found
    assert to_checksum_address(bytes([0x73]) * 20) not in found


def test_constructor_arguments_are_read_from_the_deployment_tail():
    creation = bytes(range(1, 200))  # creation code (no zero bytes, not word-aligned)
    args = abi_encode(["string", "address", "uint256"], ["Token", OPS, 10**24])
    assert OPS in argument_addresses(creation + args, runtime_size=120)
    assert argument_addresses(b"", 0) == []


def _finding(field: str, evidence: bool) -> Finding:
    grounds = [Evidence(call="sell", caller="a fresh address", effect="reverted")] if evidence else []
    return Finding(field=field, severity="danger", reason=field, method="m", evidence=grounds)


def test_a_single_unconfirmed_danger_is_a_caution():
    findings = [_finding("trading_cooldown", evidence=False)]
    _weigh_signals(findings)
    assert findings[0].severity == "caution"
    assert "single signal" in findings[0].reason


def test_confirmed_or_corroborated_dangers_stay_dangers():
    confirmed = [_finding("trading_cooldown", evidence=False), _finding("is_honeypot", True)]
    _weigh_signals(confirmed)
    assert [f.severity for f in confirmed] == ["danger", "danger"]
    two = [_finding("trading_cooldown", evidence=False), _finding("is_proxy", evidence=False)]
    _weigh_signals(two)
    assert [f.severity for f in two] == ["danger", "danger"]
