"""Pay per request (x402) on the embedded sandbox, end to end over loopback HTTP: Steward's payer
within its `[payments]` mandate, Steward's checks sold through the official x402 middleware, and a
facilitator that settles EIP-3009 authorizations on the sandbox USDC.

Happy paths and what a payer, a seller and a chain must survive: over-limit and unlisted
merchants refused before signing, a payment id never signed twice, the facilitator's answer lost
after the chain settled (coinbase/x402 #1062), an unsettled authorization cancelled on chain,
wrong network or asset, a merchant asking for a long-lived authorization or a different address,
unpaid, underpaid and replayed requests at the seller, racing processes and a payer killed
mid-payment."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from contextlib import contextmanager

import httpx
import pytest
from eth_account import Account
from x402 import x402ClientSync
from x402.http import PAYMENT_REQUIRED_HEADER, PAYMENT_SIGNATURE_HEADER, x402HTTPClientSync
from x402.http.utils import encode_payment_signature_header
from x402.mechanisms.evm.exact import ExactEvmScheme
from x402.mechanisms.evm.signers import EthAccountSigner

from steward import chains
from steward.chains.config import load_config
from steward.chains.embedded import dev_account
from steward.errors import StewardError
from steward.guard.mandate import mandate_path
from steward.guard.payments import PaymentRequest, review_payment
from steward.guard.payment_mandate import load_payments_mandate
from steward.guard.verdict import GuardRefusal
from steward.journal import Journal
from steward.payments import chain_turn
from steward.payments.ledger import PaymentLedger
from steward.payments.loopback import free_port
from steward.payments.payer import GuardedSigner, authorization_tx
from steward.service import payments
from steward.service.wallets import wallet_address
from steward.wallets import WalletStore

from conftest import PASSPHRASE, TEST_ENV

L1 = "sandbox-l1"
TOKEN_PRICE = payments.CHECK_PRICES["GET /checks/token/*"][0]
LINK_PRICE = payments.CHECK_PRICES["GET /checks/link"][0]
TOKEN_PATH = f"/checks/token/USDC?chain={L1}"
SELLER = dev_account(8).address


def write_payments(origin: str, *, networks=(L1,), assets=("USDC",), per_payment="0.05",
                   cap="1", validity=300, pay_to: str | None = None, extra: str = "") -> None:
    path = mandate_path("main")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if "[payments]" in text:
        text = text[: text.index("[payments]")]
    listed = ", ".join(f'"{n}"' for n in networks)
    assets_text = ", ".join(f'"{a}"' for a in assets)
    text += (f'\n[payments]\nnetworks = [{listed}]\nassets = [{assets_text}]\n'
             f"max_per_payment_usd = {per_payment}\nmax_validity_seconds = {validity}\n\n"
             f'[payments.merchants."{origin}"]\nmax_per_period_usd = {cap}\nperiod = "day"\n'
             + (f'pay_to = "{pay_to}"\n' if pay_to else "") + extra)
    path.write_text(text, encoding="utf-8")


@contextmanager
def shop(**kwargs):
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with payments.sandbox_merchant(SELLER, L1, port=port, **kwargs) as merchant:
        yield merchant, origin


@pytest.fixture
def merchant(embedded_world):
    with shop(facilitator_timeout=2.0) as (served, origin):
        write_payments(origin)
        yield served


def usdc(holder: str) -> int:
    chain = load_config().chain(L1)
    with chain_turn():
        token = chains.connect(chain).eth.contract(address=chain.tokens["USDC"], abi=[{
            "name": "balanceOf", "type": "function", "stateMutability": "view",
            "inputs": [{"name": "a", "type": "address"}],
            "outputs": [{"name": "", "type": "uint256"}]}])
        return token.functions.balanceOf(holder).call()


def main_address() -> str:
    return wallet_address("main")


def refused(match: str, url: str, **kwargs) -> str:
    with pytest.raises(StewardError) as caught:
        payments.pay(url, PASSPHRASE, **kwargs)
    message = str(caught.value)
    assert match in message and "nothing was signed" in message, message
    return message


# ---- the payer --------------------------------------------------------------------------------

def test_payer_pays_a_check_and_the_money_moves_once(merchant):
    payer, before_payer, before_seller = main_address(), usdc(main_address()), usdc(SELLER)
    out = payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE)
    assert out.status == "delivered" and out.http_status == 200
    assert json.loads(out.body)["symbol"] == "USDC"  # the token report itself
    assert usdc(payer) == before_payer - TOKEN_PRICE
    assert usdc(SELLER) == before_seller + TOKEN_PRICE
    row = PaymentLedger().get(out.payment_id)
    assert row.status == "delivered" and row.amount == TOKEN_PRICE and row.usd == TOKEN_PRICE
    with chain_turn():
        assert authorization_tx(row) == row.tx_hash  # the token's own event, not the merchant's word
    verdict = Journal().verdict(row.verdict_id)
    assert verdict.status == "executed" and verdict.usd_outflow == TOKEN_PRICE
    assert merchant.seller_app.state.sales.totals() == (1, TOKEN_PRICE)


def test_payer_fetches_a_free_resource_without_paying(merchant):
    before = usdc(main_address())
    out = payments.pay(merchant.facilitator_url + "/supported", PASSPHRASE)
    assert out.status == "free" and out.payment_id is None and "exact" in out.body
    assert usdc(main_address()) == before and PaymentLedger().list("main") == []


def test_payer_refuses_over_the_merchants_period_cap_before_signing(embedded_world):
    with shop() as (merchant, origin):
        write_payments(origin, cap="0.015")
        payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE)
        after_first = usdc(main_address())
        refused("max_per_period_usd", merchant.url + TOKEN_PATH)
        assert usdc(main_address()) == after_first
        assert len(merchant.facilitator_app.state.signer.settled) == 1
        rows = PaymentLedger().list("main")
        assert [r.status for r in rows] == ["refused", "delivered"] and rows[0].header is None
        # a cheaper check still fits under the cap
        assert payments.pay(merchant.url + "/checks/link?url=https://app.uniswap.org",
                            PASSPHRASE).status == "delivered"


def test_payer_refuses_above_the_per_payment_cap_and_the_wallet_limits(embedded_world):
    with shop() as (merchant, origin):
        write_payments(origin, per_payment="0.005")
        refused("payments.max_per_payment_usd", merchant.url + TOKEN_PATH)
        # the wallet's own [limits] count x402 payments like any spending
        path = mandate_path("main")
        text = path.read_text().replace("per_transaction_usd = 1000", "per_transaction_usd = 0.001"
                                        ).replace("above_usd = 100", "above_usd = 0.001")
        assert text != path.read_text()
        path.write_text(text)
        write_payments(origin)
        refused("denied by the mandate", merchant.url + TOKEN_PATH)
        assert merchant.facilitator_app.state.signer.settled == []


def test_payer_refuses_a_merchant_not_in_the_mandate(merchant):
    port = merchant.url.rsplit(":", 1)[1]
    # the same server under another origin is another merchant (origins, not IPs, are listed)
    message = refused("payments.merchants", f"http://localhost:{port}{TOKEN_PATH}")
    assert "is not a merchant this wallet pays" in message
    assert merchant.facilitator_app.state.signer.settled == []


def test_payer_refuses_a_wrong_network_or_asset(embedded_world):
    with shop() as (merchant, origin):
        write_payments(origin, networks=("sandbox-l2",))
        refused("not a network in payments.networks", merchant.url + TOKEN_PATH)
        write_payments(origin, assets=("USDT",))
        refused("is not in payments.assets", merchant.url + TOKEN_PATH)
        assert PaymentLedger().list("main") == []  # refused before a payment id was claimed


def test_payer_refuses_a_long_lived_authorization(embedded_world):
    with shop() as (merchant, origin):
        write_payments(origin, validity=60)  # the seller asks for 300 s
        refused("above payments.max_validity_seconds (60)", merchant.url + TOKEN_PATH)


def test_payer_refuses_a_merchant_paying_elsewhere_than_pinned(embedded_world):
    with shop() as (merchant, origin):
        pinned = dev_account(9).address
        write_payments(origin, pay_to=pinned)
        message = refused("pay_to", merchant.url + TOKEN_PATH)
        assert pinned in message and SELLER in message
        write_payments(origin, pay_to=SELLER)  # pinned to the real one: paid
        assert payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE).status == "delivered"


def test_payer_never_signs_a_payment_id_twice(merchant):
    before = usdc(main_address())
    first = payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE, payment_id="order-0001-token-usdc")
    again = payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE, payment_id="order-0001-token-usdc")
    assert first.status == again.status == "delivered" and again.tx_hash == first.tx_hash
    assert "nothing was paid again" in again.note
    assert usdc(main_address()) == before - TOKEN_PRICE
    assert len(merchant.facilitator_app.state.signer.settled) == 1
    with pytest.raises(StewardError, match="payment id 'short' is not valid"):
        payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE, payment_id="short")


def test_payer_reconciles_when_the_facilitator_times_out_after_settling(embedded_world):
    """coinbase/x402 #1062: the chain settled, the facilitator answered after the seller's
    client gave up; the payer is charged once and gets the report."""
    with shop(settle_delay=3.0, facilitator_timeout=1.0) as (merchant, origin):
        write_payments(origin)
        before, seller_before = usdc(main_address()), usdc(SELLER)
        out = payments.pay(merchant.url + TOKEN_PATH, PASSPHRASE)
        assert out.status == "delivered" and "settled on chain" in out.note
        assert json.loads(out.body)["symbol"] == "USDC"
        assert usdc(main_address()) == before - TOKEN_PRICE
        assert usdc(SELLER) == seller_before + TOKEN_PRICE
        row = PaymentLedger().get(out.payment_id)
        assert merchant.facilitator_app.state.signer.settled == [row.tx_hash]
        assert Journal().verdict(row.verdict_id).status == "executed"
        assert merchant.seller_app.state.sales.totals() == (1, TOKEN_PRICE)


def test_payer_cancels_an_unsettled_authorization_on_chain(merchant):
    """The seller's handler fails (a bad address): nothing settles, and the payer cancels the
    authorization so the merchant, who holds the signature, can never settle it later."""
    before = usdc(main_address())
    out = payments.pay(merchant.url + f"/checks/token/0xnot-an-address?chain={L1}", PASSPHRASE)
    assert out.status == "cancelled" and "cancelled on chain" in out.note
    assert usdc(main_address()) == before
    row = PaymentLedger().get(out.payment_id)
    assert Journal().verdict(row.verdict_id).status == "cancelled"
    # the merchant tries to settle the stolen signature itself: the token refuses
    chain = load_config().chain(L1)
    payload = json.loads(base64.b64decode(row.header))
    auth, signature = payload["payload"]["authorization"], payload["payload"]["signature"]
    with chain_turn():
        w3 = chains.connect(chain)
        state = w3.eth.contract(address=chain.tokens["USDC"], abi=[{
            "name": "authorizationState", "type": "function", "stateMutability": "view",
            "inputs": [{"name": "a", "type": "address"}, {"name": "n", "type": "bytes32"}],
            "outputs": [{"name": "", "type": "bool"}]}])
        assert state.functions.authorizationState(auth["from"], auth["nonce"]).call() is True
    response = httpx.get(merchant.url + TOKEN_PATH,
                         headers={PAYMENT_SIGNATURE_HEADER: row.header}, timeout=30)
    assert response.status_code == 402 and signature
    assert usdc(main_address()) == before


def test_signer_signs_only_what_the_guard_judged(merchant):
    chain = load_config().chain(L1)
    request = PaymentRequest(wallet="main", payer=main_address(), url=merchant.url + TOKEN_PATH,
                             chain=L1, asset=chain.tokens["USDC"], pay_to=SELLER,
                             amount=TOKEN_PRICE)
    with chain_turn():
        verdict = review_payment(request, load_payments_mandate("main"), merchant_spent_usd=0)
    account = WalletStore().unlock("main", PASSPHRASE)
    signer = GuardedSigner(request, verdict, lambda: account, chain.chain_id, 300)
    scheme = ExactEvmScheme(signer)
    required = _payment_required(merchant.url + TOKEN_PATH)
    offer = required.accepts[0]
    with chain_turn():
        assert scheme.create_payment_payload(offer)["signature"]  # exactly as judged: signed
        with pytest.raises(GuardRefusal, match="the authorization's to"):
            scheme.create_payment_payload(offer.model_copy(update={"pay_to": dev_account(9).address}))
        with pytest.raises(GuardRefusal, match="the authorization's value"):
            scheme.create_payment_payload(offer.model_copy(update={"amount": str(TOKEN_PRICE * 100)}))
        forged = GuardedSigner(request, verdict.model_copy(update={"usd_outflow": 0}),
                               lambda: account, chain.chain_id, 300)
        with pytest.raises(GuardRefusal, match="not issued by the guard"):
            ExactEvmScheme(forged).create_payment_payload(offer)


# ---- the seller -------------------------------------------------------------------------------

def _payment_required(url: str):
    response = httpx.get(url, timeout=30)
    assert response.status_code == 402
    return x402HTTPClientSync(x402ClientSync()).get_payment_required_response(
        lambda name: response.headers.get(name), response.content)


def _paying_client(account) -> x402HTTPClientSync:
    client = x402ClientSync().register(f"eip155:{load_config().chain(L1).chain_id}",
                                       ExactEvmScheme(EthAccountSigner(account)))
    client.set_spend_controls(False)
    return x402HTTPClientSync(client)


def test_seller_answers_an_unpaid_request_with_its_offer(merchant):
    response = httpx.get(merchant.url + TOKEN_PATH, timeout=30)
    assert response.status_code == 402 and PAYMENT_REQUIRED_HEADER in response.headers
    assert "symbol" not in response.text  # no report without payment
    offer = _payment_required(merchant.url + TOKEN_PATH).accepts[0]
    chain = load_config().chain(L1)
    assert (offer.scheme, offer.network, offer.amount) == ("exact", f"eip155:{chain.chain_id}",
                                                           str(TOKEN_PRICE))
    assert offer.asset == chain.tokens["USDC"] and offer.pay_to == SELLER
    assert offer.extra == {"name": "USD Coin", "version": "2"}


def _buyer():
    """A funded outside buyer paying with x402's own client (no Steward guard in the way)."""
    buyer = Account.create()
    from steward.sandbox import SandboxBuilder

    with chain_turn():
        SandboxBuilder().top_up(load_config().chain(L1), buyer.address, "outside buyer")
    return buyer


def test_seller_refuses_an_underpaid_request(merchant):
    buyer = _buyer()
    before = usdc(buyer.address)
    required = _payment_required(merchant.url + TOKEN_PATH)
    cheap = required.model_copy(update={"accepts": [required.accepts[0].model_copy(
        update={"amount": str(TOKEN_PRICE // 10)})]})
    with chain_turn():
        payload = _paying_client(buyer).create_payment_payload(cheap)
    response = httpx.get(merchant.url + TOKEN_PATH, timeout=30, headers={
        PAYMENT_SIGNATURE_HEADER: encode_payment_signature_header(payload)})
    assert response.status_code == 402 and "symbol" not in response.text
    assert usdc(buyer.address) == before
    assert merchant.facilitator_app.state.signer.settled == []


def test_seller_refuses_a_payment_to_someone_else(merchant):
    buyer = _buyer()
    required = _payment_required(merchant.url + TOKEN_PATH)
    elsewhere = required.model_copy(update={"accepts": [required.accepts[0].model_copy(
        update={"pay_to": dev_account(9).address})]})
    with chain_turn():
        payload = _paying_client(buyer).create_payment_payload(elsewhere)
    response = httpx.get(merchant.url + TOKEN_PATH, timeout=30, headers={
        PAYMENT_SIGNATURE_HEADER: encode_payment_signature_header(payload)})
    assert response.status_code == 402
    assert merchant.facilitator_app.state.signer.settled == []


def test_seller_delivers_once_and_refuses_a_replayed_payment(merchant):
    buyer = _buyer()
    before, seller_before = usdc(buyer.address), usdc(SELLER)
    required = _payment_required(merchant.url + TOKEN_PATH)
    with chain_turn():
        header = encode_payment_signature_header(
            _paying_client(buyer).create_payment_payload(required))
    paid = httpx.get(merchant.url + TOKEN_PATH, headers={PAYMENT_SIGNATURE_HEADER: header},
                     timeout=30)
    assert paid.status_code == 200 and paid.json()["symbol"] == "USDC"
    for path in (TOKEN_PATH, f"/checks/token/USDT?chain={L1}"):  # same route or another
        replay = httpx.get(merchant.url + path, headers={PAYMENT_SIGNATURE_HEADER: header},
                           timeout=30)
        assert replay.status_code == 402 and "symbol" not in replay.text
    assert usdc(buyer.address) == before - TOKEN_PRICE
    assert usdc(SELLER) == seller_before + TOKEN_PRICE
    assert merchant.seller_app.state.sales.totals() == (1, TOKEN_PRICE)


# ---- processes ------------------------------------------------------------------------------

def _cli_pay(url: str, payment_id: str, home, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "steward.cli", "pay", url, "--id", payment_id, "--json"],
        env={**_env(home), **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def _env(home) -> dict:
    import os

    return {**os.environ, **TEST_ENV, "STEWARD_HOME": str(home)}


def _release_chains() -> None:
    chains.end_all_sessions()


def test_racing_processes_pay_one_payment_id_once(merchant, steward_home):
    before = usdc(main_address())
    _release_chains()
    racers = [_cli_pay(merchant.url + TOKEN_PATH, "race-0001-one-payment", steward_home)
              for _ in range(2)]
    results = [racer.communicate(timeout=240) for racer in racers]
    codes = sorted(racer.returncode for racer in racers)
    assert codes[0] == 0, results
    assert usdc(main_address()) == before - TOKEN_PRICE
    assert len(merchant.facilitator_app.state.signer.settled) == 1
    row = PaymentLedger().get("race-0001-one-payment")
    assert row.status == "delivered"
    loser = [out for racer, out in zip(racers, results) if racer.returncode != 0]
    for _, err in loser:
        assert "already in the ledger" in err


@pytest.mark.parametrize("point, final", [("after_payment_signed", "delivered"),
                                          ("after_payment_sent", "undelivered")])
def test_payer_killed_mid_payment_is_reconciled_against_the_chain(merchant, steward_home,
                                                                  point, final):
    before = usdc(main_address())
    _release_chains()
    killed = _cli_pay(merchant.url + TOKEN_PATH, f"crash-{point}-0001", steward_home,
                      {"STEWARD_FAILPOINT": point})
    killed.communicate(timeout=240)
    assert killed.returncode == -9
    row = PaymentLedger().get(f"crash-{point}-0001")
    assert row.status == "signed" and row.header
    reconcile = subprocess.run([sys.executable, "-m", "steward.cli", "payments", "reconcile",
                                "--json"], env=_env(steward_home), capture_output=True,
                               text=True, timeout=240)
    assert reconcile.returncode == 0, reconcile.stderr
    [outcome] = json.loads(reconcile.stdout)
    assert outcome["status"] == final
    row = PaymentLedger().get(f"crash-{point}-0001")
    with chain_turn():
        assert authorization_tx(row) == row.tx_hash is not None
    # whatever the crash lost, the money moved exactly once and the ledger says where
    assert usdc(main_address()) == before - TOKEN_PRICE
    if final == "undelivered":
        assert row.tx_hash in row.note and "refund" in row.note


def test_payer_cancel_racing_a_late_settlement_records_the_charge(merchant):
    """The merchant's facilitator settles the authorization just as the payer cancels it: the
    cancel fails, the chain's record wins, and the payment is recorded as charged once."""
    from steward.service.payments import _payer

    payer = _payer("main", PASSPHRASE)
    real_cancel = payer._cancel

    def settle_first_then_cancel(payment):
        payload = json.loads(base64.b64decode(payment.header))
        settled = httpx.post(merchant.facilitator_url + "/settle", timeout=30, json={
            "x402Version": 2, "paymentPayload": payload,
            "paymentRequirements": payload["accepted"]})
        assert settled.json()["success"] is True, settled.text
        return real_cancel(payment)

    payer._cancel = settle_first_then_cancel
    before = usdc(main_address())
    out = payer.fetch(merchant.url + f"/checks/token/0xnot-an-address?chain={L1}")
    # paid on chain, and the seller's handler still cannot answer a bad address
    assert out.status == "undelivered" and out.tx_hash and "refund" in out.note
    assert usdc(main_address()) == before - TOKEN_PRICE
    row = PaymentLedger().get(out.payment_id)
    with chain_turn():
        assert authorization_tx(row) == row.tx_hash
    assert Journal().verdict(row.verdict_id).status == "executed"
