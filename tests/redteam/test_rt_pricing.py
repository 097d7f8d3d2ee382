"""Red team, issue 21 class 3: USD limits must not trust one pool's spot price.

An attacker donates WETH to the sandbox's WETH/USDC pair and calls `sync()`: its spot price of
ETH falls about 100-fold, so 2 ETH (worth $6,000, six times the default per-transaction limit)
looked like ~$60 and was allowed. Limits now use a price that one transaction cannot move (the
reference feed, a pool's time-weighted price), cross-checked against the spot price: the skewed
payment is denied at the true price, and when sources disagree or a feed is stale a person must
approve. Nothing is signed in any of these cases.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from steward import chains
from steward.chains.config import config_path, load_config, update_chain
from steward.contacts import resolve_recipient
from steward.execution import Executor
from steward.guard import GuardRefusal, review
from steward.guard.mandate import unrestricted_mandate
from steward.journal import Journal
from steward.planning import Call, Plan
from steward.planning.builders import transfer_plan
from steward.protocols import amm, erc20
from steward.protocols.pricing import PriceSource
from steward.sandbox import SandboxBuilder
from steward.wallets import WalletStore

from conftest import PASSPHRASE

L1 = "sandbox-l1"
ETH = 10**18
USD = 10**6
DONATION = 49_500 * ETH  # the pool holds 500 WETH: its spot price of ETH falls 100-fold
ATTACKER_KEY = Web3.keccak(text="steward red team: pool manipulator")


class Market:
    """The main wallet and an attacker on sandbox-l1."""

    def __init__(self):
        self.chain = load_config().chain(L1)
        self.w3 = chains.connect(self.chain)
        store = WalletStore()
        self.main = store.get("main").address
        self.executor = Executor(store.unlock("main", PASSPHRASE), "main")
        self.attacker = Account.from_key(ATTACKER_KEY)
        self.weth = self.chain.contracts["weth"]
        self.pair = amm.pool(self.w3, self.chain.contracts["uniswap-v2:factory"], self.weth,
                             self.chain.tokens["USDC"]).address

    def attack(self, *calls: Call) -> None:
        """The attacker's own transactions (judged under no limits: it is not our wallet)."""
        plan = Plan(chain=L1, sender=self.attacker.address, calls=list(calls), summary="attack")
        verdict = review(plan, "attacker", mandate=unrestricted_mandate("attacker"))
        Executor(self.attacker, "attacker").execute(plan, verdict)

    def skew_pool(self) -> None:
        builder = SandboxBuilder()
        if self.chain.embedded:
            builder.send(self.chain, Call(to=self.attacker.address, value=DONATION + ETH,
                                          description="fund the attacker"))
        else:
            self.w3.provider.make_request("anvil_setBalance",
                                          [self.attacker.address, hex(DONATION + ETH)])
        enc = erc20.encode
        self.attack(
            Call(to=self.weth, value=DONATION,
                 data=enc(self.w3, self.weth, "uniswap/WETH9", "deposit"), description="wrap"),
            Call(to=self.weth, data=enc(self.w3, self.weth, "ERC20", "transfer", self.pair,
                                        DONATION), description="donate to the pair"),
            Call(to=self.pair, data=enc(self.w3, self.pair, "uniswap/UniswapV2Pair", "sync"),
                 description="sync"),
        )

    def spot_eth_usd(self) -> float:
        usdc = self.chain.tokens["USDC"]
        weth_reserve, usdc_reserve = amm.reserves(self.w3, self.chain.contracts["uniswap-v2:factory"],
                                                  self.weth, usdc)
        return usdc_reserve / USD / (weth_reserve / ETH)

    def eth_payment(self, amount: str) -> Plan:
        return transfer_plan(self.chain, self.main, "ETH", amount, resolve_recipient("alice"))

    def refused(self, plan: Plan, verdict) -> None:
        """Signing is refused, no balance moves and the journal gains no transaction."""
        alice = resolve_recipient("alice").address
        before = (self.w3.eth.get_balance(self.main), self.w3.eth.get_balance(alice),
                  self.w3.eth.get_transaction_count(self.main))
        txs = len([e for e in Journal().entries(limit=10_000) if e.sender == self.main])
        with pytest.raises(GuardRefusal):
            self.executor.execute(plan, verdict)
        assert (self.w3.eth.get_balance(self.main), self.w3.eth.get_balance(alice),
                self.w3.eth.get_transaction_count(self.main)) == before
        assert len([e for e in Journal().entries(limit=10_000) if e.sender == self.main]) == txs


def rules(verdict, decision: str) -> set[str]:
    return {r.rule for r in verdict.reasons if r.decision == decision}


def set_pricing(**settings: int) -> None:
    text = config_path().read_text()
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    config_path().write_text(text + "\n[pricing]\n" + lines)


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def backend(request) -> str:
    """The embedded sandbox and the one on two real anvil nodes."""
    request.getfixturevalue(f"{request.param}_world")
    return request.param


@pytest.fixture
def market(backend) -> Market:
    return Market()


def test_a_skewed_pool_cannot_shrink_a_payment_below_the_limits(market):
    market.skew_pool()
    assert market.spot_eth_usd() < 50  # the pool now says 2 ETH are worth under $100
    plan = market.eth_payment("2")
    verdict = review(plan, "main")  # the wallet's real default mandate ($1,000 per transaction)
    assert verdict.decision == "deny"
    assert "limits.per_transaction_usd" in rules(verdict, "deny")
    assert verdict.usd_outflow >= 6_000 * USD  # counted at the true price, never cheaper
    assert "pricing.untrusted" in rules(verdict, "confirm")
    untrusted = next(r.message for r in verdict.reasons if r.rule == "pricing.untrusted")
    assert "disagree" in untrusted and "reference feed $3,000.00" in untrusted
    market.refused(plan, verdict)


def test_a_skewed_pool_makes_a_small_payment_need_a_person(market):
    market.skew_pool()
    plan = market.eth_payment("0.01")  # $30 at the true price, under every limit
    verdict = review(plan, "main")
    assert verdict.decision == "confirm"
    assert "pricing.untrusted" in rules(verdict, "confirm")
    market.refused(plan, verdict)  # unapproved: nothing is signed


def test_a_person_is_asked_even_when_the_mandate_waives_unpriced_assets(embedded_world):
    market = Market()
    market.skew_pool()
    plan = market.eth_payment("0.01")
    relaxed = unrestricted_mandate("main")  # confirm.unpriced_assets = false, no limits
    verdict = review(plan, "main", mandate=relaxed)
    assert verdict.decision == "confirm"
    assert rules(verdict, "confirm") == {"pricing.untrusted"}


def test_a_stale_feed_leaves_eth_unpriced_and_a_person_must_approve(embedded_world):
    market = Market()
    feed = market.chain.contracts["feed:ETH"]
    stamp = market.w3.eth.get_block("latest")["timestamp"] - 3 * 86_400
    SandboxBuilder().call(market.chain, feed, "chainlink/MockV3Aggregator", "updateRoundData",
                          99, 3_000 * 10**8, stamp, stamp)
    price = PriceSource(market.w3, market.chain).price(None)
    assert price.value is None and price.suspect and "stale" in price.problem
    plan = market.eth_payment("0.01")
    verdict = review(plan, "main")
    assert verdict.decision == "confirm"
    assert "pricing.untrusted" in rules(verdict, "confirm")
    market.refused(plan, verdict)


def test_an_agreeing_feed_and_pool_price_as_before(backend):
    market = Market()
    prices = PriceSource(market.w3, market.chain)
    assert prices.usdc_value(None, 2 * ETH) == 6_000 * USD
    assert prices.usdc_value(market.chain.tokens["USDC"], 5 * USD) == 5 * USD
    verdict = review(market.eth_payment("0.01"), "main")
    assert verdict.usd_outflow == 30 * USD
    assert "pricing.untrusted" not in rules(verdict, "confirm")


def test_without_a_feed_the_time_weighted_price_holds_against_the_skew(backend):
    """No reference feed: the pool's own time-weighted price (over a window that ends before
    the donation) is the trusted price, and the skewed spot price only makes it suspect."""
    market = Market()
    contracts = {k: v for k, v in market.chain.contracts.items() if k != "feed:ETH"}
    update_chain(L1, contracts=contracts)
    set_pricing(twap_window_seconds=1)
    market = Market()
    assert PriceSource(market.w3, market.chain).usdc_value(None, ETH) == 3_000 * USD
    market.skew_pool()
    price = PriceSource(market.w3, market.chain).price(None)
    assert price.value is None and price.suspect and "time-weighted" in price.problem
    plan = market.eth_payment("2")
    verdict = review(plan, "main")
    assert verdict.decision == "deny"
    assert "limits.per_transaction_usd" in rules(verdict, "deny")
    market.refused(plan, verdict)
