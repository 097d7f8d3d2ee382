"""Revert data in words: `Error(string)`, `Panic(uint256)` with its meaning, and custom errors
by name and arguments, from the ABIs Steward knows and the standard token errors.

Revert data is written by whoever wrote the contract: a decoded reason is outside text, to be
shown escaped like any other."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from eth_utils.abi import collapse_if_tuple

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256), Solidity >= 0.8
# What the Solidity compiler means by each panic code.
PANIC_MEANINGS = {
    0x00: "a generic compiler panic",
    0x01: "an assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "a value out of range for an enum",
    0x22: "a corrupt storage byte array",
    0x31: "pop() on an empty array",
    0x32: "an array index out of bounds",
    0x41: "too much memory allocated",
    0x51: "a call to an uninitialised internal function",
}
# Custom errors every token and owned contract may raise (OpenZeppelin 5's standard errors).
STANDARD_ERRORS = (
    "ERC20InsufficientBalance(address sender,uint256 balance,uint256 needed)",
    "ERC20InvalidSender(address sender)",
    "ERC20InvalidReceiver(address receiver)",
    "ERC20InsufficientAllowance(address spender,uint256 allowance,uint256 needed)",
    "ERC20InvalidApprover(address approver)",
    "ERC20InvalidSpender(address spender)",
    "ERC721NonexistentToken(uint256 tokenId)",
    "ERC721IncorrectOwner(address sender,uint256 tokenId,address owner)",
    "ERC721InsufficientApproval(address operator,uint256 tokenId)",
    "OwnableUnauthorizedAccount(address account)",
    "OwnableInvalidOwner(address owner)",
    "EnforcedPause()",
    "ExpectedPause()",
    "ReentrancyGuardReentrantCall()",
    "SafeERC20FailedOperation(address token)",
    "AddressEmptyCode(address target)",
    "FailedCall()",
)
_SHOWN_BYTES = 64


def _error_entry(signature: str) -> dict[str, Any]:
    name, _, rest = signature.partition("(")
    inputs = []
    for part in filter(None, rest.rstrip(")").split(",")):
        kind, _, arg = part.strip().partition(" ")
        inputs.append({"type": kind, "name": arg})
    return {"type": "error", "name": name, "inputs": inputs}


@lru_cache(maxsize=1)
def known_errors() -> dict[bytes, dict[str, Any]]:
    """selector → error ABI entry: the standard errors, then every error in the ABIs of the
    contracts Steward compiles (Vyper has no custom errors, so the Solidity ones: the zoo and
    the Chainlink feeds and the sandbox DAO's OpenZeppelin Governor). A contract that cannot
    be compiled here is skipped."""
    from steward.contracts import abi, chainlink_names, dao_names, zoo_names

    entries = [_error_entry(signature) for signature in STANDARD_ERRORS]
    for name in zoo_names() + chainlink_names() + dao_names():
        try:
            entries += [item for item in abi(name) if item.get("type") == "error"]
        except Exception:
            continue
    table: dict[bytes, dict[str, Any]] = {}
    for entry in entries:
        types = [collapse_if_tuple(item) for item in entry.get("inputs", [])]
        selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
        table.setdefault(selector, entry)
    return table


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        return to_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    return str(value)


def _hex(data: bytes) -> str:
    text = data[:_SHOWN_BYTES].hex()
    return "0x" + text + ("…" if len(data) > _SHOWN_BYTES else "")


def describe(data: bytes) -> str:
    """The revert data in words (`decode_revert`)."""
    if not data:
        return "reverted without a reason"
    selector, body = data[:4], data[4:]
    try:
        if selector == ERROR_SELECTOR:
            return abi_decode(["string"], body)[0]
        if selector == PANIC_SELECTOR:
            code = abi_decode(["uint256"], body)[0]
            meaning = PANIC_MEANINGS.get(code, "a panic code Solidity does not define")
            return f"panic 0x{code:02x}: {meaning}"
    except Exception:
        return f"reverted with malformed data {_hex(data)}"
    entry = known_errors().get(selector) if len(data) >= 4 else None
    if entry is None:
        return (f"reverted with custom error 0x{selector.hex()} (not in the ABIs Steward "
                f"knows), data {_hex(data)}")
    inputs = entry.get("inputs", [])
    try:
        values = abi_decode([collapse_if_tuple(item) for item in inputs], body)
    except Exception:
        return f"reverted with {entry['name']}(…) whose data does not decode: {_hex(data)}"
    args = ", ".join(f"{item.get('name') or f'arg{index}'}={_shown(value)}"
                     for index, (item, value) in enumerate(zip(inputs, values)))
    return f"custom error {entry['name']}({args})"


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert data a node's error carries, where it can be had: web3's `data` (hex, from
    JSON-RPC nodes: ContractLogicError, ContractPanicError, ContractCustomError), or the bytes
    the embedded chain's eth-tester puts in its message (`b'NH{q…'`)."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str):
        text = data.removeprefix("Reverted ").strip()
        if re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", text):
            return bytes.fromhex(text[2:])
    message = getattr(exc, "message", None) or (str(exc.args[0]) if exc.args else "")
    message = message.removeprefix("execution reverted: ").strip()
    if re.fullmatch(r"b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\"", message, re.DOTALL):
        try:
            value = ast.literal_eval(message)  # a bytes literal only: never code
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, bytes) else None
    return None


def revert_text(exc: BaseException) -> str:
    """The reason a node's revert error carries: its data decoded where it can be had, else
    the message without web3's "execution reverted" prefix."""
    data = revert_data(exc)
    if data is not None:
        return describe(data)
    message = getattr(exc, "message", None) or str(exc)
    reason = message.removeprefix("execution reverted: ").removeprefix("execution reverted")
    return reason.removeprefix(":").strip() or "reverted without a reason"


__all__ = ["PANIC_MEANINGS", "STANDARD_ERRORS", "describe", "known_errors", "revert_data",
           "revert_text"]
