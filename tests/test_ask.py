"""`steward ask` end to end on the sandbox: every action, both chains, sequences, questions,
dry runs and a sequence that stops half-way."""

from __future__ import annotations

import json

import pytest

from steward import chains, sandbox
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.fulfilment import fulfil
from steward.guard.mandate import mandate_path
from steward.journal import Journal
from steward.protocols import erc20, registry
from steward.wallets import WalletStore

from conftest import PASSPHRASE, run_cli

USDC = 10**6
ETH = 10**18


def ask(text: str, dry_run: bool = False):
    return fulfil(text, None, lambda outcome: True, dry_run=dry_run, passphrase=lambda: PASSPHRASE,
                  relayer=sandbox.bridge_relayer)


def me() -> str:
    return WalletStore().get("main").address


def token_balance(chain_name: str, symbol: str, holder: str | None = None) -> int:
    chain = load_config().chain(chain_name)
    w3 = chains.connect(chain)
    holder = holder or me()
    if symbol == "ETH":
        return w3.eth.get_balance(holder)
    return erc20.balance_of(w3, chain.tokens[symbol], holder)


def allow_standing_approvals() -> None:
    path = mandate_path("main")
    path.write_text(path.read_text().replace('max_approval = "exact"', "max_approval = 1000"))


@pytest.mark.parametrize("chain", ["sandbox-l1", "sandbox-l2"])
def test_every_action_on_each_chain(embedded_world, chain):
    alias = chain.removeprefix("sandbox-")
    bob = load_contacts()["bob"].address
    before = token_balance(chain, "USDC", bob)
    assert ask(f"send 5 USDC to bob on {alias}").done
    assert token_balance(chain, "USDC", bob) == before + 5 * USDC

    eth_before = token_balance(chain, "ETH")
    report = ask(f"swap 10 USDC for ETH on {alias}")
    assert report.done and token_balance(chain, "ETH") > eth_before

    assert ask(f"wrap 0.1 ETH on {alias}").done
    assert token_balance(chain, "WETH") == ETH // 10
    assert ask(f"unwrap 0.04 WETH on {alias}").done
    assert token_balance(chain, "WETH") == 6 * ETH // 100

    allow_standing_approvals()
    assert ask(f"approve the router to spend 50 USDC on {alias}").done
    # "the router" is the chain's default venue (the first registered one deployed there).
    router = registry.default_dex(load_config().chain(chain)).spender(load_config().chain(chain))
    w3 = chains.connect(load_config().chain(chain))
    usdc = load_config().chain(chain).tokens["USDC"]
    assert erc20.allowance(w3, usdc, me(), router) == 50 * USDC
    assert ask(f"revoke the router's USDC approval on {alias}").done
    assert erc20.allowance(w3, usdc, me(), router) == 0

    balance = ask(f"how much USDC do I have on {alias}")
    assert [(h.chain, h.symbol) for h in balance.portfolio.holdings] == [(chain, "USDC")]
    assert balance.portfolio.holdings[0].balance == token_balance(chain, "USDC")


def test_bridge_both_ways(embedded_world):
    start = token_balance("sandbox-l1", "USDC"), token_balance("sandbox-l2", "USDC")
    assert ask("bridge 20 USDC from l1 to l2").done
    assert token_balance("sandbox-l2", "USDC") == start[1] + 20 * USDC
    assert ask("bridge 20 USDC from l2 to l1").done
    assert (token_balance("sandbox-l1", "USDC"), token_balance("sandbox-l2", "USDC")) == start


def test_a_sequence_uses_what_really_arrived(embedded_world):
    l2_usdc = token_balance("sandbox-l2", "USDC")
    report = ask("bridge 100 USDC to the l2, then swap half of it for ETH")
    assert report.done and len(report.steps) == 2
    swap = report.steps[1]
    assert swap.planned.source == "sandbox-l2"
    assert swap.planned.quote.amount_in == 50 * USDC
    assert token_balance("sandbox-l2", "USDC") == l2_usdc + 50 * USDC


def test_a_quote_is_read_only_and_covers_each_chain(embedded_world):
    blocks = [chains.connect(c).eth.block_number for c in load_config().chains.values()]
    report = ask("how much ETH would I get for 100 USDC")
    assert {q.chain for q in report.quotes} == {"sandbox-l1", "sandbox-l2"}
    assert all(q.amount_in == "100 USDC" and q.amount_out.endswith(" ETH") for q in report.quotes)
    assert [chains.connect(c).eth.block_number for c in load_config().chains.values()] == blocks


def test_ambiguity_is_a_question_never_a_guess(embedded_world):
    report = ask("send 5 USDC to bob")
    assert report.clarification is not None and not report.steps
    assert "USDC on which chain?" in report.clarification.question
    # every chain where the wallet holds USDC, the Solana one included
    assert report.clarification.options == ["sandbox-l1", "sandbox-l2", "sandbox-sol"]
    unknown = ask("send 5 USDC to dave on l1")
    assert unknown.clarification is not None and "dave" in unknown.clarification.question
    assert Journal().entries(100, "main") == []


def test_a_sequence_that_stops_half_way_says_what_is_done(embedded_world):
    path = mandate_path("main")
    path.write_text(path.read_text().replace("per_chain_daily_usd = {}",
                                             'per_chain_daily_usd = { sandbox-l2 = 10 }'))
    l2_before = token_balance("sandbox-l2", "USDC")
    report = ask("bridge 100 USDC to the l2, then swap all of it for ETH")
    first, second = report.steps
    assert first.status == "done" and second.status == "denied"
    assert "sandbox-l2" in second.message
    assert token_balance("sandbox-l2", "USDC") == l2_before + 100 * USDC  # the funds are there


def test_cli_ask(embedded_world):
    done = run_cli("ask", "send 2 USDC to carol on l1", "--yes", home=embedded_world)
    assert done.returncode == 0, done.stderr
    assert "You send 2 USDC (≈ $2.00) to carol" in done.stdout
    dry = run_cli("ask", "send 3 USDC to carol on l1", "--dry-run", "--json", home=embedded_world)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["steps"][0]["status"] == "planned"
    question = run_cli("ask", "send 2 USDC to carol", "--yes", home=embedded_world)
    assert question.returncode == 3 and "on which chain" in question.stdout
    assert len(Journal(embedded_world / "journal.sqlite").entries(100, "main")) == 1


def test_cli_says_what_was_done_and_where_the_funds_are(embedded_world):
    path = mandate_path("main")
    path.write_text(path.read_text().replace("per_chain_daily_usd = {}",
                                             'per_chain_daily_usd = { sandbox-l2 = 10 }'))
    result = run_cli("ask", "bridge 50 USDC to the l2, then swap all of it for ETH", "--yes",
                     home=embedded_world)
    assert result.returncode == 1
    message = result.stderr
    assert "denied by the mandate" in message
    assert "already done: bridge 50 USDC from sandbox-l1 to sandbox-l2 (funds now on sandbox-l2)" in message
    assert "not done: swap 50 USDC" in message
