"""An AI company's token and its fee router on the sandbox: revenue in, a TWAP-guarded and
slippage-capped buyback on the real Uniswap V2 pair, a burn that really shrinks the supply; a
diverting router (a scam specimen); and `steward check tokenomics`, which reads it all from the
chain."""

from __future__ import annotations

import json
import shutil

import pytest
from web3 import Web3
from web3.logs import DISCARD

from steward import chains
from steward.chains.config import load_config, update_chain
from steward.chains.embedded import dev_account
from steward.contracts import abi
from steward.errors import StewardError
from steward.sandbox import SandboxBuilder, market
from steward.service.checks import check_tokenomics
from steward.tokenomics.deploy import (
    DIVERTING,
    HONEST,
    POOL_TOKENS,
    SUPPLY,
    TWAP_WINDOW,
    buyback,
    deploy_project,
    load_project,
    pay_fee,
    set_destination,
)
from steward.tokenomics.report import parse_share

from conftest import run_cli, steward_home_at

L1 = "sandbox-l1"
USD6 = 10**6
TOKEN = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def chain():
    return load_config().chain(L1)


def w3():
    return chains.connect(chain())


def contract(address: str, name: str):
    return w3().eth.contract(address=address, abi=abi(name))


def events(step, address: str, name: str, event: str) -> list[dict]:
    receipt = w3().eth.get_transaction_receipt(step.tx_hash)
    return [dict(e.args) for e in getattr(contract(address, name).events, event)()
            .process_receipt(receipt, errors=DISCARD) if e.address == address]


def after_window() -> None:
    market.advance_time(chain(), TWAP_WINDOW + 1)


def supply(project) -> int:
    return contract(project.token, "BuybackToken").functions.totalSupply().call()


def usdc_of(address: str) -> int:
    return contract(chain().tokens["USDC"], "ERC20").functions.balanceOf(address).call()


def refused(reason: str, action, *args, **kwargs) -> None:
    with pytest.raises(StewardError) as caught:
        action(*args, **kwargs)
    assert reason in str(caught.value) and "nothing was signed" in str(caught.value)


def reverts(sender: str, to: str, data: str) -> bool:
    try:
        w3().eth.call({"from": sender, "to": to, "data": data})
    except Exception:
        return True
    return False


@pytest.fixture(scope="module")
def projects_template(embedded_template, tmp_path_factory):
    """The sandbox with two AI companies on sandbox-l1, each a token, a USDC pool and a fee
    router: AIC with the honest FeeRouter, DIV with the scam DivertingFeeRouter."""
    path = tmp_path_factory.mktemp("tokenomics") / "home"
    shutil.copytree(embedded_template, path)
    with steward_home_at(path):
        builder = SandboxBuilder()
        made = {"AIC": deploy_project(L1, "AIC", "AI Company", builder=builder),
                "DIV": deploy_project(L1, "DIV", "Diverting [bold]AI[/]", diverting=True,
                                      builder=builder)}
    return path, made


@pytest.fixture
def projects(projects_template, steward_home):
    path, made = projects_template
    shutil.copytree(path, steward_home)
    return made


# ------------------------------------------------------------------------------ the honest one


def test_honest_buybacks_burn_exactly_what_they_bought_and_the_check_verifies(projects):
    aic = projects["AIC"]
    assert aic.contract == HONEST and aic.owner is None
    builder = SandboxBuilder()
    start_supply = supply(aic)
    assert start_supply == SUPPLY
    fees = [100 * USD6, 200 * USD6, 300 * USD6]
    for amount in fees:
        step = pay_fee(aic, amount, builder=builder)
        assert events(step, aic.router, HONEST, "FeeReceived") == [
            {"payer": builder.operator.address, "amount": amount}]
    assert usdc_of(aic.router) == sum(fees)

    bought, gas = [], []
    for spend in (250 * USD6, 350 * USD6):
        after_window()
        step = buyback(aic, spend, builder=builder)
        [event] = events(step, aic.router, HONEST, "Buyback")
        [burn] = events(step, aic.token, "BuybackToken", "Burned")
        transfers = events(step, aic.token, "BuybackToken", "Transfer")
        swap = [e for e in transfers if e["receiver"] == aic.router]
        assert event["usdc_in"] == spend and event["tokens_out"] == burn["amount"] > 0
        assert burn["burner"] == aic.router
        assert sum(e["value"] for e in swap) == event["tokens_out"]  # what the pair sent
        assert {"sender": aic.router, "receiver": ZERO, "value": event["tokens_out"]} in transfers
        assert 95_000 <= event["twap_price"] <= 105_000  # ≈ $0.10 a token, in USDC base units
        bought.append(event["tokens_out"])
        gas.append(step.gas_used)
    print(f"\ngas per buyback: {gas}")
    assert all(used < 250_000 for used in gas)

    token = contract(aic.token, "BuybackToken")
    assert supply(aic) == start_supply - sum(bought)  # the supply fell by exactly the burns
    assert token.functions.balanceOf(aic.router).call() == 0
    assert usdc_of(aic.router) == 0
    router = contract(aic.router, HONEST)
    assert router.functions.tokens_burned().call() == sum(bought)

    report = check_tokenomics("AIC")
    assert report.verdict == "verified", report.reasons
    assert (report.fees_in, report.fee_payments) == (sum(fees), 3)
    assert report.usdc_spent == report.usdc_swapped == sum(fees) and report.usdc_held == 0
    assert report.usdc_withdrawn == {}
    assert report.tokens_bought == report.tokens_claimed == report.tokens_burned == sum(bought)
    assert report.supply_decrease == report.burned_to_zero == sum(bought)
    assert report.burned_share_bps == report.claimed_share_bps == 10_000
    assert report.powers == [] and report.sent_elsewhere == {}
    assert [b.gas_used for b in report.buybacks] == gas
    assert [b.tokens_burned for b in report.buybacks] == bought

    # Nobody holds a power: no mint, no owner, no setter; a holder burns only its own tokens.
    operator = builder.operator.address
    mint = "0x40c10f19" + "00" * 12 + operator[2:].lower() + f"{10**24:064x}"
    assert reverts(operator, aic.token, mint)
    assert reverts(operator, aic.router, Web3.keccak(text="owner()")[:4].hex())
    too_much = token.functions.burn(POOL_TOKENS + 1)._encode_transaction_data()
    assert reverts(aic.router, aic.token, too_much)


def test_a_buyback_needs_an_observation_a_whole_window_old(projects):
    aic = projects["AIC"]
    assert load_project(L1, "aic") == aic and load_project(L1, "DIV") == projects["DIV"]
    builder = SandboxBuilder()
    pay_fee(aic, 100 * USD6, builder=builder)
    refused("observation younger than the TWAP window", buyback, aic, 50 * USD6, builder=builder)
    # nobody can keep pushing the window ahead: a usable observation is not replaced
    refused("observation still usable", builder.call, chain(), aic.router, HONEST, "observe")
    refused("not enough USDC in the router", buyback, aic, 500 * USD6, builder=builder)
    assert usdc_of(aic.router) == 100 * USD6 and supply(aic) == SUPPLY


def test_a_buyback_right_after_a_one_block_price_push_is_refused_by_the_twap_guard(projects):
    aic = projects["AIC"]
    builder = SandboxBuilder()
    pay_fee(aic, 200 * USD6, builder=builder)
    after_window()
    pair = contract(aic.pair, "uniswap/UniswapV2Pair")
    reserves = pair.functions.getReserves().call()[:2]
    # Someone buys ~2,000 USDC of AIC in the block before: the spot price jumps 8 % (past the
    # 5 % the router allows), the time-weighted price since the observation barely moves.
    market.push_pool_price(chain(), "AIC", "0.108")
    assert pair.functions.getReserves().call()[:2] != reserves
    refused("price deviates from the TWAP", buyback, aic, 100 * USD6, builder=builder)
    assert usdc_of(aic.router) == 200 * USD6 and supply(aic) == SUPPLY  # nothing bought
    # once the price is back, the same buyback goes through
    market.push_pool_price(chain(), "AIC", "0.1")
    step = buyback(aic, 100 * USD6, builder=builder)
    assert events(step, aic.router, HONEST, "Buyback")[0]["usdc_in"] == 100 * USD6


def test_the_slippage_cap_and_the_keepers_minimum_refuse(projects):
    aic = projects["AIC"]
    builder = SandboxBuilder()
    pay_fee(aic, 1_000 * USD6, builder=builder)
    after_window()
    # 1,000 USDC moves the 50,000 USDC pool ~2 %: past the 1 % cap, within the 5 % deviation
    refused("slippage above the cap", buyback, aic, 1_000 * USD6, builder=builder)
    refused("below the keeper's minimum", buyback, aic, 100 * USD6, min_out=1_000 * TOKEN,
            builder=builder)
    assert usdc_of(aic.router) == 1_000 * USD6 and supply(aic) == SUPPLY
    step = buyback(aic, 100 * USD6, min_out=990 * TOKEN, builder=builder)
    assert events(step, aic.router, HONEST, "Buyback")[0]["tokens_out"] >= 990 * TOKEN


def test_the_router_is_found_from_the_chains_logs_and_a_wrong_router_refused(projects):
    aic, div = projects["AIC"], projects["DIV"]
    current = chain()
    update_chain(L1, contracts={role: address for role, address in current.contracts.items()
                                if not role.startswith("fee-router:")})
    report = check_tokenomics(aic.token)
    assert report.routers == [aic.router] and "events" in report.router_found_by
    assert report.verdict == "verified" and "no buyback yet" in report.reasons[0]
    with pytest.raises(StewardError, match="buys back"):
        check_tokenomics("AIC", router=div.router)
    with pytest.raises(StewardError, match="claimed burn share"):
        check_tokenomics("AIC", claimed_burn_share="1.5")
    assert parse_share("0.5") == parse_share("0.50") and parse_share(1) == 1
    for bad in ("0", "-1", "abc", "1e0", ""):
        with pytest.raises(StewardError):
            parse_share(bad)


# ---------------------------------------------------------------------------- the diverting one


def test_the_diverting_router_is_at_risk_then_diverted_and_the_check_names_the_power(
        projects, steward_home):
    div = projects["DIV"]
    assert div.contract == DIVERTING
    builder = SandboxBuilder()
    owner = builder.operator.address
    router = contract(div.router, DIVERTING)
    pay_fee(div, 300 * USD6, builder=builder)
    after_window()

    # Fresh, nothing diverted yet: at risk, the owner's setter named and shown on a throwaway
    fresh = check_tokenomics("DIV")
    assert fresh.verdict == "at risk" and fresh.tokens_bought == 0
    destination = next(p for p in fresh.powers if p.function == "set_destination(address)")
    assert destination.holder == owner and destination.diverts and destination.confirmed
    assert "destination() returns the address given" in destination.detail
    assert "a buyback right after sent the address given" in destination.detail
    assert {p.function for p in fresh.powers} >= {"set_router(address)",
                                                  "transfer_ownership(address)"}
    assert any("set_destination(address)" in reason for reason in fresh.reasons)
    assert router.functions.destination().call() == ZERO  # the probe changed nothing
    assert usdc_of(div.router) == 300 * USD6

    # Its first buyback burns honestly; an outsider cannot divert
    first = buyback(div, 100 * USD6, builder=builder)
    burned = events(first, div.token, "BuybackToken", "Burned")[0]["amount"]
    stranger = dev_account(5).address
    assert reverts(stranger, div.router,
                   router.functions.set_destination(stranger)._encode_transaction_data())
    assert check_tokenomics("DIV").verdict == "at risk"

    # The owner diverts: Buyback still says tokens were bought, none are burned
    set_destination(div, owner, builder=builder)
    after_window()
    before_supply, before_owner = supply(div), contract(div.token, "BuybackToken").functions \
        .balanceOf(owner).call()
    second = buyback(div, 100 * USD6, builder=builder)
    [claim] = events(second, div.router, DIVERTING, "Buyback")
    assert claim["tokens_out"] > 0 and events(second, div.token, "BuybackToken", "Burned") == []
    assert supply(div) == before_supply
    assert contract(div.token, "BuybackToken").functions.balanceOf(owner).call() \
        == before_owner + claim["tokens_out"]
    print(f"\ngas per buyback (diverting router): {[first.gas_used, second.gas_used]}")

    report = check_tokenomics("DIV")
    assert report.verdict == "diverted"
    assert report.tokens_bought == burned + claim["tokens_out"]
    assert report.tokens_burned == burned == report.supply_decrease
    assert report.sent_elsewhere == {owner: claim["tokens_out"]}
    assert report.burned_share_bps < report.claimed_share_bps == 10_000
    assert report.burned_share_bps == burned * 10_000 // (burned + claim["tokens_out"])
    assert f"went to {owner}" in report.reasons[0]
    assert any("set_destination(address)" in r and f"is {owner} now" in r for r in report.reasons)
    # A project that claims only half is burned is not caught lying — but the power remains
    half = check_tokenomics("DIV", claimed_burn_share="0.5")
    assert half.verdict == "at risk" and half.claimed_share_bps == 5_000

    # The CLI: JSON for machines, the tables for people, outside text escaped
    chains.end_all_sessions()  # the CLI's process takes the embedded chains' lock
    shown = run_cli("check", "tokenomics", "DIV", "--json", home=steward_home)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["verdict"] == "diverted"
    table = run_cli("check", "tokenomics", "DIV", "--claimed-burn-share", "1.0",
                    home=steward_home)
    assert table.returncode == 0, table.stderr
    for text in ("DIVERTED", "Buyback and burn", "set_destination(address)", "Powers",
                 "Diverting boldAI?"):
        assert text in table.stdout, table.stdout
    bad = run_cli("check", "tokenomics", "DIV", "--claimed-burn-share", "2",
                  home=steward_home)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


# ------------------------------------------------------------------------------------- anvil


def test_on_anvil_the_honest_project_verifies_and_the_diverting_one_is_flagged(anvil_world):
    builder = SandboxBuilder()
    aic = deploy_project(L1, "AIC", "AI Company", builder=builder)
    div = deploy_project(L1, "DIV", "Diverting AI", diverting=True, builder=builder)
    for project in (aic, div):
        pay_fee(project, 200 * USD6, builder=builder)
    set_destination(div, builder.operator.address, builder=builder)
    after_window()
    steps = [buyback(project, 150 * USD6, builder=builder) for project in (aic, div)]
    print(f"\ngas per first buyback on anvil (honest, diverting): {[s.gas_used for s in steps]}")
    honest = check_tokenomics("AIC")
    assert honest.verdict == "verified" and honest.burned_share_bps == 10_000
    assert honest.tokens_burned == honest.supply_decrease == SUPPLY - supply(aic) > 0
    diverted = check_tokenomics("DIV")
    assert diverted.verdict == "diverted" and diverted.burned_share_bps == 0
    assert any(p.function == "set_destination(address)" and p.confirmed
               for p in diverted.powers)
