"""Guard time on an RPC chain: a whole plan in one eth_simulateV1 request vs the anvil fork.

Two anvil nodes are started and `sandbox.up(l1_url, l2_url)` builds the sandbox on them in a
temporary STEWARD_HOME. Then, for a transfer and a swap on sandbox-l1, the script times the
guard alone, `review(plan, wallet)` (simulation, mandate rules, preview, journal row), in two
ways on the same node, in alternating rounds (A B, B A, ...) after a warm-up:

* **eth_simulateV1**: the plan's calls and the balance/allowance reads in one simulated block
  (`steward.simulation.bundle`);
* **anvil fork**: the node marked as one without eth_simulateV1, so the plan runs on a kept
  anvil fork of it, step by step (`steward.chains.throwaway.ForkThrowaway`).

For each it prints the median and 90th percentile of the review (and the simulation's median
within it), the JSON-RPC round trips of
the whole review and of the simulation alone (HTTP requests this process makes, to the node and
to the fork; a batch is one; the fork's own requests to the node it forks are not included),
and the ratios measured in the same run. Targets: a transfer's review under 30 ms (median) and
at most 3 simulation round trips, via eth_simulateV1. Prices are kept per block (a second review
of the same block reuses them); `--cold-prices` forgets them before every review, as a review
of a fresh block would. It also times `steward ask`'s parse + plan of a V3 swap on the node
(target < 20 ms).

Run:  .venv/bin/python benchmarks/guard_rpc.py [--repeat N] [--json]
Exit code 0 when the measurement completed (met or not); 2 if anvil is missing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from rich.console import Console
from rich.table import Table

TRANSFER_TARGET_MS = 30.0
PLAN_TARGET_MS = 20.0
SIMULATION_TRIPS_TARGET = 3
WAYS = ("eth_simulateV1", "anvil fork")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def build_world(err: Console):
    from _world import fresh_anvil_sandbox

    return fresh_anvil_sandbox("guard-rpc", err)


def swap_request(chain, sender):
    """The planner's swap of 2 USDC for ETH (the venue that quotes best: Uniswap V3 here)."""
    from steward.planning.builders import swap_plan

    plan, quote = swap_plan(chain, sender, "USDC", "2", "ETH")
    return plan, f"swap 2 USDC for ETH ({quote.venue}, from the planner)"


def plan_times(args, chain, sender) -> list[float]:
    """`steward ask`'s parse + plan of a V3 swap on this RPC chain (quotes over the node)."""
    from steward.fulfilment import context_for
    from steward.intents.parser import parse
    from steward.planning.requests import plan_step
    from steward.wallets import WalletStore

    context = context_for(WalletStore())
    times = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        plan_step(parse("swap 2 USDC for ETH on l1", context), sender)
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure(args, err: Console) -> dict:
    import steward.guard as guard
    from steward.chains.backend import forget_node_facts, note_no_simulate_v1
    from steward.chains.config import load_config
    from steward.chains.rpc import count_round_trips
    from steward.protocols.pricing import forget_prices
    from steward.contacts import resolve_recipient
    from steward.planning.builders import transfer_plan
    from steward.wallets import WalletStore

    sender = WalletStore().get("main").address
    chain = load_config().chain("sandbox-l1")
    swap, swap_label = swap_request(chain, sender)
    plans = {"transfer 1 USDC to bob": transfer_plan(chain, sender, "USDC", "1",
                                                     resolve_recipient("bob")),
             swap_label: swap}
    simulation_trips: list[int] = []
    simulation_ms: list[float] = []
    real_simulate = guard.simulate

    def counted_simulate(*a, **k):
        with count_round_trips() as trips:
            began = time.perf_counter()
            result = real_simulate(*a, **k)
            simulation_ms.append((time.perf_counter() - began) * 1000)
        simulation_trips.append(trips.total)
        return result

    guard.simulate = counted_simulate  # the benchmark's probe; the guard is unchanged

    def review_once(plan, way: str) -> tuple[float, int, int, str]:
        forget_node_facts()
        if args.cold_prices:  # every review reads its prices afresh (a new block each time)
            forget_prices()
        if way == "anvil fork":
            note_no_simulate_v1(chain.rpc_url)
        with count_round_trips() as trips:
            began = time.perf_counter()
            verdict = guard.review(plan, "main", own_wallets={"main": sender})
            elapsed = (time.perf_counter() - began) * 1000
        if not verdict.simulation.success:
            raise SystemExit(f"{plan.summary}: the simulation failed: {verdict.simulation.revert_reason}")
        return elapsed, trips.total, simulation_trips[-1], verdict.simulation.method

    figures: dict = {}
    for label, plan in plans.items():
        for way in WAYS:  # warm-up: the fork's first start, the reader's compilation, caches
            for _ in range(args.warmup):
                review_once(plan, way)
        samples = {way: {"ms": [], "sim_ms": [], "trips": [], "sim_trips": [], "method": ""}
                   for way in WAYS}
        rounds = max(1, args.repeat // args.round)
        with err.status(f"{label}: {rounds} rounds of {args.round} reviews each way…"):
            for index in range(rounds):
                for way in (WAYS if index % 2 == 0 else WAYS[::-1]):
                    for _ in range(args.round):
                        ms, trips, sim_trips, method = review_once(plan, way)
                        samples[way]["ms"].append(ms)
                        samples[way]["trips"].append(trips)
                        samples[way]["sim_trips"].append(sim_trips)
                        samples[way]["sim_ms"].append(simulation_ms[-1])
                        samples[way]["method"] = method
        figures[label] = {way: {
            "reviews": len(s["ms"]), "median_ms": round(statistics.median(s["ms"]), 2),
            "p90_ms": round(percentile(s["ms"], 0.9), 2),
            "simulation_median_ms": round(statistics.median(s["sim_ms"]), 2),
            "round_trips": statistics.median(s["trips"]),
            "simulation_round_trips": statistics.median(s["sim_trips"]),
            "method": s["method"]} for way, s in samples.items()}
        one, fork = figures[label]["eth_simulateV1"], figures[label]["anvil fork"]
        figures[label]["fork_over_v1_median"] = round(fork["median_ms"] / one["median_ms"], 2)
        figures[label]["fork_over_v1_round_trips"] = round(fork["round_trips"] / one["round_trips"], 2)
    times = plan_times(args, chain, sender)
    figures["parse + plan (V3 swap)"] = {"n": len(times),
                                         "median_ms": round(statistics.median(times), 2),
                                         "p90_ms": round(percentile(times, 0.9), 2)}
    if args.where:
        for label, plan in plans.items():
            forget_node_facts()
            figures[label]["where"] = where(lambda: guard.review(plan, "main",
                                                                  own_wallets={"main": sender}))
    forget_node_facts()
    guard.simulate = real_simulate
    return figures


def where(review) -> dict[str, int]:
    """Round trips of one review by the Steward function that asked (outside steward.chains)."""
    import traceback

    from steward.chains import rpc

    sites: dict[str, int] = {}
    record = rpc._record

    def located(url: str, methods: list[str]) -> None:
        frames = [f for f in traceback.extract_stack()
                  if "/steward/" in f.filename and "/steward/chains/" not in f.filename]
        site = frames[-1] if frames else None
        key = (f"{'+'.join(methods)} ← {site.filename.split('/steward/')[-1]}:{site.lineno} "
               f"{site.name}" if site else "+".join(methods))
        sites[key] = sites.get(key, 0) + 1
        record(url, methods)

    rpc._record = located
    try:
        review()
    finally:
        rpc._record = record
    return sites


def report(figures: dict) -> None:
    table = Table(title="Guard review on anvil: eth_simulateV1 vs the anvil fork (same run)")
    for column in ("request", "simulated by", "N", "median", "p90", "simulation median",
                   "round trips / review", "of which simulation", "target"):
        table.add_column(column, justify="left" if column in ("request", "simulated by") else "right")
    planning = figures.pop("parse + plan (V3 swap)")
    for label, by_way in figures.items():
        for way in WAYS:
            f = by_way[way]
            target = ""
            if way == "eth_simulateV1":
                trips_ok = f["simulation_round_trips"] <= SIMULATION_TRIPS_TARGET
                time_ok = not label.startswith("transfer") or f["median_ms"] < TRANSFER_TARGET_MS
                target = "PASS" if trips_ok and time_ok else "over target"
            table.add_row(label, way, str(f["reviews"]), f"{f['median_ms']:.1f} ms",
                          f"{f['p90_ms']:.1f} ms", f"{f['simulation_median_ms']:.1f} ms",
                          f"{f['round_trips']:g}",
                          f"{f['simulation_round_trips']:g}", target)
        table.add_row("", "fork ÷ eth_simulateV1", "", f"{by_way['fork_over_v1_median']:.2f}×", "",
                      "", f"{by_way['fork_over_v1_round_trips']:.2f}×", "", "", end_section=True)
    console = Console(width=max(Console().width, 150))
    console.print(table)
    verdict = "PASS" if planning["median_ms"] < PLAN_TARGET_MS else "over target"
    console.print(f"parse + plan of 'swap 2 USDC for ETH on l1' (quotes from the node): median "
                  f"{planning['median_ms']:.1f} ms, p90 {planning['p90_ms']:.1f} ms "
                  f"(target < {PLAN_TARGET_MS:g} ms: {verdict})", highlight=False)
    figures["parse + plan (V3 swap)"] = planning
    for label, by_way in figures.items():
        if "where" in by_way:
            console.print(f"\n[bold]{label}[/]: round trips of one review (eth_simulateV1), by caller")
            for site, count in sorted(by_way["where"].items(), key=lambda item: -item[1]):
                console.print(f"  {count:3d}  {site}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60, help="reviews of each kind, each way")
    parser.add_argument("--round", type=int, default=10, help="reviews per round")
    parser.add_argument("--warmup", type=int, default=3, help="untimed reviews each way first")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--cold-prices", action="store_true",
                        help="forget the per-block price cache before every review")
    parser.add_argument("--where", action="store_true",
                        help="also list where one review's round trips come from")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    from steward.errors import StewardError

    try:
        nodes = build_world(err)
    except StewardError as exc:
        err.print(f"[red]cannot set up anvil: {exc}[/]")
        return 2
    try:
        figures = measure(args, err)
    finally:
        from steward.simulation import stop_idle_forks

        stop_idle_forks()
        for node in nodes:
            node.stop()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
