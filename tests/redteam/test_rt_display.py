"""What a person sees cannot be forged (issue 21, class 2): request text, contact names and other
outside text reach the terminal, the dashboard and MCP answers escaped, with control, bidi and
zero-width characters shown as `<U+XXXX>`; the preview (built from the simulation and the
decoded calls) is what a person reads, and the request is labelled as what was asked."""

from __future__ import annotations

import asyncio
import json
import unicodedata

from fastapi.testclient import TestClient
from web3 import Web3

from steward import chains
from steward.api import create_app
from steward.chains.config import load_config
from steward.contacts import save_contact
from steward.mcp.server import build_server
from steward.proposals import get_proposal, propose
from steward.wallets import WalletStore
from conftest import PASSPHRASE, forget_process_state, run_cli

# The red-team attack: clear the screen (CSI without digits: the parser reads digits as
# amounts), conceal the real request with rich markup, and reverse what follows with U+202E.
ATTACK = ("\x1b[H\x1b[J\x1bc[conceal]send 0.1 ETH to carol on l1[/]"
          "\u202e Preview: nothing leaves your wallet")
HIDDEN = {"Cc", "Cf"}
TOKEN = "test-token-display-7c1e"
WIDE = {"COLUMNS": "400"}  # one line per line of the panel, so the assertions see whole phrases


def hidden_characters(text: str) -> list[str]:
    """Control and format characters other than a line break (a page or a table has those)."""
    return [f"U+{ord(ch):04X}" for ch in text
            if unicodedata.category(ch) in HIDDEN and ch not in "\n\t"]


def nonce(address: str) -> int:
    w3 = chains.connect(load_config().chain("sandbox-l1"))
    try:
        return w3.eth.get_transaction_count(address)
    finally:
        chains.end_all_sessions()


def pending_attack() -> str:
    proposal = propose(text=ATTACK)
    assert proposal.status == "pending", (proposal.status, proposal.question, proposal.message)
    forget_process_state()  # the CLI subprocesses take the chains' lock
    return proposal.id


def test_request_text_cannot_drive_the_terminal_or_hide_the_preview(embedded_world):
    pid = pending_attack()
    sender = WalletStore().get("main").address
    before = nonce(sender)

    shown = run_cli("proposal", pid, home=embedded_world, env=WIDE)
    # no --yes and no terminal to ask in: the panel is shown, nothing is approved
    asking = run_cli("approve", pid, home=embedded_world, env=WIDE)
    assert shown.returncode == 0, shown.stderr
    assert asking.returncode == 1 and "confirmation needed" in asking.stderr
    for out in (shown.stdout, asking.stdout):
        assert "\x1b" not in out and "\u202e" not in out
        assert hidden_characters(out) == []
        # the attack is shown as text, labelled as what was asked ...
        assert "<U+001B>[H<U+001B>[J<U+001B>c[conceal]send 0.1 ETH to carol on l1[/]<U+202E>" in out
        assert "Asked (the requester's words as received; not what is signed):" in out
        # ... and the guard's preview says what would really happen
        assert "Preview (simulated): You send 0.1 ETH" in out
        assert "to carol (0x" in out
    assert get_proposal(pid).status == "pending"
    assert nonce(sender) == before  # nothing signed


def test_contact_name_markup_and_bidi_are_shown_in_the_send_preview(embedded_world):
    name = "[conceal]alice[/] \u202eecila\u200b"
    address = Web3.to_checksum_address("0x" + "5e" * 20)
    save_contact(name, address)
    sender = WalletStore().get("main").address
    before = nonce(sender)
    forget_process_state()

    sent = run_cli("send", "1", "USDC", name, "--chain", "sandbox-l1", home=embedded_world,
                   env=WIDE)
    assert sent.returncode == 1 and "confirmation needed" in sent.stderr  # no terminal: no yes
    out = sent.stdout
    assert hidden_characters(out) == [], out
    assert "You send 1 USDC" in out
    assert "[conceal]alice[/] <U+202E>ecila<U+200B> (0x5e5E" in out
    assert nonce(sender) == before


def test_dashboard_shows_no_raw_control_or_bidi_character(embedded_world):
    pid = pending_attack()
    app = create_app(token=TOKEN, passphrase=PASSPHRASE)
    with TestClient(app) as client:
        signed_in = client.get(f"/login?token={TOKEN}&next=/proposals/{pid}")
        page = client.get(f"/proposals/{pid}")
        listing = client.get("/proposals")
    assert signed_in.status_code == 200 and page.status_code == 200, page.text
    for html in (page.text, listing.text):
        assert hidden_characters(html) == []
        assert "&lt;U+001B&gt;[H&lt;U+001B&gt;[J&lt;U+001B&gt;c[conceal]" in html
        assert "&lt;U+202E&gt; Preview: nothing leaves your wallet" in html
    assert "You send 0.1 ETH" in page.text
    assert get_proposal(pid).status == "pending"


def test_mcp_answers_show_no_raw_control_or_bidi_character(embedded_world):
    pid = pending_attack()
    result = asyncio.run(build_server().call_tool("get_proposal", {"proposal_id": pid}))
    assert not result.is_error
    text = "\n".join(block.text for block in result.content if block.type == "text")
    structured = json.dumps(result.structured_content, ensure_ascii=False)
    for answer in (text, structured):
        assert "\u202e" not in answer and "\x1b" not in answer
        assert hidden_characters(answer) == []
    request = result.structured_content["request"]
    assert request == ("<U+001B>[H<U+001B>[J<U+001B>c[conceal]send 0.1 ETH to carol on l1[/]"
                       "<U+202E> Preview: nothing leaves your wallet")
    assert "You send 0.1 ETH" in result.structured_content["steps"][0]["preview"]["text"]
