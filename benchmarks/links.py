"""Link due diligence measured on MetaMask's own phishing list (npm eth-phishing-detect 1.2.0).

The list's blacklist (13,752 phishing hosts) gives recall; its whitelist (1,138 legitimate
hosts that look like brands — MetaMask's hard negatives, mostly undoing its own fuzzy rule)
gives the false-positive rate. Each is split deterministically by the host's sha256:
**held out = sha256(host).hexdigest() < "4c"** (29.7 % of each list); the rest is the
development part the heuristics were tuned on. The held-out part was never used for tuning
(one early look, before tuning and under another split, printed some of its whitelist hits).

Three configurations, each on both parts:
- **before**: the link code as of commit BEFORE_COMMIT (the issue's 8.6 % / 31 % figures),
  with its own known-good data, run from a temporary module;
- **heuristics**: the current code with the list OFF (Steward's built-in known-good config);
- **list**: the current code with the list ON (installed from the package into a temporary
  home): whitelist, then blacklist, then fuzzylist, then the heuristics.

Figures: recall on the blacklist (danger; danger or caution), false-positive rate on the
whitelist (danger), and scan time per link (median, p90). The two blacklist entries that are not
host names (`com12786312634`, `iclexofmarket`) are refused as input and counted apart.

Run:  .venv/bin/python benchmarks/links.py [--sample N] [--json]
Needs `make setup-tools` (the package in .tools). Uses a temporary STEWARD_HOME.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / ".tools" / "node_modules" / "eth-phishing-detect"
BEFORE_COMMIT = "eadc738"  # the last commit before issue 12's link work
HELD_OUT_BELOW = "4c"


def held_out(host: str) -> bool:
    return hashlib.sha256(host.encode()).hexdigest() < HELD_OUT_BELOW


def old_checker():
    """check_url of BEFORE_COMMIT, with the known-good data of that commit."""
    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{BEFORE_COMMIT}:{path}"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout

    folder = Path(tempfile.mkdtemp(prefix="steward-links-before-"))
    (folder / "links_before.py").write_text(show("src/steward/diligence/links.py"))
    spec = importlib.util.spec_from_file_location("links_before", folder / "links_before.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["links_before"] = module  # pydantic resolves the models' annotations there
    spec.loader.exec_module(module)
    data = json.loads(show("src/steward/diligence/data/known_good.json"))
    module._known_good_raw = lambda: data
    return lambda host: module.check_url(host)


def measure(check, hosts: list[str]) -> dict:
    verdicts, times, refused = [], [], 0
    for host in hosts:
        began = time.perf_counter()
        try:
            verdicts.append(check(host).verdict)
        except Exception as exc:  # noqa: BLE001 - the StewardError of either version
            if "not a web address" not in str(exc):
                raise
            refused += 1
            continue
        times.append(time.perf_counter() - began)
    n = len(verdicts) or 1
    return {"hosts": len(verdicts), "refused": refused,
            "danger": sum(v == "danger" for v in verdicts) / n,
            "danger_or_caution": sum(v in ("danger", "caution") for v in verdicts) / n,
            "times": times}


def run(sample: int | None) -> dict:
    os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix="steward-links-bench-")
    from steward.diligence import phishing_list
    from steward.diligence.links import check_url

    config = json.loads((PACKAGE / "src" / "config.json").read_text())
    parts = {}
    for kind in ("blacklist", "whitelist"):
        hosts = config[kind][:sample] if sample else config[kind]
        parts[kind] = {"dev": [h for h in hosts if not held_out(h)],
                       "held_out": [h for h in hosts if held_out(h)]}
    phishing_list.install_from_package(PACKAGE)
    checkers = {"before": old_checker(),
                "heuristics": lambda host: check_url(host, use_list=False),
                "list": check_url}
    rows, all_times = [], {name: [] for name in checkers}
    for name, check in checkers.items():
        for part in ("dev", "held_out"):
            black = measure(check, parts["blacklist"][part])
            white = measure(check, parts["whitelist"][part])
            all_times[name] += black.pop("times") + white.pop("times")
            rows.append({"config": name, "part": part, "blacklisted": black["hosts"],
                         "refused": black["refused"], "recall_danger": black["danger"],
                         "recall_danger_or_caution": black["danger_or_caution"],
                         "whitelisted": white["hosts"], "whitelist_fp_danger": white["danger"]})
    timing = {name: {"median_ms": round(statistics.median(t) * 1000, 2),
                     "p90_ms": round(sorted(t)[int(0.9 * len(t))] * 1000, 2)}
              for name, t in all_times.items() if t}
    return {"list": phishing_list.installed_info().label(), "held_out_rule":
            f"sha256(host).hexdigest() < {HELD_OUT_BELOW!r}", "rows": rows, "timing": timing}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="the first N hosts of each list only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (PACKAGE / "src" / "config.json").is_file():
        print("eth-phishing-detect is not in .tools; run `make setup-tools`", file=sys.stderr)
        return 1
    err = Console(stderr=True)
    with err.status("checking every host of MetaMask's list three ways…"):
        result = run(args.sample)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    table = Table(title=f"Links against {result['list']} (held out: {result['held_out_rule']})")
    for column in ("config", "part", "blacklisted", "recall (danger)",
                   "recall (danger or caution)", "whitelisted", "whitelist FP (danger)"):
        table.add_column(column)
    for r in result["rows"]:
        table.add_row(r["config"], r["part"], str(r["blacklisted"]),
                      f"{r['recall_danger']:.1%}", f"{r['recall_danger_or_caution']:.1%}",
                      str(r["whitelisted"]), f"{r['whitelist_fp_danger']:.1%}")
    console = Console()
    console.print(table)
    for name, t in result["timing"].items():
        console.print(f"{name}: scan time per link median {t['median_ms']} ms, "
                      f"p90 {t['p90_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
