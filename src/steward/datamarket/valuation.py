"""The valuation a data buyer publishes, and anyone can re-run: exact KNN-Shapley.

For one test point, the value of training point i to a K-nearest-neighbour classifier's
accuracy on that point has a closed form (Jia et al., "Efficient Task-Specific Data Valuation
for Nearest Neighbor Algorithms", VLDB 2019, Theorem 1): sort the N training points by distance
to the test point (ties by index), then

    s[N] = 1[y_N == y_t] / N          (/ K when N < K)
    s[i] = s[i+1] + (1[y_i == y_t] - 1[y_{i+1} == y_t]) / K * min(K, i) / i

A point's value is its s averaged over the held-out test points; a contribution's value is the
sum over its points. Before valuing:

* a contribution whose answers to the trap items are right less than `min_trap_accuracy` of the
  time is rejected (score 0, its points are not used), as is one that does not fit the task
  (wrong number of columns, non-finite numbers, more than MAX_POINTS points);
* a point within `near_duplicate` (Euclidean) of an already kept point with the same label, one
  of an earlier contribution in reveal order or an earlier one of its own, is dropped, so the
  same example is never paid for twice: the first to reveal it holds its value. (Commit-reveal
  keeps a task's submissions hidden until they are all committed; data someone had before that
  and perturbs by more than `near_duplicate` is valued as new data, and shares the value of
  the points it imitates.)

Every step runs the same operations in the same order (stable sorts, distances summed feature
by feature, values summed one test point after another), so the same inputs give bit-identical
scores.
`eval_hash` binds the buyer to this file's own source, the evaluation arrays and parameters.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

EVAL_VERSION = "steward-knn-shapley/1"
SCORE_SCALE = 10**9          # score = round(max(value, 0) * SCORE_SCALE)
MAX_POINTS = 10_000          # per contribution: a larger one would stall the buyer's valuation
BUNDLE_NAME = "eval_bundle.npz"
_CACHE_BLOCK = 1 << 14       # numbers per block of distances (speed only: results do not change)
_FLOAT, _INT = np.dtype("<f8"), np.dtype("<i8")


@dataclass(frozen=True, eq=False)
class Contribution:
    """What one contributor reveals (stored off chain under its data_hash)."""

    contributor: str         # checksummed address
    X: np.ndarray            # (n, d) float64
    y: np.ndarray            # (n,) int64
    trap_labels: np.ndarray  # (t,) int64: its labels for the task's trap items

    def __post_init__(self):
        X = _matrix(self.X, "X")
        y = _labels(self.y, "y")
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
        object.__setattr__(self, "contributor", str(self.contributor))
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "trap_labels", _labels(self.trap_labels, "trap_labels"))


@dataclass(frozen=True, eq=False)
class EvalSpec:
    """The buyer's evaluation bundle, fixed by eval_hash when the task is created."""

    X_test: np.ndarray
    y_test: np.ndarray
    trap_X: np.ndarray
    trap_y: np.ndarray
    k: int = 5
    seed: int = 0            # the seed the buyer drew its split with; the valuation is exact
    near_duplicate: float = 0.25  # below the closest two distinct digits (0.33 in [0, 1] units)
    min_trap_accuracy: float = 0.8

    def __post_init__(self):
        X_test, y_test = _matrix(self.X_test, "X_test"), _labels(self.y_test, "y_test")
        trap_X, trap_y = _matrix(self.trap_X, "trap_X"), _labels(self.trap_y, "trap_y")
        if len(X_test) == 0 or len(X_test) != len(y_test):
            raise ValueError(f"X_test has {len(X_test)} rows and y_test {len(y_test)} labels: "
                             "they must be equal and not zero")
        if not np.isfinite(X_test).all():
            raise ValueError("X_test has non-finite values")
        if len(trap_X) != len(trap_y):
            raise ValueError(f"trap_X has {len(trap_X)} rows but trap_y has {len(trap_y)}")
        if type(self.k) is not int or self.k < 1:
            raise ValueError(f"k must be a positive integer, not {self.k!r}")
        if type(self.seed) is not int:
            raise ValueError(f"seed must be an integer, not {self.seed!r}")
        near, trap_min = float(self.near_duplicate), float(self.min_trap_accuracy)
        if not (math.isfinite(near) and near >= 0):
            raise ValueError(f"near_duplicate must be a distance >= 0, not {self.near_duplicate!r}")
        if not 0 <= trap_min <= 1:
            raise ValueError(f"min_trap_accuracy must be in [0, 1], not {self.min_trap_accuracy!r}")
        for name, value in (("X_test", X_test), ("y_test", y_test), ("trap_X", trap_X),
                            ("trap_y", trap_y), ("near_duplicate", near),
                            ("min_trap_accuracy", trap_min)):
            object.__setattr__(self, name, value)


@dataclass
class Valuation:
    scores: list[int]        # non-negative integers, one per contribution, in the given order
    values: list[float]      # the raw Shapley values (may be negative; 0.0 when rejected)
    notes: list[str]         # per contribution: points kept, duplicates dropped, traps, why 0
    kept: list[int] = field(default_factory=list)          # points valued
    duplicates: list[int] = field(default_factory=list)    # points dropped as duplicates
    trap_accuracy: list[float] = field(default_factory=list)


# ---- canonical encodings and hashes ----------------------------------------------------------

def _matrix(value, name: str) -> np.ndarray:
    array = np.array(value, dtype=_FLOAT, copy=True)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, not {array.ndim}-D")
    array.setflags(write=False)   # hashed once, so it must not change afterwards
    return array


def _labels(value, name: str) -> np.ndarray:
    raw = np.asarray(value)
    if raw.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, not {raw.ndim}-D")
    if raw.dtype.kind == "f":
        if not (np.isfinite(raw).all() and (raw == np.round(raw)).all()):
            raise ValueError(f"{name} must hold whole numbers")
    elif raw.dtype.kind not in "iu" and raw.size:
        raise ValueError(f"{name} must hold integer labels, not {raw.dtype}")
    if raw.size and (raw.min() < -2**63 or raw.max() > 2**63 - 1):
        raise ValueError(f"{name} has labels outside int64")
    array = np.array(raw, dtype=_INT, copy=True)
    array.setflags(write=False)
    return array


def _encode(name: str, array: np.ndarray, dtype: np.dtype) -> bytes:
    data = np.ascontiguousarray(array, dtype=dtype)
    header = f"{name}:{dtype.str}:{'x'.join(map(str, data.shape))}:{data.nbytes}\n"
    return header.encode() + data.tobytes()


def data_hash(c: Contribution) -> bytes:
    """32 bytes: sha256 of X, y and trap_labels in a fixed little-endian encoding (not the
    contributor: the same data revealed by two addresses has one hash)."""
    digest = hashlib.sha256(b"steward-data/1\n")
    digest.update(_encode("X", c.X, _FLOAT))
    digest.update(_encode("y", c.y, _INT))
    digest.update(_encode("trap_labels", c.trap_labels, _INT))
    return digest.digest()


def _valuation_source() -> bytes:
    return Path(__file__).read_bytes()


def _params(spec: EvalSpec) -> str:
    return json.dumps({"k": spec.k, "seed": spec.seed,
                       "near_duplicate": float(spec.near_duplicate).hex(),
                       "min_trap_accuracy": float(spec.min_trap_accuracy).hex()},
                      sort_keys=True)


def eval_hash(spec: EvalSpec) -> bytes:
    """sha256 over EVAL_VERSION, this module's source bytes, the arrays and the parameters."""
    digest = hashlib.sha256(b"steward-eval/1\n")
    source = _valuation_source()
    for part in (EVAL_VERSION.encode(), source, _params(spec).encode()):
        digest.update(len(part).to_bytes(8, "big") + part)
    digest.update(_encode("X_test", spec.X_test, _FLOAT))
    digest.update(_encode("y_test", spec.y_test, _INT))
    digest.update(_encode("trap_X", spec.trap_X, _FLOAT))
    digest.update(_encode("trap_y", spec.trap_y, _INT))
    return digest.digest()


# ---- files -----------------------------------------------------------------------------------

def _write_npz(path: Path, **arrays) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _read_npz(path: Path, keys: tuple[str, ...], what: str) -> dict:
    with np.load(Path(path), allow_pickle=False) as stored:
        missing = [key for key in keys if key not in stored.files]
        if missing:
            raise ValueError(f"{path} is not {what}: it has no {', '.join(missing)}")
        return {key: stored[key] for key in keys}


def save_contribution(c: Contribution, directory) -> Path:
    """Write <directory>/<data_hash hex>.npz."""
    path = Path(directory) / f"{data_hash(c).hex()}.npz"
    return _write_npz(path, X=c.X, y=c.y, trap_labels=c.trap_labels,
                      contributor=np.array(c.contributor))


def load_contribution(path) -> Contribution:
    stored = _read_npz(path, ("contributor", "X", "y", "trap_labels"), "a contribution")
    return Contribution(str(stored["contributor"]), stored["X"], stored["y"],
                        stored["trap_labels"])


def _bundle_path(path) -> Path:
    path = Path(path)
    return path if path.suffix == ".npz" else path / BUNDLE_NAME


def save_spec(spec: EvalSpec, path) -> Path:
    """Write the evaluation bundle to `path` (a .npz file, or a directory: <dir>/eval_bundle.npz),
    with the valuation source it was hashed with, so a verifier can see what differs."""
    return _write_npz(_bundle_path(path), X_test=spec.X_test, y_test=spec.y_test,
                      trap_X=spec.trap_X, trap_y=spec.trap_y, params=np.array(_params(spec)),
                      eval_version=np.array(EVAL_VERSION),
                      eval_hash=np.array(eval_hash(spec).hex()),
                      source=np.array(_valuation_source().decode("utf-8")))


def load_spec(path) -> EvalSpec:
    stored = _read_npz(_bundle_path(path), ("X_test", "y_test", "trap_X", "trap_y", "params"),
                       "an evaluation bundle")
    params = json.loads(str(stored["params"]))
    return EvalSpec(stored["X_test"], stored["y_test"], stored["trap_X"], stored["trap_y"],
                    k=int(params["k"]), seed=int(params["seed"]),
                    near_duplicate=float.fromhex(params["near_duplicate"]),
                    min_trap_accuracy=float.fromhex(params["min_trap_accuracy"]))


def bundle_meta(path) -> dict:
    """What the bundle says it was made with: eval_version, eval_hash (hex) and the source."""
    stored = _read_npz(_bundle_path(path), ("eval_version", "eval_hash", "source"),
                       "an evaluation bundle")
    return {key: str(value) for key, value in stored.items()}


# ---- the valuation ---------------------------------------------------------------------------

def _row_blocks(rows: int, columns: int):
    """Row ranges that keep a (rows × columns) working set near a million numbers."""
    step = max(1, (1 << 20) // max(1, columns))
    return ((start, min(rows, start + step)) for start in range(0, rows, step))


def _squared_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Summed feature by feature in a fixed order (not the a²+b²−2ab expansion, whose
    rounding depends on the BLAS), so sorts and thresholds decide alike on every machine."""
    out = np.zeros((len(A), len(B)))
    B_by_feature = np.ascontiguousarray(B.T)
    rows = max(1, _CACHE_BLOCK // max(1, len(B)))     # a block that stays in cache
    for start in range(0, len(A), rows):
        block, A_block = out[start:start + rows], np.ascontiguousarray(A[start:start + rows].T)
        difference = np.empty_like(block)
        for a, b in zip(A_block, B_by_feature):
            np.subtract(a[:, None], b[None, :], out=difference)
            np.multiply(difference, difference, out=difference)
            np.add(block, difference, out=block)
    return out


def _close_pairs(A: np.ndarray, B: np.ndarray, limit2: float) -> np.ndarray:
    """Boolean (len A, len B): squared distance <= limit2. A cheap BLAS pass finds candidates
    with a margin far above its rounding error; the exact distance decides."""
    close = np.zeros((len(A), len(B)), dtype=bool)
    if len(A) == 0 or len(B) == 0:
        return close
    norms_b = (B * B).sum(axis=1)
    for start, stop in _row_blocks(len(A), len(B)):
        block = A[start:stop]
        norms_a = (block * block).sum(axis=1)
        rough = norms_a[:, None] + norms_b[None, :] - 2.0 * (block @ B.T)
        margin = 1e-6 * (1.0 + norms_a[:, None] + norms_b[None, :])
        rows, cols = np.nonzero(rough <= limit2 + margin)
        if len(rows):
            exact = _pair_distances(block[rows], B[cols])
            close[start + rows[exact <= limit2], cols[exact <= limit2]] = True
    return close


def _pair_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared distance of A[i] to B[i], summed in the same order as _squared_distances."""
    out = np.zeros(len(A))
    for feature in range(A.shape[1]):
        difference = A[:, feature] - B[:, feature]
        out += difference * difference
    return out


def knn_shapley(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                y_test: np.ndarray, k: int) -> np.ndarray:
    """Exact KNN-Shapley value of each training point, averaged over the test points."""
    n = len(X_train)
    total = np.zeros(n)
    if n == 0:
        return total
    i = np.arange(1, n)
    weight = np.minimum(k, i) / (k * i)      # min(K, i) / (K i) for i = 1 .. N-1
    for start, stop in _row_blocks(len(X_test), n):
        labels = y_test[start:stop, None]
        order = np.argsort(_squared_distances(X_test[start:stop], X_train), axis=1,
                           kind="stable")
        match = (y_train[order] == labels).astype(np.float64)
        # s[N], then the steps s[i] - s[i+1] for i = N-1 down to 1, summed in that order.
        # s[N] = 1[y_N == y_t] / max(K, N): the paper's / N assumes N >= K; with fewer points
        # than K every point simply adds its own 1/K.
        steps = np.empty_like(match)
        steps[:, 0] = match[:, -1] / max(k, n)
        steps[:, 1:] = ((match[:, :-1] - match[:, 1:]) * weight)[:, ::-1]
        in_order = np.cumsum(steps, axis=1)[:, ::-1]
        values = np.empty_like(in_order)
        np.put_along_axis(values, order, in_order, axis=1)
        for row in values:                   # one test point at a time, always the same order
            total += row
    return total / len(X_test)


def _misfit(c: Contribution, columns: int) -> str | None:
    if c.X.shape[1] != columns and len(c.X):
        return f"X has {c.X.shape[1]} columns, the task's data has {columns}"
    if len(c.X) > MAX_POINTS:
        return f"{len(c.X)} points is more than the {MAX_POINTS} a contribution may hold"
    if not np.isfinite(c.X).all():
        return "X has non-finite values"
    return None


def _trap_score(c: Contribution, spec: EvalSpec) -> tuple[int, int]:
    total = len(spec.trap_y)
    if len(c.trap_labels) != total:
        return 0, total
    return int((c.trap_labels == spec.trap_y).sum()), total


def _drop_duplicates(c: Contribution, kept_X, kept_y, limit2: float) -> np.ndarray:
    """Which of c's points to keep: none within the limit of a kept point with its label."""
    keep = np.ones(len(c.X), dtype=bool)
    if len(kept_X):
        keep &= ~(_close_pairs(c.X, kept_X, limit2) & (c.y[:, None] == kept_y[None, :])).any(1)
    close = _close_pairs(c.X, c.X, limit2) & (c.y[:, None] == c.y[None, :])
    for index in range(len(c.X)):            # its own repeats: the first copy stays
        if keep[index]:
            keep[index + 1:] &= ~close[index, index + 1:]
    return keep


@dataclass
class Screened:
    """The contributions after the checks that come before valuing (traps, fit, duplicates)."""

    X: np.ndarray            # the points to value, in reveal order
    y: np.ndarray
    owner: np.ndarray        # for each point, the index of the contribution it came from
    valued: list[bool]       # whether each contribution passed (its kept points are in X)
    valuation: Valuation     # notes, kept, duplicates and trap accuracy; scores still 0


def screen(contributions: list[Contribution], spec: EvalSpec) -> Screened:
    """Reject misfits and trap failures, drop duplicates: what is left is what gets valued."""
    count = len(contributions)
    columns = spec.X_test.shape[1]
    limit2 = spec.near_duplicate ** 2
    result = Valuation([0] * count, [0.0] * count, [""] * count, [0] * count, [0] * count,
                       [0.0] * count)
    kept_X, kept_y = np.empty((0, columns)), np.empty(0, dtype=_INT)
    owners, valued = [np.empty(0, dtype=np.int64)], [False] * count
    for index, c in enumerate(contributions):
        misfit = _misfit(c, columns)
        if misfit:
            result.notes[index] = f"score 0: rejected: {misfit}"
            continue
        right, total = _trap_score(c, spec)
        accuracy = right / total if total else 1.0
        result.trap_accuracy[index] = accuracy
        traps = f"trap accuracy {right}/{total} ({accuracy:.0%})"
        if accuracy < spec.min_trap_accuracy:
            result.notes[index] = (f"score 0: {traps} is below {spec.min_trap_accuracy:.0%}; "
                                   f"its {len(c.X)} points were not used")
            continue
        keep = _drop_duplicates(c, kept_X, kept_y, limit2)
        kept, dropped = int(keep.sum()), int((~keep).sum())
        kept_X, kept_y = np.vstack([kept_X, c.X[keep]]), np.concatenate([kept_y, c.y[keep]])
        owners.append(np.full(kept, index, dtype=np.int64))
        valued[index] = True
        result.kept[index], result.duplicates[index] = kept, dropped
        result.notes[index] = (f"kept {kept} of {len(c.X)} points, {dropped} duplicates "
                               f"dropped, {traps}")
    return Screened(kept_X, kept_y, np.concatenate(owners), valued, result)


def settle(screened: Screened, values: list[float]) -> Valuation:
    """Scores from each contribution's value: max(value, 0) in units of 1/SCORE_SCALE (a new
    Valuation; `screened` is left as it was)."""
    base = screened.valuation
    result = Valuation(list(base.scores), list(base.values), list(base.notes), list(base.kept),
                       list(base.duplicates), list(base.trap_accuracy))
    for index, value in enumerate(values):
        if not screened.valued[index]:
            continue
        value = float(value)
        result.values[index] = value
        result.scores[index] = math.floor(max(value, 0.0) * SCORE_SCALE + 0.5)
        result.notes[index] += f", value {value:.6f}"
        if result.kept[index] == 0:
            result.notes[index] += "; score 0: every point duplicates an earlier one"
        elif value < 0:
            result.notes[index] += "; score 0: its data makes the classifier worse"
    return result


def value_contributions(contributions: list[Contribution], spec: EvalSpec) -> Valuation:
    """Score each contribution (in reveal order) by exact KNN-Shapley on spec's test set."""
    screened = screen(contributions, spec)
    point_values = knn_shapley(screened.X, screened.y, spec.X_test, spec.y_test, spec.k)
    # A contribution's value: its points' values added in their order, the same on every run.
    values = [float(point_values[screened.owner == index].sum()) if passed else 0.0
              for index, passed in enumerate(screened.valued)]
    return settle(screened, values)
