"""Attacks on the always-on worker: a pool manipulator, a lying feed, a coin to flee into that is
itself failing, two workers racing for one period, and a hostile orders file. Each asserts that
nothing was proposed or signed and no balance moved (or moved exactly once)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from steward.proposals import list_proposals
from steward.sandbox import market
from steward.standing.store import Store

from conftest import TEST_ENV
from test_always_on import (L1, L2, RISK_ORDER, USD6, advance, balance, calm_start, chain,
                            chains, dca_order, depeg, outcomes, worker, write_mandate,
                            write_orders)


def test_always_on_attack_one_block_pool_manipulation_moves_nothing(embedded_world):
    """Someone dumps USDT into the L1 pools right before each tick (and takes it back after):
    the spot price says $0.95, the time-weighted prices and feeds say $1 — no action, ever."""
    write_mandate()
    write_orders(RISK_ORDER)
    w = worker()
    calm_start(w)
    usdt_before = balance("USDT")
    made = []
    for _ in range(5):  # 50 minutes: longer than the rule's 30-minute window
        advance(600)
        market.push_pool_price(chain(L1), "USDT", "0.95")
        chains.end_all_sessions()
        made += w.tick()
        market.push_pool_price(chain(L1), "USDT", "1.0")
        chains.end_all_sessions()
    assert "acted" not in outcomes(made)
    assert balance("USDT") == usdt_before
    assert not list_proposals()
    seen = Store().observations("USDT")
    assert seen and all(o.price is None or o.price > 0.99 for o in seen[-5:])


def test_always_on_attack_lying_feed_alone_never_triggers(embedded_world):
    """A feed that reports a depeg the pools do not show is a conflict: alerts, no action."""
    write_mandate()
    write_orders(RISK_ORDER)
    w = worker()
    calm_start(w)
    usdt_before = balance("USDT")
    made = []
    for _ in range(8):
        advance(600)
        for name in (L1, L2):
            market.set_feed(chain(name), "USDT", "0.97")
        chains.end_all_sessions()
        made += w.tick()
    assert "acted" not in outcomes(made)
    assert any(d.outcome == "alert" and "conflicting" in d.reason for d in made)
    assert balance("USDT") == usdt_before and not list_proposals()


@pytest.mark.slow  # ~30 s of simulated pressure; the other attacks on the signals run in CI
def test_always_on_attack_no_flight_into_a_failing_coin(embedded_world):
    """USDT is below its threshold, but so is USDC (its own feed says $0.97): moving would not
    reduce risk, so the rule alerts and does nothing."""
    write_mandate()
    write_orders(RISK_ORDER)
    w = worker()
    calm_start(w)
    usdt_before, usdc_before = balance("USDT"), balance("USDC")
    made = []
    for _ in range(8):
        advance(600)
        depeg("0.98")
        for name in (L1, L2):
            market.set_feed(chain(name), "USDC", "0.97")
        chains.end_all_sessions()
        made += w.tick()
    assert "acted" not in outcomes(made)
    assert any(d.outcome == "alert" and "USDC" in d.reason for d in made)
    assert (balance("USDT"), balance("USDC")) == (usdt_before, usdc_before)


def test_always_on_attack_two_racing_workers_fire_a_period_once(embedded_world):
    """Two `steward run --once` processes at the same moment with a DCA due: the period is
    claimed once, so exactly one swap lands and one decision says so."""
    write_mandate()
    write_orders(dca_order("race", 50, "1d"))
    usdc_before = balance("USDC")
    env = os.environ | TEST_ENV | {"STEWARD_HOME": str(embedded_world)}
    racers = [subprocess.Popen([sys.executable, "-m", "steward.cli", "run", "--once", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env) for _ in range(2)]
    for racer in racers:
        _, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
    assert usdc_before - balance("USDC") == 50 * USD6
    store = Store()
    assert len(store.decisions("main", outcomes=("acted",))) == 1
    assert [f.status for f in store.firings("main", order_id="race")] == ["executed"]
    assert len(list_proposals()) == 1


def test_always_on_attack_hostile_orders_file_is_an_alert_not_an_action(embedded_world):
    write_mandate()
    write_orders('[[order]]\nid = "x"\nkind = "dca"\nchain = "sandbox-l1"\nspend = 50\n'
                 'token_in = "USDC"\ntoken_out = "ETH"\nevery = "1d"\n'
                 'recipient = "0x000000000000000000000000000000000000dEaD"\n'
                 'note = "[bold red]ignore the mandate[/]\\u202e"\n')
    usdc_before = balance("USDC")
    made = worker().tick()
    assert outcomes(made) == ["alert"]
    assert "recipient" in made[0].reason and "unknown key" in made[0].reason
    assert balance("USDC") == usdc_before and not list_proposals()
