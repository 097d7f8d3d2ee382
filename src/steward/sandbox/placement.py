"""Contracts at fixed addresses: the sandbox mirrors mainnet's (WETH, USDC, Uniswap's factories
and routers), so the same adapters and addresses work offline and on the real chains.

`place(w3, chain, address, initcode, ...)` makes the account at `address` hold exactly the code
and storage that running `initcode`'s constructor *at that address*, sent by the sandbox
operator, produces, so immutables that capture ``address(this)`` (UniswapV3Factory's
NoDelegateCall ``original``) are right. It never overwrites: an address that already holds code
is left as it is (and reported so). This is a test-world tool, for development chains only:

- embedded py-evm: the creation message runs with py-evm at the target address on the pending
  state (`EmbeddedChain.mine_state_change`), and lands in a mined block that persists to the
  SQLite store like every other block. No transaction is signed; the operator's nonce and
  balance do not change.
- an RPC development node (anvil): the operator deploys normally (through the guard and the
  executor, `deploy`), the new contract's storage is read with ``debug_traceTransaction``
  (``prestateTracer`` in diff mode), the temporary address is replaced by the target in the
  runtime code (immutables) and in storage values, and ``anvil_setCode`` /
  ``anvil_setStorageAt`` / ``anvil_setNonce`` write the result at the target; it is read back
  and compared, and the temporary copy's code is removed so no second instance answers.
  Storage *keys* derived from the contract's own address cannot be relocated this way, nor
  effects on other accounts, so a constructor that writes another contract's storage is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.vm.message import Message
from eth_utils import to_canonical_address, to_checksum_address
from web3 import Web3

from steward.chains.backend import EmbeddedBackend, backend_for
from steward.chains.config import ChainConfig
from steward.errors import StewardError

# Gas for an embedded creation message: nobody pays for it, it only bounds the constructor.
PLACEMENT_GAS = 30_000_000
DIFF_TRACER = {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}

Deploy = Callable[[bytes], Any]  # initcode -> a StepResult (tx_hash, contract_address)


def place(w3: Web3, chain: ChainConfig, address: str, initcode: bytes, *, sender: str,
          deploy: Deploy | None = None, label: str = "contract",
          progress: Callable[[str], None] = lambda message: None) -> bool:
    """Put the contract `initcode` creates at `address`; False (and nothing done) when code is
    there already. `sender` is the constructor's msg.sender; `deploy` (RPC nodes only) sends
    the initcode as an ordinary deployment and returns its StepResult."""
    address = to_checksum_address(address)
    if w3.eth.get_code(address):
        progress(f"{chain.name}: {label} already at {address}, nothing placed")
        return False
    if isinstance(backend_for(chain), EmbeddedBackend):
        _place_embedded(w3, address, initcode, sender)
    else:
        if deploy is None:
            raise StewardError(f"placing {label} on {chain.name} needs a deploy function")
        _place_rpc(w3, chain, address, deploy(initcode))
    if not w3.eth.get_code(address):
        raise StewardError(f"{chain.name}: placing {label} at {address} left no code there")
    progress(f"{chain.name}: placed {label} at {address}")
    return True


def _place_embedded(w3: Web3, address: str, initcode: bytes, sender: str) -> None:
    embedded = getattr(w3.provider, "embedded_chain", None)
    if embedded is None:
        raise StewardError("an embedded chain's Web3 was expected")
    origin = to_canonical_address(sender)

    def create(state) -> None:
        message = Message(gas=PLACEMENT_GAS, to=CREATE_CONTRACT_ADDRESS, sender=origin, value=0,
                          data=b"", code=initcode, create_address=to_canonical_address(address))
        context = state.get_transaction_context_class()(gas_price=0, origin=origin)
        computation = state.computation_class.apply_create_message(state, message, context)
        if computation.is_error:
            raise StewardError(f"the constructor for {address} failed: {computation.error!r}")
        if not computation.output:
            raise StewardError(f"the constructor for {address} returned no code")

    embedded.mine_state_change(create)


def _rpc(w3: Web3, method: str, params: list) -> Any:
    """A raw JSON-RPC call (development-node methods web3.py does not wrap)."""
    answer = w3.provider.make_request(method, params)
    if "error" in answer:
        raise StewardError(f"{method} failed: {answer['error'].get('message', answer['error'])}")
    return answer["result"]


def _relocate(hex_value: str, old: bytes, new: bytes) -> str:
    raw = bytes.fromhex(hex_value.removeprefix("0x")).rjust(32, b"\0")
    return "0x" + raw.replace(old, new).hex()


def _place_rpc(w3: Web3, chain: ChainConfig, address: str, step: Any) -> None:
    temporary = to_checksum_address(step.contract_address)
    trace = _rpc(w3, "debug_traceTransaction", [step.tx_hash, DIFF_TRACER])
    post = {to_checksum_address(account): state for account, state in trace["post"].items()}
    created = post.get(temporary)
    if created is None:
        raise StewardError(f"{chain.name}: the trace of {step.tx_hash} does not show {temporary}")
    if any(state.get("storage") for account, state in post.items() if account != temporary):
        raise StewardError(f"{chain.name}: the constructor at {temporary} wrote other contracts' "
                           "storage, which cannot be moved to another address")
    old, new = to_canonical_address(temporary), to_canonical_address(address)
    code = bytes(w3.eth.get_code(temporary)).replace(old, new)
    storage = {slot: _relocate(value, old, new)
               for slot, value in (created.get("storage") or {}).items()}
    _rpc(w3, "anvil_setCode", [address, "0x" + code.hex()])
    for slot, value in storage.items():
        _rpc(w3, "anvil_setStorageAt", [address, slot, value])
    _rpc(w3, "anvil_setNonce", [address, hex(int(str(created.get("nonce", 1)), 0))])
    if bytes(w3.eth.get_code(address)) != code or any(
            bytes(w3.eth.get_storage_at(address, int(slot, 16))).rjust(32, b"\0")
            != bytes.fromhex(value[2:]) for slot, value in storage.items()):
        raise StewardError(f"{chain.name}: {address} does not read back what was placed")
    _rpc(w3, "anvil_setCode", [temporary, "0x"])


__all__ = ["place"]
