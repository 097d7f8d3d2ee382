"""`steward check token|address|url`: due diligence before trusting a counterparty."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.panel import Panel
from rich.table import Table

from steward import service
from steward.cli.render import JsonOption, console, print_json
from steward.display import safe

check_app = typer.Typer(help="Check a token, an address or a link before trusting it.",
                        no_args_is_help=True)

VERDICT_STYLE = {"safe": "green", "caution": "yellow", "danger": "bold red"}
SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "danger": "bold red"}
ChainOption = Annotated[str, typer.Option(help="Chain name or alias.")]


def verdict_panel(title: str, verdict: str, reasons: list[str], extra: str = "") -> Panel:
    """Every argument is text from the report (token names, hosts, contact names): escaped."""
    style = VERDICT_STYLE.get(verdict, "")
    lines = [f"Verdict: [{style}]{safe(verdict.upper())}[/]"
             + (f"  {safe(extra)}" if extra else "")]
    lines += [f"  • {safe(reason)}" for reason in reasons]
    return Panel("\n".join(lines), title=safe(title), expand=False)


def findings_table(findings, message: str = "message", how: str = "how") -> Table:
    table = Table(title="Findings")
    for column in ("Severity", "What", "How it was established"):
        table.add_column(column)
    for f in findings:
        table.add_row(f"[{SEVERITY_STYLE.get(f.severity, '')}]{safe(f.severity)}[/]",
                      safe(getattr(f, message)), safe(getattr(f, how)))
    return table


MINT_FIELDS = ("mintable", "freezable", "closable", "transfer_fee", "transfer_fee_upgradable",
               "permanent_delegate", "transfer_hook", "non_transferable", "default_account_state",
               "pausable", "confidential_transfer", "interest_bearing", "metadata_mutable")


def _check_mint(address: str, chain: str, as_json: bool) -> None:
    from steward.service.checks import check_mint

    report = check_mint(address, chain)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    verdict = {"ok": "safe"}.get(report.verdict, report.verdict)
    reasons = [f.message for f in report.findings if f.severity != "info"]
    console.print(verdict_panel(f"SPL mint {report.mint} on {report.chain}", verdict, reasons,
                                f"{report.token_program or 'not a mint'}, score {report.score}/100"))
    table = Table(title="Mint security")
    for column in ("Field", "Present", "Authority / value", "How it was established"):
        table.add_column(column)
    for name in MINT_FIELDS:
        field = getattr(report, name)
        shown = field.authority or ("" if field.value is None else str(field.value))
        present = "[bold red]yes[/]" if field.status else "no"
        table.add_row(name, present, safe(shown), safe(field.method))
    console.print(table)


@check_app.command("token")
def check_token(address: str, chain: ChainOption = "sandbox-l1", as_json: JsonOption = False) -> None:
    """Is this token safe to buy? Simulation, privilege probing, bytecode and chain data (on a
    Solana chain: the mint's authorities and Token-2022 extensions)."""
    from steward.chains.config import load_config

    if load_config().chain(chain).family == "solana":
        return _check_mint(address, chain, as_json)
    from rich.console import Console

    with Console(stderr=True).status(f"scanning {safe(address)} on {safe(chain)}…") as status:
        report = service.check_token(address, chain, progress=lambda text: status.update(
            f"scanning {safe(address)} on {safe(chain)}: {safe(text)}…"))
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(verdict_panel(f"{report.symbol} ({report.token}) on {report.chain}",
                                report.verdict, report.reasons, f"score {report.score}/100"))
    table = Table(title="Token security")
    for column in ("Field", "Value", "How it was established"):
        table.add_column(column)
    for name, field in report.fields.items():
        value = safe(str(field.value))
        value = f"[bold red]{value}[/]" if field.flagged else value
        table.add_row(safe(name), value, safe(field.method))
    console.print(table)
    if report.findings:
        console.print(findings_table(report.findings, message="reason", how="method"))
    grounds = [(f.field, e) for f in report.findings if f.severity == "danger" for e in f.evidence]
    if grounds:
        evidence = Table(title="Evidence for each danger: the call, the caller, the effect")
        for column in ("Field", "Call", "Caller", "Effect"):
            evidence.add_column(column)
        for field_name, item in grounds:
            evidence.add_row(safe(field_name), safe(item.call), safe(item.caller),
                             safe(item.effect))
        console.print(evidence)
    for note in report.notes:
        console.print(f"[dim]{safe(note)}[/]")


@check_app.command("tokenomics")
def check_tokenomics_cmd(
    token: str,
    router: Annotated[Optional[str], typer.Option(
        help="The project's fee router (default: from the registry or the chain's logs).")] = None,
    chain: ChainOption = "sandbox-l1",
    claimed_burn_share: Annotated[str, typer.Option(
        help="The share of the tokens bought the project says it burns (0 to 1).")] = "1.0",
    as_json: JsonOption = False,
) -> None:
    """Does this token's buyback-and-burn happen as claimed? Fees in, buybacks, burns and the
    powers that could divert them, from the chain's logs and code."""
    from steward.service.checks import check_tokenomics

    report = check_tokenomics(token, chain, router, claimed_burn_share)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_tokenomics(report)


def print_tokenomics(report) -> None:
    """A tokenomics report as a verdict panel and tables (also the payments demo's ending)."""
    from steward.units import format_units

    style = {"verified": "green", "diverted": "bold red", "at risk": "yellow"}[report.verdict]
    shown = "n/a" if report.burned_share_bps is None else f"{report.burned_share_bps / 100:.2f}%"
    lines = [f"Verdict: [{style}]{report.verdict.upper()}[/]  burned {shown} of what it bought, "
             f"claimed {report.claimed_share_bps / 100:.2f}%"]
    lines += [f"  • {safe(reason)}" for reason in report.reasons]
    console.print(Panel("\n".join(lines), expand=False, title=safe(
        f"{report.name} ({report.symbol}, {report.token}) on {report.chain}")))

    def usdc(amount: int) -> str:
        return format_units(amount, report.usdc_decimals)

    def tokens(amount: int) -> str:
        return format_units(amount, report.decimals)

    table = Table(title="Buyback and burn")
    for column in ("What", "Amount", "From"):
        table.add_column(column)
    rows = [
        ("fees in (USDC)", usdc(report.fees_in), f"{report.fee_payments} FeeReceived event(s)"),
        ("USDC spent on buybacks", usdc(report.usdc_spent), f"{len(report.buybacks)} Buyback "
                                                            "event(s)"),
        ("USDC left in the router", usdc(report.usdc_held), "balanceOf"),
        ("tokens bought (claimed)", tokens(report.tokens_claimed), "Buyback events"),
        ("tokens bought (received)", tokens(report.tokens_bought), "Transfer events into the "
                                                                 "router"),
        ("tokens burned", tokens(report.tokens_burned), "Transfer events to 0x0 / keyless"),
        ("supply decrease", tokens(report.supply_decrease), "minted − totalSupply"),
    ]
    rows += [(f"tokens sent to {to}", tokens(amount), "Transfer events") for to, amount in
             report.sent_elsewhere.items()]
    rows += [(f"USDC taken out to {to}", usdc(amount), "USDC Transfer events") for to, amount in
             report.usdc_withdrawn.items()]
    for what, amount, source in rows:
        table.add_row(safe(what), safe(amount), safe(source))
    console.print(table)
    if report.buybacks:
        bought = Table(title="Buybacks")
        for column in ("Block", "USDC in", "Received", "Burned", "Elsewhere", "TWAP (USDC)",
                       "Gas"):
            bought.add_column(column)
        for b in report.buybacks:
            bought.add_row(str(b.block), usdc(b.usdc_in), tokens(b.tokens_received),
                           tokens(b.tokens_burned), tokens(b.tokens_elsewhere),
                           usdc(b.twap_price), str(b.gas_used or "?"))
        console.print(bought)
    if report.powers:
        powers = Table(title="Powers")
        for column in ("Of", "Kind", "Function", "Holder", "What it does"):
            powers.add_column(column)
        for p in report.powers:
            kind = f"[bold red]{safe(p.kind)}[/]" if p.diverts else safe(p.kind)
            powers.add_row(p.of, kind, safe(p.function), safe(p.holder or "?"), safe(p.detail))
        console.print(powers)
    for note in report.notes:
        console.print(f"[dim]{safe(note)}[/]")


@check_app.command("address")
def check_address_cmd(
    address: str,
    chain: ChainOption = "sandbox-l1",
    wallet: Annotated[Optional[str], typer.Option(help="Whose history to compare with.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Who is this? EOA or contract, token or not, first activity, look-alikes, poisoning spam."""
    report = service.check_address(address, chain, wallet)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    kind = "contract" if report.is_contract else "account (EOA)"
    console.print(verdict_panel(f"{report.address} on {report.chain}: {kind}", report.verdict,
                                report.reasons, report.known_as or ""))
    if report.findings:
        console.print(findings_table(report.findings))


@check_app.command("url")
def check_url_cmd(
    url: str,
    config: Annotated[Optional[str], typer.Option(
        help="A phishing list in MetaMask's eth-phishing-detect config.json format, used "
             "instead of the installed one.")] = None,
    no_list: Annotated[bool, typer.Option(
        "--no-list", help="Consult no phishing list: Steward's heuristics alone.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Is this link what it claims? Phishing list (MetaMask's, see `steward lists`),
    look-alikes, punycode/homoglyphs. The report names the list and its version/date."""
    report = service.check_url(url, config, use_list=not no_list)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(verdict_panel(report.host, report.verdict, report.reasons,
                                f"known good: {report.known_good}" if report.known_good else ""))
    if report.findings:
        console.print(findings_table(report.findings))
