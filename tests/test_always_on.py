"""Always on: standing orders kept by the worker on simulated time, on the embedded chains and on
anvil. The market moves on the real sandbox pools and feeds (`steward.sandbox.market`); the worker
acts only through the proposal queue, the guard and the executor; every assertion is on balances,
decisions, proposals or the journal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.guard.mandate import mandate_path
from steward.journal import Journal
from steward.proposals import approve_proposal, get_proposal, list_proposals
from steward.protocols import erc20
from steward.sandbox import market
from steward.standing.orders import orders_path
from steward.standing.signals import chain_now
from steward.standing.store import Store
from steward.standing.worker import Worker
from steward.wallets import WalletStore

from conftest import PASSPHRASE, TEST_ENV, run_cli

L1, L2 = "sandbox-l1", "sandbox-l2"
USD6 = 10**6
TICK = 600  # the worker's interval in these scenarios: ten simulated minutes

# Wide enough that the scenarios' actions run unattended; the tests of blocking and waiting
# write their own.
MANDATE = """
[limits]
per_transaction_usd = {per_tx}
daily_usd = 50000
[confirm]
above_usd = {confirm}
first_time_recipients = false
unpriced_assets = true
[allow]
tokens = "any"
recipients = "any"
contracts = "known"
max_slippage_bps = 300
max_approval = "exact"
approvals_to_eoa = false
transfers_to_token_contracts = false
danger_tokens = false
"""

RISK_ORDER = """
[[order]]
id = "usdt-depeg"
kind = "risk"
chain = "sandbox-l1"
token = "USDT"
into = "USDC"
below = 0.99
for = "30m"
max_per_day_usd = 2000
max_step_usd = 1000
slippage_bps = 300
"""


def dca_order(order_id: str, spend: int, every: str = "1d") -> str:
    """A DCA order spending `spend` USDC on ETH on sandbox-l1."""
    return (f'[[order]]\nid = "{order_id}"\nkind = "dca"\nchain = "sandbox-l1"\n'
            f'spend = {spend}\ntoken_in = "USDC"\ntoken_out = "ETH"\nevery = "{every}"\n')


def write_mandate(per_tx: int = 10_000, confirm: int = 10_000) -> None:
    path = mandate_path("main")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MANDATE.format(per_tx=per_tx, confirm=confirm))


def write_orders(text: str) -> None:
    path = orders_path("main")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def chain(name: str):
    return load_config().chain(name)


def balance(symbol: str, name: str = L1) -> int:
    config = chain(name)
    address = WalletStore().get("main").address
    try:
        w3 = chains.connect(config)
        if symbol == "ETH":
            return w3.eth.get_balance(address)
        return erc20.balance_of(w3, config.tokens[symbol], address)
    finally:
        chains.end_all_sessions()


def advance(seconds: int, *, refresh: bool = True) -> None:
    """Simulated time passes on both chains; the feeds keep their heartbeat unless told not."""
    market.advance_sandbox(seconds, refresh=refresh)


def depeg(price: str) -> None:
    """Sustained selling of USDT on both chains' pools, and the feeds reporting it."""
    market.move_peg("USDT", price)


def worker() -> Worker:
    from steward.sandbox import bridge_relayer

    return Worker(["main"], interval=TICK, passphrase=PASSPHRASE, relayer=bridge_relayer)


def outcomes(decisions, order_id: str | None = None) -> list[str]:
    return [d.outcome for d in decisions if order_id in (None, d.order_id)]


def calm_start(w: Worker) -> list:
    """A TWAP window of calm market before anything happens."""
    advance(31 * 60)
    return w.tick()


# ---------------------------------------------------------------- depeg, within bounds


def test_always_on_depeg_acts_after_debounce_within_step_and_daily_cap(world):
    write_mandate()
    write_orders(RISK_ORDER)
    w = worker()
    assert "acted" not in outcomes(calm_start(w))
    usdt_before, usdc_before = balance("USDT"), balance("USDC")
    depeg("0.98")
    started = chain_now([chain(L1), chain(L2)])
    made = []
    for _ in range(14):  # 140 simulated minutes of sustained pressure
        advance(TICK)
        depeg("0.98")
        made += w.tick()
    acted = [d for d in made if d.outcome == "acted"]
    # The daily cap of $2,000 in steps of at most $1,000: exactly two actions, spaced by the
    # debounce window, the first only after the price held below for 30 minutes.
    assert len(acted) == 2, [(d.outcome, d.reason) for d in made]
    assert all(d.numbers["usd"] <= 1000 * USD6 for d in acted)
    assert sum(d.numbers["usd"] for d in acted) <= 2000 * USD6
    assert acted[0].at - started >= 30 * 60
    assert acted[1].at - acted[0].at >= 30 * 60
    moved = sum(erc20_units(d.numbers["move"]) for d in acted)
    assert usdt_before - balance("USDT") == moved
    gained = balance("USDC") - usdc_before
    assert moved * 97 // 100 <= gained <= moved  # sold near 0.98, within the 3 % slippage
    assert any("cap" in d.reason for d in made if d.outcome == "skipped")
    assert Store().spent_on_day("main", "usdt-depeg", acted[-1].at // 86400) == \
        sum(d.numbers["usd"] for d in acted)


def erc20_units(text: str, decimals: int = 6) -> int:
    return int(Decimal(text) * 10**decimals)


def test_always_on_stale_feed_fails_closed_with_an_alert(world):
    write_mandate()
    write_orders(RISK_ORDER)
    w = worker()
    calm_start(w)
    usdt_before = balance("USDT")
    depeg("0.97")
    made = []
    # The feeds stop updating (no heartbeat) while the pools sit below the threshold.
    for _ in range(3):
        advance(9 * 3600, refresh=False)
        depeg_pools_only("0.97")
        made += w.tick()
    assert "acted" not in outcomes(made)
    alerts = [d for d in made if d.outcome == "alert"]
    assert alerts and any("stale" in d.reason for d in alerts)
    assert balance("USDT") == usdt_before
    assert not list_proposals()


def depeg_pools_only(price: str) -> None:
    market.move_peg("USDT", price, feeds=False)


@pytest.mark.slow
def test_always_on_flapping_price_gives_one_action_not_many(embedded_world):
    write_mandate()
    write_orders(RISK_ORDER.replace("max_per_day_usd = 2000", "max_per_day_usd = 5000"))
    w = worker()
    calm_start(w)
    made = []
    depeg("0.985")  # a real dip, held 70 minutes: the pools' 30-min TWAPs catch up with the
    for _ in range(7):  # feeds (until then the sources disagree: no action), then 30 min held
        advance(TICK)
        depeg("0.985")
        made += w.tick()
    dip = [d for d in made if d.outcome == "acted"]
    assert len(dip) == 1, [(d.outcome, d.reason) for d in made]
    flapping = []
    for step in range(16):  # then 160 minutes flapping around the threshold
        price = "0.994" if step % 2 == 0 else "0.986"
        advance(TICK)
        depeg(price)
        flapping += w.tick()
    # The cap ($5,000) would allow four more steps: the flapping earns none (false alarms: 0).
    assert "acted" not in outcomes(flapping), [(d.outcome, d.reason) for d in flapping]


@pytest.mark.slow
def test_always_on_mix_moves_the_excess_in_bounded_steps_with_a_cooldown(embedded_world):
    write_mandate()
    write_orders("""
[[order]]
id = "stable-mix"
kind = "mix"
chain = "sandbox-l1"
tokens = ["USDC", "USDT"]
max_share = { USDT = 0.4 }
band = 0.02
max_step_usd = 500
cooldown = "1h"
""")
    usdt_before = balance("USDT")
    w = worker()
    made = calm_start(w)  # 50 % USDT, above 40 % + 2 points: a first step of $500 into USDC
    for _ in range(6):
        advance(TICK)
        made += w.tick()
    acted = [d for d in made if d.outcome == "acted"]
    assert len(acted) == 2, [(d.outcome, d.reason) for d in made]
    assert acted[1].at - acted[0].at >= 3600
    assert all(d.numbers["usd"] <= 500 * USD6 and d.numbers["into"] == "USDC" for d in acted)
    moved = sum(erc20_units(d.numbers["move"]) for d in acted)
    assert usdt_before - balance("USDT") == moved
    assert any(d.outcome == "skipped" and "between actions" in d.reason for d in made)


# ---------------------------------------------------------------- the mandate still rules


def test_always_on_order_over_the_mandate_is_blocked_and_never_signed(embedded_world):
    write_mandate(per_tx=500, confirm=500)
    write_orders(dca_order("big-dca", 600, "1d"))
    usdc_before = balance("USDC")
    w = worker()
    first = w.tick()
    assert outcomes(first) == ["blocked"]
    assert "per-transaction" in first[0].reason or "limit" in first[0].reason
    assert get_proposal(first[0].proposal_id).status == "denied"
    again = w.tick()  # the same period: no second proposal, no second decision
    assert "blocked" not in outcomes(again)
    assert len(list_proposals()) == 1
    assert balance("USDC") == usdc_before
    assert not [e for e in Journal().entries(limit=100) if e.status == "success"
                and e.sender.lower() == WalletStore().get("main").address.lower()]


def test_always_on_confirm_waits_for_a_person_then_acts_once(embedded_world):
    write_mandate(per_tx=1000, confirm=100)
    write_orders(dca_order("dca-200", 200, "1d"))
    usdc_before = balance("USDC")
    w = worker()
    first = w.tick()
    assert outcomes(first) == ["waiting"]
    proposal_id = first[0].proposal_id
    assert f"steward approve {proposal_id}" in first[0].reason
    # The person approving sees which standing order asks.
    assert get_proposal(proposal_id).request.startswith("standing order dca-200 (steward run)")
    waiting = w.tick()  # still waiting: no second proposal, nothing signed
    assert outcomes(waiting) in ([], ["skipped"]) and "approval" in waiting[0].reason
    assert len(list_proposals()) == 1
    assert balance("USDC") == usdc_before
    approve_proposal(proposal_id, by="owner")
    done = w.tick()  # the approved proposal is signed; the order then sees its period done
    assert outcomes(done) == ["acted", "skipped"] and "already bought" in done[1].reason
    assert usdc_before - balance("USDC") == 200 * USD6
    assert "acted" not in outcomes(w.tick())
    assert usdc_before - balance("USDC") == 200 * USD6


# ---------------------------------------------------------------- a week of DCA and sweeps


@pytest.mark.slow
def test_always_on_a_week_of_dca_and_sweeps_is_exact(embedded_world):
    write_mandate()
    start = chain_now([chain(L1), chain(L2)]) + 60
    stamp = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_orders(f"""
[[order]]
id = "daily-eth"
kind = "dca"
chain = "sandbox-l1"
spend = 50
token_in = "USDC"
token_out = "ETH"
every = "1d"
start = {stamp}

[[order]]
id = "sweep-l2"
kind = "sweep"
token = "USDC"
from_chain = "sandbox-l2"
to_chain = "sandbox-l1"
keep = 9950
every = "1d"
start = {stamp}
""")
    l1_usdc, l2_usdc = balance("USDC", L1), balance("USDC", L2)
    w = worker()
    made = []
    advance(120)
    for tick in range(28):  # every 6 simulated hours for 7 days
        if tick % 4 == 0:
            market.fund(chain(L2), WalletStore().get("main").address, "USDC", 20 * USD6)
        made += w.tick()
        advance(6 * 3600)
    dca = [d for d in made if d.order_id == "daily-eth" and d.outcome == "acted"]
    sweeps = [d for d in made if d.order_id == "sweep-l2" and d.outcome == "acted"]
    assert len(dca) == 7
    # L2 held 10,000: the first sweep takes it to 9,950 plus the day's 20; then 20 a day.
    assert [d.numbers["move"] for d in sweeps] == ["70"] + ["20"] * 6
    assert balance("USDC", L2) == l2_usdc + 7 * 20 * USD6 - 190 * USD6
    assert balance("USDC", L1) == l1_usdc - 7 * 50 * USD6 + 190 * USD6
    assert not [d for d in made if d.outcome in ("failed", "blocked")]


# ---------------------------------------------------------------- real processes


def test_always_on_sigkill_mid_action_never_acts_twice(embedded_world):
    write_mandate()
    write_orders(dca_order("dca-kill", 50, "1d"))
    usdc_before = balance("USDC")
    killed = run_cli("run", "--once", home=embedded_world,
                     env={"STEWARD_FAILPOINT": "after_broadcast"}, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = run_cli("run", "--once", "--json", home=embedded_world, timeout=300)
    assert again.returncode == 0, again.stderr
    third = run_cli("run", "--once", "--json", home=embedded_world, timeout=300)
    assert third.returncode == 0, third.stderr
    assert usdc_before - balance("USDC") == 50 * USD6
    store = Store()
    acted = store.decisions("main", outcomes=("acted",))
    assert len(acted) == 1
    firings = store.firings("main", order_id="dca-kill")
    assert [f.status for f in firings] == ["executed"]
    main = WalletStore().get("main").address.lower()
    rows = [e for e in Journal().entries(limit=1000) if e.sender.lower() == main]
    assert rows and not [e for e in rows if e.status == "pending"]
    assert len([e for e in rows if e.status == "success"]) == len(
        get_proposal(acted[0].proposal_id).steps[0].tx_hashes)


def test_always_on_sigterm_stops_cleanly_after_the_tick(embedded_world):
    write_mandate()
    write_orders(RISK_ORDER)
    env = os.environ | TEST_ENV | {"STEWARD_HOME": str(embedded_world)}
    process = subprocess.Popen([sys.executable, "-m", "steward.cli", "run", "--interval", "1",
                                "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        first = process.stdout.readline()
        assert json.loads(first)["order_id"] == "usdt-depeg"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()


# ---------------------------------------------------------------- alerts and the dry run


class Hook(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802
        Hook.seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_always_on_blocked_order_posts_an_alert_to_the_webhook(embedded_world):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Hook.seen.clear()
    try:
        write_mandate(per_tx=500, confirm=500)
        write_orders(f"""
[alerts]
webhook_url = "http://127.0.0.1:{server.server_port}/hook"

""" + dca_order("too-big", 900))
        worker().tick()
    finally:
        server.shutdown()
    assert [hook["outcome"] for hook in Hook.seen] == ["blocked"]
    assert Hook.seen[0]["order_id"] == "too-big"


def test_always_on_dry_run_says_what_and_why_and_changes_nothing(embedded_world):
    write_mandate(per_tx=1000, confirm=100)
    write_orders(dca_order("dca-dry", 200, "7d"))
    usdc_before = balance("USDC")
    result = run_cli("orders", "dry-run", "--json", home=embedded_world, timeout=300)
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert [d["outcome"] for d in said] == ["dry-run"]
    assert "200 USDC" in said[0]["reason"] and "ask a person" in said[0]["reason"]
    assert said[0]["numbers"]["intent"]["token_out"] == "ETH"
    assert not list_proposals()
    assert Store().decisions("main") == []
    assert balance("USDC") == usdc_before


def test_always_on_a_node_that_goes_down_is_an_alert_and_the_worker_goes_on(embedded_world):
    from steward.chains.config import update_chain

    write_mandate()
    write_orders(RISK_ORDER)
    # sandbox-l2 moves to a node that is not there (a closed localhost port).
    update_chain(L2, rpc_url="http://127.0.0.1:9")
    chains.forget_connections()
    w = Worker(["main"], interval=1, passphrase=PASSPHRASE)
    assert w.run(ticks=2) == 2  # both ticks ran: the first failure did not stop it
    alerts = Store().decisions("*", outcomes=("alert",))
    assert alerts and "the tick failed" in alerts[0].reason
    assert not list_proposals()
