"""The protocol adapter seam: routing across venues, exact-input and exact-output swaps on each,
and the guard judging every venue's calls from their own calldata (never their descriptions)."""

from __future__ import annotations

import json

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.contacts import resolve_recipient
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import approve, review
from steward.planning.builders import swap_plan
from steward.plans import Call, Plan
from steward.protocols import amm, erc20, registry
from steward.protocols.adapter import SwapOrder
from steward.wallets import WalletStore

from conftest import PASSPHRASE

USDC = 10**6
ETH = 10**18


def wallet():
    store = WalletStore()
    return store.get("main").address, store.unlock("main", PASSPHRASE)


def _setup():
    chain = load_config().chain("sandbox-l1")
    return chain, chains.connect(chain)


def test_every_venue_is_registered_once_and_found_by_the_chain_config(embedded_world):
    chain, _ = _setup()
    names = [a.name for a in registry.ADAPTERS]
    assert len(names) == len(set(names))
    assert {d.name for d in registry.dexes(chain)} >= {"uniswap-v2", "uniswap-v3"}
    with pytest.raises(StewardError, match="unknown protocol 'pancakeswap'"):
        registry.dexes(chain, "pancakeswap")
    bare = chain.model_copy(update={"contracts": {"weth": chain.contracts["weth"]}})
    with pytest.raises(StewardError, match="not deployed on sandbox-l1"):
        registry.dexes(bare, "uniswap-v3")


def test_the_best_route_is_the_best_quote_of_any_venue(embedded_world):
    chain, w3 = _setup()
    usdc, weth = chain.tokens["USDC"], chain.contracts["weth"]
    quotes = {d.name: d.quote(w3, chain, usdc, weth, 500 * USDC, "in", [])
              for d in registry.dexes(chain)}
    best = registry.best_route(w3, chain, usdc, weth, 500 * USDC, "in", [])
    assert best.amount_out == max(q.amount_out for q in quotes.values() if q)
    buy = registry.best_route(w3, chain, usdc, weth, ETH // 10, "out", [])
    costs = [d.quote(w3, chain, usdc, weth, ETH // 10, "out", []) for d in registry.dexes(chain)]
    assert buy.amount_in == min(c.amount_in for c in costs if c)


@pytest.mark.parametrize("venue", ["uniswap-v2", "uniswap-v3"])
def test_exact_output_buys_exactly_the_amount_for_at_most_the_quote_plus_slippage(world, venue):
    chain, w3 = _setup()
    sender, account = wallet()
    plan, quote = swap_plan(chain, sender, "USDC", "0.1", "ETH", exact="out", venue=venue)
    assert quote.exact == "out" and quote.venue == venue and quote.quoted_out == ETH // 10
    assert quote.max_in == -(-quote.amount_in * (10_000 + quote.slippage_bps) // 10_000)
    verdict = review(plan, "main")
    assert verdict.decision != "deny", verdict.explanation
    usdc_before = erc20.balance_of(w3, chain.tokens["USDC"], sender)
    eth_before = w3.eth.get_balance(sender)
    result = Executor(account, "main").execute(plan, approve(verdict, by="test")
                                               if verdict.decision == "confirm" else verdict)
    fee = sum(step.fee_wei for step in result.steps)
    assert w3.eth.get_balance(sender) - eth_before + fee == ETH // 10
    assert usdc_before - erc20.balance_of(w3, chain.tokens["USDC"], sender) == quote.amount_in
    # The plan's last call clears what the buy did not use: nothing stays approved.
    assert erc20.allowance(w3, chain.tokens["USDC"], sender,
                           registry.adapter(venue).spender(chain)) == 0


@pytest.mark.parametrize("venue", ["uniswap-v2", "uniswap-v3"])
def test_the_guard_reads_the_venues_calldata_not_the_description(embedded_world, venue):
    """An exact-output swap whose maximum is far above the quote is slippage, whatever its
    description says; and a swap paying someone else needs a person."""
    chain, w3 = _setup()
    sender, _ = wallet()
    dex = registry.adapter(venue)
    usdc, weth = chain.tokens["USDC"], chain.contracts["weth"]
    route = dex.quote(w3, chain, usdc, weth, ETH // 100, "out", [])
    greedy = SwapOrder(route=route, recipient=sender, limit=route.amount_in * 2,
                       deadline=amm.deadline(w3), native_out=True)
    calls = [erc20.approve_call(w3, erc20.token_info(w3, usdc), dex.spender(chain),
                                route.amount_in * 2, "approve"),
             *dex.swap_calls(w3, chain, greedy, "buy 0.01 ETH at the best price")]
    verdict = review(Plan(chain=chain.name, sender=sender, calls=calls, summary="buy"), "main")
    assert verdict.decision == "deny"
    assert "more than quoted" in verdict.explanation

    bob = resolve_recipient("bob").address
    route_in = dex.quote(w3, chain, usdc, weth, 50 * USDC, "in", [])
    elsewhere = SwapOrder(route=route_in, recipient=bob, limit=amm.min_out(route_in.amount_out, 50),
                          deadline=amm.deadline(w3))
    calls = [erc20.approve_call(w3, erc20.token_info(w3, usdc), dex.spender(chain), 50 * USDC,
                                "approve"),
             *dex.swap_calls(w3, chain, elsewhere, "swap 50 USDC for WETH into my wallet")]
    verdict = review(Plan(chain=chain.name, sender=sender, calls=calls, summary="swap"), "main")
    assert verdict.decision in ("confirm", "deny")
    assert any(r.rule == "swap_to_other" for r in verdict.reasons)


def test_value_smuggled_into_a_token_swap_is_not_explained_away(embedded_world):
    chain, w3 = _setup()
    sender, _ = wallet()
    dex = registry.adapter("uniswap-v2")
    usdc, weth = chain.tokens["USDC"], chain.contracts["weth"]
    route = dex.quote(w3, chain, usdc, weth, 10 * USDC, "in", [])
    order = SwapOrder(route=route, recipient=sender, limit=amm.min_out(route.amount_out, 50),
                      deadline=amm.deadline(w3))
    [swap] = dex.swap_calls(w3, chain, order, "swap")
    effect = dex.decode(w3, chain, Call(to=swap.to, data=swap.data, value=ETH,
                                        description="swap"))
    assert effect is not None and effect.unexplained
    # A call to another contract is not this venue's to explain.
    assert dex.decode(w3, chain, Call(to=usdc, data=swap.data, description="x")) is None


def test_an_unanswering_node_is_never_read_as_no_route(embedded_world, monkeypatch):
    chain, w3 = _setup()
    usdc, weth = chain.tokens["USDC"], chain.contracts["weth"]

    def down(*args, **kwargs):
        raise ConnectionError("node down")

    monkeypatch.setattr(amm, "reserves", down)
    with pytest.raises(StewardError, match="could not establish"):
        registry.adapter("uniswap-v2").quote(w3, chain, usdc, weth, 10 * USDC, "in", [])


def test_a_third_venue_is_one_module_and_one_registration_line(embedded_world):
    """SushiSwap V2 (sushiswap_v2.py + its line in ADAPTERS): once its contracts are on the
    chain, the planner routes through it when it quotes best, the guard labels and judges its
    calls, and execution moves exactly the quote — no other file knows it exists."""
    from steward.chains.config import update_chain
    from steward.protocols.sushiswap_v2 import SushiSwapV2
    from steward.sandbox import SandboxBuilder

    assert any(isinstance(a, SushiSwapV2) for a in registry.ADAPTERS)
    chain, w3 = _setup()
    assert "sushiswap-v2" not in {d.name for d in registry.dexes(chain)}
    # The sandbox mirrors Ethereum: Uniswap V2's published code stands in for Sushi's fork of
    # it at Sushi's mainnet addresses (@sushiswap/core ships ABIs only).
    builder = SandboxBuilder()
    sushi = SushiSwapV2.deployments[1]
    weth, usdc = chain.contracts["weth"], chain.tokens["USDC"]
    builder.place(chain, sushi["factory"], "uniswap/UniswapV2Factory", builder.operator.address)
    builder.place(chain, sushi["router"], "uniswap/UniswapV2Router02", sushi["factory"], weth)
    chain = update_chain(chain.name, contracts={**chain.contracts,
                                                **registry.contracts_on(1)})
    assert "sushiswap-v2" in {d.name for d in registry.dexes(chain)}
    # A pool that pays more USDC per ETH than Uniswap's.
    builder.call(chain, weth, "uniswap/WETH9", "deposit", value=50 * ETH)
    builder.call(chain, usdc, "ERC20", "mint", builder.operator.address, 160_000 * USDC)
    for token, amount in ((weth, 50 * ETH), (usdc, 160_000 * USDC)):
        builder.call(chain, token, "ERC20", "approve", sushi["router"], amount)
    builder.call(chain, sushi["router"], "uniswap/UniswapV2Router02", "addLiquidity", weth, usdc,
                 50 * ETH, 160_000 * USDC, 0, 0, builder.operator.address, amm.deadline(w3))

    sender, account = wallet()
    plan, quote = swap_plan(chain, sender, "ETH", "0.1", "USDC")
    assert quote.venue == "sushiswap-v2"
    verdict = review(plan, "main")
    assert verdict.decision != "deny", verdict.explanation
    assert plan.summary.endswith("on SushiSwap V2")
    pair = amm.pool(w3, sushi["factory"], weth, usdc).address
    assert registry.protocol_label(w3, chain, pair) in ("SushiSwap V2 WETH/USDC pool",
                                                        "SushiSwap V2 USDC/WETH pool")
    before = erc20.balance_of(w3, usdc, sender)
    Executor(account, "main").execute(plan, approve(verdict, by="test")
                                      if verdict.decision == "confirm" else verdict)
    assert erc20.balance_of(w3, usdc, sender) - before == quote.quoted_out


def test_the_cli_pins_a_venue_or_says_which_exist(embedded_world):
    from conftest import run_cli

    pinned = run_cli("swap", "10", "USDC", "ETH", "--venue", "uniswap-v2", "--yes", "--json",
                     home=embedded_world)
    assert pinned.returncode == 0, pinned.stderr
    assert json.loads(pinned.stdout)["quote"]["venue"] == "uniswap-v2"
    unknown = run_cli("swap", "10", "USDC", "ETH", "--venue", "pancakeswap", "--yes",
                      home=embedded_world)
    assert unknown.returncode != 0
    assert "unknown protocol 'pancakeswap'" in unknown.stderr and "uniswap-v3" in unknown.stderr
