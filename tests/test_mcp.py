"""`steward mcp` through the MCP SDK's own client over stdio: an external agent can use Steward
as its wallet, and the mandate holds — allowed proposals execute, confirm-level ones wait for a
person's `steward approve`, denied ones never sign, and bad input is a tool error."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.errors import StewardError
from steward.proposals import approve_proposal
from steward.protocols import erc20
from steward.wallets import WalletStore
from conftest import TEST_ENV, forget_process_state, run_cli

EXPECTED_TOOLS = {"get_portfolio", "propose", "execute", "get_proposal", "check_token",
                  "check_address", "check_url", "get_journal", "get_guarded_account",
                  "list_payments", "pay_for_resource"}
CALL_TIMEOUT_S = 300  # a safety net against a hung server, not a timing assertion


class McpClient:
    """One `steward mcp` subprocess and a `ClientSession` to it, on an event loop in a thread,
    so synchronous tests can share a server for the whole module."""

    def __init__(self, home: Path, env: dict[str, str], errlog: Path):
        self.home = home
        self.errlog = errlog.open("w")
        self.params = StdioServerParameters(command=sys.executable,
                                            args=["-m", "steward.cli", "mcp"], env=env)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ready = threading.Event()
        self.session: ClientSession | None = None
        self.holder = asyncio.run_coroutine_threadsafe(self._hold(), self.loop)
        if not self.ready.wait(CALL_TIMEOUT_S) or self.session is None:
            raise RuntimeError(f"steward mcp did not start: {self.stderr()}"
                               + (f" ({self.holder.exception()})" if self.holder.done() else ""))

    async def _hold(self) -> None:
        self.stop = asyncio.Event()
        try:
            async with stdio_client(self.params, errlog=self.errlog) as (read, write), \
                    ClientSession(read, write) as session:
                await session.initialize()
                self.session = session
                self.ready.set()
                await self.stop.wait()
        finally:
            self.ready.set()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(CALL_TIMEOUT_S)

    def list_tools(self):
        return self._run(self.session.list_tools()).tools

    def call(self, tool: str, **arguments):
        """The CallToolResult: `is_error`, `content` (text) and `structured_content`."""
        return self._run(self.session.call_tool(tool, arguments))

    def ok(self, tool: str, **arguments) -> dict:
        result = self.call(tool, **arguments)
        assert not result.is_error, f"{tool} failed: {text(result)}\n{self.stderr()}"
        return result.structured_content

    def error(self, tool: str, **arguments) -> str:
        result = self.call(tool, **arguments)
        assert result.is_error, f"{tool} should have failed: {result.structured_content}"
        return text(result)

    def stderr(self) -> str:
        self.errlog.flush()
        return Path(self.errlog.name).read_text()[-3000:]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.holder.result(CALL_TIMEOUT_S)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(CALL_TIMEOUT_S)
        self.errlog.close()


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


@pytest.fixture(scope="module")
def world(embedded_template, tmp_path_factory) -> Path:
    """One sandbox world for this module's server (the tests read it in their own process)."""
    home = tmp_path_factory.mktemp("mcp-world") / "home"
    shutil.copytree(embedded_template, home)
    return home


@pytest.fixture(scope="module")
def server(world) -> McpClient:
    env = TEST_ENV | {"STEWARD_HOME": str(world)}
    client = McpClient(world, env, world.parent / "mcp-stderr.log")
    yield client
    client.close()


@pytest.fixture
def here(world, monkeypatch) -> Path:
    """This test process looks at the server's world too (its reads take the chains' lock, so
    each one also shows the server released it)."""
    monkeypatch.setenv("STEWARD_HOME", str(world))
    yield world
    forget_process_state()


def balance_of(holder: str, token: str | None, chain: str = "sandbox-l1") -> int:
    config = load_config().chain(chain)
    w3 = chains.connect(config)
    try:
        if token is None:
            return w3.eth.get_balance(holder)
        return erc20.balance_of(w3, config.tokens[token], holder)
    finally:
        chains.end_all_sessions()


def alice() -> str:
    return Web3.to_checksum_address(load_contacts()["alice"].address)


def test_lists_exactly_the_steward_tools_with_typed_schemas(server):
    tools = {tool.name: tool for tool in server.list_tools()}
    assert set(tools) == EXPECTED_TOOLS  # no approve, no raw plan or verdict, no mandate edits
    for tool in tools.values():
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema, f"{tool.name} returns structured JSON"
    propose = tools["propose"]
    assert set(propose.input_schema["properties"]) == {"text", "intent", "wallet"}
    assert "execute" in propose.description and "steward approve" in propose.description
    assert {"Transfer", "Swap", "Bridge", "Amount"} <= set(propose.input_schema["$defs"])
    assert "balance_changes" in json.dumps(propose.output_schema)
    execute = tools["execute"]
    assert execute.input_schema["required"] == ["proposal_id"]
    assert set(execute.input_schema["properties"]) == {"proposal_id"}
    assert execute.annotations.destructive_hint is True
    for name in ("get_portfolio", "check_token", "check_address", "check_url", "get_journal",
                 "get_proposal"):
        assert tools[name].annotations.read_only_hint is True, name
    assert tools["get_journal"].input_schema["properties"]["limit"]["minimum"] == 1


def test_portfolio_matches_the_chain(server, here):
    portfolio = server.ok("get_portfolio", chain="l1")
    assert portfolio["errors"] == {}
    held = {(h["wallet"], h["symbol"]): h for h in portfolio["holdings"]}
    wallet = WalletStore().resolve(None)
    assert {h["chain"] for h in portfolio["holdings"]} == {"sandbox-l1"}
    address = held[wallet, "USDC"]["address"]
    usdc = held[wallet, "USDC"]
    assert int(usdc["balance"]) == balance_of(address, "USDC")
    assert usdc["decimals"] == 6
    assert Decimal(usdc["amount"]) == Decimal(balance_of(address, "USDC")).scaleb(-6)
    assert int(held[wallet, "ETH"]["balance"]) == balance_of(address, None)
    assert held[wallet, "ETH"]["token"] is None
    both = server.ok("get_portfolio", wallet=wallet)
    assert {h["chain"] for h in both["holdings"]} == {"sandbox-l1", "sandbox-l2", "sandbox-sol"}
    assert float(both["total_usd"]) > 0
    assert "unknown wallet 'nobody'" in server.error("get_portfolio", wallet="nobody")


def test_a_person_approves_a_first_payment_then_repeat_payments_are_allowed(server, here):
    before = balance_of(alice(), "USDC")
    proposal = server.ok("propose", text="send 5 USDC to alice on l1")
    assert proposal["status"] == "pending" and proposal["decision"] == "confirm"
    pid = proposal["id"]
    step = proposal["steps"][0]
    assert "alice" in step["preview"]["text"]
    assert any(r["rule"] == "confirm.first_time_recipients" for r in step["reasons"])
    assert any(f["code"] == "first_time_recipient" for f in step["findings"])
    usdc = load_config().chain("sandbox-l1").tokens["USDC"]
    assert [(c["delta"], c["amount"]) for c in step["balance_changes"] if c["token"] == usdc] \
        == [("-5000000", "-5")]
    assert f"steward approve {pid}" in proposal["next_step"]

    refused = server.error("execute", proposal_id=pid)
    assert "pending" in refused and f"steward approve {pid}" in refused
    assert "nothing was signed" in refused
    assert balance_of(alice(), "USDC") == before

    approved = run_cli("approve", pid, "--yes", home=here)  # a person, in another process
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert server.ok("get_proposal", proposal_id=pid)["status"] == "approved"
    done = server.ok("execute", proposal_id=pid)
    assert done["status"] == "executed", done["message"]
    assert done["decided_by"].startswith("cli")
    hashes = done["steps"][0]["tx_hashes"]
    assert hashes
    assert balance_of(alice(), "USDC") == before + 5_000_000
    assert "executed" in server.error("execute", proposal_id=pid)  # never twice

    # alice is now a past recipient and 3 USDC is under the approval threshold: allowed.
    again = server.ok("propose", intent={"action": "transfer", "amount": {"kind": "exact",
                                         "value": "3"}, "token": "USDC", "recipient": "alice",
                                         "chain": "sandbox-l1"})
    assert again["status"] == "allowed", again["message"]
    assert again["intent"]["recipient"] == "alice"
    assert "call execute" in again["next_step"]
    repeat = server.ok("execute", proposal_id=again["id"])
    assert repeat["status"] == "executed", repeat["message"]
    assert balance_of(alice(), "USDC") == before + 8_000_000

    journal = server.ok("get_journal", limit=10, wallet=done["wallet"])
    journaled = {entry["tx_hash"]: entry for entry in journal["transactions"]}
    for tx_hash in hashes + repeat["steps"][0]["tx_hashes"]:
        assert journaled[tx_hash]["status"] == "success"
        assert journaled[tx_hash]["chain"] == "sandbox-l1"
    assert any(v["approved_by"] and v["approved_by"].startswith("cli")
               for v in journal["verdicts"])


def test_a_denied_proposal_can_never_be_executed(server, here):
    before = balance_of(alice(), "USDC")
    denied = server.ok("propose", text="send 5000 USDC to alice on l1")
    assert denied["status"] == "denied" and denied["decision"] == "deny"
    assert any(r["rule"] == "limits.per_transaction_usd" for r in denied["steps"][0]["reasons"])
    assert "nothing can be signed" in denied["next_step"]
    refused = server.error("execute", proposal_id=denied["id"])
    assert "no one can approve a deny" in refused
    with pytest.raises(StewardError, match="only pending"):
        approve_proposal(denied["id"], by="someone")  # not even a person can
    assert server.ok("get_proposal", proposal_id=denied["id"])["status"] == "denied"
    assert balance_of(alice(), "USDC") == before


def test_bad_input_is_a_tool_error_and_the_server_keeps_answering(server):
    assert "no proposal 'p-0000000000'" in server.error("execute", proposal_id="p-0000000000")
    assert "no proposal" in server.error("get_proposal", proposal_id="p-0000000000")
    assert "proposal_id" in server.error("execute")
    assert "invalid intent" in server.error("propose", intent={"action": "teleport"})
    missing = server.error("propose", intent={"action": "transfer", "token": "USDC",
                                              "recipient": "alice"})
    assert "invalid intent at transfer.amount" in missing
    assert "must be a JSON object" in server.error("propose", intent="pay alice")
    assert "either the request text or a structured intent" in server.error("propose")
    assert "unknown wallet 'nobody'" in server.error("propose", text="send 1 USDC to alice",
                                                     wallet="nobody")
    assert "'0x1234' is not an address" in server.error("check_address", address="0x1234")
    assert "unknown chain 'moon'" in server.error("check_token", address="USDC", chain="moon")
    assert "limit" in server.error("get_journal", limit=0)
    assert "approve" in server.error("approve", proposal_id="p-0000000000")  # no such tool
    unclear = server.ok("propose", text="send 5 USDC to bobby")
    assert unclear["status"] == "needs_clarification" and unclear["question"]
    assert unclear["steps"] == []
    answered = server.ok("propose", text="how much USDC do I have on l2")
    assert answered["status"] == "answered" and answered["steps"] == []
    [holding] = answered["answer"]["portfolio"]["holdings"]
    assert holding["symbol"] == "USDC" and holding["balance"].isdigit()
    assert server.ok("get_portfolio", chain="l2")["holdings"]  # still answering


def test_checks_flag_lookalikes_and_scam_tokens(server, here):
    phishing = server.ok("check_url", url="https://app.uniswap.org.claim.xyz")
    assert phishing["verdict"] == "danger", phishing["reasons"]
    genuine = server.ok("check_url", url="https://app.uniswap.org")
    assert genuine["verdict"] == "safe" and genuine["known_good"]
    honeypot = server.ok("check_token", address="ZHONEY", chain="l1")
    assert honeypot["verdict"] == "danger" and honeypot["fields"]["is_honeypot"]["value"]
    usdc = server.ok("check_token", address="USDC")
    assert usdc["chain"] == "sandbox-l1" and usdc["verdict"] != "danger"
    who = server.ok("check_address", address=alice(), chain="sandbox-l1")
    assert who["is_contract"] is False and who["known_as"] == "alice"


def test_stdout_is_protocol_only_and_execute_needs_the_passphrase(server, here):
    """A raw client on a second server over the same world, without STEWARD_PASSPHRASE."""
    env = {k: v for k, v in os.environ.items() if k != "STEWARD_PASSPHRASE"}
    env |= {"STEWARD_HOME": str(here), "STEWARD_KEYSTORE_SCRYPT_N": "1024"}
    process = subprocess.Popen([sys.executable, "-m", "steward.cli", "mcp"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines: list[str] = []

    def send(message: dict) -> None:
        process.stdin.write(json.dumps({"jsonrpc": "2.0"} | message) + "\n")
        process.stdin.flush()

    def answer(request_id: int) -> dict:
        while True:
            line = process.stdout.readline()
            assert line, f"the server closed stdout: {process.stderr.read()}"
            lines.append(line)
            message = json.loads(line)
            if message.get("id") == request_id:
                return message

    try:
        send({"id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw-test", "version": "0"}}})
        assert answer(1)["result"]["serverInfo"]["name"] == "steward"
        send({"method": "notifications/initialized"})
        send({"id": 2, "method": "tools/call", "params": {
            "name": "propose", "arguments": {"text": "swap 10 USDC for ETH on l1"}}})
        proposal = answer(2)["result"]["structuredContent"]
        assert proposal["status"] == "allowed", proposal["message"]
        send({"id": 3, "method": "tools/call", "params": {
            "name": "execute", "arguments": {"proposal_id": proposal["id"]}}})
        refused = answer(3)["result"]
        assert refused["isError"] is True
        assert "STEWARD_PASSPHRASE is not set" in refused["content"][0]["text"]
    finally:
        rest, errors = process.communicate(timeout=CALL_TIMEOUT_S)  # closes stdin: EOF ends it
    lines += rest.splitlines()
    assert process.returncode == 0, errors
    for line in lines:
        assert json.loads(line)["jsonrpc"] == "2.0", line

    # Nothing was consumed: the module's server, which has the passphrase, signs it.
    usdc_before = balance_of(proposal["address"], "USDC")
    done = server.ok("execute", proposal_id=proposal["id"])
    assert done["status"] == "executed", done["message"]
    assert balance_of(proposal["address"], "USDC") == usdc_before - 10_000_000
