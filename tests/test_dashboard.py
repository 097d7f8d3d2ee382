"""The dashboard in a real browser: the real server (`steward serve` in its own process) on a
copy of the embedded sandbox, driven by headless Chromium through Selenium. A person signs in
with the token, reads the portfolio, asks, reads the preview, approves or rejects, and the chain
really moves (or does not)."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.portfolio import portfolio
from steward.proposals import _connection as proposal_store
from steward.proposals import get_proposal
from steward.protocols import erc20
from steward.wallets import WalletStore
from conftest import TEST_ENV, forget_process_state

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SERVER_START_SECONDS = 60
# A page that signs waits for receipts; these bound a wait, they are not measured.
PAGE_SECONDS = 120


def browser_or_fail() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if chromium and chromedriver:
        return chromium, chromedriver
    missing = "chromium" if not chromium else "chromedriver"
    message = f"{missing} is not on PATH (`make setup-browser` installs Debian's chromium and " \
              "chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so the browser tests must run)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- the server and the browser, shared by the module ------------------------------------------

@pytest.fixture(scope="module")
def dashboard_home(embedded_template, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("dashboard") / "home"
    shutil.copytree(embedded_template, home)
    return home


@pytest.fixture(scope="module")
def server(dashboard_home, tmp_path_factory):
    """`steward serve` on a free port; yields (base URL, token)."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = os.environ | TEST_ENV | {"STEWARD_HOME": str(dashboard_home)}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "steward.cli", "serve", "--port", str(port), "--show-token"],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        token = wait_for_server(process, base, log)
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_server(process: subprocess.Popen, base: str, log: Path) -> str:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`steward serve` exited with {process.returncode}:\n{log.read_text()}")
        found = re.search(r"token=([A-Za-z0-9_\-]+)", log.read_text())
        if found:
            try:
                httpx.get(f"{base}/login", timeout=5)
                return found.group(1)
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    pytest.fail(f"`steward serve` did not answer within {SERVER_START_SECONDS}s:\n"
                f"{log.read_text()}")


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver = browser_or_fail()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1400"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def home(dashboard_home, steward_home, monkeypatch) -> Path:
    """This process reads the chains the server writes (the server's home, not a fresh one)."""
    monkeypatch.setenv("STEWARD_HOME", str(dashboard_home))
    yield dashboard_home
    forget_process_state()


@pytest.fixture
def signed_in(server, browser, home):
    base, token = server
    if not (browser.current_url.startswith(base) and browser.get_cookie("steward_session")):
        browser.get(f"{base}/login?token={token}")
        assert browser.current_url.rstrip("/") == base
    console_errors(browser)  # what earlier tests provoked (a 401 on purpose) is theirs
    return base


@pytest.fixture
def client(server, home):
    """A plain HTTP client signed in like the browser, for what a browser never sends."""
    base, token = server
    with httpx.Client(base_url=base, timeout=120) as http:
        assert http.get("/login", params={"token": token}).status_code == 303
        yield http


# ---- helpers -----------------------------------------------------------------------------------

def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver, selector: str):
    """The first element matching `selector`, waiting while the page is still rendering."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, PAGE_SECONDS).until(lambda d: css(d, selector))[0]
    except TimeoutException:
        pytest.fail(f"no {selector!r} on {driver.current_url}:\n{driver.page_source[:3000]}")


def submit(driver, selector: str) -> None:
    """Click a button that loads a new page, and wait until that page has replaced this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    button = one(driver, selector)
    driver.execute_script("window.stewardOldPage = true")
    button.click()
    # While the page changes, the driver may answer with transient errors: ask again.
    WebDriverWait(driver, PAGE_SECONDS, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.stewardOldPage === undefined && "
                                   "document.readyState === 'complete'"))


def console_errors(driver) -> list[str]:
    """What the browser complained about since the last call (blocked scripts, 404s...)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, path: Path) -> Path:
    driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5_000
    return path


def ask(driver, base: str, text: str) -> str:
    driver.get(base + "/")
    box = one(driver, "#ask-text")
    box.clear()
    box.send_keys(text)
    submit(driver, "#ask-button")
    found = re.search(r"/proposals/(p-[0-9a-f]+)$", driver.current_url)
    assert found, f"asking did not open a proposal: {driver.current_url}\n{driver.page_source[:3000]}"
    return found.group(1)


def status(driver) -> str:
    return one(driver, "#status").get_attribute("data-status")


def shown(response: httpx.Response) -> str:
    """A page's text as the browser shows it (quotes and ampersands unescaped)."""
    return html.unescape(response.text)


def usdc(holder: str, chain: str = "sandbox-l1") -> int:
    config = load_config().chain(chain)
    balance = erc20.balance_of(chains.connect(config), config.tokens["USDC"], holder)
    chains.end_all_sessions()  # the server takes the embedded chains' file lock next
    return balance


def contact(name: str) -> str:
    return Web3.to_checksum_address(load_contacts()[name].address)


def wallet_address() -> str:
    store = WalletStore()
    return store.get(store.resolve(None)).address


# ---- tests -------------------------------------------------------------------------------------

def test_every_page_needs_the_token(server, browser, home, tmp_path):
    base, token = server
    for path in ("/", "/proposals", "/proposals/p-0000000000", "/journal", "/check",
                 "/always-on"):
        response = httpx.get(base + path)
        assert response.status_code == 401, path
        assert 'id="login"' in response.text and "steward_session" not in response.headers.get(
            "set-cookie", "")
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        redirect = httpx.get(f"{base}/login", params={"token": token, "next": elsewhere})
        assert redirect.status_code == 303 and redirect.headers["location"] == "/"
    wrong = httpx.get(f"{base}/login", params={"token": "not-the-token"})
    assert wrong.status_code == 401 and "not this server" in wrong.text
    # A form posted from another site is refused even with a valid session (CSRF).
    with httpx.Client(base_url=base) as http:
        http.get("/login", params={"token": token})
        for origin in ({}, {"Origin": "http://evil.example"}):
            refused = http.post("/ask", data={"text": "send 5 USDC to alice on l1"},
                                headers=origin)
            assert refused.status_code == 403 and "another site" in refused.text
    assert httpx.post(f"{base}/ask", data={"text": "x"}, headers={"Origin": base}).status_code \
        == 401

    browser.delete_all_cookies()
    browser.get(base + "/journal")
    one(browser, "#login")
    screenshot(browser, tmp_path / "login.png")
    one(browser, "#token").send_keys("not-the-token")
    submit(browser, "#sign-in")
    assert "not this server" in one(browser, "#error").text
    one(browser, "#token").send_keys(token)
    submit(browser, "#sign-in")
    assert browser.current_url == base + "/journal"  # the page that asked for the sign-in
    one(browser, "#transactions")
    cookie = browser.get_cookie("steward_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["value"] != token


def test_portfolio_shows_totals_that_match_the_chain(signed_in, browser, tmp_path):
    browser.get(signed_in + "/")
    store = WalletStore()
    wallets = {w.name: w.address for w in store.list() if w.address}
    expected = portfolio(wallets)
    chains.end_all_sessions()
    shown_total = one(browser, "#total-usd")
    assert int(shown_total.get_attribute("data-usd-micros")) == expected.usd_total() > 0
    by_chain = {e.get_attribute("data-chain"): int(e.get_attribute("data-usd-micros"))
                for e in css(browser, ".chain-total")}
    assert by_chain == {chain: sum(h.usd_value or 0 for h in expected.holdings
                                   if h.chain == chain)
                        for chain in {h.chain for h in expected.holdings}}
    assert sum(by_chain.values()) == expected.usd_total()
    owner = wallet_address()
    rows = {(r.get_attribute("data-chain"), r.get_attribute("data-symbol")):
            int(r.get_attribute("data-balance")) for r in css(browser, "tr.holding")}
    assert rows[("sandbox-l1", "USDC")] == usdc(owner, "sandbox-l1")
    assert rows[("sandbox-l2", "USDC")] == usdc(owner, "sandbox-l2")
    assert len(css(browser, "#chart rect.bar")) >= 4
    screenshot(browser, tmp_path / "portfolio.png")
    assert console_errors(browser) == []


def test_ask_preview_approve_and_the_money_moves(signed_in, browser, tmp_path):
    alice = contact("alice")
    before = usdc(alice)
    proposal_id = ask(browser, signed_in, "send 5 USDC to alice on l1")
    assert status(browser) == "pending", one(browser, "main").text
    assert "You send 5 USDC" in one(browser, ".preview").text
    change = one(browser, "tr.change")
    assert change.get_attribute("data-delta") == "-5000000" and "loss" in change.get_attribute(
        "class")
    assert change.text.startswith("−5 USDC")
    assert "first payment to alice" in one(browser, "li.reason").text
    assert "info" in one(browser, "li.finding").text
    assert "alice" in one(browser, "#intent").text
    screenshot(browser, tmp_path / "proposal-pending.png")
    assert usdc(alice) == before  # nothing is signed before a person says yes

    browser.get(signed_in + "/proposals")
    assert [r.get_attribute("data-id") for r in css(browser, "#pending tr.proposal-row")][0] \
        == proposal_id
    submit(browser, f'a[href="/proposals/{proposal_id}"]')
    submit(browser, "#approve")

    assert status(browser) == "executed", one(browser, "main").text
    assert "dashboard" in one(browser, "#decided").text
    tx_hash = one(browser, ".tx-hash").text
    assert re.fullmatch(r"0x[0-9a-f]{64}", tx_hash)
    assert not css(browser, "#approve")
    screenshot(browser, tmp_path / "proposal-executed.png")
    assert console_errors(browser) == []
    assert usdc(alice) == before + 5_000_000

    browser.get(signed_in + "/journal")
    row = one(browser, f'tr.transaction[data-tx="{tx_hash}"]')
    assert row.get_attribute("data-status") == "success"
    assert "alice" in row.text
    assert css(browser, 'tr.verdict[data-decision="confirm"][data-status="executed"]')
    screenshot(browser, tmp_path / "journal.png")


def test_reject_signs_nothing(signed_in, browser, tmp_path):
    carol = contact("carol")
    before = usdc(carol)
    proposal_id = ask(browser, signed_in, "send 7 USDC to carol on l1")
    assert status(browser) == "pending", one(browser, "main").text
    submit(browser, "#reject")
    assert status(browser) == "rejected", one(browser, "main").text
    assert "nothing was signed" in one(browser, "#message").text
    assert not css(browser, "#approve") and not css(browser, "#execute")
    screenshot(browser, tmp_path / "proposal-rejected.png")
    assert usdc(carol) == before
    browser.get(signed_in + "/proposals")
    assert not css(browser, f'#pending tr[data-id="{proposal_id}"]')
    assert css(browser, f'#recent tr[data-id="{proposal_id}"][data-status="rejected"]')


def test_approving_after_expiry_is_refused_on_the_page(signed_in, browser, tmp_path):
    bob = contact("bob")
    before = usdc(bob)
    proposal_id = ask(browser, signed_in, "send 6 USDC to bob on l1")
    assert status(browser) == "pending", one(browser, "main").text
    # The person left the page open past the expiry, then pressed Approve.
    past = datetime.now(UTC) - timedelta(seconds=1)
    stored = get_proposal(proposal_id).model_copy(update={"expires_at": past})
    with proposal_store() as conn:
        conn.execute("UPDATE proposals SET expires_at=?, data=? WHERE id=?",
                     (past.isoformat(), stored.model_dump_json(), proposal_id))
    submit(browser, "#approve")
    assert "expired" in one(browser, "#error").text
    assert status(browser) == "expired", one(browser, "main").text
    assert "propose it again" in one(browser, "#message").text
    assert not css(browser, "#approve") and not css(browser, "#execute")
    screenshot(browser, tmp_path / "proposal-expired.png")
    assert usdc(bob) == before


def test_allowed_proposal_executes_from_the_page(signed_in, browser):
    owner = wallet_address()
    before = usdc(owner)
    ask(browser, signed_in, "swap 10 USDC for ETH on l1")
    assert status(browser) == "allowed", one(browser, "main").text
    gains = [c.get_attribute("data-symbol") for c in css(browser, "tr.change.gain")]
    assert gains == ["ETH"], one(browser, "main").text
    submit(browser, "#execute")
    assert status(browser) == "executed", one(browser, "main").text
    assert usdc(owner) == before - 10_000_000


def test_clarification_shows_the_question_and_options(signed_in, browser, tmp_path):
    ask(browser, signed_in, "send 5 USDC to alice")
    assert status(browser) == "needs_clarification", one(browser, "main").text
    assert "which chain" in one(browser, "#question").text
    assert [o.text for o in css(browser, "#options .option")] == ["sandbox-l1", "sandbox-l2",
                                                                  "sandbox-sol"]
    assert one(browser, "#ask-text").get_attribute("value") == "send 5 USDC to alice"
    assert not css(browser, "#approve") and not css(browser, "#execute")
    screenshot(browser, tmp_path / "clarification.png")
    submit(browser, '#options button[data-option="sandbox-l2"]')  # the answer completes the request
    assert one(browser, "#request").text == "send 5 USDC to alice on sandbox-l2"
    assert status(browser) in ("pending", "allowed"), one(browser, "main").text
    assert "chain sandbox-l2" in one(browser, "#intent").text


def test_check_page_flags_a_lookalike_link(signed_in, browser, tmp_path):
    browser.get(signed_in + "/check")
    one(browser, "#check-value").send_keys("https://app.uniswaap.org")
    submit(browser, "#check-button")
    assert one(browser, "#verdict").get_attribute("data-verdict") == "danger"
    assert "near-miss spelling of uniswap" in one(browser, "#report").text
    assert css(browser, '#findings tr.finding[data-severity="danger"]')
    screenshot(browser, tmp_path / "check-url.png")

    browser.get(signed_in + "/check?kind=url&value=https://app.uniswap.org")
    assert one(browser, "#verdict").get_attribute("data-verdict") == "safe"


def test_token_check_shows_verdict_and_score(signed_in, browser):
    browser.get(signed_in + "/check?kind=token&chain=sandbox-l1&value=ZHONEY")
    assert one(browser, "#verdict").get_attribute("data-verdict") == "danger"
    assert re.fullmatch(r"score \d+/100", one(browser, "#score").text)
    assert "honeypot" in one(browser, "#report").text.lower()


def test_bad_input_gets_a_message_not_a_500(client, server):
    base, _ = server
    same_origin = {"Origin": base}
    empty = client.post("/ask", data={"text": "   "}, headers=same_origin)
    assert empty.status_code == 400 and "the request is empty" in shown(empty)
    unknown_wallet = client.post("/ask", data={"text": "send 5 USDC to alice on l1",
                                               "wallet": "nobody"}, headers=same_origin)
    assert unknown_wallet.status_code == 400 and "unknown wallet 'nobody'" in shown(unknown_wallet)
    missing = client.get("/proposals/p-does-not-exist")
    assert missing.status_code == 404 and "no proposal 'p-does-not-exist'" in shown(missing)
    assert client.post("/proposals/p-does-not-exist/approve",
                       headers=same_origin).status_code == 404
    bad_address = client.get("/check", params={"kind": "address", "value": "0x123"})
    assert bad_address.status_code == 400 and "is not an address" in shown(bad_address)
    bad_chain = client.get("/check", params={"kind": "token", "value": "USDC", "chain": "mars"})
    assert bad_chain.status_code == 400 and "unknown chain 'mars'" in shown(bad_chain)
    bad_kind = client.get("/check", params={"kind": "horoscope", "value": "x"})
    assert bad_kind.status_code == 400 and "valid: url, address, token" in shown(bad_kind)
    assert client.get("/static/..%2Fdashboard.py").status_code == 404
    # A denied proposal can never be approved from the page either.
    denied = client.post("/ask", data={"text": "send 5000 USDC to bob on l1"},
                         headers=same_origin, follow_redirects=True)
    assert 'data-status="denied"' in shown(denied) and 'id="approve"' not in shown(denied)
    proposal_id = re.search(r"/proposals/(p-[0-9a-f]+)", str(denied.url)).group(1)
    refused = client.post(f"/proposals/{proposal_id}/approve", headers=same_origin)
    assert refused.status_code == 409 and "only pending proposals can be approved" in shown(refused)
