"""`steward run` (the always-on worker), `steward orders …` (the standing orders file and its dry
run), `steward decisions` (what the worker did and why) and `steward peg SYMBOL` (a stablecoin's
observed peg as a chart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from steward.cli.render import JsonOption, WalletOption, console, print_json
from steward.display import safe

if TYPE_CHECKING:
    from steward.service.standing import DecisionOut, PegPointOut

orders_app = typer.Typer(help="Standing orders: DCA, sweeps, a target mix and depeg rules, kept "
                              "by `steward run` within the mandate.", no_args_is_help=True)

OUTCOME_STYLE = {"acted": "green", "dry-run": "cyan", "skipped": "dim", "waiting": "yellow",
                 "blocked": "red", "failed": "red", "alert": "bold red"}


def decisions_table(found: list[DecisionOut], title: str) -> Table:
    table = Table(title=title)
    for column in ("When (UTC)", "Wallet", "Order", "Outcome", "Why"):
        table.add_column(column, overflow="fold")
    for d in found:
        style = OUTCOME_STYLE.get(d.outcome, "")
        table.add_row(f"{d.at:%Y-%m-%d %H:%M}", safe(d.wallet), safe(d.order_id),
                      f"[{style}]{safe(d.outcome)}[/]", safe(d.reason))
    return table


@orders_app.command("list")
def orders_list(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
    """The wallet's standing orders (the file is checked strictly)."""
    from steward.service.standing import list_orders

    found = list_orders(wallet)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    if not found.exists:
        console.print(f"No standing orders for {safe(found.wallet)}: write "
                      f"{safe(found.source)} (`steward orders init` writes a commented one).")
        return
    table = Table(title=f"Standing orders of {safe(found.wallet)}")
    for column in ("Id", "Kind", "What", "Enabled"):
        table.add_column(column)
    for order in found.orders:
        table.add_row(safe(order.id), order.kind, safe(order.summary),
                      "yes" if order.enabled else "no")
    console.print(table)
    console.print(f"[dim]{safe(found.source)}[/]")


@orders_app.command("check")
def orders_check(wallet: WalletOption = None) -> None:
    """Check the orders file; exits 1 with the first problem (file, key, what is valid)."""
    from steward.service.standing import list_orders

    found = list_orders(wallet)
    console.print(f"{safe(found.source)}: {len(found.orders)} standing orders, valid")


@orders_app.command("init")
def orders_init(wallet: WalletOption = None,
                  force: Annotated[bool, typer.Option("--force", help="Replace an existing "
                                                                      "file.")] = False) -> None:
    """Write a commented sample orders file (every kind, for the sandbox chains)."""
    from steward.service.standing import write_sample_orders

    console.print(f"wrote {safe(write_sample_orders(wallet, overwrite=force))}")


@orders_app.command("dry-run")
def orders_dry_run(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
    """What each order would do now and why, and what the mandate would say; nothing is
    signed or recorded."""
    from steward.service.standing import dry_run

    found = dry_run(wallet)
    if as_json:
        print_json([d.model_dump(mode="json") for d in found])
    else:
        console.print(decisions_table(found, "Standing orders now (dry run)"))


@orders_app.command("demo")
def orders_demo(as_json: JsonOption = False) -> None:
    """A USDT depeg handled on the sandbox (built if needed) on simulated time: the risk rule
    acts after its debounce within its daily cap, and a stale feed fails closed."""
    from steward.cli.always_on_demo import run_always_on_demo  # the sandbox: loaded here

    run_always_on_demo(as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")

    @app.command("run")
    def run(
        wallet: Annotated[Optional[list[str]], typer.Option(
            "--wallet", "-w", help="Only these wallets (default: every wallet with orders).")] = None,
        interval: Annotated[int, typer.Option(min=1, help="Seconds between ticks.")] = 60,
        once: Annotated[bool, typer.Option("--once", help="One tick, then exit.")] = False,
        ticks: Annotated[Optional[int], typer.Option(min=1, help="Stop after this many "
                                                                  "ticks.")] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Keep the standing orders around the clock: each tick measures the stablecoins,
        evaluates every order and acts through the guard (SIGTERM stops it cleanly)."""
        from steward.service.standing import run_worker
        from steward.wallets import read_passphrase

        passphrase = read_passphrase()
        notify = _print_json_line if as_json else _print_decision
        if not as_json:
            console.print(f"steward run: every {interval} s; SIGTERM or Ctrl-C stops after the "
                          "current tick")
        count = run_worker(wallets=wallet, interval=interval, passphrase=passphrase,
                           ticks=1 if once else ticks, notify=notify)
        if not as_json:
            console.print(f"stopped after {count} ticks")

    @app.command("decisions")
    def decisions_cmd(
        wallet: WalletOption = None,
        outcome: Annotated[Optional[str], typer.Option(help="Only this outcome: acted, skipped, "
                                                            "blocked, waiting, failed, alert.")] = None,
        limit: Annotated[int, typer.Option(help="How many, newest first.")] = 30,
        as_json: JsonOption = False,
    ) -> None:
        """What the always-on worker decided, and why."""
        from steward.service.standing import decisions

        found = decisions(wallet, limit=limit, outcome=outcome)
        if as_json:
            print_json([d.model_dump(mode="json") for d in found])
        else:
            console.print(decisions_table(found, "Standing-order decisions"))

    @app.command("strategies")
    def strategies_cmd(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
        """Recommended standing orders and fixes, with the reasoning and numbers behind each,
        sized within the mandate (nothing is proposed or signed)."""
        from rich.panel import Panel

        from steward.service.standing import strategies

        found = strategies(wallet)
        if as_json:
            print_json([r.model_dump(mode="json") for r in found])
            return
        if not found:
            console.print("No changes to recommend: the orders fit the mandate and the "
                          "holdings.")
        for r in found:
            body = "\n".join(f"• {safe(line)}" for line in r.reasoning)
            if r.toml:
                body += "\n\n[dim]Add to the orders file:[/]\n" + safe(r.toml, multiline=True)
            console.print(Panel(body, title=safe(r.title), expand=False))

    @app.command("peg")
    def peg(
        symbol: str,
        hours: Annotated[float, typer.Option(help="How far back.")] = 24 * 7,
        as_json: JsonOption = False,
    ) -> None:
        """A stablecoin's observed peg over time, as a chart."""
        from steward.service.standing import peg_history

        since = datetime.now(UTC) - timedelta(hours=hours)
        points = peg_history(symbol, since=None if hours <= 0 else since)
        if not points:  # the worker may run on simulated chain time: show everything
            points = peg_history(symbol)
        if as_json:
            print_json([p.model_dump(mode="json") for p in points])
            return
        console.print(peg_chart(symbol.upper(), points))


def _print_decision(decision: DecisionOut) -> None:
    style = OUTCOME_STYLE.get(decision.outcome, "")
    console.print(f"{decision.at:%Y-%m-%d %H:%M} [{style}]{decision.outcome:>8}[/] "
                  f"{safe(decision.wallet)}/{safe(decision.order_id)}: {safe(decision.reason)}")


def _print_json_line(decision: DecisionOut) -> None:
    import sys

    sys.stdout.write(decision.model_dump_json() + "\n")
    sys.stdout.flush()


BLOCKS = " ▁▂▃▄▅▆▇█"


def peg_chart(symbol: str, points: list[PegPointOut], width: int = 72, height: int = 8) -> str:
    """The peg as a text chart: rows of block characters from the lowest to the highest price
    seen, a gap (·) where the data failed closed."""
    if not points:
        return f"{symbol}: no observations"
    columns = min(width, len(points))
    buckets = [points[i * len(points) // columns:(i + 1) * len(points) // columns]
               for i in range(columns)]
    lows = [min((p.price for p in b if p.price is not None), default=None) for b in buckets]
    seen = [v for v in lows if v is not None]
    if not seen:
        return f"{symbol}: every observation failed closed ({points[-1].problem})"
    # The floor sits a row below the lowest price, so the lowest column still shows a bar.
    top, low = max(max(seen), 1.0), min(seen)
    span = (top - low) * height / (height - 1) or 0.0001
    bottom = top - span
    rows = []
    for row in range(height, 0, -1):
        line = ""
        for value in lows:
            if value is None:
                line += "·" if row == 1 else " "
                continue
            level = (value - bottom) / span * height
            line += "█" if level >= row else (BLOCKS[int((level - row + 1) * 8)]
                                               if level > row - 1 else " ")
        label = bottom + span * row / height
        rows.append(f"${label:.4f} │{line}")
    first, last = points[0].at, points[-1].at
    rows.append(f"{'':9}└{'─' * len(lows)}")
    rows.append(f"{'':10}{first:%m-%d %H:%M} … {last:%m-%d %H:%M} UTC, lowest in each column; "
                f"now {points[-1].price if points[-1].price is not None else 'unknown'}")
    return f"{symbol} peg\n" + "\n".join(rows)
