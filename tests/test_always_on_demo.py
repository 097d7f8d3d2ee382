"""`steward orders demo --json`: the always-on demo end to end in a real process on the embedded
sandbox. Every assertion is checked against the chain, the store or the proposal queue, not only
against what the demo says about itself."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.guard.mandate import default_mandate, load_mandate, mandate_path
from steward.proposals import get_proposal
from steward.protocols import erc20
from steward.standing.store import Store
from steward.units import to_base_units
from steward.wallets import WalletStore

from conftest import run_cli

USD6 = 10**6
CAP = 300 * USD6
STEP = 100 * USD6


def _usdt_balance() -> int:
    chain = load_config().chain("sandbox-l1")
    try:
        return erc20.balance_of(chains.connect(chain), chain.tokens["USDT"],
                                WalletStore().get("main").address)
    finally:
        chains.end_all_sessions()


@pytest.mark.slow  # about 40 s: some 20 worker ticks and the market's swaps on simulated time
def test_always_on_demo_json_acts_within_the_cap_and_alerts_on_a_stale_feed(embedded_world):
    usdt_before = _usdt_balance()
    mandate_text = mandate_path("main").read_text()
    result = run_cli("orders", "demo", "--json", home=embedded_world, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout)

    risk = [d for d in facts["decisions"] if d["order_id"] == "usdt-depeg"]
    acted = [d for d in risk if d["outcome"] == "acted"]
    assert acted, [(d["outcome"], d["reason"]) for d in risk]
    # Within the rule's bounds: each step at most $100, the day at most $300.
    steps = [d["numbers"]["usd"] for d in acted]
    assert all(0 < usd <= STEP for usd in steps)
    assert sum(steps) == facts["moved"]["usd_micros"] <= CAP
    assert facts["daily_cap"]["held"]
    # The chain agrees: USDT left the wallet by exactly what the actions moved.
    moved = sum(to_base_units(d["numbers"]["move"], 6) for d in acted)
    assert moved == facts["moved"]["usdt_base_units"] > 0
    assert usdt_before - _usdt_balance() == moved
    assert facts["balances"]["USDT"]["change"] == -moved
    # The USDC that came back is what ~0.98 a USDT pays, within the order's 1 % slippage.
    gained = facts["balances"]["USDC"]["change"]
    assert moved * Fraction(98, 100) * Fraction(99, 100) <= gained <= moved

    # The store agrees, and every action went through the queue unattended under the default
    # mandate (the demo loosened nothing; no person was asked).
    assert mandate_path("main").read_text() == mandate_text
    assert load_mandate("main").confirm.above_usd == default_mandate("main").confirm.above_usd
    stored = Store().decisions("main", outcomes=("acted",), order_id="usdt-depeg", limit=1000)
    assert sorted(d.proposal_id for d in stored) == sorted(d["proposal_id"] for d in acted)
    for decision in acted:
        proposal = get_proposal(decision["proposal_id"])
        assert proposal.status == "executed"
        assert [step.decision for step in proposal.steps] == ["allow"]

    # A feed saying $0.98 alone is not enough: the pools' TWAPs had to agree first (readings
    # failed closed meanwhile), and the rule then waited its 30 minutes.
    detection, first = facts["detection"], facts["first_action"]
    assert detection["failed_closed_before"] >= 1
    assert "conflicting" in detection["failed_closed_reasons"]
    assert detection["price"] < 0.99
    assert first["minutes_after_detection"] >= 30
    assert not [d for d in risk if d["outcome"] == "acted"
                and d["at"] < detection["at"] + 30 * 60]

    # The stale feed: an alert, and nothing acted in that tick.
    stale = [d for d in facts["decisions"] if d["phase"] == "stale feed"]
    assert any(d["outcome"] == "alert" and "stale" in d["reason"] for d in stale)
    assert "stale" in facts["stale_alert"]["reason"]
    assert not [d for d in stale if d["outcome"] == "acted"]
    assert "USDT peg" in facts["peg_chart"]
