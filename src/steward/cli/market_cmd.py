"""`steward market demo`: agents hiring agents on the sandbox (`steward.cli.market_demo`, loaded
only by the command: it builds the sandbox and the commerce contracts)."""

from __future__ import annotations

from typing import Annotated

import typer

market_app = typer.Typer(help="Agents that trade with agents: escrowed jobs, evaluators, "
                              "reputation, pools.", no_args_is_help=True)


@market_app.command("demo")
def demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False
         ) -> None:
    """Three agents and a pool of two clients trade on the sandbox (built if needed)."""
    from steward.cli.market_demo import run_market_demo  # the sandbox and commerce: loaded here

    run_market_demo(as_json)
