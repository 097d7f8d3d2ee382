"""Pay per request for every face: pay for a resource within the `[payments]` mandate, list and
reconcile payments, and run Steward's own checks as an x402 seller (with a loopback facilitator)
on a sandbox chain. The faces read passphrases and hand them over."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException

from steward.errors import StewardError
from steward.service.errors import ServiceError, translated

# Prices of Steward's checks, in USDC base units (6 decimals).
CHECK_PRICES = {
    "GET /checks/token/*": (10_000, "Steward token report: honeypot, taxes, owner powers"),
    "GET /checks/address/*": (5_000, "Steward address report: what it is, look-alikes, poisoning"),
    "GET /checks/link": (2_000, "Steward link report: phishing, look-alike domains, redirects"),
}
PAY_ASSET = "USDC"


def _payer(wallet: str | None, passphrase: str):
    from steward.accounts.store import guarded_account
    from steward.execution import Executor
    from steward.payments.payer import Payer, cancel_on_chain
    from steward.service.wallets import resolve_wallet, wallet_address
    from steward.wallets import WalletStore

    name = resolve_wallet(wallet)
    store = WalletStore()
    account = store.unlock(name, passphrase)  # a wrong passphrase fails here, before anything
    for chain in _payment_chains(name):
        if guarded_account(name, chain) is not None:
            raise ServiceError("wallet_error",
                               f"wallet {name} keeps its funds on {chain} in a guarded account "
                               "(a contract); x402 exact payments are signed by a plain key, so "
                               "pay from a wallet without one on that chain")

    def cancel(payment):
        return cancel_on_chain(payment, account, Executor(account, name))

    return Payer(name, wallet_address(name), lambda: account, cancel=cancel)


def _payment_chains(wallet: str) -> list[str]:
    from steward.guard.payment_mandate import load_payments_mandate

    try:
        return load_payments_mandate(wallet).networks
    except StewardError:
        return []


@translated
def pay(url: str, passphrase: str, wallet: str | None = None, payment_id: str | None = None):
    """GET `url`, paying for it if it asks (HTTP 402) and the mandate allows; the outcome."""
    import httpx

    from steward.guard.payment_mandate import merchant_origin

    try:
        origin = merchant_origin(url)
    except ValueError as exc:
        raise ServiceError("invalid_input", f"url {exc}") from None
    payer = _payer(wallet, passphrase)
    try:
        return payer.fetch(url, payment_id)
    except httpx.HTTPError as exc:  # only the first, unpaid request can fail this way
        raise ServiceError("invalid_input", f"could not fetch {origin} "
                                            f"({type(exc).__name__}); nothing was paid") from None
    except ValueError as exc:  # a merchant's malformed 402 (x402 could not parse its offer)
        raise ServiceError("invalid_input", f"{origin} answered 402 with an offer that is not "
                                            f"valid x402 ({type(exc).__name__}); nothing was "
                                            "paid") from None


@translated
def reconcile_payments(passphrase: str, wallet: str | None = None):
    """Settle every open payment's record against the chain (cancelling unsettled ones)."""
    return _payer(wallet, passphrase).reconcile_open()


@translated
def list_payments(wallet: str | None = None, limit: int = 50):
    from steward.payments.ledger import PaymentLedger
    from steward.payments.payer import describe
    from steward.service.wallets import resolve_wallet

    return [describe(p) for p in PaymentLedger().list(resolve_wallet(wallet), limit=limit)]


@translated
def payments_mandate(wallet: str | None = None):
    from steward.guard.payment_mandate import load_payments_mandate
    from steward.service.wallets import resolve_wallet

    return load_payments_mandate(resolve_wallet(wallet))


# ---- selling ------------------------------------------------------------------------------

def checks_router() -> APIRouter:
    """Steward's token, address and link checks as JSON endpoints (what the seller sells)."""
    from steward.payments import chain_turn
    from steward.service import checks

    router = APIRouter()

    def run(check, *args):
        try:
            with chain_turn():
                return check(*args).model_dump(mode="json")
        except StewardError as exc:  # a bad request: the middleware does not settle it
            raise HTTPException(400, str(exc)) from None

    @router.get("/checks/token/{address}")
    def token(address: str, chain: str | None = None):
        return run(checks.check_token, address, chain)

    @router.get("/checks/address/{address}")
    def address(address: str, chain: str | None = None):
        return run(checks.check_address, address, chain)

    @router.get("/checks/link")
    def link(url: str):
        return run(checks.check_url, url)

    return router


@dataclass
class Merchant:
    """A running seller and its facilitator on loopback."""

    url: str  # the seller's base URL
    facilitator_url: str
    pay_to: str
    chain: str
    seller_app: object
    facilitator_app: object


@contextmanager
def sandbox_merchant(pay_to: str, chain: str = "sandbox-l1", *, settle_delay: float = 0.0,
                     facilitator_timeout: float = 10.0, port: int | None = None
                     ) -> Iterator[Merchant]:
    """Steward's checks for sale on `chain`, paid in its USDC to `pay_to`, with a loopback
    facilitator whose gas the sandbox operator funds; both stop when the block ends."""
    from steward.chains import chain_config, connect
    from steward.chains.embedded import dev_account
    from steward.payments import chain_turn
    from steward.payments.facilitator import FACILITATOR_ACCOUNT_INDEX, facilitator_app
    from steward.payments.loopback import LoopbackServer
    from steward.payments.seller import Price, seller_app
    from steward.protocols import erc20
    from steward.sandbox import SandboxBuilder

    config = chain_config(chain)
    account = dev_account(FACILITATOR_ACCOUNT_INDEX)
    with chain_turn():
        SandboxBuilder().top_up(config, account.address, "the x402 facilitator")
        w3 = connect(config)
        usdc = config.tokens[PAY_ASSET]
        token = w3.eth.contract(address=usdc, abi=_DOMAIN_ABI)
        domain = (token.functions.name().call(), token.functions.version().call())
        erc20.registry_token(w3, config, PAY_ASSET)
    facilitator = facilitator_app(config, account, settle_delay=settle_delay)
    with LoopbackServer(facilitator) as served_facilitator:
        prices = {pattern: Price(amount, text) for pattern, (amount, text) in CHECK_PRICES.items()}
        seller = seller_app(config, pay_to=pay_to, asset=usdc, asset_domain=domain,
                            facilitator_url=served_facilitator.url, router=checks_router(),
                            prices=prices, facilitator_timeout=facilitator_timeout)
        with LoopbackServer(seller, port) as served_seller:
            yield Merchant(url=served_seller.url, facilitator_url=served_facilitator.url,
                           pay_to=pay_to, chain=config.name, seller_app=seller,
                           facilitator_app=facilitator)


_DOMAIN_ABI = [
    {"name": "name", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"name": "version", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
]

__all__ = ["CHECK_PRICES", "Merchant", "checks_router", "list_payments", "pay",
           "payments_mandate", "reconcile_payments", "sandbox_merchant"]
