"""Steward as an x402 payer: fetch a resource, paying for it only within the owner's mandate.

`fetch` asks for the resource; on HTTP 402 it reads the merchant's offers with the official
`x402` package, keeps those the `[payments]` table allows (network, asset by address, a validity
window no longer than the mandate's), claims the payment id in the ledger, has the guard judge the
payment as the transfer it authorizes (`steward.guard.payments`), and signs the EIP-3009
authorization with `x402`'s exact-EVM client scheme through `GuardedSigner`, whose only way to a
signature is `authorize_payment` on the sealed verdict. The signed header is recorded before it is
sent. Then:

* a paid response (2xx with a successful PAYMENT-RESPONSE) ends the payment as `delivered`;
* anything else (a timeout, a 5xx, a 402 after paying) leaves it `pending`, and `reconcile` asks
  the chain: if the authorization was used the money moved, so the same header is sent once more
  (a Steward seller delivers a settled but undelivered payment once) and the payment ends
  `delivered`, or `undelivered` with the transaction to claim a refund with; if it was not used,
  the payer cancels it on chain (`cancelAuthorization`, through the guard and the executor) so
  it can never be settled later, and it ends `cancelled` (or `expired` once its window passed).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
from eth_account.messages import encode_typed_data
from pydantic import BaseModel
from web3 import Web3
from x402 import x402ClientSync
from x402.extensions.payment_identifier import (
    append_payment_identifier_to_extensions,
    is_valid_payment_id,
)
from x402.http import PAYMENT_RESPONSE_HEADER, PAYMENT_SIGNATURE_HEADER, x402HTTPClientSync
from x402.http.utils import decode_payment_response_header, encode_payment_signature_header
from x402.mechanisms.evm.exact import ExactEvmScheme
from x402.schemas import PaymentRequired, PaymentRequirements

from steward.chains import connect
from steward.errors import StewardError
from steward.execution import budget_lock
from steward.failpoints import failpoint
from steward.guard.mandate import usd_text
from steward.guard.payment_mandate import PaymentsMandate, load_payments_mandate, merchant_origin
from steward.guard.payments import (
    PaymentRefused,
    PaymentRequest,
    authorize_payment,
    check_terms,
    review_payment,
)
from steward.guard.verdict import GuardRefusal, Verdict
from steward.journal import Journal
from steward.protocols import erc20
from steward.payments import chain_for_network, chain_turn
from steward.payments.authorizations import used_logs
from steward.payments.ledger import DuplicatePayment, Payment, PaymentLedger
from steward.units import format_units

TRANSFER_TYPE = "TransferWithAuthorization"
REQUEST_TIMEOUT = 30.0
# An authorization must stay valid on the chain at least this long after it is signed.
SETTLE_MARGIN = 30


class PaymentError(StewardError):
    """A payment could not be made or finished; the message says what happened to the money."""


class PaymentOutcome(BaseModel):
    payment_id: str | None  # None: the resource was free
    status: str
    url: str
    merchant: str
    http_status: int | None
    amount: str | None = None  # human text with the token symbol
    usd: str | None = None
    tx_hash: str | None = None
    body: str | None = None
    note: str = ""
    seconds: float | None = None  # from the first request to the paid response


class GuardedSigner:
    """The `ClientEvmSigner` x402's exact scheme signs through. It signs one thing only: the
    TransferWithAuthorization the guard's verdict covers, on the right token, chain and window."""

    def __init__(self, request: PaymentRequest, verdict: Verdict, unlock: Callable[[], Any],
                 chain_id: int, max_validity: int):
        self._request, self._verdict, self._unlock = request, verdict, unlock
        self._chain_id, self._max_validity = chain_id, max_validity
        self.signed: dict[str, Any] | None = None

    @property
    def address(self) -> str:
        return self._request.payer

    def sign_typed_data(self, domain, types, primary_type, message) -> bytes:
        request = self._request
        if primary_type != TRANSFER_TYPE:
            raise GuardRefusal(f"the payer signs only {TRANSFER_TYPE}, not {primary_type}")
        checks = {
            "chain id": (int(domain.chain_id), self._chain_id),
            "token": (domain.verifying_contract.lower(), request.asset.lower()),
            "from": (str(message["from"]).lower(), request.payer.lower()),
            "to": (str(message["to"]).lower(), request.pay_to.lower()),
            "value": (int(message["value"]), request.amount),
        }
        for what, (got, judged) in checks.items():
            if got != judged:
                raise GuardRefusal(f"the authorization's {what} ({got}) is not what the guard "
                                   f"judged ({judged}); nothing was signed")
        if int(message["validBefore"]) > int(time.time()) + self._max_validity:
            raise GuardRefusal("the authorization would stay valid longer than "
                               f"payments.max_validity_seconds ({self._max_validity} s)")
        authorize_payment(request, self._verdict)
        typed = {"types": {"EIP712Domain": _DOMAIN_FIELDS,
                           **{name: [{"name": f.name, "type": f.type} for f in fields]
                              for name, fields in types.items()}},
                 "primaryType": primary_type,
                 "domain": {"name": domain.name, "version": domain.version,
                            "chainId": int(domain.chain_id),
                            "verifyingContract": domain.verifying_contract},
                 "message": message}
        signed = self._unlock().sign_message(encode_typed_data(full_message=typed))
        self.signed = {"nonce": "0x" + bytes(message["nonce"]).hex(),
                       "valid_before": int(message["validBefore"])}
        return bytes(signed.signature)


_DOMAIN_FIELDS = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                  {"name": "chainId", "type": "uint256"},
                  {"name": "verifyingContract", "type": "address"}]


class Payer:
    """One wallet paying for resources (the CLI, the API and the MCP server share it)."""

    def __init__(self, wallet: str, address: str, unlock: Callable[[], Any], *,
                 ledger: PaymentLedger | None = None, journal: Journal | None = None,
                 payments: PaymentsMandate | None = None, timeout: float = REQUEST_TIMEOUT,
                 cancel: Callable[[Payment], str] | None = None):
        self.wallet, self.address, self._unlock = wallet, address, unlock
        self.ledger = ledger or PaymentLedger()
        self.journal = journal or Journal()
        self._payments = payments
        self.timeout = timeout
        self._cancel = cancel  # submits cancelAuthorization for a payment (see cancel_on_chain)
        self._http = x402HTTPClientSync(x402ClientSync())  # header codecs only

    @property
    def payments(self) -> PaymentsMandate:
        return self._payments or load_payments_mandate(self.wallet)

    # ---- paying ------------------------------------------------------------------------
    def fetch(self, url: str, payment_id: str | None = None) -> PaymentOutcome:
        merchant = merchant_origin(url)
        if payment_id is not None:
            if not is_valid_payment_id(payment_id):
                raise PaymentError(f"payment id {payment_id!r} is not valid: use 16 to 128 "
                                   "letters, digits, '-' or '_'")
            known = self.ledger.get(payment_id)
            if known is not None:
                return self._resume(known)
        started = time.monotonic()
        with httpx.Client(timeout=self.timeout) as client:
            first = client.get(url)
            if first.status_code != 402:
                return PaymentOutcome(payment_id=None, status="free", url=url, merchant=merchant,
                                      http_status=first.status_code, body=first.text[:65536])
            required = self._http.get_payment_required_response(
                lambda name: first.headers.get(name), first.content)
            if not isinstance(required, PaymentRequired):
                raise PaymentError(f"{merchant} answered with x402 version 1; Steward pays "
                                   "version 2 merchants only")
            payment_id = payment_id or f"stw_{secrets.token_hex(16)}"
            header = self._sign(url, merchant, required, payment_id)
            return self._send(client, url, payment_id, header, started)

    def _choose(self, required: PaymentRequired, payments: PaymentsMandate
                ) -> tuple[PaymentRequirements, Any]:
        refusals = []
        for offer in required.accepts:
            chain = chain_for_network(offer.network)
            label = f"{offer.scheme} on {offer.network}"
            if offer.scheme != "exact":
                refusals.append(f"{label}: only the exact scheme is paid")
            elif chain is None or chain.name not in payments.networks:
                refusals.append(f"{label}: not a network in payments.networks "
                                f"({', '.join(payments.networks)})")
            elif not payments.asset_allowed(chain, offer.asset):
                refusals.append(f"{label}: asset {offer.asset} is not in payments.assets "
                                f"({', '.join(payments.assets)})")
            elif (offer.max_timeout_seconds or 0) > payments.max_validity_seconds:
                refusals.append(f"{label}: asks for an authorization valid "
                                f"{offer.max_timeout_seconds} s, above "
                                f"payments.max_validity_seconds ({payments.max_validity_seconds})")
            else:
                return offer, chain
        raise PaymentRefused("no offer this wallet may pay: " + "; ".join(refusals)
                             + "; nothing was signed")

    def _sign(self, url: str, merchant: str, required: PaymentRequired, payment_id: str) -> str:
        payments = self.payments
        offer, chain = self._choose(required, payments)
        request = PaymentRequest(wallet=self.wallet, payer=self.address, url=url,
                                 chain=chain.name, asset=Web3.to_checksum_address(offer.asset),
                                 pay_to=Web3.to_checksum_address(offer.pay_to),
                                 amount=int(offer.amount))
        with budget_lock(self.wallet), chain_turn():
            try:
                self.ledger.claim(payment_id=payment_id, wallet=self.wallet, payer=self.address,
                                  url=url, merchant=merchant, chain=chain.name,
                                  asset=request.asset, pay_to=request.pay_to,
                                  amount=request.amount)
            except DuplicatePayment:
                raise PaymentError(f"payment id {payment_id} is already in the ledger (another "
                                   "process is paying it); nothing was signed") from None
            try:
                check_terms(request, payments)
                _check_clock(chain, offer.max_timeout_seconds or payments.max_validity_seconds)
                spent = self.ledger.spent_usd(self.wallet, merchant,
                                              payments.merchants[merchant].period_seconds)
                verdict = review_payment(request, payments, merchant_spent_usd=spent,
                                         journal=self.journal)
                signer = GuardedSigner(request, verdict, self._unlock, chain.chain_id,
                                       payments.max_validity_seconds)
                client = x402ClientSync().register(offer.network, ExactEvmScheme(signer))
                client.set_spend_controls(False)  # the guard and the mandate are the controls
                extensions = dict(required.extensions or {})
                append_payment_identifier_to_extensions(extensions, payment_id)
                chosen = required.model_copy(update={"accepts": [offer],
                                                     "extensions": extensions or None})
                payload = client.create_payment_payload(chosen)
            except BaseException as exc:  # nothing was signed: the row must not stay open
                self.ledger.update(payment_id, status="refused",
                                   note=str(exc) or type(exc).__name__)
                raise
            header = encode_payment_signature_header(payload)
            self.ledger.update(payment_id, status="signed", header=header,
                               from_block=connect(chain).eth.block_number,
                               verdict_id=verdict.id, usd=verdict.usd_outflow,
                               nonce=signer.signed["nonce"],
                               valid_before=signer.signed["valid_before"])
            self.journal.mark_verdict(verdict.id, "executing", verdict.approved_by)
        failpoint("after_payment_signed")
        return header

    def _send(self, client: httpx.Client, url: str, payment_id: str, header: str,
              started: float) -> PaymentOutcome:
        try:
            response = client.get(url, headers={PAYMENT_SIGNATURE_HEADER: header})
        except httpx.HTTPError as exc:
            self.ledger.update(payment_id, status="pending",
                               note=f"no answer to the paid request: {type(exc).__name__}")
            return self.reconcile(payment_id)
        failpoint("after_payment_sent")
        seconds = time.monotonic() - started
        settled = _settlement(response)
        if 200 <= response.status_code < 300 and settled is not None and settled.success:
            self._delivered(payment_id, response, settled.transaction)
            return self.outcome(payment_id, seconds=seconds)
        reason = (settled.error_reason if settled is not None and settled.error_reason
                  else f"HTTP {response.status_code}")
        self.ledger.update(payment_id, status="pending", http_status=response.status_code,
                           note=f"the paid request was not answered with the resource: {reason}")
        return self.reconcile(payment_id, retry=False)

    def _delivered(self, payment_id: str, response: httpx.Response, tx_hash: str | None) -> None:
        payment = self.ledger.get(payment_id)
        self.ledger.update(payment_id, status="delivered", http_status=response.status_code,
                           tx_hash=tx_hash or payment.tx_hash, body=response.text, note="")
        if payment.verdict_id:
            self.journal.mark_verdict(payment.verdict_id, "executed")

    def _resume(self, payment: Payment) -> PaymentOutcome:
        """A payment id seen before: never a second signature; an open one is reconciled."""
        if payment.status in ("signed", "pending"):
            return self.reconcile(payment.payment_id)
        if payment.status == "judging":
            return self.reconcile(payment.payment_id)
        return self.outcome(payment.payment_id, note="this payment id was used before; its "
                                                     "record is shown and nothing was paid again")

    # ---- reconciling -------------------------------------------------------------------
    def reconcile(self, payment_id: str, retry: bool = True) -> PaymentOutcome:
        """Settle an open payment's record against the chain (see the module docstring)."""
        payment = self.ledger.get(payment_id)
        if payment is None:
            raise PaymentError(f"no payment {payment_id} in the ledger")
        if payment.status == "judging" or payment.header is None:
            self.ledger.update(payment_id, status="refused",
                               note="stopped before it was signed; nothing can be settled")
            return self.outcome(payment_id)
        if payment.status not in ("signed", "pending"):
            return self.outcome(payment_id)
        with chain_turn():
            used = authorization_tx(payment)
        if used is not None:
            self.ledger.update(payment_id, tx_hash=used)
            return self._deliver_settled(payment, used)
        if retry and payment.valid_before and payment.valid_before > time.time() + 5:
            try:
                with httpx.Client(timeout=self.timeout) as client:
                    response = client.get(payment.url, headers={PAYMENT_SIGNATURE_HEADER:
                                                                payment.header})
                settled = _settlement(response)
                if 200 <= response.status_code < 300 and settled and settled.success:
                    self._delivered(payment_id, response, settled.transaction)
                    return self.outcome(payment_id)
            except httpx.HTTPError:
                pass
            with chain_turn():
                used = authorization_tx(payment)
            if used is not None:
                self.ledger.update(payment_id, tx_hash=used)
                return self._deliver_settled(payment, used)
        return self._close_unsettled(payment)

    def _deliver_settled(self, payment: Payment, tx_hash: str) -> PaymentOutcome:
        """The money moved: ask once more with the same authorization (it cannot move twice)."""
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.get(payment.url,
                                      headers={PAYMENT_SIGNATURE_HEADER: payment.header})
            if 200 <= response.status_code < 300:
                self._delivered(payment.payment_id, response, tx_hash)
                return self.outcome(payment.payment_id,
                                    note="settled on chain; delivered when asked again")
            answer = f"HTTP {response.status_code}: " + _reason(response)
        except httpx.HTTPError as exc:
            answer = type(exc).__name__
        self.ledger.update(payment.payment_id, status="undelivered", note=(
            f"paid on chain in {tx_hash} but {payment.merchant} did not deliver ({answer}); "
            "claim a refund with this payment id and transaction"))
        if payment.verdict_id:
            self.journal.mark_verdict(payment.verdict_id, "executed")
        return self.outcome(payment.payment_id)

    def _close_unsettled(self, payment: Payment) -> PaymentOutcome:
        """Not settled: make sure it never can be, then free its budget."""
        if payment.valid_before is not None and payment.valid_before <= _chain_time(payment):
            status, note = "expired", "never settled; its authorization has expired"
        elif self._cancel is None:
            return self.outcome(payment.payment_id, note="not settled yet; run reconcile again, "
                                                         "or cancel it with the wallet unlocked")
        else:
            try:
                tx, problem = self._cancel(payment), None
            except StewardError as exc:  # e.g. the settlement landed first: the cancel reverts
                tx, problem = None, str(exc)
            with chain_turn():
                used = authorization_tx(payment)
            if used is not None:  # the merchant's settlement won the race
                self.ledger.update(payment.payment_id, tx_hash=used)
                return self._deliver_settled(payment, used)
            if tx is None:
                self.ledger.update(payment.payment_id, status="pending",
                                   note=f"not settled, and the cancel failed: {problem}; run "
                                        "`steward payments reconcile` again")
                return self.outcome(payment.payment_id)
            status, note = "cancelled", f"never settled; cancelled on chain in {tx}"
        self.ledger.update(payment.payment_id, status=status, note=note)
        if payment.verdict_id:
            self.journal.mark_verdict(payment.verdict_id, "cancelled")
        return self.outcome(payment.payment_id)

    def reconcile_open(self) -> list[PaymentOutcome]:
        return [self.reconcile(p.payment_id)
                for p in self.ledger.list(self.wallet, limit=1000,
                                          statuses=("judging", "signed", "pending"))]

    # ---- reporting ---------------------------------------------------------------------
    def outcome(self, payment_id: str, *, note: str = "", seconds: float | None = None
                ) -> PaymentOutcome:
        return describe(self.ledger.get(payment_id), note=note, seconds=seconds)


def describe(payment: Payment, *, note: str = "", seconds: float | None = None) -> PaymentOutcome:
    from steward.chains import chain_config

    chain = chain_config(payment.chain)
    symbol = next((s for s, a in chain.tokens.items() if a.lower() == payment.asset.lower()),
                  payment.asset)
    decimals = chain.recorded_decimals(payment.asset)
    if decimals is None:  # not a registry token: read it (the guard valued it the same way)
        with chain_turn():
            decimals = erc20.token_info(connect(chain), payment.asset).decimals
    return PaymentOutcome(
        payment_id=payment.payment_id, status=payment.status, url=payment.url,
        merchant=payment.merchant, http_status=payment.http_status,
        amount=f"{format_units(payment.amount, decimals)} {symbol}",
        usd=usd_text(payment.usd) if payment.usd else None, tx_hash=payment.tx_hash,
        body=payment.body, note=note or payment.note, seconds=seconds)


def _reason(response: httpx.Response) -> str:
    """The merchant's short reason for not delivering (its own words, shown as data)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("error", "detail", "reason", "message"):
            if isinstance(body.get(key), str):
                return body[key][:200]
    return response.text[:200]


def _settlement(response: httpx.Response):
    header = response.headers.get(PAYMENT_RESPONSE_HEADER)
    if not header:
        return None
    try:
        return decode_payment_response_header(header)
    except Exception:
        return None


def authorization_tx(payment: Payment) -> str | None:
    """The transaction that used this payment's authorization on chain, or None. Read from the
    token's own AuthorizationUsed event (indexed by payer and nonce), not from any merchant."""
    logs = used_logs(connect(payment.chain), payment.asset, payment.payer, payment.nonce,
                     payment.from_block or 0)
    return logs[0]["transactionHash"].to_0x_hex() if logs else None


def cancel_on_chain(payment: Payment, account, executor) -> str:
    """Cancel a payment's unused authorization on chain (EIP-3009 `cancelAuthorization`, signed
    by the payer's `account` and sent by `executor`, an unlocked `steward.execution.Executor` of
    the paying wallet, through the guard like every transaction). Returns the transaction hash."""
    from steward.guard import review
    from steward.plans import Call, Plan

    with chain_turn():
        w3 = connect(payment.chain)
        token = w3.eth.contract(address=Web3.to_checksum_address(payment.asset),
                                abi=_CANCEL_ABI)
        name, version = token.functions.name().call(), token.functions.version().call()
        typed = {"types": {"EIP712Domain": _DOMAIN_FIELDS,
                           "CancelAuthorization": [{"name": "authorizer", "type": "address"},
                                                   {"name": "nonce", "type": "bytes32"}]},
                 "primaryType": "CancelAuthorization",
                 "domain": {"name": name, "version": version, "chainId": w3.eth.chain_id,
                            "verifyingContract": token.address},
                 "message": {"authorizer": payment.payer, "nonce": payment.nonce}}
        signed = account.sign_message(encode_typed_data(full_message=typed))
        data = token.encode_abi("cancelAuthorization", args=[
            payment.payer, bytes.fromhex(payment.nonce.removeprefix("0x")), signed.v,
            signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")])
        plan = Plan(chain=payment.chain, sender=payment.payer, summary=(
            f"cancel the unsettled x402 payment {payment.payment_id} to {payment.merchant}"),
            calls=[Call(to=token.address, data=data, gas_hint=80_000,
                        description=f"cancel authorization {payment.nonce[:10]}…")])
        verdict = review(plan, executor.wallet_name)
        return executor.execute(plan, verdict).steps[0].tx_hash


_CANCEL_ABI = [
    {"name": "name", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"name": "version", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"name": "cancelAuthorization", "type": "function", "stateMutability": "nonpayable",
     "inputs": [{"name": "authorizer", "type": "address"}, {"name": "nonce", "type": "bytes32"},
                {"name": "v", "type": "uint8"}, {"name": "r", "type": "bytes32"},
                {"name": "s", "type": "bytes32"}], "outputs": []},
]


def _chain_time(payment: Payment) -> int:
    with chain_turn():
        return int(connect(payment.chain).eth.get_block("latest")["timestamp"])


def _check_clock(chain, validity: int) -> None:
    """x402 dates an authorization by this machine's clock (valid until now + `validity`), the
    token checks it by the chain's: refuse one that would be expired there before it can settle
    (a chain whose clock ran ahead, like a sandbox whose time was advanced)."""
    chain_now = int(connect(chain).eth.get_block("latest")["timestamp"])
    skew = chain_now - int(time.time())
    if skew > validity - SETTLE_MARGIN:
        raise PaymentRefused(f"{chain.name}'s clock is {skew:+d} s from this machine's: an "
                             f"authorization valid for {validity} s by this clock would be "
                             "expired there before it could settle; nothing was signed")


__all__ = ["GuardedSigner", "Payer", "PaymentError", "PaymentOutcome", "authorization_tx",
           "describe"]
