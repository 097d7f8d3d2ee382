"""`steward dao`: a delegate for every voter — proposals decoded, simulated, voted by stated
preferences, explained (`steward.service.dao`; loaded only by the command that needs it)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from steward.cli.render import JsonOption

dao_app = typer.Typer(help="DAO proposals decoded, simulated and voted by your stated "
                           "preferences; overrides; Snapshot votes.", no_args_is_help=True)

ProfilesOption = Annotated[Optional[list[str]], typer.Option(
    "--preferences", "-p", help="A preferences file, or a shipped profile: protective, growth, "
                                "hawk (repeat for several; default: all three).")]


@dao_app.command("proposals")
def proposals_cmd(chain: str = "sandbox-l1", as_json: JsonOption = False) -> None:
    """The DAO's proposals as the chain has them (the sandbox DAO is deployed on first use)."""
    from rich.table import Table

    from steward.chains.turn import chain_turn
    from steward.cli.render import console, print_json
    from steward.display import safe
    from steward.service import dao

    with chain_turn():
        rows = dao.list_proposals(chain)
    if as_json:
        print_json([row.model_dump() for row in rows])
        return
    table = Table(title=f"DAO proposals on {chain}")
    for column in ("Id", "Title", "State", "Actions", "For", "Against", "Abstain"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.proposal_id[:10] + "…", safe(row.title), row.state, str(row.actions),
                      *(row.votes[k] for k in ("for", "against", "abstain")))
    console.print(table)
    console.print("[dim]`steward dao explain ID` decodes, simulates and recommends; full ids "
                  "with --json[/]")


def _proposal_id(text: str) -> int:
    from steward.errors import StewardError

    try:
        return int(text, 0)
    except ValueError:
        raise StewardError(f"{text!r} is not a proposal id (a number, as `steward dao proposals "
                           "--json` prints it)") from None


@dao_app.command("explain")
def explain_cmd(proposal_id: str, preferences: ProfilesOption = None, chain: str = "sandbox-l1",
                as_json: JsonOption = False) -> None:
    """Decoded actions, simulated effects, where the description disagrees with the calldata,
    and a recommendation with its reasons for each preferences profile."""
    from steward.chains.turn import chain_turn
    from steward.cli.render import print_json
    from steward.service import dao

    with chain_turn():
        explanation = dao.explain(_proposal_id(proposal_id), preferences or [], chain)
    if as_json:
        print_json(explanation.model_dump(mode="json"))
        return
    _print_explanation(explanation)


def _print_explanation(explanation) -> None:
    from rich.table import Table

    from steward.cli.render import console
    from steward.display import safe

    a = explanation.analysis
    console.print(f"[bold]{safe(a['title'])}[/] ({a['state']}); executed through a timelock: "
                  + (f"yes, {a['timelock_delay_seconds'] // 3600} h delay" if a["timelocked"]
                     else "[red]no[/]"))
    actions = Table(title="Actions (decoded from the calldata)")
    for column in ("#", "Call"):
        actions.add_column(column, overflow="fold")
    for action in a["actions"]:
        actions.add_row(str(action["index"] + 1), safe(action["text"]))
    console.print(actions)
    console.print(f"[dim]simulation: {safe(a['simulation_note'])}[/]")
    for effect in a["effects"]:
        console.print(f"• {effect['kind']}: {safe(effect['summary'])}")
    if not a["effects"]:
        console.print("• no effect Steward can see")
    for problem in a["mismatches"]:
        console.print(f"[bold red]✗ description vs calldata:[/] {safe(problem)}")
    table = Table(title="Recommendations")
    for column in ("Profile", "Vote", "Why"):
        table.add_column(column, overflow="fold")
    style = {"for": "green", "against": "red", "abstain": "yellow"}
    for rec in explanation.recommendations:
        table.add_row(safe(rec["profile"]), f"[{style[rec['vote']]}]{rec['vote']}[/]",
                      safe("; ".join(rec["reasons"])))
    console.print(table)
    for profile, statements in explanation.not_understood.items():
        for statement in statements:
            console.print(f"[yellow]not understood in {safe(profile)}, not used:[/] "
                          f"{safe(statement)}")


@dao_app.command("vote")
def vote_cmd(
    proposal_id: str,
    wallet: Annotated[str, typer.Option("--wallet", "-w", help="The voting wallet.")],
    preferences: Annotated[Optional[str], typer.Option(
        "--preferences", "-p", help="Preferences file or shipped profile (default: "
                                    "<home>/dao/preferences/WALLET.toml).")] = None,
    delegators: Annotated[Optional[str], typer.Option(
        help="Delegators file: vote fractionally for each (default: <home>/dao/delegators/"
             "WALLET.toml if present).")] = None,
    by_signature: Annotated[bool, typer.Option(help="Sign an EIP-712 ballot; --relayer "
                                                    "submits it.")] = False,
    relayer: Annotated[Optional[str], typer.Option(help="Wallet that submits a signed "
                                                        "ballot.")] = None,
    chain: str = "sandbox-l1", as_json: JsonOption = False,
) -> None:
    """Cast the wallet's vote: the owner's override if recorded, else the recommendation of its
    preferences (fractional for its delegators), through the guard and the executor."""
    from steward.chains.turn import chain_turn
    from steward.cli.render import console, print_json
    from steward.display import safe
    from steward.service import dao
    from steward.wallets import read_passphrase

    passphrase = read_passphrase()
    with chain_turn():
        outcome = dao.vote(_proposal_id(proposal_id), wallet, passphrase,
                           preferences=preferences, delegators=delegators,
                           by_signature=by_signature, relayer=relayer, chain=chain)
    if as_json:
        print_json(outcome.model_dump())
        return
    console.print(f"[green]voted[/] {safe(outcome.vote)} ({outcome.mode}, decided by "
                  f"{outcome.decided_by}) — tx {', '.join(outcome.tx_hashes)}")
    console.print(f"[dim]reason on chain: {safe(outcome.reason)}[/]")


@dao_app.command("override")
def override_cmd(
    proposal_id: str, choice: Annotated[str, typer.Argument(help="for, against or abstain")],
    wallet: Annotated[str, typer.Option("--wallet", "-w")],
    reason: Annotated[str, typer.Option(help="Why (written on chain with the vote).")] = "",
    chain: str = "sandbox-l1",
) -> None:
    """Record the owner's own vote for a wallet, cast instead of the recommendation (before the
    vote is cast and before the deadline)."""
    from steward.chains.turn import chain_turn
    from steward.cli.render import console
    from steward.service import dao

    with chain_turn():
        dao.override(_proposal_id(proposal_id), wallet, choice, reason, chain)
    console.print(f"recorded: {wallet} votes {choice} on {proposal_id} when `steward dao vote` "
                  "runs")


@dao_app.command("snapshot-vote")
def snapshot_vote_cmd(
    space: Annotated[str, typer.Option(help="The Snapshot space, e.g. stewarddao.eth.")],
    proposal: Annotated[str, typer.Option(help="The Snapshot proposal id.")],
    choice: Annotated[int, typer.Option(help="The choice, counting from 1.")],
    wallet: Annotated[str, typer.Option("--wallet", "-w")],
    reason: str = "",
) -> None:
    """Sign an off-chain vote as Snapshot does (EIP-712, Snapshot's domain and Vote type); prints
    the signed vote as JSON."""
    from steward.cli.render import print_json
    from steward.service import dao
    from steward.wallets import read_passphrase

    signed = dao.snapshot_vote(wallet, read_passphrase(), space, proposal, choice, reason)
    print_json(signed.model_dump())


@dao_app.command("snapshot-verify")
def snapshot_verify_cmd(path: str) -> None:
    """Check a signed Snapshot vote (JSON file): was it signed by the voter it names?"""
    from steward.cli.render import console
    from steward.dao.snapshot import SnapshotVote, verify
    from steward.errors import StewardError

    try:
        vote = SnapshotVote(**json.loads(open(path, encoding="utf-8").read()))
    except (OSError, ValueError, TypeError) as exc:
        raise StewardError(f"{path} is not a signed Snapshot vote: {exc}") from None
    if not verify(vote):
        console.print("[bold red]NOT signed by the voter it names[/]")
        raise typer.Exit(1)
    console.print(f"[green]valid[/]: {vote.voter} voted choice {vote.choice} on "
                  f"{vote.proposal} in {vote.space}")


@dao_app.command("preferences")
def preferences_cmd(path: str, as_json: JsonOption = False) -> None:
    """Check a preferences file: the rules read from it and the statements not understood."""
    from steward.cli.render import console, print_json
    from steward.display import safe
    from steward.service.dao import load_profile

    prefs = load_profile(path)
    if as_json:
        print_json(prefs.model_dump(mode="json"))
        return
    console.print(f"[bold]{safe(prefs.name)}[/]: default {prefs.default}, "
                  f"{len(prefs.rules)} rules")
    for rule in prefs.rules:
        console.print(f"• {rule.vote} on {rule.effect}: {safe(rule.describe())}")
    for statement in prefs.not_understood:
        console.print(f"[yellow]not understood, not used:[/] {safe(statement)}")
    if prefs.not_understood:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(dao_app, name="dao")


__all__ = ["dao_app", "register"]
