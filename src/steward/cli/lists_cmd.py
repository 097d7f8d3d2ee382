"""`steward lists update|show`: the phishing list link checks consult (MetaMask's)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from steward.cli.render import JsonOption, console, print_json
from steward.display import safe

lists_app = typer.Typer(help="The phishing list that `steward check url` consults "
                             "(MetaMask's eth-phishing-detect).", no_args_is_help=True)


def _info_table(info, title: str) -> Table:
    """Every value comes from the list or its package: escaped, never markup."""
    table = Table(title=title, show_header=False)
    table.add_column("field")
    table.add_column("value")
    rows = [("list", info.name), ("package version", info.package_version or "—"),
            ("list version", str(info.list_version)), ("published", info.published or "—"),
            ("installed", info.installed_at), ("source", info.source),
            ("sha256", info.sha256), ("tolerance", str(info.tolerance)),
            ("whitelist", str(info.whitelist)), ("blacklist", str(info.blacklist)),
            ("fuzzylist", str(info.fuzzylist))]
    for field, value in rows:
        table.add_row(field, safe(value))
    return table


@lists_app.command("update")
def lists_update(
    from_file: Annotated[Optional[str], typer.Option(
        "--from", help="A list file in eth-phishing-detect's config.json format.")] = None,
    from_package: Annotated[Optional[str], typer.Option(
        "--from-package", help="An unpacked eth-phishing-detect npm package folder.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Install the list (default: the package `make setup-tools` unpacked in .tools); a bad
    file is refused and the installed list kept."""
    from steward.diligence.phishing_list import update

    info = update(from_file, from_package)
    if as_json:
        print_json(info.model_dump(mode="json"))
        return
    console.print(f"installed {safe(info.label())}: {info.whitelist} whitelisted, "
                  f"{info.blacklist} blacklisted, {info.fuzzylist} fuzzy-matched hosts",
                  highlight=False)


@lists_app.command("show")
def lists_show(as_json: JsonOption = False) -> None:
    """What is installed, or that nothing is."""
    from steward.diligence.phishing_list import NO_LIST_LINE, installed_info

    info = installed_info()
    if as_json:
        print_json(info.model_dump(mode="json") if info else None)
        return
    if info is None:
        console.print(safe(NO_LIST_LINE), highlight=False)
        return
    console.print(_info_table(info, "Phishing list"))
