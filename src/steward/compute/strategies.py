"""What honest and cheating providers hand in: the output, its Merkle tree and the root posted.

Strategies (`STRATEGIES`):

* honest: the right output.
* skip: no work at all. It posts 32 random bytes as the root and holds nothing behind it, so it
  cannot open a single row or item when challenged.
* random: random values in range, committed properly, so it can answer a challenge, with a
  wrong row or item.
* partial: the first ceil(fraction·n) rows (or items) right, the rest random: saves the rest of
  the work and hopes the checks land in the right part.
* honest-until-trusted: honest for its first `trust_after` jobs, then random.

Roots are `steward.compute.merkle` roots (`MerkleTree.of_rows` for a matrix, `of_items` for
hash-chain items), the format ComputeMarket.vy checks a fraud proof against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from steward.compute.field import P, inputs, matmul
from steward.compute.merkle import MerkleTree
from steward.compute.verify import hash_items

STRATEGIES = ("honest", "skip", "random", "partial", "honest-until-trusted")
KINDS = ("matmul", "hashchain")


@dataclass(frozen=True)
class Output:
    values: np.ndarray | list[int] | None    # n×n uint64 C, or n items; None when skipped
    tree: MerkleTree | None
    root: bytes
    cheated: bool


def input_roots(seed: bytes, n: int) -> tuple[bytes, bytes]:
    """(root of A's rows, root of B's columns): what the buyer posts with a matrix job, and the
    provider re-derives from the seed before it works."""
    a, b = inputs(seed, n)
    return MerkleTree.of_rows(a).root, MerkleTree.of_rows(b.T).root


def _right(kind: str, seed: bytes, count: int, n: int, rounds: int, backend: str):
    """The first `count` rows (or items) of the right output."""
    if kind == "hashchain":
        return hash_items(seed, count, rounds)
    a, b = inputs(seed, n)
    return matmul(a[:count], b, backend) if count else np.zeros((0, n), dtype=np.uint64)


def _random(kind: str, count: int, n: int, rng: np.random.Generator):
    if kind == "hashchain":
        return [int.from_bytes(rng.bytes(32), "big") for _ in range(count)]
    return rng.integers(0, P, size=(count, n), dtype=np.uint64)


def _committed(kind: str, values, cheated: bool) -> Output:
    tree = MerkleTree.of_rows(values) if kind == "matmul" else MerkleTree.of_items(values)
    return Output(values, tree, tree.root, cheated)


def _right_count(strategy: str, n: int, jobs_done: int, partial_fraction: float,
                 trust_after: int) -> int:
    """How many leading rows (items) the strategy computes honestly."""
    if strategy == "honest":
        return n
    if strategy == "partial":
        if not 0 <= partial_fraction <= 1:
            raise ValueError(f"partial_fraction must be in [0, 1], not {partial_fraction}")
        return min(n, math.ceil(partial_fraction * n))
    if strategy == "honest-until-trusted":
        return n if jobs_done < trust_after else 0
    return 0                                                            # random


def produce(strategy: str, kind: str, seed: bytes, n: int, rounds: int, jobs_done: int, *,
            backend: str = "auto", partial_fraction: float = 0.5, trust_after: int = 2,
            rng: np.random.Generator | None = None) -> Output:
    """The output a provider playing `strategy` hands in for a job (`rounds`: the hash-chain
    length, unused by matrix jobs; `jobs_done`: the provider's record so far)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}: one of {', '.join(KINDS)}")
    if n < 1:
        raise ValueError(f"a job has n ≥ 1, not {n}")
    rng = rng if rng is not None else np.random.default_rng()
    if strategy == "skip":
        return Output(None, None, rng.bytes(32), True)
    right = _right_count(strategy, n, jobs_done, partial_fraction, trust_after)
    head = _right(kind, seed, right, n, rounds, backend)
    tail = _random(kind, n - right, n, rng)
    values = head + tail if kind == "hashchain" else np.concatenate([head, tail])
    return _committed(kind, values, cheated=right < n)


__all__ = ["KINDS", "STRATEGIES", "Output", "input_roots", "produce"]
