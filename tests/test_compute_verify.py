"""The compute market's pure-Python core: exact products mod P, Freivalds' check and the fraud
it locates, how many checks make cheating a losing bet, the hash-chain job, the timed capability
challenge, and what honest and cheating providers hand in (issue 16)."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from eth_abi import encode
from Crypto.Hash import keccak as pycryptodome_keccak

from steward.compute import capability, field, strategies, verify
from steward.compute.field import P
from steward.compute.merkle import MerkleTree
from steward.compute.merkle import verify as merkle_verify

SEED = bytes(range(32))


def reference_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a @ b) mod P with Python integers: slow, but exact by construction."""
    rows = [[sum(int(a[i, k]) * int(b[k, j]) for k in range(a.shape[1])) % P
             for j in range(b.shape[1])] for i in range(a.shape[0])]
    return np.array(rows, dtype=np.uint64)


def planted(c: np.ndarray, row: int, column: int, delta: int = 1) -> np.ndarray:
    wrong = c.copy()
    wrong[row, column] = (int(wrong[row, column]) + delta) % P
    return wrong


@pytest.fixture(scope="module")
def job32():
    a, b = field.inputs(b"job-32", 32)
    return a, b, field.matmul(a, b)


# --- field ---------------------------------------------------------------------------------------
def test_compute_matmul_matches_python_integers_in_one_and_many_chunks(monkeypatch):
    a, b = field.inputs(b"reference", 24)
    expected = reference_product(a, b)
    assert np.array_equal(field.matmul(a, b, "numpy"), expected)
    assert field.matmul(a, b).dtype == np.uint64
    monkeypatch.setattr(field, "_BLOCK_ELEMENTS", 50)        # A converted in several row blocks
    for chunk in (1, 5, 7, 24):                               # the inner dimension cut in chunks
        assert np.array_equal(field._matmul(a, b, "numpy", chunk=chunk), expected)
    # the largest entries: every product is (P−1)², the worst case for the float64 sums
    top = np.full((3, 40), P - 1, dtype=np.uint64)
    assert np.array_equal(field._matmul(top, top.T, "numpy", chunk=16),
                          reference_product(top, top.T))


def test_compute_matmul_is_exact_for_rectangles_and_vectors():
    a, b = field.inputs(b"rect", 20)
    left, right = a[:7], b[:, :5]                           # 7×20 times 20×5
    assert np.array_equal(field.matmul(left, right), reference_product(left, right))
    x = b[:, 3]
    assert np.array_equal(field.matvec(a, x), reference_product(a, x.reshape(-1, 1)).reshape(-1))


def test_compute_matmul_refuses_operands_that_break_exactness():
    a, b = field.inputs(b"range", 8)
    with pytest.raises(ValueError, match=r"values in \[0, 1048573\)"):
        field.matmul(planted(a, 0, 0, 0) + np.uint64(P), b)
    with pytest.raises(ValueError, match="chunk must be in 1..8192"):
        field._matmul(a, b, "numpy", chunk=8193)
    with pytest.raises(ValueError, match="cannot multiply shapes"):
        field.matmul(a[:, :3], b)


def test_compute_reduction_mod_p_is_exact_up_to_two_to_the_53():
    # multiples of P and their neighbours are where floor(x / P) in floats could be off by one
    multiples = [q * P for q in (1, 2, 3, 2**20, 2**32 + 12345, (2**53 - 1) // P)]
    values = [0, 1, P - 1, P, 2**53 - 1] + [m + d for m in multiples for d in (-1, 0, 1)]
    values += np.random.default_rng(11).integers(0, 2**53, 2000).tolist()
    values = [v for v in values if 0 <= v < 2**53]
    floats = np.array(values, dtype=np.float64)
    expected = [v % P for v in values]
    assert field._reduce(floats, np.floor).astype(np.int64).tolist() == expected   # GPU paths
    assert field._reduce_in_place(floats.copy()).astype(np.int64).tolist() == expected


def test_compute_backends_fall_back_to_numpy_and_name_what_is_missing(monkeypatch):
    field._detected.cache_clear()
    monkeypatch.setattr(field, "_torch_cuda", lambda: None)
    monkeypatch.setattr(field, "_cupy", lambda: None)
    try:
        assert field.available_backend() == "numpy"
        assert field.available_backend("numpy") == "numpy"
        with pytest.raises(RuntimeError, match="'torch' needs torch with a CUDA device"):
            field.available_backend("torch")
        with pytest.raises(ValueError, match="unknown backend 'tpu'"):
            field.available_backend("tpu")
    finally:
        field._detected.cache_clear()


def test_compute_inputs_are_reproducible_across_processes_and_depend_on_the_seed():
    a, b = field.inputs(b"seed-1", 16)
    again_a, again_b = field.inputs(b"seed-1", 16)
    assert np.array_equal(a, again_a) and np.array_equal(b, again_b)
    other_a, _ = field.inputs(b"seed-2", 16)
    assert not np.array_equal(a, other_a)
    assert not np.array_equal(a, b)
    assert a.dtype == np.uint64 and int(a.max()) < P
    assert field.inputs(b"seed-1", 4)[0].shape == (4, 4)
    script = ("from steward.compute.field import inputs; a, b = inputs(b'seed-1', 16); "
              "print(a.tobytes().hex() + b.tobytes().hex())")
    elsewhere = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True).stdout.strip()
    assert elsewhere == a.tobytes().hex() + b.tobytes().hex()


# --- Freivalds and locating fraud ----------------------------------------------------------------
def test_freivalds_accepts_the_product_and_rejects_one_wrong_entry(job32):
    a, b, c = job32
    rng = np.random.default_rng(1)
    assert verify.freivalds(a, b, c, 20, rng) == verify.FreivaldsResult(True, 20, None)
    result = verify.freivalds(a, b, planted(c, 13, 29), 20, rng)
    assert result == verify.FreivaldsResult(False, 20, 13)


def test_freivalds_rejects_an_entry_congruent_but_out_of_the_field(job32):
    a, b, c = job32
    lifted = c.copy()
    lifted[4, 9] += np.uint64(P)          # ≡ the right value mod P, but not a field element
    assert verify.freivalds(a, b, lifted, 20) == verify.FreivaldsResult(False, 20, 4)
    assert verify.locate_fraud(a, b, lifted) == (4, 9)
    with pytest.raises(ValueError, match="the result has shape"):
        verify.freivalds(a, b, c[:5], 4)


def test_freivalds_one_round_misses_a_single_wrong_entry_half_the_time(job32):
    a, b, c = job32
    rng = np.random.default_rng(2024)
    trials = 400
    escaped = sum(verify.freivalds(a, b, planted(c, int(i), int(j), int(d)), 1, rng).ok
                  for i, j, d in zip(rng.integers(0, 32, trials), rng.integers(0, 32, trials),
                                     rng.integers(1, P, trials)))
    # Binomial(400, 1/2): mean 200, sd 10; ±5 sd fails a right implementation ~1 in 2 million
    assert 150 <= escaped <= 250
    # ... and a rounds-k check is not secretly always right or always wrong
    assert 0 < escaped < trials


def test_freivalds_twenty_rounds_never_misses_in_two_hundred_frauds(job32):
    a, b, c = job32
    rng = np.random.default_rng(7)
    for trial in range(200):
        wrong = planted(c, trial % 32, (trial * 7) % 32, int(rng.integers(1, P)))
        assert not verify.freivalds(a, b, wrong, 20, rng).ok


def test_locate_fraud_finds_the_planted_entry_with_and_without_a_hint(job32):
    a, b, c = job32
    wrong = planted(c, 21, 3, 12345)
    found = verify.freivalds(a, b, wrong, 20)
    assert verify.locate_fraud(a, b, wrong, found.bad_row) == (21, 3)
    assert verify.locate_fraud(a, b, wrong) == (21, 3)
    assert verify.locate_fraud(a, b, wrong, bad_row=0) == (21, 3)   # a wrong hint: still found
    assert verify.locate_fraud(a, b, c) is None
    assert verify.locate_fraud(a, b, c, bad_row=5) is None


# --- how many checks -----------------------------------------------------------------------------
def cheater_ev_freivalds(collateral: int, price: int, k: int) -> Fraction:
    escape = Fraction(1, 2 ** k)
    return escape * price - (1 - escape) * collateral


@pytest.mark.parametrize("collateral, price", [(1, 1), (4, 1), (1, 3), (1, 4), (1, 1000),
                                               (10**6, 10**6 * 4), (3, 2**40)])
def test_rounds_for_is_the_fewest_rounds_with_a_losing_cheater(collateral, price):
    k = verify.rounds_for(collateral, price, floor=1)
    assert cheater_ev_freivalds(collateral, price, k) < 0
    if k > 1:
        assert cheater_ev_freivalds(collateral, price, k - 1) >= 0
    assert verify.rounds_for(collateral, price) == max(k, 16)        # the buyer's floor


def test_rounds_for_refuses_no_collateral_and_an_unreachable_cap():
    assert verify.rounds_for(1, 2, floor=1) == 2          # 2 < (2² − 1)·1, not < (2 − 1)·1
    assert verify.rounds_for(1, 3, floor=1) == 3          # a tie is not a loss: 3 < 3 fails
    with pytest.raises(ValueError, match="stakes no collateral"):
        verify.rounds_for(0, 10)
    with pytest.raises(ValueError, match="collateral 1 is too small for price 1000: even 8 "
                                         "rounds leave a cheater a positive expected value"):
        verify.rounds_for(1, 1000, floor=1, cap=8)
    assert verify.rounds_for(1, 1000, floor=1, cap=10) == 10


def test_escape_probability_matches_brute_force_enumeration():
    for n in range(1, 7):
        for bad in range(n + 1):
            wrong = set(range(bad))
            for samples in range(n + 1):
                draws = list(itertools.combinations(range(n), samples))
                missed = sum(1 for draw in draws if not wrong.intersection(draw))
                assert verify.escape_probability(bad, n, samples) == Fraction(missed, len(draws))
    with pytest.raises(ValueError, match="need 0 ≤ bad ≤ n"):
        verify.escape_probability(5, 4, 1)


def deters(collateral: int, price: int, n: int, samples: int) -> bool:
    for bad in range(1, n + 1):
        escape = verify.escape_probability(bad, n, samples)
        if escape * Fraction(bad, n) * price >= (1 - escape) * collateral:
            return False
    return True


@pytest.mark.parametrize("collateral, price", [(1, 1), (1, 5), (1, 40), (2, 7), (1, 1000)])
def test_sample_size_for_is_the_fewest_samples_with_a_losing_cheater(collateral, price):
    n = 40
    s = verify.sample_size_for(collateral, price, n, floor=1)
    assert 1 <= s <= n and deters(collateral, price, n, s)
    if s > 1:
        assert not deters(collateral, price, n, s - 1)
    assert verify.sample_size_for(collateral, price, n) == min(max(s, 8), n)


def test_sample_size_for_stays_within_n_and_needs_collateral():
    assert verify.sample_size_for(1, 10**9, 12) == 12
    assert verify.sample_size_for(10, 1, 5) == 5          # the floor 8 is capped at n
    assert verify.sample_size_for(1, 5, 40, floor=1) > 1  # a small stake needs more samples
    with pytest.raises(ValueError, match="stakes no collateral"):
        verify.sample_size_for(0, 5, 40)


# --- the hash-chain job --------------------------------------------------------------------------
def independent_keccak(data: bytes) -> bytes:
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


def test_hash_item_is_the_chain_the_contract_recomputes():
    for index, rounds in [(0, 0), (1, 1), (7, 3), (2**200, 5)]:
        digest = independent_keccak(encode(["bytes32", "uint256"], [SEED, index]))
        for _ in range(rounds):
            digest = independent_keccak(digest)
        assert verify.hash_item(SEED, index, rounds) == int.from_bytes(digest, "big")
    assert verify.hash_items(SEED, 3, 2) == [verify.hash_item(SEED, i, 2) for i in range(3)]
    with pytest.raises(ValueError, match="the job seed must be 32 bytes, not 31"):
        verify.hash_item(SEED[:31], 0, 1)


def test_check_items_names_exactly_the_wrong_items():
    items = verify.hash_items(SEED, 10, 3)
    opened = {i: items[i] for i in (0, 4, 9)}
    assert verify.check_items(SEED, 3, opened) == []
    opened[4] ^= 1
    opened[9] = items[8]
    assert verify.check_items(SEED, 3, opened) == [4, 9]
    assert verify.check_items(SEED, 2, {0: items[0]}) == [0]    # other rounds: other values


# --- the capability challenge --------------------------------------------------------------------
@pytest.fixture(scope="module")
def answered():
    challenge = capability.issue(0.001, seed=b"capability-seed", n_min=64)  # 1 MFLOPS: n = 64
    return challenge, capability.respond(challenge.seed, challenge.n, backend="numpy")


def opened_rows(commitment, rows):
    return {i: commitment.open(i) for i in rows}


def test_capability_an_honest_answer_in_time_passes(answered):
    challenge, commitment = answered
    assert challenge.n == 64
    rows = capability.pick_rows(challenge.n, challenge.rows)
    assert len(set(rows)) == 8 and all(0 <= i < 64 for i in rows)
    verdict = capability.check(challenge, challenge.deadline_seconds * 0.9, commitment.root,
                               opened_rows(commitment, rows), asked=rows)
    assert verdict.passed, verdict.reason
    assert verdict.n == 64 and verdict.deadline_seconds == challenge.deadline_seconds
    assert "all 8 opened rows are exactly right" in verdict.reason


def test_capability_a_late_answer_fails(answered):
    challenge, commitment = answered
    rows = list(range(8))
    late = challenge.deadline_seconds + 0.01
    verdict = capability.check(challenge, late, commitment.root, opened_rows(commitment, rows))
    assert not verdict.passed and verdict.reason.startswith("late: the commitment came after")
    assert verdict.elapsed_seconds == late


def test_capability_a_wrong_row_fails_even_when_properly_committed(answered):
    challenge, commitment = answered
    forged = commitment.matrix.copy()
    forged[5, 11] = (int(forged[5, 11]) + 1) % P      # a committed matrix that is not A·B
    dishonest = capability.RowCommitment(forged)
    rows = [5, 1, 2, 3, 4, 6, 7, 8]
    verdict = capability.check(challenge, 0.0, dishonest.root, opened_rows(dishonest, rows),
                               asked=rows)
    assert not verdict.passed
    assert verdict.reason == ("row 5 is not row 5 of A·B: 1 of its 64 entries are wrong (the "
                              "commitment is not to the product)")


def test_capability_a_forged_opening_fails(answered):
    challenge, commitment = answered
    rows = list(range(8))
    opened = opened_rows(commitment, rows)
    values, proof = opened[3]
    opened[3] = (values, [bytes(32)] + proof[1:])                  # a forged sibling
    verdict = capability.check(challenge, 0.0, commitment.root, opened)
    assert not verdict.passed and verdict.reason.startswith("row 3's opening does not match")
    right = commitment.open(2)[0]
    opened = opened_rows(commitment, rows)
    opened[3] = (right, opened[3][1])                              # row 2's values as row 3
    assert capability.check(challenge, 0.0, commitment.root, opened).reason.startswith(
        "row 3's opening does not match")
    # a value 2**32 above the committed one has the same low 32 bits: it must not pass as it
    assert capability.verify_row(commitment.root, 3, values, proof, 64)
    wrapped = [values[0] + 2**32] + values[1:]
    assert not capability.verify_row(commitment.root, 3, wrapped, proof, 64)


def test_capability_too_few_or_other_rows_fail(answered):
    challenge, commitment = answered
    verdict = capability.check(challenge, 0.0, commitment.root,
                               opened_rows(commitment, range(7)))
    assert not verdict.passed and verdict.reason == "too few rows opened: 7 of the 8 asked"
    asked = list(range(10, 18))
    verdict = capability.check(challenge, 0.0, commitment.root, opened_rows(commitment, range(8)),
                               asked=asked)
    assert not verdict.passed and verdict.reason.startswith("too few rows opened: 8 of the 8 "
                                                            "asked (missing rows [10, 11")
    opened = opened_rows(commitment, range(8))
    opened[64] = opened[0]
    assert capability.check(challenge, 0.0, commitment.root, opened).reason == (
        "a row outside 0..63 was opened")


def test_capability_issue_sizes_the_product_to_the_claim_and_clamps():
    small, big = capability.issue(20.0), capability.issue(2000.0)
    assert small.n < big.n and small.n % 64 == 0 and big.n % 64 == 0
    assert small.n == 64 * round((0.5 * 20e9 / 2) ** (1 / 3) / 64)
    assert small.expected_seconds == pytest.approx(2 * small.n ** 3 / 20e9)
    assert small.deadline_seconds == pytest.approx(3 * small.expected_seconds + 0.3)
    assert capability.issue(0.001).n == 256 and capability.issue(10**7).n == 4096
    assert capability.issue(10**7, n_max=1024).n == 1024
    assert len(small.seed) == 32 and small.seed != capability.issue(20.0).seed
    with pytest.raises(ValueError, match="a claim needs a positive GFLOPS figure"):
        capability.issue(0)
    assert capability.measure_gflops("numpy", n=128) > 0       # a figure, never a timing bound


# --- strategies ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def matmul_inputs():
    return field.inputs(SEED, 32)


def test_strategies_honest_matmul_output_verifies_and_is_committed(matmul_inputs):
    a, b = matmul_inputs
    out = strategies.produce("honest", "matmul", SEED, 32, 0, 0, backend="numpy")
    assert not out.cheated and np.array_equal(out.values, reference_product(a, b))
    assert verify.freivalds(a, b, out.values, 20).ok
    assert out.root == MerkleTree.of_rows(out.values).root == out.tree.root
    assert merkle_verify(out.root, 7, out.values[7], out.tree.proof(7), 32)


@pytest.mark.parametrize("strategy, jobs_done", [("random", 0), ("partial", 0),
                                                 ("honest-until-trusted", 2)])
def test_strategies_cheating_matmul_outputs_are_caught_by_freivalds(strategy, jobs_done,
                                                                    matmul_inputs):
    a, b = matmul_inputs
    rng = np.random.default_rng(3)
    out = strategies.produce(strategy, "matmul", SEED, 32, 0, jobs_done, backend="numpy",
                             partial_fraction=0.75, rng=rng)
    assert out.cheated and out.root == MerkleTree.of_rows(out.values).root
    result = verify.freivalds(a, b, out.values, 20, rng)
    assert not result.ok
    i, j = verify.locate_fraud(a, b, out.values, result.bad_row)
    assert out.values[i, j] != reference_product(a[i:i + 1], b)[0, j]
    if strategy == "partial":           # the first ceil(0.75·32) = 24 rows are right
        assert np.array_equal(out.values[:24], reference_product(a[:24], b))
        assert result.bad_row >= 24


def test_strategies_honest_until_trusted_is_honest_while_new():
    for done in (0, 1):
        out = strategies.produce("honest-until-trusted", "hashchain", SEED, 16, 2, done)
        assert not out.cheated and verify.check_items(SEED, 2, dict(enumerate(out.values))) == []
    later = strategies.produce("honest-until-trusted", "hashchain", SEED, 16, 2, 5, trust_after=5)
    assert later.cheated and len(verify.check_items(SEED, 2, dict(enumerate(later.values)))) == 16


def test_strategies_skip_commits_to_nothing_it_can_open(matmul_inputs):
    honest = strategies.produce("honest", "matmul", SEED, 32, 0, 0, backend="numpy")
    skipped = [strategies.produce("skip", "matmul", SEED, 32, 0, 0) for _ in range(2)]
    for out in skipped:
        assert out.cheated and out.values is None and out.tree is None and len(out.root) == 32
        assert out.root != honest.root
        assert not any(merkle_verify(out.root, i, honest.values[i], honest.tree.proof(i), 32)
                       for i in range(32))
    assert skipped[0].root != skipped[1].root
    items = strategies.produce("skip", "hashchain", SEED, 8, 1, 0)
    assert items.values is None and items.root != strategies.produce(
        "honest", "hashchain", SEED, 8, 1, 0).root


def test_strategies_honest_hashchain_verifies_and_random_is_caught_by_sampling():
    honest = strategies.produce("honest", "hashchain", SEED, 64, 2, 0)
    assert honest.values == verify.hash_items(SEED, 64, 2)
    assert honest.root == MerkleTree.of_items(honest.values).root
    assert verify.check_items(SEED, 2, dict(enumerate(honest.values))) == []
    cheat = strategies.produce("random", "hashchain", SEED, 64, 2, 0,
                               rng=np.random.default_rng(5))
    sample = np.random.default_rng(6).choice(64, 8, replace=False)
    assert verify.check_items(SEED, 2, {int(i): cheat.values[i] for i in sample}) == sorted(
        int(i) for i in sample)


def test_strategies_partial_hashchain_is_caught_as_often_as_the_bound_says():
    n, fraction, samples = 64, 0.9, 12
    out = strategies.produce("partial", "hashchain", SEED, n, 1, 0, partial_fraction=fraction,
                             rng=np.random.default_rng(8))
    wrong = verify.check_items(SEED, 1, dict(enumerate(out.values)))
    assert wrong == list(range(math.ceil(fraction * n), n))        # 58 right, 6 wrong
    escape = verify.escape_probability(len(wrong), n, samples)
    assert 0.25 < escape < 0.35                                     # one run could go either way
    rng = np.random.default_rng(9)
    trials = 300
    caught = sum(bool(set(wrong).intersection(rng.choice(n, samples, replace=False).tolist()))
                 for _ in range(trials))
    expected, sd = trials * (1 - escape), math.sqrt(trials * escape * (1 - escape))
    assert abs(caught - expected) < 5 * sd
    # and the size sample_size_for picks makes this cheat a losing bet at a 1:1 stake
    s = verify.sample_size_for(100, 100, n, floor=1)
    gain = Fraction(len(wrong), n) * 100
    assert verify.escape_probability(len(wrong), n, s) * gain < (
        1 - verify.escape_probability(len(wrong), n, s)) * 100


def test_strategies_input_roots_commit_to_rows_of_a_and_columns_of_b(matmul_inputs):
    a, b = matmul_inputs
    root_a, root_b = strategies.input_roots(SEED, 32)
    assert root_a == MerkleTree.of_rows(a).root and root_a != root_b
    column = MerkleTree.of_rows(b.T)
    assert root_b == column.root and merkle_verify(root_b, 5, b[:, 5], column.proof(5), 32)
    assert strategies.input_roots(SEED[::-1], 32) != (root_a, root_b)


def test_strategies_refuse_unknown_names():
    with pytest.raises(ValueError, match="unknown strategy 'lazy'"):
        strategies.produce("lazy", "matmul", SEED, 4, 0, 0)
    with pytest.raises(ValueError, match="unknown job kind 'fft'"):
        strategies.produce("honest", "fft", SEED, 4, 0, 0)
