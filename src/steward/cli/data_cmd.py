"""`steward data …`: data tasks that pay contributors for the quality of what they give, and
models whose revenue is split among them (`demo`, `task`, `verify`)."""

from __future__ import annotations


import typer
from rich.table import Table

from steward.cli.render import JsonOption, console, print_json
from steward.display import safe
from steward.errors import StewardError

data_app = typer.Typer(help="Data and model markets: contributions valued on held-out data, "
                            "paid from escrow, and model revenue split on chain.",
                       no_args_is_help=True)


def _need_numpy() -> None:
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        raise StewardError("the data market needs numpy and scikit-learn: "
                           "pip install 'steward[data]' (make test and make data-demo install "
                           "them)") from None


def _usdc(amount: int) -> str:
    from steward.units import format_units

    return format_units(amount, 6)


@data_app.command("verify")
def verify_cmd(task_id: int, chain: str = "sandbox-l1", as_json: JsonOption = False) -> None:
    """Re-run a task's published valuation from the committed inputs and check every score and
    payout against the chain; exits 1 when anything differs."""
    _need_numpy()
    from steward.datamarket.verify import verify_task

    report = verify_task(task_id, chain)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        table = Table(title=f"Data task {task_id}: the published valuation, re-run")
        for column in ("Contributor", "Data", "Published", "Recomputed", "Paid", "Recomputed "
                       "payout", "Note"):
            table.add_column(column, overflow="fold")
        for row in report.rows:
            same = row.recomputed_score == row.published_score
            table.add_row(safe(row.contributor), "ok" if row.file_ok else "[red]mismatch[/]",
                          str(row.published_score),
                          f"[{'green' if same else 'red'}]{row.recomputed_score}[/]",
                          _usdc(row.owed_on_chain) if row.owed_on_chain else "claimed",
                          "" if row.recomputed_payout is None else _usdc(row.recomputed_payout),
                          safe(row.note))
        console.print(table)
        console.print(f"evaluation bundle {'matches' if report.bundle_ok else 'DOES NOT match'} "
                      f"the task's eval_hash {report.eval_hash}")
        for problem in report.problems:
            console.print(f"[red]✗[/] {safe(problem)}")
        console.print("[green]verified: every score and payout is what the committed inputs "
                      "give[/]" if report.ok else "[bold red]NOT verified[/]")
    if not report.ok:
        raise typer.Exit(1)


@data_app.command("task")
def task_cmd(task_id: int, chain: str = "sandbox-l1", as_json: JsonOption = False) -> None:
    """A data task as the chain has it: budget, deadlines, contributors, scores, what is owed."""
    from steward.datamarket.market import Markets

    markets = Markets(chain)
    task = markets.task(task_id)
    functions = markets.market.functions
    rows = [{"contributor": c, "score": functions.score_of(task_id, c).call(),
             "owed": functions.owed(task_id, c).call()} for c in task.contributors]
    if as_json:
        print_json({"task_id": task_id, "buyer": task.buyer, "budget": task.budget,
                    "state": task.state, "total_score": task.total_score,
                    "eval_hash": "0x" + task.eval_hash.hex(), "contributors": rows})
        return
    console.print(f"data task {task_id} on {chain}: {task.state}, budget {_usdc(task.budget)} "
                  f"USDC from {safe(task.buyer)}")
    table = Table()
    for column in ("Contributor", "Score", "Owed (USDC)"):
        table.add_column(column)
    for row in rows:
        table.add_row(safe(row["contributor"]), str(row["score"]), _usdc(row["owed"]))
    console.print(table)


@data_app.command("demo")
def demo_cmd(seed: int = 0, as_json: JsonOption = False) -> None:
    """Unattended on the sandbox: ten contributors of varied quality (clean, noisy, duplicated,
    poisoned, low effort) commit and reveal, the buyer's valuation pays them from escrow, anyone
    can verify it, and a model trained on the data splits its first revenue among them."""
    _need_numpy()
    from steward.cli.data_demo import run_demo

    run_demo(seed=seed, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


__all__ = ["data_app", "register"]
