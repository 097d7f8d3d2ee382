"""The Uniswap V3 adapter against Uniswap's own published contracts on a real anvil node.

The fixture deploys UniswapV3Factory, SwapRouter, SwapRouter02, QuoterV2 and the
NonfungiblePositionManager from `steward.contracts.uniswap` (the npm packages' artifacts), WETH9
and Steward ERC-20 tokens, and mints positions: WETH/USDC 0.05 % and 0.3 %, WETH/USDT 0.3 %,
USDC/USDT 0.05 %, DAI/USDC 0.05 % (so WETH↔DAI and USDT↔DAI need a hop through USDC) and a
thin THIN/USDC pool in a narrow range. Every swap the adapter builds is signed by a funded dev
key and its real balance changes are compared with the quote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pytest
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from conftest import anvil_or_fail
from rpc_proxy import JsonRpcProxy, rpc_error
from steward.chains.anvil import AnvilNode
from steward.chains.config import ChainConfig
from steward.chains.embedded import dev_account, embedded_world
from steward.contracts import initcode as steward_initcode
from steward.contracts.uniswap import initcode
from steward.errors import StewardError
from steward.plans import Call
from steward.protocols import contract_at, uniswap_v3
from steward.protocols.adapter import SwapOrder
from steward.protocols.uniswap_v3 import MSG_SENDER, UniswapV3, encode_path, sqrt_ratio_at_tick

CHAIN_ID = 31_337_733
ETH = 10**18
USD = 10**6
SPACING = {100: 1, 500: 10, 3000: 60, 10000: 200}
V3 = UniswapV3()
ATTACKER = "0x000000000000000000000000000000000000dEaD"
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class Deployment:
    w3: Web3
    chain_id: int
    url: str | None  # None: an embedded py-evm chain
    owner: LocalAccount
    trader: LocalAccount
    tokens: dict[str, str]  # symbol → address (WETH included)
    contracts: dict[str, str]
    pools: dict[tuple[str, str, int], str]  # (symbol, symbol, fee) → pool

    def chain(self, router: str = "swap_router") -> ChainConfig:
        keys = {"factory", "quoter", "position_manager", router}
        return ChainConfig(name="v3-test", chain_id=self.chain_id, rpc_url=self.url,
                           tokens=self.tokens, token_decimals={"USDC": 6, "USDT": 6, "DAI": 18,
                                                               "WETH": 18, "THIN": 18},
                           contracts={"weth": self.tokens["WETH"],
                                      **{f"uniswap-v3:{k}": v for k, v in self.contracts.items()
                                         if k in keys}})


def send(w3: Web3, account: LocalAccount, to: str | None, data, value: int = 0) -> dict:
    tx = {"from": account.address, "to": to, "data": data, "value": value,
          "chainId": w3.eth.chain_id, "nonce": w3.eth.get_transaction_count(account.address),
          "maxFeePerGas": 50 * 10**9, "maxPriorityFeePerGas": 10**9}
    if to is None:
        del tx["to"]
    tx["gas"] = w3.eth.estimate_gas(tx) * 12 // 10
    signed = account.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    return receipt


def gas_paid(receipt: dict) -> int:
    return receipt["gasUsed"] * receipt["effectiveGasPrice"]


def deploy(w3: Web3, account: LocalAccount, code: bytes) -> str:
    return send(w3, account, None, code)["contractAddress"]


def call(w3: Web3, account: LocalAccount, address: str, abi_name: str, function: str, *args,
         value: int = 0) -> dict:
    contract = contract_at(w3, address, abi_name)
    return send(w3, account, address, contract.encode_abi(function, args=list(args)), value)


def balance(w3: Web3, token: str | None, holder: str) -> int:
    if token is None:
        return w3.eth.get_balance(holder)
    return contract_at(w3, token, "ERC20").functions.balanceOf(holder).call()


def tick_of(price: Fraction) -> int:
    return math.floor(math.log(price) / math.log(1.0001))


def add_pool(d: Deployment, a: str, b: str, fee: int, price_b_per_a: Fraction,
             amount_a: int, amount_b: int, width: int | None = None) -> str:
    """A pool at `price_b_per_a` (base units), initialised exactly at a tick, with a position
    over the full range (or `width` ticks either side)."""
    w3, owner, npm = d.w3, d.owner, d.contracts["position_manager"]
    ta, tb = d.tokens[a], d.tokens[b]
    flip = int(ta, 16) > int(tb, 16)
    token0, token1 = (tb, ta) if flip else (ta, tb)
    price = 1 / price_b_per_a if flip else price_b_per_a
    tick = tick_of(price)
    call(w3, owner, npm, "uniswap/NonfungiblePositionManager", "createAndInitializePoolIfNecessary",
         token0, token1, fee, sqrt_ratio_at_tick(tick))
    factory = contract_at(w3, d.contracts["factory"], "uniswap/UniswapV3Factory")
    pool = factory.functions.getPool(token0, token1, fee).call()
    call(w3, owner, pool, "uniswap/UniswapV3Pool", "increaseObservationCardinalityNext", 16)
    spacing = SPACING[fee]
    if width is None:
        lower, upper = -(887272 // spacing) * spacing, (887272 // spacing) * spacing
    else:
        centre = tick // spacing * spacing
        lower, upper = centre - width, centre + width + spacing
    amount0, amount1 = (amount_b, amount_a) if flip else (amount_a, amount_b)
    for token in (token0, token1):
        call(w3, owner, token, "ERC20", "approve", npm, 2**256 - 1)
    call(w3, owner, npm, "uniswap/NonfungiblePositionManager", "mint", {
        "token0": token0, "token1": token1, "fee": fee, "tickLower": lower, "tickUpper": upper,
        "amount0Desired": amount0, "amount1Desired": amount1, "amount0Min": 0, "amount1Min": 0,
        "recipient": owner.address, "deadline": 2**40})
    d.pools[(a, b, fee)] = d.pools[(b, a, fee)] = pool
    return pool


def build(w3: Web3, url: str | None, full: bool = True) -> Deployment:
    """Uniswap V3 from its published artifacts, tokens, and pools with liquidity (`full`:
    every pool the module's tests use; otherwise WETH/USDC and DAI/USDC 0.05 % only)."""
    owner, trader = dev_account(0), dev_account(1)
    if w3.eth.get_balance(trader.address) < 1_000 * ETH:
        send(w3, owner, trader.address, b"", 1_000 * ETH)
    weth = deploy(w3, owner, initcode("uniswap/WETH9"))
    tokens = {"WETH": weth}
    for symbol, decimals in (("USDC", 6), ("USDT", 6), ("DAI", 18), ("THIN", 18))[:4 if full else 3]:
        tokens[symbol] = deploy(w3, owner, steward_initcode("ERC20", symbol, symbol, decimals))
        for holder in (owner, trader):
            call(w3, owner, tokens[symbol], "ERC20", "mint", holder.address, 10**12 * 10**decimals)
    call(w3, owner, weth, "uniswap/WETH9", "deposit", value=500 * ETH)
    call(w3, trader, weth, "uniswap/WETH9", "deposit", value=100 * ETH)
    factory = deploy(w3, owner, initcode("uniswap/UniswapV3Factory"))
    npm = deploy(w3, owner, initcode("uniswap/NonfungiblePositionManager", factory, weth, ZERO))
    contracts = {
        "factory": factory, "position_manager": npm,
        "swap_router": deploy(w3, owner, initcode("uniswap/SwapRouter", factory, weth)),
        "quoter": deploy(w3, owner, initcode("uniswap/QuoterV2", factory, weth))}
    if full:
        contracts["swap_router02"] = deploy(w3, owner, initcode("uniswap/SwapRouter02", ZERO,
                                                                factory, npm, weth))
    d = Deployment(w3, w3.eth.chain_id, url, owner, trader, tokens, contracts, {})
    eth_usd = Fraction(3000 * USD, ETH)
    add_pool(d, "WETH", "USDC", 500, eth_usd, 100 * ETH, 300_000 * USD)
    add_pool(d, "DAI", "USDC", 500, Fraction(USD, ETH), 300_000 * ETH, 300_000 * USD)
    if full:
        add_pool(d, "WETH", "USDC", 3000, eth_usd, 50 * ETH, 150_000 * USD)
        add_pool(d, "WETH", "USDT", 3000, eth_usd, 100 * ETH, 300_000 * USD)
        add_pool(d, "USDC", "USDT", 500, Fraction(1), 300_000 * USD, 300_000 * USD)
        add_pool(d, "THIN", "USDC", 3000, Fraction(USD, ETH), 10 * ETH, 10 * USD, width=60)
    return d


@pytest.fixture(scope="module")
def v3_deployment():
    anvil_or_fail()
    with AnvilNode(chain_id=CHAIN_ID) as node:
        yield build(Web3(HTTPProvider(node.url)), node.url)


@pytest.fixture
def v3(v3_deployment):
    """The deployment, rewound to its fresh state after the test."""
    w3 = v3_deployment.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    uniswap_v3.forget()
    yield v3_deployment
    assert w3.provider.make_request("evm_revert", [snapshot])["result"]


def address_of(d: Deployment, symbol: str) -> str:
    return d.tokens["WETH" if symbol == "ETH" else symbol]


def hubs(d: Deployment) -> list[str]:
    return [d.tokens["WETH"], d.tokens["USDC"]]


def deadline(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"] + 1200


# --- quotes, calls and what they really move ------------------------------------------------

CASES = [  # (in, out, hops)
    ("USDC", "USDT", 1), ("USDT", "DAI", 2), ("ETH", "USDC", 1), ("USDC", "ETH", 1),
    ("ETH", "DAI", 2), ("DAI", "ETH", 2)]
AMOUNTS = {"USDC": 1_000 * USD, "USDT": 1_000 * USD, "DAI": 1_000 * ETH, "ETH": ETH // 2}


def swap_and_measure(d: Deployment, router: str, exact: str, symbol_in: str, symbol_out: str,
                     amount: int, hops: int) -> None:
    """Quote, build, decode, requote, sign and send one swap; the balances move exactly as
    quoted and nothing is left in the router."""
    w3, chain, trader = d.w3, d.chain(router), d.trader
    token_in, token_out = address_of(d, symbol_in), address_of(d, symbol_out)
    route = V3.quote(w3, chain, token_in, token_out, amount, exact, hubs(d))
    assert route is not None and route.venue == "uniswap-v3"
    assert len(route.path) == hops + 1 and route.path[0] == token_in and route.path[-1] == token_out
    if hops == 2:
        assert route.path[1] == d.tokens["USDC"]
    quoted = route.amount_out if exact == "in" else route.amount_in
    limit = quoted * 99 // 100 if exact == "in" else quoted * 101 // 100
    native_in, native_out = symbol_in == "ETH", symbol_out == "ETH"
    order = SwapOrder(route=route, recipient=trader.address, limit=limit, deadline=deadline(w3),
                      native_in=native_in, native_out=native_out)
    [swap] = V3.swap_calls(w3, chain, order, "a swap")
    assert swap.to == d.contracts[router] == V3.spender(chain)
    assert swap.gas_hint == 200_000 + 80_000 * (hops - 1) + 40_000 * native_out + (
        20_000 if native_in and exact == "out" else 0)

    effect = V3.decode(w3, chain, swap)
    assert effect is not None and effect.unexplained == []
    assert (effect.exact, effect.path, effect.fees, effect.payee) == (
        exact, route.path, route.fees, trader.address)
    assert effect.token_in == (None if native_in else token_in)
    assert effect.token_out == (None if native_out else token_out)
    assert (effect.amount_in, effect.amount_out) == (
        (amount, limit) if exact == "in" else (limit, amount))
    assert V3.requote(w3, chain, effect) == quoted

    spent_token, got_token = (None if native_in else token_in), (None if native_out else token_out)
    before = balance(w3, spent_token, trader.address), balance(w3, got_token, trader.address)
    gas = 0
    if not native_in:
        gas += gas_paid(call(w3, trader, token_in, "ERC20", "approve", swap.to,
                             amount if exact == "in" else limit))
    gas += gas_paid(send(w3, trader, swap.to, swap.data, swap.value))
    spent = before[0] - balance(w3, spent_token, trader.address) - (gas if native_in else 0)
    got = balance(w3, got_token, trader.address) - before[1] + (gas if native_out else 0)
    assert (spent, got) == ((amount, quoted) if exact == "in" else (quoted, amount))
    # Nothing is left behind in the router (the maximum's rest came back).
    assert w3.eth.get_balance(swap.to) == 0
    assert balance(w3, d.tokens["WETH"], swap.to) == 0


@pytest.mark.anvil
@pytest.mark.parametrize("router", ["swap_router", "swap_router02"])
@pytest.mark.parametrize("exact", ["in", "out"])
@pytest.mark.parametrize("symbol_in,symbol_out,hops", CASES)
def test_v3_swap_moves_exactly_the_quote_and_decodes_back(v3, router, exact, symbol_in,
                                                          symbol_out, hops):
    amount = AMOUNTS[symbol_in if exact == "in" else symbol_out]
    swap_and_measure(v3, router, exact, symbol_in, symbol_out, amount, hops)


def test_v3_on_the_embedded_chain(steward_home):
    """The same adapter on the in-process py-evm chain (no JSON-RPC batches there)."""
    w3 = embedded_world(steward_home / "chains").web3("v3-embedded", 1_337_733)
    d = build(w3, None, full=False)
    uniswap_v3.forget()
    swap_and_measure(d, "swap_router", "out", "ETH", "DAI", 500 * ETH, 2)
    swap_and_measure(d, "swap_router", "in", "DAI", "ETH", 500 * ETH, 2)
    chain, weth, usdc, window = d.chain(), d.tokens["WETH"], d.tokens["USDC"], 1800
    block = w3.eth.get_block("latest")
    prices, _ = V3.pair_prices(w3, chain, weth, usdc, (block["number"], block["timestamp"]),
                               window)
    assert prices.twap is None
    tester = w3.provider.ethereum_tester
    tester.time_travel(block["timestamp"] + window + 5)
    tester.mine_blocks(1)
    block = w3.eth.get_block("latest")
    prices, _ = V3.pair_prices(w3, chain, weth, usdc, (block["number"], block["timestamp"]),
                               window)
    # The swaps moved the price; held for the whole window, the TWAP is its tick's price.
    assert prices.twap is not None and abs(prices.twap - prices.spot) <= prices.spot / 10_000


@pytest.mark.anvil
def test_v3_quote_takes_two_round_trips(v3):
    """Every pool lookup in one batch (twenty here: five pairs, four fee tiers each), every
    candidate route's quote in a second one; a revert answers only its own quote."""
    proxy = JsonRpcProxy(v3.url)  # counts the HTTP requests it forwards
    try:
        w3 = Web3(HTTPProvider(proxy.url))
        chain = v3.chain()
        route = V3.quote(w3, chain, v3.tokens["USDT"], v3.tokens["DAI"], 1_000 * USD, "in",
                         hubs(v3))
        assert route is not None and proxy.requests == 2
        # The 0.3 % pool holds 150,000 USDC: its quote for 200,000 reverts, in the same batch
        # as the 0.05 % pool's, which can give it.
        proxy.requests = 0
        route = V3.quote(w3, chain, v3.tokens["WETH"], v3.tokens["USDC"], 200_000 * USD, "out",
                         hubs(v3))
        assert route.fees == [500] and proxy.requests == 2
        proxy.requests = 0
        assert V3.quote(w3, chain, v3.tokens["WETH"], v3.tokens["USDC"], 400_000 * USD, "out",
                        hubs(v3)) is None
        assert proxy.requests == 2
    finally:
        proxy.close()


@pytest.mark.anvil
def test_v3_quote_takes_the_best_fee_tier_and_no_route_is_none(v3):
    w3, chain = v3.w3, v3.chain()
    weth, usdc = v3.tokens["WETH"], v3.tokens["USDC"]
    route = V3.quote(w3, chain, weth, usdc, ETH, "in", [])
    assert route.fees == [500]  # the deeper, cheaper pool
    tiers = {fee: contract_at(w3, v3.contracts["quoter"], "uniswap/QuoterV2").functions
             .quoteExactInputSingle({"tokenIn": weth, "tokenOut": usdc, "amountIn": ETH,
                                     "fee": fee, "sqrtPriceLimitX96": 0}).call()[0]
             for fee in (500, 3000)}
    assert route.amount_out == max(tiers.values())
    lonely = steward_initcode("ERC20", "Lonely", "LONE", 18)
    assert V3.quote(w3, chain, deploy(w3, v3.owner, lonely), usdc, ETH, "in", hubs(v3)) is None
    assert V3.quote(w3, chain, weth, weth, ETH, "in", hubs(v3)) is None


@pytest.mark.anvil
def test_v3_partial_fills_are_not_quotes(v3):
    """The thin pool's liquidity covers a narrow range: an amount that would run past it is
    a partial fill (exact in: the pool's price ends at the bound) or a revert (exact out)."""
    w3, chain = v3.w3, v3.chain()
    thin, usdc = v3.tokens["THIN"], v3.tokens["USDC"]
    assert V3.quote(w3, chain, thin, usdc, ETH // 100, "in", []) is not None
    assert V3.quote(w3, chain, thin, usdc, 1_000 * ETH, "in", []) is None
    assert V3.quote(w3, chain, usdc, thin, 1_000 * ETH, "out", []) is None


@pytest.mark.anvil
def test_v3_quote_without_json_rpc_batches_is_the_same(v3):
    class NoBatches(HTTPProvider):
        def make_batch_request(self, requests):
            raise NotImplementedError("this node takes one request at a time")

    plain = Web3(NoBatches(v3.url))
    chain, args = v3.chain(), (v3.tokens["USDT"], v3.tokens["DAI"], 1_000 * USD)
    for exact in ("in", "out"):
        assert (V3.quote(plain, chain, *args, exact, hubs(v3))
                == V3.quote(v3.w3, chain, *args, exact, hubs(v3)))


# --- decoding: what an attacker might hand the guard ------------------------------------------

def _router(v3, router="swap_router"):
    return contract_at(v3.w3, v3.contracts[router], f"uniswap/{'SwapRouter' if router == 'swap_router' else 'SwapRouter02'}")


def _single(v3, recipient, amount_in=ETH, minimum=0, token_in="WETH", token_out="USDC",
            price_limit=0, router="swap_router"):
    params = {"tokenIn": v3.tokens[token_in], "tokenOut": v3.tokens[token_out], "fee": 500,
              "recipient": recipient, "deadline": deadline(v3.w3), "amountIn": amount_in,
              "amountOutMinimum": minimum, "sqrtPriceLimitX96": price_limit}
    if router == "swap_router02":
        del params["deadline"]
    return _router(v3, router).encode_abi("exactInputSingle", args=[params])


@pytest.mark.anvil
def test_v3_multicall_that_unwraps_to_someone_else_pays_them(v3):
    w3, chain, router = v3.w3, v3.chain(), _router(v3)
    usdc = v3.tokens["USDC"]
    swap = router.encode_abi("exactInputSingle", args=[{
        "tokenIn": usdc, "tokenOut": v3.tokens["WETH"], "fee": 500, "recipient": router.address,
        "deadline": deadline(w3), "amountIn": 3_000 * USD, "amountOutMinimum": 0,
        "sqrtPriceLimitX96": 0}])
    unwrap = router.encode_abi("unwrapWETH9", args=[0, ATTACKER])
    data = router.encode_abi("multicall", args=[[swap, unwrap]])
    effect = V3.decode(w3, chain, Call(to=router.address, data=data,
                                       description="swap USDC for ETH to me"))
    assert effect.payee == ATTACKER and effect.token_out is None and effect.token_in == usdc
    # What the chain does with it: the attacker is paid.
    call(w3, v3.trader, usdc, "ERC20", "approve", router.address, 3_000 * USD)
    before = w3.eth.get_balance(ATTACKER)
    send(w3, v3.trader, router.address, data)
    assert w3.eth.get_balance(ATTACKER) - before > ETH * 9 // 10


@pytest.mark.anvil
def test_v3_calls_it_cannot_account_for_are_unexplained(v3):
    w3, chain, router = v3.w3, v3.chain(), _router(v3)
    me, weth, usdc = v3.trader.address, v3.tokens["WETH"], v3.tokens["USDC"]

    def unexplained(data, value=0):
        effect = V3.decode(w3, chain, Call(to=router.address, data=data, value=value,
                                           description="a swap"))
        assert effect is not None and effect.unexplained, data
        return effect

    to_router = _single(v3, router.address)
    permit = router.encode_abi("selfPermit", args=[usdc, 1, 2**40, 27, b"\x01" * 32, b"\x02" * 32])
    unexplained(router.encode_abi("multicall", args=[[_single(v3, me), permit]]))  # unknown inner
    unexplained(router.encode_abi("multicall", args=[[_single(v3, me), b"\xde\xad\xbe\xef"]]))
    unexplained(router.encode_abi("multicall", args=[[_single(v3, me), _single(v3, me)]]))
    sweep_other = router.encode_abi("sweepToken", args=[v3.tokens["USDT"], 0, me])
    effect = unexplained(router.encode_abi("multicall", args=[[to_router, sweep_other]]))
    assert effect.payee == me and effect.token_out == usdc
    unexplained(to_router)  # the output left in the router for anyone to take
    unexplained(_single(v3, me, token_in="USDC", token_out="WETH", amount_in=USD), value=ETH)
    unexplained(_single(v3, me, price_limit=2**96))  # a partial fill
    unexplained(router.encode_abi("refundETH", args=[]))  # not a swap, but it moves value
    drain = unexplained(router.encode_abi("multicall", args=[[
        router.encode_abi("unwrapWETH9", args=[0, ATTACKER])]]))
    assert drain.payee == ATTACKER and drain.path == []
    unexplained("0x12345678")
    # Exact output with native input but no refundETH: the rest stays in the router.
    exact_out = router.encode_abi("exactOutputSingle", args=[{
        "tokenIn": weth, "tokenOut": usdc, "fee": 500, "recipient": me, "deadline": 2**40,
        "amountOut": 100 * USD, "amountInMaximum": ETH, "sqrtPriceLimitX96": 0}])
    unexplained(exact_out, value=ETH)
    # SwapRouter02's "msg.sender" placeholder is not an address Steward can check.
    chain02, router02 = v3.chain("swap_router02"), _router(v3, "swap_router02")
    effect = V3.decode(w3, chain02, Call(to=router02.address, description="a swap",
                                         data=_single(v3, MSG_SENDER, router="swap_router02")))
    assert effect.unexplained and effect.payee == MSG_SENDER


@pytest.mark.anvil
def test_v3_swap_calls_refuse_the_native_coin_on_a_token_route(v3):
    route = V3.quote(v3.w3, v3.chain(), v3.tokens["USDC"], v3.tokens["USDT"], USD, "in", [])
    for native in ({"native_in": True}, {"native_out": True}):
        order = SwapOrder(route=route, recipient=v3.trader.address, limit=0,
                          deadline=deadline(v3.w3), **native)
        with pytest.raises(StewardError, match="wrapped native"):
            V3.swap_calls(v3.w3, v3.chain(), order, "swap")


@pytest.mark.anvil
def test_v3_decode_reads_the_calldata_not_the_description(v3):
    w3, chain, router = v3.w3, v3.chain(), _router(v3)
    me, weth, usdc, usdt = (v3.trader.address, v3.tokens["WETH"], v3.tokens["USDC"],
                            v3.tokens["USDT"])
    # A path that ends in USDT while the description says USDC; an exact-output maximum of
    # everything: the effect says what the calldata does.
    huge = 10**30
    data = router.encode_abi("exactOutput", args=[{
        "path": encode_path([usdt, usdc, weth], [3000, 500]), "recipient": me,
        "deadline": 2**40, "amountOut": 5 * USD, "amountInMaximum": huge}])
    effect = V3.decode(w3, chain, Call(to=router.address, data=data,
                                       description="buy 5 USDC for at most 0.01 WETH"))
    assert effect.path == [weth, usdc, usdt] and effect.fees == [500, 3000]
    assert effect.token_out == usdt and effect.amount_in == huge and effect.amount_out == 5 * USD
    assert effect.unexplained == []


@pytest.mark.anvil
def test_v3_decode_ignores_other_contracts_and_router_reads(v3):
    w3, chain, router = v3.w3, v3.chain(), _router(v3)
    swap = _single(v3, v3.trader.address)
    assert V3.decode(w3, chain, Call(to=v3.tokens["USDC"], data=swap, description="x")) is None
    assert V3.decode(w3, chain, Call(to=v3.contracts["swap_router02"], data=swap,
                                     description="x")) is None  # not this chain's router
    assert V3.decode(w3, chain, Call(to=router.address, description="x",
                                     data=router.encode_abi("WETH9", args=[]))) is None


# --- an RPC node that does not answer ---------------------------------------------------------

@pytest.mark.anvil
def test_v3_a_node_that_does_not_answer_is_not_no_route(v3):
    # A JSON-RPC endpoint that answers every request with a server error.
    node = JsonRpcProxy(on_request=lambda request: rpc_error(request, -32005, "rate limited"))
    try:
        w3 = Web3(HTTPProvider(node.url))
        chain, weth, usdc = v3.chain(), v3.tokens["WETH"], v3.tokens["USDC"]
        with pytest.raises(StewardError, match="could not establish"):
            V3.quote(w3, chain, weth, usdc, ETH, "in", hubs(v3))
        effect = V3.decode(v3.w3, chain, Call(to=v3.contracts["swap_router"], description="x",
                                              data=_single(v3, v3.trader.address)))
        with pytest.raises(StewardError, match="could not establish"):
            V3.requote(w3, chain, effect)
        with pytest.raises(StewardError, match="could not establish"):
            V3.pair_prices(w3, chain, weth, usdc, (1, 1), 1800)
        assert V3.owns(w3, chain, v3.pools[("WETH", "USDC", 500)]) is None  # not remembered
    finally:
        node.close()
    assert V3.owns(v3.w3, v3.chain(), v3.pools[("WETH", "USDC", 500)]) is not None


# --- what it owns, and prices -----------------------------------------------------------------

@pytest.mark.anvil
def test_v3_owns_its_contracts_and_pools(v3):
    w3, chain = v3.w3, v3.chain()
    pool = v3.pools[("WETH", "USDC", 500)]
    weth_first = int(v3.tokens["WETH"], 16) < int(v3.tokens["USDC"], 16)
    assert V3.owns(w3, chain, pool) == (
        f"Uniswap V3 {'WETH/USDC' if weth_first else 'USDC/WETH'} 0.05% pool")
    assert V3.owns(w3, chain, v3.contracts["swap_router"]) == "Uniswap V3 swap router"
    assert V3.owns(w3, chain, v3.tokens["USDC"]) is None  # a token, not a pool
    assert V3.owns(w3, chain, v3.trader.address) is None  # an account
    # A pool of another factory is not this venue's, even with the same tokens.
    other = deploy(w3, v3.owner, initcode("uniswap/UniswapV3Factory"))
    call(w3, v3.owner, other, "uniswap/UniswapV3Factory", "createPool", v3.tokens["WETH"],
         v3.tokens["USDC"], 500)
    stranger = contract_at(w3, other, "uniswap/UniswapV3Factory").functions.getPool(
        v3.tokens["WETH"], v3.tokens["USDC"], 500).call()
    assert V3.owns(w3, chain, stranger) is None


def _mine_after(w3: Web3, seconds: int) -> tuple[int, int]:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])
    block = w3.eth.get_block("latest")
    return block["number"], block["timestamp"]


@pytest.mark.anvil
def test_v3_pair_prices_twap_needs_history_and_one_swap_moves_only_spot(v3):
    w3, chain, window = v3.w3, v3.chain(), 1800
    weth, usdc = v3.tokens["WETH"], v3.tokens["USDC"]
    block = w3.eth.get_block("latest")
    prices, weth_first = V3.pair_prices(w3, chain, weth, usdc, (block["number"],
                                                                block["timestamp"]), window)
    assert prices.twap is None  # the pools are younger than the window
    quote_per_base = prices.spot if weth_first else 1 / prices.spot
    assert abs(quote_per_base - Fraction(3000 * USD, ETH)) < Fraction(3000 * USD, ETH) / 1000
    pool = v3.pools[("WETH", "USDC", 500)]  # the deepest tier
    held = (balance(w3, weth, pool), balance(w3, usdc, pool))
    assert (prices.reserve0, prices.reserve1) == (held if weth_first else held[::-1])

    head = _mine_after(w3, window + 5)
    prices, _ = V3.pair_prices(w3, chain, weth, usdc, head, window)
    assert prices.twap == prices.spot  # no trades: the time-weighted price is the price

    # A large swap in the latest block moves the spot price, not the time-weighted one.
    router = _router(v3)
    data = _single(v3, v3.trader.address, amount_in=20 * ETH)
    call(w3, v3.trader, weth, "ERC20", "approve", router.address, 20 * ETH)
    send(w3, v3.trader, router.address, data)
    block = w3.eth.get_block("latest")
    moved, _ = V3.pair_prices(w3, chain, weth, usdc, (block["number"], block["timestamp"]),
                              window)
    assert moved.twap == prices.twap and moved.spot != prices.spot
    assert V3.pair_prices(w3, chain, weth, v3.tokens["THIN"], head, window) is None  # no pool


@pytest.mark.anvil
def test_v3_sqrt_ratio_matches_the_pools_tick_math(v3):
    assert uniswap_v3.sqrt_ratio_at_tick(0) == 2**96
    assert uniswap_v3.sqrt_ratio_at_tick(-887272) == uniswap_v3.MIN_SQRT_RATIO
    assert uniswap_v3.sqrt_ratio_at_tick(887272) == uniswap_v3.MAX_SQRT_RATIO
    pool = contract_at(v3.w3, v3.pools[("WETH", "USDC", 500)], "uniswap/UniswapV3Pool")
    sqrt_price, tick = pool.functions.slot0().call()[:2]
    assert uniswap_v3.sqrt_ratio_at_tick(tick) == sqrt_price  # initialised exactly at a tick


@pytest.mark.anvil
def test_v3_through_the_registry(v3):
    from steward.protocols import registry

    w3, chain = v3.w3, v3.chain()
    assert [dex.name for dex in registry.dexes(chain)] == ["uniswap-v3"]  # no V2 keys here
    route = registry.best_route(w3, chain, v3.tokens["WETH"], v3.tokens["DAI"], ETH, "in",
                                hubs(v3))
    assert route.venue == "uniswap-v3" and route.path[1] == v3.tokens["USDC"]
    order = SwapOrder(route=route, recipient=v3.trader.address, limit=route.amount_out,
                      deadline=deadline(w3), native_in=True)
    [swap] = registry.venue_of(registry.decode_swap(w3, chain, Call(
        to=v3.contracts["swap_router"], description="x", data=_single(v3, ATTACKER)))
    ).swap_calls(w3, chain, order, "swap 1 ETH for DAI")
    assert registry.decode_swap(w3, chain, swap).token_in is None
    assert registry.protocol_label(w3, chain, v3.pools[("DAI", "USDC", 500)]).endswith(
        "0.05% pool")
    assert registry.protocol_label(w3, v3.chain("swap_router02"),
                                   v3.contracts["swap_router02"]) == "Uniswap V3 swap router02"


# --- the sandbox's Uniswap V3 at the canonical addresses --------------------------------------

@dataclass
class _Sandbox(Deployment):
    config: ChainConfig | None = None

    def chain(self, router: str = "swap_router") -> ChainConfig:
        return self.config


def test_v3_on_the_sandbox_pools(world):
    """The sandbox mirrors mainnet's Uniswap V3 (same addresses, WETH/USDC pools): buy USDC
    with the coin (exact output, the rest refunded), sell it back for the coin (exact input)."""
    from steward import chains
    from steward.chains.config import load_config

    chain = load_config().chain("sandbox-l1")
    assert chain.contracts["uniswap-v3:swap_router"] == "0xE592427A0AEce92De3Edee1F18E0157C05861564"
    w3 = chains.connect(chain)
    operator = dev_account(0)
    d = _Sandbox(w3, chain.chain_id, chain.rpc_url, operator, operator,
                 {"WETH": chain.contracts["weth"], "USDC": chain.tokens["USDC"]},
                 dict(V3.addresses(chain)), {}, config=chain)
    swap_and_measure(d, "swap_router", "out", "ETH", "USDC", 1_500 * USD, 1)
    swap_and_measure(d, "swap_router", "in", "USDC", "ETH", 1_000 * USD, 1)
    pool = V3.quote(w3, chain, chain.contracts["weth"], chain.tokens["USDC"], ETH, "in", [])
    assert pool.fees == [500]
