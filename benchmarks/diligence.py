"""Due diligence over the sandbox's scam zoo: precision and recall per pattern and per category,
and scan time.

For every zoo token (the malicious patterns and the legitimate tokens of `ZOO`) the script runs
the full `token_report` on a fresh sandbox and counts a pattern as detected when the verdict is
danger AND every field the zoo's manifest names is flagged (the right reason, not just any
alarm). A legitimate token called danger is a false positive. The shared scoring
(`_diligence_score`) adds recall/precision per capability field (the zoo's flags are its
labels), token-level recall/precision, scan median and p90, and crashes (token_report raised;
target 0). Targets: every pattern detected, no legitimate token called danger, no crash, a
full scan median < 1 s.

Run:  .venv/bin/python benchmarks/diligence.py [--node embedded|anvil] [--repeat N] [--json]
It uses a temporary STEWARD_HOME, never ~/.steward. On anvil (two fresh nodes from .tools) each
token is scanned once untimed first, so the timed scans measure a warm node.
"""

from __future__ import annotations

import argparse
import json
import sys

from _diligence_score import Scan, close_world, open_world, print_scores, scan, score
from rich.console import Console
from rich.table import Table

SCAN_TARGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed scans per token")
    parser.add_argument("--node", choices=("embedded", "anvil"), default="embedded")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    nodes = open_world(args.node, "diligence", err)
    try:
        rows, scans = scan_zoo(args, err)
    finally:
        close_world(nodes)
    scores = score(scans, ["zoo"])
    malicious = [r for r in rows if r["malicious"]]
    legit = [r for r in rows if not r["malicious"]]
    true_pos = sum(r["outcome"] == "detected" for r in malicious)
    false_pos = sum(r["outcome"] == "false positive" for r in legit)
    called_danger = sum(r["verdict"] == "danger" for r in rows)
    overall = scores["overall"]["zoo"]
    summary = {
        "node": args.node, "patterns": len(malicious), "legitimate": len(legit),
        "recall": true_pos / len(malicious) if malicious else 1.0,
        "precision": (called_danger - false_pos) / called_danger if called_danger else 1.0,
        "false_positives": false_pos,
        "scan_median_s": overall["scan_median_s"], "scan_p90_s": overall["scan_p90_s"],
        "crashes": overall["crashes"],
        "target_met": (true_pos == len(malicious) and false_pos == 0 and overall["crashes"] == 0
                       and (overall["scan_median_s"] or 0) < SCAN_TARGET_S),
    }
    if args.json:
        print(json.dumps({"tokens": rows, "summary": summary, "scores": scores}, indent=2))
        return 0
    report(rows, summary, scores, args.node)
    return 0


def scan_zoo(args, err: Console) -> tuple[list[dict], list[Scan]]:
    from steward import chains
    from steward.chains.config import load_config
    from steward.sandbox.zoo import ZOO

    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    rows, scans = [], []
    with err.status("scanning the zoo…") as status:
        for symbol, entry in ZOO.items():
            status.update(f"scanning {symbol} on {args.node}…")
            record = Scan(symbol, entry.malicious, set(entry.flags), split="zoo")
            scans.append(record)
            if symbol not in chain.tokens:
                record.setup_failure = "not deployed by the sandbox (see `steward sandbox up`)"
            else:
                scan(w3, chain, chain.tokens[symbol], record, args.repeat,
                     warm_up=args.node == "anvil")
            missing = sorted(set(entry.flags) - record.flagged)
            detected = record.verdict == "danger" and not missing
            outcome = (("detected" if detected else "missed") if entry.malicious else
                       ("false positive" if record.verdict == "danger" else "clean"))
            rows.append({
                "symbol": symbol, "pattern": entry.pattern, "malicious": entry.malicious,
                "verdict": record.verdict, "flagged": sorted(record.flagged),
                "expected": list(entry.flags), "missing": missing,
                "outcome": "crashed" if record.crash else (
                    "not deployed" if record.setup_failure else outcome),
                "crash": record.crash,
            })
    return rows, scans


def report(rows: list[dict], summary: dict, scores: dict, node: str) -> None:
    table = Table(title=f"Scam zoo: token due diligence on {node}")
    for column in ("token", "pattern", "verdict", "expected flags", "outcome"):
        table.add_column(column)
    for r in rows:
        style = {"detected": "green", "clean": "green"}.get(r["outcome"], "bold red")
        table.add_row(r["symbol"], r["pattern"], r["verdict"] or "—",
                      ", ".join(r["expected"]) or "—",
                      f"[{style}]{r['outcome']}[/]" + (f" (missing {', '.join(r['missing'])})"
                                                       if r["missing"] else "")
                      + (f" {r['crash']}" if r["crash"] else ""))
    console = Console()
    console.print(table)
    print_scores(console, f"Scam zoo on {node}", scores)
    console.print(f"recall {summary['recall']:.0%} over {summary['patterns']} patterns, "
                  f"precision {summary['precision']:.0%}, false positives "
                  f"{summary['false_positives']}/{summary['legitimate']} legitimate tokens; "
                  f"crashes {summary['crashes']}; scan median {summary['scan_median_s'] or 0:.2f} s "
                  f"(p90 {summary['scan_p90_s'] or 0:.2f} s, target < {SCAN_TARGET_S:.0f} s) — "
                  + ("PASS" if summary["target_met"] else "over target"))


if __name__ == "__main__":
    sys.exit(main())
