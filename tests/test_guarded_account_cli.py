"""`steward account …` end to end: a sandbox wallet opted in to a guarded account with one
command, its policy and worst case shown, Steward's own plans then signed by the agent key as one
batch, pausing, drift from the mandate file, and the policy compiled from the mandate."""

from __future__ import annotations

import json

import pytest

import guarded_tx
from conftest import run_cli, usdc_balance
from steward import chains
from steward.accounts import contract, manage, store
from steward.accounts.policy import compile_policy, worst_case
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.guard.mandate import Mandate, load_mandate, write_default_mandate
from steward.journal import Journal
from steward.wallets import WalletStore

USDC = 10**6


def _upgrade_json(home, chain="l1"):
    result = run_cli("account", "upgrade", "--chain", chain, "--json", home=home, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _owner_nonce(address: str) -> int:
    w3 = chains.connect(chains.chain_config("sandbox-l1"))
    nonce = w3.eth.get_transaction_count(address)
    chains.end_all_sessions()
    return nonce


def test_ga_cli_upgrade_then_ask_goes_through_the_account_signed_by_the_agent(world, steward_home):
    wallet = WalletStore().get("main")
    shown = _upgrade_json(steward_home)
    assert shown["mode"] == "7702"
    assert shown["address"] == shown["owner"] == wallet.address  # the same address, now guarded
    assert shown["agent"] != wallet.address and not shown["paused"]
    assert shown["window_usd_limit"] == "$5,000.00" and shown["batch_usd_limit"] == "$1,000.00"
    assert {a["symbol"] for a in shown["assets"]} >= {"ETH", "USDC", "USDT", "WETH"}
    assert shown["worst_case_per_window_usd"].startswith("$4,7")  # $5,000 at rates 5 % above price
    assert shown["looser_than_file"] == []

    bob = load_contacts()["bob"].address
    before, owner_nonce = usdc_balance(bob), _owner_nonce(wallet.address)
    result = run_cli("ask", "pay bob 25 USDC on l1", "--yes", home=steward_home, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert usdc_balance(bob) == before + 25 * USDC
    assert _owner_nonce(wallet.address) == owner_nonce  # the owner's key signed nothing
    last = Journal().entries(limit=1)[0]
    assert last.sender == shown["agent"] and last.to_address == wallet.address
    assert last.status == "success"

    after = json.loads(run_cli("account", "show", "--chain", "sandbox-l1", "--json",
                               home=steward_home).stdout)
    usdc = next(a for a in after["assets"] if a["symbol"] == "USDC")
    assert usdc["spent"] == "25 USDC" and after["batch_nonce"] == 1


def test_ga_cli_pause_stops_the_agent_and_nothing_moves(embedded_world):
    _upgrade_json(embedded_world)
    paused = run_cli("account", "pause", "--chain", "l1", "--json", home=embedded_world)
    assert paused.returncode == 0, paused.stderr
    assert json.loads(paused.stdout)["paused"] is True
    bob = load_contacts()["bob"].address
    before = usdc_balance(bob)
    result = run_cli("ask", "pay bob 25 USDC on l1", "--yes", home=embedded_world)
    assert result.returncode != 0
    assert "paused" in result.stdout + result.stderr
    assert usdc_balance(bob) == before


def test_ga_cli_errors_are_sentences(embedded_world):
    missing = run_cli("account", "show", "--chain", "l1", home=embedded_world)
    assert missing.returncode == 1
    assert "not a guarded account on sandbox-l1" in missing.stderr
    assert "steward account upgrade --chain sandbox-l1" in missing.stderr
    _upgrade_json(embedded_world)
    again = run_cli("account", "upgrade", "--chain", "l1", home=embedded_world)
    assert again.returncode == 1 and "already a guarded account" in again.stderr
    unknown = run_cli("account", "show", "--chain", "mars", home=embedded_world)
    assert unknown.returncode == 1 and "mars" in unknown.stderr


def test_ga_show_warns_when_the_file_is_tightened_below_the_chain(embedded_world):
    _upgrade_json(embedded_world)
    path = write_default_mandate("main", overwrite=True)
    text = path.read_text().replace("daily_usd = 5000", "daily_usd = 2000")
    path.write_text(text)
    shown = json.loads(run_cli("account", "show", "--chain", "l1", "--json",
                               home=embedded_world).stdout)
    assert any("USD per window: $5,000.00 on chain, the file says $2,000.00" in line
               for line in shown["looser_than_file"])
    assert any(line.startswith("USDC:") for line in shown["looser_than_file"])


def _mandate_with(**limits) -> Mandate:
    path = write_default_mandate("main", overwrite=True)
    text = path.read_text()
    for key, value in limits.items():
        text = text.replace(f"{key} = {{}}", f"{key} = {value}")
    path.write_text(text)
    return load_mandate("main")


def test_ga_policy_is_compiled_from_the_mandate(embedded_world):
    mandate = _mandate_with(per_token_daily="{ USDC = 300 }")
    chain = load_config().chain("sandbox-l1")
    compiled = compile_policy(mandate, chain, chains.connect(chain))
    usdc = next(a for a in compiled.assets if a.symbol == "USDC")
    assert usdc.limit == 300 * USDC  # the per-token limit, lower than $5,000 at the rate
    assert usdc.usd_rate == 105 * 10**16  # $1.05 per USDC: the price plus 5 %
    eth = next(a for a in compiled.assets if a.symbol == "ETH")
    assert eth.limit * eth.usd_rate // 10**18 <= compiled.policy.window_usd_limit
    # zoo tokens have no trusted price and no per-token limit: not movable by the agent key
    assert not any(a.symbol.startswith("Z") for a in compiled.assets)
    allowed = {(p.target, p.selector) for p in compiled.policy.permissions}
    transfer = "0xa9059cbb"
    assert (usdc.token, transfer) in allowed
    assert (chain.tokens["ZHONEY"], transfer) not in allowed
    assert compiled.policy.native_sends
    worst = worst_case(compiled)
    assert worst.per_day_usd == 2 * worst.per_window_usd
    assert worst.per_window_usd <= compiled.policy.window_usd_limit
    chains.end_all_sessions()


def test_ga_a_token_allowlist_narrows_the_chain_policy(embedded_world):
    path = write_default_mandate("main", overwrite=True)
    path.write_text(path.read_text().replace('tokens = "any"', 'tokens = ["USDC"]'))
    chain = load_config().chain("sandbox-l1")
    compiled = compile_policy(load_mandate("main"), chain, chains.connect(chain))
    assert [a.symbol for a in compiled.assets] == ["USDC"]
    assert not compiled.policy.native_sends
    chains.end_all_sessions()


def test_ga_deployed_account_is_owned_by_the_wallet_and_enforces_the_same_policy(embedded_world):
    from conftest import PASSPHRASE

    record = manage.create("main", "l1", PASSPHRASE)
    wallet = WalletStore().get("main")
    assert record.mode == "contract" and record.address != wallet.address
    w3 = chains.connect(chains.chain_config("sandbox-l1"))
    state = contract.read_state(w3, record.address)
    assert state.owner == wallet.address and state.agent == record.agent
    assert store.guarded_account("main", "sandbox-l1") == record
    # the agent key alone cannot take what the account does not hold, nor pass the allowlist
    agent = store.unlock_agent("main", PASSPHRASE)
    chain = chains.chain_config("sandbox-l1")
    data = contract.execute_data([contract_call(chain.tokens["ZHONEY"])], 0)
    with pytest.raises(Exception) as refused:
        guarded_tx.send(w3, agent, record.address, data)
    assert "not on the allowlist" in str(refused.value)
    chains.end_all_sessions()


def contract_call(target: str):
    from steward.plans import Call

    return Call(to=target, data="0xa9059cbb" + "00" * 64, description="transfer")


def test_ga_deployed_account_holds_and_spends_the_wallets_money_on_its_chain(embedded_world):
    created = run_cli("account", "create", "--chain", "l1", "--json", home=embedded_world,
                      timeout=300)
    assert created.returncode == 0, created.stderr
    account = json.loads(created.stdout)["address"]
    owner = WalletStore().get("main").address
    funded = run_cli("send", "300", "USDC", account, "--chain", "l1", "--yes",
                     home=embedded_world, timeout=300)
    assert funded.returncode == 0, funded.stdout + funded.stderr
    assert usdc_balance(account) == 300 * USDC

    held = json.loads(run_cli("balance", "--json", home=embedded_world).stdout)
    rows = [h for h in held["holdings"] if h["chain"] == "sandbox-l1" and h["symbol"] == "USDC"]
    assert {h["address"] for h in rows} == {owner, account}

    bob = load_contacts()["bob"].address
    before, owner_before = usdc_balance(bob), usdc_balance(owner)
    paid = run_cli("ask", "pay bob 25 USDC on l1", "--yes", home=embedded_world, timeout=300)
    assert paid.returncode == 0, paid.stdout + paid.stderr
    assert usdc_balance(bob) == before + 25 * USDC
    assert usdc_balance(account) == 275 * USDC  # the account paid, not the owner's address
    assert usdc_balance(owner) == owner_before
    # the thief with the agent key, straight to the chain: more than the account may lose
    from conftest import PASSPHRASE
    from steward.plans import Call
    from steward.protocols import erc20

    chain = chains.chain_config("sandbox-l1")
    w3 = chains.connect(chain)
    agent = store.unlock_agent("main", PASSPHRASE)
    usdc = chain.tokens["USDC"]
    # the owner tightens the account at once (no timelock for tightening): 100 USDC a window
    rate = contract.read_state(w3, account).policy.rule(usdc).usd_rate
    owner_key = WalletStore().unlock("main", PASSPHRASE)
    guarded_tx.owner_change(w3, owner_key, account, "set_token_limit", usdc, 100 * USDC, rate)
    assert contract.read_state(w3, account).policy.rule(usdc).limit == 100 * USDC
    too_much = 76 * USDC  # 25 already went to bob in this window
    drain = Call(to=usdc, description="drain",
                 data=erc20.encode(w3, usdc, "ERC20", "transfer", agent.address, too_much))
    with pytest.raises(Exception) as refused:
        guarded_tx.send(w3, agent, account, contract.execute_data([drain], 1))
    assert "policy: over" in str(refused.value)
    assert erc20.balance_of(w3, usdc, account) == 275 * USDC
    chains.end_all_sessions()


def test_ga_api_shows_the_account_read_only(embedded_world):
    from fastapi.testclient import TestClient

    from conftest import PASSPHRASE
    from steward.api.app import create_app

    headers = {"Authorization": "Bearer test-token-ga"}
    with TestClient(create_app(token="test-token-ga", passphrase=PASSPHRASE),
                    headers=headers) as client:
        missing = client.get("/api/account", params={"chain": "l1"})
        assert missing.status_code == 400
        assert "not a guarded account" in missing.json()["error"]["message"]
        manage.upgrade("main", "l1", PASSPHRASE)
        chains.end_all_sessions()
        shown = client.get("/api/account", params={"chain": "l1"})
        assert shown.status_code == 200, shown.text
        body = shown.json()
        assert body["mode"] == "7702" and body["address"] == WalletStore().get("main").address
        assert body["worst_case_per_day_usd"].startswith("$9,5")
        assert not [p for p in client.get("/openapi.json").json()["paths"]["/api/account"]
                    if p != "get"]  # nothing changes an account over the API


def test_ga_the_guard_asks_the_account_and_never_allows_what_the_chain_refuses(embedded_world):
    from conftest import PASSPHRASE
    from steward.fulfilment import fulfil

    record = manage.upgrade("main", "l1", PASSPHRASE)
    chain = chains.chain_config("sandbox-l1")
    w3 = chains.connect(chain)
    usdc = chain.tokens["USDC"]
    rate = contract.read_state(w3, record.address).policy.rule(usdc).usd_rate
    owner = WalletStore().unlock("main", PASSPHRASE)
    guarded_tx.owner_change(w3, owner, record.address, "set_token_limit", usdc, 10 * USDC, rate)
    chains.end_all_sessions()
    bob = load_contacts()["bob"].address
    before, signed_before = usdc_balance(bob), len(Journal().entries(limit=500))
    report = fulfil("pay bob 25 USDC on l1", "main", approver=lambda outcome: True)
    step = report.steps[0]
    assert step.status == "denied"
    reasons = [r for r in step.verdict.reasons if r.rule == "account_policy"]
    assert reasons and "over this token's limit for the window" in reasons[0].message
    assert usdc_balance(bob) == before
    assert len(Journal().entries(limit=500)) == signed_before  # nothing was signed


@pytest.mark.parametrize("point, lands", [("after_journal_pending", False),
                                          ("after_journal_success", True)])
def test_ga_kill_9_while_the_agent_signs_leaves_journal_and_chain_in_agreement(embedded_world,
                                                                             point, lands):
    import signal

    from conftest import PASSPHRASE, forget_process_state

    record = manage.upgrade("main", "l1", PASSPHRASE)
    chains.end_all_sessions()
    bob = load_contacts()["bob"].address
    before = usdc_balance(bob)
    forget_process_state()
    killed = run_cli("send", "25", "USDC", "bob", "--chain", "l1", "--yes", home=embedded_world,
                     env={"STEWARD_FAILPOINT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = run_cli("log", "--json", home=embedded_world)
    assert after.returncode == 0, after.stderr
    assert ("reconciled verdict" if lands else "pending → not_sent") in after.stderr
    rows = [e for e in Journal().entries(limit=50) if e.sender == record.agent]
    assert [r.status for r in rows] == ["success" if lands else "not_sent"]
    assert usdc_balance(bob) == before + (25 * USDC if lands else 0)
    w3 = chains.connect(chains.chain_config("sandbox-l1"))
    assert contract.at(w3, record.address).functions.nonce().call() == (1 if lands else 0)
    chains.end_all_sessions()


def test_ga_the_demos_thief_with_the_agent_key_is_refused_by_the_chain(embedded_world):
    import subprocess
    import sys
    from pathlib import Path

    from conftest import PASSPHRASE, TEST_ENV

    manage.upgrade("main", "l1", PASSPHRASE)
    chains.end_all_sessions()
    account = WalletStore().get("main").address
    before = usdc_balance(account)
    script = Path(__file__).parent.parent / "scripts" / "stolen_agent_key.py"
    import os

    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=os.environ | TEST_ENV | {"STEWARD_HOME": str(embedded_world)},
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "status 0 (policy: over this token's limit for the window)" in " ".join(
        result.stdout.split())
    assert usdc_balance(account) == before


def test_ga_administration_is_refused_for_anything_but_the_owners_account(embedded_world):
    from conftest import PASSPHRASE
    from steward.errors import StewardError
    from steward.execution import Executor
    from steward.plans import Call

    executor = Executor.unlock("main", PASSPHRASE)
    chain = chains.chain_config("sandbox-l1")
    usdc = chain.tokens["USDC"]
    bob = load_contacts()["bob"].address
    before, rows = usdc_balance(bob), len(Journal().entries(limit=10_000))
    transfer = "0xa9059cbb" + bob[2:].lower().rjust(64, "0") + hex(10**6)[2:].rjust(64, "0")
    refusals = {
        "moves no value": (Call(to=bob, value=1, description="x"), None),
        "not a guarded account of wallet main": (Call(to=usdc, data=transfer, description="x"),
                                                  None),
        "only a GuardedAccount may be created": (Call(to=None, data="0x6000", description="x"),
                                                 None),
        "may delegate only to the GuardedAccount implementation": (
            Call(to=WalletStore().get("main").address, description="x"), usdc),
    }
    for reason, (call, delegate) in refusals.items():
        with pytest.raises(StewardError, match=reason):
            executor.administer("sandbox-l1", call, delegate_to=delegate)
    # the owner's own account, but a function that moves money: never administration
    record = manage.upgrade("main", "l1", PASSPHRASE)
    rows = len(Journal().entries(limit=10_000))
    take = contract.setter_data("owner_call", usdc, 0, bytes.fromhex(transfer[2:]))
    with pytest.raises(StewardError, match="only the account's policy functions"):
        executor.administer("sandbox-l1", contract.account_call(record.address, take, "x"))
    assert usdc_balance(bob) == before
    assert len(Journal().entries(limit=10_000)) == rows  # nothing was signed


def test_ga_the_owner_tops_up_the_agents_gas_and_a_dry_agent_is_a_clear_error(embedded_world):
    from conftest import PASSPHRASE

    from steward.errors import InsufficientFundsError
    from steward.execution import Executor
    from steward.guard import approve, review
    from steward.planning.builders import transfer_plan

    record = manage.upgrade("main", "l1", PASSPHRASE)
    w3 = chains.connect(chains.chain_config("sandbox-l1"))
    agent_before = w3.eth.get_balance(record.agent)
    manage.fund("main", "l1", PASSPHRASE, 2 * 10**16)
    assert w3.eth.get_balance(record.agent) == agent_before + 2 * 10**16
    # an agent key with no gas money: nothing is signed, and the message says what to do
    agent = store.unlock_agent("main", PASSPHRASE)
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    spent_all = w3.eth.get_balance(record.agent) - 25_200 * (2 * base + w3.eth.max_priority_fee)
    guarded_tx.send(w3, agent, load_contacts()["bob"].address, b"", value=spent_all)
    assert w3.eth.get_balance(record.agent) < 10**14
    chain = chains.chain_config("sandbox-l1")
    plan = transfer_plan(chain, record.address, "USDC", "1", resolve("bob"))
    verdict = approve(review(plan, "main"), by="test")
    with pytest.raises(InsufficientFundsError, match="steward account fund --chain sandbox-l1"):
        Executor.unlock("main", PASSPHRASE).execute(plan, verdict)
    chains.end_all_sessions()


def resolve(name: str):
    from steward.contacts import resolve_recipient

    return resolve_recipient(name)
