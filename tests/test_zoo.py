"""The scam zoo: every specimen deployed with a WETH pool, and each mechanic shown for real on a
throwaway copy of the chain (a fresh buyer buys through the router, then tries to sell)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

import pytest
from eth_abi import decode
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contracts import zoo_names
from steward.planning import Call
from steward.protocols import erc20
from steward.sandbox import SandboxBuilder
from steward.sandbox.zoo import FLAG_FIELDS, PROXY_BENIGN, PROXY_RUG, ZOO, deploy_zoo
from steward.simulation import throwaway

from conftest import steward_home_at

ETH = 10**18
TOKEN = 10**18
BUYER = Web3.to_checksum_address("0x00000000000000000000000000000000000b0b01")
STRANGER = Web3.to_checksum_address("0x00000000000000000000000000000000000b0b02")
IMPL_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
DEPLOY_SECONDS: list[float] = []
ROUTER = "uniswap/UniswapV2Router02"
# What Uniswap's router (TransferHelper.safeTransferFrom) says when the token's transferFrom fails.
ROUTER_TRANSFER_FAILED = "TransferHelper: TRANSFER_FROM_FAILED"


@pytest.fixture(scope="module")
def zoo_template(embedded_template, tmp_path_factory):
    """The embedded sandbox world with the zoo deployed once, copied per test."""
    path = tmp_path_factory.mktemp("zoo-template") / "home"
    shutil.copytree(embedded_template, path)
    with steward_home_at(path):
        start = time.perf_counter()
        deploy_zoo(SandboxBuilder(), load_config().chain("sandbox-l1"))
        DEPLOY_SECONDS.append(time.perf_counter() - start)
    return path


@pytest.fixture
def zoo(embedded_world, zoo_template):
    shutil.rmtree(embedded_world)
    shutil.copytree(zoo_template, embedded_world)
    chain = load_config().chain("sandbox-l1")
    return Zoo(chain)


@dataclass
class Sold:
    success: bool
    revert_reason: str
    eth_received: int


class Zoo:
    def __init__(self, chain):
        self.chain = chain
        self.w3 = chains.connect(chain)
        self.operator = SandboxBuilder().operator.address
        self.router = chain.contracts["uniswap-v2:router"]
        self.weth = chain.tokens["WETH"]

    def token(self, symbol: str) -> str:
        return self.chain.tokens[symbol]

    def data(self, address: str, abi_name: str, fn: str, *args) -> str:
        return erc20.encode(self.w3, address, abi_name, fn, *args)

    def do(self, sim, sender: str, address: str, abi_name: str, fn: str, *args, value: int = 0):
        return sim.apply(sender, Call(to=address, data=self.data(address, abi_name, fn, *args),
                                      value=value, description=fn))

    def uint(self, sim, address: str, abi_name: str, fn: str, *args) -> int:
        out = sim.read(address, bytes.fromhex(self.data(address, abi_name, fn, *args)[2:]))
        return decode(["uint256"], out)[0]

    def address_of(self, sim, address: str, abi_name: str, fn: str) -> str:
        out = sim.read(address, bytes.fromhex(self.data(address, abi_name, fn)[2:]))
        return self.w3.to_checksum_address(decode(["address"], out)[0])

    def balance(self, sim, symbol: str, holder: str) -> int:
        return self.uint(sim, self.token(symbol), "ERC20", "balanceOf", holder)

    def pair(self, symbol: str) -> str:
        return self.pair_of(self.token(symbol))

    def pair_of(self, token: str) -> str:
        factory = self.w3.eth.contract(self.chain.contracts["uniswap-v2:factory"],
                                       abi=load_abi("uniswap/UniswapV2Factory"))
        return factory.functions.getPair(token, self.weth).call()

    def buy(self, sim, symbol: str, eth: int = ETH // 10, buyer: str = BUYER) -> int:
        assert sim.apply(self.operator, Call(to=buyer, value=eth + ETH, description="fund")).success
        before = self.balance(sim, symbol, buyer)
        out = self.do(sim, buyer, self.router, ROUTER, "swapExactETHForTokens", 0,
                      [self.weth, self.token(symbol)], buyer, 2**40, value=eth)
        assert out.success, out.revert_reason
        got = self.balance(sim, symbol, buyer) - before
        assert got > 0
        return got

    def sell(self, sim, symbol: str, amount: int, seller: str = BUYER):
        token = self.token(symbol)
        assert self.do(sim, seller, token, "ERC20", "approve", self.router, amount).success
        before = sim.native_balance(seller)
        out = self.do(sim, seller, self.router, ROUTER, "swapExactTokensForETH",
                      amount, 0, [token, self.weth], seller, 2**40)
        received = sim.native_balance(seller) - before + out.fee_wei if out.success else 0
        reason = out.revert_reason or ""
        if not out.success and ROUTER_TRANSFER_FAILED in reason:
            reason = self.token_reason(sim, token, seller, amount) or reason
        return Sold(out.success, reason, received)

    def token_reason(self, sim, token: str, seller: str, amount: int) -> str | None:
        """The token's own revert reason, which Uniswap's router replaces with its generic
        TRANSFER_FROM_FAILED: replay the transfer the router makes (the seller's tokens into
        the pair) on a checkpoint of the throwaway state, then come back."""
        pair = self.pair_of(token)
        mark = sim.checkpoint()
        try:
            moved = self.do(sim, seller, token, "ERC20", "transfer", pair, amount)
        finally:
            sim.revert_to(mark)
        return None if moved.success else moved.revert_reason


def load_abi(name):
    from steward.contracts import abi

    return abi(name)


def test_zoo_is_deployed_with_pools_and_recorded(zoo):
    assert DEPLOY_SECONDS and DEPLOY_SECONDS[0] < 60  # a generous bound; it is a few seconds
    malicious = [s for s, e in ZOO.items() if e.malicious]
    legit = [s for s, e in ZOO.items() if not e.malicious]
    assert len(malicious) >= 12 and len(legit) >= 5
    sources = {e.source for e in ZOO.values()} | {"zoo/ProxyImplBenign", "zoo/ProxyImplRug"}
    assert sources == set(zoo_names())
    pair_abi = load_abi("uniswap/UniswapV2Pair")
    for symbol, entry in ZOO.items():
        assert symbol.isalnum() and len(symbol) <= 11
        assert set(entry.flags) <= set(FLAG_FIELDS)
        assert bool(entry.flags) == entry.malicious
        token = zoo.token(symbol)
        assert zoo.w3.eth.get_code(token)
        meta = zoo.w3.eth.contract(token, abi=load_abi("ERC20"))
        assert meta.functions.symbol().call() == symbol
        assert meta.functions.decimals().call() == entry.decimals
        pair = zoo.w3.eth.contract(zoo.pair(symbol), abi=pair_abi)
        reserves = pair.functions.getReserves().call()
        assert sorted(reserves[:2]) == sorted([entry.supply, entry.pool_eth])
    for role in (PROXY_BENIGN, PROXY_RUG):
        assert zoo.w3.eth.get_code(zoo.chain.contracts[role])
    # Idempotent: a second call keeps every token.
    start = time.perf_counter()
    again = deploy_zoo(SandboxBuilder(), load_config().chain("sandbox-l1"))
    assert again == {symbol: zoo.token(symbol) for symbol in ZOO}
    assert time.perf_counter() - start < 2


def test_legitimate_tokens_buy_and_sell(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        for symbol, entry in ZOO.items():
            if entry.malicious:
                continue
            got = zoo.buy(sim, symbol)
            out = zoo.sell(sim, symbol, got)
            assert out.success, (symbol, out.revert_reason)
            assert out.eth_received > ETH // 10 * 98 // 100  # only the 0.3% fee, twice
            assert zoo.balance(sim, symbol, BUYER) == 0
        # the renounced token really is renounced
        token = zoo.token("ZRENOUNCED")
        assert zoo.address_of(sim, token, "zoo/RenouncedToken", "owner") == "0x" + "0" * 40
        out = zoo.do(sim, zoo.operator, token, "zoo/RenouncedToken", "transferOwnership",
                     zoo.operator)
        assert not out.success


def test_honeypot_buys_but_never_sells(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZHONEY")
        out = zoo.sell(sim, "ZHONEY", got)
        assert not out.success and "transfer failed" in out.revert_reason
        assert not zoo.sell(sim, "ZHONEY", got // 100).success
        # plain transfers elsewhere still work; only the pool is closed to holders
        assert zoo.do(sim, BUYER, zoo.token("ZHONEY"), "ERC20", "transfer", STRANGER, 1).success
        # only addresses the owner whitelists can sell
        assert zoo.do(sim, zoo.operator, zoo.token("ZHONEY"), "zoo/Honeypot", "setWhitelisted",
                      BUYER, True).success
        assert zoo.sell(sim, "ZHONEY", got // 2).success


def test_sell_tax_takes_99_percent(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZTAX99")
        assert got > 0  # buying is untaxed
        assert not zoo.sell(sim, "ZTAX99", got).success  # the pool gets 1%: the swap breaks K
        pair = zoo.pair("ZTAX99")
        owner_before = zoo.balance(sim, "ZTAX99", zoo.operator)
        pair_before = zoo.balance(sim, "ZTAX99", pair)
        assert zoo.do(sim, BUYER, zoo.token("ZTAX99"), "ERC20", "transfer", pair, got).success
        assert zoo.balance(sim, "ZTAX99", pair) - pair_before == got - got * 99 // 100
        assert zoo.balance(sim, "ZTAX99", zoo.operator) - owner_before == got * 99 // 100


def test_hidden_owner_mints_after_renouncing(zoo):
    token = zoo.token("ZMINT")
    with throwaway(zoo.w3, zoo.chain) as sim:
        assert zoo.address_of(sim, token, "zoo/HiddenMint", "owner") == "0x" + "0" * 40
        supply = zoo.uint(sim, token, "ERC20", "totalSupply")
        assert not zoo.do(sim, STRANGER, token, "zoo/HiddenMint", "distributeRewards", STRANGER,
                          1).success
        assert zoo.do(sim, zoo.operator, token, "zoo/HiddenMint", "distributeRewards",
                      zoo.operator, 10**9 * TOKEN).success
        assert zoo.uint(sim, token, "ERC20", "totalSupply") == supply + 10**9 * TOKEN


def test_owner_rewrites_a_buyers_balance(zoo):
    token = zoo.token("ZSETBAL")
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZSETBAL")
        assert not zoo.do(sim, STRANGER, token, "zoo/BalanceRewrite", "setBalance", BUYER,
                          0).success
        assert zoo.do(sim, zoo.operator, token, "zoo/BalanceRewrite", "setBalance", BUYER,
                      0).success
        assert zoo.balance(sim, "ZSETBAL", BUYER) == 0
        assert not zoo.sell(sim, "ZSETBAL", got).success


@pytest.mark.parametrize("symbol, source, fn, args, reason", [
    ("ZBLACK", "zoo/Blacklist", "setBlacklist", (BUYER, True), "blacklisted"),
    ("ZPAUSE", "zoo/PausableToken", "pause", (), "paused"),
    ("ZMAXSELL", "zoo/MaxSell", "setMaxSellAmount", (0,), "exceeds the limit"),
])
def test_owner_switches_selling_off(zoo, symbol, source, fn, args, reason):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, symbol)
        small = min(got // 10, 50 * TOKEN)
        assert zoo.sell(sim, symbol, small).success
        assert not zoo.do(sim, STRANGER, zoo.token(symbol), source, fn, *args).success
        assert zoo.do(sim, zoo.operator, zoo.token(symbol), source, fn, *args).success
        out = zoo.sell(sim, symbol, small)
        assert not out.success and reason in out.revert_reason


def test_max_sell_blocks_selling_everything(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZMAXSELL")
        assert got > 100 * TOKEN
        out = zoo.sell(sim, "ZMAXSELL", got)
        assert not out.success and "exceeds the limit" in out.revert_reason
        assert zoo.sell(sim, "ZMAXSELL", 100 * TOKEN).success


def test_cooldown_blocks_a_second_sell(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZCOOL")
        assert zoo.sell(sim, "ZCOOL", got // 2).success
        out = zoo.sell(sim, "ZCOOL", got // 4)
        assert not out.success and "cooldown" in out.revert_reason


def test_owner_raises_the_tax_to_100_percent(zoo):
    token = zoo.token("ZMODTAX")
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZMODTAX")
        assert zoo.sell(sim, "ZMODTAX", got // 2).success  # 0% at first
        assert not zoo.do(sim, STRANGER, token, "zoo/MutableTax", "setTaxes", 0, 10000).success
        assert zoo.do(sim, zoo.operator, token, "zoo/MutableTax", "setTaxes", 0, 10000).success
        assert not zoo.sell(sim, "ZMODTAX", got // 4).success
        owner_before = zoo.balance(sim, "ZMODTAX", zoo.operator)
        rest = zoo.balance(sim, "ZMODTAX", BUYER)
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", zoo.pair("ZMODTAX"), rest).success
        assert zoo.balance(sim, "ZMODTAX", zoo.operator) - owner_before == rest


def test_proxy_upgrade_turns_the_token_into_a_honeypot(zoo):
    proxy = zoo.token("ZPROXY")
    benign, rug = zoo.chain.contracts[PROXY_BENIGN], zoo.chain.contracts[PROXY_RUG]
    slot = zoo.w3.eth.get_storage_at(proxy, IMPL_SLOT)
    assert zoo.w3.to_checksum_address(slot[-20:]) == benign
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZPROXY")
        assert zoo.sell(sim, "ZPROXY", got // 2).success
        assert not zoo.do(sim, STRANGER, proxy, "zoo/Proxy1967", "upgradeTo", rug).success
        assert zoo.do(sim, zoo.operator, proxy, "zoo/Proxy1967", "upgradeTo", rug).success
        assert zoo.address_of(sim, proxy, "zoo/Proxy1967", "proxyImplementation") == rug
        assert zoo.balance(sim, "ZPROXY", BUYER) == got - got // 2  # same state, new code
        out = zoo.sell(sim, "ZPROXY", got // 4)
        assert not out.success and "transfer failed" in out.revert_reason
        assert zoo.do(sim, zoo.operator, proxy, "zoo/ProxyImplRug", "mint", zoo.operator,
                      TOKEN).success


def test_fake_renounce_keeps_a_hidden_owner(zoo):
    token = zoo.token("ZFAKERENO")
    with throwaway(zoo.w3, zoo.chain) as sim:
        assert zoo.address_of(sim, token, "zoo/FakeRenounce", "owner") == "0x" + "0" * 40
        got = zoo.buy(sim, "ZFAKERENO")
        assert zoo.sell(sim, "ZFAKERENO", got // 2).success
        assert not zoo.do(sim, STRANGER, token, "zoo/FakeRenounce", "setSellFee", 10000).success
        assert zoo.do(sim, zoo.operator, token, "zoo/FakeRenounce", "setSellFee", 10000).success
        assert not zoo.sell(sim, "ZFAKERENO", got // 4).success
        assert zoo.do(sim, zoo.operator, token, "zoo/FakeRenounce", "transferOwnership",
                      zoo.operator).success
        assert zoo.address_of(sim, token, "zoo/FakeRenounce", "owner") == zoo.operator


def test_lying_balance_cannot_be_sold_in_full(zoo):
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZLIAR")
        assert zoo.balance(sim, "ZLIAR", BUYER) == got  # what a wallet would show
        out = zoo.sell(sim, "ZLIAR", got)
        assert not out.success and "exceeds balance" in out.revert_reason
        assert zoo.sell(sim, "ZLIAR", got // 2).success
        assert zoo.balance(sim, "ZLIAR", BUYER) == got - got // 2  # and it is stuck
        assert not zoo.sell(sim, "ZLIAR", 1).success
