"""One error vocabulary for every face: a stable code, its HTTP status, and the message.

The layers below raise `StewardError` subclasses whose message says what was wrong and what is
valid. The service gives each a code that does not change with the wording: the API answers
`{"error": {"code", "message"}}` with the code's HTTP status, the MCP server returns the same
object as the error's structured content, and the CLI prints the message and exits non-zero.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from pydantic import BaseModel, Field

from steward.errors import StewardError

if TYPE_CHECKING:
    import requests

# code → (HTTP status, what it means). docs/architecture.md lists the same table.
CODES: dict[str, tuple[int, str]] = {
    "invalid_input": (400, "a value is malformed or not valid here; the message says what is"),
    "unknown_name": (400, "a wallet, chain, token or contact name that is not known; the "
                          "message lists the valid ones"),
    "insufficient_funds": (400, "not enough balance for the amount plus gas; nothing signed"),
    "wallet_error": (400, "a wallet that cannot be created, read or unlocked, or none yet"),
    "invalid_mandate": (400, "the owner's mandate file is not valid"),
    "transaction_failed": (400, "a transaction would revert or did revert"),
    "unauthorized": (401, "no bearer token, or not this server's"),
    "not_found": (404, "no such proposal (or page)"),
    "denied": (409, "the mandate denies it; no one can approve a deny"),
    "needs_approval": (409, "the proposal is pending: a person must approve it first"),
    "expired": (409, "the proposal (or offer) expired; nothing was signed"),
    "stale": (409, "the chain changed since the proposal was judged; propose it again"),
    "tampered": (409, "the stored plan or approval is not what was judged; never signed"),
    "conflict": (409, "the proposal's status does not allow this"),
    "forged": (400, "an offer whose signature is not its proposer's"),
    "replayed": (409, "an offer that was already used"),
    "mismatch": (409, "the job on-chain is not what the agreed offer said"),
    "chain_unreachable": (502, "a chain's RPC endpoint cannot be reached or serves another "
                               "chain"),
    "cannot_sign": (503, "this server has no wallet passphrase, so it cannot sign"),
    "internal": (500, "a bug; the server's log has the details"),
}

# Most specific first: the first class an error is an instance of gives its code. Each class is
# named by its module, which this module never imports (proposals, the guard and commerce pull in
# web3 and the chains): an error can only be an instance of a class whose module is loaded.
_BY_CLASS: tuple[tuple[str, str, str], ...] = (
    ("steward.proposals", "ProposalNotFound", "not_found"),
    ("steward.proposals", "ProposalError", "conflict"),
    ("steward.errors", "UnknownNameError", "unknown_name"),
    ("steward.errors", "InsufficientFundsError", "insufficient_funds"),
    ("steward.errors", "ChainConnectionError", "chain_unreachable"),
    ("steward.errors", "WalletError", "wallet_error"),
    ("steward.guard.mandate", "MandateError", "invalid_mandate"),
    ("steward.guard.verdict", "GuardRefusal", "denied"),
    ("steward.guard.payments", "PaymentRefused", "denied"),
    ("steward.errors", "TransactionFailed", "transaction_failed"),
    ("steward.commerce.errors", "ExpiredOffer", "expired"),
    ("steward.commerce.errors", "ForgedOffer", "forged"),
    ("steward.commerce.errors", "ReplayedOffer", "replayed"),
    ("steward.commerce.errors", "OfferRejected", "invalid_input"),
    ("steward.commerce.errors", "OutsideMandate", "denied"),
    ("steward.commerce.errors", "JobMismatch", "mismatch"),
    ("steward.commerce.errors", "CommerceError", "invalid_input"),
    ("requests", "RequestException", "chain_unreachable"),
)


def _loaded_classes() -> Iterator[tuple[type[BaseException], str]]:
    """`_BY_CLASS`'s classes whose modules are loaded, in order, with their codes."""
    for module_name, class_name, code in _BY_CLASS:
        module = sys.modules.get(module_name)
        if module is not None:
            yield getattr(module, class_name), code


def is_request_error(exc: BaseException) -> bool:
    """Whether `exc` is a lost or failed HTTP request (`requests` loaded only by whoever sends
    one, so an error from a process that sent none is not one)."""
    loaded = sys.modules.get("requests")
    return loaded is not None and isinstance(exc, loaded.RequestException)


class ErrorBody(BaseModel):
    code: str = Field(description="Stable error code: " + ", ".join(CODES) + ".")
    message: str = Field(description="What was wrong and what is valid.")


class ErrorOut(BaseModel):
    error: ErrorBody


class ServiceError(StewardError):
    """A StewardError with its stable code; `status` is the code's HTTP status."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown service error code {code!r}")
        super().__init__(message)
        self.code, self.message = code, message

    @property
    def status(self) -> int:
        return http_status(self.code)

    def body(self) -> ErrorOut:
        return ErrorOut(error=ErrorBody(code=self.code, message=self.message))


def http_status(code: str) -> int:
    return CODES.get(code, CODES["internal"])[0]


def error_code(exc: BaseException) -> str:
    """The stable code of any error a face may see."""
    if isinstance(exc, ServiceError):
        return exc.code
    for cls, code in _loaded_classes():
        if isinstance(exc, cls):
            return code
    return "invalid_input" if isinstance(exc, StewardError) else "internal"


def lost_connection(exc: requests.RequestException) -> str:
    url = getattr(exc.request, "url", None) or "the RPC endpoint"
    return (f"lost the connection to {url} ({type(exc).__name__}); the journal shows what was "
            "sent")


def as_service_error(exc: BaseException) -> ServiceError:
    """`exc` as a ServiceError (itself when it is one); a bug becomes `internal` without its
    text, which may hold internals."""
    if isinstance(exc, ServiceError):
        return exc
    if is_request_error(exc):
        return ServiceError("chain_unreachable", lost_connection(exc))
    if isinstance(exc, StewardError):
        return ServiceError(error_code(exc), str(exc))
    return ServiceError("internal", f"internal error ({type(exc).__name__}); the log has the "
                                    "details")


_F = TypeVar("_F", bound=Callable[..., Any])


def translated(fn: _F) -> _F:
    """Every StewardError (and lost RPC connection) out of `fn` becomes a ServiceError with
    its code; the original stays as its `__cause__`."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError:
            raise
        except Exception as exc:
            if not (isinstance(exc, StewardError) or is_request_error(exc)):
                raise
            raise as_service_error(exc) from exc
    return run  # type: ignore[return-value]


__all__ = ["CODES", "ErrorBody", "ErrorOut", "ServiceError", "as_service_error", "error_code",
           "http_status", "is_request_error", "lost_connection", "translated"]
