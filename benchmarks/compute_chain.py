"""The compute market on a chain: jobs per second end to end, and gas per step.

An honest provider worker runs as its own process (`steward market compute-provider`), a buyer
agent posts J matrix jobs (n = 128) one after another and, for each, waits for the committed
result, fetches it, checks it against the Merkle root, runs Freivalds (k from the collateral and
the price) and releases the price: every step on both sides through the guard and executor.

Baseline, timed in the same run in alternating rounds: the same jobs released blindly (no fetch,
no Merkle check, no Freivalds); the ratio is what the buyer's own verification costs end to end.
Afterwards, untimed, a cheating worker and a lazy one give the dispute steps a gas figure:
prove_matmul_fraud, challenge_row, slash_unanswered, and a hash-chain job's prove_hash_fraud.
The run fails (exit 1) unless every honest job settled and every fraud was slashed.

Run:  .venv/bin/python benchmarks/compute_chain.py [--jobs J] [--backend anvil|embedded] [--json]

A temporary STEWARD_HOME and its own anvil nodes (`make setup-tools`); exit 2 if anvil is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from rich.console import Console
from rich.table import Table

sys.path.insert(0, os.path.dirname(__file__))
from commerce import BenchmarkFailure, build_world  # noqa: E402 - the same world as commerce

USDC = 10**6
PRICE, COLLATERAL, WINDOW, N = 5 * USDC, 20 * USDC, 3600, 128
MANDATE = ('[commerce]\nmax_budget_usd = 50\ncounterparties = "any"\ntokens = ["USDC"]\n'
           "min_reputation = 0\nmin_jobs = 0\n")
STEPS = ("approve", "post_job", "accept_job", "commit_result", "release", "claim_payment",
         "challenge_row", "answer_challenge", "slash_unanswered", "prove_matmul_fraud",
         "prove_hash_fraud")


def _gas_by_step(market, job_ids: list[int]) -> dict[str, list[int]]:
    """Gas of every transaction touching these jobs, by the function it called (from the
    chain's own receipts, the provider's steps included)."""
    w3, contract = market.w3, market.contract
    seen, steps = set(), {}
    for name in ("JobPosted", "JobAccepted", "ResultCommitted", "Settled", "RowChallenged",
                 "RowRevealed", "Slashed"):
        for log in market.events(name, 0, "latest"):
            if log.args.job_id not in job_ids or log.transactionHash in seen:
                continue
            seen.add(log.transactionHash)
            tx = w3.eth.get_transaction(log.transactionHash)
            function, _ = contract.decode_function_input(tx["input"])
            receipt = w3.eth.get_transaction_receipt(log.transactionHash)
            steps.setdefault(function.fn_name, []).append(receipt["gasUsed"])
    return steps


def _one_job(market, buyer, provider: str, blind: bool) -> int:
    from steward.compute.worker import wait_for_state
    from steward.chains.turn import chain_turn

    with chain_turn():
        job_id = buyer.post(provider, "matmul", N, price=PRICE, collateral=COLLATERAL,
                            deliver_seconds=WINDOW, challenge_seconds=WINDOW)
    wait_for_state(market, job_id, {"committed"})
    with chain_turn():
        if blind:
            buyer.run([buyer.call("release", job_id, description=f"release job {job_id}")],
                      f"release compute job {job_id} unverified")
        elif buyer.settle(job_id).outcome != "released":
            raise BenchmarkFailure(f"honest job {job_id} was not released")
    return job_id


def _disputes(market, buyer, addresses, chain) -> list[int]:
    from steward.compute.worker import wait_for_state
    from steward.chains.turn import chain_turn
    from steward.sandbox.market import advance_time

    ids = []
    for provider, kind in (("cheat", "matmul"), ("cheat", "hashchain"), ("lazy", "matmul")):
        with chain_turn():
            job_id = buyer.post(addresses[provider], kind, N if kind == "matmul" else 256,
                                price=PRICE, collateral=COLLATERAL, rounds=64 * (kind != "matmul"),
                                deliver_seconds=WINDOW, challenge_seconds=WINDOW)
        wait_for_state(market, job_id, {"committed"})
        with chain_turn():
            outcome = buyer.settle(job_id)
            if outcome.outcome == "challenged":
                advance_time(chain, market.contract.functions.response_seconds().call() + 1)
                outcome = buyer.follow_up(job_id)
        if outcome.outcome != "slashed":
            raise BenchmarkFailure(f"the {provider} provider's job {job_id} was not slashed: "
                                   f"{outcome.detail}")
        ids.append(job_id)
    return ids


def run(backend: str, jobs: int, err: Console) -> dict:
    nodes = build_world(backend, err)
    try:
        return _measure(backend, jobs, err)
    finally:
        for node in nodes:
            node.stop()


def _measure(backend: str, jobs: int, err: Console) -> dict:
    from steward.chains.config import load_config
    from steward.commerce.mandate import load_commerce_mandate
    from steward.compute.buyer import Buyer
    from steward.compute.market import ComputeMarket, ensure_market
    from steward.compute.worker import WorkerProcesses
    from steward.execution import Executor
    from steward.sandbox.agents import ensure_agent_wallets
    from steward.wallets import WalletStore

    passphrase = os.environ["STEWARD_PASSPHRASE"]
    with err.status("creating wallets and deploying the compute market…"):
        addresses = ensure_agent_wallets({name: MANDATE for name in
                                          ("buyer", "honest", "cheat", "lazy")}, passphrase)
        ensure_market()
    market = ComputeMarket()
    buyer = Buyer("buyer", Executor(WalletStore().unlock("buyer", passphrase), "buyer"), market,
                  load_commerce_mandate("buyer"))
    with WorkerProcesses(log=lambda m: None) as workers:
        for wallet, strategy in (("honest", "honest"), ("cheat", "random"), ("lazy", "skip")):
            workers.start(wallet, strategy, ["--claim-gflops", "1", "--poll", "0.05"])
        with err.status("starting three provider workers…"):
            workers.wait_ready()
        _one_job(market, buyer, addresses["honest"], blind=False)  # warm-up, untimed
        verified = blind = 0.0
        job_ids = []
        err.print(f"timing {jobs} jobs verified and {jobs} released blindly, in turns…")
        for _ in range(jobs):
            started = time.perf_counter()
            job_ids.append(_one_job(market, buyer, addresses["honest"], blind=True))
            blind += time.perf_counter() - started
            started = time.perf_counter()
            job_ids.append(_one_job(market, buyer, addresses["honest"], blind=False))
            verified += time.perf_counter() - started
        job_ids += _disputes(market, buyer, addresses, load_config().chain("sandbox-l1"))
    gas = {step: {"median": int(statistics.median(v)), "n": len(v)}
           for step, v in _gas_by_step(market, job_ids).items()}
    honest = sum(gas[s]["median"] for s in ("approve", "post_job", "accept_job",
                                             "commit_result", "release") if s in gas)
    return {"backend": backend, "jobs": jobs, "n": N,
            "verified_seconds": round(verified, 3), "blind_seconds": round(blind, 3),
            "verified_jobs_per_second": round(jobs / verified, 3),
            "blind_jobs_per_second": round(jobs / blind, 3),
            "verification_overhead_ratio": round(verified / blind, 2),
            "gas": gas, "gas_per_honest_job": honest}


def render(result: dict) -> list[Table]:
    speed = Table(title=f"Compute jobs end to end on {result['backend']} (n = {result['n']}: "
                        "post → accept → compute → commit → verify → release)")
    for column in ("way", "jobs", "seconds", "jobs/s"):
        speed.add_column(column, justify="right")
    speed.add_row("verified (Merkle + Freivalds)", str(result["jobs"]),
                  f"{result['verified_seconds']:.2f}", f"{result['verified_jobs_per_second']:.2f}")
    speed.add_row("baseline: released blindly", str(result["jobs"]),
                  f"{result['blind_seconds']:.2f}", f"{result['blind_jobs_per_second']:.2f}")
    speed.caption = (f"verifying takes {result['verification_overhead_ratio']:.2f}× the blind "
                     "release's time per job")
    gas = Table(title="Gas per step (median over the run)")
    for column in ("step", "median", "n"):
        gas.add_column(column, justify="right")
    for step in STEPS:
        if step in result["gas"]:
            gas.add_row(step, f"{result['gas'][step]['median']:,}", str(result["gas"][step]["n"]))
    gas.add_row("[bold]one honest job[/]", f"[bold]{result['gas_per_honest_job']:,}[/]", "")
    gas.caption = "one honest job: post, accept, commit, release (plus the USDC approve)"
    return [speed, gas]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=5, help="timed jobs each way (default 5)")
    parser.add_argument("--backend", choices=("anvil", "embedded"), default="anvil")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    err = Console(stderr=True)
    try:
        result = run(args.backend, args.jobs, err)
    except BenchmarkFailure as exc:
        err.print(f"[red]benchmark failed:[/] {exc}")
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for table in render(result):
            Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
