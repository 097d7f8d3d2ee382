"""A Solana cluster over JSON-RPC: the `SolanaChain` behind a `rpc_url`.

Requests are solders' typed request bodies (`solders.rpc.requests`, the wire format solana-py
sends), posted with `requests` and a timeout on every call; reads and simulations ask at the
"confirmed" commitment. solana-py 0.41 ships only an asynchronous client, and Steward's chain
interface is synchronous, so no event loop is started per call.

Answers are outside data. They are read by the strict readers below, never by solders' typed
responses: those unwrap lazily in Rust and panic (`pyo3_runtime.PanicException`, not an
`Exception`, with a Rust backtrace on stderr) on a blockhash, owner or signature of the wrong
size. Every value is checked for its type and range before it becomes a solders value, and any
answer that does not have the documented shape is a `MalformedRpcAnswer` naming the chain and
the method. Text quoted from an answer is cut to `QUOTE_CHARS` and made visible.

`send` submits with preflight (a transaction the node's simulation refuses is never sent and
comes back as a record with success False), then polls `getSignatureStatuses` until the
transaction is confirmed, and reads its fee and logs from `getTransaction`. Once a transaction
may have reached the node, every failure to learn its outcome (no answer, a confirmation
without the transaction, a malformed or self-contradicting answer, the deadline) is
`OutcomeUnknown`: never a success, never a failure that invites sending it again blindly.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from solders.account import Account
from solders.account_decoder import UiAccountEncoding
from solders.commitment_config import CommitmentLevel
from solders.hash import Hash
from solders.pubkey import Pubkey
from solders.rpc.config import (RpcAccountInfoConfig, RpcContextConfig, RpcSendTransactionConfig,
                                RpcSignaturesForAddressConfig, RpcSignatureStatusConfig,
                                RpcSimulateTransactionAccountsConfig,
                                RpcSimulateTransactionConfig, RpcTransactionConfig)
from solders.rpc.requests import (GetAccountInfo, GetBalance, GetFeeForMessage,
                                  GetLatestBlockhash, GetMinimumBalanceForRentExemption,
                                  GetSignaturesForAddress, GetSignatureStatuses, GetSlot,
                                  GetTransaction, SendLegacyTransaction, SendVersionedTransaction,
                                  SimulateLegacyTransaction, SimulateVersionedTransaction)
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_status import TransactionStatus, UiTransactionEncoding

from steward.display import visible
from steward.errors import ChainConnectionError, StewardError
from steward.solana.chain import (AnyTransaction, Simulated, SolanaChain, TxRecord, _account_keys,
                                  _message_bytes, _signature)

RPC_TIMEOUT_SECONDS = 10.0  # one request: connecting, and each wait for bytes of the answer
CONFIRM_TIMEOUT_SECONDS = 60.0  # a sent transaction: until confirmed (a blockhash lives ~60-90 s)
POLL_SECONDS = 0.5
MAX_ANSWER_BYTES = 32 * 2**20
QUOTE_CHARS = 200
COMMITMENT = CommitmentLevel.Confirmed
CONFIRMED = ("confirmed", "finalized")
PREFLIGHT_FAILURE = -32002  # sendTransaction: the node's simulation refused it; nothing sent
SIGNATURES_PAGE = 1000  # the most getSignaturesForAddress returns at once
_U64 = 2**64


class SolanaRpcUnreachable(ChainConnectionError):
    """No usable answer from the endpoint: refused, timed out, cut off, or an HTTP error."""

    def __init__(self, message: str, maybe_delivered: bool):
        super().__init__(message)
        self.maybe_delivered = maybe_delivered  # False only when the request never left


class RpcRefusal(StewardError):
    """The endpoint answered with a JSON-RPC error object."""

    def __init__(self, message: str, code: int, data: Any):
        super().__init__(message)
        self.code, self.data = code, data


class MalformedRpcAnswer(ChainConnectionError):
    """An answer without the shape the method promises: nothing of it is used (the node is at
    fault, so faces report it as `chain_unreachable`, never as the person's bad input)."""


class OutcomeUnknown(ChainConnectionError):
    """A transaction that may have reached the cluster, whose outcome could not be learnt."""

    def __init__(self, message: str, signature: str):
        super().__init__(message)
        self.signature = signature


class _Shape(ValueError):
    """A reader's complaint: which field was not what it must be."""


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """Outside text for a message: at most `limit` characters, controls made visible."""
    text = str(text)
    return visible(text[:limit]) + ("…" if len(text) > limit else "")


def endpoint_label(url: str) -> str:
    """scheme://host[:port] of `url`: never its path or query, which may carry an API key."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


# --- readers: JSON values → checked Python and solders values -----------------------------
def _int(value: Any, what: str, upper: int = _U64) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < upper:
        raise _Shape(f"{what} is not an integer in [0, {upper})")
    return value


def _obj(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise _Shape(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise _Shape(f"{what} is not a list")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _Shape(f"{what} is not a string")
    return value


def _pubkey(value: Any, what: str) -> Pubkey:
    try:
        return Pubkey.from_string(_text(value, what))
    except ValueError:
        raise _Shape(f"{what} is not a base58 public key") from None


def _signature_of(value: Any, what: str) -> Signature:
    try:
        return Signature.from_string(_text(value, what))
    except ValueError:
        raise _Shape(f"{what} is not a base58 signature") from None


def _base64(value: Any, what: str) -> bytes:
    if not (isinstance(value, list) and len(value) == 2 and value[1] == "base64"):
        raise _Shape(f"{what} is not [data, \"base64\"]")
    try:
        return base64.b64decode(_text(value[0], what), validate=True)
    except ValueError:  # binascii.Error is one
        raise _Shape(f"{what} is not valid base64") from None


def _account(value: Any, what: str = "the account") -> Account:
    fields = _obj(value, what)
    data = _base64(fields.get("data"), f"{what}'s data")
    space = fields.get("space")
    if space is not None and _int(space, f"{what}'s space") != len(data):
        raise _Shape(f"{what}'s space is not the length of its data")
    executable = fields.get("executable")
    if not isinstance(executable, bool):
        raise _Shape(f"{what}'s executable flag is not true or false")
    return Account(lamports=_int(fields.get("lamports"), f"{what}'s lamports"), data=data,
                   owner=_pubkey(fields.get("owner"), f"{what}'s owner"), executable=executable,
                   rent_epoch=_int(fields.get("rentEpoch"), f"{what}'s rentEpoch"))


def _context_value(result: Any) -> Any:
    """`value` of an `{context: {slot}, value}` result."""
    envelope = _obj(result, "the result")
    _int(_obj(envelope.get("context"), "the context").get("slot"), "the context slot")
    if "value" not in envelope:
        raise _Shape("the result has no value")
    return envelope["value"]


def _context_slot(result: Any) -> int:
    return _obj(result, "the result")["context"]["slot"]


def _logs(value: Any) -> list[str]:
    if value is None:
        return []
    return [_text(line, "a log line") for line in _list(value, "the logs")]


def error_text(err: Any) -> str | None:
    """A transaction error as the embedded chain writes it (solders' text), or None for none.

    Errors solders does not know (a newer cluster's) are kept as quoted JSON: still a failure."""
    if err is None:
        return None
    try:
        status = TransactionStatus.from_json(json.dumps(
            {"slot": 0, "confirmations": None, "status": {"Err": err}, "err": err,
             "confirmationStatus": None}))
        if status.err is not None:
            return str(status.err)
    except Exception:  # an error shape solders does not know
        pass
    try:
        return quoted(json.dumps(err, sort_keys=True))
    except (TypeError, ValueError, RecursionError):
        raise _Shape("the transaction error is not JSON") from None


def _status(value: Any) -> tuple[int, str | None, str] | None:
    """(slot, error, confirmation status) of one getSignatureStatuses entry, None if unknown."""
    if value is None:
        return None
    fields = _obj(value, "the signature status")
    confirmation = fields.get("confirmationStatus")
    if confirmation not in ("processed", "confirmed", "finalized", None):
        raise _Shape("the confirmation status is not processed, confirmed or finalized")
    return (_int(fields.get("slot"), "the status slot"), error_text(fields.get("err")),
            confirmation or "processed")


def _record_of(result: Any, signature: str) -> TxRecord:
    """A getTransaction result (base64 encoding) as a record of `signature`."""
    fields = _obj(result, "the transaction")
    raw = _base64(fields.get("transaction"), "the transaction's bytes")
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except ValueError:
        raise _Shape("the transaction's bytes are not a transaction") from None
    if not tx.signatures or str(tx.signatures[0]) != signature:
        raise _Shape("the transaction returned is not the one asked for")
    meta = _obj(fields.get("meta"), "the transaction's meta")
    error = error_text(meta.get("err"))
    units = meta.get("computeUnitsConsumed")
    return TxRecord(signature=signature, success=error is None, error=error,
                    logs=_logs(meta.get("logMessages")), fee=_int(meta.get("fee"), "the fee"),
                    compute_units=0 if units is None else _int(units, "computeUnitsConsumed"),
                    slot=_int(fields.get("slot"), "the slot"), message=bytes(tx.message))


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request failed before it could reach the node (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else None
    return isinstance(reason, (urllib3.exceptions.NewConnectionError,
                               urllib3.exceptions.ConnectTimeoutError))


class RpcSolana(SolanaChain):
    """A Solana cluster behind a JSON-RPC URL."""

    embedded = False

    def __init__(self, name: str, url: str, *, timeout: float = RPC_TIMEOUT_SECONDS,
                 confirm_timeout: float = CONFIRM_TIMEOUT_SECONDS,
                 poll_seconds: float = POLL_SECONDS):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise StewardError(f"the RPC URL of {name} must be http:// or https:// with a host")
        self.name, self.url = name, url
        self.label = endpoint_label(url)
        self.timeout, self.confirm_timeout, self.poll_seconds = (timeout, confirm_timeout,
                                                                 poll_seconds)
        self._session = requests.Session()
        self._ids = itertools.count(1)
        self._rent: dict[int, int] = {}

    # --- one JSON-RPC round trip ----------------------------------------------------------
    def _where(self, method: str) -> str:
        return f"{method} on {self.name} ({self.label})"

    def _post(self, method: str, payload: str) -> bytes:
        try:
            response = self._session.post(self.url, data=payload, timeout=self.timeout,
                                          stream=True,
                                          headers={"Content-Type": "application/json"})
            with response:
                if response.status_code >= 400:
                    raise SolanaRpcUnreachable(
                        f"{self._where(method)}: the RPC endpoint answered HTTP "
                        f"{response.status_code}", maybe_delivered=True)
                chunks, size = [], 0
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        raise MalformedRpcAnswer(f"{self._where(method)}: the answer is larger "
                                                 f"than {MAX_ANSWER_BYTES} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.RequestException as exc:
            never = _never_sent(exc)
            if never:
                why = "cannot be reached"
            elif isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
                why = f"gave no answer within {self.timeout:g} s"
            else:
                why = "dropped the connection"
            raise SolanaRpcUnreachable(
                f"{self._where(method)}: the RPC endpoint {why} ({type(exc).__name__})",
                maybe_delivered=not never) from None

    def _call(self, body: Any) -> Any:
        """The `result` of one request (a solders request body); errors become StewardErrors."""
        request = json.loads(body.to_json())
        method, request["id"] = request["method"], next(self._ids)
        content = self._post(method, json.dumps(request))
        try:
            answer = json.loads(content)
        except (ValueError, RecursionError):
            shown = quoted(content.decode("utf-8", "replace"), 60)
            raise MalformedRpcAnswer(f"{self._where(method)}: the answer is not JSON "
                                     f"({shown})") from None
        if not isinstance(answer, dict) or answer.get("id") != request["id"]:
            raise MalformedRpcAnswer(f"{self._where(method)}: the answer is not a JSON-RPC "
                                     "response to this request")
        if "error" in answer:
            raise self._refusal(method, answer["error"])
        if "result" not in answer:
            raise MalformedRpcAnswer(f"{self._where(method)}: the answer has no result")
        return answer["result"]

    def _refusal(self, method: str, error: Any) -> StewardError:
        if not isinstance(error, dict):
            return MalformedRpcAnswer(f"{self._where(method)}: the error is not an object")
        code, message = error.get("code"), error.get("message")
        if isinstance(code, bool) or not isinstance(code, int) or not isinstance(message, str):
            return MalformedRpcAnswer(f"{self._where(method)}: the error has no code and message")
        return RpcRefusal(f"{self._where(method)}: the RPC endpoint refused it (code {code}: "
                          f"{quoted(message)})", code, error.get("data"))

    @contextmanager
    def _reading(self, method: str) -> Iterator[None]:
        """Any shape error while reading `method`'s result becomes a MalformedRpcAnswer."""
        try:
            yield
        except _Shape as exc:
            raise MalformedRpcAnswer(f"{self._where(method)}: malformed answer: {exc}") from None
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise MalformedRpcAnswer(f"{self._where(method)}: malformed answer "
                                     f"({type(exc).__name__})") from None

    # --- reads ----------------------------------------------------------------------------
    def get_account(self, pubkey: Pubkey) -> Account | None:
        result = self._call(GetAccountInfo(pubkey, RpcAccountInfoConfig(
            encoding=UiAccountEncoding.Base64, commitment=COMMITMENT)))
        with self._reading("getAccountInfo"):
            value = _context_value(result)
            return None if value is None else _account(value)

    def balance(self, pubkey: Pubkey) -> int:
        result = self._call(GetBalance(pubkey, RpcContextConfig(commitment=COMMITMENT)))
        with self._reading("getBalance"):
            return _int(_context_value(result), "the balance")

    def latest_blockhash(self) -> Hash:
        result = self._call(GetLatestBlockhash(RpcContextConfig(commitment=COMMITMENT)))
        with self._reading("getLatestBlockhash"):
            value = _obj(_context_value(result), "the blockhash value")
            _int(value.get("lastValidBlockHeight"), "lastValidBlockHeight")
            try:
                return Hash.from_string(_text(value.get("blockhash"), "the blockhash"))
            except Exception:  # solders' ParseHashError is not a ValueError
                raise _Shape("the blockhash is not a base58 hash") from None

    def rent_exempt(self, space: int) -> int:
        if space not in self._rent:  # rent is a cluster constant: asked once per size
            result = self._call(GetMinimumBalanceForRentExemption(space, COMMITMENT))
            with self._reading("getMinimumBalanceForRentExemption"):
                self._rent[space] = _int(result, "the rent-exempt minimum")
        return self._rent[space]

    def slot(self) -> int:
        result = self._call(GetSlot(RpcContextConfig(commitment=COMMITMENT)))
        with self._reading("getSlot"):
            return _int(result, "the slot")

    def signatures_for_address(self, address: Pubkey, limit: int = 1000) -> list[str]:
        found: list[str] = []
        before: Signature | None = None
        while len(found) < limit:
            page = min(SIGNATURES_PAGE, limit - len(found))
            result = self._call(GetSignaturesForAddress(address, RpcSignaturesForAddressConfig(
                before=before, limit=page, commitment=COMMITMENT)))
            with self._reading("getSignaturesForAddress"):
                entries = _list(result, "the result")
                if len(entries) > page:
                    raise _Shape(f"{len(entries)} signatures where at most {page} were asked")
                signatures = [_signature_of(_obj(entry, "an entry").get("signature"),
                                            "an entry's signature") for entry in entries]
            found.extend(str(signature) for signature in signatures)
            if len(entries) < page:
                break
            before = signatures[-1]
        return found

    def transaction(self, signature: str) -> TxRecord | None:
        try:
            wanted = Signature.from_string(signature)
        except ValueError:
            raise StewardError(f"{quoted(signature, 100)} is not a Solana transaction "
                               "signature") from None
        result = self._call(GetTransaction(wanted, RpcTransactionConfig(
            encoding=UiTransactionEncoding.Base64, commitment=COMMITMENT,
            max_supported_transaction_version=0)))
        if result is None:
            return None
        with self._reading("getTransaction"):
            return _record_of(result, str(wanted))

    # --- simulation -----------------------------------------------------------------------
    def simulate(self, tx: AnyTransaction) -> Simulated:
        keys = _account_keys(tx)
        config = RpcSimulateTransactionConfig(
            # The guard simulates unsigned plans (before any key is unlocked), as on the
            # embedded chain; `send` is where signatures are checked.
            sig_verify=False, replace_recent_blockhash=False, commitment=COMMITMENT,
            accounts=RpcSimulateTransactionAccountsConfig(keys, UiAccountEncoding.Base64))
        body = (SimulateLegacyTransaction(tx, config) if isinstance(tx, Transaction)
                else SimulateVersionedTransaction(tx, config))
        result = self._call(body)
        with self._reading("simulateTransaction"):
            value = _obj(_context_value(result), "the simulation")
            error = error_text(value.get("err"))
            after: dict[Pubkey, Account | None] = {}
            if error is None:  # a failed simulation changes nothing (the embedded chain's rule)
                accounts = _list(value.get("accounts"), "the accounts after")
                if len(accounts) != len(keys):
                    raise _Shape(f"{len(accounts)} accounts for the {len(keys)} asked")
                after = {key: None if account is None else _account(account, f"account {key}")
                         for key, account in zip(keys, accounts)}
            units = value.get("unitsConsumed")
            fee = value.get("fee")
            record = dict(signature=_signature(tx), success=error is None, error=error,
                          logs=_logs(value.get("logs")),
                          compute_units=0 if units is None else _int(units, "unitsConsumed"),
                          slot=_context_slot(result), message=_message_bytes(tx),
                          accounts_after=after)
            if fee is not None:
                return Simulated(fee=_int(fee, "the fee"), **record)
        return Simulated(fee=self._fee_for(tx), **record)  # older nodes: the fee asked apart

    def _fee_for(self, tx: AnyTransaction) -> int:
        result = self._call(GetFeeForMessage(tx.message, COMMITMENT))
        with self._reading("getFeeForMessage"):
            value = _context_value(result)
            if value is None:
                raise _Shape("no fee: the node does not know the transaction's blockhash")
            return _int(value, "the fee")

    # --- sending --------------------------------------------------------------------------
    def send(self, tx: AnyTransaction) -> TxRecord:
        signature = _signature(tx)
        config = RpcSendTransactionConfig(skip_preflight=False, preflight_commitment=COMMITMENT)
        body = (SendLegacyTransaction(tx, config) if isinstance(tx, Transaction)
                else SendVersionedTransaction(tx, config))
        try:
            answered = self._call(body)
        except RpcRefusal as refusal:
            if refusal.code == PREFLIGHT_FAILURE:
                return self._preflight_failure(tx, refusal)
            raise RpcRefusal(f"{refusal}; nothing was sent", refusal.code, refusal.data) from None
        except SolanaRpcUnreachable as exc:
            if not exc.maybe_delivered:
                raise SolanaRpcUnreachable(f"{exc}; nothing was sent", False) from None
            return self._outcome(signature, reason=str(exc))
        except MalformedRpcAnswer as exc:  # a node that garbles this is not asked for more
            raise self._unknown(signature, str(exc)) from None
        if answered != signature:
            raise self._unknown(signature, self._where("sendTransaction") +
                                ": the node answered another signature")
        return self._outcome(signature)

    def _preflight_failure(self, tx: AnyTransaction, refusal: RpcRefusal) -> TxRecord:
        """The node's simulation refused the transaction: never sent, nothing charged."""
        with self._reading("sendTransaction"):
            data = _obj(refusal.data, "the preflight failure's data")
            error = error_text(data.get("err")) or f"refused by preflight: {refusal}"
            units = data.get("unitsConsumed")
            return TxRecord(signature=_signature(tx), success=False, error=error,
                            logs=_logs(data.get("logs")), fee=0,
                            compute_units=0 if units is None else _int(units, "unitsConsumed"),
                            message=_message_bytes(tx))

    def _unknown(self, signature: str, reason: str) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"sent transaction {signature} to {self.name}, but {reason}; its outcome is "
            "unknown: look the signature up before sending anything again", signature)

    def _outcome(self, signature: str, reason: str | None = None) -> TxRecord:
        """Wait for `signature` to be confirmed and read its record (or OutcomeUnknown)."""
        deadline = time.monotonic() + self.confirm_timeout
        last = reason or f"it was not confirmed within {self.confirm_timeout:g} s"
        status = None
        while status is None:
            try:
                status = self._confirmed_status(signature)
            except (SolanaRpcUnreachable, RpcRefusal) as exc:  # passing trouble: ask again
                last = str(exc)
            except MalformedRpcAnswer as exc:
                raise self._unknown(signature, str(exc)) from None
            if status is None:
                if time.monotonic() >= deadline:
                    raise self._unknown(signature, last)
                time.sleep(self.poll_seconds)
        return self._confirmed_record(signature, status, deadline)

    def _confirmed_status(self, signature: str) -> tuple[int, str | None, str] | None:
        result = self._call(GetSignatureStatuses([Signature.from_string(signature)],
                                                 RpcSignatureStatusConfig(False)))
        with self._reading("getSignatureStatuses"):
            entries = _list(_context_value(result), "the statuses")
            if len(entries) != 1:
                raise _Shape(f"{len(entries)} statuses for one signature")
            status = _status(entries[0])
        return status if status is not None and status[2] in CONFIRMED else None

    def _confirmed_record(self, signature: str, status: tuple[int, str | None, str],
                          deadline: float) -> TxRecord:
        """The confirmed transaction's record; its error must be the one its status gave."""
        while True:
            try:
                record = self.transaction(signature)
            except (SolanaRpcUnreachable, RpcRefusal):
                record = None
            except MalformedRpcAnswer as exc:
                raise self._unknown(signature, str(exc)) from None
            if record is not None:
                break
            if time.monotonic() >= deadline:
                raise self._unknown(signature, f"{self.name} reported it confirmed and then "
                                               "did not return the transaction")
            time.sleep(self.poll_seconds)
        if (record.error is None) != (status[1] is None):
            raise self._unknown(signature, f"{self.name} contradicts itself: its status and its "
                                           "transaction disagree on whether it failed")
        return record

    def close(self) -> None:
        self._session.close()


__all__ = ["COMMITMENT", "CONFIRM_TIMEOUT_SECONDS", "MalformedRpcAnswer", "OutcomeUnknown",
           "RPC_TIMEOUT_SECONDS", "RpcRefusal", "RpcSolana", "SolanaRpcUnreachable",
           "endpoint_label", "error_text", "quoted"]
