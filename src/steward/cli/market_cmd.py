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
