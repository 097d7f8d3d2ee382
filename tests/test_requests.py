"""Intents → plans: chains decided by holdings or asked, amounts in base units from the chain's
decimals and prices, routes, and sequences that use what earlier steps really produced."""

from __future__ import annotations

import pytest

from steward import chains
from steward.chains.config import load_config, update_chain
from steward.errors import StewardError
from steward.intents import Amount, Bridge, Swap, Transfer, Unwrap, Wrap
from steward.planning.requests import Need, plan_step
from steward.protocols import amm, erc20, registry
from steward.execution import Executor
from steward.guard import approve, review
from steward.wallets import WalletStore

from conftest import PASSPHRASE

ETH = 10**18
USDC = 10**6


def exact(value: str) -> Amount:
    return Amount(kind="exact", value=value)


def sender() -> str:
    return WalletStore().get("main").address


def transfer_amount(planned) -> int:
    call = planned.plan.calls[0]
    return call.value or int(call.data[-64:], 16)


def test_an_unnamed_chain_is_asked_when_both_hold_the_token(embedded_world):
    with pytest.raises(Need) as need:
        plan_step(Transfer(amount=exact("5"), token="USDC", recipient="bob"), sender())
    question = need.value.clarification
    assert question.question == ("USDC on which chain? You hold it on sandbox-l1 (10,000.00) "
                                 "and sandbox-l2 (10,000.00).")
    assert question.options == ["sandbox-l1", "sandbox-l2"]


def test_the_only_chain_holding_a_token_is_chosen(embedded_world):
    with pytest.raises(Need, match="You hold no WETH"):
        plan_step(Unwrap(amount=exact("0.1")), sender())
    wrapped = plan_step(Wrap(amount=exact("0.2"), chain="sandbox-l2"), sender())
    assert wrapped.source == "sandbox-l2" and wrapped.plan.calls[0].value == ETH // 5
    store = WalletStore()
    verdict = approve(review(wrapped.plan, "main"), by="test")
    Executor(store.unlock("main", PASSPHRASE), "main").execute(wrapped.plan, verdict)
    unwrap = plan_step(Unwrap(amount=exact("0.1")), sender())  # WETH is only on sandbox-l2 now
    assert unwrap.source == "sandbox-l2"


@pytest.mark.parametrize(("token", "text", "units"), [
    ("USDC", "1.5", 1_500_000),
    ("USDT", "0.000001", 1),
    ("ETH", "1.5", 3 * ETH // 2),
    ("ETH", "0.000000000000000001", 1),
])
def test_decimals_come_from_the_chain(embedded_world, token, text, units):
    planned = plan_step(Transfer(amount=exact(text), token=token, recipient="bob",
                                 chain="sandbox-l1"), sender())
    assert transfer_amount(planned) == units


def test_more_digits_than_the_token_has_is_refused(embedded_world):
    with pytest.raises(StewardError, match="more decimal places than the token's 6"):
        plan_step(Transfer(amount=exact("1.0000001"), token="USDC", recipient="bob",
                           chain="sandbox-l1"), sender())


def test_fractions_and_usd_amounts(embedded_world):
    me = sender()
    half = plan_step(Transfer(amount=Amount(kind="fraction", value="0.5"), token="USDC",
                              recipient="bob", chain="l1"), me)
    assert transfer_amount(half) == 5_000 * USDC
    everything = plan_step(Transfer(amount=Amount(kind="fraction", value="1"), token="ETH",
                                    recipient="bob", chain="l1"), me)
    assert transfer_amount(everything) == 10 * ETH - 10**16  # gas money stays
    dollars = plan_step(Swap(amount=Amount(kind="usd", value="300"), token_in="ETH",
                             token_out="USDC", chain="l1"), me)
    assert 0.099 * ETH < dollars.plan.calls[0].value < 0.101 * ETH  # ETH ≈ $3,000


def test_buying_is_an_exact_output_swap_at_the_cheapest_venue(embedded_world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    planned = plan_step(Swap(amount=exact("0.5"), token_in="USDC", token_out="ETH",
                             amount_of="out", chain="sandbox-l1"), sender())
    quote = planned.quote
    assert quote.exact == "out" and quote.quoted_out == ETH // 2
    path = [chain.tokens["USDC"], chain.tokens["WETH"]]
    v2_cost = amm.router(w3, chain.contracts["uniswap-v2:router"]).functions.getAmountsIn(
        ETH // 2, path).call()[0]
    v3 = registry.adapter("uniswap-v3").quote(w3, chain, *path, ETH // 2, "out", [])
    assert quote.amount_in == min(v2_cost, v3.amount_in)
    assert quote.max_in == -(-quote.amount_in * 10_050 // 10_000)


def test_a_route_without_a_direct_pool_goes_through_a_hub(embedded_world):
    from steward.sandbox import SandboxBuilder

    chain = load_config().chain("sandbox-l1")
    builder = SandboxBuilder()
    token = builder.deploy(chain, "ERC20", "Hop Token", "HOP", 18, label="HOP")
    builder.call(chain, token, "ERC20", "mint", builder.operator.address, 1_000 * ETH)
    builder.call(chain, chain.tokens["WETH"], "uniswap/WETH9", "deposit", value=10 * ETH)
    router = chain.contracts["uniswap-v2:router"]
    builder.call(chain, token, "ERC20", "approve", router, 1_000 * ETH)
    builder.call(chain, chain.tokens["WETH"], "ERC20", "approve", router, 10 * ETH)
    w3 = chains.connect(chain)
    builder.call(chain, router, "uniswap/UniswapV2Router02", "addLiquidity", token, chain.tokens["WETH"],
                 1_000 * ETH, 10 * ETH, 0, 0, builder.operator.address, amm.deadline(w3))
    update_chain(chain.name, tokens=chain.tokens | {"HOP": token})
    planned = plan_step(Swap(amount=exact("30"), token_in="USDC", token_out="HOP",
                             chain="sandbox-l1"), sender())
    assert planned.quote.path_symbols == ["USDC", "WETH", "HOP"]
    reserves_1 = amm.reserves(w3, chain.contracts["uniswap-v2:factory"], chain.tokens["USDC"],
                              chain.tokens["WETH"])
    weth_out = amm.amount_out(30 * USDC, *reserves_1)
    reserves_2 = amm.reserves(w3, chain.contracts["uniswap-v2:factory"], chain.tokens["WETH"], token)
    assert planned.quote.quoted_out == amm.amount_out(weth_out, *reserves_2)


def test_a_later_step_runs_where_the_previous_one_left_the_funds(embedded_world):
    me = sender()
    bridge = plan_step(Bridge(amount=exact("100"), token="USDC", to_chain="sandbox-l2",
                              chain="sandbox-l1"), me)
    assert (bridge.source, bridge.destination) == ("sandbox-l1", "sandbox-l2")
    swap = plan_step(Swap(amount=Amount(kind="previous", value="0.5"), token_in="USDC",
                          token_out="ETH"), me, previous=bridge, previous_output=100 * USDC)
    assert swap.source == "sandbox-l2"
    assert swap.quote.amount_in == 50 * USDC


def test_bridge_source_is_the_other_chain_holding_the_token(embedded_world):
    chain = load_config().chain("sandbox-l2")
    w3 = chains.connect(chain)
    assert erc20.balance_of(w3, chain.tokens["USDT"], sender()) > 0
    with pytest.raises(Need, match="already on sandbox-l2"):
        plan_step(Bridge(amount=exact("1"), token="USDT", to_chain="sandbox-l2",
                         chain="sandbox-l2"), sender())
    planned = plan_step(Bridge(amount=exact("1"), token="USDT", to_chain="sandbox-l2"), sender())
    assert planned.source == "sandbox-l1"
