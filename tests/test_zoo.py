"""The scam zoo: every specimen deployed with a WETH pool, and each mechanic shown for real on a
throwaway copy of the chain (a fresh buyer buys through the router, then tries to sell)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

import pytest
from conftest import steward_home_at
from eth_abi import decode
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contracts import zoo_names
from steward.planning import Call
from steward.protocols import erc20
from steward.sandbox import SandboxBuilder
from steward.sandbox.zoo import (
    BRIDGE_NOOP,
    FLAG_FIELDS,
    OPS,
    PROXY_BENIGN,
    PROXY_RUG,
    RELEASE,
    SELL_GUARD,
    TRANSFER_COUNTER,
    TREASURY,
    ZOO,
    deploy_zoo,
)
from steward.simulation import throwaway

ETH = 10**18
TOKEN = 10**18
BUYER = Web3.to_checksum_address("0x00000000000000000000000000000000000b0b01")
STRANGER = Web3.to_checksum_address("0x00000000000000000000000000000000000b0b02")
IMPL_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
DEPLOY_SECONDS: list[float] = []
ROUTER = "uniswap/UniswapV2Router02"
PAIR = "uniswap/UniswapV2Pair"
HELPERS = {BRIDGE_NOOP: "zoo/NoopBridge", SELL_GUARD: "zoo/SellGuard",
           TRANSFER_COUNTER: "zoo/TransferCounter"}
SELL_FEE_PERCENT = {"ZCAPFEE": 2}  # legitimate tokens whose sells pay a fee on transfer
ZERO = "0x" + "0" * 40
# What Uniswap's router (TransferHelper.safeTransferFrom) says when the token's transferFrom fails.
ROUTER_TRANSFER_FAILED = "TransferHelper: TRANSFER_FROM_FAILED"
TRANSFER_TOPIC = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix("0x")


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

    def fund(self, sim, *accounts: str) -> None:
        """Gas money, so that a refused call fails on the token's check, not for want of ETH."""
        for account in accounts:
            assert sim.apply(self.operator, Call(to=account, value=ETH, description="fund")).success

    def token_reserve(self, sim, symbol: str) -> tuple[int, int]:
        """(token reserve, WETH reserve) of the symbol's pool."""
        pair = self.pair(symbol)
        out = sim.read(pair, bytes.fromhex(self.data(pair, PAIR, "getReserves")[2:]))
        reserve0, reserve1, _ = decode(["uint112", "uint112", "uint32"], out)
        token_first = self.token(symbol).lower() < self.weth.lower()
        return (reserve0, reserve1) if token_first else (reserve1, reserve0)

    def sell(self, sim, symbol: str, amount: int, seller: str = BUYER, fee_on_transfer=False):
        token = self.token(symbol)
        assert self.do(sim, seller, token, "ERC20", "approve", self.router, amount).success
        before = sim.native_balance(seller)
        swap = ("swapExactTokensForETHSupportingFeeOnTransferTokens" if fee_on_transfer
                else "swapExactTokensForETH")
        out = self.do(sim, seller, self.router, ROUTER, swap,
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
    sources = ({e.source for e in ZOO.values()} | {"zoo/ProxyImplBenign", "zoo/ProxyImplRug"}
               | set(HELPERS.values()))
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
    for role in (PROXY_BENIGN, PROXY_RUG, *HELPERS):
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
            fee = SELL_FEE_PERCENT.get(symbol, 0)
            got = zoo.buy(sim, symbol)
            out = zoo.sell(sim, symbol, got, fee_on_transfer=bool(fee))
            assert out.success, (symbol, out.revert_reason)
            # only the pool's 0.3% fee, twice, and the token's own disclosed fee
            assert out.eth_received > ETH // 10 * (100 - fee) // 100 * 98 // 100
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
    ("ZBOTS", "zoo/Bots", "addBots", ([BUYER],), "bot"),
    ("ZVETO", "zoo/SwapGuard", "setSwapGuard", (True,), "swap guarded"),
])
def test_owner_switches_selling_off(zoo, symbol, source, fn, args, reason):
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
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


def storage_words(zoo, token: str, slots: int = 16) -> list[bytes]:
    return [bytes(zoo.w3.eth.get_storage_at(token, slot)) for slot in range(slots)]


def test_self_mint_grows_the_owner_balance_silently(zoo):
    token = zoo.token("ZSELFMINT")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        supply = zoo.uint(sim, token, "ERC20", "totalSupply")
        before = zoo.balance(sim, "ZSELFMINT", zoo.operator)
        assert not zoo.do(sim, STRANGER, token, "zoo/SelfMint", "airdropReserve", TOKEN).success
        out = zoo.do(sim, zoo.operator, token, "zoo/SelfMint", "airdropReserve", 10**9 * TOKEN)
        assert out.success and out.logs == []  # no Transfer, no event of any kind
        assert zoo.balance(sim, "ZSELFMINT", zoo.operator) - before == 10**9 * TOKEN
        assert zoo.uint(sim, token, "ERC20", "totalSupply") == supply
        # and the tokens from nowhere are real: they sell into the pool for its WETH
        out = zoo.sell(sim, "ZSELFMINT", 10**9 * TOKEN, seller=zoo.operator)
        assert out.success and out.eth_received > 19 * ETH


def test_packed_tax_wallet_raises_the_tax_after_renouncing(zoo):
    token = zoo.token("ZPACKED")
    ops = bytes.fromhex(OPS[2:])
    words = storage_words(zoo, token)
    # the tax wallet sits at byte offset 8 of one slot (big-endian bytes 4..24), never low
    assert [w[4:24] for w in words].count(ops) == 1
    assert all(w[12:] != ops for w in words)
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER, OPS)
        assert zoo.address_of(sim, token, "zoo/PackedTax", "owner") == ZERO
        got = zoo.buy(sim, "ZPACKED")
        assert zoo.sell(sim, "ZPACKED", got // 2).success  # 0% at first
        for outsider in (STRANGER, zoo.operator):  # the deployer has no power left
            assert not zoo.do(sim, outsider, token, "zoo/PackedTax", "updateSwapRate", 100).success
        assert not zoo.do(sim, OPS, token, "zoo/PackedTax", "updateSwapRate", 101).success
        assert zoo.do(sim, OPS, token, "zoo/PackedTax", "updateSwapRate", 100).success
        assert not zoo.sell(sim, "ZPACKED", got // 4).success
        pair_before = zoo.balance(sim, "ZPACKED", zoo.pair("ZPACKED"))
        rest = zoo.balance(sim, "ZPACKED", BUYER)
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", zoo.pair("ZPACKED"), rest).success
        assert zoo.balance(sim, "ZPACKED", zoo.pair("ZPACKED")) == pair_before
        assert zoo.balance(sim, "ZPACKED", OPS) == rest
    assert storage_words(zoo, token) == words  # the throwaway left the chain as it was


def test_immutable_operator_mints_after_renouncing(zoo):
    token = zoo.token("ZIMMUT")
    ops = bytes.fromhex(OPS[2:])
    assert ops in zoo.w3.eth.get_code(token)  # in the runtime code...
    assert all(ops not in w for w in storage_words(zoo, token))  # ...and in no slot
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER, OPS)
        assert zoo.address_of(sim, token, "zoo/ImmutableOps", "owner") == ZERO
        supply = zoo.uint(sim, token, "ERC20", "totalSupply")
        for outsider in (STRANGER, zoo.operator):
            assert not zoo.do(sim, outsider, token, "zoo/ImmutableOps", "syncRewards", outsider,
                              TOKEN).success
        assert zoo.do(sim, OPS, token, "zoo/ImmutableOps", "syncRewards", STRANGER,
                      10**9 * TOKEN).success
        assert zoo.uint(sim, token, "ERC20", "totalSupply") == supply + 10**9 * TOKEN
        assert zoo.balance(sim, "ZIMMUT", STRANGER) == 10**9 * TOKEN


def test_bots_cannot_sell_but_others_can(zoo):
    token = zoo.token("ZBOTS")
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZBOTS")
        other = zoo.buy(sim, "ZBOTS", buyer=STRANGER)
        assert zoo.do(sim, zoo.operator, token, "zoo/Bots", "addBots", [BUYER]).success
        assert not zoo.sell(sim, "ZBOTS", got).success
        assert not zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, 1).success
        assert zoo.sell(sim, "ZBOTS", other, seller=STRANGER).success
        assert zoo.do(sim, zoo.operator, token, "zoo/Bots", "delBots", [BUYER]).success
        assert zoo.sell(sim, "ZBOTS", got).success


def test_swap_guard_lets_buys_and_the_owner_through(zoo):
    token = zoo.token("ZVETO")
    with throwaway(zoo.w3, zoo.chain) as sim:
        assert zoo.do(sim, zoo.operator, token, "zoo/SwapGuard", "setSwapGuard", True).success
        got = zoo.buy(sim, "ZVETO")  # buys still work
        assert not zoo.sell(sim, "ZVETO", got).success
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, got // 2).success
        taken = zoo.buy(sim, "ZVETO", buyer=zoo.operator)
        assert zoo.sell(sim, "ZVETO", taken, seller=zoo.operator).success  # the owner sells


def test_bridge_owner_freezes_every_transfer_by_swapping_the_bridge(zoo):
    token = zoo.token("ZBRIDGE")
    noop = zoo.chain.contracts[BRIDGE_NOOP]
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        assert zoo.address_of(sim, token, "zoo/BridgeHook", "bridge") == noop
        got = zoo.buy(sim, "ZBRIDGE")
        assert zoo.sell(sim, "ZBRIDGE", got // 2).success
        # any contract without a working beforeTransfer (here the plain token) freezes it all
        frozen = zoo.token("ZPLAIN")
        assert not zoo.do(sim, STRANGER, token, "zoo/BridgeHook", "initBridge", frozen).success
        assert zoo.do(sim, zoo.operator, token, "zoo/BridgeHook", "initBridge", frozen).success
        assert not zoo.sell(sim, "ZBRIDGE", got // 4).success
        assert not zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, 1).success
        assert not zoo.do(sim, zoo.operator, token, "ERC20", "transfer", STRANGER, 1).success
        assert zoo.do(sim, zoo.operator, token, "zoo/BridgeHook", "initBridge", noop).success
        assert zoo.sell(sim, "ZBRIDGE", got // 4).success


def test_helper_guard_owner_blocks_a_seller(zoo):
    token, guard = zoo.token("ZHELPER"), zoo.chain.contracts[SELL_GUARD]
    names = {item.get("name") for item in load_abi("zoo/GuardedSell")}
    assert "owner" not in names  # the token itself has no owner and no setter
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        assert zoo.address_of(sim, guard, "zoo/SellGuard", "owner") == zoo.operator
        got = zoo.buy(sim, "ZHELPER")
        other = zoo.buy(sim, "ZHELPER", buyer=STRANGER)
        assert zoo.sell(sim, "ZHELPER", got // 2).success
        assert not zoo.do(sim, STRANGER, guard, "zoo/SellGuard", "setFlag", BUYER, True).success
        assert zoo.do(sim, zoo.operator, guard, "zoo/SellGuard", "setFlag", BUYER, True).success
        out = zoo.sell(sim, "ZHELPER", got // 4)
        assert not out.success and "sell refused" in out.revert_reason
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, 1).success  # not a sell
        assert zoo.sell(sim, "ZHELPER", other, seller=STRANGER).success


def test_owner_moves_a_holders_tokens_without_allowance(zoo):
    token = zoo.token("ZTAKE")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        got = zoo.buy(sim, "ZTAKE")
        assert zoo.uint(sim, token, "ERC20", "allowance", BUYER, zoo.operator) == 0
        assert not zoo.do(sim, STRANGER, token, "ERC20", "transferFrom", BUYER, STRANGER,
                          got).success
        before = zoo.balance(sim, "ZTAKE", zoo.operator)
        assert zoo.do(sim, zoo.operator, token, "ERC20", "transferFrom", BUYER, zoo.operator,
                      got).success
        assert zoo.balance(sim, "ZTAKE", BUYER) == 0
        assert zoo.balance(sim, "ZTAKE", zoo.operator) - before == got


def test_owner_drains_the_pool_without_trading(zoo):
    token = zoo.token("ZDRAIN")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        tokens, weth = zoo.token_reserve(sim, "ZDRAIN")
        taken = tokens // 2
        assert not zoo.do(sim, STRANGER, token, "zoo/PoolDrain", "rebalanceLiquidity",
                          taken).success
        before = zoo.balance(sim, "ZDRAIN", zoo.operator)
        assert zoo.do(sim, zoo.operator, token, "zoo/PoolDrain", "rebalanceLiquidity",
                      taken).success
        assert zoo.token_reserve(sim, "ZDRAIN") == (tokens - taken, weth)
        assert zoo.balance(sim, "ZDRAIN", zoo.operator) - before == taken
        # the taken tokens sell for half the pool's WETH
        out = zoo.sell(sim, "ZDRAIN", taken, seller=zoo.operator)
        assert out.success and out.eth_received > weth * 45 // 100


def test_capped_fee_goes_to_the_treasury_and_stays_capped(zoo):
    token = zoo.token("ZCAPFEE")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, STRANGER)
        got = zoo.buy(sim, "ZCAPFEE")  # buys pay nothing
        pair = zoo.pair("ZCAPFEE")
        pair_before = zoo.balance(sim, "ZCAPFEE", pair)
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", pair, got // 2).success
        assert zoo.balance(sim, "ZCAPFEE", TREASURY) == got // 2 * 2 // 100
        assert zoo.balance(sim, "ZCAPFEE", pair) - pair_before == got // 2 - got // 2 * 2 // 100
        assert not zoo.do(sim, STRANGER, token, "zoo/CappedFee", "setFee", 1).success
        out = zoo.do(sim, zoo.operator, token, "zoo/CappedFee", "setFee", 6)
        assert not out.success and "fee above 5%" in out.revert_reason
        assert zoo.do(sim, zoo.operator, token, "zoo/CappedFee", "setFee", 5).success


def test_fixed_hook_only_counts_transfers(zoo):
    token, counter = zoo.token("ZHOOKED"), zoo.chain.contracts[TRANSFER_COUNTER]
    assert "owner" not in {item.get("name") for item in load_abi("zoo/Hooked")}
    assert {item.get("name") for item in load_abi("zoo/TransferCounter")
            if item["type"] == "function"} == {"onTransfer", "transfersSeen"}
    with throwaway(zoo.w3, zoo.chain) as sim:
        seen = zoo.uint(sim, counter, "zoo/TransferCounter", "transfersSeen", token)
        got = zoo.buy(sim, "ZHOOKED")
        assert zoo.sell(sim, "ZHOOKED", got).success
        # one transfer out of the pool on the buy, one into it on the sell
        assert zoo.uint(sim, counter, "zoo/TransferCounter", "transfersSeen", token) == seen + 2


def test_appointed_keeper_freezes_a_holder_the_owner_cannot(zoo):
    token = zoo.token("ZADMIN")
    keeper = Web3.to_checksum_address("0x00000000000000000000000000000000000b0b03")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, keeper)
        got = zoo.buy(sim, "ZADMIN")
        other = zoo.buy(sim, "ZADMIN", buyer=STRANGER)
        # the owner holds no freeze itself, and only the owner appoints
        assert not zoo.do(sim, zoo.operator, token, "zoo/KeeperFreeze", "freezeWallet",
                          BUYER).success
        assert not zoo.do(sim, keeper, token, "zoo/KeeperFreeze", "appointKeeper",
                          keeper).success
        assert zoo.do(sim, zoo.operator, token, "zoo/KeeperFreeze", "appointKeeper",
                      keeper).success
        assert zoo.do(sim, keeper, token, "zoo/KeeperFreeze", "freezeWallet", BUYER).success
        out = zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, 1)
        assert not out.success and "wallet frozen" in out.revert_reason
        assert not zoo.sell(sim, "ZADMIN", got).success
        assert zoo.balance(sim, "ZADMIN", BUYER) == got
        assert zoo.do(sim, STRANGER, token, "ERC20", "transfer", BUYER, 1).success
        assert zoo.sell(sim, "ZADMIN", other - 1, seller=STRANGER).success


def test_holders_cannot_approve_so_cannot_sell(zoo):
    token = zoo.token("ZNOAPPROVE")
    with throwaway(zoo.w3, zoo.chain) as sim:
        got = zoo.buy(sim, "ZNOAPPROVE")
        out = zoo.do(sim, BUYER, token, "ERC20", "approve", zoo.router, got)
        assert not out.success and "approve not allowed" in out.revert_reason
        assert zoo.uint(sim, token, "ERC20", "allowance", BUYER, zoo.router) == 0
        swap = zoo.do(sim, BUYER, zoo.router, ROUTER, "swapExactTokensForETH", got // 2, 0,
                      [token, zoo.weth], BUYER, 2**40)
        assert not swap.success
        assert zoo.balance(sim, "ZNOAPPROVE", BUYER) == got
        assert zoo.do(sim, BUYER, token, "ERC20", "transfer", STRANGER, got // 2).success
        assert zoo.balance(sim, "ZNOAPPROVE", STRANGER) == got // 2
        # the owner, exempt, still sells through the router
        taken = zoo.buy(sim, "ZNOAPPROVE", buyer=zoo.operator)
        assert zoo.sell(sim, "ZNOAPPROVE", taken, seller=zoo.operator).success


def test_release_address_transfers_mint(zoo):
    token = zoo.token("ZRELEASE")
    with throwaway(zoo.w3, zoo.chain) as sim:
        zoo.fund(sim, RELEASE, STRANGER)
        assert zoo.address_of(sim, token, "zoo/ReleaseMint", "owner") == ZERO
        supply = zoo.uint(sim, token, "ERC20", "totalSupply")
        release_before = zoo.balance(sim, "ZRELEASE", RELEASE)
        assert not zoo.do(sim, STRANGER, token, "ERC20", "transfer", BUYER, TOKEN).success
        out = zoo.do(sim, RELEASE, token, "ERC20", "transfer", STRANGER, 10**9 * TOKEN)
        assert out.success and [log.topics[0] for log in out.logs] == [TRANSFER_TOPIC]
        assert zoo.balance(sim, "ZRELEASE", STRANGER) == 10**9 * TOKEN
        assert zoo.balance(sim, "ZRELEASE", RELEASE) == release_before
        assert zoo.uint(sim, token, "ERC20", "totalSupply") == supply
        # and the tokens from nowhere sell into the pool for its WETH
        out = zoo.sell(sim, "ZRELEASE", 10**9 * TOKEN, seller=STRANGER)
        assert out.success and out.eth_received > 19 * ETH
