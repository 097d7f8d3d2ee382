"""The service layer on a copy of the embedded sandbox: what the CLI, the API, the dashboard and
the MCP server call. Happy paths against the chain, stable error codes for each failure, the
same code and error object from the API and the MCP server, the bridge relayer passed in, and
the layering (nothing below the faces imports the service)."""

from __future__ import annotations

import ast
import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

import steward
from steward import proposals, sandbox, service
from steward.api import create_app
from steward.contacts import load_contacts
from steward.mcp import build_server
from steward.service import ServiceError

from conftest import PASSPHRASE, usdc_balance

TOKEN = "service-test-token-8c2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
USDC = 10**6



def alice() -> str:
    return Web3.to_checksum_address(load_contacts()["alice"].address)


def failure(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


def mcp_call(tool: str, **arguments):
    """The MCP server's tool, called in this process (no transport)."""
    return asyncio.run(build_server().call_tool(tool, arguments))


@pytest.fixture
def api(embedded_world):
    with TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE), headers=AUTH) as client:
        yield client


# ---- happy paths ------------------------------------------------------------------------------

def test_service_wallets_portfolio_and_chains_match_the_chain(embedded_world):
    wallets = service.list_wallets()
    assert [(w.name, w.is_default) for w in wallets if w.name == "main"] == [("main", True)]
    assert service.default_wallet().name == "main"
    address = service.wallet_address("main")
    whole = service.get_portfolio()
    assert whole.errors == {}
    assert {h.chain for h in whole.holdings} == {"sandbox-l1", "sandbox-l2", "sandbox-sol"}
    usdc = next(h for h in whole.holdings if (h.wallet, h.chain, h.symbol)
                == ("main", "sandbox-l1", "USDC"))
    assert usdc.balance == usdc_balance(address) and usdc.amount == "10000" and usdc.decimals == 6
    priced = sum(h.usd_value or 0 for h in whole.holdings)
    assert whole.total_usd_value == priced > 0
    assert sum(w.usd_value for w in whole.wallets) == priced
    assert sum(c.usd_value for c in whole.chains) == priced
    only = service.get_portfolio("main", ["l2"])
    assert {(h.wallet, h.chain) for h in only.holdings} == {("main", "sandbox-l2")}
    assert [c.name for c in service.list_chains()][:2] == ["sandbox-l1", "sandbox-l2"]
    assert service.get_chain("l2").name == "sandbox-l2"


def test_service_proposal_lifecycle_and_journal(embedded_world):
    before = usdc_balance(alice())
    pending = service.propose("send 5 USDC to alice on l1")
    assert pending.status == "pending"
    assert [p.id for p in service.list_proposals("pending")] == [pending.id]
    assert failure(service.execute, pending.id, PASSPHRASE).code == "needs_approval"
    assert service.approve(pending.id, by="tester").status == "approved"
    done = service.execute(pending.id, PASSPHRASE)
    assert done.status == "executed", done.message
    assert usdc_balance(alice()) == before + 5 * USDC
    journal = service.get_journal(limit=10, wallet="main")
    assert set(done.steps[0].tx_hashes) <= {e.tx_hash for e in journal.transactions}
    again = failure(service.execute, pending.id, PASSPHRASE)
    assert (again.code, again.status) == ("conflict", 409) and "executed" in again.message

    structured = service.propose(intent={"action": "transfer", "amount": {
        "kind": "exact", "value": "1"}, "token": "USDC", "recipient": "alice",
        "chain": "sandbox-l1"})
    assert structured.status == "allowed", structured.message  # alice is now a past recipient
    assert service.reject(structured.id, by="tester").status == "rejected"
    assert usdc_balance(alice()) == before + 5 * USDC


def test_service_checks_report_and_refuse_bad_input(embedded_world):
    assert service.check_url("https://app.uniswap.org.claim.xyz").verdict == "danger"
    assert service.check_token("USDC", "l1").symbol == "USDC"
    assert service.check_address(alice(), "sandbox-l1").known_as == "alice"
    assert failure(service.check_token, "NOPE", "l1").code == "invalid_input"
    assert failure(service.check_token, "USDC", "moon").code == "unknown_name"
    assert failure(service.check_address, "0x1234").code == "invalid_input"
    assert failure(service.check_url, "javascript:alert(1)").code == "invalid_input"
    assert failure(service.get_journal, limit=0).code == "invalid_input"


# ---- error codes ------------------------------------------------------------------------------

def test_service_unknown_wallet_is_unknown_name(embedded_world):
    for call, args in ((service.get_portfolio, ("nobody",)), (service.wallet_address, ("nobody",)),
                       (service.resolve_wallet, ("nobody",))):
        error = failure(call, *args)
        assert (error.code, error.status) == ("unknown_name", 400)
        assert "unknown wallet 'nobody'" in error.message and "main" in error.message
    proposing = failure(service.propose, "send 1 USDC to alice on l1", wallet="nobody")
    assert proposing.code == "unknown_name"
    assert service.list_proposals() == []


def test_service_insufficient_funds_has_its_code_and_signs_nothing(embedded_world):
    before = usdc_balance(service.wallet_address("main"))
    error = failure(service.propose, "send 20000 USDC to alice on l1")
    assert (error.code, error.status) == ("insufficient_funds", 400)
    assert "insufficient USDC" in error.message
    assert service.list_proposals() == [] and usdc_balance(service.wallet_address("main")) == before


def test_service_executing_a_denied_proposal_is_denied(embedded_world):
    before = usdc_balance(alice())
    denied = service.propose("send 5000 USDC to alice on l1")
    assert denied.status == "denied"
    executing = failure(service.execute, denied.id, PASSPHRASE)
    assert (executing.code, executing.status) == ("denied", 409)
    assert "no one can approve a deny" in executing.message
    assert failure(service.approve, denied.id, by="someone").code == "denied"
    assert service.get_proposal(denied.id).status == "denied"
    assert usdc_balance(alice()) == before


def test_service_proposal_state_codes(embedded_world, monkeypatch):
    assert failure(service.get_proposal, "p-0000000000").code == "not_found"
    assert failure(service.execute, "p-0000000000", PASSPHRASE).status == 404
    assert failure(service.propose).code == "invalid_input"  # neither text nor intent
    assert failure(service.propose, intent="pay alice").code == "invalid_input"

    allowed = service.propose("swap 10 USDC for ETH on l1")
    assert allowed.status == "allowed", allowed.message
    refused = failure(service.execute, allowed.id, None, cannot_sign="start it with a passphrase")
    assert (refused.code, refused.status, refused.message) == (
        "cannot_sign", 503, "start it with a passphrase")
    assert service.get_proposal(allowed.id).status == "allowed"  # nothing consumed

    later = service.get_proposal(allowed.id).expires_at + timedelta(seconds=1)
    monkeypatch.setattr(proposals, "_now", lambda: later)
    expired = failure(service.execute, allowed.id, PASSPHRASE)
    assert (expired.code, expired.status) == ("expired", 409)


def test_error_codes_cover_every_steward_error_class():
    """Each StewardError subclass maps to a documented code (a new one must be placed)."""
    import steward.commerce.errors  # noqa: F401 (registers its subclasses)
    import steward.execution  # noqa: F401
    from steward.errors import StewardError
    from steward.service.errors import CODES, error_code

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(StewardError):
        if cls is ServiceError:
            continue
        code = error_code(cls.__new__(cls))
        assert code in CODES, (cls, code)
    docs = (Path(steward.__file__).parents[2] / "docs" / "architecture.md").read_text()
    for code in CODES:
        assert f"`{code}`" in docs, f"docs/architecture.md does not document {code}"


# ---- the API and the MCP server agree ---------------------------------------------------------

def assert_same_error(response, result, code: str, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code and body["detail"] == body["error"]["message"]
    assert result.is_error
    assert result.structured_content == {"error": body["error"]}
    assert result.content[0].text == body["error"]["message"]
    return body["error"]


def test_api_and_mcp_answer_the_same_failure_with_the_same_code(api):
    assert_same_error(api.get("/api/portfolio", params={"wallet": "nobody"}),
                      mcp_call("get_portfolio", wallet="nobody"), "unknown_name", 400)
    assert_same_error(api.post("/api/proposals", json={"text": "send 20000 USDC to alice on l1"}),
                      mcp_call("propose", text="send 20000 USDC to alice on l1"),
                      "insufficient_funds", 400)
    assert_same_error(api.get("/api/proposals/p-0000000000"),
                      mcp_call("get_proposal", proposal_id="p-0000000000"), "not_found", 404)
    assert_same_error(api.get("/api/check/address", params={"address": "0x1234"}),
                      mcp_call("check_address", address="0x1234"), "invalid_input", 400)

    before = usdc_balance(alice())
    denied = api.post("/api/proposals", json={"text": "send 5000 USDC to alice on l1"}).json()
    assert denied["status"] == "denied"
    error = assert_same_error(api.post(f"/api/proposals/{denied['id']}/execute"),
                              mcp_call("execute", proposal_id=denied["id"]), "denied", 409)
    assert "nothing was signed" in error["message"]
    assert usdc_balance(alice()) == before


def test_api_errors_outside_the_service_carry_codes_too(api):
    unauthorized = api.get("/api/portfolio", headers={"Authorization": "Bearer wrong"})
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"]["code"] == "unauthorized"
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    invalid = api.get("/api/journal", params={"limit": 0})
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_input"
    assert "limit" in invalid.json()["error"]["message"]
    assert api.get("/api/nowhere").json()["error"]["code"] == "not_found"


def test_mcp_and_api_portfolios_agree_with_integers_as_text_for_mcp(api):
    from_api = api.get("/api/portfolio", params={"chain": "l1"}).json()
    result = mcp_call("get_portfolio", chain="l1")
    assert not result.is_error
    from_mcp = result.structured_content
    assert set(from_mcp) == set(from_api)
    assert set(from_mcp["holdings"][0]) == set(from_api["holdings"][0])
    assert from_mcp["total_usd_value"] == str(from_api["total_usd_value"])
    assert [h["balance"] for h in from_mcp["holdings"]] == [
        str(h["balance"]) for h in from_api["holdings"]]


# ---- the bridge relayer is passed in ----------------------------------------------------------

def test_service_bridges_with_the_sandbox_relayer_passed_to_fulfilment(embedded_world):
    assert service.default_relayer() is sandbox.bridge_relayer
    me = service.wallet_address("main")
    l1, l2 = usdc_balance(me), usdc_balance(me, "sandbox-l2")
    bridge = service.propose("bridge 20 USDC from l1 to l2")
    if bridge.status == "pending":
        service.approve(bridge.id, by="tester")
    done = service.execute(bridge.id, PASSPHRASE)
    assert done.status == "executed", done.message
    assert (usdc_balance(me), usdc_balance(me, "sandbox-l2")) == (l1 - 20 * USDC, l2 + 20 * USDC)


def test_without_a_relayer_an_embedded_bridge_is_not_signed(embedded_world):
    from steward.fulfilment import fulfil

    me = service.wallet_address("main")
    l1 = usdc_balance(me)
    report = fulfil("bridge 20 USDC from l1 to l2", None, lambda outcome: True,
                    passphrase=lambda: PASSPHRASE)
    [step] = report.steps
    assert step.status == "failed" and "no bridge relayer" in step.message
    assert "nothing was signed" in step.message and not step.tx_hashes
    bridge = service.propose("bridge 20 USDC from l1 to l2")
    if bridge.status == "pending":
        service.approve(bridge.id, by="tester")
    stopped = proposals.execute_proposal(bridge.id, PASSPHRASE)  # the lower layer, no relayer
    assert stopped.status == "failed" and "no bridge relayer" in stopped.message
    assert usdc_balance(me) == l1


# ---- layering ---------------------------------------------------------------------------------

FACES = ("cli", "api", "mcp", "service")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_nothing_below_the_faces_imports_the_service_and_fulfilment_not_the_sandbox():
    root = Path(steward.__file__).parent
    for path in root.rglob("*.py"):
        package = path.relative_to(root).parts[0]
        if package in FACES:
            continue
        modules = imported_modules(path)
        assert not any(m == "steward.service" or m.startswith("steward.service.")
                       for m in modules), path
        if package in ("fulfilment", "proposals"):
            assert not any(m == "steward.sandbox" or m.startswith("steward.sandbox.")
                           for m in modules), path
