"""`steward pay URL` (pay per request with x402, within the `[payments]` mandate), `steward
payments list|reconcile|mandate|demo` and `steward sell` (Steward's checks for sale per request on
a sandbox chain, with a loopback facilitator)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from steward.cli.render import JsonOption, WalletOption, console, print_json
from steward.display import safe

if TYPE_CHECKING:
    from steward.payments.payer import PaymentOutcome

payments_app = typer.Typer(help="Payments per request (x402): the ledger, reconciliation, the "
                                "mandate and a demo.", no_args_is_help=True)
STATUS_STYLE = {"delivered": "green", "free": "green", "refused": "red", "undelivered": "bold red",
                "pending": "yellow", "signed": "yellow", "judging": "yellow", "cancelled": "dim",
                "expired": "dim"}


def outcome_text(out: PaymentOutcome) -> str:
    style = STATUS_STYLE.get(out.status, "")
    parts = [f"[{style}]{safe(out.status)}[/]"]
    if out.amount:
        parts.append(f"{safe(out.amount)} to {safe(out.merchant)}")
    if out.tx_hash:
        parts.append(f"tx {safe(out.tx_hash)}")
    if out.seconds is not None:
        parts.append(f"{out.seconds:.2f} s")
    text = " · ".join(parts)
    return text + (f"\n[dim]{safe(out.note)}[/]" if out.note else "")


def payments_table(found: list[PaymentOutcome], title: str) -> Table:
    table = Table(title=title)
    for column in ("Payment id", "Status", "Amount", "Merchant", "Transaction", "Note"):
        table.add_column(column, overflow="fold")
    for p in found:
        style = STATUS_STYLE.get(p.status, "")
        table.add_row(safe(p.payment_id or ""), f"[{style}]{safe(p.status)}[/]", safe(p.amount or ""),
                      safe(p.merchant), safe(p.tx_hash or ""), safe(p.note))
    return table


@payments_app.command("list")
def payments_list(wallet: WalletOption = None, limit: int = 50, as_json: JsonOption = False) -> None:
    """The wallet's payments, newest first."""
    from steward.service.payments import list_payments

    found = list_payments(wallet, limit)
    if as_json:
        print_json([p.model_dump(mode="json", exclude={"body"}) for p in found])
        return
    console.print(payments_table(found, "Payments (x402)"))


@payments_app.command("reconcile")
def payments_reconcile(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
    """Settle every open payment against the chain: delivered, undelivered (paid; the record to
    claim a refund with), or cancelled on chain so it can never be settled."""
    from steward.service.payments import reconcile_payments
    from steward.wallets import read_passphrase

    found = reconcile_payments(read_passphrase(), wallet)
    if as_json:
        print_json([p.model_dump(mode="json", exclude={"body"}) for p in found])
        return
    if not found:
        console.print("No open payments.")
        return
    console.print(payments_table(found, "Reconciled payments"))


@payments_app.command("mandate")
def payments_mandate_cmd(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
    """The `[payments]` table of the wallet's mandate: networks, assets, merchants and caps."""
    from steward.service.payments import payments_mandate

    mandate = payments_mandate(wallet)
    if as_json:
        print_json(mandate.model_dump(mode="json"))
        return
    table = Table(title=f"Payments mandate ({safe(mandate.source)})")
    table.add_column("Rule")
    table.add_column("Value", overflow="fold")
    for rule, value in mandate.describe():
        table.add_row(safe(rule), safe(value))
    console.print(table)


@payments_app.command("demo")
def payments_demo(
    checks: Annotated[int, typer.Option(min=1, max=50, help="Checks the agent buys.")] = 6,
    as_json: JsonOption = False,
) -> None:
    """Unattended, on the sandbox: an agent pays per request for Steward's checks within its
    mandate (one over its cap refused, one lost answer reconciled), the seller's revenue buys
    back and burns its token, and `check tokenomics` verifies the burn from the chain."""
    from steward.cli.pay_demo import run_demo

    run_demo(checks=checks, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(payments_app, name="payments")

    @app.command("pay")
    def pay_cmd(
        url: Annotated[str, typer.Argument(help="The resource to fetch (paid if it asks).")],
        payment_id: Annotated[Optional[str], typer.Option(
            "--id", help="Idempotency key: a payment id is never paid twice (16-128 letters, "
                         "digits, - or _).")] = None,
        wallet: WalletOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """GET URL; on HTTP 402 pay within the `[payments]` mandate (the guard judges it as the
        transfer it authorizes) and print the resource."""
        from steward.service.payments import pay
        from steward.wallets import read_passphrase

        out = pay(url, read_passphrase(), wallet, payment_id)
        if as_json:
            print_json(out.model_dump(mode="json"))
            return
        console.print(outcome_text(out))
        if out.body:
            console.print(safe(out.body), markup=False, highlight=False, soft_wrap=True)

    @app.command("sell")
    def sell_cmd(
        pay_to: Annotated[Optional[str], typer.Option(
            "--pay-to", help="Address the revenue goes to (default: the default wallet's).")] = None,
        chain: Annotated[str, typer.Option(help="Sandbox chain to be paid on.")] = "sandbox-l1",
        seconds: Annotated[Optional[int], typer.Option(
            min=1, help="Stop after this long (default: until Ctrl-C).")] = None,
    ) -> None:
        """Sell Steward's checks per request (x402) on a sandbox chain, with a loopback
        facilitator: GET /checks/token/ADDRESS, /checks/address/ADDRESS, /checks/link?url=…"""
        from steward.service.payments import CHECK_PRICES, sandbox_merchant
        from steward.service.wallets import owner_address

        with sandbox_merchant(pay_to or owner_address(None), chain) as merchant:
            console.print(f"selling Steward's checks at {merchant.url} on {chain}, paid to "
                          f"{merchant.pay_to} (facilitator {merchant.facilitator_url})")
            for pattern, (amount, text) in CHECK_PRICES.items():
                console.print(f"  {safe(pattern)}: {amount / 10**6:.3f} USDC · {safe(text)}")
            deadline = None if seconds is None else time.monotonic() + seconds
            try:
                while deadline is None or time.monotonic() < deadline:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
