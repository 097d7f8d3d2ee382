"""Data market: does the valuation pay for quality, and what does it cost to compute?

Quality. For each seed, `make_contributors(seed)` deals scikit-learn's digits to ten contributors
of known quality (4 clean, 2 noisy, 2 duplicates, 1 poisoned, 1 low-effort; see
steward/datamarket/datasets.py) and the buyer values them with `value_contributions` (exact
KNN-Shapley after the trap and duplicate checks). The figure is Spearman's rank correlation
between the scores (the payouts are pro rata to them) and the true quality. Seeds 0–4 are the
development set the defaults were chosen on; seeds 5–9 are held out and reported apart. Two
baselines run on the same seeds: leave-one-out (retrain a K-NN classifier without each
contribution, pay its loss of accuracy; what people do without Shapley), after the same checks;
and paying per point that survives the checks, with no valuation at all.

Time. Valuation time vs the number of contributions (10, 20, 40, 64: the contract's limit; the
pool of 1,417 digits is shared out, so points per contributor fall as contributors rise), and vs
points per contributor at ten contributors. Measured in the same run, alternating, median of
--repeats: the checks (`screen`), KNN-Shapley on what they keep, and the leave-one-out baseline
on the same points, each on one thread (threadpoolctl). The ratio is leave-one-out time
over KNN-Shapley time.

Gas (--gas, the default; --no-gas skips it). One embedded sandbox in a temporary STEWARD_HOME;
for each of --gas-counts (10 and 30) contributors, a real task run as `steward data demo` runs
it: each step one guarded plan of the acting wallet (`datamarket.market.Participant`), gasUsed
read from its receipt. The buyer opens the task, every contributor commits, then reveals, the
buyer publishes the KNN-Shapley scores, every contributor owed something claims, and a model
trained on the paid-for data is registered (the paying contributors, their scores as weights)
and paid once. Gas per payout = (publish + the contributors' claims) / the contributors paid.
`main(gas_per_payout=fn)` still takes any function of the number of contributors returning
{step: gas} instead.

Run:  .venv/bin/python benchmarks/data_market.py [--repeats 5] [--no-gas] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.stats import spearmanr
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from steward.datamarket.datasets import make_contributors, make_spec
from steward.datamarket.valuation import (Screened, knn_shapley, screen, settle,
                                          value_contributions)

DEV_SEEDS = (0, 1, 2, 3, 4)
HELD_OUT_SEEDS = (5, 6, 7, 8, 9)
CONTRIBUTOR_COUNTS = (10, 20, 40, 64)
POINTS_PER_CONTRIBUTOR = (25, 50, 100, 170)
MC_PERMUTATIONS = 30
METHODS = {"knn_shapley": "KNN-Shapley, exact (published)",
           "monte_carlo": f"Shapley by sampling ({MC_PERMUTATIONS} permutations)",
           "leave_one_out": "leave-one-out", "per_kept_point": "per point kept (no valuation)"}
GAS_COUNTS = (10, 30)
GasFunction = Callable[[int], Mapping[str, int]]


def _accuracy(screened: Screened, mask, X_test, y_test, k: int) -> float:
    """A K-NN classifier retrained on the masked points, scored on the test set."""
    size = int(mask.sum())
    if size == 0:
        return 0.0
    model = KNeighborsClassifier(n_neighbors=min(k, size), algorithm="brute")
    return float(model.fit(screened.X[mask], screened.y[mask]).score(X_test, y_test))


def loo_values(screened: Screened, X_test, y_test, k: int) -> list[float]:
    """Leave-one-out: the accuracy on everything kept minus the accuracy without each
    contribution's points (one retrain per contribution)."""
    full = _accuracy(screened, np.ones(len(screened.y), dtype=bool), X_test, y_test, k)
    return [full - _accuracy(screened, screened.owner != index, X_test, y_test, k)
            if passed else 0.0 for index, passed in enumerate(screened.valued)]


def monte_carlo_values(screened: Screened, X_test, y_test, k: int,
                       permutations: int = MC_PERMUTATIONS, seed: int = 0) -> list[float]:
    """Shapley by sampling: each contribution's average gain in retrained accuracy when it
    joins those before it in a random order (one retrain per contribution per permutation)."""
    rng = np.random.default_rng(seed)
    players = [index for index, passed in enumerate(screened.valued) if passed]
    totals = dict.fromkeys(players, 0.0)
    for _ in range(permutations):
        mask, before = np.zeros(len(screened.y), dtype=bool), 0.0
        for index in rng.permutation(players):
            mask |= screened.owner == index
            after = _accuracy(screened, mask, X_test, y_test, k)
            totals[int(index)] += after - before
            before = after
    return [totals.get(index, 0.0) / permutations for index in range(len(screened.valued))]


def shapley_values(screened: Screened, X_test, y_test, k: int) -> list[float]:
    points = knn_shapley(screened.X, screened.y, X_test, y_test, k)
    return [float(points[screened.owner == index].sum()) if passed else 0.0
            for index, passed in enumerate(screened.valued)]


def _rules_hold(scores, kinds) -> bool:
    by = lambda kind: [s for s, k in zip(scores, kinds) if k == kind]  # noqa: E731
    clean, noisy = by("clean"), by("noisy")
    zero = by("duplicate") + by("poisoned") + by("low_effort")
    return bool(clean and noisy) and min(clean) > max(noisy) and min(noisy) > 0 and not any(zero)


def quality_for(seed: int) -> dict:
    made = make_contributors(seed)
    spec = make_spec(seed)
    contributions = [c for c, _, _ in made]
    kinds = [kind for _, kind, _ in made]
    truth = [quality for _, _, quality in made]
    ours = value_contributions(contributions, spec)
    again = value_contributions(contributions, spec)
    screened = screen(contributions, spec)
    args = (spec.X_test, spec.y_test, spec.k)
    loo = settle(screened, loo_values(screened, *args)).scores
    sampled = settle(screened, monte_carlo_values(screened, *args, seed=seed)).scores
    per_point = [kept if passed else 0 for kept, passed in zip(screened.valuation.kept,
                                                                 screened.valued)]
    methods = {"knn_shapley": ours.scores, "monte_carlo": sampled, "leave_one_out": loo,
               "per_kept_point": per_point}
    worthless = [t == 0 for t in truth]
    row = {"seed": seed, "kinds": kinds, "true_quality": truth, "scores": ours.scores,
           "identical_rerun": ours.scores == again.scores
           and np.array(ours.values).tobytes() == np.array(again.values).tobytes(),
           "rules_hold": _rules_hold(ours.scores, kinds)}
    for name, scores in methods.items():
        rho = spearmanr(scores, truth).statistic if len(set(scores)) > 1 else float("nan")
        total = sum(scores)
        row[name] = {"spearman": float(rho),
                     "share_to_worthless": (sum(s for s, w in zip(scores, worthless) if w) / total
                                            if total else 0.0)}
    # The best a payout can do: order the truth exactly, breaking its ties among those worth
    # paying (no two payouts need tie) but not among the worthless (all paid 0).
    perfect = [t + 1e-9 * i if t > 0 else 0.0 for i, t in enumerate(truth)]
    row["ceiling"] = float(spearmanr(perfect, truth).statistic)
    shares = [s / sum(ours.scores) for s in ours.scores]
    row["share_by_kind"] = {kind: sum(s for s, k in zip(shares, kinds) if k == kind)
                            / kinds.count(kind) for kind in dict.fromkeys(kinds)}
    return row


def _summary(rows: list[dict]) -> dict:
    out = {}
    for name in METHODS:
        rhos = [row[name]["spearman"] for row in rows]
        out[name] = {"spearman_mean": statistics.fmean(rhos), "spearman_min": min(rhos),
                     "share_to_worthless_max": max(row[name]["share_to_worthless"] for row in rows)}
    out["ceiling"] = min(row["ceiling"] for row in rows)
    out["rules_hold"] = sum(row["rules_hold"] for row in rows)
    out["identical_reruns"] = sum(row["identical_rerun"] for row in rows)
    out["seeds"] = len(rows)
    return out


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _time_rounds(contributions, spec, screened: Screened, repeats: int) -> dict:
    args = (screened, spec.X_test, spec.y_test, spec.k)
    seconds = {"screen": [], "knn_shapley": [], "leave_one_out": []}
    for round_ in range(repeats):               # alternate, so drift hits both alike
        order = (shapley_values, loo_values) if round_ % 2 == 0 else (loo_values, shapley_values)
        seconds["screen"].append(_seconds(lambda: screen(contributions, spec)))
        for run in order:
            name = "knn_shapley" if run is shapley_values else "leave_one_out"
            seconds[name].append(_seconds(lambda: run(*args)))
    median = {name: statistics.median(values) for name, values in seconds.items()}
    median["monte_carlo"] = _seconds(lambda: monte_carlo_values(*args))   # long: timed once
    return median


def timing_for(n: int, points: int | None, repeats: int) -> dict:
    made = make_contributors(0, n=n, points=points)
    spec = make_spec(0)
    contributions = [c for c, _, _ in made]
    screened = screen(contributions, spec)
    with threadpool_limits(1):                  # one core each: less noise, a like-for-like ratio
        median = _time_rounds(contributions, spec, screened, repeats)
    return {"contributors": n, "points_each": len(contributions[0].y),
            "points_revealed": sum(len(c.y) for c in contributions),
            "points_valued": int(len(screened.y)), "test_points": len(spec.y_test),
            **{f"{name}_ms": 1000 * value for name, value in median.items()},
            "loo_over_shapley": median["leave_one_out"] / median["knn_shapley"],
            "monte_carlo_over_shapley": median["monte_carlo"] / median["knn_shapley"]}


# ---- gas, on an embedded sandbox -------------------------------------------------------------
SANDBOX_PASSPHRASE = "correct horse battery staple"   # a throwaway home's: nothing of value
SANDBOX_ENV = {"STEWARD_PASSPHRASE": SANDBOX_PASSPHRASE, "STEWARD_KEYSTORE_SCRYPT_N": "1024"}


class _Receipts:
    """Every plan the watched participants run: `Participant` returns task ids, salts and
    amounts, so the plans (and each step's gasUsed, from its receipt) are kept here."""

    def __init__(self):
        self.plans: list = []

    def watch(self, participant):
        run = participant._run

        def recorded(calls, summary):
            result = run(calls, summary)
            self.plans.append(result)
            return result

        participant._run = recorded
        return participant

    def gas(self, action, *args, **kwargs) -> tuple[object, int | None]:
        """What `action(...)` returns, and the gas of the last step of the plan it ran (the
        market call after any approval); None when it ran none (a claim of nothing)."""
        before = len(self.plans)
        value = action(*args, **kwargs)
        return value, (self.plans[-1].steps[-1].gas_used if len(self.plans) > before else None)


class SandboxGas:
    """`gas(n)` → {step: gas} of a real data task with n contributors and its model, on one
    embedded sandbox built on first use in a temporary Steward home. A context manager: on
    exit the environment is restored and the home removed."""

    def __init__(self, progress: Callable[[str], None] = lambda message: None):
        self.progress = progress
        self.home: str | None = None
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> SandboxGas:
        return self

    def __exit__(self, *exc) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)

    def _build(self) -> None:
        if self.home is not None:
            return
        self.home = tempfile.mkdtemp(prefix="steward-gas-")
        env = {"STEWARD_HOME": self.home, **SANDBOX_ENV}
        self._saved = {name: os.environ.get(name) for name in env}
        # Steward reads these when it acts, not when it is imported (the valuation above is
        # imported already and touches no home).
        os.environ.update(env)
        from steward import sandbox
        from steward.datamarket.market import ensure_contracts

        started = time.monotonic()
        self.progress("gas: building an embedded sandbox in a temporary home")
        sandbox.up()
        ensure_contracts(sandbox.L1)
        self.progress(f"gas: sandbox ready in {time.monotonic() - started:.0f} s")

    def __call__(self, n: int) -> dict[str, int]:
        from steward.cli.data_demo import AGENT_COMMERCE, BUYER, CUSTOMER
        from steward.datamarket.market import Markets, Participant
        from steward.sandbox import L1
        from steward.sandbox.agents import ensure_agent_wallets

        self._build()
        started = time.monotonic()
        names = [f"contributor-{i:02d}" for i in range(1, n + 1)]
        ensure_agent_wallets({name: AGENT_COMMERCE for name in (BUYER, CUSTOMER, *names)},
                             SANDBOX_PASSPHRASE)
        markets, receipts = Markets(L1), _Receipts()
        people = {name: receipts.watch(Participant(name, SANDBOX_PASSPHRASE, markets))
                  for name in (BUYER, CUSTOMER, *names)}
        gas = _gas_of_a_task(receipts, markets, people[BUYER], people[CUSTOMER],
                             [people[name] for name in names])
        self.progress(f"gas: {n} contributors, {len(receipts.plans)} guarded plans in "
                      f"{time.monotonic() - started:.0f} s")
        return gas


def _gas_of_a_task(receipts: _Receipts, markets, buyer, customer, people: list) -> dict[str, int]:
    """One task as the demo runs it (seed 0's contributors, the demo's budget and phases), then
    a model on what was paid for and one payment to it; the gas of each step."""
    from steward.cli.data_demo import BUDGET, PHASE_SECONDS, REVENUE
    from steward.datamarket.market import model_hash
    from steward.datamarket.valuation import data_hash, eval_hash
    from steward.sandbox.market import advance_time

    n, chain = len(people), markets.chain
    usdc = chain.tokens["USDC"]
    made, spec = make_contributors(0, n, [person.address for person in people]), make_spec(0)
    contributions = [c for c, _, _ in made]
    task_id, create = receipts.gas(buyer.create_task, usdc, BUDGET, eval_hash(spec),
                                   hashlib.sha256(b"benchmark: labelled digits").digest(),
                                   commit_seconds=PHASE_SECONDS, reveal_seconds=PHASE_SECONDS,
                                   publish_seconds=PHASE_SECONDS)
    commits = [receipts.gas(person.commit, task_id, data_hash(c))
               for person, c in zip(people, contributions)]
    advance_time(chain, PHASE_SECONDS + 1)
    reveals = [receipts.gas(person.reveal, task_id, data_hash(c), salt)[1]
               for person, c, (salt, _) in zip(people, contributions, commits)]
    advance_time(chain, PHASE_SECONDS + 1)
    if [a.lower() for a in markets.task(task_id).contributors] != [
            p.address.lower() for p in people]:
        raise RuntimeError(f"task {task_id}: the contributors on chain are not the revealers")
    scores = value_contributions(contributions, spec).scores
    _, publish = receipts.gas(buyer.publish, task_id, scores)
    claims = [receipts.gas(person.claim, task_id) for person in people]
    paid = [used for _, used in claims if used is not None]
    dust = markets.market.functions.owed(task_id, buyer.address).call()
    if sum(amount for amount, _ in claims) + dust != BUDGET:
        raise RuntimeError(f"task {task_id}: claims and dust do not add up to the budget")
    weighted = [(c, score) for c, score in zip(contributions, scores) if score]
    model_id, register = receipts.gas(
        buyer.register_model, model_hash([data_hash(c) for c, _ in weighted], "knn k=5"), usdc,
        [c.contributor for c, _ in weighted], [score for _, score in weighted], task_id)
    _, pay = receipts.gas(customer.pay_model, model_id, usdc, REVENUE)
    median = lambda values: round(statistics.median(values))  # noqa: E731
    return {"contributors revealed": n, "contributors paid": len(paid),
            "create_task": create, "commit (median)": median([used for _, used in commits]),
            "reveal (median)": median(reveals), "publish": publish,
            "publish per contributor": round(publish / n),
            "claim (median)": median(paid) if paid else 0, "register": register,
            "pay (first)": pay,
            "gas per payout": round((publish + sum(paid)) / len(paid)) if paid else 0}


def measure(repeats: int = 5, gas_per_payout: GasFunction | None = None,
            counts=CONTRIBUTOR_COUNTS, points=POINTS_PER_CONTRIBUTOR,
            gas_counts=GAS_COUNTS) -> dict:
    dev = [quality_for(seed) for seed in DEV_SEEDS]
    held_out = [quality_for(seed) for seed in HELD_OUT_SEEDS]
    report = {"quality": {"dev": {"seeds": dev, "summary": _summary(dev)},
                          "held_out": {"seeds": held_out, "summary": _summary(held_out)}},
              "time_vs_contributors": [timing_for(n, None, repeats) for n in counts],
              "time_vs_points": [timing_for(10, p, repeats) for p in points],
              "repeats": repeats}
    # Last, so the sandbox's work never overlaps the timing.
    report["gas_per_payout"] = ({str(n): dict(gas_per_payout(n)) for n in gas_counts}
                                if gas_per_payout else None)
    return report


def _quality_tables(report: dict) -> list[Table]:
    summary = Table(title="Rank correlation of payouts with true quality (Spearman), 10 "
                          "contributors per seed")
    for column in ("method", "dev mean (0–4)", "dev min", "held-out mean (5–9)", "held-out min",
                   "most paid to worthless"):
        summary.add_column(column, justify="left" if column == "method" else "right")
    for name, label in METHODS.items():
        dev = report["quality"]["dev"]["summary"][name]
        held = report["quality"]["held_out"]["summary"][name]
        worst = max(dev["share_to_worthless_max"], held["share_to_worthless_max"])
        summary.add_row(label, f"{dev['spearman_mean']:.3f}", f"{dev['spearman_min']:.3f}",
                        f"{held['spearman_mean']:.3f}", f"{held['spearman_min']:.3f}",
                        f"{worst:.1%}")
    ceiling = report["quality"]["dev"]["summary"]["ceiling"]
    summary.add_row("[dim]ceiling (ties in the truth)[/]", f"[dim]{ceiling:.3f}[/]", "",
                    f"[dim]{report['quality']['held_out']['summary']['ceiling']:.3f}[/]", "", "")
    seeds = Table(title="KNN-Shapley per seed: budget share per contributor, by kind")
    kinds = list(report["quality"]["dev"]["seeds"][0]["share_by_kind"])
    for column in ("seed", "set", "Spearman", *kinds, "rules hold", "re-run identical"):
        seeds.add_column(column, justify="right")
    for set_name in ("dev", "held_out"):
        for row in report["quality"][set_name]["seeds"]:
            seeds.add_row(str(row["seed"]), set_name.replace("_", "-"),
                          f"{row['knn_shapley']['spearman']:.3f}",
                          *(f"{row['share_by_kind'][k]:.1%}" for k in kinds),
                          "yes" if row["rules_hold"] else "NO",
                          "yes" if row["identical_rerun"] else "NO")
    return [summary, seeds]


def _timing_table(rows: list[dict], title: str) -> Table:
    table = Table(title=title)
    for column in ("contrib.", "points each", "revealed", "valued", "checks ms",
                   "KNN-Shapley ms", "LOO ms", "LOO ÷ KNN-Sh.", "sampling ms",
                   "sampling ÷ KNN-Sh."):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row["contributors"]), str(row["points_each"]),
                      str(row["points_revealed"]), str(row["points_valued"]),
                      f"{row['screen_ms']:.1f}", f"{row['knn_shapley_ms']:.1f}",
                      f"{row['leave_one_out_ms']:.1f}", f"{row['loo_over_shapley']:.2f}×",
                      f"{row['monte_carlo_ms']:.0f}", f"{row['monte_carlo_over_shapley']:.0f}×")
    return table


def _gas_table(gas: Mapping[str, Mapping[str, int]] | None) -> Table:
    table = Table(title="Gas per step and per payout (embedded sandbox)")
    table.add_column("step")
    if gas is None:
        table.add_column("gas", justify="right")
        table.add_row("not measured", "--no-gas (or pass gas_per_payout=)")
        return table
    for n in gas:
        table.add_column(f"{n} contributors", justify="right")
    steps = list(dict.fromkeys(step for row in gas.values() for step in row))
    for step in steps:
        table.add_row(f"[bold]{step}[/]" if step == "gas per payout" else step,
                      *(f"{gas[n][step]:,}" if step in gas[n] else "" for n in gas))
    return table


def render(report: dict) -> list[Table]:
    test_points = report["time_vs_contributors"][0]["test_points"]
    return [*_quality_tables(report),
            _timing_table(report["time_vs_contributors"],
                          f"Valuation time vs contributors ({test_points} test points, median "
                          f"of {report['repeats']})"),
            _timing_table(report["time_vs_points"], "Valuation time vs points per contributor"),
            _gas_table(report["gas_per_payout"])]


def main(argv: list[str] | None = None, gas_per_payout: GasFunction | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timing rounds (median)")
    parser.add_argument("--counts", type=int, nargs="+", default=list(CONTRIBUTOR_COUNTS),
                        help="contributor counts to time (at most 64, the contract's limit)")
    parser.add_argument("--points", type=int, nargs="+", default=list(POINTS_PER_CONTRIBUTOR),
                        help="points per contributor to time, with ten contributors")
    parser.add_argument("--gas", action=argparse.BooleanOptionalAction, default=True,
                        help="measure gas on an embedded sandbox (default; --no-gas skips it)")
    parser.add_argument("--gas-counts", type=int, nargs="+", default=list(GAS_COUNTS),
                        help="contributor counts to run a task with for gas (at most 64)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if any(not 1 <= n <= 64 for n in args.gas_counts):
        parser.error("--gas-counts: between 1 and 64 contributors (the contract's limit)")
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    with SandboxGas(say) as sandbox_gas, threadpool_limits(1):   # the baselines' BLAS too
        gas = (gas_per_payout or sandbox_gas) if args.gas else None
        report = measure(max(1, args.repeats), gas, args.counts, args.points, args.gas_counts)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        console = Console()
        if not console.is_terminal:
            console = Console(width=140)
        for table in render(report):
            console.print(table)
    held = report["quality"]["held_out"]["summary"]
    dev = report["quality"]["dev"]["summary"]
    # Exit 1 only when the run itself is not trustworthy: a re-run that differs.
    return 0 if held["identical_reruns"] == held["seeds"] and dev["identical_reruns"] == dev[
        "seeds"] else 1


if __name__ == "__main__":
    sys.exit(main())
