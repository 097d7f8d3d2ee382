"""Agent commerce: jobs per second end to end, and gas per job phase, on anvil.

N client agents each run M jobs with one provider and one evaluator (all separate wallets with
their own mandates), every step through Steward's guard and executor:

    negotiate (signed offer, counter-offer, acceptance) → createJob → setBudget + approve + fund
    → submit (the provider factorises a number) → complete (the evaluator re-verifies it)

The timed figure is jobs per second over that whole path, wall clock, jobs run one after
another. The baseline, timed in the same run in alternating rounds, is the same agents doing the
same jobs (same negotiation, same calls) with each call signed straight with web3.py: no
simulation, no guard, no journal — so the ratio is what Steward's safety costs per job. Afterwards, untimed, each client rates its provider (giveFeedback), one job is rejected
and one expires with a silent evaluator and is refunded (claimRefund, after moving the node's
clock), so every phase has a gas figure. The run fails (exit 1) unless the provider received
exactly the payouts the escrow computes and every refund returned the whole budget.

Run:  .venv/bin/python benchmarks/commerce.py [--agents N] [--jobs M] [--backend anvil|embedded]
          [--json]

It uses a temporary STEWARD_HOME and its own anvil nodes (`make setup-tools`); exit 2 if anvil
is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.table import Table

PHASES = ("createJob", "setBudget", "approve", "fund", "submit", "complete", "reject",
          "claimRefund", "giveFeedback")
USDC = 10**6
PRICE, ASKING = 40 * USDC, 50 * USDC
EXPIRY_SECONDS = 600


class BenchmarkFailure(Exception):
    """Money did not add up: the figures would be meaningless."""


@dataclass
class Result:
    backend: str
    agents: int
    jobs_per_agent: int
    jobs: int
    seconds: float
    jobs_per_second: float
    seconds_per_job: float
    gas: dict[str, dict[str, int]] = field(default_factory=dict)  # phase → {median, min, max, n}
    gas_per_job_total: int = 0
    verified: bool = False
    baseline_seconds: float = 0.0
    baseline_jobs_per_second: float = 0.0
    guard_overhead_ratio: float = 0.0  # Steward's seconds per job / the baseline's


def build_world(backend: str, err: Console):
    os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix="steward-commerce-bench-")
    os.environ.setdefault("STEWARD_PASSPHRASE", "benchmark-only")
    os.environ.setdefault("STEWARD_KEYSTORE_SCRYPT_N", "1024")
    from steward import sandbox

    nodes = []
    if backend == "anvil":
        from steward.chains.anvil import AnvilNode
        from steward.errors import StewardError

        try:
            nodes = [AnvilNode(chain_id=31_337_001).start(), AnvilNode(chain_id=31_337_002).start()]
        except StewardError as exc:
            err.print(f"[red]anvil is not available:[/] {exc}")
            sys.exit(2)
    with err.status(f"building the sandbox on {backend}…"):
        sandbox.up(*(node.url for node in nodes)) if nodes else sandbox.up()
    return nodes


def travel(market, seconds: int) -> None:
    provider = market.w3.provider
    if hasattr(provider, "embedded_chain"):
        provider.embedded_chain.tester.time_travel(market.now() + seconds)
    else:
        provider.make_request("evm_increaseTime", [seconds])
        provider.make_request("evm_mine", [])


def unguarded(agent):
    """The same agent with every call signed straight with web3.py (the baseline)."""
    from steward.execution import PlanResult, StepResult, fee_caps
    from steward.planning import Plan

    w3, chain = agent.market.w3, agent.market.chain

    def sign_and_send(calls, phases, summary, **extra):
        result = PlanResult(Plan(chain=chain.name, sender=agent.address, calls=calls,
                                 summary=summary))
        fees = fee_caps(w3)
        for call in calls:
            tx = {"from": agent.address, "to": call.to, "data": call.data, "value": call.value,
                  "chainId": chain.chain_id}
            tx.update(gas=w3.eth.estimate_gas(tx) * 6 // 5, **fees.fields(),
                      nonce=w3.eth.get_transaction_count(agent.address, "pending"))
            del tx["from"]
            signed = agent._account.sign_transaction(tx)
            receipt = w3.eth.wait_for_transaction_receipt(
                w3.eth.send_raw_transaction(signed.raw_transaction), timeout=120)
            if receipt["status"] != 1:
                raise BenchmarkFailure(f"baseline: {call.description} reverted")
            result.steps.append(StepResult(call.description, receipt["transactionHash"].to_0x_hex(),
                                           "success", receipt["gasUsed"], 0,
                                           receipt["blockNumber"]))
        return result

    agent._run = sign_and_send
    return agent


def run(backend: str, n_agents: int, m_jobs: int, err: Console) -> Result:
    nodes = build_world(backend, err)
    try:
        return _measure(backend, n_agents, m_jobs, err)
    finally:
        for node in nodes:
            node.stop()


def _measure(backend: str, n_agents: int, m_jobs: int, err: Console) -> Result:
    from steward.commerce import Agent, CommerceMandate, Market, MarketEvent, Spec
    from steward.commerce.work import Deliverable
    from steward.commerce.mandate import commerce_toml
    from steward.sandbox.agents import ensure_agent_wallets

    passphrase = os.environ["STEWARD_PASSPHRASE"]
    mandate = commerce_toml(CommerceMandate(max_budget_usd=100 * USDC, tokens=["USDC"]))
    clients = [f"client{i}" for i in range(n_agents)]
    with err.status(f"creating and funding {n_agents + 2} agent wallets…"):
        ensure_agent_wallets({name: mandate for name in [*clients, "provider", "evaluator"]},
                             passphrase)
    events: list[MarketEvent] = []
    market = Market()
    agents = {name: Agent.from_wallet(name, passphrase, market=market, on_event=events.append)
              for name in [*clients, "provider", "evaluator"]}
    provider, evaluator = agents["provider"], agents["evaluator"]
    provider.asking_price = ASKING
    provider.register("bench://provider")
    usdc = market.token("USDC").address
    provider_before = market.balance(usdc, provider.address)

    def one_job(client: Agent, provider: Agent, number: int) -> tuple[int, object]:
        spec = Spec(kind="factorise", n=(1_000_003 + 2 * number) * 998_244_353)
        offer = client.propose(provider.card, evaluator.card, spec, "USDC", PRICE)
        agreed = client.respond(provider.consider(offer, client.card), offer, provider.card)
        job_id = client.open_job(agreed)
        provider.check_job(job_id, agreed)
        provider.deliver(job_id, spec)
        return job_id, spec

    raw = {name: unguarded(Agent.from_wallet(name, passphrase, market=market,
                                             agent_id=agents[name].agent_id))
           for name in [*clients, "provider", "evaluator"]}
    raw["provider"].asking_price = ASKING

    def one_round(team: dict[str, Agent], number: int) -> list[tuple[str, int]]:
        done = []
        for client_name in clients:
            job_id, spec = one_job(team[client_name], team["provider"], number + len(done))
            accepted, reason = team["evaluator"].evaluate(job_id, spec)
            if not accepted:
                raise BenchmarkFailure(f"job {job_id} was rejected: {reason}")
            done.append((client_name, job_id))
        return done

    jobs: list[tuple[str, int]] = []
    seconds = baseline_seconds = 0.0
    err.print(f"timing {n_agents} agents × {m_jobs} jobs, guarded and unguarded in turns…")
    for j in range(m_jobs):
        started = time.perf_counter()
        one_round(raw, 10_000 + j * n_agents)
        baseline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        jobs += one_round(agents, len(jobs))
        seconds += time.perf_counter() - started

    # untimed: feedback, one rejection, one expiry refund
    for client_name, job_id in jobs:
        agents[client_name].rate(job_id, provider.card, 90)
    first = agents[clients[0]]
    spec = Spec(kind="factorise", n=15)
    offer = first.propose(provider.card, evaluator.card, spec, "USDC", PRICE)
    agreed = first.respond(provider.consider(offer, first.card), offer, provider.card)
    rejected = first.open_job(agreed)
    provider.deliver(rejected, spec, Deliverable(spec_hash=spec.hash, factors=[15]))
    if evaluator.evaluate(rejected, spec)[0]:
        raise BenchmarkFailure("a wrong factorisation was accepted")
    offer = first.propose(provider.card, evaluator.card, spec, "USDC", PRICE,
                          job_seconds=EXPIRY_SECONDS)
    agreed = first.respond(provider.consider(offer, first.card), offer, provider.card)
    expiring = first.open_job(agreed)
    travel(market, EXPIRY_SECONDS + 1)
    if first.claim_refund(expiring) != agreed.price:
        raise BenchmarkFailure("the expiry refund did not return the whole budget")

    payout, _, _ = market.fees(ASKING, 100)
    received = market.balance(usdc, provider.address) - provider_before
    paid_jobs = 2 * len(jobs)  # the baseline's jobs pay the same provider wallet
    if received != payout * paid_jobs:
        raise BenchmarkFailure(f"the provider received {received}, expected {payout * paid_jobs}")
    standing = market.standing(provider.agent_id, provider.address)
    if standing.jobs != len(jobs):
        raise BenchmarkFailure(f"{standing.jobs} ratings recorded, expected {len(jobs)}")

    by_phase: dict[str, list[int]] = {}
    for event in events:
        if event.phase in PHASES:
            by_phase.setdefault(event.phase, []).append(event.gas_used or 0)
    gas = {phase: {"median": int(statistics.median(v)), "min": min(v), "max": max(v), "n": len(v)}
           for phase, v in by_phase.items()}
    per_job = sum(gas[p]["median"] for p in ("createJob", "setBudget", "approve", "fund",
                                              "submit", "complete"))
    total = len(jobs)
    return Result(backend=backend, agents=n_agents, jobs_per_agent=m_jobs, jobs=total,
                  seconds=round(seconds, 3), jobs_per_second=round(total / seconds, 3),
                  seconds_per_job=round(seconds / total, 3), gas=gas, gas_per_job_total=per_job,
                  verified=True, baseline_seconds=round(baseline_seconds, 3),
                  baseline_jobs_per_second=round(total / baseline_seconds, 3),
                  guard_overhead_ratio=round(seconds / baseline_seconds, 2))


def render(result: Result) -> list[Table]:
    speed = Table(title=f"Agent commerce on {result.backend}: end to end (negotiate → create → "
                        "fund → submit → complete)")
    for column in ("way", "agents", "jobs each", "jobs", "seconds", "jobs/s", "s/job"):
        speed.add_column(column, justify="right")
    speed.add_row("Steward (guard + executor)", str(result.agents), str(result.jobs_per_agent),
                  str(result.jobs), f"{result.seconds:.2f}", f"{result.jobs_per_second:.2f}",
                  f"{result.seconds_per_job:.2f}")
    speed.add_row("baseline (raw web3.py)", str(result.agents), str(result.jobs_per_agent),
                  str(result.jobs), f"{result.baseline_seconds:.2f}",
                  f"{result.baseline_jobs_per_second:.2f}",
                  f"{result.baseline_seconds / result.jobs:.2f}")
    speed.caption = (f"Steward takes {result.guard_overhead_ratio:.2f}× the baseline's time per "
                     "job: every transaction simulated, judged and journaled first")
    gas = Table(title="Gas per job phase")
    for column, justify in (("phase", "left"), ("median", "right"), ("min", "right"),
                            ("max", "right"), ("n", "right")):
        gas.add_column(column, justify=justify)  # type: ignore[arg-type]
    for phase in PHASES:
        if phase in result.gas:
            g = result.gas[phase]
            gas.add_row(phase, f"{g['median']:,}", f"{g['min']:,}", f"{g['max']:,}", str(g["n"]))
    gas.add_row("[bold]one completed job[/]", f"[bold]{result.gas_per_job_total:,}[/]", "", "", "")
    return [speed, gas]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=3, help="client agents (default 3)")
    parser.add_argument("--jobs", type=int, default=4, help="jobs per client agent (default 4)")
    parser.add_argument("--backend", choices=("anvil", "embedded"), default="anvil")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if args.agents < 1 or args.jobs < 1:
        parser.error("--agents and --jobs must be at least 1")
    err = Console(stderr=True)
    try:
        result = run(args.backend, args.agents, args.jobs, err)
    except BenchmarkFailure as exc:
        err.print(f"[red]benchmark failed:[/] {exc}")
        return 1
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        console = Console()
        for table in render(result):
            console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
