"""What a contract's runtime code says without running it: dispatched selectors, opcodes, the
EIP-1167 minimal-proxy pattern, and address constants (PUSH20 / immutables)."""

from __future__ import annotations

from eth_utils import to_checksum_address
from pydantic import BaseModel

MINIMAL_PROXY_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
MINIMAL_PROXY_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")

class Bytecode(BaseModel):
    selectors: set[str]
    opcodes: set[int]
    minimal_proxy_target: str | None = None
    size: int = 0


def code_end(code: bytes) -> int:
    """Where executable code ends: drop the Solidity CBOR metadata, or, for Vyper ≥ 0.4, keep
    only the runtime size its metadata records (the data section and jump tables follow)."""
    if len(code) < 4:
        return len(code)
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length == 0 or start < 0:
        return len(code)
    head = code[start]
    if head in (0xA1, 0xA2, 0xA3):  # Solidity: a CBOR map {ipfs/bzzr, solc}
        return start
    if head in (0x83, 0x84, 0x85):  # Vyper 0.4: [runtime size, data sizes, immutables, {vyper}]
        kind = code[start + 1]
        if kind < 0x18:
            size = kind
        elif kind in (0x18, 0x19, 0x1A):
            width = {0x18: 1, 0x19: 2, 0x1A: 4}[kind]
            size = int.from_bytes(code[start + 2:start + 2 + width], "big")
        else:
            return start
        return min(size, start)
    return len(code)


def analyse_bytecode(code: bytes) -> Bytecode:
    """Linear sweep over the executable part: PUSH4 immediates and opcodes, skipping PUSH data."""
    selectors: set[str] = set()
    opcodes: set[int] = set()
    end = code_end(code)
    i = 0
    while i < end:
        op = code[i]
        opcodes.add(op)
        if 0x60 <= op <= 0x7F:
            width = op - 0x5F
            if width == 4 and i + 5 <= end:
                selectors.add(code[i + 1:i + 5].hex())
            i += width
        i += 1
    target = None
    if code.startswith(MINIMAL_PROXY_PREFIX) and code[30:45] == MINIMAL_PROXY_SUFFIX:
        target = to_checksum_address(code[10:30])
    return Bytecode(selectors=selectors, opcodes=opcodes, minimal_proxy_target=target,
                    size=len(code))

