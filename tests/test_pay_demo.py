"""`steward payments demo --json` end to end in a real process on the embedded sandbox: pay per
request within the mandate, a lost answer reconciled, refusals, and the seller's revenue bought
back and burned. Each claim is checked against the chain and the ledger, not only the demo's
own figures."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from steward import chains
from steward.chains.config import load_config
from steward.payments.ledger import PaymentLedger
from steward.protocols import erc20
from steward.service.payments import CHECK_PRICES
from steward.wallets import WalletStore

from conftest import run_cli


def _usdc(holder: str) -> int:
    chain = load_config().chain("sandbox-l1")
    try:
        return erc20.balance_of(chains.connect(chain), chain.tokens["USDC"], holder)
    finally:
        chains.end_all_sessions()


@pytest.mark.slow  # about 80 s; tests/test_payments.py covers each of its steps in CI
def test_pay_demo_pays_within_the_mandate_and_the_revenue_is_burned(embedded_world):
    payer = WalletStore().get("main").address
    before = _usdc(payer)
    result = run_cli("payments", "demo", "--json", home=embedded_world, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)

    rows = PaymentLedger().list("main", limit=100)
    delivered = [r for r in rows if r.status == "delivered"]
    refused = [r for r in rows if r.status == "refused"]
    assert len(delivered) == figures["paid_requests"] == 6
    assert len(refused) == 2  # over the day's cap, and a merchant not listed
    assert any("max_per_period_usd" in r.note for r in refused)
    assert any("is not a merchant this wallet pays" in r.note for r in refused)
    paid = sum(r.amount for r in delivered)
    token, address, link = (CHECK_PRICES[k][0] for k in (
        "GET /checks/token/*", "GET /checks/address/*", "GET /checks/link"))
    assert paid == 3 * token + address + 2 * link  # five checks and the lost answer, paid once
    # the chain agrees with the ledger and the demo: the payer lost exactly what was delivered
    assert before - _usdc(payer) == paid
    assert Decimal(figures["payer_paid_usdc"]) == Decimal(figures["seller_received_usdc"]) == \
        Decimal(paid) / 10**6
    assert figures["same_payment_id_again"] == "delivered"  # the record, not a second payment
    assert figures["share_burned"] == "100%" and figures["verdict"] == "verified"
    report = figures["report"]
    assert report["fees_in"] == paid == report["usdc_spent"]
    assert report["tokens_burned"] == report["tokens_bought"] == report["supply_decrease"] > 0
    assert figures["gas_per_buyback"] > 0 and figures["gas_per_settlement"] > 0
    assert figures["latency_median_s"] > 0
    outcomes = {r["request"]: r["outcome"] for r in figures["requests"]}
    assert outcomes["a replayed payment header"] == "HTTP 402"
    assert outcomes["the same payment id again"] == "not paid again"
