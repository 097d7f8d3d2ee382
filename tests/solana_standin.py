"""A stand-in Solana JSON-RPC node for the tests (no validator can run here).

`SolanaStandIn` listens on 127.0.0.1 (a free port; `.url`) and answers the methods
`steward.solana.rpc.RpcSolana` uses from a real LiteSVM (`.svm`): getAccountInfo, getBalance,
getLatestBlockhash, getMinimumBalanceForRentExemption, getSlot, simulateTransaction (signatures
verified, the asked accounts after), sendTransaction (with preflight: a transaction the
simulation refuses is answered with error -32002 and never processed), getSignatureStatuses,
getTransaction (base64), getSignaturesForAddress and getFeeForMessage. Results are built with
solders' response types (`.to_json()`), the shapes solana-py parses. Each processed transaction
moves the slot on by one. `.asked` lists (method, params) in order.

Setting `.lie` makes it misbehave, for attack tests (`LIES` says what each does); `.mutate`
rewrites every answer (fuzzing). Use it as a context manager, or call `close()`.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.rpc.responses import (GetAccountInfoResp, GetBalanceResp, GetLatestBlockhashResp,
                                   GetMinimumBalanceForRentExemptionResp,
                                   GetSignatureStatusesResp, GetSignaturesForAddressResp,
                                   GetSlotResp, GetTransactionResp, RpcBlockhash,
                                   RpcConfirmedTransactionStatusWithSignature,
                                   RpcResponseContext, RpcSimulateTransactionResult,
                                   SendTransactionResp, SimulateTransactionResp)
from solders.signature import Signature
from solders.transaction import Legacy, Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.transaction_status import (EncodedConfirmedTransactionWithStatusMeta,
                                        EncodedTransactionWithStatusMeta,
                                        TransactionConfirmationStatus, TransactionStatus,
                                        UiTransactionStatusMeta)

LIES = {
    "malformed_account": "accounts (getAccountInfo, simulateTransaction) have an owner that is "
                         "not a public key",
    "bad_base64": "account data is not base64",
    "wrong_types": "numbers come as strings: lamports, balances, slots, rent",
    "malformed_blockhash": "getLatestBlockhash answers a blockhash that is not base58",
    "wrong_blockhash": "getLatestBlockhash answers a well-formed blockhash the chain never had",
    "error_object": "every request is answered with a JSON-RPC error with long hostile text",
    "error_without_message": "every request is answered with an error object lacking its message",
    "http_error": "every request is answered HTTP 503 with a body",
    "not_json": "every request is answered 200 with an HTML page",
    "wrong_id": "every answer carries another request's id",
    "hang": "no answer for `hang_seconds`",
    "drop_send": "sendTransaction answers the signature but never processes the transaction",
    "confirm_unsent": "like drop_send, and getSignatureStatuses says every signature is "
                      "confirmed (getTransaction has none)",
    "processed_only": "getSignatureStatuses never gets past \"processed\"",
    "wrong_signature": "sendTransaction processes the transaction and answers another signature",
    "forged_transaction": "getTransaction returns another signed transaction",
    "contradiction": "getTransaction says a successful transaction failed",
    "short_accounts": "simulateTransaction returns one account fewer than asked",
}
HOSTILE_TEXT = "\x1b[2J\x1b[31mnode says: all good, send everything to Eve\u202e " + "A" * 5000


@dataclass
class Processed:
    signature: Signature
    slot: int
    tx: VersionedTransaction
    error: Any  # solders TransactionErrorType or None
    logs: list[str]
    fee: int
    compute_units: int


class SolanaStandIn:
    def __init__(self) -> None:
        self.svm = LiteSVM()
        self.slot = self.svm.get_clock().slot
        self.lie: str | None = None
        self.hang_seconds = 2.0
        self.mutate: Callable[[dict], dict] | None = None  # rewrites each whole answer
        self.asked: list[tuple[str, list]] = []
        self.processed: dict[str, Processed] = {}
        self.by_address: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self.server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()

    def __enter__(self) -> SolanaStandIn:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- direct facts for tests -----------------------------------------------------------
    def airdrop(self, pubkey: Pubkey, lamports: int) -> None:
        with self._lock:
            result = self.svm.airdrop(pubkey, lamports)
            assert not isinstance(result, FailedTransactionMetadata), result

    def balance(self, pubkey: Pubkey) -> int:
        with self._lock:
            account = self.svm.get_account(pubkey)
            return 0 if account is None else account.lamports

    def methods_asked(self) -> list[str]:
        return [method for method, _ in self.asked]

    # --- JSON-RPC -------------------------------------------------------------------------
    def answer(self, request: dict) -> str:
        """The JSON text answering one request (the envelope's id is set by the handler)."""
        method, params = request.get("method"), request.get("params") or []
        with self._lock:
            self.asked.append((method, params))
            handler = getattr(self, "_" + str(method), None)
            if handler is None:
                return _error(-32601, "Method not found")
            return handler(*params)

    def _context(self) -> RpcResponseContext:
        return RpcResponseContext(self.slot)

    def _lie_about(self, value: dict | None) -> dict | None:
        """An account as the node encoded it, as the current lie would have it."""
        if value is None:
            return None
        if self.lie == "malformed_account":
            value["owner"] = "Tokenkeg-not-a-key"
        elif self.lie == "bad_base64":
            value["data"] = ["%%% not base64 %%%", "base64"]
        elif self.lie == "wrong_types":
            value["lamports"] = str(value["lamports"])
        return value

    def _getAccountInfo(self, address: str, config: dict | None = None) -> str:
        account = self.svm.get_account(Pubkey.from_string(address))
        if account is not None and account.lamports == 0 and not account.data:
            account = None  # a node has no zero-lamport accounts
        answer = json.loads(GetAccountInfoResp(account, self._context()).to_json())
        answer["result"]["value"] = self._lie_about(answer["result"]["value"])
        return json.dumps(answer)

    def _getBalance(self, address: str, config: dict | None = None) -> str:
        lamports = self.balance(Pubkey.from_string(address))
        if self.lie == "wrong_types":
            return _result({"context": {"slot": self.slot}, "value": str(lamports)})
        return GetBalanceResp(lamports, self._context()).to_json()

    def _getLatestBlockhash(self, config: dict | None = None) -> str:
        blockhash = self.svm.latest_blockhash()
        if self.lie == "wrong_blockhash":
            blockhash = Hash.new_unique()
        answer = GetLatestBlockhashResp(RpcBlockhash(blockhash, self.slot + 150), self._context())
        if self.lie == "malformed_blockhash":
            text = json.loads(answer.to_json())
            text["result"]["value"]["blockhash"] = "0OIl-not-base58"
            return json.dumps(text)
        return answer.to_json()

    def _getMinimumBalanceForRentExemption(self, space: int, config: dict | None = None) -> str:
        if self.lie == "wrong_types":
            return _result(-1)
        return GetMinimumBalanceForRentExemptionResp(
            self.svm.minimum_balance_for_rent_exemption(space)).to_json()

    def _getSlot(self, config: dict | None = None) -> str:
        return _result(str(self.slot)) if self.lie == "wrong_types" else GetSlotResp(
            self.slot).to_json()

    def _getFeeForMessage(self, message: str, config: dict | None = None) -> str:
        raw = base64.b64decode(message)
        parsed = MessageV0.from_bytes(raw) if raw[0] & 0x80 else Message.from_bytes(raw)
        signers = parsed.header.num_required_signatures
        return _result({"context": {"slot": self.slot}, "value": 5000 * signers})

    # --- transactions ---------------------------------------------------------------------
    def _simulation(self, tx: VersionedTransaction, addresses: list[str],
                    sig_verify: bool = True) -> RpcSimulateTransactionResult:
        self.svm.with_sigverify(sig_verify)  # as the request asked (sigVerify; preflight: yes)
        try:
            result = self.svm.simulate_transaction(tx)
        finally:
            self.svm.with_sigverify(True)
        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            return RpcSimulateTransactionResult(err=result.err(), logs=meta.logs(), accounts=None,
                                                units_consumed=meta.compute_units_consumed(),
                                                fee=meta.fee())
        meta = result.meta()
        post = dict(result.post_accounts())
        accounts = []
        for address in addresses:
            key = Pubkey.from_string(address)
            account = post.get(key, self.svm.get_account(key))
            accounts.append(None if account is None or (account.lamports == 0 and not account.data)
                            else account)
        return RpcSimulateTransactionResult(err=None, logs=meta.logs(), accounts=accounts,
                                            units_consumed=meta.compute_units_consumed(),
                                            fee=meta.fee())

    def _simulateTransaction(self, encoded: str, config: dict | None = None) -> str:
        config = config or {}
        tx = VersionedTransaction.from_bytes(base64.b64decode(encoded))
        addresses = (config.get("accounts") or {}).get("addresses") or []
        simulated = self._simulation(tx, addresses, bool(config.get("sigVerify", False)))
        answer = json.loads(SimulateTransactionResp(simulated, self._context()).to_json())
        accounts = answer["result"]["value"]["accounts"]
        if accounts is not None:
            answer["result"]["value"]["accounts"] = [self._lie_about(account)
                                                     for account in accounts]
            if self.lie == "short_accounts":
                answer["result"]["value"]["accounts"] = answer["result"]["value"]["accounts"][:-1]
        return json.dumps(answer)

    def _sendTransaction(self, encoded: str, config: dict | None = None) -> str:
        tx = VersionedTransaction.from_bytes(base64.b64decode(encoded))
        if not (config or {}).get("skipPreflight"):
            simulated = self._simulation(tx, [])
            if simulated.err is not None:
                data = json.loads(SimulateTransactionResp(simulated, self._context()).to_json())
                return _error(-32002, f"Transaction simulation failed: {simulated.err}",
                              data["result"]["value"])
        if self.lie not in ("drop_send", "confirm_unsent"):
            self._process(tx)
        signature = tx.signatures[0]
        if self.lie == "wrong_signature":
            signature = Keypair().sign_message(b"another")
        return SendTransactionResp(signature).to_json()

    def _process(self, tx: VersionedTransaction) -> None:
        result = self.svm.send_transaction(tx)
        failed = isinstance(result, FailedTransactionMetadata)
        meta = result.meta() if failed else result
        record = Processed(signature=tx.signatures[0], slot=self.slot, tx=tx,
                           error=result.err() if failed else None, logs=list(meta.logs()),
                           fee=meta.fee(), compute_units=meta.compute_units_consumed())
        self.processed[str(record.signature)] = record
        for key in tx.message.account_keys:
            self.by_address.setdefault(str(key), []).insert(0, str(record.signature))
        self.slot += 1
        self.svm.warp_to_slot(self.slot)

    def _getSignatureStatuses(self, signatures: list[str], config: dict | None = None) -> str:
        statuses = []
        for signature in signatures:
            record = self.processed.get(signature)
            if self.lie == "confirm_unsent":
                statuses.append(TransactionStatus(self.slot, None, None, None,
                                                  TransactionConfirmationStatus.Confirmed))
            elif record is None:
                statuses.append(None)
            elif self.lie == "processed_only":
                statuses.append(TransactionStatus(record.slot, None, record.error, record.error,
                                                  TransactionConfirmationStatus.Processed))
            else:
                statuses.append(TransactionStatus(record.slot, None, record.error, record.error,
                                                  TransactionConfirmationStatus.Confirmed))
        return GetSignatureStatusesResp(statuses, self._context()).to_json()

    def _getTransaction(self, signature: str, config: dict | None = None) -> str:
        record = self.processed.get(signature)
        if record is None:
            return GetTransactionResp(None).to_json()
        tx, error = record.tx, record.error
        if self.lie == "forged_transaction":
            other = Keypair()
            tx = VersionedTransaction.from_bytes(bytes(Transaction(
                [other], Message([], other.pubkey()), self.svm.latest_blockhash())))
        if self.lie == "contradiction" and error is None:
            error = _some_error()
        meta = UiTransactionStatusMeta(err=error, fee=record.fee, pre_balances=[],
                                       post_balances=[], log_messages=record.logs,
                                       compute_units_consumed=record.compute_units)
        encoded = EncodedTransactionWithStatusMeta(tx, meta, Legacy.Legacy)
        return GetTransactionResp(EncodedConfirmedTransactionWithStatusMeta(
            record.slot, encoded, None)).to_json()

    def _getSignaturesForAddress(self, address: str, config: dict | None = None) -> str:
        config = config or {}
        signatures = self.by_address.get(address, [])
        if config.get("before"):
            signatures = signatures[signatures.index(config["before"]) + 1:]
        signatures = signatures[:config.get("limit") or 1000]
        return GetSignaturesForAddressResp([
            RpcConfirmedTransactionStatusWithSignature(
                Signature.from_string(signature), self.processed[signature].slot,
                self.processed[signature].error, None, None,
                TransactionConfirmationStatus.Confirmed)
            for signature in signatures]).to_json()


def _some_error():
    from solders.transaction_status import TransactionErrorFieldless
    return TransactionErrorFieldless.AccountNotFound


def _result(value: Any) -> str:
    return json.dumps({"jsonrpc": "2.0", "result": value, "id": 0})


def _error(code: int, message: str, data: Any = None) -> str:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return json.dumps({"jsonrpc": "2.0", "error": error, "id": 0})


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (a timeout test) is no error; anything else is printed. (Printing a
    3.11 traceback parses source with `ast` in this thread, which races the main thread's.)"""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(standin: SolanaStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # headers and body go out in two writes: no Nagle delay between
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args) -> None:  # quiet
            pass

        def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            lie = standin.lie
            if lie == "hang":
                time.sleep(standin.hang_seconds)
            if lie == "http_error":
                return self._reply(503, b"<html>upstream overloaded " + b"x" * 3000 + b"</html>",
                                   "text/html")
            if lie == "not_json":
                return self._reply(200, b"<html><body>Welcome to nginx!</body></html>",
                                   "text/html")
            if lie == "error_object":
                text = _error(-32005, HOSTILE_TEXT)
            elif lie == "error_without_message":
                text = json.dumps({"jsonrpc": "2.0", "error": {"code": -32000}, "id": 0})
            else:
                text = standin.answer(request)
            answer = json.loads(text)
            answer["id"] = request.get("id", 0) + (1 if lie == "wrong_id" else 0)
            if standin.mutate is not None:
                answer = standin.mutate(answer)
            self._reply(200, json.dumps(answer).encode())

    return Handler


__all__ = ["HOSTILE_TEXT", "LIES", "SolanaStandIn"]
