"""`steward market compute-demo`: a compute market that cannot be faked.

On the embedded sandbox (built if the home has none), unattended. Four provider workers run as
real processes (`steward market compute-provider`), each with its own wallet, stake and HTTP
endpoint: an honest one, a cheater that computes half the rows and fills the rest with noise, a
lazy one that commits without computing, and one that claims an H200 it does not have. A buyer
agent (wallet "compute-buyer", its `[commerce]` table bounding every price) then:

1. vets every provider with a timed capability challenge: the spoofed claim is caught and that
   provider gets no job;
2. posts matrix and hash-chain jobs, escrowing each price; verifies every result with its own
   checks (Freivalds, sampled re-execution) before paying;
3. proves the cheater's wrong entry on chain (the contract recomputes it and slashes the
   collateral to the buyer), challenges the lazy one's withheld result (unanswered: slashed);
4. leaves one honest job unverified: when its challenge window closes the worker claims its pay.

Every on-chain step, the providers' included, is a plan of the acting wallet judged by the guard
and signed by the executor. Simulated time (`sandbox.market.advance_time`) stands in for the
challenge and response windows.
"""

from __future__ import annotations

import os
import time

from rich.rule import Rule
from rich.table import Table

from steward import sandbox
from steward.chains.config import load_config
from steward.cli.render import console, err_console, print_json
from steward.display import safe
from steward.errors import StewardError
from steward.sandbox import L1
from steward.sandbox import market as sandbox_market

BUYER = "compute-buyer"
PROVIDERS = {  # wallet → (strategy, extra worker options)
    "compute-honest": ("honest", []),
    "compute-cheat": ("partial", []),
    "compute-lazy": ("skip", []),
    "compute-spoof": ("honest", ["--hardware", "NVIDIA H200 (claimed)", "--claim-gflops", "60000"]),
}
USDC = 10**6
PRICE, COLLATERAL = 5 * USDC, 20 * USDC
WINDOW = 3600  # challenge window and delivery time, in (simulated) seconds
MATRIX_N, ITEMS, ROUNDS = 128, 256, 64
ANSWER_SECONDS = 5  # real seconds the demo gives a challenged provider before moving the clock
AGENT_COMMERCE = ('[commerce]\nmax_budget_usd = 50\ncounterparties = "any"\n'
                  'tokens = ["USDC"]\nmin_reputation = 0\nmin_jobs = 0\n')


def _say(message: str) -> None:
    err_console.print(f"[dim]•[/] {safe(message)}")


def _ensure_world() -> None:
    chains = load_config().chains
    if L1 not in chains or not sandbox.SandboxBuilder().is_deployed(chains[L1]):
        sandbox.up(progress=_say)


def run_compute_demo(as_json: bool = False) -> dict:
    from steward.commerce.mandate import load_commerce_mandate
    from steward.compute.buyer import Buyer
    from steward.compute.market import ComputeMarket, ensure_market
    from steward.compute.worker import WorkerProcesses
    from steward.execution import Executor
    from steward.chains.turn import chain_turn
    from steward.sandbox.agents import ensure_agent_wallets
    from steward.wallets import WalletStore, read_passphrase

    started = time.monotonic()
    passphrase = read_passphrase()
    os.environ.setdefault("STEWARD_PASSPHRASE", passphrase)  # the workers unlock their wallets
    with chain_turn():
        _ensure_world()
        addresses = ensure_agent_wallets({name: AGENT_COMMERCE for name in [BUYER, *PROVIDERS]},
                                         passphrase, _say)
        ensure_market(L1, _say)
        market = ComputeMarket(L1)
        buyer = Buyer(BUYER, Executor(WalletStore().unlock(BUYER, passphrase), BUYER), market,
                      load_commerce_mandate(BUYER), log=_say)
    workers = WorkerProcesses(log=_say)
    try:
        for name, (strategy, extra) in PROVIDERS.items():
            workers.start(name, strategy, extra)
        _say(f"started {len(PROVIDERS)} provider workers; waiting for them to stake and list")
        workers.wait_ready()
        with chain_turn():  # after each worker staked (first run) or found its stake (later)
            stakes_before = {name: market.provider(addresses[name]).stake for name in PROVIDERS}
            buyer_before = market.balance(addresses[BUYER])
        facts = _scenario(market, buyer, addresses, workers)
    finally:
        workers.stop()
    with chain_turn():
        facts["stakes"] = [{"provider": name, "strategy": PROVIDERS[name][0],
                            "stake_before_usdc": stakes_before[name] / USDC,
                            "stake_after_usdc": market.provider(addresses[name]).stake / USDC,
                            **_record(market, addresses[name])} for name in PROVIDERS]
        facts["buyer_change_usdc"] = (market.balance(addresses[BUYER]) - buyer_before) / USDC
    facts["seconds"] = round(time.monotonic() - started, 1)
    print_json(facts) if as_json else _print(facts)
    _check(facts)
    return facts


def _record(market, address: str) -> dict:
    listing = market.provider(address)
    return {"jobs_settled": listing.jobs_settled, "jobs_slashed": listing.jobs_slashed,
            "hardware": listing.hardware, "claimed_gflops": listing.claimed_gflops}


def _scenario(market, buyer, addresses: dict[str, str], workers) -> dict:
    from steward.compute.worker import wait_for_state
    from steward.chains.turn import chain_turn

    chain = load_config().chain(L1)
    vetting = []
    for name in PROVIDERS:
        with chain_turn():
            verdict = buyer.vet(addresses[name])
        vetting.append({"provider": name, "n": verdict.n, "passed": verdict.passed,
                        "elapsed_seconds": round(verdict.elapsed_seconds, 3),
                        "deadline_seconds": round(verdict.deadline_seconds, 3),
                        "reason": verdict.reason})
        _say(f"vetting {name}: {'passed' if verdict.passed else 'REJECTED'} ({verdict.reason})")
    trusted = {row["provider"] for row in vetting if row["passed"]}

    plan = [("compute-honest", "matmul", "verify"), ("compute-honest", "hashchain", "verify"),
            ("compute-cheat", "matmul", "verify"), ("compute-lazy", "matmul", "verify"),
            ("compute-honest", "matmul", "silent"), ("compute-spoof", "matmul", "verify")]
    jobs = []
    for provider, kind, how in plan:
        if provider not in trusted:
            jobs.append({"job_id": None, "provider": provider, "kind": kind,
                         "outcome": "not hired", "detail": "failed the capability challenge",
                         "checks": []})
            continue
        with chain_turn():
            n = MATRIX_N if kind == "matmul" else ITEMS
            job_id = buyer.post(addresses[provider], kind, n, price=PRICE, collateral=COLLATERAL,
                                rounds=ROUNDS if kind == "hashchain" else 0,
                                deliver_seconds=WINDOW, challenge_seconds=WINDOW)
        wait_for_state(market, job_id, {"committed"})
        jobs.append(_settle(market, buyer, chain, job_id, provider, kind, how))
    return {"vetting": vetting, "jobs": jobs}


def _settle(market, buyer, chain, job_id: int, provider: str, kind: str, how: str) -> dict:
    from steward.compute.worker import wait_for_state
    from steward.chains.turn import chain_turn

    row = {"job_id": job_id, "provider": provider, "kind": kind}
    if how == "silent":  # the buyer never answers: the window closes, the worker claims
        with chain_turn():
            sandbox_market.advance_time(chain, WINDOW + 1)
        wait_for_state(market, job_id, {"settled"})
        return row | {"outcome": "settled", "checks": [],
                      "detail": "buyer silent; paid when the challenge window closed"}
    with chain_turn():
        settlement = buyer.settle(job_id)
    if settlement.outcome == "challenged":
        try:  # a provider holding its result answers within moments
            wait_for_state(market, job_id, {"committed"}, timeout=ANSWER_SECONDS)
        except StewardError:
            _say(f"job {job_id}: no answer from {provider}; the response window runs out")
        with chain_turn():
            sandbox_market.advance_time(chain, market.contract.functions.response_seconds()
                                        .call() + 1)
            settlement = buyer.follow_up(job_id)
    return row | {"outcome": settlement.outcome, "detail": settlement.detail,
                  "checks": settlement.checks}


def _print(facts: dict) -> None:
    console.print(Rule("Providers vetted: a timed product sized to the claimed hardware"))
    table = Table()
    for column in ("Provider", "n", "Took (s)", "Deadline (s)", "Verdict"):
        table.add_column(column, overflow="fold")
    for row in facts["vetting"]:
        verdict = "[green]passed[/]" if row["passed"] else f"[red]rejected[/]: {safe(row['reason'])}"
        table.add_row(safe(row["provider"]), str(row["n"]), f"{row['elapsed_seconds']:.2f}",
                      f"{row['deadline_seconds']:.2f}", verdict)
    console.print(table)
    console.print(Rule("Jobs: verified by the buyer before paying"))
    table = Table()
    for column in ("Job", "Provider", "Kind", "Checks", "Outcome"):
        table.add_column(column, overflow="fold")
    style = {"released": "green", "settled": "green", "slashed": "red", "not hired": "yellow"}
    for row in facts["jobs"]:
        outcome = f"[{style.get(row['outcome'], 'white')}]{row['outcome']}[/]: {safe(row['detail'])}"
        table.add_row(str(row["job_id"] or "-"), safe(row["provider"]), row["kind"],
                      safe("; ".join(row["checks"])), outcome)
    console.print(table)
    table = Table(title="Stakes and records (USDC)")
    for column in ("Provider", "Strategy", "Stake before", "Stake after", "Settled", "Slashed",
                   "Claimed hardware"):
        table.add_column(column, overflow="fold")
    for row in facts["stakes"]:
        table.add_row(safe(row["provider"]), row["strategy"], f"{row['stake_before_usdc']:.2f}",
                      f"{row['stake_after_usdc']:.2f}", str(row["jobs_settled"]),
                      str(row["jobs_slashed"]), safe(row["hardware"]))
    console.print(table)
    console.print(f"buyer's USDC change: {facts['buyer_change_usdc']:+.2f} "
                  f"(paid three honest jobs, refunded and compensated for two frauds) "
                  f"in {facts['seconds']} s")


def _check(facts: dict) -> None:
    """The demo's promises, checked against what happened; a broken one fails the command."""
    outcomes = [(row["provider"], row["outcome"]) for row in facts["jobs"]]
    expected = [("compute-honest", "released"), ("compute-honest", "released"),
                ("compute-cheat", "slashed"), ("compute-lazy", "slashed"),
                ("compute-honest", "settled"), ("compute-spoof", "not hired")]
    if outcomes != expected:
        raise StewardError(f"the compute market did not behave as promised: {outcomes}")
