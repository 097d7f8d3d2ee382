"""Contract reads in one JSON-RPC batch where the node allows, one at a time where it does not.

Adapters that ask many pools or quoters at once (`uniswap_v3`) use `read_all`: each read's
decoded result, or the exception the contract answered with (a revert, an output that does not
decode) — never a node failure, which raises `amm.could_not_establish(what)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils.abi import (
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from steward.protocols import contract_answered
from steward.protocols.amm import could_not_establish


@dataclass(frozen=True)
class Read:
    contract: Contract
    function: str
    args: tuple = ()


_UNSET = object()


# (id of the contract's ABI, function) → (selector, input types, output types): web3 looks a
# function up in the whole ABI (hashing every entry) on each encode and decode, which costs more
# than the read itself on a local node.
_shapes: dict[tuple[int, str], tuple[bytes, dict, list[str], list[str]]] = {}


def _shape(read: Read) -> tuple[bytes, dict, list[str], list[str]]:
    key = (id(read.contract.abi), read.function)
    if key not in _shapes:
        fn_abi = read.contract.get_function_by_name(read.function).abi
        _shapes[key] = (function_abi_to_4byte_selector(fn_abi), fn_abi,
                        get_abi_input_types(fn_abi), get_abi_output_types(fn_abi))
    return _shapes[key]


def _as_tuple(value: Any, item: dict) -> Any:
    """A struct given as a dict (as web3 accepts it), in the ABI's component order."""
    if isinstance(value, dict) and "components" in item:
        return tuple(_as_tuple(value[c["name"]], c) for c in item["components"])
    return value


def _request(read: Read) -> dict[str, str]:
    selector, fn_abi, inputs, _ = _shape(read)
    args = [_as_tuple(arg, item) for arg, item in zip(read.args, fn_abi["inputs"])]
    return {"to": read.contract.address, "data": "0x" + (selector + encode(inputs, args)).hex()}


def _decoded(w3: Web3, read: Read, raw: bytes) -> Any:
    values = _checksummed(w3.codec.decode(_shape(read)[3], raw))
    return values[0] if len(values) == 1 else list(values)


def _answer(w3: Web3, read: Read, raw: bytes) -> Any:
    """The decoded output, or the exception when it does not decode as asked (an account
    without code answers nothing)."""
    try:
        return _decoded(w3, read, raw)
    except Exception as exc:
        if contract_answered(exc):
            return exc
        raise


def _read_one(w3: Web3, read: Read, block: int | str, what: str) -> Any:
    request = _request(read)  # arguments that do not encode are a bug, and raise
    try:
        raw = w3.eth.call(request, block_identifier=block)
    except Exception as exc:
        if contract_answered(exc):
            return exc
        raise could_not_establish(what, exc) from None
    return _answer(w3, read, bytes(raw))


def _batched(w3: Web3, reads: list[Read], block: int | str) -> list[Any]:
    """One JSON-RPC batch; _UNSET where an answer is neither a result nor a revert."""
    tag = hex(block) if isinstance(block, int) else block
    requests = [("eth_call", [_request(read), tag]) for read in reads]
    try:
        answers = w3.provider.make_batch_request(requests)
    except Exception:  # noqa: BLE001 — asked again one at a time, where failures surface
        return [_UNSET] * len(reads)
    if not isinstance(answers, list) or len(answers) != len(reads):
        return [_UNSET] * len(reads)
    results: list[Any] = []
    for read, answer in zip(reads, answers):
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            reverted = error.get("code") == 3 or "revert" in message.lower()
            results.append(ContractLogicError(message) if reverted else _UNSET)
        elif isinstance(answer, dict) and isinstance(answer.get("result"), str):
            try:
                raw = bytes.fromhex(answer["result"].removeprefix("0x"))
            except ValueError:
                results.append(_UNSET)
                continue
            results.append(_answer(w3, read, raw))
        else:
            results.append(_UNSET)
    return results


def _checksummed(value: Any) -> Any:
    """Addresses as web3's own calls return them."""
    if isinstance(value, (list, tuple)):
        return type(value)(_checksummed(v) for v in value)
    if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
        return Web3.to_checksum_address(value)
    return value


def read_all(w3: Web3, reads: list[Read], what: str, block: int | str = "latest") -> list[Any]:
    """Each read's result, or the exception the contract answered with (a revert, an output
    that does not decode); raises `could_not_establish(what)` when the node does not answer."""
    # Over HTTP even one read goes as a raw batch: web3's own call path asks the node for its
    # chain id before every eth_call, doubling the round trips.
    if reads and isinstance(w3.provider, HTTPProvider):
        results = _batched(w3, reads, block)
    else:
        results = [_UNSET] * len(reads)
    return [_read_one(w3, read, block, what) if result is _UNSET else result
            for read, result in zip(reads, results)]


def failed(result: Any) -> bool:
    return isinstance(result, BaseException)


__all__ = ["Read", "failed", "read_all"]
