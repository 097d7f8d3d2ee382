"""ComputeMarket.vy on the embedded sandbox (issue 16): staked providers, escrowed matmul and
hash-chain jobs, and wrong results proven on chain from Merkle rows (steward.compute.merkle's
format): one wrong entry, an out-of-field entry, an unanswered row challenge or no delivery
each slash the provider's collateral to the buyer. Wallets act as development accounts sending
raw transactions."""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from eth_abi import encode
from eth_hash.auto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

import guarded_tx
from conftest import steward_home_at
from steward import chains
from steward.chains.config import load_config
from steward.chains.embedded import dev_account
from steward.compute.merkle import MerkleTree
from steward.contracts import abi
from steward.plans import Call
from steward.sandbox import SandboxBuilder

L1 = "sandbox-l1"
ETH = 10**18
P = 1048573
MATMUL, HASHCHAIN = 1, 2
POSTED, ACCEPTED, COMMITTED, CHALLENGED, SETTLED, SLASHED, REFUNDED = range(1, 8)
MIN_STAKE, RESPONSE = 10_000_000, 600
STAKE, PRICE, COLLATERAL = 20_000_000, 3_000_007, 5_000_000
WINDOW, DELIVERY = 1_000, 3_000  # challenge window and delivery deadline, in seconds
BUYER, PROVIDER, STRANGER, NEWCOMER = 1, 2, 3, 4
ALLOWANCE = 10**12
ZERO32 = b"\0" * 32
JOB_FIELDS = ("buyer", "provider", "kind", "n", "rounds", "seed", "root_a", "root_b", "price",
              "collateral", "deliver_by", "challenge_seconds", "state", "result_root",
              "challenge_ends", "challenged_index", "response_deadline")
PROVIDER_FIELDS = ("registered", "stake", "locked", "hardware", "claimed_gflops", "endpoint",
                   "jobs_settled", "jobs_slashed")


@functools.cache
def account(index: int):
    return dev_account(index)


@pytest.fixture(scope="module")
def compute_template(embedded_template, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The sandbox plus ComputeMarket(USDC, 10 USDC minimum stake, 600 s to answer) and a
    Reputation reading the sandbox's agent registry and this market; a buyer and two providers
    holding USDC with the market approved, PROVIDER registered with STAKE; built once."""
    home = tmp_path_factory.mktemp("compute-contracts") / "home"
    shutil.copytree(embedded_template, home)
    with steward_home_at(home):
        builder = SandboxBuilder()
        chain = load_config().chain(L1)
        market = builder.deploy(chain, "ComputeMarket", chain.tokens["USDC"], MIN_STAKE, RESPONSE)
        registry = chain.contracts["agent_registry"]
        addresses = {"market": market, "registry": registry,
                     "reputation": builder.deploy(chain, "Reputation", registry, market)}
        for index in (BUYER, PROVIDER, NEWCOMER):
            builder.top_up(chain, account(index).address, f"test account {index}")
        builder.send(chain, Call(to=account(STRANGER).address, value=ETH,
                                 description="gas money for the stranger"))
        world = connect(addresses)
        for index in (BUYER, PROVIDER, NEWCOMER):
            world.act(index, world.usdc, "approve", market, ALLOWANCE)
        world.act(PROVIDER, world.market, "register", STAKE, "8x H200", 7_900_000,
                  "https://provider.example/jobs")
    return home, addresses


@dataclass
class World(guarded_tx.DevAccountWorld):
    w3: Web3
    market: Contract
    usdc: Contract
    registry: Contract
    reputation: Contract

    def balance(self, who: int | str) -> int:
        address = account(who).address if isinstance(who, int) else who
        return self.usdc.functions.balanceOf(address).call()

    def job(self, job_id: int) -> dict:
        return dict(zip(JOB_FIELDS, self.market.functions.job(job_id).call()))

    def provider(self, who: int = PROVIDER) -> dict:
        return dict(zip(PROVIDER_FIELDS,
                        self.market.functions.provider(account(who).address).call()))


def connect(addresses: dict[str, str]) -> World:
    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    return World(w3=w3,
                 market=w3.eth.contract(address=addresses["market"], abi=abi("ComputeMarket")),
                 usdc=w3.eth.contract(address=chain.tokens["USDC"], abi=abi("ERC20")),
                 registry=w3.eth.contract(address=addresses["registry"], abi=abi("AgentRegistry")),
                 reputation=w3.eth.contract(address=addresses["reputation"],
                                            abi=abi("Reputation")))


@pytest.fixture
def world(compute_template, steward_home) -> World:
    home, addresses = compute_template
    shutil.copytree(home, steward_home)
    return connect(addresses)


logs, refused = guarded_tx.logs, guarded_tx.refused


# ------------------------------------------------------------------------ jobs and their data


def ints(row) -> list[int]:
    return [int(value) for value in row]


@dataclass
class Matmul:
    """A matmul job: the buyer's A and B (and their trees), the provider's committed C."""
    job_id: int
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    a_tree: MerkleTree
    b_tree: MerkleTree
    c_tree: MerkleTree

    def fraud_args(self, i: int, j: int) -> list:
        """prove_matmul_fraud's arguments for entry (i, j), all honestly proven."""
        return [self.job_id, i, j, ints(self.c[i]), self.c_tree.proof(i), ints(self.a[i]),
                self.a_tree.proof(i), ints(self.b[:, j]), self.b_tree.proof(j)]


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A.B mod P, exactly: entries below 2**21 (in the field, or one P above it) give products
    below 2**42, and sums of up to 512 of them stay below 2**51, far inside int64."""
    return (a.astype(np.int64) @ b.astype(np.int64)) % P


def post(world: World, kind: int, n: int, rounds: int = 0, seed: bytes = ZERO32,
         root_a: bytes = ZERO32, root_b: bytes = ZERO32, price: int = PRICE,
         collateral: int = COLLATERAL, challenge: int = WINDOW) -> tuple[int, dict]:
    """A job BUYER posts to PROVIDER now; returns (job_id, the post receipt)."""
    receipt = world.act(BUYER, world.market, "post_job", account(PROVIDER).address, kind, n,
                        rounds, seed, root_a, root_b, price, collateral,
                        world.now() + DELIVERY, challenge)
    (name, posted), = logs(world.market, receipt)
    assert name == "JobPosted"
    return posted["job_id"], receipt


def matrices(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The buyer's A and B for width n: random below P, the same for the same n."""
    rng = np.random.default_rng(n)
    return (rng.integers(0, P, size=(n, n), dtype=np.int64),
            rng.integers(0, P, size=(n, n), dtype=np.int64))


def right_entry(n: int, i: int, j: int) -> int:
    return int(product(*matrices(n))[i, j])


def matmul_job(world: World, n: int, wrong: dict | None = None, commit: bool = True) -> Matmul:
    """A matmul job on `matrices(n)`, accepted by PROVIDER and (by default) committed with
    C = A.B mod P except for `wrong`'s {(i, j): value} entries."""
    a, b = matrices(n)
    c = product(a, b).astype(np.uint64)
    for (i, j), value in (wrong or {}).items():
        assert value != c[i, j], "a wrong entry must differ from the right one"
    c = c.copy()
    for (i, j), value in (wrong or {}).items():
        c[i, j] = value
    job = Matmul(0, a, b, c, MerkleTree.of_rows(a), MerkleTree.of_rows(b.T),
                 MerkleTree.of_rows(c))
    job.job_id, _ = post(world, MATMUL, n, root_a=job.a_tree.root, root_b=job.b_tree.root)
    world.act(PROVIDER, world.market, "accept_job", job.job_id)
    if commit:
        world.act(PROVIDER, world.market, "commit_result", job.job_id, job.c_tree.root)
    return job


def hash_chain(seed: bytes, index: int, rounds: int) -> int:
    h = keccak(encode(["bytes32", "uint256"], [seed, index]))
    for _ in range(rounds):
        h = keccak(h)
    return int.from_bytes(h, "big")


# ------------------------------------------------------------------------ providers


def test_compute_market_register_stakes_and_refuses_a_small_or_second_stake(world):
    newcomer, market = account(NEWCOMER).address, world.market
    before = world.balance(NEWCOMER), world.balance(market.address)
    refused("stake below minimum", world, NEWCOMER, market, "register", MIN_STAKE - 1, "cpu",
            1, "")
    receipt = world.act(NEWCOMER, market, "register", MIN_STAKE, "1x RTX 4090", 82_600,
                        "tcp://gpu.example:7000")
    assert logs(market, receipt) == [("ProviderRegistered", {
        "provider": newcomer, "stake": MIN_STAKE, "hardware": "1x RTX 4090",
        "claimed_gflops": 82_600, "endpoint": "tcp://gpu.example:7000"})]
    assert world.provider(NEWCOMER) == {
        "registered": True, "stake": MIN_STAKE, "locked": 0, "hardware": "1x RTX 4090",
        "claimed_gflops": 82_600, "endpoint": "tcp://gpu.example:7000", "jobs_settled": 0,
        "jobs_slashed": 0}
    assert (world.balance(NEWCOMER), world.balance(market.address)) == (
        before[0] - MIN_STAKE, before[1] + MIN_STAKE)
    refused("already registered", world, NEWCOMER, market, "register", MIN_STAKE, "x", 1, "")
    refused("already registered", world, PROVIDER, market, "register", MIN_STAKE, "x", 1, "")

    world.act(NEWCOMER, market, "add_stake", 7)
    assert logs(market, world.act(NEWCOMER, market, "withdraw_stake", 5)) == [
        ("StakeWithdrawn", {"provider": newcomer, "amount": 5})]
    assert world.provider(NEWCOMER)["stake"] == MIN_STAKE + 2
    assert world.balance(NEWCOMER) == before[0] - MIN_STAKE - 2
    refused("stake is locked", world, NEWCOMER, market, "withdraw_stake", MIN_STAKE + 3)
    refused("not registered", world, STRANGER, market, "add_stake", 1)
    refused("not registered", world, STRANGER, market, "withdraw_stake", 1)
    refused("not registered", world, STRANGER, market, "update_listing", "x", 1, "")
    assert world.provider(STRANGER)["registered"] is False
    # a restarted worker lists its new endpoint; the stake and record stay as they were
    assert logs(market, world.act(NEWCOMER, market, "update_listing", "1x RTX 4090", 80_000,
                                  "http://127.0.0.1:7001")) == [("ListingUpdated", {
        "provider": newcomer, "hardware": "1x RTX 4090", "claimed_gflops": 80_000,
        "endpoint": "http://127.0.0.1:7001"})]
    assert world.provider(NEWCOMER)["endpoint"] == "http://127.0.0.1:7001"
    assert world.provider(NEWCOMER)["stake"] == MIN_STAKE + 2
    assert (market.functions.token().call(), market.functions.min_stake().call(),
            market.functions.response_seconds().call()) == (world.usdc.address, MIN_STAKE,
                                                            RESPONSE)


def test_compute_market_post_job_escrows_the_price_and_checks_its_terms(world):
    buyer, provider, market = account(BUYER).address, account(PROVIDER).address, world.market
    before = world.balance(BUYER), world.balance(market.address)
    seed, root_a, root_b = keccak(b"seed"), keccak(b"rows of A"), keccak(b"columns of B")
    job_id, receipt = post(world, MATMUL, 4, 0, seed, root_a, root_b)
    posted = logs(market, receipt)[0][1]
    assert job_id == 1 and market.functions.next_job_id().call() == 2
    assert posted == {"job_id": 1, "buyer": buyer, "provider": provider, "kind": MATMUL, "n": 4,
                      "rounds": 0, "seed": seed, "root_a": root_a, "root_b": root_b,
                      "price": PRICE, "collateral": COLLATERAL,
                      "deliver_by": posted["deliver_by"], "challenge_seconds": WINDOW}
    assert world.job(1) == {**{k: posted[k] for k in JOB_FIELDS if k in posted},
                            "state": POSTED, "result_root": ZERO32, "challenge_ends": 0,
                            "challenged_index": 0, "response_deadline": 0}
    assert (world.balance(BUYER), world.balance(market.address)) == (
        before[0] - PRICE, before[1] + PRICE)
    assert market.functions.jobFunded(1).call() and not market.functions.jobFinal(1).call()
    assert market.functions.jobClient(1).call() == buyer
    assert market.functions.jobProvider(1).call() == provider
    assert not market.functions.jobFunded(2).call() and world.job(2)["state"] == 0

    later = world.now() + DELIVERY
    terms = [provider, MATMUL, 4, 0, seed, root_a, root_b, PRICE, COLLATERAL, later, WINDOW]
    for reason, changes in (
            ("unknown provider", {0: account(STRANGER).address}),
            ("unknown kind", {1: 0}), ("unknown kind", {1: 3}),
            ("n out of range", {2: 0}), ("n out of range", {2: 513}),
            ("rounds out of range", {1: HASHCHAIN, 3: 0}),
            ("rounds out of range", {1: HASHCHAIN, 3: 4097}),
            ("zero price", {7: 0}),
            ("delivery deadline in the past", {9: world.now() - 1}),
            ("zero challenge window", {10: 0}),
    ):
        args = [changes.get(k, v) for k, v in enumerate(terms)]
        refused(reason, world, BUYER, market, "post_job", *args)
    refused("provider cannot be the buyer", world, PROVIDER, market, "post_job", *terms)
    refused("insufficient allowance", world, STRANGER, market, "post_job", *terms)
    refused("no such job", world, PROVIDER, market, "accept_job", 9)


# ------------------------------------------------------------------------ honest settlement


def test_compute_market_honest_matmul_job_is_released_and_rated(world):
    market, provider = world.market, account(PROVIDER).address
    buyer_before, provider_before = world.balance(BUYER), world.balance(PROVIDER)
    job = matmul_job(world, 8, commit=False)
    assert world.provider()["locked"] == COLLATERAL and world.job(job.job_id)["state"] == ACCEPTED
    refused("no such job", world, BUYER, market, "release", job.job_id + 1)
    receipt = world.act(PROVIDER, market, "commit_result", job.job_id, job.c_tree.root)
    record = world.job(job.job_id)
    assert logs(market, receipt) == [("ResultCommitted", {
        "job_id": job.job_id, "result_root": job.c_tree.root,
        "challenge_ends": record["challenge_ends"]})]
    assert record["state"] == COMMITTED and record["result_root"] == job.c_tree.root
    assert record["challenge_ends"] == world.w3.eth.get_block("latest")["timestamp"] + WINDOW
    refused("not the buyer", world, STRANGER, market, "release", job.job_id)
    refused("job not final", world, BUYER, world.reputation, "giveFeedback", 1, job.job_id, 90,
            ZERO32, ZERO32)

    receipt = world.act(BUYER, market, "release", job.job_id)
    assert logs(market, receipt) == [("Settled", {"job_id": job.job_id, "provider": provider,
                                                  "price": PRICE})]
    assert world.balance(BUYER) == buyer_before - PRICE
    assert world.balance(PROVIDER) == provider_before + PRICE
    assert world.provider() == {
        "registered": True, "stake": STAKE, "locked": 0, "hardware": "8x H200",
        "claimed_gflops": 7_900_000, "endpoint": "https://provider.example/jobs",
        "jobs_settled": 1, "jobs_slashed": 0}
    assert world.job(job.job_id)["state"] == SETTLED
    assert market.functions.jobFinal(job.job_id).call()
    # settled once: neither a second release nor a claim pays again
    refused("job not committed", world, BUYER, market, "release", job.job_id)
    refused("job not committed", world, STRANGER, market, "claim_payment", job.job_id)
    refused("no result to dispute", world, BUYER, market, "prove_matmul_fraud",
            *job.fraud_args(0, 0))

    # the provider is a registered agent, so the buyer can rate it for this paid job
    agent_receipt = world.act(PROVIDER, world.registry, "register", "https://provider.example")
    agent_id = world.registry.events.Registered().process_receipt(
        agent_receipt, errors=DISCARD)[0].args.agentId
    refused("not the job's client", world, STRANGER, world.reputation, "giveFeedback", agent_id,
            job.job_id, 90, ZERO32, ZERO32)
    world.act(BUYER, world.reputation, "giveFeedback", agent_id, job.job_id, 90, ZERO32, ZERO32)
    assert world.reputation.functions.summary(agent_id).call() == [1, 90]
    refused("feedback already given", world, BUYER, world.reputation, "giveFeedback", agent_id,
            job.job_id, 10, ZERO32, ZERO32)


def test_compute_market_claim_payment_waits_for_the_challenge_window(world):
    job = matmul_job(world, 4)
    provider_before = world.balance(PROVIDER)
    refused("challenge window open", world, STRANGER, world.market, "claim_payment", job.job_id)
    world.pass_time_to(world.job(job.job_id)["challenge_ends"])
    receipt = world.act(STRANGER, world.market, "claim_payment", job.job_id)
    assert [name for name, _ in logs(world.market, receipt)] == ["Settled"]
    assert world.balance(PROVIDER) == provider_before + PRICE
    assert world.provider()["locked"] == 0 and world.provider()["jobs_settled"] == 1
    refused("job not committed", world, BUYER, world.market, "release", job.job_id)
    refused("job not committed", world, STRANGER, world.market, "claim_payment", job.job_id)
    refused("job not committed", world, BUYER, world.market, "challenge_row", job.job_id, 0)


# ------------------------------------------------------------------------ matmul fraud


def test_compute_market_a_wrong_entry_is_proven_and_slashed(world):
    n, (i, j) = 8, (5, 2)
    job = matmul_job(world, n, wrong={(i, j): (right_entry(n, i, j) + 1) % P})
    buyer_before, held = world.balance(BUYER), world.balance(world.market.address)
    receipt = world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(i, j))
    assert logs(world.market, receipt) == [("Slashed", {
        "job_id": job.job_id, "provider": account(PROVIDER).address,
        "buyer": account(BUYER).address, "collateral": COLLATERAL, "reason": "wrong result"})]
    assert world.balance(BUYER) == buyer_before + PRICE + COLLATERAL
    assert world.balance(world.market.address) == held - PRICE - COLLATERAL
    assert world.provider()["stake"] == STAKE - COLLATERAL
    assert (world.provider()["locked"], world.provider()["jobs_slashed"]) == (0, 1)
    assert world.job(job.job_id)["state"] == SLASHED
    assert world.market.functions.jobFinal(job.job_id).call()
    refused("no result to dispute", world, BUYER, world.market, "prove_matmul_fraud",
            *job.fraud_args(i, j))
    world.pass_time_to(world.job(job.job_id)["challenge_ends"])
    refused("job not committed", world, STRANGER, world.market, "claim_payment", job.job_id)


def test_compute_market_a_correct_entry_cannot_be_proven_wrong(world):
    job = matmul_job(world, 6, wrong={(1, 1): 0})  # (1, 1) is wrong; its neighbours are right
    for i, j in ((1, 0), (1, 5), (0, 1), (5, 5)):
        refused("result is correct", world, BUYER, world.market, "prove_matmul_fraud",
                *job.fraud_args(i, j))
    assert world.job(job.job_id)["state"] == COMMITTED and world.provider()["jobs_slashed"] == 0
    world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(1, 1))


def test_compute_market_fraud_proofs_must_sit_under_their_roots(world):
    n, (i, j) = 8, (3, 6)
    job = matmul_job(world, n, wrong={(i, j): 12345})
    good = job.fraud_args(i, j)

    def attempt(reason: str, **changes):
        names = ("job_id", "i", "j", "c_row", "c_proof", "a_row", "a_proof", "b_col", "b_proof")
        args = [changes.get(name, value) for name, value in zip(names, good)]
        refused(reason, world, BUYER, world.market, "prove_matmul_fraud", *args)

    # a result row the provider never committed (the buyer's own "C")
    honest_c = ints(product(job.a, job.b)[i])
    attempt("bad result proof", c_row=honest_c[:j] + [honest_c[j] + 1] + honest_c[j + 1:])
    attempt("bad result proof", c_proof=job.c_tree.proof(i ^ 1))
    attempt("bad result proof", i=i ^ 1)  # the row and proofs of i, claimed for another row
    attempt("bad result proof", c_proof=job.c_tree.proof(i)[:-1])  # one level short
    attempt("bad result proof", c_proof=job.c_tree.proof(i) + [ZERO32])  # one level long
    # a forged A row (the one that would make the committed entry look wrong)
    forged = ints(job.a[i])
    forged[0] = (forged[0] + 1) % P
    attempt("bad row proof", a_row=forged)
    attempt("bad row proof", a_row=ints(job.a[i ^ 1]), a_proof=job.a_tree.proof(i ^ 1))
    # B's row j is not B's column j
    attempt("bad column proof", b_col=ints(job.b[j]))
    attempt("bad column proof", b_proof=job.b_tree.proof(j ^ 1))
    attempt("index out of range", j=n)
    attempt("wrong row length", c_row=ints(job.c[i]) + [0])
    attempt("wrong row length", a_row=ints(job.a[i])[:-1])
    assert world.job(job.job_id)["state"] == COMMITTED
    world.act(BUYER, world.market, "prove_matmul_fraud", *good)


def test_compute_market_only_the_buyer_proves_fraud_and_only_in_the_window(world):
    job = matmul_job(world, 4, wrong={(0, 0): P - 1})
    args = job.fraud_args(0, 0)
    for who in (STRANGER, PROVIDER):
        refused("not the buyer", world, who, world.market, "prove_matmul_fraud", *args)
    refused("not a hashchain job", world, BUYER, world.market, "prove_hash_fraud", job.job_id,
            0, 1, [])
    world.pass_time_to(world.job(job.job_id)["challenge_ends"])
    refused("challenge window closed", world, BUYER, world.market, "prove_matmul_fraud", *args)
    refused("challenge window closed", world, BUYER, world.market, "challenge_row", job.job_id, 0)
    # the window passed unchallenged: the (wrong) result is paid, as the terms said
    world.act(STRANGER, world.market, "claim_payment", job.job_id)
    assert world.job(job.job_id)["state"] == SETTLED


def test_compute_market_an_out_of_field_entry_is_fraud_by_itself(world):
    """C[i][j] + P is congruent to the right value, so only its being >= P is wrong."""
    n, (i, j) = 4, (2, 3)
    job = matmul_job(world, n, wrong={(i, j): right_entry(n, i, j) + P})
    refused("result is correct", world, BUYER, world.market, "prove_matmul_fraud",
            *job.fraud_args(i, (j + 1) % n))
    receipt = world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(i, j))
    assert logs(world.market, receipt)[0][1]["reason"] == "wrong result"
    assert world.job(job.job_id)["state"] == SLASHED


def test_compute_market_proves_fraud_at_64_and_at_the_widest_512(world):
    for n in (64, 512):
        job = matmul_job(world, n, wrong={(n - 1, 17): 7})
        world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(n - 1, 17))
        assert world.job(job.job_id)["state"] == SLASHED


def test_compute_market_inputs_must_be_in_the_field(world):
    """A buyer whose own A holds a value >= P cannot prove an entry wrong with that row."""
    n, (i, j) = 4, (1, 2)
    job = matmul_job(world, n, wrong={(i, j): (right_entry(n, i, j) + 1) % P})
    a = job.a.copy()
    a[i, 0] += P
    job.a, job.a_tree = a, MerkleTree.of_rows(a)
    job.job_id, _ = post(world, MATMUL, n, root_a=job.a_tree.root, root_b=job.b_tree.root)
    world.act(PROVIDER, world.market, "accept_job", job.job_id)
    world.act(PROVIDER, world.market, "commit_result", job.job_id, job.c_tree.root)
    refused("input out of field", world, BUYER, world.market, "prove_matmul_fraud",
            *job.fraud_args(i, j))
    # another row of the same A is in the field, and proves its own wrong entry
    job.c[i - 1, j] = (job.c[i - 1, j] + 1) % P
    job.c_tree = MerkleTree.of_rows(job.c)
    job.job_id, _ = post(world, MATMUL, n, root_a=job.a_tree.root, root_b=job.b_tree.root)
    world.act(PROVIDER, world.market, "accept_job", job.job_id)
    world.act(PROVIDER, world.market, "commit_result", job.job_id, job.c_tree.root)
    world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(i - 1, j))
    assert world.job(job.job_id)["state"] == SLASHED


# ------------------------------------------------------------------------ row challenges


def test_compute_market_a_challenged_row_is_revealed_and_then_proven_wrong(world):
    n, (i, j) = 8, (4, 1)
    job = matmul_job(world, n, wrong={(i, j): 99})
    market, job_id = world.market, job.job_id
    refused("not the buyer", world, STRANGER, market, "challenge_row", job_id, i)
    refused("index out of range", world, BUYER, market, "challenge_row", job_id, n)
    receipt = world.act(BUYER, market, "challenge_row", job_id, i)
    deadline = world.w3.eth.get_block("latest")["timestamp"] + RESPONSE
    assert logs(market, receipt) == [("RowChallenged", {
        "job_id": job_id, "index": i, "response_deadline": deadline})]
    record = world.job(job_id)
    assert (record["state"], record["challenged_index"], record["response_deadline"]) == (
        CHALLENGED, i, deadline)
    refused("job not committed", world, BUYER, market, "challenge_row", job_id, 0)
    refused("job not committed", world, BUYER, market, "release", job_id)

    receipt = world.act(PROVIDER, market, "answer_challenge", job_id, ints(job.c[i]),
                        job.c_tree.proof(i))
    assert logs(market, receipt) == [("RowRevealed", {
        "job_id": job_id, "index": i, "values": ints(job.c[i])})]
    assert world.job(job_id)["state"] == COMMITTED
    assert market.functions.row_revealed(job_id, i).call()
    refused("row already revealed", world, BUYER, market, "challenge_row", job_id, i)
    # the buyer checks the revealed row against A.B and proves the wrong entry with it
    revealed = logs(market, receipt)[0][1]["values"]
    right = ints(product(job.a, job.b)[i])
    wrong = [k for k in range(n) if revealed[k] != right[k]]
    assert wrong == [j]
    world.act(BUYER, market, "prove_matmul_fraud", job_id, i, j, revealed, job.c_tree.proof(i),
              ints(job.a[i]), job.a_tree.proof(i), ints(job.b[:, j]), job.b_tree.proof(j))
    assert world.job(job_id)["state"] == SLASHED


def test_compute_market_an_answer_keeps_the_window_open_for_the_buyer(world):
    job = matmul_job(world, 4, wrong={(3, 0): 1})
    ends = world.job(job.job_id)["challenge_ends"]
    world.pass_time_to(ends - 100)
    world.act(BUYER, world.market, "challenge_row", job.job_id, 3)
    world.pass_time_to(ends + 1)  # the original window has closed; the answer is still due
    refused("job not committed", world, STRANGER, world.market, "claim_payment", job.job_id)
    world.act(PROVIDER, world.market, "answer_challenge", job.job_id, ints(job.c[3]),
              job.c_tree.proof(3))
    extended = world.job(job.job_id)["challenge_ends"]
    assert extended == world.w3.eth.get_block("latest")["timestamp"] + RESPONSE > ends
    refused("challenge window open", world, STRANGER, world.market, "claim_payment", job.job_id)
    world.act(BUYER, world.market, "prove_matmul_fraud", *job.fraud_args(3, 0))
    assert world.job(job.job_id)["state"] == SLASHED


def test_compute_market_an_unanswered_challenge_is_slashed_after_its_deadline(world):
    job = matmul_job(world, 4)
    buyer_before = world.balance(BUYER)
    world.act(BUYER, world.market, "challenge_row", job.job_id, 2)
    refused("response deadline not passed", world, STRANGER, world.market, "slash_unanswered",
            job.job_id)
    world.pass_time_to(world.job(job.job_id)["response_deadline"])
    refused("response deadline passed", world, PROVIDER, world.market, "answer_challenge",
            job.job_id, ints(job.c[2]), job.c_tree.proof(2))
    refused("response deadline passed", world, BUYER, world.market, "prove_matmul_fraud",
            *job.fraud_args(2, 0))
    receipt = world.act(STRANGER, world.market, "slash_unanswered", job.job_id)
    assert logs(world.market, receipt) == [("Slashed", {
        "job_id": job.job_id, "provider": account(PROVIDER).address,
        "buyer": account(BUYER).address, "collateral": COLLATERAL,
        "reason": "unanswered challenge"})]
    assert world.balance(BUYER) == buyer_before + PRICE + COLLATERAL
    assert world.provider()["stake"] == STAKE - COLLATERAL and world.provider()["locked"] == 0
    assert world.job(job.job_id)["state"] == SLASHED
    refused("job not challenged", world, STRANGER, world.market, "slash_unanswered", job.job_id)


def test_compute_market_a_bad_answer_is_refused(world):
    job = matmul_job(world, 8)
    market, job_id, i = world.market, job.job_id, 5
    refused("job not challenged", world, PROVIDER, market, "answer_challenge", job_id,
            ints(job.c[i]), job.c_tree.proof(i))
    world.act(BUYER, market, "challenge_row", job_id, i)
    altered = ints(job.c[i])
    altered[7] += 1
    for who, values, proof, reason in (
            (STRANGER, ints(job.c[i]), job.c_tree.proof(i), "not the provider"),
            (PROVIDER, altered, job.c_tree.proof(i), "bad result proof"),
            (PROVIDER, ints(job.c[i ^ 1]), job.c_tree.proof(i ^ 1), "bad result proof"),
            (PROVIDER, ints(job.c[i]), job.c_tree.proof(i)[1:], "bad result proof"),
            (PROVIDER, ints(job.c[i])[:-1], job.c_tree.proof(i), "wrong row length"),
    ):
        refused(reason, world, who, market, "answer_challenge", job_id, values, proof)
    assert world.job(job_id)["state"] == CHALLENGED


# ------------------------------------------------------------------------ hash chains


def hashchain_job(world: World, n: int, rounds: int, wrong: dict[int, int]) -> tuple[int, list,
                                                                                   MerkleTree]:
    seed = keccak(b"hash chain seed %d" % n)
    outputs = [wrong.get(i, hash_chain(seed, i, rounds)) for i in range(n)]
    tree = MerkleTree.of_items(outputs)
    job_id, _ = post(world, HASHCHAIN, n, rounds, seed)
    world.act(PROVIDER, world.market, "accept_job", job_id)
    world.act(PROVIDER, world.market, "commit_result", job_id, tree.root)
    return job_id, outputs, tree


def test_compute_market_hashchain_wrong_item_is_proven_and_a_correct_one_refused(world):
    n, rounds = 7, 33
    seed = keccak(b"hash chain seed %d" % n)
    assert world.market.functions.hash_chain(seed, 3, rounds).call() == hash_chain(seed, 3,
                                                                                    rounds)
    job_id, outputs, tree = hashchain_job(world, n, rounds, wrong={5: hash_chain(seed, 5,
                                                                                 rounds - 1)})
    market = world.market
    for i in (0, 4, 6):
        refused("result is correct", world, BUYER, market, "prove_hash_fraud", job_id, i,
                outputs[i], tree.proof(i))
    refused("bad result proof", world, BUYER, market, "prove_hash_fraud", job_id, 5,
            hash_chain(seed, 5, rounds), tree.proof(5))
    refused("bad result proof", world, BUYER, market, "prove_hash_fraud", job_id, 7, 0,
            tree.proof(6))
    refused("not a matmul job", world, BUYER, market, "prove_matmul_fraud", job_id, 0, 0, [], [],
            [], [], [], [])
    refused("not the buyer", world, PROVIDER, market, "prove_hash_fraud", job_id, 5, outputs[5],
            tree.proof(5))
    buyer_before = world.balance(BUYER)
    receipt = world.act(BUYER, market, "prove_hash_fraud", job_id, 5, outputs[5], tree.proof(5))
    assert logs(market, receipt)[0][1]["reason"] == "wrong item"
    assert world.balance(BUYER) == buyer_before + PRICE + COLLATERAL
    assert world.job(job_id)["state"] == SLASHED


def test_compute_market_hashchain_at_the_most_rounds(world):
    job_id, outputs, tree = hashchain_job(world, 3, 4096, wrong={2: 0})
    refused("result is correct", world, BUYER, world.market, "prove_hash_fraud", job_id, 1,
            outputs[1], tree.proof(1))
    world.act(BUYER, world.market, "prove_hash_fraud", job_id, 2, 0, tree.proof(2))
    assert world.job(job_id)["state"] == SLASHED


def test_compute_market_hashchain_item_challenge_reveals_one_value(world):
    job_id, outputs, tree = hashchain_job(world, 5, 1, wrong={})
    world.act(BUYER, world.market, "challenge_row", job_id, 4)
    refused("wrong row length", world, PROVIDER, world.market, "answer_challenge", job_id,
            [outputs[4], 0], tree.proof(4))
    receipt = world.act(PROVIDER, world.market, "answer_challenge", job_id, [outputs[4]],
                        tree.proof(4))
    assert logs(world.market, receipt)[0][1]["values"] == [outputs[4]]
    refused("result is correct", world, BUYER, world.market, "prove_hash_fraud", job_id, 4,
            outputs[4], tree.proof(4))
    world.act(BUYER, world.market, "release", job_id)
    assert world.job(job_id)["state"] == SETTLED


# ------------------------------------------------------------------------ delivery and stake


def test_compute_market_reclaim_refunds_a_job_nobody_took(world):
    job_id, _ = post(world, MATMUL, 4)
    deliver_by = world.job(job_id)["deliver_by"]
    refused("delivery deadline not passed", world, BUYER, world.market, "reclaim", job_id)
    world.pass_time_to(deliver_by)
    refused("delivery deadline passed", world, PROVIDER, world.market, "accept_job", job_id)
    refused("not the buyer", world, STRANGER, world.market, "reclaim", job_id)
    buyer_before = world.balance(BUYER)
    receipt = world.act(BUYER, world.market, "reclaim", job_id)
    assert logs(world.market, receipt) == [("Refunded", {"job_id": job_id, "slashed_amount": 0})]
    assert world.balance(BUYER) == buyer_before + PRICE
    assert world.job(job_id)["state"] == REFUNDED and world.provider()["jobs_slashed"] == 0
    assert world.provider()["stake"] == STAKE
    refused("job not open", world, BUYER, world.market, "reclaim", job_id)


def test_compute_market_a_provider_that_never_delivers_forfeits_its_collateral(world):
    job = matmul_job(world, 4, commit=False)
    world.pass_time_to(world.job(job.job_id)["deliver_by"])
    refused("delivery deadline passed", world, PROVIDER, world.market, "commit_result",
            job.job_id, job.c_tree.root)
    buyer_before = world.balance(BUYER)
    receipt = world.act(BUYER, world.market, "reclaim", job.job_id)
    assert logs(world.market, receipt) == [
        ("Slashed", {"job_id": job.job_id, "provider": account(PROVIDER).address,
                     "buyer": account(BUYER).address, "collateral": COLLATERAL,
                     "reason": "no delivery"}),
        ("Refunded", {"job_id": job.job_id, "slashed_amount": COLLATERAL})]
    assert world.balance(BUYER) == buyer_before + PRICE + COLLATERAL
    assert world.provider()["stake"] == STAKE - COLLATERAL
    assert (world.provider()["locked"], world.provider()["jobs_slashed"]) == (0, 1)
    assert world.job(job.job_id)["state"] == REFUNDED


def test_compute_market_collateral_must_be_free_and_stays_locked(world):
    market = world.market
    big, _ = post(world, MATMUL, 4, collateral=STAKE + 1)
    refused("free stake below collateral", world, PROVIDER, market, "accept_job", big)
    first, _ = post(world, MATMUL, 4, collateral=STAKE - 1)
    second, _ = post(world, MATMUL, 4, collateral=2)
    refused("not the provider", world, STRANGER, market, "accept_job", first)
    refused("job not accepted", world, PROVIDER, market, "commit_result", first, ZERO32)
    receipt = world.act(PROVIDER, market, "accept_job", first)
    assert logs(market, receipt) == [("JobAccepted", {"job_id": first})]
    refused("job not posted", world, PROVIDER, market, "accept_job", first)
    refused("free stake below collateral", world, PROVIDER, market, "accept_job", second)
    refused("stake is locked", world, PROVIDER, market, "withdraw_stake", 2)
    world.act(PROVIDER, market, "withdraw_stake", 1)
    world.act(PROVIDER, market, "add_stake", 2)
    world.act(PROVIDER, market, "accept_job", second)
    assert world.provider()["locked"] == STAKE + 1 == world.provider()["stake"]
    world.act(PROVIDER, market, "commit_result", first, keccak(b"result"))
    world.act(BUYER, market, "release", first)
    assert world.provider()["locked"] == 2
    provider_before = world.balance(PROVIDER)
    world.act(PROVIDER, market, "withdraw_stake", STAKE - 1)
    assert world.balance(PROVIDER) == provider_before + STAKE - 1
    refused("stake is locked", world, PROVIDER, market, "withdraw_stake", 1)

