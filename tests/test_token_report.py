"""Token security reports: the sandbox's own tokens, every specimen of the scam zoo, and the
bytecode sweep on hand-made code."""

from __future__ import annotations

import statistics

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.contracts import uniswap
from steward.diligence.token import FIELD_NAMES, analyse_bytecode, token_report

DEV_OPERATOR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ROUTER_REASON = "TRANSFER_FROM_FAILED"  # Uniswap's TransferHelper, hiding the token's reason


def _l1():
    chain = load_config().chain("sandbox-l1")
    return chains.connect(chain), chain


def test_sandbox_tokens_are_not_dangerous_and_say_how(embedded_world):
    w3, chain = _l1()
    reports = {symbol: token_report(w3, chain, chain.tokens[symbol])
               for symbol in ("WETH", "USDC", "USDT")}
    for symbol, report in reports.items():
        assert report.verdict != "danger", (symbol, report.reasons)
        assert set(FIELD_NAMES) <= set(report.fields)
        for name, field in report.fields.items():
            assert field.method, (symbol, name)
        assert report.value("is_honeypot") is False
        assert report.value("cannot_buy") is False
        assert report.value("cannot_sell_all") is False
        assert report.value("balance_inconsistent") is False
        assert report.value("is_in_dex") is True
        for tax in ("buy_tax", "sell_tax", "transfer_tax"):
            assert report.value(tax) is not None and report.value(tax) < 0.001, (symbol, tax)
        assert "simulation" in report.fields["sell_tax"].method
        # Placed at the mainnet address with no creating transaction: the creator is unknown,
        # and the report says so rather than naming someone.
        creator = report.fields["creator_address"]
        assert creator.value is None and report.creator_tokens == []
        assert "the creator is unknown" in creator.method
        assert creator.detail.startswith("unknown: ") and "without any transaction" in creator.detail
        assert not [f for f in report.findings if f.field.startswith("creator")]
        assert report.value("liquidity_usd") > 1_000_000
        assert all(pool.lp_holders for pool in report.pools)
        assert report.value("is_proxy") is False and report.value("selfdestruct") is False
        assert report.value("hidden_owner") is False
    # WETH has no owner and no privileges: safe.
    assert reports["WETH"].verdict == "safe"
    assert reports["WETH"].value("owner_renounced") is True
    # The operator, an EOA and the visible owner, can mint the stables on sandbox-l1: caution.
    for symbol in ("USDC", "USDT"):
        report = reports[symbol]
        assert report.verdict == "caution"
        assert report.flagged() == {"is_mintable"}
        assert report.value("owner_address") == DEV_OPERATOR
        assert "privilege probe" in report.fields["is_mintable"].method
        assert any("can mint" in reason for reason in report.reasons)
        assert 0 < report.score < 100


def test_every_zoo_specimen_gets_the_right_verdict_and_flags(embedded_world):
    from steward.sandbox import SandboxBuilder
    from steward.sandbox.zoo import ZOO, deploy_zoo

    deploy_zoo(SandboxBuilder(), load_config().chain("sandbox-l1"))
    w3, chain = _l1()
    problems, times = [], []
    for symbol, entry in ZOO.items():
        report = token_report(w3, chain, chain.tokens[symbol])
        times.append(report.elapsed_s)
        flagged = report.flagged()
        if entry.malicious:
            if report.verdict != "danger":
                problems.append(f"{symbol} ({entry.pattern}): {report.verdict}, {report.reasons}")
            missing = set(entry.flags) - flagged
            if missing:
                problems.append(f"{symbol} ({entry.pattern}): not flagged {sorted(missing)}")
            dangers = [f for f in report.findings if f.severity == "danger"]
            if not any(f.field in entry.flags for f in dangers):
                problems.append(f"{symbol}: no danger reason on {entry.flags}: {report.reasons}")
        elif report.verdict == "danger":
            problems.append(f"{symbol} ({entry.pattern}) is legitimate but: {report.reasons}")
        assert report.reasons and all(f.method for f in report.findings)
        if ROUTER_REASON in report.model_dump_json():  # the token's own reason, not the router's
            problems.append(f"{symbol}: reports the router's {ROUTER_REASON}")
    assert not problems, "\n".join(problems)
    assert statistics.median(times) < 3.0  # < 1 s on an idle machine; CI runs loaded


def test_zoo_reasons_name_the_mechanism(embedded_world):
    from steward.sandbox import SandboxBuilder
    from steward.sandbox.zoo import deploy_zoo

    deploy_zoo(SandboxBuilder(), load_config().chain("sandbox-l1"))
    w3, chain = _l1()
    honey = token_report(w3, chain, chain.tokens["ZHONEY"], creator_tokens=False)
    assert honey.value("is_honeypot") is True and honey.value("cannot_buy") is False
    assert honey.reasons[0].startswith("honeypot")
    # the token's own revert reason, which Uniswap's router replaces with TRANSFER_FROM_FAILED
    assert honey.reasons[0] == "honeypot: holders cannot sell (transfer failed)"
    assert honey.fields["is_honeypot"].detail == "transfer failed"
    tax = token_report(w3, chain, chain.tokens["ZTAX99"], creator_tokens=False)
    assert tax.value("sell_tax") > 0.9 and tax.value("buy_tax") < 0.01
    mint = token_report(w3, chain, chain.tokens["ZMINT"], creator_tokens=False)
    assert mint.value("owner_address") == "0x0000000000000000000000000000000000000000"
    assert mint.value("owner_renounced") is False  # renounced in name only
    assert "not the visible owner" in " ".join(mint.reasons)
    proxy = token_report(w3, chain, chain.tokens["ZPROXY"], creator_tokens=False)
    assert "upgradeable" in " ".join(proxy.reasons)
    fake = token_report(w3, chain, chain.tokens["ZFAKERENO"], creator_tokens=False)
    assert fake.value("can_take_back_ownership") is True
    plain = token_report(w3, chain, chain.tokens["ZPLAIN"])
    assert plain.verdict == "safe" and plain.score == 100
    # the creator's other tokens are listed with a quick simulation verdict
    quick = {token.symbol: token.verdict for token in plain.creator_tokens}
    assert quick.get("ZUSD") == "safe" and quick.get("ZRENOUNCED") == "safe"


def test_a_contract_created_through_a_call_names_who_sent_it(world):
    """A Uniswap V2 pair is created by the factory inside the operator's createPair call: the
    creator is that call's sender, confirmed by a call trace where the node gives one (anvil)
    and otherwise as the creation block's only call (the embedded chain mines one a block)."""
    from steward.sandbox import SandboxBuilder

    w3, chain = _l1()
    builder = SandboxBuilder()
    one = builder.deploy(chain, "ERC20", "Creator Probe A", "CPA", 18)
    two = builder.deploy(chain, "ERC20", "Creator Probe B", "CPB", 18)
    factory = chain.contracts["uniswap-v2:factory"]
    builder.call(chain, factory, "uniswap/UniswapV2Factory", "createPair", one, two)
    pair = w3.eth.contract(factory, abi=uniswap.abi("uniswap/UniswapV2Factory")).functions \
        .getPair(one, two).call()
    report = token_report(w3, chain, pair, creator_tokens=False)
    creator = report.fields["creator_address"]
    assert creator.value == DEV_OPERATOR
    assert f"through which contract {factory} created it (call trace)" in creator.method \
        if world == "anvil" else "the node gives no call traces to confirm" in creator.method


def test_bytecode_sweep_skips_push_data_and_metadata():
    # PUSH4 a9059cbb, PUSH32 full of 0xff/0xf4 bytes (data, not opcodes), STOP
    code = bytes.fromhex("63a9059cbb") + bytes([0x7F]) + bytes([0xFF, 0xF4] * 16) + bytes([0x00])
    swept = analyse_bytecode(code)
    assert "a9059cbb" in swept.selectors
    assert 0xFF not in swept.opcodes and 0xF4 not in swept.opcodes
    # Solidity CBOR metadata after the code is not swept either
    metadata = bytes.fromhex("a264697066735822") + bytes([0xFF] * 34) + bytes.fromhex("0033")
    metadata = metadata[:-2] + len(metadata[:-2]).to_bytes(2, "big")
    assert 0xFF not in analyse_bytecode(bytes([0x00]) + metadata).opcodes
    # a real SELFDESTRUCT is found
    assert 0xFF in analyse_bytecode(bytes.fromhex("33ff")).opcodes
    # an EIP-1167 minimal proxy
    target = "bebebebebebebebebebebebebebebebebebebebe"
    clone = bytes.fromhex("363d3d373d3d3d363d73" + target + "5af43d82803e903d91602b57fd5bf3")
    assert analyse_bytecode(clone).minimal_proxy_target.lower() == "0x" + target


def test_a_non_contract_is_refused(embedded_world):
    from steward.errors import StewardError

    w3, chain = _l1()
    with pytest.raises(StewardError):
        token_report(w3, chain, DEV_OPERATOR)
