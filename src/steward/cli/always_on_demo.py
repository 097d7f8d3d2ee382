"""`steward orders demo`: a USDT depeg handled by the always-on worker, on simulated time.

On the embedded sandbox (built if the home has none, reused if it has one), unattended:

1. wallet "main" gets a standing-orders file (replacing any there): a risk rule (USDT below
   $0.99 for 30 minutes → USDC, at most $300 a day in steps of at most $100, so every step stays
   within the default mandate's $100 confirmation threshold and runs without a person) and a
   daily DCA of 20 USDC into ETH; the wallet's mandate is left as it is;
2. a calm half hour, the worker ticking every 10 simulated minutes;
3. sustained selling of USDT to $0.98 on both chains' pools, the reference feeds following;
   every decision is printed as it happens;
4. a summary from the store and the chain: when the sources first agreed USDT was below the
   threshold, when the first action came, how much moved, the daily cap holding, the wallet's
   USDT and USDC balance changes, and the peg chart;
5. the feeds stop updating for 25 hours: the worker fails closed with a "stale" alert.

Simulated time is the chains' clocks (`sandbox.market.advance_time`); the worker reads it
through `signals.chain_now`, so nothing waits in real time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from fractions import Fraction

from rich.rule import Rule
from rich.table import Table

from steward import chains as chain_registry
from steward import sandbox
from steward.chains.config import load_config
from steward.cli.render import console, err_console, print_json
from steward.display import safe
from steward.sandbox import L1, L2, market
from steward.standing import orders as orders_file
from steward.standing.store import DAY, DecisionRecord, Store
from steward.units import format_units, to_base_units

WALLET = "main"
TICK = 600  # the worker's interval: ten simulated minutes
SETTLE_SECONDS = 31 * 60  # a calm TWAP window before the first tick (the pools' 30-min TWAPs)
CALM_TICKS = 3  # 30, 20 and 10 simulated minutes before the selling starts
PRESSURE_PRICE = "0.98"
PRESSURE_MIN_TICKS = 10  # about 100 simulated minutes of selling...
PRESSURE_MAX_TICKS = 18  # ...and up to 170, until the daily cap has been seen to hold
STALE_SECONDS = 25 * 3600  # past the feeds' 24-hour heartbeat
RISK_ID, DCA_ID = "usdt-depeg", "daily-eth"
BELOW = Fraction(99, 100)
CAP_USD = 300
USD = 10**6
OUTCOME_STYLE = {"acted": "green", "dry-run": "cyan", "skipped": "dim", "waiting": "yellow",
                 "blocked": "red", "failed": "red", "alert": "bold red"}

ORDERS_TOML = f"""\
# Standing orders written by `steward orders demo` for the sandbox wallet "{WALLET}".
# Every action goes through the guard and the wallet's mandate, like a person's request.

# If USDT trades below $0.99 for 30 minutes (feeds and pool TWAPs agreeing), move USDT into
# USDC: at most ${CAP_USD} a day, at most $100 a step (within the default mandate's $100
# confirmation threshold, so each step runs unattended).
[[order]]
id = "{RISK_ID}"
kind = "risk"
chain = "sandbox-l1"
token = "USDT"
into = "USDC"
below = 0.99
for = "30m"
max_per_day_usd = {CAP_USD}
max_step_usd = 100
slippage_bps = 100

# Buy ETH with 20 USDC every day.
[[order]]
id = "{DCA_ID}"
kind = "dca"
chain = "sandbox-l1"
spend = 20
token_in = "USDC"
token_out = "ETH"
every = "1d"
slippage_bps = 100
"""


class Demo:
    def __init__(self, as_json: bool):
        self.quiet = as_json
        self.decisions: list[dict] = []
        self.origin = 0  # when the selling starts (simulated unix time); offsets count from it

    # --- output ----------------------------------------------------------------------------
    def step(self, title: str) -> None:
        if not self.quiet:
            console.print(Rule(f"[bold]{title}"))

    def say(self, text: str) -> None:
        if not self.quiet:
            console.print(text, highlight=False)

    def progress(self, message: str) -> None:
        if not self.quiet:
            err_console.print(f"[dim]•[/] {safe(message)}")

    def offset(self, at: int) -> str:
        minutes = (at - self.origin) / 60
        return f"T{'+' if minutes >= 0 else '−'}{abs(minutes):4.0f} min"

    def record(self, phase: str, made: list[DecisionRecord]) -> None:
        for d in made:
            self.decisions.append({"phase": phase, "at": d.at, "offset_minutes":
                                   round((d.at - self.origin) / 60, 1), "order_id": d.order_id,
                                   "outcome": d.outcome, "reason": d.reason,
                                   "numbers": d.numbers, "proposal_id": d.proposal_id})
            style = OUTCOME_STYLE.get(d.outcome, "")
            self.say(f"[dim]{self.offset(d.at)}[/] [{style}]{d.outcome:>8}[/] "
                     f"[bold]{safe(d.order_id)}[/]: {safe(d.reason)}")


# --- the sandbox market ------------------------------------------------------------------------
def _balances() -> dict[str, int]:
    from steward.accounts.store import acting_address
    from steward.protocols import erc20
    from steward.wallets import WalletStore

    chain = load_config().chain(L1)
    holder = acting_address(WalletStore().get(WALLET).address, chain.name)
    try:
        w3 = chain_registry.connect(chain)
        return {symbol: erc20.balance_of(w3, chain.tokens[symbol], holder)
                for symbol in ("USDT", "USDC")}
    finally:
        chain_registry.end_all_sessions()


# --- risk scores -------------------------------------------------------------------------------
def _scores(now: int) -> dict[str, dict]:
    """USDT's and USDC's relative risk now, as the worker scores them (each part's reason)."""
    from steward.standing.facts import load_facts
    from steward.standing.risk import issuer_powers, risk_score
    from steward.standing.signals import read_peg

    facts, today = load_facts(), datetime.fromtimestamp(now, UTC).date()
    found = {}
    try:
        for symbol in ("USDT", "USDC"):
            holding = [chain for chain in market.sandbox_chains() if symbol in chain.tokens]
            reading = read_peg(symbol, holding, now, facts=facts)
            score = risk_score(reading, facts, issuer_powers(symbol, holding[0]), today)
            found[symbol] = {"score": score.score, "parts": score.parts,
                             "reasons": list(score.reasons), "problem": score.problem,
                             "price": None if reading.price is None else float(reading.price)}
    finally:
        chain_registry.end_all_sessions()
    return found


def _print_scores(demo: Demo, title: str, scores: dict[str, dict]) -> None:
    if demo.quiet:
        return
    table = Table(title=title, title_justify="left")
    for column in ("Coin", "Score", "Peg", "Liquidity", "Issuer powers", "Rating"):
        table.add_column(column, justify="left" if column == "Coin" else "right")
    for symbol, s in scores.items():
        parts = s["parts"]
        table.add_row(safe(symbol), f"[bold]{s['score']}[/]/100", *(str(parts.get(name, "?"))
                      for name in ("peg", "liquidity", "issuer powers", "rating")))
    console.print(table)
    for symbol, s in scores.items():
        for reason in s["reasons"]:
            console.print(f"  [bold]{safe(symbol)}[/] {safe(reason)}", highlight=False)


# --- the run -----------------------------------------------------------------------------------
def _write_orders(demo: Demo) -> list[str]:
    from steward.home import write_private

    path = orders_file.orders_path(WALLET)
    write_private(path, ORDERS_TOML)
    found = orders_file.load_orders(WALLET, load_config())  # read back strictly, as the worker
    described = [f"{order.id}: {orders_file.describe(order)}" for order in found.orders]
    demo.say(f"wrote [bold]{safe(str(path))}[/] (the mandate is left as it is):")
    for line in described:
        demo.say(f"  • {safe(line)}")
    return described


def _prepare_market(demo: Demo) -> None:
    """USDT back on its peg (a previous run may have left it below), fresh feeds, and a calm
    TWAP window ending just after the next UTC midnight: the run (about four simulated hours)
    has a UTC day of its own, so the DCA's period and the daily cap are this run's, whatever an
    earlier run left."""
    demo.progress("USDT back at $1.00 on both chains, feeds fresh")
    for chain in market.sandbox_chains():
        market.refresh_feeds(chain)  # a previous run may have left them stale
    market.move_peg("USDT", "1")
    settle = DAY - market.sandbox_now() % DAY + SETTLE_SECONDS
    demo.progress(f"{settle // 60} simulated minutes of calm market before the first tick "
                  "(into a new UTC day)")
    market.advance_sandbox(settle)


def _cap_seen(decisions: list[dict]) -> bool:
    """Whether the risk rule has said its daily cap is used."""
    return any(d["order_id"] == RISK_ID and d["outcome"] == "skipped" and "cap" in d["reason"]
               for d in decisions)


def run_always_on_demo(as_json: bool = False) -> dict:
    from steward.standing.worker import Worker
    from steward.wallets import read_passphrase

    began = time.perf_counter()
    demo = Demo(as_json)
    demo.step("1. The sandbox, and standing orders for wallet \"main\"")
    sandbox.up(progress=demo.progress)
    passphrase = read_passphrase()
    described = _write_orders(demo)
    _prepare_market(demo)
    store = Store()
    worker = Worker([WALLET], interval=TICK, passphrase=passphrase,
                    relayer=sandbox.bridge_relayer, store=store)
    calm_from = market.sandbox_now()
    demo.origin = calm_from + CALM_TICKS * TICK  # the selling starts after the calm half hour

    calm_scores = _scores(calm_from)
    _print_scores(demo, "Relative risk now (0 safest … 100)", calm_scores)

    demo.step("2. A calm half hour: the worker ticks every 10 simulated minutes")
    for index in range(CALM_TICKS):
        if index:
            market.advance_sandbox(TICK)
        demo.record("calm", worker.tick())

    demo.step(f"3. Sustained selling of USDT to ${PRESSURE_PRICE} on both chains; the feeds "
              "follow")
    market.advance_sandbox(TICK)
    demo.origin = market.sandbox_now()
    before = _balances()
    market.move_peg("USDT", PRESSURE_PRICE)
    demo.say(f"[dim]{demo.offset(demo.origin)}[/] the pools of USDT/USDC on {L1} and {L2} are "
             f"sold down to ${PRESSURE_PRICE}; the USDT/USD feeds report ${PRESSURE_PRICE}")
    pressure_ticks = 0
    while pressure_ticks < PRESSURE_MAX_TICKS:
        if pressure_ticks:
            market.advance_sandbox(TICK)  # the feeds' heartbeat: they go on reporting the price
            # the selling goes on: the pools stay down
            market.move_peg("USDT", PRESSURE_PRICE, feeds=False)
        demo.record("pressure", worker.tick())
        pressure_ticks += 1
        if pressure_ticks >= PRESSURE_MIN_TICKS and _cap_seen(demo.decisions):
            break
    pressure_end = worker.last_now
    after = _balances()
    pressure_scores = _scores(pressure_end)

    demo.step("4. The feeds stop: 25 simulated hours without an update")
    market.advance_sandbox(STALE_SECONDS, refresh=False)
    stale_made = worker.tick()
    demo.record("stale feed", stale_made)
    if any(d.order_id == DCA_ID and d.outcome == "waiting" for d in stale_made):
        demo.say("[dim]the DCA's new day has come too, but with the USDC feed stale the guard "
                 "cannot price its buy, so the mandate asks a person first: nothing is signed[/]")

    result = _summary_facts(demo, store, described, calm_scores, pressure_scores, before, after,
                            calm_from, pressure_end, pressure_ticks)
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    if as_json:
        print_json(result)
    else:
        _print_summary(demo, result, pressure_scores)
    return result


# --- the summary -------------------------------------------------------------------------------
def _summary_facts(demo: Demo, store: Store, described: list[str], calm_scores: dict,
                   pressure_scores: dict, before: dict, after: dict, calm_from: int,
                   pressure_end: int, pressure_ticks: int) -> dict:
    from steward.cli.run_cmd import peg_chart
    from steward.service.standing import peg_history

    observed = store.observations("USDT", since=demo.origin, until=pressure_end)
    detected = next((o for o in observed if o.price is not None and o.price < BELOW), None)
    failed_closed = [o for o in observed if o.price is None and
                     (detected is None or o.at < detected.at)]
    acted = [d for d in demo.decisions if d["order_id"] == RISK_ID and d["outcome"] == "acted"]
    moved = sum(to_base_units(d["numbers"]["move"], 6) for d in acted)
    moved_usd = sum(d["numbers"]["usd"] for d in acted)
    cap_skip = next((d for d in demo.decisions if d["order_id"] == RISK_ID
                     and d["outcome"] == "skipped" and "cap" in d["reason"]), None)
    first = acted[0] if acted else None
    days = {d["at"] // DAY for d in acted}
    spent = {str(day): store.spent_on_day(WALLET, RISK_ID, day) for day in sorted(days)}
    stale = [d for d in demo.decisions if d["phase"] == "stale feed" and d["outcome"] == "alert"]
    points = peg_history("USDT", since=datetime.fromtimestamp(calm_from, UTC))
    return {
        "wallet": WALLET,
        "orders_file": str(orders_file.orders_path(WALLET)),
        "orders": described,
        "risk_scores": {"calm": calm_scores, "under_pressure": pressure_scores},
        "pressure": {"price": PRESSURE_PRICE, "started_at": demo.origin,
                     "ticks": pressure_ticks, "tick_seconds": TICK,
                     "minutes": round((pressure_end - demo.origin) / 60)},
        "decisions": demo.decisions,
        "detection": None if detected is None else {
            "at": detected.at, "minutes_after_pressure": round((detected.at - demo.origin) / 60, 1),
            "price": float(detected.price),
            "failed_closed_before": len(failed_closed),
            "failed_closed_reasons": sorted({(o.problem or "").split(":")[0]
                                             for o in failed_closed})},
        "first_action": None if first is None else {
            "at": first["at"], "minutes_after_pressure": first["offset_minutes"],
            "minutes_after_detection": None if detected is None else
            round((first["at"] - detected.at) / 60, 1),
            "reason": first["reason"], "proposal_id": first["proposal_id"]},
        "moved": {"actions": len(acted), "usdt": format_units(moved, 6),
                  "usdt_base_units": moved, "usd_micros": moved_usd,
                  "steps_usd_micros": [d["numbers"]["usd"] for d in acted]},
        "daily_cap": {"usd_micros": CAP_USD * USD, "spent_usd_micros_by_day": spent,
                      "held": all(v <= CAP_USD * USD for v in spent.values()),
                      "skip_reason": None if cap_skip is None else cap_skip["reason"],
                      "skip_minutes_after_pressure": None if cap_skip is None else
                      cap_skip["offset_minutes"]},
        "balances": {symbol: {"before": before[symbol], "after": after[symbol],
                              "change": after[symbol] - before[symbol]}
                     for symbol in ("USDT", "USDC")},
        # One column per observation when there are fewer than the chart's 72 columns.
        "peg_chart": peg_chart("USDT", points),
        "stale_alert": None if not stale else {"reason": stale[0]["reason"],
                                               "order_id": stale[0]["order_id"],
                                               "minutes_after_pressure": stale[0]["offset_minutes"]},
    }


def _print_summary(demo: Demo, result: dict, pressure_scores: dict) -> None:
    demo.step("5. What happened")
    detection, first = result["detection"], result["first_action"]
    moved, cap = result["moved"], result["daily_cap"]
    lines = []
    if detection:
        lines.append(f"Detection: the feeds and the pools' 30-min TWAPs first agreed USDT was "
                     f"below $0.99 at T+{detection['minutes_after_pressure']:.0f} min "
                     f"(${detection['price']:.4f}); before that {detection['failed_closed_before']}"
                     f" readings failed closed ({', '.join(detection['failed_closed_reasons']) or 'none'}"
                     f") while the TWAPs caught up with the feeds.")
    else:
        lines.append("Detection: the sources never agreed USDT was below $0.99.")
    if first:
        lines.append(f"First action: T+{first['minutes_after_pressure']:.0f} min, "
                     f"{first['minutes_after_detection']:.0f} simulated minutes after detection "
                     "(the rule waits for 30 minutes held below).")
    lines.append(f"Moved: {moved['usdt']} USDT in {moved['actions']} steps "
                 f"(≈${moved['usd_micros'] / USD:,.2f}; steps "
                 + ", ".join(f"${v / USD:,.2f}" for v in moved["steps_usd_micros"]) + ").")
    spent = ", ".join(f"${v / USD:,.2f}" for v in cap["spent_usd_micros_by_day"].values())
    lines.append(f"Daily cap ${cap['usd_micros'] / USD:,.0f}: claimed {spent or '$0.00'} — "
                 + ("[green]held[/]" if cap["held"] else "[red]exceeded[/]")
                 + (f"; at T+{cap['skip_minutes_after_pressure']:.0f} min: "
                    f"{safe(cap['skip_reason'])}" if cap["skip_reason"] else ""))
    for symbol, b in result["balances"].items():
        sign = "+" if b["change"] > 0 else ""
        lines.append(f"{symbol} on {L1} (from the chain): {format_units(b['before'], 6)} → "
                     f"{format_units(b['after'], 6)} ({sign}{format_units(b['change'], 6)})")
    for line in lines:
        demo.say(line)
    _print_scores(demo, "Relative risk after the selling", pressure_scores)
    demo.say("")
    if not demo.quiet:
        console.print(safe(result["peg_chart"], multiline=True), highlight=False)
    stale = result["stale_alert"]
    demo.say("Stale feed: " + (f"[bold red]alert[/] {safe(stale['reason'])}" if stale
                               else "[red]no alert[/]"))
    demo.say(f"[dim]{result['wall_seconds']} s of wall time; `steward decisions` and "
             "`steward peg USDT` show it again, the dashboard's Always on page too[/]")
