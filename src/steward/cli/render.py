"""How the CLI shows things: rich tables for people, JSON for machines."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rich.console import Console
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table

from steward.contacts import short
from steward.display import safe, visible
from steward.units import format_units

if TYPE_CHECKING:  # for annotations only: execution, the guard and the portfolio load web3
    from steward.execution import PlanResult
    from steward.guard import Verdict
    from steward.journal import JournalEntry, VerdictEntry
    from steward.plans import Plan
    from steward.service import PortfolioOut


# Options every command spells the same way.
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
WalletOption = Annotated[Optional[str], typer.Option("--wallet", "-w",
                                                     help="Wallet name (default: the default).")]
# Piped output (logs, CI, `make demo` under a pager) gets a readable width instead of rich's 80.
_PIPED_WIDTH = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120


class SafeConsole(Console):
    """A console on which no character of any string can drive the terminal or hide text.

    Outside text must still go through `steward.display.safe` where it is put into markup (that
    is what escapes `[conceal]` and friends). This is the net under it: control, bidi and
    zero-width characters become visible in every string before markup is parsed (so widths
    are right) and in every segment written (titles and prompts parse markup without
    `render_str`). Emoji codes stay text: `:warning:` in a contact name is not an icon.
    """

    def __init__(self, **kwargs):
        super().__init__(emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs):
        return super().render_str(visible(text, multiline=True), **kwargs)

    def render(self, renderable, options=None):
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(visible(segment.text, multiline=True), segment.style)


console = SafeConsole(width=_PIPED_WIDTH)
err_console = SafeConsole(stderr=True, width=_PIPED_WIDTH)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def usd(amount: int | None) -> str:
    from steward.portfolio import USD_DECIMALS

    return "—" if amount is None else "$" + format_units(amount, USD_DECIMALS, places=2)


def portfolio_table(portfolio: PortfolioOut, hide_zero: bool = False) -> Table:
    table = Table(title="Portfolio", show_footer=True)
    table.add_column("Wallet", footer="Total")
    table.add_column("Chain")
    table.add_column("Asset")
    table.add_column("Balance", justify="right")
    table.add_column("USD", justify="right", footer=usd(portfolio.total_usd_value))
    totals = {w.wallet: w.usd_value for w in portfolio.wallets}
    wallets = sorted({h.wallet for h in portfolio.holdings})
    for wallet in wallets:
        for h in portfolio.holdings:
            if h.wallet != wallet or (hide_zero and h.balance == 0):
                continue
            table.add_row(safe(h.wallet), safe(h.chain), safe(h.symbol),
                          format_units(h.balance, h.decimals, 4), usd(h.usd_value))
        if len(wallets) > 1:
            table.add_row(f"[bold]{safe(wallet)} total[/]", "", "", "",
                          f"[bold]{usd(totals.get(wallet, 0))}[/]", end_section=True)
    return table


def quote_table(quotes: list) -> Table:
    """Quotes (`steward.fulfilment.QuoteLine`): what is paid and got on each chain, by which
    venue and route. Symbols and venue names come from configs: escaped all the same."""
    table = Table(title="Quote (pools' current prices, before fees of the network)")
    for column in ("Chain", "You pay", "You get", "Route"):
        table.add_column(column)
    for quote in quotes:
        route = " → ".join(quote.route) + (f" on {quote.venue}" if quote.venue else "")
        table.add_row(safe(quote.chain), safe(quote.amount_in), safe(quote.amount_out),
                      safe(route))
    return table


def plan_table(plan: Plan) -> Table:
    table = Table(title=f"Plan on {safe(plan.chain)}: {safe(plan.summary)}")
    table.add_column("#", justify="right")
    table.add_column("Step")
    table.add_column("Contract / recipient")
    for index, call in enumerate(plan.calls, 1):
        table.add_row(str(index), safe(call.description),
                      short(call.to) if call.to else "(new contract)")
    return table


def result_table(result: PlanResult) -> Table:
    table = Table(title="Done")
    table.add_column("Step")
    table.add_column("Transaction")
    table.add_column("Block", justify="right")
    table.add_column("Gas", justify="right")
    for step in result.steps:
        table.add_row(safe(step.description), safe(step.tx_hash), str(step.block_number),
                      f"{step.gas_used:,}")
    return table


def result_json(result: PlanResult) -> dict:
    return {"plan": result.plan.model_dump(),
            "steps": [step.__dict__ for step in result.steps]}


def journal_table(entries: list[JournalEntry]) -> Table:
    table = Table(title="Journal")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Time (UTC)", no_wrap=True)
    table.add_column("Chain", no_wrap=True)
    table.add_column("Wallet", no_wrap=True)
    table.add_column("What", ratio=1, min_width=24)
    table.add_column("Status", no_wrap=True)
    table.add_column("Tx", no_wrap=True)
    for e in entries:
        style = {"success": "green", "pending": "yellow"}.get(e.status, "red")
        what = e.purpose + (f" — {e.error}" if e.error else "")
        table.add_row(str(e.id), e.created_at[11:19], safe(e.chain), safe(e.wallet), safe(what),
                      f"[{style}]{safe(e.status)}[/]", safe(e.tx_hash[:10]))
    return table


DECISION_STYLE = {"allow": "green", "confirm": "yellow", "deny": "bold red"}
SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "danger": "bold red"}


def verdict_panel(verdict: Verdict) -> Panel:
    """The preview and the guard's verdict, as a person should read them before signing.

    The preview is written by the guard from the simulation and the decoded calls; the names in
    it (contacts, token symbols, revert reasons) are outside text, so all of it is escaped."""
    lines = [safe(verdict.preview.text), ""]
    style = DECISION_STYLE[verdict.decision]
    lines.append(f"Verdict: [{style}]{verdict.decision.upper()}[/]"
                 + (f" — {safe(verdict.explanation)}" if verdict.reasons
                    else " — within the mandate"))
    for finding in verdict.findings:
        lines.append(f"  [{SEVERITY_STYLE[finding.severity]}]{finding.severity}[/] "
                     f"{safe(finding.message)}")
    sim = verdict.simulation
    lines.append(f"[dim]Simulated on {safe(sim.method)}: {len(sim.steps)} step(s), "
                 f"{sim.gas_used:,} gas.[/]")
    return Panel("\n".join(lines), title="Preview (simulated before signing)", expand=False)


def verdict_json(verdict: Verdict) -> dict:
    return verdict.model_dump(exclude={"tag"})


def verdicts_table(entries: list[VerdictEntry]) -> Table:
    table = Table(title="Guard verdicts")
    table.add_column("Time (UTC)", no_wrap=True)
    table.add_column("Wallet", no_wrap=True)
    table.add_column("Chain", no_wrap=True)
    table.add_column("Plan", ratio=1, min_width=24)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Why", ratio=1)
    table.add_column("USD", justify="right", no_wrap=True)
    table.add_column("Outcome", no_wrap=True)
    for e in entries:
        style = DECISION_STYLE.get(e.decision, "")
        table.add_row(e.created_at[11:19], safe(e.wallet), safe(e.chain), safe(e.summary),
                      f"[{style}]{safe(e.decision)}[/]", safe("; ".join(e.reasons)) or "—",
                      usd(e.usd_outflow), safe(e.status))
    return table
