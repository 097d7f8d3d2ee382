"""`steward market`: agents hiring agents on the sandbox (`demo`), and the compute market
(`compute-demo`, `compute-provider`). The heavy modules are loaded only by the command that
needs them."""

from __future__ import annotations

from typing import Annotated

import typer

market_app = typer.Typer(help="Agents that trade with agents: escrowed jobs, evaluators, "
                              "reputation, pools, and a compute market with staked providers.", no_args_is_help=True)


@market_app.command("demo")
def demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False
         ) -> None:
    """Three agents and a pool of two clients trade on the sandbox (built if needed)."""
    from steward.cli.market_demo import run_market_demo  # the sandbox and commerce: loaded here

    run_market_demo(as_json)


def _need_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        from steward.errors import StewardError

        raise StewardError("the compute market needs numpy: pip install 'steward[compute]' "
                           "(or `make setup-compute`)") from None


@market_app.command("compute-demo")
def compute_demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
                 = False) -> None:
    """Staked compute providers as real processes: honest jobs paid, a cheater and a lazy
    provider caught and slashed, a spoofed-hardware claim rejected (sandbox, unattended)."""
    _need_numpy()
    from steward.cli.compute_demo import run_compute_demo

    run_compute_demo(as_json)


@market_app.command("compute-provider")
def compute_provider(
    wallet: Annotated[str, typer.Option("--wallet", "-w", help="The provider's wallet.")],
    strategy: Annotated[str, typer.Option(help="honest, or a cheater for tests and demos: skip, "
                                               "random, partial, honest-until-trusted.")]
    = "honest",
    port: Annotated[int, typer.Option(help="Loopback port of its HTTP endpoint (0: any).")] = 0,
    stake: Annotated[int, typer.Option(help="USDC to stake when it first registers.")] = 50,
    hardware: Annotated[str | None, typer.Option(help="Hardware to list (default: what it "
                                                      "runs on).")] = None,
    claim_gflops: Annotated[int | None, typer.Option(help="GFLOPS to claim (default: half of "
                                                          "what it measures).")] = None,
    backend: Annotated[str, typer.Option(help="auto, numpy, torch or cupy.")] = "auto",
    poll: Annotated[float, typer.Option(help="Seconds between looks at the chain.")] = 0.3,
) -> None:
    """Run a compute provider worker on the sandbox until stopped: stakes once, accepts its
    jobs, computes, commits, serves results and answers challenges, every step guarded."""
    _need_numpy()
    from steward.compute.worker import WorkerOptions, main

    main(WorkerOptions(wallet, strategy, port, stake=stake * 10**6, hardware=hardware,
                       claim_gflops=claim_gflops, backend=backend, poll_seconds=poll))


def _usdc(amount: int) -> str:
    from steward.units import format_units

    return format_units(amount, 6)


@market_app.command("compute-jobs")
def compute_jobs(chain: str = "sandbox-l1",
                 as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
                 = False) -> None:
    """Every compute job on the market, as the chain has it."""
    from rich.table import Table

    from steward.chains.turn import chain_turn
    from steward.cli.render import console, print_json
    from steward.compute.market import ComputeMarket

    with chain_turn():
        market = ComputeMarket(chain)
        jobs = [market.job(job_id) for job_id in range(1, market.job_count() + 1)]
    rows = [{"job_id": j.job_id, "buyer": j.buyer, "provider": j.provider, "kind": j.kind,
             "n": j.n, "price": j.price, "collateral": j.collateral, "state": j.state,
             "result_root": "0x" + j.result_root.hex()} for j in jobs]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Compute jobs on {chain} ({market.address})")
    for column in ("Job", "Buyer", "Provider", "Kind", "n", "Price (USDC)", "Collateral",
                   "State"):
        table.add_column(column, overflow="fold")
    style = {"settled": "green", "slashed": "red", "refunded": "yellow"}
    for row in rows:
        table.add_row(str(row["job_id"]), row["buyer"], row["provider"], row["kind"],
                      str(row["n"]), _usdc(row["price"]), _usdc(row["collateral"]),
                      f"[{style.get(row['state'], 'white')}]{row['state']}[/]")
    console.print(table)


@market_app.command("compute-providers")
def compute_providers(chain: str = "sandbox-l1",
                      as_json: Annotated[bool, typer.Option("--json",
                                                            help="Print JSON for machines.")]
                      = False) -> None:
    """Every registered compute provider: stake, claimed hardware, and its record (a bar of
    settled jobs beside slashed ones)."""
    from rich.table import Table

    from steward.chains.turn import chain_turn
    from steward.cli.render import console, print_json
    from steward.compute.market import ComputeMarket
    from steward.display import safe

    with chain_turn():
        market = ComputeMarket(chain)
        seen = dict.fromkeys(log.args.provider
                             for log in market.events("ProviderRegistered", 0, "latest"))
        listings = [market.provider(address) for address in seen]
    rows = [{"provider": p.address, "stake": p.stake, "locked": p.locked, "hardware": p.hardware,
             "claimed_gflops": p.claimed_gflops, "endpoint": p.endpoint,
             "jobs_settled": p.jobs_settled, "jobs_slashed": p.jobs_slashed} for p in listings]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Compute providers on {chain}")
    for column in ("Provider", "Stake (USDC)", "Locked", "Claimed hardware", "GFLOPS (claimed)",
                   "Record"):
        table.add_column(column, overflow="fold")
    for row in rows:
        record = (f"[green]{'█' * min(row['jobs_settled'], 30)}[/]"
                  f"[red]{'█' * min(row['jobs_slashed'], 30)}[/] "
                  f"{row['jobs_settled']} settled, {row['jobs_slashed']} slashed")
        table.add_row(row["provider"], _usdc(row["stake"]), _usdc(row["locked"]),
                      safe(row["hardware"]), str(row["claimed_gflops"]), record)
    console.print(table)
