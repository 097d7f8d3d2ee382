"""`steward mandate …`: show, check and create the owner's mandate file of a wallet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from steward.display import safe
from steward.cli.render import console, print_json
from steward.wallets import WalletStore, check_name

# `steward.guard.mandate` is imported by each command: loading it loads the guard (and web3).

mandate_app = typer.Typer(help="The owner's mandate: limits, allowlists, approval rules.",
                          no_args_is_help=True)

WalletOption = Annotated[Optional[str],
                         typer.Option("--wallet", "-w", help="Wallet name (default wallet if left out).")]


@mandate_app.command("show")
def show(
    wallet: WalletOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """The effective mandate of a wallet: its file, or the built-in default."""
    from steward.guard.mandate import DEFAULT_SOURCE, load_mandate, mandate_path, mandate_summary

    name = WalletStore().resolve(wallet)
    mandate = load_mandate(name)
    if json_out:
        print_json(mandate.model_dump())
        return
    table = Table(title=f"Mandate of {safe(name)}", show_header=False)
    table.add_column("Rule", style="bold")
    table.add_column("Value")
    for label, value in mandate_summary(mandate):
        table.add_row(safe(label), safe(str(value)))  # lists like [alice, bob] are not markup
    source = mandate.source
    if source == DEFAULT_SOURCE:
        source += f" (no {mandate_path(name)}; `steward mandate init` writes one to edit)"
    table.add_row("source", safe(source))
    console.print(table)


@mandate_app.command("check")
def check(
    file: Annotated[Optional[Path], typer.Argument(help="A mandate file (the wallet's own file "
                                                        "if left out).")] = None,
    wallet: WalletOption = None,
) -> None:
    """Validate a mandate file; prints `ok: PATH` or the first problem, with its key."""
    from steward.chains.config import load_config
    from steward.guard.mandate import mandate_path, read_mandate_file

    if file is None:
        name = WalletStore().resolve(wallet)
        file = mandate_path(name)
    else:
        # A file checked on its own need not belong to an existing wallet yet.
        name = check_name(wallet) if wallet is not None else file.stem
    read_mandate_file(file, name, load_config())
    console.print(f"ok: {safe(str(file))}", highlight=False, soft_wrap=True)


@mandate_app.command("init")
def init(
    wallet: WalletOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file with "
                                                        "the default.")] = False,
) -> None:
    """Write the default mandate file of a wallet, commented, to edit."""
    from steward.guard.mandate import mandate_path, write_default_mandate

    name = WalletStore().resolve(wallet)
    path = mandate_path(name)
    existed = path.exists()
    write_default_mandate(name, overwrite=force)
    if existed and not force:
        console.print(f"{safe(str(path))} already exists; left as it is (--force replaces it "
                      "with the default)", highlight=False, soft_wrap=True)
    else:
        console.print(f"wrote {safe(str(path))}; edit it, then run "
                      f"`steward mandate check --wallet {safe(name)}`",
                      highlight=False, soft_wrap=True)
