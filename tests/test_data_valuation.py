"""The data market's valuation: exact KNN-Shapley checked against brute-force Shapley, bit-for-bit
determinism, the hashes that bind contributors and the buyer, and the quality it must reward
(clean over noisy, nothing for duplicates, poisoned or low-effort data), with attacks on each
rule: padding with one's own repeats, malformed or oversized reveals, hostile files."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

pytest.importorskip("sklearn")

from steward.datamarket import valuation
from steward.datamarket.datasets import (KINDS, TEST_SIZE, TRAP_COUNT, contributor_address,
                                         make_contributors, make_spec, split_digits)
from steward.datamarket.valuation import (SCORE_SCALE, Contribution, EvalSpec, bundle_meta,
                                          data_hash, eval_hash, knn_shapley, load_contribution,
                                          load_spec, save_contribution, save_spec,
                                          value_contributions)

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20


# ---- brute force, straight from the definitions ----------------------------------------------

def knn_utility(subset, distances, y_train, label, k) -> float:
    """Accuracy of a K-NN vote on one test point, as Jia et al. define it: the share of the
    (up to) K nearest members of `subset` (ties by index) carrying the test label."""
    nearest = sorted(subset, key=lambda i: (distances[i], i))[:k]
    return sum(y_train[i] == label for i in nearest) / k


def brute_force_shapley(X_train, y_train, X_test, y_test, k) -> np.ndarray:
    n = len(X_train)
    values = np.zeros(n)
    for x, label in zip(X_test, y_test):
        distances = ((X_train - x) ** 2).sum(axis=1)
        for i in range(n):
            others = [j for j in range(n) if j != i]
            for size in range(n):
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                for subset in itertools.combinations(others, size):
                    gain = (knn_utility(subset + (i,), distances, y_train, label, k)
                            - knn_utility(subset, distances, y_train, label, k))
                    values[i] += weight * gain
    return values / len(X_test)


@pytest.mark.parametrize("k", [1, 2, 3, 6, 8])
def test_knn_shapley_equals_brute_force_shapley_on_six_points(k):
    rng = np.random.default_rng(k)
    for _ in range(3):
        X_train = rng.integers(0, 3, size=(6, 2)).astype(float)   # small grid: distance ties
        X_train[4] = X_train[1]                                    # and an exact duplicate
        y_train = rng.integers(0, 3, size=6)
        X_test = rng.integers(0, 3, size=(4, 2)).astype(float)
        y_test = rng.integers(0, 3, size=4)
        exact = knn_shapley(X_train, y_train, X_test, y_test, k)
        brute = brute_force_shapley(X_train, y_train, X_test, y_test, k)
        assert np.abs(exact - brute).max() < 1e-12, (exact, brute)


def test_knn_shapley_values_add_up_to_the_classifiers_accuracy():
    split = split_digits(3)
    X, y = split.pool_X[:200], split.pool_y[:200]
    values = knn_shapley(X, y, split.X_test, split.y_test, 5)
    # Efficiency: the values share out exactly U(all) − U(∅), the K-NN vote share on the tests.
    order = np.argsort(((split.X_test[:, None, :] - X[None]) ** 2).sum(axis=2), axis=1,
                       kind="stable")[:, :5]
    accuracy = (y[order] == split.y_test[:, None]).mean()
    assert values.sum() == pytest.approx(accuracy, abs=1e-12)
    assert knn_shapley(X[:0], y[:0], split.X_test, split.y_test, 5).shape == (0,)


# ---- the market's quality rules on the default data -------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_valuation_pays_clean_over_noisy_and_nothing_for_copies_poison_or_guesses(seed):
    made = make_contributors(seed)
    result = value_contributions([c for c, _, _ in made], make_spec(seed))
    by_kind = {kind: [i for i, (_, k, _) in enumerate(made) if k == kind] for kind in KINDS}
    assert [len(by_kind[kind]) for kind in KINDS] == [4, 2, 2, 1, 1]
    clean = [result.scores[i] for i in by_kind["clean"]]
    noisy = [result.scores[i] for i in by_kind["noisy"]]
    assert min(clean) > max(noisy) > min(noisy) > 0          # the 10 % noisy one beats the 20 %
    for i in by_kind["duplicate"]:                           # the earlier copy holds the value
        assert (result.scores[i], result.values[i], result.kept[i]) == (0, 0.0, 0)
        assert result.duplicates[i] == 100 and "every point duplicates" in result.notes[i]
    (poisoned,) = by_kind["poisoned"]
    assert result.values[poisoned] < -0.1 and result.scores[poisoned] == 0
    assert result.trap_accuracy[poisoned] == 1.0             # the traps alone would not catch it
    assert "makes the classifier worse" in result.notes[poisoned]
    (lazy,) = by_kind["low_effort"]
    assert result.scores[lazy] == 0 and result.trap_accuracy[lazy] < 0.8
    assert "is below 80%; its 100 points were not used" in result.notes[lazy]
    for i in by_kind["clean"] + by_kind["noisy"]:
        assert result.scores[i] == math.floor(result.values[i] * SCORE_SCALE + 0.5)


def test_valuation_is_bit_identical_across_runs_and_array_copies():
    made = [c for c, _, _ in make_contributors(4)]
    first = value_contributions(made, make_spec(4))
    copies = [Contribution(c.contributor, c.X.copy(), c.y.copy(), c.trap_labels.copy())
              for c in made]
    second = value_contributions(copies, make_spec(4))
    assert first.scores == second.scores and first.notes == second.notes
    assert np.array(first.values).tobytes() == np.array(second.values).tobytes()


def test_valuation_first_revealer_of_a_point_holds_its_value():
    spec = make_spec(5)
    original = make_contributors(5, n=1)[0][0]
    reordered = Contribution(BOB, original.X[::-1], original.y[::-1], original.trap_labels)
    forward = value_contributions([original, reordered], spec)
    backward = value_contributions([reordered, original], spec)
    assert forward.scores[0] > 0 and backward.scores[0] > 0
    assert forward.scores[1] == backward.scores[1] == 0
    assert forward.duplicates == [0, 100] and backward.duplicates == [0, 100]


# ---- attacks on the rules ---------------------------------------------------------------------

def test_valuation_padding_with_own_repeats_earns_nothing_extra():
    spec = make_spec(6)
    made = [c for c, _, _ in make_contributors(6, n=4)]
    padded = Contribution(made[1].contributor, np.vstack([made[1].X] * 3),
                          np.concatenate([made[1].y] * 3), made[1].trap_labels)
    honest = value_contributions(made, spec)
    greedy = value_contributions([made[0], padded, *made[2:]], spec)
    assert greedy.scores == honest.scores
    assert greedy.duplicates[1] == 200 and greedy.kept[1] == 100


def test_valuation_near_duplicate_threshold_is_inclusive_and_label_aware():
    X_test, y_test = np.array([[0.0, 0.0], [2.0, 0.0]]), np.array([0, 0])
    spec = EvalSpec(X_test, y_test, np.zeros((0, 2)), np.zeros(0, dtype=np.int64), k=1,
                    near_duplicate=0.5)
    first = Contribution(ALICE, [[1.0, 0.0]], [0], [])
    at_limit = Contribution(BOB, [[1.0, 0.5]], [0], [])           # exactly 0.5 away: dropped
    beyond = Contribution(BOB, [[1.0, 0.5000001]], [0], [])       # just beyond: a new point
    relabelled = Contribution(BOB, [[1.0, 0.0]], [1], [])         # same image, other label
    assert value_contributions([first, at_limit], spec).duplicates == [0, 1]
    assert value_contributions([first, beyond], spec).duplicates == [0, 0]
    contradicted = value_contributions([first, relabelled], spec)
    assert contradicted.duplicates == [0, 0] and contradicted.values == [1.0, 0.0]


def test_valuation_rejects_misfits_without_touching_the_others():
    spec = make_spec(7)
    made = [c for c, _, _ in make_contributors(7, n=4)]
    baseline = value_contributions([made[0], *made[2:]], spec)
    nan = made[1].X.copy()
    nan[3, 5] = np.nan
    hostile = [
        Contribution(ALICE, nan, made[1].y, made[1].trap_labels),
        Contribution(ALICE, made[1].X[:, :32], made[1].y, made[1].trap_labels),
        Contribution(ALICE, made[1].X, made[1].y, made[1].trap_labels[:-1]),
        Contribution(ALICE, np.zeros((valuation.MAX_POINTS + 1, 64)),
                     np.zeros(valuation.MAX_POINTS + 1, dtype=np.int64), made[1].trap_labels),
    ]
    expected = ["score 0: rejected: X has non-finite values",
                "score 0: rejected: X has 32 columns, the task's data has 64",
                f"score 0: trap accuracy 0/{TRAP_COUNT} (0%) is below 80%; its 100 points "
                "were not used",
                "score 0: rejected: 10001 points is more than the 10000 a contribution may hold"]
    for bad, note in zip(hostile, expected):
        result = value_contributions([made[0], bad, *made[2:]], spec)
        assert result.notes[1] == note and result.scores[1] == 0 and result.values[1] == 0.0
        assert [result.scores[0], *result.scores[2:]] == baseline.scores


def test_valuation_trap_threshold_counts_exactly():
    spec = make_spec(8)
    clean = make_contributors(8, n=1)[0][0]
    answers = clean.trap_labels.copy()
    answers[:4] = (answers[:4] + 1) % 10                          # 16/20 = 80 %: passes
    passing = Contribution(ALICE, clean.X, clean.y, answers)
    answers[4] = (answers[4] + 1) % 10                            # 15/20 = 75 %: fails
    failing = Contribution(ALICE, clean.X, clean.y, answers)
    assert value_contributions([passing], spec).scores[0] > 0
    assert value_contributions([failing], spec).scores == [0]
    assert value_contributions([], spec).scores == []


def test_contribution_refuses_malformed_arrays_and_freezes_its_own():
    with pytest.raises(ValueError, match="X has 2 rows but y has 3 labels"):
        Contribution(ALICE, np.zeros((2, 4)), [0, 1, 2], [])
    with pytest.raises(ValueError, match="y must hold whole numbers"):
        Contribution(ALICE, np.zeros((2, 4)), [0, 1.5], [])
    with pytest.raises(ValueError, match="X must be a 2-D array, not 3-D"):
        Contribution(ALICE, np.zeros((2, 4, 1)), [0, 1], [])
    with pytest.raises(ValueError, match="trap_labels must hold integer labels"):
        Contribution(ALICE, np.zeros((2, 4)), [0, 1], ["cat"])
    X = np.zeros((2, 4))
    c = Contribution(ALICE, X, [0, 1], [3])
    before = data_hash(c)
    X[0, 0] = 9.0                                  # the caller's array, not the contribution's
    assert data_hash(c) == before
    with pytest.raises(ValueError, match="read-only"):
        c.X[0, 0] = 9.0


# ---- hashes and files -------------------------------------------------------------------------

def test_data_hash_binds_every_array_but_not_the_address(tmp_path):
    c = make_contributors(9, n=1)[0][0]
    same = Contribution(BOB, c.X.copy(), c.y.astype(np.int32), c.trap_labels)
    assert data_hash(same) == data_hash(c) and len(data_hash(c)) == 32
    y, traps, X = c.y.copy(), c.trap_labels.copy(), c.X.copy()
    y[0] = (y[0] + 1) % 10
    traps[-1] = (traps[-1] + 1) % 10
    X[5, 5] = np.nextafter(X[5, 5], 2.0)           # one bit of one number
    changed = {data_hash(Contribution(ALICE, X, c.y, c.trap_labels)),
               data_hash(Contribution(ALICE, c.X, y, c.trap_labels)),
               data_hash(Contribution(ALICE, c.X, c.y, traps)),
               data_hash(Contribution(ALICE, c.X[:-1], c.y[:-1], c.trap_labels))}
    assert len(changed) == 4 and data_hash(c) not in changed
    path = save_contribution(c, tmp_path / "revealed")
    assert path.name == data_hash(c).hex() + ".npz"
    loaded = load_contribution(path)
    assert loaded.contributor == c.contributor and data_hash(loaded) == data_hash(c)
    assert loaded.X.tobytes() == c.X.tobytes() and loaded.y.dtype == np.int64


def test_load_contribution_refuses_pickles_and_foreign_files(tmp_path):
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, contributor=np.array(ALICE), X=np.array([object()], dtype=object),
             y=np.zeros(1, dtype=np.int64), trap_labels=np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="allow_pickle=False"):
        load_contribution(pickled)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, X=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="is not a contribution: it has no contributor, y, "
                                         "trap_labels"):
        load_contribution(foreign)


def test_eval_hash_moves_with_each_array_parameter_and_the_code(monkeypatch):
    spec = make_spec(1)
    base = eval_hash(spec)
    assert eval_hash(make_spec(1)) == base and len(base) == 32
    X_test, y_test = spec.X_test.copy(), spec.y_test.copy()
    X_test[0, 10] += 1 / 16
    y_test[-1] = (y_test[-1] + 1) % 10
    variants = [
        EvalSpec(X_test, spec.y_test, spec.trap_X, spec.trap_y, seed=1),
        EvalSpec(spec.X_test, y_test, spec.trap_X, spec.trap_y, seed=1),
        EvalSpec(spec.X_test, spec.y_test, spec.trap_X[:-1], spec.trap_y[:-1], seed=1),
        make_spec(1, k=7), make_spec(1, near_duplicate=0.2), make_spec(1, min_trap_accuracy=0.9),
        EvalSpec(spec.X_test, spec.y_test, spec.trap_X, spec.trap_y, seed=2),
    ]
    hashes = {eval_hash(variant) for variant in variants}
    assert len(hashes) == len(variants) and base not in hashes
    source = valuation._valuation_source()
    monkeypatch.setattr(valuation, "_valuation_source", lambda: source + b"\n# edited\n")
    assert eval_hash(spec) != base


def test_eval_bundle_round_trips_with_its_hash_and_source(tmp_path):
    spec = make_spec(2, k=3, near_duplicate=0.125)
    in_directory = save_spec(spec, tmp_path / "task")
    assert in_directory == tmp_path / "task" / "eval_bundle.npz"
    as_file = save_spec(spec, tmp_path / "bundle.npz")
    for path in (tmp_path / "task", in_directory, as_file):
        loaded = load_spec(path)
        assert eval_hash(loaded) == eval_hash(spec)
        assert (loaded.k, loaded.seed, loaded.near_duplicate) == (3, 2, 0.125)
    meta = bundle_meta(as_file)
    assert meta["eval_hash"] == eval_hash(spec).hex()
    assert meta["eval_version"] == valuation.EVAL_VERSION
    assert meta["source"].encode() == valuation._valuation_source()


def test_eval_spec_refuses_bad_parameters():
    split = split_digits(0)
    args = (split.X_test, split.y_test, split.trap_X, split.trap_y)
    with pytest.raises(ValueError, match="k must be a positive integer, not 0"):
        EvalSpec(*args, k=0)
    with pytest.raises(ValueError, match="near_duplicate must be a distance >= 0, not nan"):
        EvalSpec(*args, near_duplicate=float("nan"))
    with pytest.raises(ValueError, match=r"min_trap_accuracy must be in \[0, 1\], not 1.5"):
        EvalSpec(*args, min_trap_accuracy=1.5)
    with pytest.raises(ValueError, match="X_test has 0 rows and y_test 0 labels"):
        EvalSpec(split.X_test[:0], split.y_test[:0], split.trap_X, split.trap_y)


# ---- the data sets ----------------------------------------------------------------------------

def test_datasets_deal_distinct_contributions_in_the_documented_order():
    made = make_contributors(0)
    assert [kind for _, kind, _ in made] == ["clean", "clean", "noisy", "clean", "duplicate",
                                             "poisoned", "clean", "duplicate", "noisy",
                                             "low_effort"]
    assert [quality for _, _, quality in made] == [1.0, 1.0, 0.8, 1.0, 0.0, 0.0, 1.0, 0.0, 0.6, 0.0]
    # Every reveal must have its own data_hash, or the contract refuses the second as a copier.
    assert len({data_hash(c) for c, _, _ in made}) == 10
    addresses = [c.contributor for c, _, _ in made]
    assert addresses == [contributor_address(0, i) for i in range(10)]
    assert len(set(addresses)) == 10 and all(a.startswith("0x") and len(a) == 42 for a in addresses)
    again = make_contributors(0, addresses=[ALICE] * 10)
    assert [data_hash(c) for c, _, _ in again] == [data_hash(c) for c, _, _ in made]
    assert {c.contributor for c, _, _ in again} == {ALICE}
    assert data_hash(make_contributors(1, n=1)[0][0]) != data_hash(made[0][0])
    split = split_digits(0)
    assert len(split.y_test) == TEST_SIZE and len(split.trap_y) == TRAP_COUNT
    pool = {row.tobytes() for row in split.pool_X}
    assert not pool & {row.tobytes() for row in split.X_test}   # the test set stays held out


def test_datasets_scale_to_the_contract_limit_and_refuse_an_overdrawn_pool():
    made = make_contributors(0, n=64)
    assert len(made) == 64 and len({data_hash(c) for c, _, _ in made}) == 64
    assert {len(c.y) for c, _, _ in made} == {1417 // 52}
    with pytest.raises(ValueError, match="8 contributors of 200 points need 1600 pool points; "
                                         "the pool has 1417"):
        make_contributors(0, points=200)
    with pytest.raises(ValueError, match="10 contributors need 10 addresses, not 2"):
        make_contributors(0, addresses=[ALICE, BOB])
