"""`steward demo`: the main job end to end on the sandbox, printing each step."""

from __future__ import annotations

from rich.rule import Rule

from steward.cli import app as cli
from steward.cli.render import console
from steward.contacts import load_contacts
from steward.errors import StewardError


def step(title: str) -> None:
    console.print(Rule(f"[bold]{title}"))


def lookalike_of(address: str) -> str:
    """An address with the same first and last four hex digits: what a poisoner sends from."""
    from web3 import Web3

    body = address[2:].lower()
    middle = "".join("0" if ch != "0" else "1" for ch in body[4:-4])
    return Web3.to_checksum_address("0x" + body[:4] + middle + body[-4:])


def run_demo() -> None:
    step("1. Build the sandbox world (two chains, tokens, pools, a bridge, a funded wallet)")
    cli.sandbox_up()
    step("2. The portfolio across wallets and chains")
    cli.balance(hide_zero=True)
    console.print("[dim]Every action below is simulated and judged by the guard against the "
                  "wallet's mandate before anything is signed; the demo answers the "
                  "confirmation prompts with yes (--yes).[/]")
    step("3. Pay bob 25 USDC on sandbox-l1")
    cli.send("25", "USDC", "bob", chain="sandbox-l1", yes=True)
    step("4. Swap 500 USDC for ETH on sandbox-l1 (best route, 0.5% slippage limit)")
    cli.swap("500", "USDC", "ETH", chain="sandbox-l1", yes=True)
    step("5. Bridge 1,000 USDC from sandbox-l1 to sandbox-l2")
    cli.bridge("1000", "USDC", to_chain="sandbox-l2", chain="sandbox-l1", yes=True)
    step("6. Swap 0.1 ETH for USDT on sandbox-l2")
    cli.swap("0.1", "ETH", "USDT", chain="sandbox-l2", yes=True)
    step("7. A poisoned look-alike of bob's address asks for 2,000 USDC: the guard refuses")
    fake_bob = lookalike_of(load_contacts()["bob"].address)
    try:
        cli.send("2000", "USDC", fake_bob, chain="sandbox-l1", yes=True)
    except StewardError as refusal:
        console.print(f"[bold green]refused, as it should be:[/] {refusal}")
    else:
        raise StewardError("the guard let a poisoned, over-limit payment through")
    step("8. The portfolio afterwards")
    cli.balance(hide_zero=True)
    step("9. The journal: every verdict and every transaction")
    cli.log(limit=8)
