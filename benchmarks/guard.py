"""Guard time on the embedded sandbox: simulate + verdict for a transfer and a swap.

For each kind of request the script times, over N repetitions on one sandbox world:

* the guard alone: `review(plan, wallet)` — simulation on a throwaway state, mandate rules,
  preview, journal row;
* the whole request-to-receipt path: building the plan from the request (decimals read from the
  chain, balances, quotes), the guard, and signing through `Executor.execute` to the receipt;

and prints the median and 90th percentile of each, and the guard's share of the whole.
Target: the guard's median under 100 ms for both.

Run:  .venv/bin/python benchmarks/guard.py [--repeat N] [--json]
It uses a temporary STEWARD_HOME (a fresh embedded sandbox), never ~/.steward.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from _world import fresh_sandbox

TARGET_MS = 100.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="requests of each kind")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    err = Console(stderr=True)
    passphrase = fresh_sandbox("guard", err)
    from steward.chains.config import load_config
    from steward.contacts import resolve_recipient
    from steward.execution import Executor
    from steward.guard import approve, review
    from steward.planning.builders import swap_plan, transfer_plan
    from steward.wallets import WalletStore

    store = WalletStore()
    account = store.unlock("main", passphrase)
    executor = Executor(account, "main")
    sender = account.address
    chain = load_config().chain("sandbox-l1")
    bob = resolve_recipient("bob")
    requests = {
        "transfer 1 USDC to bob": lambda: transfer_plan(chain, sender, "USDC", "1", bob),
        "swap 2 USDC for ETH": lambda: swap_plan(chain, sender, "USDC", "2", "ETH")[0],
    }
    figures = {}
    with Progress(console=err, transient=True) as progress:
        for label, build in requests.items():
            task = progress.add_task(label, total=args.repeat)
            guard_ms, total_ms = [], []
            for _ in range(args.repeat):
                began = time.perf_counter()
                plan = build()
                judged = time.perf_counter()
                verdict = review(plan, "main", own_wallets={"main": sender})
                guard_done = time.perf_counter()
                result = executor.execute(plan, approve(verdict, by="benchmark"))
                finished = time.perf_counter()
                if verdict.decision == "deny" or not result.steps:
                    err.print(f"[red]{label}: {verdict.decision} {verdict.explanation}[/]")
                    return 1
                guard_ms.append((guard_done - judged) * 1000)
                total_ms.append((finished - began) * 1000)
                progress.advance(task)
            figures[label] = {
                "repeat": args.repeat,
                "guard_median_ms": round(statistics.median(guard_ms), 2),
                "guard_p90_ms": round(percentile(guard_ms, 0.9), 2),
                "request_to_receipt_median_ms": round(statistics.median(total_ms), 2),
                "guard_share_pct": round(100 * sum(guard_ms) / sum(total_ms), 1),
                "target_met": statistics.median(guard_ms) < TARGET_MS,
            }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    table = Table(title="Guard time on embedded (simulate + verdict)")
    for column in ("request", "N", "guard median", "guard p90", "request→receipt median",
                   "guard share", "target"):
        table.add_column(column, justify="right" if column != "request" else "left")
    for label, f in figures.items():
        table.add_row(label, str(f["repeat"]), f"{f['guard_median_ms']:.1f} ms",
                      f"{f['guard_p90_ms']:.1f} ms", f"{f['request_to_receipt_median_ms']:.1f} ms",
                      f"{f['guard_share_pct']:.0f} %",
                      "PASS" if f["target_met"] else f"over {TARGET_MS:.0f} ms")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
