"""`steward demo`: the main job end to end on the sandbox, printing each step."""

from __future__ import annotations

import os

from rich.rule import Rule

from steward.cli import app as cli
from steward.cli.render import console


def step(title: str) -> None:
    console.print(Rule(f"[bold]{title}"))


def run_demo() -> None:
    if not os.environ.get("STEWARD_PASSPHRASE"):
        console.print("[dim]The demo wallet's keystore is encrypted with the passphrase you type.[/]")
    step("1. Build the sandbox world (two chains, tokens, pools, a bridge, funded wallet)")
    cli.sandbox_up()
    step("2. The portfolio across wallets and chains")
    cli.balance(hide_zero=True)
    step("3. Pay bob 25 USDC on sandbox-l1")
    cli.send("25", "USDC", "bob", chain="sandbox-l1", yes=True)
    step("4. Swap 500 USDC for ETH on sandbox-l1 (best route, 0.5% slippage limit)")
    cli.swap("500", "USDC", "ETH", chain="sandbox-l1", yes=True)
    step("5. Bridge 1,000 USDC from sandbox-l1 to sandbox-l2")
    cli.bridge("1000", "USDC", to_chain="sandbox-l2", chain="sandbox-l1", yes=True)
    step("6. Swap 0.1 ETH for USDT on sandbox-l2")
    cli.swap("0.1", "ETH", "USDT", chain="sandbox-l2", yes=True)
    step("7. The portfolio afterwards")
    cli.balance(hide_zero=True)
    step("8. The journal")
    cli.log(limit=6)
