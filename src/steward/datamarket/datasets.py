"""Contributors of known quality, drawn from scikit-learn's bundled digits (no download).

`split_digits(seed)` shuffles the 1,797 8×8 digits (pixels scaled to [0, 1]) into a held-out
test set, trap items and a pool; `make_spec(seed)` is the buyer's evaluation bundle over that
split; `make_contributors(seed, n)` deals the pool out to contributors of these kinds, in this
reveal order (repeated for n > 10):

    clean, clean, noisy (10 % wrong), clean, duplicate (clean #1's points, reordered),
    poisoned, clean, duplicate (clean #2's points, jittered), noisy (20 % wrong), low_effort

* clean: true labels, traps answered right;
* noisy: exactly that share of labels (and of trap answers) wrong, so it passes the traps;
* duplicate: an earlier clean contributor's points, reordered (an identical file would have the
  same data_hash and be refused at reveal) or with tiny jitter, and its trap answers;
* poisoned: every label mapped to another class by a fixed derangement; traps answered right,
  so only its value can catch it;
* low_effort: random labels, traps answered at random (about 10 % right).

true_quality is what the buyer should pay for, per point contributed: (new correct labels −
new wrong labels) / points, floored at 0, since no payout is negative: clean 1.0, noisy
1 − 2·rate, duplicates, poisoned and low-effort 0.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from steward.datamarket.valuation import Contribution, EvalSpec

TEST_SIZE = 360
TRAP_COUNT = 20
POINTS = 100                  # per contributor, when the pool allows
JITTER = 0.01                 # per pixel, on a [0, 1] scale: a near-duplicate, not a new digit
CLASSES = 10
PATTERN = ("clean", "clean", "noisy", "clean", "duplicate", "poisoned", "clean", "duplicate",
           "noisy", "low_effort")
NOISE_RATES = (0.1, 0.2)      # the first and second noisy contributor of each round of ten
KINDS = ("clean", "noisy", "duplicate", "poisoned", "low_effort")


@dataclass(frozen=True, eq=False)
class DigitsSplit:
    X_test: np.ndarray
    y_test: np.ndarray
    trap_X: np.ndarray
    trap_y: np.ndarray
    pool_X: np.ndarray
    pool_y: np.ndarray


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64) / 16.0   # exact: pixels are 0..16
    return X, np.asarray(digits.target, dtype=np.int64)


def split_digits(seed: int) -> DigitsSplit:
    X, y = _digits()
    order = np.random.default_rng([seed, 0]).permutation(len(X))
    test, traps, pool = np.split(order, [TEST_SIZE, TEST_SIZE + TRAP_COUNT])
    return DigitsSplit(X[test], y[test], X[traps], y[traps], X[pool], y[pool])


def make_spec(seed: int, **params) -> EvalSpec:
    """The buyer's evaluation bundle for `seed` (params: k, near_duplicate, min_trap_accuracy)."""
    split = split_digits(seed)
    return EvalSpec(split.X_test, split.y_test, split.trap_X, split.trap_y, seed=seed, **params)


def contributor_address(seed: int, index: int) -> str:
    """A stable, checksummed stand-in address for contributor `index` of run `seed`."""
    from steward.chains.config import eip55

    digest = hashlib.sha256(f"steward-data-contributor:{seed}:{index}".encode()).hexdigest()
    return eip55("0x" + digest[:40])


def _wrong_labels(rng, labels: np.ndarray, count: int) -> np.ndarray:
    """`labels` with exactly `count` of them (chosen by rng) moved to another class."""
    changed = labels.copy()
    where = rng.choice(len(labels), size=count, replace=False)
    changed[where] = (labels[where] + rng.integers(1, CLASSES, size=count)) % CLASSES
    return changed


def _derangement(rng) -> np.ndarray:
    while True:
        mapping = rng.permutation(CLASSES)
        if (mapping != np.arange(CLASSES)).all():
            return mapping


def _kinds(n: int) -> list[tuple[str, float, int | None]]:
    """(kind, noise rate, index of the clean contributor a duplicate copies) per contributor."""
    kinds = []
    for index in range(n):
        kind, base = PATTERN[index % len(PATTERN)], index - index % len(PATTERN)
        rate = NOISE_RATES[0] if index % len(PATTERN) == 2 else NOISE_RATES[1]
        source = base + (0 if index % len(PATTERN) == 4 else 1) if kind == "duplicate" else None
        kinds.append((kind, rate if kind == "noisy" else 0.0, source))
    return kinds


def make_contributors(seed: int, n: int = 10, addresses=None, points: int | None = None
                      ) -> list[tuple[Contribution, str, float]]:
    """n contributions in reveal order, each with its kind and true quality (see the module)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if addresses is not None and len(addresses) < n:
        raise ValueError(f"{n} contributors need {n} addresses, not {len(addresses)}")
    split = split_digits(seed)
    kinds = _kinds(n)
    fresh = sum(1 for kind, _, _ in kinds if kind != "duplicate")
    size = points if points is not None else min(POINTS, len(split.pool_y) // fresh)
    if size < 1 or size * fresh > len(split.pool_y):
        raise ValueError(f"{fresh} contributors of {size} points need {size * fresh} pool "
                         f"points; the pool has {len(split.pool_y)}")
    rng = np.random.default_rng([seed, 1])
    traps = len(split.trap_y)
    made: list[tuple[Contribution, str, float]] = []
    next_point = 0
    for index, (kind, rate, source) in enumerate(kinds):
        address = addresses[index] if addresses is not None else contributor_address(seed, index)
        if kind == "duplicate":
            original = made[source][0]
            if index % len(PATTERN) == 4:
                reorder = rng.permutation(len(original.y))
                X, y = original.X[reorder], original.y[reorder]
            else:
                X = np.clip(original.X + rng.normal(0.0, JITTER, original.X.shape), 0.0, 1.0)
                y = original.y
            made.append((Contribution(address, X, y, original.trap_labels), kind, 0.0))
            continue
        X = split.pool_X[next_point:next_point + size]
        y = split.pool_y[next_point:next_point + size]
        next_point += size
        trap_labels, quality = split.trap_y, 1.0
        if kind == "noisy":
            y = _wrong_labels(rng, y, round(rate * size))
            trap_labels = _wrong_labels(rng, split.trap_y, round(rate * traps))
            quality = 1.0 - 2 * round(rate * size) / size
        elif kind == "poisoned":
            y, quality = _derangement(rng)[y], 0.0
        elif kind == "low_effort":
            y = rng.integers(0, CLASSES, size=size)
            trap_labels, quality = rng.integers(0, CLASSES, size=traps), 0.0
        made.append((Contribution(address, X, y, trap_labels), kind, max(quality, 0.0)))
    return made
