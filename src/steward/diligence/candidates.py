"""Where a token may keep the addresses that hold power over it.

Real rug pulls hide their privileged addresses where a getter-and-first-slots scan never looks:
packed into a storage slot beside other fields (`uint64 launchedAt; address taxWallet;`), held
as immutables or constants in the runtime code, or only passed as constructor arguments. Each
function here lists the address-shaped values of one such place; the probe tries them all as
callers and judges each by what its calls do, so a wrong guess costs time, never a verdict.
"""

from __future__ import annotations

import re

from eth_utils import to_checksum_address

from steward.diligence.bytecode import code_end

ADDRESS_MASK = 2**160 - 1
# An address-shaped value: not a small number (an amount, a timestamp, a flag)...
MIN_ADDRESS = 2**120
# ...and, when cut out of a packed slot or a code constant, not riddled with zero bytes the way
# two neighbouring small fields are (real addresses have about 0.08 zero bytes in 20).
MAX_ZERO_BYTES = 3
PACKED_WINDOWS_KEPT = 2
PADDED_WORD = re.compile(rb"\x00{12}(?=([^\x00][\s\S]{19}))")
PUSH20 = 0x73
PUSH32 = 0x7F


def _plausible(value: int, strict: bool) -> bool:
    if not MIN_ADDRESS < value <= ADDRESS_MASK:
        return False
    raw = value.to_bytes(20, "big")
    if all(0x20 <= byte < 0x7F for byte in raw):
        return False  # text (an error message pushed as a constant), not an address
    return not strict or raw.count(0) <= MAX_ZERO_BYTES


def unpack_word(word: int) -> list[str]:
    """Address-shaped values in one storage word: an address alone in its slot; or, in a slot
    that packs several fields, the byte windows where an address could sit, the two with the
    fewest zero bytes (a window that straddles two small fields is full of them)."""
    if word >> 160 == 0:
        low = word & ADDRESS_MASK
        return [to_checksum_address(low.to_bytes(20, "big"))] if _plausible(low, False) else []
    windows = []
    for offset in range(0, 13):
        value = (word >> (8 * offset)) & ADDRESS_MASK
        if _plausible(value, strict=True):
            windows.append((value.to_bytes(20, "big").count(0), offset, value))
    return [to_checksum_address(value.to_bytes(20, "big"))
            for _zeros, _offset, value in sorted(windows)[:PACKED_WINDOWS_KEPT]]


def code_addresses(code: bytes) -> list[str]:
    """Addresses written into runtime code: PUSH20 constants, PUSH32 words with twelve leading
    zero bytes (how Solidity places an immutable address), and such words in the data after
    the executable part (where Vyper keeps its immutables). Executable bytes are never read as
    data: a PUSH's immediate is skipped by the sweep."""
    found: list[str] = []

    def take(raw: bytes) -> None:
        value = int.from_bytes(raw, "big")
        if _plausible(value, strict=True):
            address = to_checksum_address(raw)
            if address not in found:
                found.append(address)

    end = code_end(code)
    i = 0
    while i < end:
        op = code[i]
        if op == PUSH20 and i + 21 <= end:
            take(code[i + 1:i + 21])
        elif op == PUSH32 and i + 33 <= end and code[i + 1:i + 13] == b"\x00" * 12:
            take(code[i + 13:i + 33])
        i += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    for match in PADDED_WORD.finditer(code, end):
        take(match.group(1))
    return found


def argument_addresses(creation_input: bytes, runtime_size: int) -> list[str]:
    """Address words among a deployment's constructor arguments: the ABI-encoded tail after
    the creation code (the last words of the input, as many as are not runtime code)."""
    tail = creation_input[-min(len(creation_input), 32 * 16):] if creation_input else b""
    if runtime_size and len(creation_input) <= runtime_size:
        return []
    found: list[str] = []
    for start in range(len(tail) % 32, len(tail) - 31, 32):
        word = tail[start:start + 32]
        value = int.from_bytes(word, "big")
        if word[:12] == b"\x00" * 12 and _plausible(value, strict=False):
            candidate = to_checksum_address(word[12:])
            if candidate not in found:
                found.append(candidate)
    return found


__all__ = ["argument_addresses", "code_addresses", "unpack_word"]
