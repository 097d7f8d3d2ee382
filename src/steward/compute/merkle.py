"""Merkle commitments of a job's rows (or items), in the exact format `ComputeMarket.vy` checks.

A leaf commits to one row with its position: ``keccak256(abi_encode(uint256 index, uint256[]
values))``, the same bytes Vyper's ``abi_encode(index, values)`` gives, so a row proven here is
the row the contract recomputes. Leaves are padded with ``bytes32(0)`` to the next power of two
and paired ``keccak256(left ++ right)``; a leaf preimage is at least 96 bytes and a node's is 64,
so neither can pass for the other. A proof lists the siblings from the leaf up; the index's bits
say on which side each one lies. A single leaf is its own root (an empty proof).

Rows are big (a 4096-wide row is 131 kB of ABI words), so the encoding is built with numpy
rather than eth_abi, and checked against eth_abi in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from eth_hash.auto import keccak

ZERO = b"\x00" * 32
WORD = 32


def _words(values: Sequence[int] | np.ndarray) -> tuple[int, bytes]:
    """(count, the values as big-endian 32-byte ABI words). A numpy array holds values below
    2**64 (matrix rows); any other sequence may hold any uint256 (hash-chain outputs)."""
    if isinstance(values, np.ndarray):
        array = np.ascontiguousarray(values, dtype=np.uint64).reshape(-1)
        out = np.zeros((array.size, WORD), dtype=np.uint8)
        out[:, WORD - 8:] = array.astype(">u8").view(np.uint8).reshape(-1, 8)
        return array.size, out.tobytes()
    return len(values), b"".join(int(value).to_bytes(WORD, "big") for value in values)


def leaf_hash(index: int, values: Sequence[int] | np.ndarray) -> bytes:
    """keccak256(abi_encode(index, values)) for a row of non-negative integers."""
    count, words = _words(values)
    head = index.to_bytes(WORD, "big") + (2 * WORD).to_bytes(WORD, "big") \
        + count.to_bytes(WORD, "big")
    return keccak(head + words)


def depth(count: int) -> int:
    """Levels above the leaves for `count` leaves (0 for a single leaf)."""
    if count < 1:
        raise ValueError("a commitment needs at least one leaf")
    return (count - 1).bit_length()


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    level = leaves + [ZERO] * ((1 << depth(len(leaves))) - len(leaves))
    levels = [level]
    while len(level) > 1:
        level = [keccak(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


class MerkleTree:
    """The tree over the rows of a matrix (or over single-value items)."""

    def __init__(self, leaves: list[bytes]):
        self.count = len(leaves)
        self._levels = _levels(list(leaves))

    @classmethod
    def of_rows(cls, rows: np.ndarray) -> "MerkleTree":
        """One leaf per row of a 2-D array."""
        return cls([leaf_hash(i, row) for i, row in enumerate(np.asarray(rows))])

    @classmethod
    def of_items(cls, items: Sequence[int]) -> "MerkleTree":
        """One single-value leaf per item (any uint256)."""
        return cls([leaf_hash(i, [int(item)]) for i, item in enumerate(items)])

    @property
    def root(self) -> bytes:
        return self._levels[-1][0]

    def proof(self, index: int) -> list[bytes]:
        if not 0 <= index < self.count:
            raise IndexError(f"leaf {index} is outside 0..{self.count - 1}")
        siblings = []
        for level in self._levels[:-1]:
            siblings.append(level[index ^ 1])
            index >>= 1
        return siblings


def verify(root: bytes, index: int, values: Sequence[int] | np.ndarray, proof: Sequence[bytes],
           count: int) -> bool:
    """Whether `values` is leaf `index` of a `count`-leaf tree with this root."""
    if not 0 <= index < count or len(proof) != depth(count):
        return False
    node = leaf_hash(index, values)
    for sibling in proof:
        node = keccak(sibling + node) if index & 1 else keccak(node + sibling)
        index >>= 1
    return node == root


__all__ = ["MerkleTree", "depth", "leaf_hash", "verify"]
