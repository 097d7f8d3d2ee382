"""`steward account …`: the mandate on chain. `upgrade` turns the wallet's own address into a
guarded account (EIP-7702), `create` deploys one for chains without it, `show` prints the policy
on chain, what was used this window, the worst case a stolen agent key could still take, and
where the chain is looser than the mandate file; `pause` stops the agent key at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from steward.cli.render import console, print_json
from steward.display import safe
from steward.wallets import read_passphrase

if TYPE_CHECKING:
    from steward.service.accounts import AccountOut

account_app = typer.Typer(help="Guarded accounts: the mandate enforced on chain, so a stolen "
                               "agent key cannot exceed it.", no_args_is_help=True)

WalletOption = Annotated[Optional[str],
                         typer.Option("--wallet", "-w", help="Wallet name (default wallet if left out).")]
ChainOption = Annotated[str, typer.Option("--chain", "-c", help="The chain (name or alias).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _service():
    """`steward.service.accounts`, loaded by the command that uses it (it loads web3)."""
    from steward.service import accounts

    return accounts


def _duration(seconds: int) -> str:
    if seconds and seconds % 86_400 == 0:
        return f"{seconds // 86_400} day(s)"
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds} s"


def render(account: AccountOut, json_out: bool) -> None:
    if json_out:
        print_json(account.model_dump())
        return
    how = ("EIP-7702: the wallet's own address" if account.mode == "7702"
           else "a deployed account contract")
    head = Table(title=f"Guarded account of {safe(account.wallet)} on {safe(account.chain)}",
                 show_header=False)
    head.add_column("", style="bold")
    head.add_column("")
    rows = [
        ("address", f"{account.address} ({how})"),
        ("owner (sets the policy)", account.owner),
        ("agent key (Steward signs with it)", f"{account.agent} — gas money {account.agent_gas}"),
        ("status", "PAUSED: the agent key can do nothing" if account.paused else "active"),
        ("window", f"fixed, {_duration(account.window_seconds)} (window k = [k·period, "
                   "(k+1)·period) of block time)"),
        ("loosening takes effect after", _duration(account.timelock_seconds)),
        ("USD per window", f"{account.window_usd_limit} (used {account.window_usd_spent})"),
        ("USD per batch", account.batch_usd_limit),
        ("allowlist", f"{account.allowlist_entries} contract functions"
                      + ("; plain coin sends allowed" if account.native_sends else "")),
    ]
    for label, value in rows:
        head.add_row(label, safe(value))
    console.print(head)
    assets = Table(title="Tracked assets (losses per window; gains never offset them)")
    for column in ("Asset", "Limit per window", "Used this window", "Counts as (USD/unit)"):
        assets.add_column(column)
    for asset in account.assets:
        assets.add_row(safe(asset.symbol), safe(asset.limit), safe(asset.spent),
                       safe(asset.usd_rate))
    console.print(assets)
    console.print(f"[bold]Worst case with a stolen agent key:[/] {safe(account.worst_case_per_window_usd)}"
                  f" per window; {safe(account.worst_case_per_day_usd)} in any 24 h", highlight=False)
    for note in account.worst_case_notes + account.notes:
        console.print(f"  [dim]• {safe(note)}[/]", highlight=False)
    if account.looser_than_file:
        console.print("[bold yellow]The policy on chain is looser than the mandate file:[/]")
        for line in account.looser_than_file:
            console.print(f"  [yellow]• {safe(line)}[/]", highlight=False)
    else:
        console.print("[green]The policy on chain is at least as strict as the mandate file.[/]")


@account_app.command("upgrade")
def upgrade(chain: ChainOption, wallet: WalletOption = None, json_out: JsonOption = False) -> None:
    """Turn the wallet's own address into a guarded account (EIP-7702), its policy compiled from
    the mandate; Steward then signs there with a new agent key only."""
    render(_service().upgrade_account(wallet, chain, read_passphrase()), json_out)


@account_app.command("create")
def create(chain: ChainOption, wallet: WalletOption = None, json_out: JsonOption = False) -> None:
    """Deploy a guarded account contract owned by the wallet (for chains without EIP-7702)."""
    render(_service().create_account(wallet, chain, read_passphrase()), json_out)


@account_app.command("show")
def show(chain: ChainOption, wallet: WalletOption = None, json_out: JsonOption = False) -> None:
    """The policy on chain, this window's use, the worst case, and drift from the mandate."""
    render(_service().show_account(wallet, chain), json_out)


@account_app.command("fund")
def fund(chain: ChainOption, amount: Annotated[str, typer.Option(
        "--amount", help="How much of the chain's coin to send the agent key for gas.")] = "0.01",
        wallet: WalletOption = None, json_out: JsonOption = False) -> None:
    """Top up the agent key's gas money from the wallet (judged by the guard like any payment)."""
    render(_service().fund_agent(wallet, chain, read_passphrase(), amount), json_out)


@account_app.command("pause")
def pause(chain: ChainOption, wallet: WalletOption = None, json_out: JsonOption = False) -> None:
    """Stop the agent key at once (the owner signs; unpausing waits for the timelock)."""
    render(_service().pause_account(wallet, chain, read_passphrase()), json_out)
