"""Plain language on the embedded sandbox: parse + plan time, and text-to-receipt time.

* parse + plan: `parse(text)` then `plan_step(intent)` for a transfer, a swap and a bridge
  request (no simulation, no signing). Target: median < 20 ms.
* text to receipt: `fulfil(text)` for a transfer — parse, plan, simulate, judge, sign, receipt,
  journal — the whole of `steward ask "..." --yes`. Target: median < 250 ms.

Run:  .venv/bin/python benchmarks/ask.py [--repeat N] [--json]
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

PLAN_TARGET_MS = 20.0
RECEIPT_TARGET_MS = 250.0
PLAN_REQUESTS = {
    "transfer": "send 1 USDC to bob on l1",
    "swap": "swap 2 USDC for ETH on l1",
    "bridge": "bridge 3 USDC from l1 to l2",
}
RECEIPT_REQUEST = "pay bob 1 USDC on l1"


def median_p90(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    err = Console(stderr=True)
    passphrase = fresh_sandbox("ask", err)
    from steward.fulfilment import context_for, fulfil
    from steward.intents import Clarification
    from steward.intents.parser import parse
    from steward.planning.requests import plan_step
    from steward.wallets import WalletStore

    store = WalletStore()
    sender = store.get("main").address
    context = context_for(store)
    rows = {}
    with Progress(console=err, transient=True) as progress:
        for label, text in PLAN_REQUESTS.items():
            task = progress.add_task(f"parse + plan: {label}", total=args.repeat)
            times = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                intent = parse(text, context)
                if isinstance(intent, Clarification):
                    err.print(f"[red]{text!r} was not understood: {intent.question}[/]")
                    return 1
                plan_step(intent, sender)
                times.append((time.perf_counter() - began) * 1000)
                progress.advance(task)
            rows[f"parse + plan ({label})"] = (times, PLAN_TARGET_MS)
        task = progress.add_task("text to receipt (transfer)", total=args.repeat)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            report = fulfil(RECEIPT_REQUEST, "main", lambda outcome: True,
                            passphrase=lambda: passphrase)
            times.append((time.perf_counter() - began) * 1000)
            if not report.done:
                err.print(f"[red]not done: {report.clarification or report.steps}[/]")
                return 1
            progress.advance(task)
        rows["text to receipt (transfer)"] = (times, RECEIPT_TARGET_MS)
    figures = {}
    for label, (times, target) in rows.items():
        median, p90 = median_p90(times)
        figures[label] = {"n": len(times), "median_ms": round(median, 2), "p90_ms": round(p90, 2),
                          "target_ms": target, "target_met": median < target}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    table = Table(title="steward ask on embedded")
    for column in ("measure", "N", "median", "p90", "target", "result"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for label, f in figures.items():
        table.add_row(label, str(f["n"]), f"{f['median_ms']:.1f} ms", f"{f['p90_ms']:.1f} ms",
                      f"< {f['target_ms']:.0f} ms", "PASS" if f["target_met"] else "over target")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
