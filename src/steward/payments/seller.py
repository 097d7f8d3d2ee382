"""Selling per request with x402: the official FastAPI middleware in front of any router.

The middleware (`x402.http.middleware.fastapi.payment_middleware` with an `x402ResourceServer`
and x402's HTTP facilitator client) answers an unpaid request with 402 and the offer, verifies a
paid one with the facilitator before the handler runs, and settles after it succeeded. Steward adds
one rule the protocol leaves to the seller, kept in `<home>/sales.sqlite`: **each payment buys one
delivery.** Before verifying, the seller looks the authorization up:

* delivered before → refused (a replayed payment);
* not delivered, but the chain shows it settled (the facilitator's answer was lost: x402 #1062)
  → checked against the token's own Transfer event in that transaction (payer, this seller,
  this amount) and delivered now without settling again;
* otherwise → the facilitator verifies and settles as usual, and the delivery is recorded.

Underpaid, wrong-asset, wrong-recipient and expired payments are the facilitator's to refuse
(x402's exact-EVM checks).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from web3 import Web3
from x402 import x402ResourceServer
from x402.extensions.payment_identifier import (
    PAYMENT_IDENTIFIER,
    declare_payment_identifier_extension,
    extract_payment_identifier,
)
from x402.http import FacilitatorConfig, HTTPFacilitatorClient
from x402.http.middleware.fastapi import payment_middleware
from x402.http.types import PaymentOption, RouteConfig
from x402.mechanisms.evm.exact import ExactEvmServerScheme
from x402.schemas import AbortResult, AssetAmount, SettleResponse, SkipSettleResult, \
    SkipVerifyResult, VerifyResponse

from steward.chains import connect
from steward.chains.config import ChainConfig
from steward.home import home_path
from steward.payments import chain_turn, network_id
from steward.payments.authorizations import first_block_at, used_logs

FACILITATOR_TIMEOUT = 10.0
MAX_TIMEOUT_SECONDS = 300  # how long a payer's authorization must stay valid
CLOCK_MARGIN = 600  # how far a payer's clock may run ahead of the chain's, for the log search
TRANSFER = Web3.keccak(text="Transfer(address,address,uint256)").hex()


@dataclass(frozen=True)
class Price:
    amount: int  # base units of the chain's asset
    description: str


class SalesBook:
    """The seller's record: one row per authorization (payer, nonce) it delivered for."""

    def __init__(self, path=None):
        self.path = path or home_path("sales.sqlite")
        self._local = threading.local()
        self._conn().execute(
            "CREATE TABLE IF NOT EXISTS sales (payer TEXT NOT NULL, nonce TEXT NOT NULL,"
            " payment_id TEXT, resource TEXT NOT NULL, amount TEXT NOT NULL, tx_hash TEXT,"
            " status TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (payer, nonce))")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    def status(self, payer: str, nonce: str) -> str | None:
        row = self._conn().execute("SELECT status FROM sales WHERE payer=? AND nonce=?",
                                   (payer.lower(), nonce.lower())).fetchone()
        return row[0] if row else None

    def record(self, payer: str, nonce: str, *, payment_id: str | None, resource: str,
               amount: str, tx_hash: str | None, status: str) -> None:
        self._conn().execute(
            "INSERT INTO sales (payer, nonce, payment_id, resource, amount, tx_hash, status, at)"
            " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (payer, nonce) DO UPDATE SET"
            " status=excluded.status, tx_hash=COALESCE(excluded.tx_hash, sales.tx_hash)",
            (payer.lower(), nonce.lower(), payment_id, resource, amount, tx_hash, status,
             int(time.time())))

    def totals(self) -> tuple[int, int]:
        """(deliveries, base units received) over every delivered sale."""
        row = self._conn().execute("SELECT COUNT(*), COALESCE(SUM(CAST(amount AS INTEGER)), 0)"
                                   " FROM sales WHERE status='delivered'").fetchone()
        return int(row[0]), int(row[1])


def _authorization(payload) -> tuple[str, str] | None:
    auth = (payload.payload or {}).get("authorization") if hasattr(payload, "payload") else None
    if not isinstance(auth, dict) or "from" not in auth or "nonce" not in auth:
        return None
    return str(auth["from"]), str(auth["nonce"])


def settled_on_chain(chain: ChainConfig, asset: str, payer: str, nonce: str, pay_to: str,
                     amount: int, signed_after: int = 0) -> str | None:
    """The transaction in which the token used this authorization to pay exactly `amount` from
    `payer` to `pay_to`, read from the token's own events; None if there is none. Logs are read
    from the first block at `signed_after` (a timestamp before which it cannot have been used)."""
    w3 = connect(chain)
    token = Web3.to_checksum_address(asset)
    start = first_block_at(w3, signed_after) if signed_after > 0 else 0
    used = used_logs(w3, token, payer, nonce, start)
    for log in used:
        receipt = w3.eth.get_transaction_receipt(log["transactionHash"])
        for entry in receipt["logs"]:
            topics = entry["topics"]
            if (entry["address"].lower() == token.lower() and len(topics) == 3
                    and topics[0].hex().removeprefix("0x") == TRANSFER.removeprefix("0x")
                    and topics[1].hex()[-40:] == payer.lower()[-40:]
                    and topics[2].hex()[-40:] == pay_to.lower()[-40:]
                    and int.from_bytes(entry["data"], "big") == amount):
                return log["transactionHash"].to_0x_hex()
    return None


class _OneDelivery:
    """The x402 resource-server hooks that make each payment buy exactly one delivery."""

    def __init__(self, chain: ChainConfig, sales: SalesBook):
        self.chain, self.sales = chain, sales
        self._settled: dict[tuple[str, str], str] = {}  # verified from the chain, this request

    def before_verify(self, ctx):
        found = _authorization(ctx.payment_payload)
        if found is None:
            return None  # not an EIP-3009 payment: the facilitator refuses what it cannot check
        payer, nonce = found
        if self.sales.status(payer, nonce) == "delivered":
            return AbortResult(reason="payment_already_redeemed",
                               message="this payment was already redeemed for a response")
        req = ctx.requirements
        # x402 authorizations are valid until signing time + maxTimeoutSeconds: none was signed
        # (so used) before validBefore minus that window, less a margin for the payer's clock.
        valid_before = int(ctx.payment_payload.payload["authorization"].get("validBefore", 0))
        signed_after = valid_before - (req.max_timeout_seconds or 0) - CLOCK_MARGIN
        with chain_turn():
            tx = settled_on_chain(self.chain, req.asset, payer, nonce, req.pay_to, int(req.amount),
                                  max(signed_after, 0))
        if tx is None:
            return None
        self._settled[(payer.lower(), nonce.lower())] = tx
        return SkipVerifyResult(result=VerifyResponse(is_valid=True, payer=payer))

    def before_settle(self, ctx):
        found = _authorization(ctx.payment_payload)
        tx = found and self._settled.pop((found[0].lower(), found[1].lower()), None)
        if not tx:
            return None
        return SkipSettleResult(result=SettleResponse(success=True, transaction=tx,
                                                      network=ctx.requirements.network,
                                                      payer=found[0]))

    def after_settle(self, ctx):
        found = _authorization(ctx.payment_payload)
        if found is None or not ctx.result.success:
            return None
        resource = ctx.payment_payload.resource.url if ctx.payment_payload.resource else ""
        self.sales.record(found[0], found[1], payment_id=extract_payment_identifier(
            ctx.payment_payload), resource=resource, amount=str(ctx.requirements.amount),
            tx_hash=ctx.result.transaction, status="delivered")
        return None


def seller_app(chain: ChainConfig, *, pay_to: str, asset: str, asset_domain: tuple[str, str],
               facilitator_url: str, router: APIRouter, prices: dict[str, Price],
               facilitator_timeout: float = FACILITATOR_TIMEOUT,
               sales: SalesBook | None = None) -> FastAPI:
    """`router`'s routes behind x402: `prices` maps a route pattern ("GET /checks/token/*") to
    its price in `asset` (whose EIP-712 domain name and version are `asset_domain`), paid to
    `pay_to` on `chain` through the facilitator at `facilitator_url` (which must be up)."""
    network = network_id(chain)
    server = x402ResourceServer(HTTPFacilitatorClient(
        FacilitatorConfig(url=facilitator_url, timeout=facilitator_timeout)))
    server.register(network, ExactEvmServerScheme())
    hooks = _OneDelivery(chain, sales or SalesBook())
    server.on_before_verify(hooks.before_verify)
    server.on_before_settle(hooks.before_settle)
    server.on_after_settle(hooks.after_settle)
    name, version = asset_domain
    routes = {pattern: RouteConfig(
        accepts=PaymentOption(scheme="exact", pay_to=pay_to, network=network,
                              price=AssetAmount(amount=str(price.amount), asset=asset,
                                                extra={"name": name, "version": version}),
                              max_timeout_seconds=MAX_TIMEOUT_SECONDS),
        description=price.description, mime_type="application/json",
        extensions={PAYMENT_IDENTIFIER: declare_payment_identifier_extension()})
        for pattern, price in prices.items()}
    app = FastAPI(title="Steward checks, paid per request (x402)", docs_url=None, redoc_url=None)
    app.include_router(router)
    app.middleware("http")(payment_middleware(routes, server))
    app.state.sales = hooks.sales
    return app


__all__ = ["Price", "SalesBook", "seller_app", "settled_on_chain"]
