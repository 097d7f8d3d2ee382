"""A loopback x402 facilitator that verifies and settles exact-EVM payments on a Steward chain.

The protocol work is the official `x402` package's: `x402FacilitatorSync` with its exact-EVM
facilitator scheme (signature, amount, recipient, window and nonce checks, a simulated transfer,
then `transferWithAuthorization` and a check of the receipt's Transfer event). What is Steward's
is the chain connection: `ChainSigner` is x402's own `FacilitatorWeb3Signer` pointed at Steward's
`Web3` for the chain (embedded py-evm or an RPC node), every call inside `chain_turn()`.

The facilitator pays gas from its own sandbox account; it moves no one's money but what a payer
signed. `settle_delay` holds the answer after the chain confirmed, to reproduce a facilitator
whose client timed out while the chain settled (coinbase/x402 #1062).

HTTP: `GET /supported`, `POST /verify`, `POST /settle`, bodies as x402's HTTPFacilitatorClient
sends them (`x402Version`, `paymentPayload`, `paymentRequirements`).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import FastAPI, HTTPException
from x402 import x402FacilitatorSync
from x402.mechanisms.evm.exact.facilitator import ExactEvmScheme
from x402.mechanisms.evm.signers import FacilitatorWeb3Signer
from x402.schemas import PaymentPayload, PaymentRequirements

from steward.chains import connect
from steward.chains.config import ChainConfig
from steward.payments import chain_turn, network_id

SETTLE_GAS_LIMIT = 200_000
CONFIRMATION_TIMEOUT = 30.0
# The sandbox account the facilitator sends from (the development mnemonic's; sandbox money only).
FACILITATOR_ACCOUNT_INDEX = 7


class ChainSigner(FacilitatorWeb3Signer):
    """x402's web3 facilitator signer on Steward's connection to `chain`."""

    def __init__(self, account, chain: ChainConfig, settle_delay: float = 0.0):
        # FacilitatorWeb3Signer's own fields, with Steward's Web3 instead of an HTTP provider.
        self._account = account
        self._w3 = connect(chain)
        self._confirmation_timeout_seconds = CONFIRMATION_TIMEOUT
        self._gas_limit = SETTLE_GAS_LIMIT
        self._chain_id = None
        self._nonce_lock = threading.Lock()
        self._next_nonce = None
        self.settle_delay = settle_delay
        self.settled: list[str] = []  # transaction hashes, in order

    def get_chain_id(self) -> int:
        with chain_turn():
            return super().get_chain_id()

    def read_contract(self, *args: Any) -> Any:
        with chain_turn():
            return super().read_contract(*args)

    def verify_typed_data(self, *args: Any) -> bool:
        with chain_turn():
            return super().verify_typed_data(*args)

    def write_contract(self, *args: Any, **kwargs: Any) -> str:
        with chain_turn():
            return super().write_contract(*args, **kwargs)

    def send_transaction(self, to: str, data: bytes) -> str:
        with chain_turn():
            return super().send_transaction(to, data)

    def wait_for_transaction_receipt(self, tx_hash: str):
        with chain_turn():
            receipt = super().wait_for_transaction_receipt(tx_hash)
        self.settled.append(receipt.tx_hash)
        if self.settle_delay:  # the chain confirmed; the answer is late (x402 #1062)
            time.sleep(self.settle_delay)
        return receipt

    def get_balance(self, address: str, token_address: str) -> int:
        with chain_turn():
            return super().get_balance(address, token_address)

    def get_code(self, address: str) -> bytes:
        with chain_turn():
            return super().get_code(address)


def facilitator_app(chain: ChainConfig, account, *, settle_delay: float = 0.0) -> FastAPI:
    """The facilitator's HTTP app for one chain; `app.state.signer` is its `ChainSigner`."""
    signer = ChainSigner(account, chain, settle_delay)
    facilitator = x402FacilitatorSync()
    facilitator.register([network_id(chain)], ExactEvmScheme(signer))
    app = FastAPI(title="Steward sandbox x402 facilitator", docs_url=None, redoc_url=None)
    app.state.signer = signer

    def parsed(body: dict[str, Any]) -> tuple[PaymentPayload, PaymentRequirements]:
        try:
            return (PaymentPayload.model_validate(body["paymentPayload"]),
                    PaymentRequirements.model_validate(body["paymentRequirements"]))
        except Exception as exc:
            raise HTTPException(400, f"not an x402 v2 verify/settle body: {type(exc).__name__}")

    @app.get("/supported")
    def supported() -> dict:
        return facilitator.get_supported().model_dump(by_alias=True, exclude_none=True)

    @app.post("/verify")
    def verify(body: dict[str, Any]) -> dict:
        payload, requirements = parsed(body)
        return facilitator.verify(payload, requirements).model_dump(by_alias=True,
                                                                    exclude_none=True)

    @app.post("/settle")
    def settle(body: dict[str, Any]) -> dict:
        payload, requirements = parsed(body)
        return facilitator.settle(payload, requirements).model_dump(by_alias=True,
                                                                    exclude_none=True)

    return app


__all__ = ["FACILITATOR_ACCOUNT_INDEX", "ChainSigner", "facilitator_app"]
