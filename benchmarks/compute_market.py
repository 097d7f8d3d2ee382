"""Compute market, offline: how often the buyer's checks catch a cheat, and what checking costs
next to the work it checks.

1. Detection, measured over many simulated jobs beside the analytical figure.
   (a) Freivalds with k ∈ {1, 2, 4, 8, 16} random 0/1 vectors on n = 32 products in which one
       entry, one whole row or n/8 whole rows were altered (random positions, random nonzero
       errors mod P): the measured catch rate vs 1 − 2^-k, which is exact for one wrong entry
       and a lower bound otherwise. Every job runs `verify.freivalds` itself.
   (b) Sampled re-execution of a hash-chain job of n = 1024 items in which a fraction
       f ∈ {1, 5, 10, 25, 50} % of the items is wrong, checking s ∈ {1, 4, 16, 64} distinct
       random items: the measured catch rate vs the exact hypergeometric 1 − C(n−b, s)/C(n, s).
       Which items are wrong and which are sampled is drawn afresh per job; recomputing the
       sampled items' keccak chains (what `verify.check_items` does, and what tells a wrong
       item from a right one) is left out, as it decides nothing here and would take minutes.
   (c) The k and s that `rounds_for` and `sample_size_for` pick for a 1 USDC job at several
       collateral-to-price ratios, with and without the buyer's floor, and a cheater's expected
       value at them (negative means cheating loses money; for s, the worst over every number
       of items cheated on).
2. Cost: for n = 256 … 4096 (`--quick` stops at 1024), the exact product mod P
   (`field.matmul`, the provider's work, and what checking by re-execution would cost) vs
   `verify.freivalds` with k = rounds_for(4 × price collateral) = 16 rounds, alternating, median
   of --repeats; for context, one commitment of the result each way: the keccak/ABI Merkle tree
   the contract checks (`merkle.MerkleTree.of_rows`) and the blake2b one of the capability
   challenge (`capability.RowCommitment`). Ratios are over the product's time in the same run.

   BLAS runs on --threads threads (default 1, like data_market.py: a like-for-like ratio with
   less noise on a shared machine; a quiet machine can use more).

Run:  .venv/bin/python benchmarks/compute_market.py [--quick] [--jobs 2000] [--repeats 5]
      [--threads 1] [--backend auto] [--json]
Exit code: 0 when measured; 1 if a right product failed Freivalds' check, or a wrong one passed
it at 16 rounds (the figures would mean nothing).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from fractions import Fraction

import numpy as np
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_limits

from steward.compute import capability, field, verify
from steward.compute.field import P
from steward.compute.merkle import MerkleTree

ROUNDS = (1, 2, 4, 8, 16)
FRACTIONS = (0.01, 0.05, 0.10, 0.25, 0.50)
SAMPLES = (1, 4, 16, 64)
SIZES = (256, 512, 1024, 2048, 4096)
QUICK_SIZES = (256, 512, 1024)
PRICE = 1_000_000                    # 1 USDC in base units
COLLATERAL_RATIOS = (Fraction(1, 10), Fraction(1, 2), Fraction(1), Fraction(4), Fraction(10))
TYPICAL_COLLATERAL = 4               # × the price: the stake the cost table is sized for
DETECTION_N, ITEMS_N = 32, 1024


# --- 1. detection ---------------------------------------------------------------------------------
def _altered(c: np.ndarray, how: str, rng: np.random.Generator) -> np.ndarray:
    """A copy of C with random nonzero errors: one entry, one whole row, or n/8 whole rows."""
    n = c.shape[0]
    wrong = c.copy()
    rows = rng.choice(n, 1 if how != "n/8 rows" else max(1, n // 8), replace=False)
    for row in rows:
        columns = rng.integers(0, n, 1) if how == "1 entry" else np.arange(n)
        errors = rng.integers(1, P, len(columns), dtype=np.uint64)
        wrong[row, columns] = (wrong[row, columns] + errors) % np.uint64(P)
    return wrong


def freivalds_detection(jobs: int, n: int = DETECTION_N, seed: int = 16) -> list[dict]:
    rng = np.random.default_rng(seed)
    a, b = field.inputs(b"benchmark-detection", n)
    c = field.matmul(a, b, "numpy")
    rows = []
    for how in ("1 entry", "1 row", "n/8 rows"):
        for k in ROUNDS:
            caught = sum(not verify.freivalds(a, b, _altered(c, how, rng), k, rng).ok
                         for _ in range(jobs))
            bound = 1 - 2.0 ** -k
            rows.append({"altered": how, "entries": _entries(how, n), "rounds": k, "jobs": jobs,
                         "caught": caught, "measured": caught / jobs, "analytical": bound,
                         "exact": how == "1 entry",
                         "z": _z(caught, jobs, bound) if how == "1 entry" else None})
    return rows


def _entries(how: str, n: int) -> int:
    return {"1 entry": 1, "1 row": n, "n/8 rows": n * max(1, n // 8)}[how]


def _z(hits: int, trials: int, p: float) -> float:
    """(measured − expected) in binomial standard deviations (0 when p is 0 or 1)."""
    sd = math.sqrt(trials * p * (1 - p))
    return (hits - trials * p) / sd if sd else 0.0


def sampling_detection(jobs: int, n: int = ITEMS_N, seed: int = 17) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for fraction in FRACTIONS:
        bad = max(1, round(fraction * n))
        for samples in SAMPLES:
            caught = 0
            for _ in range(jobs):
                wrong = np.zeros(n, dtype=bool)
                wrong[rng.choice(n, bad, replace=False)] = True
                caught += bool(wrong[rng.choice(n, samples, replace=False)].any())
            exact = 1 - float(verify.escape_probability(bad, n, samples))
            rows.append({"fraction": fraction, "bad_items": bad, "samples": samples,
                         "jobs": jobs, "caught": caught, "measured": caught / jobs,
                         "exact": exact, "z": _z(caught, jobs, exact)})
    return rows


def _worst_sampling_ev(collateral: int, price: int, n: int, samples: int) -> Fraction:
    """A cheater's best expected value over every number of wrong items b in 1..n."""
    best = None
    for bad in range(1, n + 1):
        escape = verify.escape_probability(bad, n, samples)
        value = escape * Fraction(bad, n) * price - (1 - escape) * collateral
        best = value if best is None or value > best else best
    return best


def economics(n: int = ITEMS_N) -> list[dict]:
    rows = []
    for ratio in COLLATERAL_RATIOS:
        collateral = int(ratio * PRICE)
        k_bare, k = (verify.rounds_for(collateral, PRICE, floor=1),
                     verify.rounds_for(collateral, PRICE))
        s_bare, s = (verify.sample_size_for(collateral, PRICE, n, floor=1),
                     verify.sample_size_for(collateral, PRICE, n))
        ev = lambda rounds: float(Fraction(PRICE, 2 ** rounds)             # noqa: E731
                                  - (1 - Fraction(1, 2 ** rounds)) * collateral)
        rows.append({"collateral": collateral, "price": PRICE, "ratio": float(ratio),
                     "rounds_no_floor": k_bare, "rounds": k, "ev_rounds_no_floor": ev(k_bare),
                     "ev_rounds": ev(k), "samples_no_floor": s_bare, "samples": s,
                     "ev_samples_no_floor": float(_worst_sampling_ev(collateral, PRICE, n,
                                                                     s_bare)),
                     "ev_samples": float(_worst_sampling_ev(collateral, PRICE, n, s))})
    return rows


# --- 2. cost --------------------------------------------------------------------------------------
def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def cost_for(n: int, repeats: int, backend: str, rounds: int) -> dict:
    a, b = field.inputs(f"benchmark-cost-{n}".encode(), n)
    c = field.matmul(a, b, backend)                                       # also the warm-up
    verify.freivalds(a, b, c, rounds)
    product, check = [], []
    for turn in range(repeats):             # alternate, so drift hits both alike
        jobs = [lambda: product.append(_seconds(lambda: field.matmul(a, b, backend))),
                lambda: check.append(_seconds(lambda: verify.freivalds(a, b, c, rounds)))]
        for job in jobs if turn % 2 == 0 else reversed(jobs):
            job()
    right = verify.freivalds(a, b, c, rounds).ok
    wrong = c.copy()
    wrong[n // 3, n // 5] = (int(wrong[n // 3, n // 5]) + 1) % P
    caught = not verify.freivalds(a, b, wrong, rounds).ok
    keccak_tree = _seconds(lambda: MerkleTree.of_rows(c))
    blake_tree = _seconds(lambda: capability.RowCommitment(c))
    matmul_s, freivalds_s = statistics.median(product), statistics.median(check)
    return {"n": n, "rounds": rounds, "matmul_ms": 1000 * matmul_s,
            "gflops": 2 * n ** 3 / matmul_s / 1e9, "freivalds_ms": 1000 * freivalds_s,
            "freivalds_over_matmul": freivalds_s / matmul_s,
            "merkle_keccak_ms": 1000 * keccak_tree, "merkle_keccak_over_matmul":
            keccak_tree / matmul_s, "merkle_blake2b_ms": 1000 * blake_tree,
            "freivalds_accepts_right": right, "freivalds_catches_one_wrong_entry": caught}


def measure(jobs: int = 2000, repeats: int = 3, sizes=SIZES, backend: str = "auto") -> dict:
    rounds = verify.rounds_for(TYPICAL_COLLATERAL * PRICE, PRICE)
    return {"backend": field.available_backend(backend), "jobs": jobs, "repeats": repeats,
            "freivalds_detection": freivalds_detection(jobs),
            "sampling_detection": sampling_detection(jobs), "economics": economics(),
            "cost": [cost_for(n, repeats, backend, rounds) for n in sizes]}


# --- printing -------------------------------------------------------------------------------------
def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def _freivalds_table(rows: list[dict]) -> Table:
    table = _table(f"(1a) Freivalds: catch rate over {rows[0]['jobs']} jobs, n = {DETECTION_N}",
                   ["altered", "entries", "k", "caught", "measured", "analytical", "z"])
    for row in rows:
        sign = "=" if row["exact"] else "≥"
        table.add_row(row["altered"], str(row["entries"]), str(row["rounds"]),
                      str(row["caught"]), f"{row['measured']:.4f}",
                      f"{sign} {row['analytical']:.4f}",
                      f"{row['z']:+.2f}" if row["z"] is not None else "")
    return table


def _sampling_table(rows: list[dict]) -> Table:
    table = _table(f"(1b) Sampled re-execution: catch rate over {rows[0]['jobs']} jobs, "
                   f"n = {ITEMS_N} items", ["cheated", "wrong items", "samples", "caught",
                                            "measured", "exact", "z"])
    for row in rows:
        table.add_row(f"{row['fraction']:.0%}", str(row["bad_items"]), str(row["samples"]),
                      str(row["caught"]), f"{row['measured']:.4f}", f"{row['exact']:.4f}",
                      f"{row['z']:+.2f}")
    return table


def _economics_table(rows: list[dict]) -> Table:
    table = _table(f"(1c) Checks chosen for a {PRICE:,}-unit job and a cheater's expected value "
                   f"(base units; sampling: n = {ITEMS_N}, worst b)",
                   ["collateral ÷ price", "k (no floor)", "EV", "k (floor 16)", "EV",
                    "s (no floor)", "EV", "s (floor 8)", "EV"])
    for row in rows:
        table.add_row(f"{row['ratio']:g}", str(row["rounds_no_floor"]),
                      f"{row['ev_rounds_no_floor']:,.0f}", str(row["rounds"]),
                      f"{row['ev_rounds']:,.0f}", str(row["samples_no_floor"]),
                      f"{row['ev_samples_no_floor']:,.1f}", str(row["samples"]),
                      f"{row['ev_samples']:,.1f}")
    return table


def _cost_table(report: dict) -> Table:
    rows = report["cost"]
    table = _table(f"(2) Verification vs compute ({report['backend']}, "
                   f"{report['blas_threads']} BLAS thread(s), median of {report['repeats']}; "
                   f"Freivalds k = {rows[0]['rounds']})",
                   ["n", "A·B mod P ms", "GFLOPS", "Freivalds ms", "Freivalds ÷ A·B",
                    "Merkle keccak ms", "keccak ÷ A·B", "Merkle blake2b ms", "checks right"])
    for row in rows:
        table.add_row(str(row["n"]), f"{row['matmul_ms']:,.1f}", f"{row['gflops']:.1f}",
                      f"{row['freivalds_ms']:,.2f}", f"{row['freivalds_over_matmul']:.2%}",
                      f"{row['merkle_keccak_ms']:,.1f}",
                      f"{row['merkle_keccak_over_matmul']:.2f}×",
                      f"{row['merkle_blake2b_ms']:,.1f}",
                      "yes" if row["freivalds_accepts_right"]
                      and row["freivalds_catches_one_wrong_entry"] else "NO")
    return table


def render(report: dict) -> list[Table]:
    return [_freivalds_table(report["freivalds_detection"]),
            _sampling_table(report["sampling_detection"]),
            _economics_table(report["economics"]), _cost_table(report)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cost table up to n = 1024")
    parser.add_argument("--jobs", type=int, default=2000, help="simulated jobs per cell")
    parser.add_argument("--repeats", type=int, default=5, help="timing rounds (median)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (default 1: on a shared machine, several threads "
                             "make the small products of Freivalds' check erratic)")
    parser.add_argument("--backend", default="auto", help="auto, numpy, torch or cupy")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    with threadpool_limits(max(1, args.threads)):
        report = measure(max(1, args.jobs), max(1, args.repeats), sizes, args.backend)
    report["blas_threads"] = max(1, args.threads)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        console = Console()
        if not console.is_terminal:
            console = Console(width=140)
        for table in render(report):
            console.print(table)
    trustworthy = all(row["freivalds_accepts_right"] and row["freivalds_catches_one_wrong_entry"]
                      for row in report["cost"])
    return 0 if trustworthy else 1


if __name__ == "__main__":
    sys.exit(main())
