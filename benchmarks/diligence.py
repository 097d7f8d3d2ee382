"""Due diligence over the sandbox's scam zoo: precision and recall per pattern, and scan time.

For every zoo token (12 malicious patterns, 5 legitimate tokens) the script runs the full
`token_report` on the embedded sandbox and counts a pattern as detected when the verdict is
danger AND every field the zoo's manifest names is flagged (the right reason, not just any
alarm). A legitimate token called danger is a false positive. Targets: every pattern detected,
no legitimate token called danger, a full scan median < 1 s.

Run:  .venv/bin/python benchmarks/diligence.py [--repeat N] [--json]
It uses a temporary STEWARD_HOME (a fresh embedded sandbox with the zoo), never ~/.steward.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from rich.console import Console
from rich.table import Table

from _world import fresh_sandbox

SCAN_TARGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="scans per token, for timing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    fresh_sandbox("diligence", err)
    from steward import chains
    from steward.chains.config import load_config
    from steward.diligence.token import token_report
    from steward.sandbox.zoo import ZOO

    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    rows, times = [], []
    with err.status("scanning the zoo…") as status:
        for symbol, entry in ZOO.items():
            status.update(f"scanning {symbol}…")
            reports = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                reports.append(token_report(w3, chain, chain.tokens[symbol]))
                times.append(time.perf_counter() - began)
            report = reports[-1]
            missing = sorted(set(entry.flags) - report.flagged())
            detected = report.verdict == "danger" and not missing
            rows.append({
                "symbol": symbol, "pattern": entry.pattern, "malicious": entry.malicious,
                "verdict": report.verdict, "flagged": sorted(report.flagged()),
                "expected": list(entry.flags), "missing": missing,
                "outcome": ("detected" if detected else "missed") if entry.malicious else (
                    "false positive" if report.verdict == "danger" else "clean"),
            })
    malicious = [r for r in rows if r["malicious"]]
    legit = [r for r in rows if not r["malicious"]]
    true_pos = sum(r["outcome"] == "detected" for r in malicious)
    false_pos = sum(r["outcome"] == "false positive" for r in legit)
    called_danger = true_pos + false_pos + sum(r["verdict"] == "danger" and r["outcome"] == "missed"
                                               for r in malicious)
    summary = {
        "patterns": len(malicious), "legitimate": len(legit),
        "recall": true_pos / len(malicious) if malicious else 1.0,
        "precision": (called_danger - false_pos) / called_danger if called_danger else 1.0,
        "false_positives": false_pos,
        "scan_median_s": round(statistics.median(times), 3),
        "scan_p90_s": round(sorted(times)[int(0.9 * len(times))], 3),
        "target_met": (true_pos == len(malicious) and false_pos == 0
                       and statistics.median(times) < SCAN_TARGET_S),
    }
    if args.json:
        print(json.dumps({"tokens": rows, "summary": summary}, indent=2))
        return 0
    table = Table(title="Scam zoo: token due diligence on embedded")
    for column in ("token", "pattern", "verdict", "expected flags", "outcome"):
        table.add_column(column)
    for r in rows:
        style = {"detected": "green", "clean": "green"}.get(r["outcome"], "bold red")
        table.add_row(r["symbol"], r["pattern"], r["verdict"], ", ".join(r["expected"]) or "—",
                      f"[{style}]{r['outcome']}[/]" + (f" (missing {', '.join(r['missing'])})"
                                                       if r["missing"] else ""))
    console = Console()
    console.print(table)
    console.print(f"recall {summary['recall']:.0%} over {summary['patterns']} patterns, "
                  f"precision {summary['precision']:.0%}, false positives "
                  f"{summary['false_positives']}/{summary['legitimate']} legitimate tokens; "
                  f"scan median {summary['scan_median_s']:.2f} s (p90 {summary['scan_p90_s']:.2f} s, "
                  f"target < {SCAN_TARGET_S:.0f} s) — "
                  + ("PASS" if summary["target_met"] else "over target"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
