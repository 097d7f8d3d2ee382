"""The guard: simulation results, previews, verdicts against the mandate, and the one door."""

from __future__ import annotations

import inspect
import json

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.contacts import resolve_recipient
from steward.execution import Executor
from steward.guard import GuardRefusal, approve, review
from steward.guard.mandate import default_mandate, mandate_path, parse_mandate
from steward.planning.builders import bridge_plan, swap_plan, transfer_plan
from steward.protocols import erc20, registry
from steward.chains.backend import note_no_simulate_v1
from steward.wallets import WalletStore

from conftest import PASSPHRASE, run_cli

USDC = 10**6


def wallet():
    store = WalletStore()
    return store.get("main").address, store.unlock("main", PASSPHRASE)


def test_simulation_reports_balance_changes_gas_and_events_without_changing_the_chain(world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    sender, _ = wallet()
    bob = resolve_recipient("bob")
    block = w3.eth.block_number
    verdict = review(transfer_plan(chain, sender, "USDC", "25", bob), "main")
    sim = verdict.simulation
    assert sim.success and sim.gas_used > 21_000 and sim.fee_wei > 0
    assert sim.delta(sender, chain.tokens["USDC"]) == -25 * USDC
    assert sim.delta(bob.address, chain.tokens["USDC"]) == 25 * USDC
    assert [e.name for e in sim.steps[0].events] == ["Transfer"]
    assert w3.eth.block_number == block  # nothing happened for real
    assert erc20.balance_of(w3, chain.tokens["USDC"], bob.address) == 0
    assert verdict.preview.text.startswith("You send 25 USDC (≈ $25.00) to bob (0x3C44")
    assert "Fee ≈" in verdict.preview.text


def test_swap_simulation_shows_both_sides_and_the_exact_approval(world):
    chain = load_config().chain("sandbox-l1")
    sender, _ = wallet()
    plan, quote = swap_plan(chain, sender, "USDC", "50", "ETH")
    verdict = review(plan, "main")
    sim = verdict.simulation
    assert sim.delta(sender, chain.tokens["USDC"]) == -50 * USDC
    assert sim.delta(sender, None) == quote.quoted_out  # native received, fee reported apart
    [approval] = sim.approvals
    # The approval goes to the venue that quoted best, for exactly the amount swapped.
    assert quote.venue == "uniswap-v3"  # the sandbox's 0.05 % pool beats V2 for this size
    assert (approval.spender, approval.amount) == (registry.adapter(quote.venue).spender(chain),
                                                   50 * USDC)
    assert verdict.decision == "allow", verdict.explanation
    # the real mainnet pool address: 0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640
    assert "Uniswap V3 USDC/WETH 0.05% pool (0x88e6…5640)" in verdict.preview.text, verdict.preview.text


def test_a_revert_is_found_before_signing_with_its_reason(embedded_world):
    chain = load_config().chain("sandbox-l1")
    sender, account = wallet()
    w3 = chains.connect(chain)
    plan = transfer_plan(chain, sender, "USDC", "10", resolve_recipient("bob"))
    token = chain.tokens["USDC"]
    overdraw = plan.calls[0].model_copy(update={"data": erc20.encode(
        w3, token, "ERC20", "transfer", resolve_recipient("bob").address, 10**15)})
    verdict = review(plan.model_copy(update={"calls": [overdraw]}), "main")
    assert verdict.decision == "deny"
    assert verdict.simulation.revert_reason == "insufficient balance"
    assert "simulation fails at step 1" in verdict.explanation


def test_default_mandate_verdicts(embedded_world):
    chain = load_config().chain("sandbox-l1")
    sender, account = wallet()
    bob = resolve_recipient("bob")
    small = review(transfer_plan(chain, sender, "USDC", "20", bob), "main")
    assert small.decision == "confirm"  # bob was never paid before
    assert [f.code for f in small.findings] == ["first_time_recipient"]
    Executor(account, "main").execute(transfer_plan(chain, sender, "USDC", "20", bob),
                                      approve(small, by="test"))
    again = review(transfer_plan(chain, sender, "USDC", "20", bob), "main")
    assert again.decision == "allow", again.explanation
    mid = review(transfer_plan(chain, sender, "USDC", "150", bob), "main")
    assert mid.decision == "confirm" and "above $100.00" in mid.explanation
    big = review(transfer_plan(chain, sender, "USDC", "1000.01", bob), "main")
    assert big.decision == "deny" and "per-transaction limit" in big.explanation


def test_verdicts_bind_to_exactly_one_plan_and_need_the_guard(embedded_world):
    chain = load_config().chain("sandbox-l1")
    sender, account = wallet()
    bob = resolve_recipient("bob")
    plan = transfer_plan(chain, sender, "USDC", "20", bob)
    verdict = review(plan, "main")
    executor = Executor(account, "main")
    with pytest.raises(GuardRefusal, match="a person must approve"):
        executor.execute(plan, verdict)
    approved = approve(verdict, by="test")
    other = transfer_plan(chain, sender, "USDC", "21", bob)
    with pytest.raises(GuardRefusal, match="differs from the one the guard"):
        executor.execute(other, approved)
    forged = approved.model_copy(update={"plan_digest": approved.plan_digest[::-1]})
    with pytest.raises(GuardRefusal, match="not issued by the guard"):
        executor.execute(plan, forged)
    # The signing entry point takes a verdict; the only other is the owner's administration of
    # its own guarded account, which moves no value and is refused for anything else
    # (test_guarded_account_cli.py::test_ga_administration_is_refused_for_anything_but_the_owners_account).
    assert list(inspect.signature(Executor.execute).parameters) == ["self", "plan", "verdict"]
    assert sorted(name for name in vars(Executor) if not name.startswith("_")) == [
        "administer", "execute", "unlock"]
    executor.execute(plan, approved)


def test_bridge_is_judged_on_the_source_chain(world):
    config = load_config()
    sender, _ = wallet()
    verdict = review(bridge_plan(config.chain("l1"), config.chain("l2"), sender, "USDC", "100"),
                     "main")
    assert verdict.decision == "allow", verdict.explanation  # under $100 goes to a known contract
    assert verdict.usd_outflow == 100 * USDC
    assert "to the bridge" in verdict.preview.text
    assert [e.name for e in verdict.simulation.steps[1].events] == ["Transfer", "Locked"]


def test_a_stricter_mandate_file_is_applied(embedded_world):
    chain = load_config().chain("sandbox-l1")
    sender, _ = wallet()
    text = (mandate_path("main").read_text()
            .replace('recipients = "any"', 'recipients = "address_book"')
            .replace('tokens = "any"', 'tokens = ["ETH", "USDC"]'))
    mandate_path("main").write_text(text)
    stranger = resolve_recipient("0x000000000000000000000000000000000000bEEF")
    denied = review(transfer_plan(chain, sender, "USDC", "5", stranger), "main")
    assert denied.decision == "deny" and "address book" in denied.explanation
    usdt = review(transfer_plan(chain, sender, "USDT", "5", resolve_recipient("bob")), "main")
    assert usdt.decision == "deny" and "USDT" in usdt.explanation
    assert parse_mandate(text, "main", "x").allow.tokens == ["ETH", "USDC"]


def test_mandate_commands(embedded_world):
    shown = run_cli("mandate", "show", "--json", home=embedded_world)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["limits"]["daily_usd"] == default_mandate("main").limits.daily_usd
    mandate_path("main").write_text(mandate_path("main").read_text().replace(
        "max_slippage_bps = 100", "max_slippage_bps = 9000"))
    checked = run_cli("mandate", "check", home=embedded_world)
    assert checked.returncode == 1
    assert "allow.max_slippage_bps" in checked.stderr and "Traceback" not in checked.stderr
    refused = run_cli("send", "1", "USDC", "bob", "--yes", home=embedded_world)
    assert refused.returncode == 1 and "max_slippage_bps" in refused.stderr


def test_cli_shows_the_preview_and_yes_never_overrides_a_deny(embedded_world):
    ok = run_cli("send", "12.5", "USDC", "carol", "--yes", home=embedded_world)
    assert ok.returncode == 0, ok.stderr
    assert "You send 12.5 USDC (≈ $12.50) to carol" in ok.stdout
    assert "CONFIRM" in ok.stdout
    denied = run_cli("send", "1500", "USDC", "carol", "--yes", "--json", home=embedded_world)
    assert denied.returncode == 1 and "denied by the mandate" in denied.stderr
    assert json.loads(denied.stdout)["verdict"]["decision"] == "deny"


def test_only_the_executor_signs():
    """Every signing path (CLI, sandbox operator, relayer, future API/MCP/agents) must reach a key
    through `Executor.execute`, which demands a verdict: nothing else in Steward signs."""
    from pathlib import Path

    import steward

    signers = sorted(str(path.relative_to(Path(steward.__file__).parent))
                     for path in Path(steward.__file__).parent.rglob("*.py")
                     if any(word in path.read_text()
                            for word in ("sign_transaction(", "signHash(", "unsafe_sign_hash(")))
    assert signers == ["execution/__init__.py"]


def test_rpc_chains_are_not_signed_without_a_simulation(anvil_world, monkeypatch):
    from steward.errors import StewardError

    chain = load_config().chain("sandbox-l1")
    sender, _ = wallet()
    plan = transfer_plan(chain, sender, "USDC", "1", resolve_recipient("bob"))
    monkeypatch.setenv("STEWARD_ANVIL", "/nonexistent/anvil")
    note_no_simulate_v1(chain.rpc_url)  # a node without eth_simulateV1: only a fork could
    with pytest.raises(StewardError, match="cannot simulate on sandbox-l1.*anvil"):
        review(plan, "main")
