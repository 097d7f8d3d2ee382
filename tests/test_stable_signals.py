"""Stablecoin signals: peg readings from feeds and pools' time-weighted prices on the sandbox
chains (moved by the sandbox operator through `steward.sandbox.market`), failing closed on stale
or conflicting data; the debounce; and the relative risk score."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from fractions import Fraction

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.chains.embedded import close_all
from steward.contracts import abi
from steward.errors import StewardError
from steward.protocols import erc20, oracle
from steward.protocols.pricing import PricingSettings
from steward.sandbox import SandboxBuilder, market
from steward.standing.facts import load_facts
from steward.standing.risk import held_below, issuer_powers, risk_score
from steward.standing.signals import PegReading, chain_now, read_peg

from conftest import steward_home_at

L1, L2 = "sandbox-l1", "sandbox-l2"
USD6 = 10**6
WINDOW = 31 * 60  # past pricing's 30-minute TWAP window


def sandbox_chains():
    config = load_config()
    return [config.chain(L1), config.chain(L2)]


def advance(seconds: int, refresh: bool = True) -> None:
    for chain in sandbox_chains():
        market.advance_time(chain, seconds)
        if refresh:
            market.refresh_feeds(chain)


def by_kind(reading: PegReading, kind: str, chain: str | None = None):
    return [s for s in reading.sources if s.kind == kind and chain in (None, s.chain)]


def near(value: Fraction | None, expected: str, tolerance: str = "0.0005") -> bool:
    return value is not None and abs(value - Fraction(expected)) <= Fraction(tolerance)


@pytest.fixture(autouse=True)
def fresh_observations():
    oracle.forget()  # an observation block cached for another copy of the sandbox is not ours
    yield


@pytest.fixture(scope="module")
def pressured_template(embedded_template, tmp_path_factory):
    """The sandbox after sustained selling of USDT on both chains' pools down to $0.98 (the
    feeds still say $1.00): built once for the tests that read a depeg."""
    path = tmp_path_factory.mktemp("pressured") / "home"
    shutil.copytree(embedded_template, path)
    with steward_home_at(path):
        for chain in sandbox_chains():
            notes = market.push_pool_price(chain, "USDT", "0.98")
            # the V3 position spans $0.995–1.005: sold out before $0.98, it stops at its edge
            assert len(notes) == 1 and "liquidity ends at 0.99" in notes[0]
    return path


@pytest.fixture
def pressured_world(pressured_template, steward_home):
    shutil.copytree(pressured_template, steward_home)
    return steward_home


def v3_usdt_pool(chain) -> tuple[Fraction, int]:
    """USDC per USDT at the V3 pool's current price (slot0), and the USDC the pool holds."""
    w3 = chains.connect(chain)
    factory = w3.eth.contract(address=chain.contracts["uniswap-v3:factory"],
                              abi=abi("uniswap/UniswapV3Factory"))
    pool = w3.eth.contract(address=factory.functions.getPool(
        chain.tokens["USDT"], chain.tokens["USDC"], 500).call(),
        abi=abi("uniswap/UniswapV3Pool"))
    price = Fraction(pool.functions.slot0().call()[0] ** 2, 2**192)  # token1 per token0
    usdt_first = pool.functions.token0().call() == chain.tokens["USDT"]
    return (price if usdt_first else 1 / price,
            erc20.balance_of(w3, chain.tokens["USDC"], pool.address))


# ------------------------------------------------------------------------------- readings


def test_signals_fresh_sandbox_reads_par_and_twaps_after_a_window(embedded_world):
    fresh = read_peg("USDT", sandbox_chains())
    assert fresh.problem is None and fresh.price == 1  # the feeds alone: no pool history yet
    assert all(s.usd is None and "history" in s.problem for s in by_kind(fresh, "twap"))
    stamp = market.advance_time(sandbox_chains()[0], WINDOW)
    # the moved clock is durable: a new process (a closed and reopened chain) sees it
    chains.end_all_sessions()
    close_all()
    chains.forget_connections()
    assert chains.connect(sandbox_chains()[0]).eth.get_block("latest")["timestamp"] == stamp
    market.refresh_feeds(sandbox_chains()[0])
    market.advance_time(sandbox_chains()[1], WINDOW)
    market.refresh_feeds(sandbox_chains()[1])
    reading = read_peg("USDT", sandbox_chains())
    assert reading.problem is None and near(reading.price, "1", "0.001")
    assert reading.at == chain_now(sandbox_chains()) >= stamp
    twaps = by_kind(reading, "twap")
    assert len(twaps) == 2 and all(s.problem is None and near(s.usd, "1", "0.001") for s in twaps)
    assert all(s.updated_at and reading.at - s.updated_at < 300 for s in by_kind(reading, "feed"))
    assert reading.depth_usd >= 2 * 1_400_000 * USD6
    # pools thinner than the settings allow are left out, with the reason; the feeds decide
    thin = read_peg("USDT", sandbox_chains(), settings=PricingSettings(min_depth_usd=10**8))
    assert all(s.usd is None and s.problem.startswith("thin") for s in by_kind(thin, "twap"))
    assert thin.problem is None and thin.price == 1
    # USDC's own peg is its feeds'; its pool is priced in USDT: shown, never counted
    usdc = read_peg("USDC", sandbox_chains())
    assert usdc.price == 1 and all("cross-check" in s.problem for s in by_kind(usdc, "twap"))


def test_signals_sustained_pressure_reads_the_depeg(pressured_world):
    for chain in sandbox_chains():
        spot = [s for s in by_kind(read_peg("USDT", [chain]), "spot")][0]
        assert near(spot.usd, "0.98", "0.0001") and "uniswap-v2" in spot.label
        v3_price, v3_usdc = v3_usdt_pool(chain)  # sold out at the edge of its range
        assert Fraction("0.994") <= v3_price < Fraction("0.995") and v3_usdc < USD6
        market.set_feed(chain, "USDT", "0.98")
    advance(WINDOW, refresh=False)
    reading = read_peg("USDT", sandbox_chains())
    assert reading.problem is None and near(reading.price, "0.98")
    assert [near(s.usd, "0.98") for s in by_kind(reading, "twap")] == [True, True]


def test_signals_feed_and_pool_twaps_disagree_fail_closed(pressured_world):
    advance(WINDOW)  # the feeds keep saying $1.00 while the pools traded at $0.98 for 31 min
    reading = read_peg("USDT", sandbox_chains())
    assert reading.price is None and reading.problem.startswith("conflicting")
    assert "25 bps deviation band" in reading.problem
    # within the feed's band plus the buffer (50 bps) the same disagreement is normal
    for chain in sandbox_chains():
        assert market.push_pool_price(chain, "USDT", "0.997") == []
        assert near(v3_usdt_pool(chain)[0], "0.997", "0.00001")  # V2 and V3 agree
    advance(WINDOW)
    calm = read_peg("USDT", sandbox_chains())
    assert calm.problem is None and near(calm.price, "0.9985", "0.0003")  # the median


def test_signals_one_block_donation_moves_only_the_spot_price(embedded_world):
    advance(WINDOW)
    before = read_peg("USDT", sandbox_chains())
    l1 = sandbox_chains()[0]
    w3 = chains.connect(l1)
    factory = w3.eth.contract(address=l1.contracts["uniswap-v2:factory"],
                              abi=abi("uniswap/UniswapV2Factory"))
    pair = factory.functions.getPair(l1.tokens["USDT"], l1.tokens["USDC"]).call()
    builder = SandboxBuilder()
    # an attacker gives the pair 150,000 USDC and syncs its reserves: USDT's spot jumps 10 %
    builder.call(l1, l1.tokens["USDC"], "ERC20", "mint", pair, 150_000 * USD6)
    builder.call(l1, pair, "uniswap/UniswapV2Pair", "sync")
    after = read_peg("USDT", sandbox_chains())
    spot = by_kind(after, "spot", L1)[0]
    assert "uniswap-v2" in spot.label and near(spot.usd, "1.0997", "0.001")
    assert after.problem is None and abs(after.price - before.price) < Fraction(1, 10_000)
    assert near(by_kind(after, "twap", L1)[0].usd, "0.9997", "0.0002")
    # one large swap in the latest block is the same: the spot moves, the TWAP does not
    market.push_pool_price(l1, "USDT", "0.90")
    swapped = read_peg("USDT", sandbox_chains())
    assert near(by_kind(swapped, "spot", L1)[0].usd, "0.90", "0.0001")
    assert swapped.problem is None and abs(swapped.price - before.price) < Fraction(1, 1000)


def test_signals_stale_or_lying_feed_fails_closed(embedded_world):
    l1 = sandbox_chains()[0]
    with pytest.raises(StewardError, match="positive"):
        market.advance_time(l1, 0)
    advance(24 * 3600 + 600, refresh=False)  # past the feeds' one-day heartbeat, no new round
    reading = read_peg("USDT", sandbox_chains())
    assert reading.price is None and reading.problem.startswith("stale")
    # (how long ago depends on how long the machine took since the last round: about a day)
    assert "sandbox-l1 USDT/USD feed" in reading.problem
    assert re.search(r"updated 24\.\d h ago", reading.problem), reading.problem
    # the pools still have time-weighted prices; a stale feed fails closed all the same
    assert all(s.usd is not None for s in by_kind(reading, "twap"))
    assert risk_score(reading, load_facts(), {}, date(2026, 1, 1)).problem == reading.problem
    advance(60)  # fresh answers again, but one feed now says zero
    assert read_peg("USDT", sandbox_chains()).problem is None
    SandboxBuilder().call(l1, l1.contracts["feed:USDT"], "chainlink/MockV3Aggregator",
                          "updateAnswer", 0)
    lying = read_peg("USDT", sandbox_chains())
    assert lying.price is None and lying.problem.startswith("stale")
    assert "answers 0" in lying.problem


def test_signals_anvil_clock_and_peg(anvil_world):
    before = chain_now(sandbox_chains())
    advance(WINDOW)
    reading = read_peg("USDT", sandbox_chains())
    assert reading.at >= before + WINDOW
    assert reading.problem is None and near(reading.price, "1", "0.001")
    assert [s.problem for s in by_kind(reading, "twap")] == [None, None]
    chain = sandbox_chains()[1]
    holder = "0x000000000000000000000000000000000000bEEF"
    market.fund(chain, holder, "USDT", 5 * USD6)
    assert erc20.balance_of(chains.connect(chain), chain.tokens["USDT"], holder) == 5 * USD6


# ------------------------------------------------------------------------------- debounce


def test_risk_held_below_needs_the_whole_window_below():
    below, duration, now, gap = Fraction("0.99"), 1800, 10_000, 600
    low = Fraction("0.98")
    steady = [(at, low) for at in range(now - 2400, now + 1, 300)]
    assert held_below(steady, below, duration, now, gap)
    assert held_below(list(reversed(steady)), below, duration, now, gap)  # order does not matter
    # the history starts after now - duration: too short to tell
    assert not held_below([(at, low) for at in range(now - 1500, now + 1, 300)], below,
                          duration, now, gap)
    # one observation at or above the threshold inside the window
    assert not held_below([(at, below if at == now - 900 else low) for at, _ in steady], below,
                          duration, now, gap)
    # a reading that failed closed inside the window
    assert not held_below([(at, None if at == now - 600 else low) for at, _ in steady], below,
                          duration, now, gap)
    # a gap bigger than allowed (nothing seen for 15 minutes), or since the last observation
    assert not held_below([(at, p) for at, p in steady if not now - 1500 < at < now - 600],
                          below, duration, now, gap)
    assert not held_below([(at, p) for at, p in steady if at <= now - 900], below, duration,
                          now, gap)
    # an observation above before the window does not count; one from the future is ignored
    assert held_below([(now - 3000, Fraction(1))] + steady + [(now + 60, Fraction(1))], below,
                      duration, now, gap)
    assert not held_below([], below, duration, now, gap)


# ------------------------------------------------------------------------------- risk score


def reading_at(symbol: str, price: str | None, depth_usd: int = 3_000_000,
               problem: str | None = None) -> PegReading:
    return PegReading(symbol=symbol, at=0, price=None if price is None else Fraction(price),
                      sources=(), problem=problem, depth_usd=depth_usd * USD6)


def test_risk_usdt_scores_above_usdc_on_a_calm_sandbox(embedded_world):
    advance(WINDOW)
    facts = load_facts()
    today = facts.get("USDT").rating_date + timedelta(days=30)
    l1 = sandbox_chains()[0]
    scores = {}
    for symbol in ("USDC", "USDT"):
        reading = read_peg(symbol, sandbox_chains())
        scores[symbol] = risk_score(reading, facts, issuer_powers(symbol, l1), today)
    usdc, usdt = scores["USDC"], scores["USDT"]
    assert usdt.score > usdc.score and usdt.problem is None
    assert (usdt.parts["rating"], usdc.parts["rating"]) == (20, 5)
    assert usdt.parts["issuer powers"] == 5 and "mint" in usdt.reasons[2]  # the operator mints
    assert usdt.parts["peg"] == 0 and usdt.parts["liquidity"] == 0
    # the scam zoo's blacklisting token: due diligence finds the power
    assert issuer_powers("ZBLACK", l1)["is_blacklisted"] is True
    # a depeg and thin pools add up, to at most their parts' maxima
    worst = risk_score(reading_at("USDT", "0.9"), facts, {"is_mintable": True, "is_proxy": True,
                       "is_blacklisted": True, "transfer_pausable": True,
                       "owner_change_balance": True}, today)
    assert worst.parts == {"peg": 40, "liquidity": 0, "issuer powers": 20, "rating": 20}
    assert risk_score(reading_at("USDT", "0.99", depth_usd=100_000), facts, {},
                      today).parts["liquidity"] == 14
    unknown = risk_score(reading_at("USDT", None, problem="stale: x"), facts, {}, today)
    assert unknown.parts["peg"] == 40 and unknown.problem == "stale: x"


def test_risk_stale_rating_in_the_owners_file_counts_as_unknown(steward_home):
    steward_home.mkdir(parents=True, exist_ok=True)
    (steward_home / "stablecoins.toml").write_text(
        'max_rating_age_days = 365\n\n[USDT]\nrating = 2\nrating_date = 2020-01-01\n'
        'rating_scale = "1 (very strong) to 5 (weak)"\n\n[USDC]\nrating = 2\n'
        'rating_date = 2025-06-01\n')
    facts = load_facts()
    assert facts.source == str(steward_home / "stablecoins.toml")
    today = date(2025, 12, 1)
    stale = risk_score(reading_at("USDT", "1"), facts, {}, today)
    assert stale.parts["rating"] == 10 and stale.score == 10
    assert "older than the 365 days trusted" in stale.reasons[3]
    assert "2161 days old" in stale.reasons[3]
    fresh = risk_score(reading_at("USDC", "1"), facts, {}, today)
    assert fresh.parts["rating"] == 5 and "rated 2" in fresh.reasons[3]
    missing = risk_score(reading_at("DAI", "1"), facts, {}, today)
    assert missing.parts["rating"] == 10 and "holds no rating" in missing.reasons[3]


def test_market_v2_swap_amount_lands_exactly_on_the_price():
    reserves = (1_500_500 * USD6, 1_500_000 * USD6)  # USDT, USDC
    for target in (Fraction("0.98"), Fraction("1.02")):
        selling, amount = market.v2_swap_to_price(*reserves, target)
        assert selling == (target < Fraction(reserves[1], reserves[0]))

        def price_after(a):
            if selling:
                out = market._v2_out(a, *reserves)
                return Fraction(reserves[1] - out, reserves[0] + a)
            out = market._v2_out(a, reserves[1], reserves[0])
            return Fraction(reserves[1] + a, reserves[0] - out)

        reached = (lambda p: p <= target) if selling else (lambda p: p >= target)
        assert reached(price_after(amount)) and not reached(price_after(amount - 1))
