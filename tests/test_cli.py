"""The `steward` executable in real processes: persistence, concurrency and bad input.

Bad input must give one clear line on stderr, a non-zero exit, no traceback, and sign nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from steward.execution import Journal

from conftest import TEST_ENV, run_cli


def balances(home) -> dict[tuple[str, str, str], int]:
    result = run_cli("balance", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return {(h["wallet"], h["chain"], h["symbol"]): h["balance"]
            for h in json.loads(result.stdout)["holdings"]}


def contact_balance(home, name: str, chain: str = "sandbox-l1") -> int:
    from steward.contacts import load_contacts

    address = load_contacts()[name].address
    code = ("import sys; from steward import chains; from steward.chains.config import load_config;"
            "from steward.protocols import erc20; c = load_config().chain(sys.argv[1]);"
            "print(erc20.balance_of(chains.connect(c), c.tokens['USDC'], sys.argv[2]))")
    result = subprocess.run([sys.executable, "-c", code, chain, address], capture_output=True,
                            text=True, env={**__import__("os").environ, **TEST_ENV,
                                            "STEWARD_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def assert_clean_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_state_persists_across_processes(world, steward_home):
    before = balances(steward_home)
    sent = run_cli("send", "25", "USDC", "bob", "--chain", "sandbox-l1", "--yes", home=steward_home)
    assert sent.returncode == 0, sent.stderr
    after = balances(steward_home)  # a third process sees what the second one did
    assert after[("main", "sandbox-l1", "USDC")] == before[("main", "sandbox-l1", "USDC")] - 25 * 10**6
    assert after[("main", "sandbox-l2", "USDC")] == before[("main", "sandbox-l2", "USDC")]


def test_two_concurrent_sends_from_one_wallet_both_land(world, steward_home):
    bob_before = contact_balance(steward_home, "bob")
    env = {**__import__("os").environ, **TEST_ENV, "STEWARD_HOME": str(steward_home)}
    command = [sys.executable, "-m", "steward.cli", "send", "{}", "USDC", "bob", "--yes"]
    processes = [subprocess.Popen([part.format(amount) for part in command], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for amount in ("1", "2")]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    entries = [e for e in Journal(steward_home / "journal.sqlite").entries(10) if e.wallet == "main"]
    assert len(entries) == 2
    assert {e.status for e in entries} == {"success"}
    assert len({e.nonce for e in entries}) == 2
    assert contact_balance(steward_home, "bob") == bob_before + 3 * 10**6


@pytest.mark.parametrize(("args", "fragments"), [
    (["send", "1", "FOO", "bob", "--yes"], ["unknown token 'FOO'", "USDC", "USDT", "ETH"]),
    (["send", "1", "USDC", "bob", "--chain", "mainnet", "--yes"],
     ["unknown chain 'mainnet'", "sandbox-l1", "sandbox-l2"]),
    (["send", "1", "USDC", "bob", "--from", "nobody", "--yes"], ["unknown wallet 'nobody'", "main"]),
    (["send", "1", "USDC", "dave", "--yes"], ["unknown recipient 'dave'", "alice", "bob"]),
    (["send", "1.0000001", "USDC", "bob", "--yes"], ["more decimal places than the token's 6"]),
    (["send", "0", "USDC", "bob", "--yes"], ["must be positive"]),
    (["send", "20000", "USDC", "bob", "--yes"], ["insufficient USDC", "nothing was signed"]),
    (["send", "11", "ETH", "bob", "--yes"], ["insufficient ETH", "nothing was signed"]),
    (["send", "1", "USDC", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8", "--yes"],
     ["bad EIP-55 checksum"]),
    (["swap", "1", "USDC", "USDC", "--yes"], ["cannot swap USDC for itself"]),
    (["bridge", "1", "ETH", "--yes"], ["cannot be bridged directly", "USDC"]),
    (["send", "1", "USDC", "bob"], ["confirmation needed", "--yes", "nothing was signed"]),
])
def test_bad_input_is_one_clear_line_and_signs_nothing(embedded_world, args, fragments):
    journal = Journal(embedded_world / "journal.sqlite")
    before = len(journal.entries(1000))
    assert_clean_error(run_cli(*args, home=embedded_world), *fragments)
    assert len(journal.entries(1000)) == before


def test_usage_errors_are_shown_without_a_traceback(steward_home):
    result = run_cli("send", "-3", "USDC", "bob", home=steward_home)
    assert result.returncode == 2
    assert "No such option" in result.stderr and "Traceback" not in result.stderr


def test_wrong_passphrase_signs_nothing(embedded_world):
    result = run_cli("send", "1", "USDC", "bob", "--yes", home=embedded_world,
                     env={"STEWARD_PASSPHRASE": "not the passphrase"})
    assert_clean_error(result, "wrong passphrase for wallet 'main'")


def test_corrupt_keystore_leaves_other_wallets_working(embedded_world):
    created = run_cli("wallet", "create", "spare", home=embedded_world)
    assert created.returncode == 0, created.stderr
    (embedded_world / "wallets" / "spare.json").write_text("{not json")
    listed = run_cli("wallet", "list", "--json", home=embedded_world)
    wallets = {w["name"]: w for w in json.loads(listed.stdout)}
    assert wallets["spare"]["error"] and not wallets["main"]["error"]
    assert_clean_error(run_cli("send", "1", "USDC", "bob", "--from", "spare", "--yes",
                               home=embedded_world), "spare")
    ok = run_cli("send", "1", "USDC", "bob", "--from", "main", "--yes", home=embedded_world)
    assert ok.returncode == 0, ok.stderr


def test_unreachable_rpc_names_the_url(steward_home):
    from steward.chains.anvil import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("sandbox", "up", "--l1-url", url, "--l2-url", url, home=steward_home)
    assert_clean_error(result, "cannot reach", url)


def test_wrong_chain_id_at_a_url_is_refused(anvil_nodes, steward_home):
    from steward.chains.config import update_chain

    l1, _ = anvil_nodes
    update_chain("sandbox-l1", rpc_url=l1.url, chain_id=5)
    result = run_cli("balance", "--chain", "sandbox-l1", "--json", home=steward_home,
                     env={"STEWARD_PASSPHRASE": "x"})
    run_cli("wallet", "create", "w", home=steward_home)
    result = run_cli("send", "1", "ETH", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--yes",
                     home=steward_home)
    assert_clean_error(result, l1.url, "chain id 31337001", "configured with chain id 5")


def test_log_shows_the_journal(embedded_world):
    run_cli("send", "2", "USDC", "alice", "--yes", home=embedded_world)
    run_cli("send", "5000", "USDC", "alice", "--yes", home=embedded_world)  # denied
    result = run_cli("log", "--json", "--wallet", "main", home=embedded_world)
    journal = json.loads(result.stdout)
    [entry] = journal["transactions"]
    assert entry["purpose"].startswith("send 2 USDC to alice") and entry["status"] == "success"
    denied, allowed = journal["verdicts"]
    assert (allowed["decision"], allowed["status"], allowed["usd_outflow"]) == (
        "confirm", "executed", 2_000_000)
    assert allowed["approved_by"] == "cli --yes"
    assert (denied["decision"], denied["status"]) == ("deny", "judged")
    assert any("per-transaction limit" in reason for reason in denied["reasons"])


def test_bridge_on_rpc_chains_waits_for_the_relayer_command(anvil_world):
    env = {**__import__("os").environ, **TEST_ENV, "STEWARD_HOME": str(anvil_world)}
    before = balances(anvil_world)
    bridging = subprocess.Popen([sys.executable, "-m", "steward.cli", "bridge", "7", "USDT", "--yes"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    relayed = []
    while bridging.poll() is None and len(relayed) < 60:
        result = run_cli("relayer", "--once", home=anvil_world)
        assert result.returncode == 0, result.stderr
        relayed.append(result.stdout)
        __import__("time").sleep(0.5)
    out, err = bridging.communicate(timeout=60)
    assert bridging.returncode == 0, err
    assert "arrived on sandbox-l2" in out
    assert sum("delivered transfer" in text for text in relayed) == 1
    after = balances(anvil_world)
    assert after[("main", "sandbox-l1", "USDT")] == before[("main", "sandbox-l1", "USDT")] - 7 * 10**6
    assert after[("main", "sandbox-l2", "USDT")] == before[("main", "sandbox-l2", "USDT")] + 7 * 10**6


def test_wallet_commands_import_list_and_remove(steward_home):
    key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # dev account 1
    imported = run_cli("wallet", "import", "ops", home=steward_home, env={"STEWARD_SECRET": key})
    assert imported.returncode == 0, imported.stderr
    assert "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" in imported.stdout
    assert key[2:] not in imported.stdout + imported.stderr
    phrase = "test test test test test test test test test test test junk"
    derived = run_cli("wallet", "import", "hd", "--mnemonic", "--path", "m/44'/60'/0'/0/2",
                      home=steward_home, env={"STEWARD_SECRET": phrase})
    assert "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" in derived.stdout, derived.stderr
    listed = json.loads(run_cli("wallet", "list", "--json", home=steward_home).stdout)
    assert [(w["name"], w["is_default"]) for w in listed] == [("hd", False), ("ops", True)]
    for line in (steward_home / "wallets" / "ops.json").read_text().splitlines():
        assert key[2:] not in line.lower()
    assert_clean_error(run_cli("wallet", "remove", "ops", home=steward_home), "--yes")
    removed = run_cli("wallet", "remove", "ops", "--yes", home=steward_home)
    assert removed.returncode == 0, removed.stderr
    listed = json.loads(run_cli("wallet", "list", "--json", home=steward_home).stdout)
    assert [w["name"] for w in listed] == ["hd"]
