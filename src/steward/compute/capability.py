"""A timed capability challenge: does a provider have the hardware it claims?

A provider registers a claim (a hardware name and the GFLOPS it sustains). The buyer sends a
fresh random seed and a size n picked so that the claimed hardware multiplies two n×n matrices
in about `target_seconds`; the provider must return a commitment to C = A·B (A, B =
`field.inputs(seed, n)`) before a deadline that the claimed hardware meets with room to spare
(`slack` × the expected time, plus network latency) and hardware `slack` times weaker cannot.
Only after the commitment arrives does the buyer name a few random rows; the provider opens
them with proofs and the buyer recomputes each one exactly (a row of A·B is O(n²)). The seed is
fresh, so nothing can be precomputed; the rows are named late, so a provider that committed to
anything but the product is caught on each opened row it got wrong; to be right on the rows the
buyer will pick, it must have computed (nearly) all of C before the deadline.

The commitment has to be cheap next to the product it commits to, so it is not the ABI/keccak
format the contract checks (`merkle.py`) but blake2b over each row's raw little-endian uint32
bytes: leaf = blake2b(index as 8 little-endian bytes + row bytes), node = blake2b(left + right),
leaves padded with zeros to a power of two. Leaves and nodes are hashed under different blake2b
personalisations, so neither can pass for the other whatever the row length.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import numpy as np

from steward.compute.field import _matmul, inputs, matmul

DIGEST = 32
_LEAF, _NODE = b"steward-cap-leaf", b"steward-cap-node"   # blake2b person: 16 bytes at most
_ZERO = b"\x00" * DIGEST


@dataclass(frozen=True)
class Challenge:
    seed: bytes
    n: int
    deadline_seconds: float
    expected_seconds: float
    rows: int = 8                 # how many rows the buyer will open


@dataclass(frozen=True)
class CapabilityVerdict:
    passed: bool
    reason: str
    elapsed_seconds: float
    deadline_seconds: float
    n: int


def _leaf(index: int, row_bytes: bytes) -> bytes:
    return hashlib.blake2b(index.to_bytes(8, "little") + row_bytes, digest_size=DIGEST,
                           person=_LEAF).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.blake2b(left + right, digest_size=DIGEST, person=_NODE).digest()


def _row_bytes(values) -> bytes | None:
    """A row's raw little-endian uint32 bytes, or None when a value does not fit."""
    row = np.asarray(values)
    if row.ndim != 1 or not np.issubdtype(row.dtype, np.integer) \
            or (row.size and (row.min() < 0 or row.max() >= 2 ** 32)):
        return None
    return row.astype("<u4").tobytes()


def _depth(count: int) -> int:
    return (count - 1).bit_length()


class RowCommitment:
    """A blake2b Merkle tree over the rows of a result matrix, kept so rows can be opened."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = np.asarray(matrix)
        if self.matrix.ndim != 2 or self.matrix.shape[0] < 1:
            raise ValueError("a commitment is over the rows of a non-empty matrix")
        if self.matrix.size and (self.matrix.min() < 0 or self.matrix.max() >= 2 ** 32):
            raise ValueError("a committed row holds uint32 values (results are below P)")
        rows = self.matrix.astype("<u4")
        level = [_leaf(i, rows[i].tobytes()) for i in range(rows.shape[0])]
        level += [_ZERO] * ((1 << _depth(len(level))) - len(level))
        self._levels = [level]
        while len(level) > 1:
            level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
            self._levels.append(level)

    @property
    def root(self) -> bytes:
        return self._levels[-1][0]

    def open(self, index: int) -> tuple[list[int], list[bytes]]:
        """(row `index` as ints, the sibling hashes from its leaf up)."""
        if not 0 <= index < self.matrix.shape[0]:
            raise IndexError(f"row {index} is outside 0..{self.matrix.shape[0] - 1}")
        proof, position = [], index
        for level in self._levels[:-1]:
            proof.append(level[position ^ 1])
            position >>= 1
        return [int(v) for v in self.matrix[index]], proof


def verify_row(root: bytes, index: int, values, proof, n: int) -> bool:
    """Whether `values` is row `index` (of n values) of the n-row matrix committed by `root`."""
    if not 0 <= index < n or len(values) != n or len(proof) != _depth(n):
        return False
    row_bytes = _row_bytes(values)
    if row_bytes is None:
        return False
    node, position = _leaf(index, row_bytes), index
    for sibling in proof:
        if len(sibling) != DIGEST:
            return False
        node = _node(sibling, node) if position & 1 else _node(node, sibling)
        position >>= 1
    return node == root


# --- the buyer ---------------------------------------------------------------------------------
def issue(claimed_gflops: float, *, target_seconds: float = 0.5, slack: float = 3.0,
          latency_seconds: float = 0.3, n_min: int = 256, n_max: int = 4096,
          seed: bytes | None = None, rows: int = 8) -> Challenge:
    """A fresh challenge sized so the claimed hardware needs about `target_seconds`."""
    if not claimed_gflops > 0:
        raise ValueError(f"a claim needs a positive GFLOPS figure, not {claimed_gflops}")
    if slack < 1 or target_seconds <= 0 or latency_seconds < 0 or not 64 <= n_min <= n_max:
        raise ValueError("need slack ≥ 1, target_seconds > 0, latency_seconds ≥ 0 and "
                         "64 ≤ n_min ≤ n_max")
    ideal = (target_seconds * claimed_gflops * 1e9 / 2) ** (1 / 3)
    n = min(max(64 * round(ideal / 64), n_min), n_max)
    expected = 2 * n ** 3 / (claimed_gflops * 1e9)
    return Challenge(seed=seed if seed is not None else secrets.token_bytes(32), n=n,
                     deadline_seconds=expected * slack + latency_seconds,
                     expected_seconds=expected, rows=min(rows, n))


def pick_rows(n: int, count: int = 8) -> list[int]:
    """`count` distinct rows in 0..n−1, chosen with the OS's randomness (after the commitment)."""
    return secrets.SystemRandom().sample(range(n), min(count, n))


def _verdict(challenge: Challenge, elapsed: float, passed: bool, reason: str):
    return CapabilityVerdict(passed, reason, elapsed, challenge.deadline_seconds, challenge.n)


def _row_problem(challenge: Challenge, root: bytes, opened: dict, a, b) -> str | None:
    n = challenge.n
    for index in sorted(opened):
        values, proof = opened[index]
        if not verify_row(root, index, values, proof, n):
            return f"row {index}'s opening does not match the committed root (forged or altered)"
        exact = _matmul(a[index:index + 1], b, "numpy")[0]
        wrong = int(np.count_nonzero(exact != np.asarray(values, dtype=np.uint64)))
        if wrong:
            return (f"row {index} is not row {index} of A·B: {wrong} of its {n} entries are "
                    f"wrong (the commitment is not to the product)")
    return None


def check(challenge: Challenge, elapsed_seconds: float, root: bytes,
          opened: dict[int, tuple[list[int], list[bytes]]], *,
          asked: list[int] | None = None) -> CapabilityVerdict:
    """Whether the provider answered `challenge` in time with a commitment to A·B: every row in
    `asked` (or at least `challenge.rows` rows when not given) opened and exactly right."""
    def verdict(passed: bool, reason: str) -> CapabilityVerdict:
        return _verdict(challenge, elapsed_seconds, passed, reason)

    if elapsed_seconds > challenge.deadline_seconds:
        return verdict(False, f"late: the commitment came after {elapsed_seconds:.3f} s, the "
                              f"deadline was {challenge.deadline_seconds:.3f} s (the claimed "
                              f"hardware needs about {challenge.expected_seconds:.3f} s)")
    if any(not isinstance(i, (int, np.integer)) or not 0 <= i < challenge.n for i in opened):
        return verdict(False, f"a row outside 0..{challenge.n - 1} was opened")
    wanted = set(asked) if asked is not None else set()
    missing = sorted(wanted - set(opened))
    if missing or len(opened) < challenge.rows:
        return verdict(False, f"too few rows opened: {len(opened)} of the "
                              f"{max(challenge.rows, len(wanted))} asked"
                              + (f" (missing rows {missing[:8]})" if missing else ""))
    a, b = inputs(challenge.seed, challenge.n)
    problem = _row_problem(challenge, root, opened, a, b)
    if problem:
        return verdict(False, problem)
    return verdict(True, f"on time ({elapsed_seconds:.3f} s of {challenge.deadline_seconds:.3f}"
                         f" s) and all {len(opened)} opened rows are exactly right")


# --- the provider ------------------------------------------------------------------------------
def respond(seed: bytes, n: int, backend: str = "auto") -> RowCommitment:
    """Compute C = A·B for the challenge and commit to its rows."""
    a, b = inputs(seed, n)
    return RowCommitment(matmul(a, b, backend))


def measure_gflops(backend: str = "auto", n: int = 1024) -> float:
    """GFLOPS of one exact n×n product on `backend` (after a warm-up): a provider's honest
    figure; it should claim about half, to leave room for a busy moment."""
    a, b = inputs(b"steward-measure-gflops", n)
    matmul(a[:64], b, backend)                            # warm up: imports, kernels, caches
    start = time.perf_counter()
    matmul(a, b, backend)
    return 2 * n ** 3 / (time.perf_counter() - start) / 1e9


__all__ = ["CapabilityVerdict", "Challenge", "RowCommitment", "check", "issue", "measure_gflops",
           "pick_rows", "respond", "verify_row"]
