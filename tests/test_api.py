"""The JSON API on a copy of the embedded sandbox: auth on every route, the portfolio against
the chain, the proposal queue (allow, confirm → approve, reject, deny, expiry, re-simulation)
with real signing, clear 4xx for bad input, and the real `steward serve` over HTTP."""

from __future__ import annotations

import logging
import os
import socket
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from web3 import Web3

from steward import chains, proposals
from steward.api import create_app
from steward.api.token import read_token, token_path
from steward.chains.config import config_path, load_config
from steward.cli.serve_cmd import RedactTokens, is_loopback
from steward.contacts import load_contacts
from steward.guard.mandate import default_mandate_toml, mandate_path
from steward.protocols import erc20
from steward.wallets import WalletStore
from conftest import PASSPHRASE, TEST_ENV, run_cli, usdc_balance

TOKEN = "test-token-3b0c9f1e6a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WALLET = "main"  # the sandbox's default wallet
SERVER_START_SECONDS = 60  # bounds a wait for the subprocess; nothing is timed
TRANSFER_5_USDC_TO_ALICE = {"action": "transfer", "amount": {"kind": "exact", "value": "5"},
                            "token": "USDC", "recipient": "alice", "chain": "sandbox-l1"}


@pytest.fixture
def app(steward_home):
    return create_app(token=TOKEN, passphrase=PASSPHRASE)


@pytest.fixture
def client(embedded_world, app):
    with TestClient(app, headers=AUTH) as test_client:
        yield test_client



def alice() -> str:
    return Web3.to_checksum_address(load_contacts()["alice"].address)


def wallet_address(name: str = WALLET) -> str:
    return WalletStore().get(name).address


def propose(client: TestClient, **body) -> dict:
    response = client.post("/api/proposals", json=body)
    assert response.status_code == 201, response.text
    return response.json()


# ---- authentication ---------------------------------------------------------------------------

def all_routes(routes) -> list:
    """Every route, including those of included routers (FastAPI ≥ 0.140 keeps an included
    router as one entry of `app.routes` holding the original router)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found.extend(all_routes(included.routes) if included is not None else [route])
    return found


def api_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in all_routes(app.routes):
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            for method in route.methods:
                found.append((method, route.path.replace("{proposal_id}", "p-0000000000")))
    return found


def test_every_api_route_but_health_needs_the_token(app, steward_home):
    routes = api_routes(app)
    assert len(routes) >= 11
    client = TestClient(app)
    checked = 0
    for method, path in routes:
        if path == "/api/health":
            continue
        for headers in ({}, {"Authorization": "Bearer wrong-token"},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "bearer token" in response.json()["detail"]
            checked += 1
    assert checked == 5 * (len(routes) - 1)
    health = client.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    # With the token, an unknown proposal is a 404, not a 401.
    assert client.get("/api/proposals/p-0000000000", headers=AUTH).status_code == 404


def test_the_spec_declares_bearer_auth_and_errors(app):
    spec = TestClient(app).get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path == "/api/health":
                assert "security" not in operation
                continue
            assert operation["security"] == [{"bearer": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
            assert operation["tags"] and operation["summary"]
    execute = spec["paths"]["/api/proposals/{proposal_id}/execute"]["post"]["responses"]
    assert {"200", "401", "404", "409"} <= set(execute)
    # The dashboard's HTML pages are served by the same app but are not part of the API spec.
    assert not [p for p in spec["paths"] if not p.startswith("/api/")]


def test_init_creates_a_private_token_and_never_prints_it(steward_home):
    done = run_cli("init", home=steward_home)
    assert done.returncode == 0, done.stderr
    token = read_token()
    assert token and len(token) >= 40
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600
    assert str(token_path()) in done.stdout.replace("\n", "")
    assert token not in done.stdout + done.stderr
    again = run_cli("init", home=steward_home)
    assert again.returncode == 0 and read_token() == token  # kept, not replaced
    shown = run_cli("token", home=steward_home)
    assert shown.returncode == 0 and shown.stdout.strip() == token
    rotated = run_cli("token", "--new", home=steward_home)
    assert rotated.returncode == 0 and rotated.stdout.strip() == read_token() != token


# ---- portfolio --------------------------------------------------------------------------------

def _solana_balance(config, holding) -> int:
    from solders.pubkey import Pubkey

    from steward.solana import solana_chain
    from steward.solana.spl import mint_info, token_balance

    chain, owner = solana_chain(config), Pubkey.from_string(holding["address"])
    if holding["token"] is None:
        return chain.balance(owner)
    return token_balance(chain, owner, mint_info(chain, Pubkey.from_string(holding["token"])))


def test_portfolio_matches_the_chain_and_adds_up(client):
    response = client.get("/api/portfolio")
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["errors"]
    holdings = body["holdings"]
    assert {h["chain"] for h in holdings} == {"sandbox-l1", "sandbox-l2", "sandbox-sol"}
    for h in holdings:
        config = load_config().chain(h["chain"])
        if config.family == "solana":
            assert h["balance"] == _solana_balance(config, h), h
            continue
        w3 = chains.connect(config)
        on_chain = (w3.eth.get_balance(h["address"]) if h["token"] is None
                    else erc20.balance_of(w3, h["token"], h["address"]))
        assert h["balance"] == on_chain, h
    chains.end_all_sessions()
    usdc = next(h for h in holdings if h["wallet"] == WALLET and h["chain"] == "sandbox-l1"
                and h["symbol"] == "USDC")
    assert usdc["balance"] == 10_000 * 10**6 and usdc["amount"] == "10000"
    assert usdc["usd_value"] == usdc["balance"]  # 1 USDC ≈ $1 from the USDC/USDT pool, ±0.5%
    priced = sum(h["usd_value"] or 0 for h in holdings)
    assert body["total_usd_value"] == priced > 0
    assert sum(w["usd_value"] for w in body["wallets"]) == priced
    assert sum(c["usd_value"] for c in body["chains"]) == priced
    assert body["total_usd"] == f"{priced // 10**6}.{priced % 10**6:06d}".rstrip("0").rstrip(".")

    only = client.get("/api/portfolio", params={"wallet": WALLET, "chain": "l2"}).json()
    assert {(h["wallet"], h["chain"]) for h in only["holdings"]} == {(WALLET, "sandbox-l2")}
    assert only["total_usd_value"] == next(c["usd_value"] for c in body["chains"]
                                           if c["chain"] == "sandbox-l2")


def test_portfolio_bad_filters_say_what_is_valid(client):
    response = client.get("/api/portfolio", params={"wallet": "nobody"})
    assert response.status_code == 400
    assert "unknown wallet 'nobody'" in response.json()["detail"]
    assert WALLET in response.json()["detail"]
    response = client.get("/api/portfolio", params={"chain": "moon"})
    assert response.status_code == 400
    assert "moon" in response.json()["detail"] and "sandbox-l1" in response.json()["detail"]


# ---- the proposal queue -----------------------------------------------------------------------

def test_allowed_proposal_executes_and_the_journal_shows_it(client):
    sender = wallet_address()
    before = usdc_balance(sender)
    proposal = propose(client, text="swap 10 USDC for ETH on l1")
    assert proposal["status"] == "allowed", proposal["message"]
    step = proposal["steps"][0]
    usdc = load_config().chain("sandbox-l1").tokens["USDC"]
    assert [c["delta"] for c in step["changes"] if c["token"] == usdc] == [-10_000_000]
    assert step["preview"]["text"] and step["plan"]["calls"]
    assert usdc_balance(sender) == before  # proposing signs nothing

    done = client.post(f"/api/proposals/{proposal['id']}/execute")
    assert done.status_code == 200, done.text
    executed = done.json()
    assert executed["status"] == "executed", executed["message"]
    hashes = executed["steps"][0]["tx_hashes"]
    assert hashes
    assert usdc_balance(sender) == before - 10_000_000

    journal = client.get("/api/journal", params={"limit": 10, "wallet": WALLET}).json()
    signed = {entry["tx_hash"]: entry for entry in journal["transactions"]}
    assert set(hashes) <= set(signed)
    assert all(signed[h]["status"] == "success" for h in hashes)
    assert any(v["status"] == "executed" and v["summary"] == step["summary"]
               for v in journal["verdicts"])
    again = client.post(f"/api/proposals/{proposal['id']}/execute")
    assert again.status_code == 409 and "executed" in again.json()["detail"]
    assert client.get(f"/api/proposals/{proposal['id']}").json()["status"] == "executed"


def test_confirm_level_proposal_waits_for_approval(client):
    before = usdc_balance(alice())
    proposal = propose(client, intent=TRANSFER_5_USDC_TO_ALICE)
    assert proposal["status"] == "pending" and proposal["decision"] == "confirm"
    assert proposal["steps"][0]["reasons"], "the mandate's reasons are shown"
    assert proposal["intent"]["recipient"] == "alice"
    pending = client.get("/api/proposals", params={"status": "pending"}).json()
    assert [p["id"] for p in pending] == [proposal["id"]]

    refused = client.post(f"/api/proposals/{proposal['id']}/execute")
    assert refused.status_code == 409
    assert "approve" in refused.json()["detail"]
    assert "nothing was signed" in refused.json()["detail"]
    assert usdc_balance(alice()) == before

    approved = client.post(f"/api/proposals/{proposal['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "api"
    twice = client.post(f"/api/proposals/{proposal['id']}/approve")
    assert twice.status_code == 409 and "only pending" in twice.json()["detail"]

    done = client.post(f"/api/proposals/{proposal['id']}/execute").json()
    assert done["status"] == "executed", done["message"]
    assert usdc_balance(alice()) == before + 5_000_000


def test_rejected_and_denied_proposals_are_never_signed(client):
    before = usdc_balance(alice())
    proposal = propose(client, text="send 5 USDC to alice on l1")
    rejected = client.post(f"/api/proposals/{proposal['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for action in ("approve", "execute", "reject"):
        response = client.post(f"/api/proposals/{proposal['id']}/{action}")
        assert response.status_code == 409, (action, response.text)
        assert "rejected" in response.json()["detail"]

    denied = propose(client, text="send 5000 USDC to alice on l1")
    assert denied["status"] == "denied" and denied["decision"] == "deny", denied["message"]
    approve = client.post(f"/api/proposals/{denied['id']}/approve")
    assert approve.status_code == 409 and "only pending" in approve.json()["detail"]
    execute = client.post(f"/api/proposals/{denied['id']}/execute")
    assert execute.status_code == 409 and "no one can approve a deny" in execute.json()["detail"]
    assert usdc_balance(alice()) == before


def test_bad_input_gets_a_clear_4xx(client):
    unknown_wallet = client.post("/api/proposals", json={"text": "send 5 USDC to alice",
                                                         "wallet": "nobody"})
    assert unknown_wallet.status_code == 400
    assert "unknown wallet 'nobody'" in unknown_wallet.json()["detail"]
    assert WALLET in unknown_wallet.json()["detail"]

    missing_amount = client.post("/api/proposals", json={"intent": {
        "action": "transfer", "token": "USDC", "recipient": "alice"}})
    assert missing_amount.status_code == 422
    errors = missing_amount.json()["detail"]
    assert any(e["loc"][-1] == "amount" and e["msg"] == "Field required" for e in errors)

    teleport = client.post("/api/proposals", json={"intent": {"action": "teleport"}})
    assert teleport.status_code == 422
    assert "'transfer'" in teleport.text and "teleport" in teleport.text

    both = client.post("/api/proposals", json={"text": "wrap 1 ETH",
                                               "intent": {"action": "wrap", "amount": {
                                                   "kind": "exact", "value": "1"}}})
    assert both.status_code == 422
    assert "Extra inputs are not permitted" in both.text
    assert client.post("/api/proposals", json={}).status_code == 422
    assert client.post("/api/proposals", content=b"send 5 USDC",
                       headers={"content-type": "application/json"}).status_code == 422
    blank = client.post("/api/proposals", json={"text": "   "})
    assert blank.status_code == 400 and "empty" in blank.json()["detail"]
    unclear = propose(client, text="send 5 USDC to bobby")
    assert unclear["status"] == "needs_clarification" and unclear["question"]

    bad_address = client.get("/api/check/address", params={"address": "0x1234"})
    assert bad_address.status_code == 400
    assert "not an address: expected 0x followed by 40 hex digits" in bad_address.json()["detail"]
    bad_checksum = client.get("/api/check/address", params={
        "address": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293bC"})
    assert bad_checksum.status_code == 400 and "checksum" in bad_checksum.json()["detail"]
    bad_token = client.get("/api/check/token", params={"address": "NOPE", "chain": "l1"})
    assert bad_token.status_code == 400 and "not an address" in bad_token.json()["detail"]
    bad_url = client.get("/api/check/url", params={"url": "javascript:alert(1)"})
    assert bad_url.status_code == 400 and "not a web address" in bad_url.json()["detail"]

    for method, suffix in (("GET", ""), ("POST", "/approve"), ("POST", "/reject"),
                           ("POST", "/execute")):
        response = client.request(method, f"/api/proposals/p-ffffffffff{suffix}")
        assert response.status_code == 404, (suffix, response.text)
        assert "no proposal 'p-ffffffffff'" in response.json()["detail"]
    sleeping = client.get("/api/proposals", params={"status": "sleeping"})
    assert sleeping.status_code == 422 and "'pending'" in sleeping.text
    assert client.get("/api/journal", params={"limit": 0}).status_code == 422


def test_checks_report_on_the_sandbox(client):
    usdc = client.get("/api/check/token", params={"address": "USDC", "chain": "l1"})
    assert usdc.status_code == 200, usdc.text
    assert usdc.json()["symbol"] == "USDC" and usdc.json()["verdict"] in ("safe", "caution")
    bob = load_contacts()["bob"].address
    poisoned = (bob[:6] + ("0" if bob[6] != "0" else "1") * 32 + bob[-4:]).lower()
    lookalike = client.get("/api/check/address", params={"address": poisoned})
    assert lookalike.status_code == 200, lookalike.text
    assert lookalike.json()["verdict"] == "danger"
    assert any(item["name"] == "bob" for item in lookalike.json()["lookalikes"])
    phishing = client.get("/api/check/url", params={"url": "https://app.uniswap.org.claim.xyz"})
    assert phishing.status_code == 200 and phishing.json()["verdict"] == "danger"


def test_expired_proposals_cannot_be_approved_or_executed(client, monkeypatch):
    path = config_path()
    path.write_text(path.read_text() + "\n[proposals]\nttl_seconds = 60\n")
    proposal = propose(client, text="send 5 USDC to alice on l1")
    assert proposal["status"] == "pending"
    created, expires = (proposals.Proposal.model_validate(proposal).created_at,
                        proposals.Proposal.model_validate(proposal).expires_at)
    assert expires - created == timedelta(seconds=60)

    later = created + timedelta(seconds=61)
    monkeypatch.setattr(proposals, "_now", lambda: later)  # a minute passes
    shown = client.get(f"/api/proposals/{proposal['id']}").json()
    assert shown["status"] == "expired" and "propose it again" in shown["message"]
    for action in ("approve", "execute"):
        response = client.post(f"/api/proposals/{proposal['id']}/{action}")
        assert response.status_code == 409 and "expired" in response.json()["detail"]
    assert client.get("/api/proposals", params={"status": "pending"}).json() == []


def test_execute_refuses_when_the_world_changed_since_approval(client):
    sender = wallet_address()
    first = propose(client, text="send 900 USDC to alice on l1")
    assert first["status"] == "pending", first["message"]
    assert client.post(f"/api/proposals/{first['id']}/approve").status_code == 200

    # Meanwhile the owner moves (almost) all the wallet's USDC elsewhere, within a raised limit.
    mandate = default_mandate_toml(WALLET)
    assert "per_transaction_usd = 1000\n" in mandate and "daily_usd = 5000\n" in mandate
    mandate_path(WALLET).write_text(mandate.replace("per_transaction_usd = 1000\n",
                                                    "per_transaction_usd = 100000\n")
                                    .replace("daily_usd = 5000\n", "daily_usd = 100000\n"))
    drain = propose(client, intent={"action": "transfer", "amount": {"kind": "exact",
                                                                     "value": "9500"},
                                    "token": "USDC", "recipient": "bob", "chain": "sandbox-l1"})
    assert drain["status"] == "pending", drain["message"]
    assert client.post(f"/api/proposals/{drain['id']}/approve").status_code == 200
    drained = client.post(f"/api/proposals/{drain['id']}/execute").json()
    assert drained["status"] == "executed", drained["message"]

    left, alice_before = usdc_balance(sender), usdc_balance(alice())
    assert left == 500 * 10**6
    signed_before = len(client.get("/api/journal", params={"limit": 500}).json()["transactions"])
    stale = client.post(f"/api/proposals/{first['id']}/execute")
    assert stale.status_code == 200, stale.text
    assert stale.json()["status"] == "stale"
    assert "it was not signed" in stale.json()["message"]
    assert stale.json()["steps"][0]["tx_hashes"] == []
    assert usdc_balance(sender) == left and usdc_balance(alice()) == alice_before
    signed_after = len(client.get("/api/journal", params={"limit": 500}).json()["transactions"])
    assert signed_after == signed_before
    again = client.post(f"/api/proposals/{first['id']}/execute")
    assert again.status_code == 409 and "stale" in again.json()["detail"]


def test_execute_without_a_passphrase_refuses_and_signs_nothing(embedded_world, monkeypatch):
    monkeypatch.delenv("STEWARD_PASSPHRASE")
    app = create_app(token=TOKEN)
    with TestClient(app, headers=AUTH) as client:
        proposal = propose(client, text="swap 10 USDC for ETH on l1")
        assert proposal["status"] == "allowed"
        response = client.post(f"/api/proposals/{proposal['id']}/execute")
        assert response.status_code == 503
        assert "cannot sign" in response.json()["detail"]
        assert client.get(f"/api/proposals/{proposal['id']}").json()["status"] == "allowed"


def test_concurrent_requests_take_turns_and_release_the_chains(client, embedded_world):
    paths = ["/api/portfolio", "/api/journal", "/api/portfolio?chain=l2",
             "/api/proposals"] * 2
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        answers = list(pool.map(client.get, paths))
    assert [a.status_code for a in answers] == [200] * len(paths), [a.text for a in answers]
    assert answers[0].json()["holdings"] == answers[4].json()["holdings"]
    # Another process needs the embedded chains' file lock; it must not wait for this server.
    other = run_cli("balance", "--json", home=embedded_world, timeout=60)
    assert other.returncode == 0, other.stderr
    assert "waiting for another steward process" not in other.stderr


# ---- `steward serve` ------------------------------------------------------------------------

def test_loopback_and_log_redaction():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/login?token=s3cret&x=1", "1.1", 303), None)
    RedactTokens().filter(record)
    assert "s3cret" not in record.getMessage() and "x=1" in record.getMessage()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_refuses_a_wrong_passphrase(embedded_world):
    done = run_cli("serve", "--port", str(free_port()), home=embedded_world,
                   env={"STEWARD_PASSPHRASE": "not the passphrase"}, timeout=60)
    assert done.returncode == 1
    assert "does not unlock the default wallet 'main'" in done.stderr
    assert "not the passphrase" not in done.stdout + done.stderr


def test_steward_serve_over_http(embedded_world, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = os.environ | TEST_ENV | {"STEWARD_HOME": str(embedded_world)}
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "steward.cli", "serve", "--port",
                                   str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            assert server.poll() is None, log.read_text()
            try:
                health = httpx.get(f"{base}/api/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        token = (embedded_world / "api-token").read_text().strip()
        assert stat.S_IMODE((embedded_world / "api-token").stat().st_mode) == 0o600

        assert httpx.get(f"{base}/api/portfolio", timeout=60).status_code == 401
        response = httpx.get(f"{base}/api/portfolio", timeout=60,
                             headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        assert any(h["symbol"] == "USDC" and h["balance"] == 10_000 * 10**6
                   for h in response.json()["holdings"])
        # A person's command in another process runs while the server is up.
        other = run_cli("proposals", "--json", home=embedded_world, timeout=60)
        assert other.returncode == 0, other.stderr
        httpx.get(f"{base}/login", params={"token": token}, timeout=30)  # may 404 sans dashboard
        output = log.read_text()
        assert f"http://127.0.0.1:{port}/" in output and "api-token" in output
        assert "GET /api/portfolio" in output  # the access log is on …
        assert token not in output  # … and the token is never in it
    finally:
        server.terminate()
        server.wait(timeout=30)
