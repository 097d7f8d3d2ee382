"""One error vocabulary for every face: a stable code, its HTTP status, and the message.

The layers below raise `StewardError` subclasses whose message says what was wrong and what is
valid. The service gives each a code that does not change with the wording: the API answers
`{"error": {"code", "message"}}` with the code's HTTP status, the MCP server returns the same
object as the error's structured content, and the CLI prints the message and exits non-zero.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import requests
from pydantic import BaseModel, Field

from steward.commerce.errors import (CommerceError, ExpiredOffer, ForgedOffer, JobMismatch,
                                     OfferRejected, OutsideMandate, ReplayedOffer)
from steward.errors import (ChainConnectionError, InsufficientFundsError, StewardError,
                            TransactionFailed, UnknownNameError, WalletError)
from steward.guard.mandate import MandateError
from steward.guard.verdict import GuardRefusal
from steward.proposals import ProposalError, ProposalNotFound

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

# Most specific first: the first class an error is an instance of gives its code.
_BY_CLASS: tuple[tuple[type[BaseException], str], ...] = (
    (ProposalNotFound, "not_found"),
    (ProposalError, "conflict"),
    (UnknownNameError, "unknown_name"),
    (InsufficientFundsError, "insufficient_funds"),
    (ChainConnectionError, "chain_unreachable"),
    (WalletError, "wallet_error"),
    (MandateError, "invalid_mandate"),
    (GuardRefusal, "denied"),
    (TransactionFailed, "transaction_failed"),
    (ExpiredOffer, "expired"),
    (ForgedOffer, "forged"),
    (ReplayedOffer, "replayed"),
    (OfferRejected, "invalid_input"),
    (OutsideMandate, "denied"),
    (JobMismatch, "mismatch"),
    (CommerceError, "invalid_input"),
    (requests.RequestException, "chain_unreachable"),
)


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
    for cls, code in _BY_CLASS:
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
    if isinstance(exc, requests.RequestException):
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
        except (StewardError, requests.RequestException) as exc:
            raise as_service_error(exc) from exc
    return run  # type: ignore[return-value]


__all__ = ["CODES", "ErrorBody", "ErrorOut", "ServiceError", "as_service_error", "error_code",
           "http_status", "lost_connection", "translated"]
