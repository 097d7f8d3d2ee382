"""`steward check` from the CLI, and the guard using the token verdicts."""

from __future__ import annotations

import json

from steward.guard import review
from steward.guard.mandate import mandate_path
from steward.chains.config import load_config
from steward.planning.builders import swap_plan
from steward.wallets import WalletStore

from conftest import run_cli


def test_check_token_reports_the_zoo(embedded_world):
    honeypot = run_cli("check", "token", "ZHONEY", "--json", home=embedded_world)
    assert honeypot.returncode == 0, honeypot.stderr
    report = json.loads(honeypot.stdout)
    assert report["verdict"] == "danger" and report["fields"]["is_honeypot"]["flagged"]
    assert report["fields"]["is_honeypot"]["method"] != "not established"
    plain = run_cli("check", "token", "ZPLAIN", home=embedded_world)
    assert plain.returncode == 0 and "SAFE" in plain.stdout and "How it was established" in plain.stdout


def test_check_url_and_address(embedded_world):
    phish = json.loads(run_cli("check", "url", "https://app.uniswap.org.claim-airdrop.xyz",
                               "--json", home=embedded_world).stdout)
    assert phish["verdict"] == "danger"
    good = run_cli("check", "url", "app.aave.com", home=embedded_world)
    assert good.returncode == 0 and "SAFE" in good.stdout
    router = load_config().chain("sandbox-l1").contracts["uniswap-v2:router"]
    address = json.loads(run_cli("check", "address", router, "--json", home=embedded_world).stdout)
    assert address["is_contract"] and address["verdict"] == "safe"
    bad = run_cli("check", "url", "not a url at all", home=embedded_world)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_swapping_into_a_danger_token_is_denied_unless_the_mandate_allows_it(embedded_world):
    chain = load_config().chain("sandbox-l1")
    sender = WalletStore().get("main").address
    honey, _ = swap_plan(chain, sender, "USDC", "50", "ZHONEY")
    verdict = review(honey, "main")
    assert verdict.decision == "deny"
    assert "danger_token" in [f.code for f in verdict.findings]
    assert "ZHONEY is a dangerous token" in verdict.explanation
    plain, _ = swap_plan(chain, sender, "USDC", "50", "ZPLAIN")
    assert review(plain, "main").decision == "allow"
    path = mandate_path("main")
    path.write_text(path.read_text().replace("danger_tokens = false", "danger_tokens = true"))
    assert review(honey, "main").decision == "allow"
