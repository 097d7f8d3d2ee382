"""`steward demo`: the main job end to end on the sandbox, printing each step."""

from __future__ import annotations

from rich.rule import Rule

from steward.cli import app as cli
from steward.cli.render import console
from steward.contacts import load_contacts
from steward.display import safe
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
    step('3. "pay bob 25 USDC on l1"')
    cli.ask("pay bob 25 USDC on l1", yes=True)
    step('4. "swap 500 USDC for ETH on l1" (best route, 0.5% slippage limit)')
    cli.ask("swap 500 USDC for ETH on l1", yes=True)
    step('5. "bridge 1,000 USDC to the l2, then swap half of it for ETH"')
    cli.ask("bridge 1,000 USDC to the l2, then swap half of it for ETH", yes=True)
    step('6. "send 5 USDC to bob": which chain? Steward asks instead of guessing')
    try:
        cli.ask("send 5 USDC to bob", yes=True)
    except SystemExit as stop:
        if stop.code != 3:
            raise
    step("7. A poisoned look-alike of bob's address asks for 2,000 USDC: the guard refuses")
    fake_bob = lookalike_of(load_contacts()["bob"].address)
    try:
        cli.ask(f"send 2000 USDC to {fake_bob} on l1", yes=True)
    except StewardError as refusal:
        console.print(f"[bold green]refused, as it should be:[/] {safe(str(refusal))}")
    else:
        raise StewardError("the guard let a poisoned, over-limit payment through")
    step('8. "swap 100 USDC for ZHONEY on l1": due diligence finds a honeypot, the guard refuses')
    try:
        cli.ask("swap 100 USDC for ZHONEY on l1", yes=True)
    except StewardError as refusal:
        console.print(f"[bold green]refused, as it should be:[/] {safe(str(refusal))}")
    else:
        raise StewardError("the guard let a swap into a honeypot through")
    step("9. The portfolio afterwards")
    cli.balance(hide_zero=True)
    step("10. The journal: every verdict and every transaction")
    cli.log(limit=8)
