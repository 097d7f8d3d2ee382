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


def expect_refusal(request: str, what: str) -> None:
    """Ask, and show the guard's refusal; a demo that gets through is a failed demo."""
    try:
        cli.ask(request, yes=True)
    except StewardError as refusal:
        console.print(f"[bold green]refused, as it should be:[/] {safe(str(refusal))}")
    else:
        raise StewardError(f"the guard let {what} through")


def run_demo() -> None:
    step("1. Build the sandbox world (two EVM chains and a Solana one, tokens, pools, bridges, "
         "a funded wallet)")
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
    expect_refusal(f"send 2000 USDC to {fake_bob} on l1", "a poisoned, over-limit payment")
    step('8. "swap 100 USDC for ZHONEY on l1": due diligence finds a honeypot, the guard refuses')
    expect_refusal("swap 100 USDC for ZHONEY on l1", "a swap into a honeypot")
    step("9. The portfolio afterwards")
    cli.balance(hide_zero=True)
    step("10. The journal: every verdict and every transaction")
    cli.log(limit=8)
    guarded_account_demo()
    from steward.cli.solana_demo import solana_demo

    solana_demo(step, expect_refusal)


def guarded_account_demo() -> None:
    """The opt-in backstop: the same wallet as a guarded account on l1 (the thief with the
    agent key who skips Steward altogether is `scripts/stolen_agent_key.py`: not Steward)."""
    from steward.accounts.store import accounts_of
    from steward.cli.account_cmd import render
    from steward.service import accounts
    from steward.wallets import WalletStore, read_passphrase

    step("11. Opt in: the wallet's own address becomes a guarded account on l1 (EIP-7702), "
         "its policy compiled from the same mandate")

    if any(r.chain == "sandbox-l1" for r in accounts_of(WalletStore().resolve(None))):
        render(accounts.show_account(None, "l1"), json_out=False)  # a demo run before
    else:
        render(accounts.upgrade_account(None, "l1", read_passphrase()), json_out=False)
    step('12. "pay bob 25 USDC on l1": judged by the guard, then sent as one batch signed by '
         "the agent key, judged again by the account")
    cli.ask("pay bob 25 USDC on l1", yes=True)
    console.print("[dim]Next (`make demo` runs it): scripts/stolen_agent_key.py — a thief with "
                  "the agent key and web3.py alone, no Steward.[/]")
