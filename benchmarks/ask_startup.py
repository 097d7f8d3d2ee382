"""`steward ask` from the shell: start-up and wall time of a dry run, in fresh processes.

* import: `import steward.cli.app` — wall time of `python -c` (minus nothing) and the cumulative
  figure `python -X importtime` gives for it;
* three `steward ask "<request>" --dry-run` runs in an initialised sandbox home: a request the
  parser answers with a question (no chain work at all), a balance question and a transfer.
  For each: the process's wall time, and its start-up — from launching the process until the
  parser has answered (the intent or the question exists; the chain work after it is not
  start-up). Target: start-up < 0.5 s for all three;
* `python -c pass` in the same run, the floor every figure is also given as a ratio of.

Each figure is the median of --runs fresh processes (default 5).

Run:  .venv/bin/python benchmarks/ask_startup.py [--runs N] [--home PATH] [--json]
Without --home it builds the embedded sandbox in a temporary STEWARD_HOME (never ~/.steward).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

STARTUP_TARGET_S = 0.5
REQUESTS = {
    "clarification": "send 5 usdc to zed",  # zed is no contact: the parser asks who
    "balance": "what is my usdc balance on l1",
    "transfer": "send 5 usdc to bob on l1",
}
PASSPHRASE = "benchmark-only"

# Runs `steward ask` as the executable does (`steward.cli.app.main`), and writes the time at
# which the parser answered to stderr. The hook wraps the function that parses: the light front
# of the ask path where it exists, else (older trees) fulfilment's, so a tree from before the
# change can be measured the same way (PYTHONPATH=<its src>).
_TIMED_ASK = r"""
import sys, time
try:
    import steward.service.understanding as front
except ImportError:
    import steward.fulfilment as front
parse = front.understand

def timed(*args, **kwargs):
    answer = parse(*args, **kwargs)
    sys.stderr.write(f"\nPARSER_ANSWERED_AT {time.time():.6f}\n")
    return answer

front.understand = timed
from steward.cli.app import main
sys.argv = ["steward", *sys.argv[1:]]
main()
"""
_ANSWERED = re.compile(r"PARSER_ANSWERED_AT (\d+\.\d+)")


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float | None, int, str, float]:
    """(wall seconds, seconds until the parser answered or None, exit status, stderr, CPU
    seconds). CPU time does not grow when other processes share the machine; wall time does."""
    cpu, started = _children_cpu(), time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    wall = time.time() - started
    answered = _ANSWERED.search(done.stderr)
    return (wall, float(answered.group(1)) - started if answered else None, done.returncode,
            done.stderr, _children_cpu() - cpu)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _import_time_us(env: dict[str, str]) -> int:
    """`-X importtime`'s cumulative microseconds for steward.cli.app (its last line)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import steward.cli.app"],
                          env=env, capture_output=True, text=True, check=True)
    line = [row for row in done.stderr.splitlines() if row.rstrip().endswith("steward.cli.app")]
    return int(line[-1].split("|")[1])


def _home(given: str | None, err: Console) -> Path:
    if given:
        return Path(given)
    home = Path(tempfile.mkdtemp(prefix="steward-ask-startup-bench-")) / "home"
    env = os.environ | {"STEWARD_HOME": str(home), "STEWARD_PASSPHRASE": PASSPHRASE,
                        "STEWARD_KEYSTORE_SCRYPT_N": "1024"}
    with err.status("building the embedded sandbox world…"):
        subprocess.run([sys.executable, "-m", "steward.cli", "sandbox", "up"], env=env,
                       check=True, capture_output=True)
    return home


def measure(runs: int, home: Path) -> dict:
    env = os.environ | {"STEWARD_HOME": str(home), "STEWARD_KEYSTORE_SCRYPT_N": "1024",
                        "COLUMNS": "120"}
    env.setdefault("STEWARD_PASSPHRASE", PASSPHRASE)
    python_pass = _median([_run([sys.executable, "-c", "pass"], env)[0] for _ in range(runs)])
    imports = [_run([sys.executable, "-c", "import steward.cli.app"], env) for _ in range(runs)]
    import_us = _median([_import_time_us(env) for _ in range(runs)])
    requests = {}
    for label, text in REQUESTS.items():
        samples = [_run([sys.executable, "-c", _TIMED_ASK, "ask", text, "--dry-run"], env)
                   for _ in range(runs)]
        failed = [s for s in samples if s[1] is None or s[2] not in (0, 3)]
        if failed:
            raise SystemExit(f"{label}: exit {failed[0][2]}: {failed[0][3][-2000:]}")
        requests[label] = {
            "request": text, "exit_status": samples[0][2],
            "wall_s": round(_median([s[0] for s in samples]), 3),
            "startup_s": round(_median([s[1] for s in samples]), 3),
            "cpu_s": round(_median([s[4] for s in samples]), 3),
        }
    return {
        "runs": runs, "python_pass_s": round(python_pass, 3),
        "import_cli_wall_s": round(_median([s[0] for s in imports]), 3),
        "import_cli_cpu_s": round(_median([s[4] for s in imports]), 3),
        "import_cli_importtime_s": round(import_us / 1e6, 3),
        "requests": requests,
        "startup_target_s": STARTUP_TARGET_S,
        "startup_met": all(r["startup_s"] < STARTUP_TARGET_S for r in requests.values()),
    }


def _table(result: dict) -> Table:
    floor = result["python_pass_s"]
    table = Table(title=f"steward ask --dry-run, median of {result['runs']} fresh processes "
                        f"(start-up target < {result['startup_target_s']} s)")
    for column in ("What", "Wall (s)", "× python -c pass", "CPU (s)", "Start-up to parse (s)",
                   "Exit"):
        table.add_column(column, justify="left" if column == "What" else "right")
    table.add_row("python -c pass", f"{floor:.3f}", "1.0", "", "", "")
    table.add_row("import steward.cli.app", f"{result['import_cli_wall_s']:.3f}",
                  f"{result['import_cli_wall_s'] / floor:.1f}", f"{result['import_cli_cpu_s']:.3f}",
                  f"importtime {result['import_cli_importtime_s']:.3f}", "")
    for label, row in result["requests"].items():
        met = "" if row["startup_s"] < result["startup_target_s"] else " (over)"
        table.add_row(f"{label}: {row['request']}", f"{row['wall_s']:.3f}",
                      f"{row['wall_s'] / floor:.1f}", f"{row['cpu_s']:.3f}",
                      f"{row['startup_s']:.3f}{met}", str(row["exit_status"]))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", help="an initialised Steward home (default: a new sandbox)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    home = _home(args.home, err)
    try:
        result = measure(args.runs, home)
    finally:
        if not args.home:
            shutil.rmtree(home.parent, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        Console().print(_table(result))
    return 0 if result["startup_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
