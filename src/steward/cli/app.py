"""The `steward` command line."""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from steward import chains as chain_registry
from steward import service
from steward.contacts import load_contacts, resolve_recipient, save_contact
from steward.errors import StewardError
from steward.home import storage_problem
from steward.intents import Clarification
from steward.service.errors import ServiceError, is_request_error
from steward.units import format_units
from steward.wallets import WalletStore, read_passphrase

# Start-up is what a person waits for on every command (`steward ask` must answer in well under
# half a second): nothing above loads web3, py-evm, eth-account or solders. Planning, simulation,
# the guard, signing and the sandbox are imported by the commands that use them.
if TYPE_CHECKING:
    import requests

    from steward import sandbox
    from steward.execution import PlanResult
    from steward.fulfilment import StepOutcome
    from steward.guard import Verdict
    from steward.plans import Plan

from steward.display import safe
from steward.cli.render import (
    JsonOption,
    console,
    err_console,
    journal_table,
    plan_table,
    portfolio_table,
    print_json,
    quote_table,
    result_json,
    result_table,
    verdict_json,
    verdict_panel,
    verdicts_table,
)
from steward.cli.account_cmd import account_app
from steward.cli.chains_cmd import chains_app
from steward.cli.check_cmd import check_app
from steward.cli.mandate_cmd import mandate_app
from steward.cli.market_cmd import market_app
from steward.cli.proposals_cmd import register as register_proposal_commands
from steward.cli.mcp_cmd import register as register_mcp_command
from steward.cli.serve_cmd import register as register_serve_commands
from steward.cli.run_cmd import register as register_run_commands
from steward.cli.pay_cmd import register as register_pay_commands
from steward.cli.data_cmd import register as register_data_commands
from steward.cli.dao_cmd import register as register_dao_commands

app = typer.Typer(help="Steward: a wallet for agents that simulates, explains and guards "
                       "every transaction.", no_args_is_help=True, add_completion=False)
wallet_app = typer.Typer(help="Create, import, list and remove wallets.", no_args_is_help=True)
sandbox_app = typer.Typer(help="The local sandbox world: two chains, tokens, pools, a bridge.",
                          no_args_is_help=True)
contacts_app = typer.Typer(help="The address book.", no_args_is_help=True)
app.add_typer(wallet_app, name="wallet")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(contacts_app, name="contacts")
app.add_typer(mandate_app, name="mandate")
app.add_typer(check_app, name="check")
app.add_typer(market_app, name="market")
app.add_typer(chains_app, name="chains")
app.add_typer(account_app, name="account")
app.add_typer(__import__("steward.cli.lists_cmd", fromlist=["lists_app"]).lists_app, name="lists")

@app.callback()
def _on_start() -> None:
    # Before any command (serve and mcp included): settle what a crashed process left pending
    # or executing, from the chains, and say what was found. stdout stays the command's own.
    from steward.cli.startup import reconcile_at_start

    try:
        found = reconcile_at_start()
    except (StewardError, sqlite3.Error) as exc:
        err_console.print(f"warning: could not reconcile the journal with the chains: {exc}",
                          markup=False, highlight=False, soft_wrap=True)
        return
    for entry in found:
        err_console.print(entry.line, markup=False, highlight=False, soft_wrap=True)


YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to the confirmation.")]
FromOption = Annotated[Optional[str], typer.Option("--from", help="Wallet name (default wallet if left out).")]


def progress(message: str) -> None:
    err_console.print(f"[dim]•[/] {safe(message)}")


own_wallets = service.own_wallets
wallet_address = service.wallet_address


def confirm(question: str, yes: bool) -> None:
    """A person's yes, or stop before signing. Embedded chains are released while we wait."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise StewardError("confirmation needed and there is no terminal to ask in; "
                           "rerun with --yes; nothing was signed")
    chain_registry.end_all_sessions()
    from rich.prompt import Confirm

    if not Confirm.ask(question, console=err_console):
        raise StewardError("cancelled; nothing was signed")


def execute(plan: Plan, verdict: Verdict, wallet: str) -> PlanResult:
    from steward.execution import Executor, PlanFailed

    chain_registry.end_all_sessions()  # the passphrase prompt may wait on a person
    executor = Executor.unlock(wallet, read_passphrase())
    try:
        return executor.execute(plan, verdict)
    except PlanFailed as exc:
        for step in exc.done:
            err_console.print(f"[green]done[/] {safe(step.description)} ({safe(step.tx_hash)})")
        for call in exc.remaining:
            err_console.print(f"[red]not done[/] {safe(call.description)}")
        raise


def show_result(result: PlanResult, as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        print_json(result_json(result) | (extra or {}))
    else:
        console.print(result_table(result))


def run_plan(plan: Plan, wallet: str, yes: bool, as_json: bool,
             extra: dict | None = None) -> PlanResult:
    """Plan → simulation and guard → the person's yes → signing. A deny stops here."""
    from steward.guard import approve, review

    verdict = review(plan, wallet, own_wallets=own_wallets())
    extra = (extra or {}) | {"verdict": verdict_json(verdict)}
    if not as_json:
        console.print(plan_table(plan))
        console.print(verdict_panel(verdict))
    if verdict.decision == "deny":
        if as_json:
            print_json({"plan": plan.model_dump()} | extra)
        raise ServiceError("denied", f"denied by the mandate: {verdict.explanation}; nothing "
                                     "was signed")
    question = ("The mandate asks a person to approve this. Sign and send?"
                if verdict.decision == "confirm" else f"Sign and send from wallet {wallet}?")
    confirm(question, yes)
    approved = approve(verdict, by="cli --yes" if yes else "cli prompt")
    result = execute(plan, approved, wallet)
    show_result(result, as_json, extra)
    return result


# --- wallets ---------------------------------------------------------------------------------
def _wallet_addresses(info) -> str:
    """A wallet's addresses for one line of output: EVM, and Solana when it has a key."""
    solana = f", Solana {info.solana_address}" if info.solana_address else ", no Solana key"
    return f"EVM {info.address}{solana}"


def _show_wallet(done: str, info) -> None:
    """'created wallet NAME' and its addresses, one a line."""
    console.print(f"{done} wallet [bold]{safe(info.name)}[/]")
    console.print(f"  EVM address:    {info.address}")
    if info.solana_address:
        console.print(f"  Solana address: {info.solana_address}")
    else:
        console.print(f"  Solana address: none (add one: steward wallet add-solana "
                      f"{safe(info.name)})")


def _read_secret(prompt: str) -> str:
    """A secret from STEWARD_SECRET or a hidden prompt (never echoed, never an argument)."""
    import os
    from getpass import getpass

    return os.environ.get("STEWARD_SECRET") or getpass(prompt)


@wallet_app.command("create")
def wallet_create(name: str) -> None:
    """Create a wallet with a new random EVM key and a new random Solana key."""
    created = service.create_wallet(name, read_passphrase(confirm=True))
    _show_wallet("created", created.wallet)
    console.print(f"its mandate: {safe(created.mandate)} (conservative default)")


@wallet_app.command("import")
def wallet_import(
    name: str,
    mnemonic: Annotated[bool, typer.Option("--mnemonic", help="Import a BIP-39 phrase instead of a private key.")] = False,
    path: Annotated[str, typer.Option(help="EVM derivation path for --mnemonic.")] = "m/44'/60'/0'/0/0",
    solana_path: Annotated[Optional[str], typer.Option(
        "--solana-path", help="Solana derivation path for --mnemonic (default: Phantom's "
                              "account matching --path, m/44'/501'/0'/0' for the first).")] = None,
) -> None:
    """Import an EVM private key (no Solana key) or a BIP-39 mnemonic (both keys, as MetaMask and
    Phantom derive them), read from a hidden prompt or STEWARD_SECRET."""
    secret = _read_secret("Mnemonic: " if mnemonic else "Private key: ")
    created = service.import_wallet(name, secret, read_passphrase(confirm=True),
                                    mnemonic=mnemonic, path=path, solana_path=solana_path)
    _show_wallet("imported", created.wallet)
    console.print(f"its mandate: {safe(created.mandate)} (conservative default)")


@wallet_app.command("add-solana")
def wallet_add_solana(
    name: str,
    mnemonic: Annotated[bool, typer.Option(
        "--mnemonic", help="Derive it from your BIP-39 phrase (as Phantom does) instead of "
                           "making a new random key.")] = False,
    secret: Annotated[bool, typer.Option(
        "--secret", help="Import Phantom's exported private key (base58); makes the wallet "
                         "when NAME is new.")] = False,
    path: Annotated[str, typer.Option(
        help="Solana derivation path for --mnemonic (Phantom's account n is "
             "m/44'/501'/n'/0').")] = "m/44'/501'/0'/0'",
) -> None:
    """Give a wallet a Solana key under its passphrase (the words or the exported key are read
    from a hidden prompt or STEWARD_SECRET)."""
    from steward.service.wallets import add_solana_key

    if mnemonic and secret:
        raise ServiceError("invalid_input", "give --mnemonic or --secret, not both")
    words = _read_secret("Mnemonic: ") if mnemonic else None
    exported = _read_secret("Solana secret key: ") if secret else None
    is_new = secret and not WalletStore().exists(name)
    added = add_solana_key(name, read_passphrase(confirm=is_new), mnemonic=words,
                           secret=exported, path=path)
    wallet = added.wallet
    if added.created:
        _show_wallet("created", wallet)
        console.print(f"its mandate: {safe(added.mandate or '')} (conservative default)")
    else:
        _show_wallet("added a Solana key to", wallet)


WALLET_TABLE_WIDTH = 120  # room for a 42-character EVM and a 44-character Solana address


@wallet_app.command("list")
def wallet_list(as_json: JsonOption = False) -> None:
    """List wallets (addresses only; no passphrase needed)."""
    wallets = service.list_wallets()
    if as_json:
        print_json([w.model_dump() for w in wallets])
        return
    if console.width < WALLET_TABLE_WIDTH:
        # Addresses are copied from here: whole on their own lines rather than cut to fit.
        for w in wallets:
            problems = "; ".join(p for p in (w.error, w.solana_error) if p)
            console.print(f"[bold]{safe(w.name)}[/]" + (" (default)" if w.is_default else "")
                          + (f"  [red]{safe(problems)}[/]" if problems else ""))
            console.print(f"  EVM:    {safe(w.address or '—')}", soft_wrap=True)
            console.print(f"  Solana: {safe(w.solana_address or '—')}", soft_wrap=True)
        return
    table = Table(title="Wallets")
    for column in ("Name", "Address", "Solana", "Default", "Problem"):
        table.add_column(column, no_wrap=column in ("Address", "Solana"))
    for w in wallets:
        problems = "; ".join(p for p in (w.error, w.solana_error) if p)
        table.add_row(safe(w.name), safe(w.address or ""), safe(w.solana_address or ""),
                      "yes" if w.is_default else "", safe(problems))
    console.print(table)


@wallet_app.command("remove")
def wallet_remove(name: str, yes: YesOption = False) -> None:
    """Delete a wallet's keystore files, EVM and Solana (its funds stay on-chain, reachable only
    with a backup)."""
    info = service.get_wallet(name)
    confirm(f"Remove wallet {safe(name)} ({_wallet_addresses(info)})? Without a backup its "
            "funds are lost", yes)
    service.remove_wallet(name)
    console.print(f"removed wallet {safe(name)}")


@wallet_app.command("default")
def wallet_default(name: str) -> None:
    """Make a wallet the default for --from."""
    info = service.set_default_wallet(name)
    console.print(f"default wallet is now {safe(info.name)}")


# --- sandbox ---------------------------------------------------------------------------------
def summary_table(rows: list[sandbox.SummaryRow]) -> Table:
    table = Table(title="Sandbox")
    for column in ("Chain", "Chain id", "Backend", "Block", "Tokens", "Contracts"):
        table.add_column(column)
    for row in rows:
        table.add_row(safe(row.chain), str(row.chain_id), safe(row.backend), str(row.block),
                      safe(", ".join(row.tokens)) or "—",
                      safe(", ".join(row.contracts)) or "not deployed")
    return table


def show_summary(rows: list[sandbox.SummaryRow], as_json: bool) -> None:
    if as_json:
        print_json([row.__dict__ for row in rows])
    else:
        console.print(summary_table(rows))


@sandbox_app.command("up")
def sandbox_up(
    l1_url: Annotated[Optional[str], typer.Option(help="RPC URL for sandbox-l1 (e.g. an anvil).")] = None,
    l2_url: Annotated[Optional[str], typer.Option(help="RPC URL for sandbox-l2.")] = None,
    dao: Annotated[bool, typer.Option(help="Also the sandbox DAO (OpenZeppelin Governor, "
                                           "timelock, treasury) with live proposals.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Deploy (or top up) the sandbox world. Safe to run again."""
    from steward import sandbox

    show_summary(sandbox.up(l1_url, l2_url, progress=progress, dao=dao), as_json)


@sandbox_app.command("status")
def sandbox_status(as_json: JsonOption = False) -> None:
    """Show the sandbox chains and what is deployed on them."""
    from steward import sandbox

    show_summary(sandbox.status(), as_json)


@sandbox_app.command("reset")
def sandbox_reset(yes: YesOption = False) -> None:
    """Delete the embedded sandbox chains (wallets are kept)."""
    confirm("Reset the sandbox chains? Their balances and contracts are deleted", yes)
    from steward import sandbox

    for name in sandbox.reset():
        console.print(f"reset {safe(name)}")


# --- contacts --------------------------------------------------------------------------------
@contacts_app.command("list")
def contacts_list(as_json: JsonOption = False) -> None:
    contacts = load_contacts()
    if as_json:
        print_json([c.model_dump() for c in contacts.values()])
        return
    table = Table(title="Address book")
    for column in ("Name", "EVM address", "Solana address", "Note"):
        table.add_column(column)
    for c in contacts.values():
        table.add_row(safe(c.name), safe(c.address or "—"), safe(c.solana_address or "—"),
                      safe(c.note))
    console.print(table)


@contacts_app.command("add")
def contacts_add(name: str, address: str, note: str = "") -> None:
    contact = save_contact(name, address, note)
    shown = " / ".join(a for a in (contact.address, contact.solana_address) if a)
    console.print(f"saved {safe(contact.name)} {shown}")


# --- money -----------------------------------------------------------------------------------
@app.command()
def balance(
    wallet: Annotated[Optional[str], typer.Option(help="Only this wallet.")] = None,
    chain: Annotated[Optional[list[str]], typer.Option(help="Only these chains.")] = None,
    hide_zero: Annotated[bool, typer.Option(help="Leave out zero balances.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every asset on every chain for every wallet, with USD values from the pools."""
    result = service.get_portfolio(wallet, chain)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(portfolio_table(result, hide_zero))
    for name, error in result.errors.items():
        err_console.print(f"[yellow]{safe(name)} not shown:[/] {safe(error)}")


@app.command()
def send(
    amount: str, token: str, recipient: str,
    chain: Annotated[str, typer.Option(help="Chain name or alias.")] = "sandbox-l1",
    sender: FromOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Send AMOUNT of TOKEN (or the native coin) to a contact, own wallet or 0x address."""
    from steward.planning.builders import transfer_plan

    wallet = service.resolve_wallet(sender)
    target = resolve_recipient(recipient, own_wallets())
    plan = transfer_plan(service.get_chain(chain), wallet_address(wallet), token, amount, target)
    run_plan(plan, wallet, yes, as_json)


@app.command()
def swap(
    amount: str, token_in: str, token_out: str,
    chain: Annotated[str, typer.Option(help="Chain name or alias.")] = "sandbox-l1",
    slippage: Annotated[float, typer.Option(help="Maximum slippage in percent.")] = 0.5,
    venue: Annotated[Optional[str], typer.Option(
        help="Only this venue (uniswap-v3, uniswap-v2, sushiswap-v2); default: the best quote.")] = None,
    sender: FromOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Swap AMOUNT of TOKEN_IN for TOKEN_OUT through the best route of any venue."""
    from steward.planning.builders import swap_plan

    wallet = service.resolve_wallet(sender)
    plan, quote = swap_plan(service.get_chain(chain), wallet_address(wallet), token_in, amount,
                            token_out, round(slippage * 100), venue=venue)
    run_plan(plan, wallet, yes, as_json, {"quote": quote.model_dump()})


@app.command()
def bridge(
    amount: str, token: str,
    to_chain: Annotated[str, typer.Option("--to", help="Destination chain.")] = "sandbox-l2",
    chain: Annotated[str, typer.Option(help="Source chain.")] = "sandbox-l1",
    sender: FromOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Bridge AMOUNT of TOKEN to another chain and wait until it arrives."""
    from steward.planning.builders import bridge_plan
    from steward.protocols import erc20

    wallet = service.resolve_wallet(sender)
    src, dest = service.get_chain(chain), service.get_chain(to_chain)
    plan = bridge_plan(src, dest, wallet_address(wallet), token, amount)
    result = run_plan(plan, wallet, yes, as_json)
    if not as_json:
        progress(f"waiting for the relayer to deliver on {dest.name}")
    for transfer in service.deliver(src.name, dest.name, result.tx_hashes[-1]):
        if not as_json:
            info = erc20.token_info(chain_registry.connect(dest), transfer.remote_token)
            console.print(f"[green]arrived on {safe(dest.name)}:[/] "
                          f"{format_units(transfer.amount, info.decimals)} {safe(info.symbol)} "
                          f"(transfer #{transfer.nonce})")


@app.command()
def ask(
    request: Annotated[str, typer.Argument(help='What to do, e.g. "send 25 USDC to bob on l1".')],
    sender: FromOption = None,
    yes: YesOption = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan, simulate and judge; sign nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Do what a plain-language request says: understand, plan, simulate, judge, confirm, sign.

    Exit status: 0 done (or answered), 1 refused or failed, 3 Steward needs a clarification.
    """
    def show(outcome: StepOutcome) -> None:
        if as_json:
            return
        console.print(plan_table(outcome.planned.plan))
        if outcome.planned.quote:
            q = outcome.planned.quote
            console.print(f"[dim]route {safe(' → '.join(q.path_symbols))} on {safe(q.venue)}, "
                          f"slippage limit {q.slippage_bps / 100:.2f}%[/]")
        console.print(verdict_panel(outcome.verdict))

    def approver(outcome: StepOutcome) -> bool:
        question = ("The mandate asks a person to approve this. Sign and send?"
                    if outcome.verdict.decision == "confirm" else "Sign and send?")
        confirm(question, yes)
        return True

    def understood(intent) -> None:
        if not as_json and not isinstance(intent, Clarification):
            # the intent may come from a language model: its words are outside text
            console.print(f"[dim]understood:[/] {safe(describe_intent(intent))}")

    # Understood first, before fulfilment and the chains are loaded: a question comes back at once.
    parsed = service.understand_request(request, sender)
    if isinstance(parsed.intent, Clarification):
        if as_json:
            from steward.service.understanding import clarification_report

            print_json(clarification_report(request, parsed.intent))
        ask_back(parsed.intent, as_json)
    report = service.ask(request, sender, approver, dry_run=dry_run, passphrase=read_passphrase,
                         on_intent=understood, on_step=show, intent=parsed.intent)
    if as_json:
        print_json(report.model_dump(mode="json", exclude={"steps": {"__all__": {"verdict": {"tag"}}}}))
    if report.clarification:
        ask_back(report.clarification, as_json)
    if report.portfolio is not None and not as_json:
        console.print(portfolio_table(service.portfolio_out(report.portfolio)))
    if report.quotes and not as_json:
        console.print(quote_table(report.quotes))
    for reading in ([] if as_json else report.readings):  # a sequence's read steps, in order
        asked = describe_intent(report.intent.steps[reading.step])
        console.print(f"[bold]step {reading.step + 1}[/] {safe(asked)}"
                      + (f" [dim]({safe(reading.note)})[/]" if reading.note else ""))
        if reading.portfolio is not None:
            console.print(portfolio_table(service.portfolio_out(reading.portfolio)))
        if reading.quotes:
            console.print(quote_table(reading.quotes))
    for outcome in report.steps:
        if as_json:
            break
        style = {"done": "green", "planned": "cyan"}.get(outcome.status, "red")
        line = f"[{style}]{safe(outcome.status)}[/] {safe(outcome.planned.plan.summary)}"
        if outcome.tx_hashes:
            line += f" ({safe(', '.join(h[:10] for h in outcome.tx_hashes))})"
        console.print(line + (f" — {safe(outcome.message)}" if outcome.message else ""))
    unfinished = [o for o in report.steps if o.status not in ("done", "planned")]
    if unfinished:
        done = [f"{o.planned.plan.summary} (funds now on {o.planned.destination or o.planned.source})"
                for o in report.steps if o.status == "done"]
        left = [o.planned.plan.summary for o in report.steps[report.steps.index(unfinished[0]):]]
        raise ServiceError(ASK_CODES.get(unfinished[0].status, "transaction_failed"),
                           f"{unfinished[0].message}"
                           + (f"; already done: {'; '.join(done)}" if done else "")
                           + f"; not done: {'; '.join(left)}")


def ask_back(question: Clarification, as_json: bool) -> None:
    """Steward's question (and the options it offers), then exit status 3."""
    if not as_json:
        console.print(f"[bold yellow]?[/] {safe(question.question)}")
        for option in question.options:
            console.print(f"  • {safe(option)}")
    sys.exit(3)


# How a request that stopped is reported (the same codes as the API's and the MCP server's).
ASK_CODES = {"denied": "denied", "declined": "invalid_input"}


def describe_intent(intent) -> str:
    fields = intent.model_dump(exclude_none=True, exclude={"action"})
    if intent.action == "sequence":
        return " then ".join(describe_intent(step) for step in intent.steps)
    where = "".join(f" {key}={fields[key]}" for key in ("chain", "wallet") if key in fields)
    if intent.action == "batch":  # each payment on its own, in order
        return "batch " + ", ".join(f"{_amount_words(p.amount)} {p.token} to {p.recipient}"
                                    for p in intent.payments) + where
    if intent.action == "split":
        return (f"split {_amount_words(intent.amount)} {intent.token} among "
                f"{', '.join(intent.recipients)}{where}")
    parts = [intent.action]
    for key, value in fields.items():
        if key == "amount":
            value = _amount_words(intent.amount)
        parts.append(f"{key}={value}")
    return " ".join(parts)


def _amount_words(amount) -> str:
    return amount.value if amount.kind == "exact" else f"{amount.value} ({amount.kind})"


@app.command()
def relayer(
    once: Annotated[bool, typer.Option(help="Deliver what is waiting, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls.")] = 2.0,
) -> None:
    """Run the bridge relayer between the sandbox chains (for RPC-backed chains)."""
    from steward import sandbox

    worker = sandbox.bridge_relayer()

    def report(transfer) -> None:
        console.print(f"delivered transfer #{transfer.nonce or ''} from chain {transfer.src_chain_id} "
                      f"to chain {transfer.dest_chain_id}: {transfer.amount} base units to "
                      f"{safe(str(transfer.recipient))}")

    if once:
        for transfer in worker.run_once():
            report(transfer)
        return
    console.print("relaying; Ctrl-C to stop")
    worker.run_forever(interval, report)


@app.command("log")
def log(
    limit: Annotated[int, typer.Option(help="How many entries of each kind.")] = 30,
    wallet: Annotated[Optional[str], typer.Option(help="Only this wallet.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The journal: every guard verdict, and every transaction Steward signed."""
    journal = service.get_journal(limit, wallet)
    if as_json:
        print_json(journal.model_dump(mode="json"))
    else:
        console.print(verdicts_table(journal.verdicts))
        console.print(journal_table(journal.transactions))


@app.command()
def init(
    wallet: Annotated[Optional[str], typer.Option(help="Only this wallet's mandate.")] = None,
) -> None:
    """Set up the Steward home and write the conservative default mandate for each wallet."""
    from steward.guard.mandate import write_default_mandate
    from steward.home import steward_home

    names = [wallet] if wallet else [w.name for w in service.list_wallets()]
    console.print(f"Steward home: {safe(str(steward_home()))}")
    from steward.api.token import ensure_token, token_path

    created = ensure_token()[1]
    console.print(f"API token ({'created' if created else 'kept'}): {safe(str(token_path()))} "
                  "(`steward token` prints it; `steward serve` uses it)")
    for name in names:
        service.get_wallet(name)
        console.print(f"mandate for {safe(name)}: {safe(str(write_default_mandate(name)))}")
    if not names:
        console.print("no wallets yet: `steward wallet create NAME` (it gets a default mandate)")


@app.command()
def demo() -> None:
    """The main job on the sandbox: build the world, show the portfolio, pay, swap and bridge."""
    from steward.cli.demo import run_demo

    run_demo()


register_proposal_commands(app)
register_mcp_command(app)
register_serve_commands(app)
register_run_commands(app)
register_pay_commands(app)
register_data_commands(app)
register_dao_commands(app)


def main() -> None:
    try:
        # Without standalone mode, click hands back a `typer.Exit(code)` as the return value.
        code = app(standalone_mode=False)
        if isinstance(code, int) and not isinstance(code, bool) and code:
            sys.exit(code)
    except StewardError as exc:
        if is_request_error(exc.__cause__):  # the service's wording of it
            _connection_lost(exc.__cause__)
        # error messages quote outside text (names, requests, revert reasons): escaped
        err_console.print(f"[bold red]error:[/] {safe(str(exc), multiline=True)}",
                          highlight=False, soft_wrap=True)
        sys.exit(1)
    except _request_errors() as exc:  # evaluated only when an error reaches it
        _connection_lost(exc)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted; nothing more was signed")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: typer prints them the usual way
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", 2))
    except (OSError, sqlite3.Error) as exc:
        _storage_failed(exc)
        raise
    finally:
        try:  # commits the embedded chains' blocks: a full disk can fail here too
            chain_registry.end_all_sessions()
        except (OSError, sqlite3.Error) as exc:
            _storage_failed(exc)
            raise


def _request_errors() -> tuple[type[BaseException], ...]:
    """`requests`' error class when something loaded it (an RPC chain, a language model): an
    error of a class never loaded cannot have been raised."""
    loaded = sys.modules.get("requests")
    return (loaded.RequestException,) if loaded is not None else ()


def _connection_lost(exc: requests.RequestException) -> None:
    url = getattr(exc.request, "url", None) or "the RPC endpoint"
    err_console.print(f"[bold red]error:[/] lost the connection to {safe(str(url))} "
                      f"({type(exc).__name__}); check `steward log` for what was sent",
                      highlight=False, soft_wrap=True)
    sys.exit(1)


EXIT_STORAGE = 74  # sysexits' EX_IOERR: the disk, not the request, failed


def _storage_failed(exc: BaseException) -> None:
    """One sentence and EXIT_STORAGE for a full, read-only or failing disk (no traceback);
    returns for any other error, which the caller re-raises."""
    problem = storage_problem(exc)
    if problem is None:
        return
    err_console.print(f"[bold red]error:[/] Steward could not write to disk: {safe(problem)}; "
                      "fix that (free some space, make the Steward home writable), then run the "
                      "command again (`steward log` and the chain show anything already sent)",
                      highlight=False, soft_wrap=True)
    sys.exit(EXIT_STORAGE)
