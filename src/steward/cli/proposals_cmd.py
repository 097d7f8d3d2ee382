"""`steward proposals | approve ID | reject ID | execute ID`: the approval queue from a terminal.

Proposals come from the API, the dashboard and MCP clients. A person approves or rejects the
pending ones here; execution re-simulates every step and refuses if anything changed.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.panel import Panel
from rich.table import Table

from steward import service
from steward.cli.render import JsonOption, DECISION_STYLE, SEVERITY_STYLE, console, print_json
from steward.display import safe
from steward.units import format_units
from steward.wallets import read_passphrase

if TYPE_CHECKING:  # the proposal queue loads fulfilment (and web3): only where it is used
    from steward.proposals import Proposal

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Approve without asking.")]


def proposal_panel(proposal: Proposal) -> Panel:
    """What will be signed comes first, from the guard's preview (built from the simulation and
    the decoded calls); the request is outside text, shown escaped and labelled as what was
    asked, after it, so no request can pass itself off as the preview."""
    lines = [f"Status: [bold]{safe(proposal.status)}[/]   "
             f"expires {proposal.expires_at:%Y-%m-%d %H:%M:%S} UTC",
             f"Wallet: {safe(proposal.wallet)} ({safe(proposal.address)})"]
    for index, step in enumerate(proposal.steps, 1):
        style = DECISION_STYLE[step.decision]
        lines += ["", f"[bold]Step {index}[/] on {safe(step.chain)}: {safe(step.summary)}",
                  f"  [bold]Preview (simulated):[/] {safe(step.preview.text)}"]
        for change in step.changes:
            sign = "+" if change.delta > 0 else "−"
            lines.append(f"  {sign}{format_units(abs(change.delta), change.decimals)} "
                         f"{safe(change.symbol)}")
        lines.append(f"  Verdict: [{style}]{step.decision.upper()}[/] — {safe(step.explanation)}")
        for finding in step.findings:
            lines.append(f"  [{SEVERITY_STYLE[finding.severity]}]{finding.severity}[/] "
                         f"{safe(finding.message)}")
        if step.tx_hashes:
            lines.append(f"  sent: {safe(', '.join(step.tx_hashes))}")
    if proposal.question:
        lines += ["", f"Question: {safe(proposal.question)}"
                  + (f" ({safe(', '.join(proposal.options))})" if proposal.options else "")]
    lines += ["", f"[dim]Asked (the requester's words as received; not what is signed):[/] "
                  f"{safe(proposal.request)}"]
    if proposal.message:
        lines += ["", safe(proposal.message, multiline=True)]
    return Panel("\n".join(lines), title=f"Proposal {safe(proposal.id)}", expand=False)


def show(proposal: Proposal, as_json: bool) -> None:
    if as_json:
        print_json(proposal.model_dump(mode="json"))
    else:
        console.print(proposal_panel(proposal))


def register(app: typer.Typer) -> None:
    @app.command("proposals")
    def proposals(
        status: Annotated[Optional[str], typer.Option(help="Only this status, e.g. pending.")] = None,
        limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
        as_json: JsonOption = False,
    ) -> None:
        """The proposals waiting for a person, and the recent ones."""
        found = service.list_proposals(status, limit)
        if as_json:
            print_json([p.model_dump(mode="json") for p in found])
            return
        table = Table(title="Proposals")
        for column in ("Id", "Created (UTC)", "Wallet", "Status", "Request"):
            table.add_column(column)
        for p in found:
            # cut before escaping: a cut through the escaped form could open a tag
            table.add_row(safe(p.id), f"{p.created_at:%Y-%m-%d %H:%M:%S}", safe(p.wallet),
                          safe(p.status), safe(p.request[:60]))
        console.print(table)

    @app.command("proposal")
    def proposal_show(proposal_id: str, as_json: JsonOption = False) -> None:
        """One proposal: the preview, balance changes, findings and the mandate's reasons."""
        show(service.get_proposal(proposal_id), as_json)

    @app.command("approve")
    def approve(
        proposal_id: str,
        yes: YesOption = False,
        execute: Annotated[bool, typer.Option("--execute", help="Sign it right away.")] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Approve a pending proposal after reading its preview (asks unless --yes)."""
        from steward.cli.app import confirm  # app.py registers these commands: import late

        proposal = service.get_proposal(proposal_id)
        if not as_json:
            console.print(proposal_panel(proposal))
        confirm(f"Approve proposal {safe(proposal.id)}?", yes)
        decided = service.approve(proposal_id, by=f"cli ({getpass.getuser()})")
        if execute:
            decided = service.execute(proposal_id, read_passphrase())
        if as_json or execute:
            show(decided, as_json)
        else:
            console.print(safe(decided.message, multiline=True))
        _exit_on_failure(decided)

    @app.command("reject")
    def reject(proposal_id: str, as_json: JsonOption = False) -> None:
        """Reject a proposal; nothing of it will ever be signed."""
        decided = service.reject(proposal_id, by=f"cli ({getpass.getuser()})")
        if as_json:
            show(decided, as_json)
        else:
            console.print(safe(decided.message, multiline=True))

    @app.command("execute")
    def execute(proposal_id: str, as_json: JsonOption = False) -> None:
        """Sign an allowed or approved proposal (simulated again first; refused if it changed)."""
        done = service.execute(proposal_id, read_passphrase())
        show(done, as_json)
        _exit_on_failure(done)


def _exit_on_failure(proposal: Proposal) -> None:
    if proposal.status in ("failed", "partial", "stale", "tampered"):
        raise typer.Exit(1)
