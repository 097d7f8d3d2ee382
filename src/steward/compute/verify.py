"""The buyer's checks of a provider's result, and how many of them make cheating a losing bet.

Matrix jobs are checked with Freivalds' algorithm: for random r ∈ {0,1}^n, a right C satisfies
C·r = A·(B·r) mod P, which costs three matrix-vector products (O(n²)) instead of a product
(O(n³)). If C is wrong in row i, its error e (nonzero mod P) gives (C·r − A·B·r)_i = e·r.
Pair each r with r' = r with bit j flipped, for a coordinate j where e_j ≠ 0: e·r and e·r'
differ by ±e_j, so at most one of the pair is 0, and each round misses with probability ≤ 1/2;
a single wrong entry is missed with probability exactly 1/2 (when r_j = 0). k independent
rounds, batched as an n×k matrix so BLAS does the work, miss with probability ≤ 2^-k.

Hash-chain jobs (n items, each a keccak chain) are checked by sampled re-execution: the buyer
recomputes `s` distinct random items. If `b` items are wrong the sample misses all of them with
the hypergeometric probability C(n−b, s) / C(n, s).

The cheating model the check counts are chosen by. A provider that cheats saves at most the
price of the work: the compute it skips is worth no more than the buyer pays for it, so in the
worst case for the buyer an honest provider earns nothing over its cost and a cheater that
escapes pockets the whole price. A cheater that is caught is not paid and loses its collateral
(proven on chain and slashed). With escape probability q, the cheater's expected value is
q·gain − (1 − q)·collateral, and the check counts make it negative:

* Freivalds: k rounds, q = 2^-k, gain = price:  2^-k·price < (1 − 2^-k)·collateral,
  i.e. price < (2^k − 1)·collateral (`rounds_for`).
* Sampling: cheating on b of n items saves b/n of the work, gain = (b/n)·price, q = the
  hypergeometric miss probability; the inequality must hold for every b in 1..n
  (`sample_size_for`).

Both also take a floor: the buyer's own margin, whatever the stake. All arithmetic behind the
choices is exact (integers and Fractions), so a boundary case is decided right.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from eth_hash.auto import keccak

from steward.compute.field import P, _matmul, matmul

WORD = 32


@dataclass(frozen=True)
class FreivaldsResult:
    ok: bool
    rounds: int
    bad_row: int | None      # a row where the check failed, to locate the fraud from


def _buyer_rng(rng: np.random.Generator | None) -> np.random.Generator:
    # The provider must not predict the buyer's vectors: seed from the OS, never a constant.
    return rng if rng is not None else np.random.default_rng(secrets.randbits(128))


def _square_job(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, ...]:
    a, b, c = (np.asarray(m) for m in (a, b, c))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply shapes {a.shape} and {b.shape}")
    if c.shape != (a.shape[0], b.shape[1]):
        raise ValueError(f"the result has shape {c.shape}, the product {(a.shape[0], b.shape[1])}")
    return a, b, c


def _out_of_range_row(c: np.ndarray) -> int | None:
    """The first row of C holding a value outside [0, P): such a C is wrong, and must not reach
    the float64 products, whose exactness needs entries below P."""
    if not np.issubdtype(c.dtype, np.integer):
        raise ValueError(f"the result must hold integers, not {c.dtype}")
    signed = np.issubdtype(c.dtype, np.signedinteger)
    if not c.size or (c.max() < P and not (signed and c.min() < 0)):
        return None                                         # the usual case, without a mask
    bad = (c < 0) | (c >= P) if signed else c >= P
    rows = np.flatnonzero(bad.any(axis=1))
    return int(rows[0]) if rows.size else None


def _mismatched_rows(a, b, c, rounds: int, rng, backend: str) -> np.ndarray:
    r = rng.integers(0, 2, size=(b.shape[1], rounds), dtype=np.uint64)
    expected = matmul(a, matmul(b, r, backend), backend)
    return np.flatnonzero((matmul(c, r, backend) != expected).any(axis=1))


def freivalds(a: np.ndarray, b: np.ndarray, c: np.ndarray, rounds: int,
              rng: np.random.Generator | None = None, *, backend: str = "numpy"
              ) -> FreivaldsResult:
    """Whether C = A·B mod P, by `rounds` random 0/1 vectors at once (cost O(rounds·n²)).
    A wrong C passes with probability ≤ 2^-rounds."""
    if rounds < 1:
        raise ValueError(f"Freivalds needs at least one round, not {rounds}")
    a, b, c = _square_job(a, b, c)
    outside = _out_of_range_row(c)
    if outside is not None:
        return FreivaldsResult(False, rounds, outside)
    rows = _mismatched_rows(a, b, c, rounds, _buyer_rng(rng), backend)
    return FreivaldsResult(rows.size == 0, rounds, int(rows[0]) if rows.size else None)


def _wrong_entry_in_row(a, b, c, row: int) -> tuple[int, int] | None:
    exact = _matmul(a[row:row + 1], b, "numpy")[0]      # one row of A·B: O(n²)
    wrong = np.flatnonzero(exact != c[row].astype(np.uint64))
    return (row, int(wrong[0])) if wrong.size else None


def locate_fraud(a: np.ndarray, b: np.ndarray, c: np.ndarray, bad_row: int | None = None,
                 *, rounds: int = 64, rng: np.random.Generator | None = None
                 ) -> tuple[int, int] | None:
    """(i, j) of an entry of C that is not (A·B)[i, j] mod P, or None if C is right.

    With `bad_row` (from a failed `freivalds`) only that row of A·B is computed. Without it (or
    if that row turns out right) Freivalds with `rounds` vectors names every wrong row except
    with probability ≤ 2^-rounds, and only those rows are computed exactly."""
    a, b, c = _square_job(a, b, c)
    outside = _out_of_range_row(c)
    if outside is not None:
        column = np.flatnonzero((c[outside] < 0) | (c[outside] >= P))[0]
        return outside, int(column)
    if bad_row is not None:
        if not 0 <= bad_row < c.shape[0]:
            raise ValueError(f"bad_row {bad_row} is outside 0..{c.shape[0] - 1}")
        found = _wrong_entry_in_row(a, b, c, bad_row)
        if found is not None:
            return found
    for row in _mismatched_rows(a, b, c, rounds, _buyer_rng(rng), "numpy"):
        found = _wrong_entry_in_row(a, b, c, int(row))
        if found is not None:
            return found
    return None


# --- how many checks -------------------------------------------------------------------------
def _stakes(collateral: int, price: int) -> None:
    if isinstance(collateral, bool) or not isinstance(collateral, int) \
            or not isinstance(price, int) or isinstance(price, bool):
        raise ValueError("collateral and price are integers in base units")
    if price < 0:
        raise ValueError(f"the price cannot be negative ({price})")
    if collateral <= 0:
        raise ValueError("the provider stakes no collateral: a cheater caught loses nothing, so "
                         "no number of checks makes cheating unprofitable")


def rounds_for(collateral: int, price: int, floor: int = 16, cap: int = 64) -> int:
    """The fewest Freivalds rounds k with 2^-k·price < (1 − 2^-k)·collateral (a cheater's
    expected value negative), never below `floor` nor above `cap`."""
    _stakes(collateral, price)
    if floor > cap:
        raise ValueError(f"floor {floor} is above cap {cap}")
    k = 1
    while price >= ((1 << k) - 1) * collateral:      # ⇔ 2^-k·price ≥ (1 − 2^-k)·collateral
        k += 1
        if k > cap:
            raise ValueError(f"collateral {collateral} is too small for price {price}: "
                             f"even {cap} rounds leave a cheater a positive expected value "
                             f"(price must be below (2^{cap} − 1) × collateral)")
    return max(k, floor)


def escape_probability(bad: int, n: int, samples: int) -> Fraction:
    """Exactly the probability that `samples` distinct items drawn at random from `n` miss all
    `bad` wrong ones: C(n − bad, samples) / C(n, samples)."""
    if not 0 <= bad <= n or not 0 <= samples <= n:
        raise ValueError(f"need 0 ≤ bad ≤ n and 0 ≤ samples ≤ n (bad={bad}, n={n}, "
                         f"samples={samples})")
    return Fraction(math.comb(n - bad, samples), math.comb(n, samples))


def _sampling_deters(collateral: int, price: int, n: int, samples: int) -> bool:
    """Whether for every b in 1..n: q·(b/n)·price < (1 − q)·collateral, q = C(n−b,s)/C(n,s);
    in integers: C(n−b,s)·b·price < (C(n,s) − C(n−b,s))·collateral·n."""
    total = math.comb(n, samples)
    missed = total                      # C(n − b, s), walked down from b = 0
    for bad in range(1, n + 1):
        remaining = n - bad + 1         # C(m−1, s) = C(m, s)·(m − s)/m with m = n − b + 1
        missed = missed * (remaining - samples) // remaining if remaining > samples else 0
        if missed * bad * price >= (total - missed) * collateral * n:
            return False
    return True


def sample_size_for(collateral: int, price: int, n: int, floor: int = 8) -> int:
    """The fewest distinct items to re-execute out of `n` so that cheating on any number of
    them has a negative expected value (see the module docstring); at least `floor`, at most n."""
    _stakes(collateral, price)
    if n < 1:
        raise ValueError(f"a job has at least one item, not {n}")
    low, high = 1, n                    # deterrence only grows with the sample: bisect
    while low < high:
        middle = (low + high) // 2
        if _sampling_deters(collateral, price, n, middle):
            high = middle
        else:
            low = middle + 1
    return min(max(low, floor), n)


# --- the hash-chain job ------------------------------------------------------------------------
def hash_item(seed: bytes, index: int, rounds: int) -> int:
    """Item `index` of the job: h0 = keccak256(abi_encode(bytes32 seed, uint256 index)),
    h_{t+1} = keccak256(h_t), the value is h_rounds as an integer (what the contract recomputes)."""
    if len(seed) != WORD:
        raise ValueError(f"the job seed must be 32 bytes, not {len(seed)}")
    if not 0 <= index < 2 ** 256 or rounds < 0:
        raise ValueError(f"need a uint256 index and rounds ≥ 0 (index={index}, rounds={rounds})")
    digest = keccak(bytes(seed) + index.to_bytes(WORD, "big"))
    for _ in range(rounds):
        digest = keccak(digest)
    return int.from_bytes(digest, "big")


def hash_items(seed: bytes, n: int, rounds: int) -> list[int]:
    return [hash_item(seed, index, rounds) for index in range(n)]


def check_items(seed: bytes, rounds: int, opened: dict[int, int]) -> list[int]:
    """The opened indices whose value is not the job's item, in increasing order."""
    return sorted(index for index, value in opened.items()
                  if hash_item(seed, index, rounds) != value)


__all__ = ["FreivaldsResult", "check_items", "escape_probability", "freivalds", "hash_item",
           "hash_items", "locate_fraud", "rounds_for", "sample_size_for"]
