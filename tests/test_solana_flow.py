"""Solana through Steward's one flow: ask → plan → LiteSVM simulation → guard → signing →
journal, on the embedded sandbox; balances asserted to the base unit."""

from __future__ import annotations

import json
import signal

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.execution.reconcile import reconcile_journal
from steward.fulfilment import fulfil
from steward.guard import review
from steward.guard.mandate import default_mandate_toml, mandate_path
from steward.home import write_private
from steward.journal import Journal
from steward.plans import AccountRef, Call, Plan
from steward.solana import solana_chain
from steward.solana.plans import SOL_DECIMALS, transaction
from steward.solana.spl import mint_info, token_balance
from steward.wallets import WalletStore

from conftest import PASSPHRASE, forget_process_state, run_cli

USDC = 10**6
RENT_TOKEN_ACCOUNT = 2_039_280
FEE = 5_000


def sol():
    config = load_config().chain("sandbox-sol")
    return config, solana_chain(config)


def usdc_of(owner: str) -> int:
    config, chain = sol()
    return token_balance(chain, Pubkey.from_string(owner),
                         mint_info(chain, Pubkey.from_string(config.tokens["USDC"])))


def main_solana() -> str:
    return WalletStore().get("main").solana_address


def ask(text: str, approve: bool = True):
    return fulfil(text, "main", lambda outcome: approve, passphrase=lambda: PASSPHRASE)


def set_mandate(**lines: str) -> None:
    text = default_mandate_toml("main")
    for key, value in lines.items():
        [line] = [line for line in text.splitlines() if line.startswith(f"{key} = ")]
        text = text.replace(line, f"{key} = {value}")
    write_private(mandate_path("main"), text)


def test_solana_ask_sends_usdc_opening_the_recipients_account(embedded_world):
    alice = load_contacts()["alice"].solana_address
    me = main_solana()
    _, chain = sol()
    sol_before, usdc_before = chain.balance(Pubkey.from_string(me)), usdc_of(me)
    report = ask("send 12.5 USDC to alice on solana")
    [step] = report.steps
    assert step.status == "done", step.message
    assert "rent 0.00203928 SOL" in step.planned.plan.calls[0].description
    assert usdc_of(alice) == 12_500_000
    assert usdc_of(me) == usdc_before - 12_500_000
    # the rent of alice's new token account and one signature's fee, nothing else
    assert chain.balance(Pubkey.from_string(me)) == sol_before - RENT_TOKEN_ACCOUNT - FEE
    [row] = [e for e in Journal().entries() if e.sender == me]
    assert row.status == "success" and row.tx_hash == step.tx_hashes[0]
    assert chain.transaction(row.tx_hash).success


def test_solana_second_payment_needs_no_new_account_and_is_allowed(embedded_world):
    set_mandate(first_time_recipients="false")
    assert ask("send 1 USDC to bob on solana").steps[0].status == "done"
    report = ask("send 2 USDC to bob on solana")
    step = report.steps[0]
    assert len(step.planned.plan.calls) == 1  # bob's account exists now
    assert step.verdict.decision == "allow" and step.status == "done"
    assert usdc_of(load_contacts()["bob"].solana_address) == 3 * USDC


def test_solana_sol_transfer_is_valued_by_the_reference_feed(embedded_world):
    report = ask("send 0.25 SOL to carol on solana", approve=False)
    step = report.steps[0]
    assert step.status == "declined"  # a first payment needs a person; nothing signed
    assert step.verdict.usd_outflow == 37_500_000  # 0.25 SOL at the sandbox's $150 feed
    _, chain = sol()
    carol = load_contacts()["carol"].solana_address
    assert chain.balance(Pubkey.from_string(carol)) == 0


def test_solana_daily_limit_is_one_budget_with_the_evm_chains(embedded_world):
    set_mandate(daily_usd="100", per_transaction_usd="100", above_usd="100",
                first_time_recipients="false")
    assert ask("send 80 USDC to bob on l1").steps[0].status == "done"
    report = ask("send 30 USDC to bob on solana")
    step = report.steps[0]
    assert step.verdict.decision == "deny"
    assert any(r.rule == "limits.daily_usd" for r in step.verdict.reasons)
    assert usdc_of(load_contacts()["bob"].solana_address) == 0
    assert ask("send 15 USDC to bob on solana").steps[0].status == "done"


def test_solana_per_token_limit_applies_by_the_registry_mint(embedded_world):
    set_mandate(per_token_daily="{ USDC = 10 }", first_time_recipients="false")
    assert ask("send 6 USDC to bob on solana").steps[0].status == "done"
    step = ask("send 6 USDC to bob on solana").steps[0]
    assert step.verdict.decision == "deny"
    assert any(r.rule == "limits.per_token_daily" for r in step.verdict.reasons)


def test_solana_an_evm_address_is_never_a_solana_recipient(embedded_world):
    evm = load_contacts()["bob"].address
    report = ask(f"send 5 USDC to {evm} on solana")
    assert report.clarification is not None and not report.steps
    assert usdc_of(main_solana()) == 5_000 * USDC


def test_solana_unknown_program_is_denied_and_not_signed(embedded_world):
    me = main_solana()
    rogue = Call(to=str(Keypair().pubkey()), data="0x00", description="harmless looking",
                 accounts=[AccountRef(pubkey=me, signer=True, writable=True)])
    plan = Plan(chain="sandbox-sol", sender=me, calls=[rogue], summary="harmless looking")
    verdict = review(plan, "main")
    assert verdict.decision == "deny"
    assert {r.rule for r in verdict.reasons} >= {"allow.contracts"}


def test_solana_a_description_cannot_hide_what_moves(embedded_world):
    """The preview and the limits come from the simulation: a plan that says "send 1 USDC"
    but moves 900 is judged as 900."""
    set_mandate(per_transaction_usd="100", first_time_recipients="false")
    from steward.solana.plans import token_transfer_plan

    config, chain = sol()
    mint = mint_info(chain, Pubkey.from_string(config.tokens["USDC"]))
    bob = Pubkey.from_string(load_contacts()["bob"].solana_address)
    plan = token_transfer_plan(chain, config.name, Pubkey.from_string(main_solana()), bob, mint,
                               "USDC", 900 * USDC, "bob")
    plan = plan.model_copy(update={"summary": "send 1 USDC to bob", "calls": [
        c.model_copy(update={"description": "send 1 USDC to bob"}) for c in plan.calls]})
    verdict = review(plan, "main")
    # 900 USDC and the rent of bob's new token account (0.00203928 SOL at $150)
    assert verdict.decision == "deny" and verdict.usd_outflow == 900 * USDC + 305_892
    assert "900 USDC" in verdict.preview.text


def test_solana_a_signed_transaction_is_not_accepted_twice_even_after_a_restart(embedded_world):
    config, chain = sol()
    payer = Keypair()
    chain.airdrop(payer.pubkey(), 10**9)
    to = Keypair().pubkey()
    plan = Plan(chain=config.name, sender=str(payer.pubkey()), summary="pay", calls=[])
    from steward.solana.plans import sol_transfer_plan

    plan = sol_transfer_plan(config.name, payer.pubkey(), to, 10**7, "x")
    tx = transaction(plan, chain.latest_blockhash(), [payer])
    assert chain.send(tx).success
    assert not chain.send(tx).success
    forget_process_state()  # a new process: LiteSVM starts again from the stored accounts
    config, chain = sol()
    assert chain.balance(to) == 10**7
    again = chain.send(tx)
    assert not again.success and chain.balance(to) == 10**7


@pytest.mark.parametrize("point, lands", [("after_journal_pending", False),
                                          ("after_broadcast", True)])
def test_solana_a_killed_process_leaves_the_journal_agreeing_with_the_chain(
        embedded_world, point, lands):
    bob = load_contacts()["bob"].solana_address
    forget_process_state()
    killed = run_cli("ask", "send 7 USDC to bob on solana", "--yes", home=embedded_world,
                     env={"STEWARD_FAILPOINT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    found = reconcile_journal()
    me = main_solana()
    [row] = [e for e in Journal().entries() if e.sender == me]
    assert row.status == ("success" if lands else "not_sent"), found
    assert usdc_of(bob) == (7 * USDC if lands else 0)


def test_solana_balance_and_ask_from_separate_processes(embedded_world):
    forget_process_state()
    first = run_cli("ask", "send 3 USDC to alice on solana", "--yes", home=embedded_world)
    assert first.returncode == 0, first.stderr + first.stdout
    second = run_cli("ask", "send 4 USDC to alice on solana", "--yes", home=embedded_world)
    assert second.returncode == 0, second.stderr + second.stdout
    shown = run_cli("balance", "--json", home=embedded_world)
    rows = json.loads(shown.stdout)
    holdings = rows["holdings"] if isinstance(rows, dict) else rows
    usdc = [h for h in holdings if h["chain"] == "sandbox-sol" and h["symbol"] == "USDC"]
    assert [int(h["balance"]) for h in usdc] == [4_993 * USDC]
    assert usdc_of(load_contacts()["alice"].solana_address) == 7 * USDC
    assert SOL_DECIMALS == 9


def test_solana_bridge_both_ways_through_ask_moves_exact_amounts(embedded_world):
    from steward.sandbox import bridge_relayer
    from conftest import usdc_balance

    set_mandate(first_time_recipients="false")
    evm = WalletStore().get("main").address
    me = main_solana()
    l1_before, sol_before = usdc_balance(evm), usdc_of(me)
    there = fulfil("bridge 100 USDC to solana", "main", lambda o: True,
                   passphrase=lambda: PASSPHRASE, relayer=bridge_relayer)
    assert there.steps[0].status == "done", there.steps[0].message
    assert [t.amount for t in there.steps[0].delivered] == [100 * USDC]
    assert usdc_of(me) == sol_before + 100 * USDC
    back = fulfil("bridge 40 USDC from solana to l1", "main", lambda o: True,
                  passphrase=lambda: PASSPHRASE, relayer=bridge_relayer)
    assert back.steps[0].status == "done", back.steps[0].message
    assert usdc_of(me) == sol_before + 60 * USDC
    assert usdc_balance(evm) == l1_before - 60 * USDC


def test_solana_bridge_burn_to_a_stranger_is_judged_as_a_payment_to_them(embedded_world):
    from steward.solana.bridge import burn_calls

    config, chain = sol()
    mint = mint_info(chain, Pubkey.from_string(config.tokens["USDC"]))
    stranger = "0x" + "ab" * 20
    from eth_utils import to_checksum_address

    calls = burn_calls(chain, mint, Pubkey.from_string(main_solana()), 5 * USDC,
                       load_config().chain("sandbox-l1"), to_checksum_address(stranger), "bridge")
    plan = Plan(chain=config.name, sender=main_solana(), calls=calls, summary="bridge 5 USDC")
    verdict = review(plan, "main")
    assert verdict.decision == "confirm"
    assert any("through the bridge" in r.message for r in verdict.reasons)
    set_mandate(recipients='"address_book"')
    assert review(plan, "main").decision == "deny"


def test_solana_a_permanent_delegate_token_is_refused_by_diligence(embedded_world):
    report = ask("send 10 ZDELEGATE to bob on solana")
    step = report.steps[0]
    assert step.verdict.decision == "deny"
    assert any(r.rule == "allow.danger_tokens" for r in step.verdict.reasons)
    assert step.status == "denied"


def test_solana_proposal_judged_now_and_executed_later(embedded_world):
    """The API/MCP path: propose a Solana payment, approve it as a person, execute by id."""
    from steward.proposals import approve_proposal, execute_proposal, propose

    proposal = propose("send 9 USDC to carol on solana", wallet="main")
    assert proposal.status == "pending"  # a first payment: a person decides
    approve_proposal(proposal.id, by="person")
    done = execute_proposal(proposal.id, PASSPHRASE)
    assert done.status == "executed", done.message
    assert usdc_of(load_contacts()["carol"].solana_address) == 9 * USDC
