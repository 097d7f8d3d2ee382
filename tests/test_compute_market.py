"""The compute market end to end on the embedded sandbox: providers and a buyer, each a Steward
wallet whose every on-chain step goes through the guard and the executor.

In-process (fast): a provider's `tick` and its HTTP server beside the buyer, for honest
settlement, each cheating strategy caught and slashed, row challenges answered and unanswered,
the challenge window's expiry, a buyer lying about its inputs, the buyer's `[commerce]` mandate
and the guard refusing before anything is signed, and the timed capability challenge.
As real processes: a provider worker killed with SIGKILL after committing, restarted, still
answering for its result; and the whole demo (slow)."""

from __future__ import annotations

import json
import os
import signal

import pytest

from steward import chains
from steward.commerce.errors import OutsideMandate
from steward.commerce.mandate import load_commerce_mandate
from steward.compute import capability, strategies
from steward.compute.buyer import Buyer
from steward.compute.market import RESPONSE_SECONDS, ComputeMarket
from steward.compute.provider import Provider
from steward.compute.server import ProviderServer
from steward.compute.worker import WorkerProcesses, wait_for_state
from steward.execution import Executor
from steward.guard import GuardRefusal
from steward.journal import Journal
from steward.sandbox import market as sandbox_market
from steward.sandbox.agents import agent_mandate_toml, ensure_agent_wallets
from steward.guard.mandate import mandate_path
from steward.home import write_private
from steward.wallets import WalletStore

from conftest import PASSPHRASE, TEST_ENV, run_cli

USDC = 10**6
PRICE, COLLATERAL, STAKE, WINDOW = 5 * USDC, 20 * USDC, 50 * USDC, 3600
COMMERCE = ('[commerce]\nmax_budget_usd = 50\ncounterparties = "any"\ntokens = ["USDC"]\n'
            "min_reputation = 0\nmin_jobs = 0\n")


class World:
    """A buyer and providers (in this process) on a copy of the embedded sandbox."""

    def __init__(self, providers: dict[str, str]):
        self.addresses = ensure_agent_wallets({name: COMMERCE for name in ["buyer", *providers]},
                                              PASSPHRASE)
        self.market = ComputeMarket()
        self.buyer = Buyer("buyer", self._executor("buyer"), self.market,
                           load_commerce_mandate("buyer"))
        self.providers: dict[str, Provider] = {}
        self.servers: list[ProviderServer] = []
        for name, strategy in providers.items():
            provider = Provider(name, self._executor(name), self.market, strategy=strategy,
                                backend="numpy")
            server = ProviderServer(provider.results, {"wallet": name}).start()
            self.servers.append(server)
            provider.register(STAKE, "cpu", 5, server.url)
            self.providers[name] = provider

    @staticmethod
    def _executor(name: str) -> Executor:
        return Executor(WalletStore().unlock(name, PASSPHRASE), name)

    def post(self, provider: str, kind: str = "matmul", n: int = 16, **terms) -> int:
        terms = {"price": PRICE, "collateral": COLLATERAL, "deliver_seconds": WINDOW,
                 "challenge_seconds": WINDOW} | terms
        if kind == "hashchain":
            terms.setdefault("rounds", 8)
        return self.buyer.post(self.providers[provider].address, kind, n, **terms)

    def usdc(self, name: str) -> int:
        address = self.buyer.address if name == "buyer" else self.providers[name].address
        return self.market.balance(address)

    def close(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def world(embedded_world, request):
    made: list[World] = []

    def make(**providers: str) -> World:
        made.append(World(providers))
        return made[-1]

    yield make
    for item in made:
        item.close()
    chains.end_all_sessions()


def _advance(seconds: int) -> None:
    from steward.chains.config import load_config

    sandbox_market.advance_time(load_config().chain("sandbox-l1"), seconds)


def test_compute_honest_jobs_are_verified_and_paid(world):
    w = world(honest="honest")
    before = {name: w.usdc(name) for name in ("buyer", "honest")}
    matrix = w.post("honest", "matmul", 24)
    items = w.post("honest", "hashchain", 40, rounds=12)
    done = w.providers["honest"].tick()
    assert [line.split(" in ")[0] for line in done] == [
        f"job {matrix}: computed matmul n=24", f"job {items}: computed hashchain n=40"]
    settled = {}
    for job_id in (matrix, items):
        assert w.market.job(job_id).state == "committed"
        settled[job_id] = w.buyer.settle(job_id)
        assert settled[job_id].outcome == "released", settled[job_id]
        assert w.market.job(job_id).state == "settled"
    assert settled[matrix].checks == ["result hashes to the committed root",
                                      "Freivalds, 16 rounds: passed"]
    assert settled[items].checks == ["8 of 40 items re-executed"]
    assert w.usdc("buyer") == before["buyer"] - 2 * PRICE
    assert w.usdc("honest") == before["honest"] + 2 * PRICE
    listing = w.market.provider(w.providers["honest"].address)
    assert (listing.jobs_settled, listing.jobs_slashed, listing.locked) == (2, 0, 0)


@pytest.mark.parametrize("strategy, kind", [
    ("random", "matmul"), ("random", "hashchain"),
    pytest.param("partial", "matmul", marks=pytest.mark.slow),  # Freivalds' test as `random`'s
    # two honest jobs first: the slowest case
    pytest.param("honest-until-trusted", "matmul", marks=pytest.mark.slow)])
def test_compute_a_cheating_provider_is_caught_and_slashed_to_the_buyer(world, strategy, kind):
    w = world(cheat=strategy)
    cheat = w.providers["cheat"]
    if strategy == "honest-until-trusted":  # two honest jobs earn trust; the third cheats
        for _ in range(2):
            job_id = w.post("cheat")
            cheat.tick()
            assert w.buyer.settle(job_id).outcome == "released"
    buyer_before, stake_before = w.usdc("buyer"), w.market.provider(cheat.address).stake
    job_id = w.post("cheat", kind, 32)
    cheat.tick()
    settlement = w.buyer.settle(job_id)
    assert settlement.outcome == "slashed", settlement
    job = w.market.job(job_id)
    assert job.state == "slashed"
    # the price comes back and the collateral is the buyer's compensation
    assert w.usdc("buyer") == buyer_before + COLLATERAL
    listing = w.market.provider(cheat.address)
    assert listing.stake == stake_before - COLLATERAL and listing.locked == 0
    assert listing.jobs_slashed == 1


def test_compute_a_withheld_result_is_challenged_and_slashed_when_unanswered(world):
    w = world(lazy="skip")
    lazy = w.providers["lazy"]
    job_id = w.post("lazy")
    lazy.tick()
    settlement = w.buyer.settle(job_id)
    assert settlement.outcome == "challenged" and "not served" in settlement.detail
    assert w.market.job(job_id).state == "challenged"
    assert w.buyer.follow_up(job_id).outcome == "challenged"  # before the deadline: waits
    lazy.tick()  # it has nothing to answer with
    assert w.market.job(job_id).state == "challenged"
    _advance(RESPONSE_SECONDS + 1)
    buyer_before = w.usdc("buyer")
    assert w.buyer.follow_up(job_id).outcome == "slashed"
    assert w.usdc("buyer") == buyer_before + PRICE + COLLATERAL


def test_compute_an_answered_challenge_gives_the_buyer_a_row_it_proves_wrong(world):
    """A random-output provider whose server is down: the buyer challenges a row on chain, the
    provider answers with its committed (wrong) row, and the buyer proves that row wrong."""
    w = world(cheat="random")
    cheat = w.providers["cheat"]
    w.servers[0].stop()
    job_id = w.post("cheat")
    cheat.tick()
    assert w.buyer.settle(job_id).outcome == "challenged"
    cheat.tick()  # answers the challenge on chain
    job = w.market.job(job_id)
    assert job.state == "committed" and job.challenge_ends > job.response_deadline - 1
    assert w.buyer.follow_up(job_id).outcome == "slashed"
    assert w.market.job(job_id).state == "slashed"


@pytest.mark.parametrize("kind, served", [
    ("matmul", ("application/octet-stream", b"\x00" * (16 * 16 * 8 + 1))),  # one byte too many
    pytest.param("matmul", ("application/octet-stream", b"\xff" * (16 * 16 * 8)),
                 marks=pytest.mark.slow),  # right size, not the root
    ("hashchain", None),  # rows served as garbage
])
def test_compute_a_provider_serving_junk_is_challenged_not_believed(world, kind, served):
    """What a provider serves is believed only where it hashes to the committed root: oversized
    bodies, results that do not match the commitment and malformed rows lead to an on-chain
    challenge, never to a payment or a crash."""
    w = world(honest="honest")
    server = w.servers[0]
    server.job_result = lambda job_id: served
    server.job_row = lambda job_id, index: {"values": ["not a number"], "proof": ["zz"]}
    job_id = w.post("honest", kind, 16)
    w.providers["honest"].tick()
    before = w.usdc("honest")
    settlement = w.buyer.settle(job_id)
    assert settlement.outcome == "challenged", settlement
    assert w.market.job(job_id).state == "challenged" and w.usdc("honest") == before


def test_compute_an_honest_provider_answers_a_challenge_and_keeps_its_pay(world):
    w = world(honest="honest")
    honest = w.providers["honest"]
    w.servers[0].stop()
    job_id = w.post("honest")
    honest.tick()
    assert w.buyer.settle(job_id).outcome == "challenged"
    honest.tick()
    follow = w.buyer.follow_up(job_id)
    assert follow.outcome == "unresolved" and "answered correctly" in follow.detail
    before = w.usdc("honest")
    _advance(WINDOW + RESPONSE_SECONDS + 1)
    assert honest.tick() == [f"job {job_id}: challenge window closed, price claimed"]
    assert w.usdc("honest") == before + PRICE
    assert w.market.job(job_id).state == "settled"


def test_compute_a_silent_buyer_pays_when_the_challenge_window_closes(world):
    w = world(honest="honest")
    honest = w.providers["honest"]
    job_id = w.post("honest")
    honest.tick()
    assert honest.tick() == []  # the window is open: nothing to claim yet
    before = w.usdc("honest")
    _advance(WINDOW + 1)
    assert honest.tick() == [f"job {job_id}: challenge window closed, price claimed"]
    assert w.usdc("honest") == before + PRICE
    with pytest.raises(GuardRefusal, match="job not committed"):  # paid once, never twice
        w.buyer.run([w.buyer.call("release", job_id, description="pay again")], "pay again")


def test_compute_a_buyer_lying_about_its_inputs_is_declined_and_only_refunded(world):
    """Roots that do not match the seed's inputs would let a buyer 'prove' fraud with rows of
    its own making; the provider checks them and never accepts, so no collateral is at risk."""
    w = world(honest="honest")
    honest = w.providers["honest"]
    seed = b"\x01" * 32
    _, real_b = strategies.input_roots(seed, 16)
    fake_a = strategies.input_roots(b"\x02" * 32, 16)[0]
    w.buyer.run([w.buyer.approve(PRICE), w.buyer.call(
        "post_job", honest.address, 1, 16, 0, seed, fake_a, real_b, PRICE, COLLATERAL,
        w.market.now() + WINDOW, WINDOW, description="post a job with a forged input root")],
        "post a forged job")
    job_id = w.market.job_count()
    done = honest.tick()
    assert done == [f"job {job_id}: declined (the job's input roots do not match the inputs "
                    "its seed gives)"]
    assert w.market.job(job_id).state == "posted"
    stake = w.market.provider(honest.address).stake
    _advance(WINDOW + 1)
    before = w.usdc("buyer")
    w.buyer.run([w.buyer.call("reclaim", job_id, description="reclaim")], "reclaim")
    assert w.usdc("buyer") == before + PRICE
    assert w.market.provider(honest.address).stake == stake  # nothing slashed


def test_compute_the_buyers_mandate_refuses_before_anything_is_signed(world):
    w = world(honest="honest")
    nonce = w.market.w3.eth.get_transaction_count(w.buyer.address)
    with pytest.raises(OutsideMandate, match="above its mandate's"):
        w.post("honest", price=60 * USDC)  # the table allows $50 a job
    write_private(mandate_path("buyer"), agent_mandate_toml(
        "buyer", COMMERCE.replace('counterparties = "any"',
                                  f'counterparties = ["{w.buyer.address}"]')))
    w.buyer.mandate = load_commerce_mandate("buyer")
    with pytest.raises(OutsideMandate, match="not among the counterparties"):
        w.post("honest")
    assert w.market.w3.eth.get_transaction_count(w.buyer.address) == nonce
    assert w.market.job_count() == 0


def test_compute_the_guard_judges_every_step_of_both_sides(world):
    """Every step is a journaled plan of its wallet; a wallet whose mandate caps each
    transaction below the price is refused by the guard, and nothing reaches the chain."""
    w = world(honest="honest")
    job_id = w.post("honest")
    w.providers["honest"].tick()
    w.buyer.settle(job_id)
    summaries = [entry.summary for entry in Journal().verdicts(limit=200)]
    for expected in ("buyer: post a matmul compute job", "honest: accept compute job",
                     "honest: commit the result of compute job",
                     "buyer: release the price of verified compute job",
                     "honest: stake 50000000 base units and register as a compute provider"):
        assert any(expected in summary for summary in summaries), expected
    write_private(mandate_path("buyer"), agent_mandate_toml("buyer", COMMERCE,
                                                            per_transaction_usd=1))
    nonce = w.market.w3.eth.get_transaction_count(w.buyer.address)
    with pytest.raises(GuardRefusal, match="guard refused"):
        w.post("honest")
    assert w.market.w3.eth.get_transaction_count(w.buyer.address) == nonce


def test_compute_capability_challenge_passes_real_hardware_and_rejects_forgery(world):
    """An honest claim is met; a provider that answers at once with a made-up product (as a
    spoofer would, to look fast) is caught by the opened rows."""
    w = world(honest="honest", forger="honest")
    assert w.buyer.vet(w.providers["honest"].address).passed

    def forged(seed: bytes, n: int) -> capability.RowCommitment:
        import numpy as np

        return capability.RowCommitment(np.zeros((n, n), dtype=np.uint64))

    w.servers[1].respond = forged
    verdict = w.buyer.vet(w.providers["forger"].address)
    assert not verdict.passed and "wrong" in verdict.reason


def test_compute_a_killed_worker_restarts_and_still_answers_for_its_result(embedded_world):
    """A real provider process commits, is killed with SIGKILL, and a new one picks up from the
    chain and its results on disk: it answers the buyer's row challenge and is paid."""
    addresses = ensure_agent_wallets({"buyer": COMMERCE, "worker": COMMERCE}, PASSPHRASE)
    market = ComputeMarket()
    buyer = Buyer("buyer", Executor(WalletStore().unlock("buyer", PASSPHRASE), "buyer"), market,
                  load_commerce_mandate("buyer"))
    chains.end_all_sessions()
    env = os.environ | TEST_ENV | {"STEWARD_HOME": str(embedded_world)}
    options = ["--claim-gflops", "1", "--poll", "0.1", "--backend", "numpy"]
    with WorkerProcesses(env=env) as workers:
        workers.start("worker", "honest", options)
        workers.wait_ready()
        try:
            job_id = buyer.post(addresses["worker"], "matmul", 16, price=PRICE,
                                collateral=COLLATERAL, deliver_seconds=WINDOW,
                                challenge_seconds=WINDOW)
        finally:
            chains.end_all_sessions()
        wait_for_state(market, job_id, {"committed"})
        os.kill(workers.processes["worker"].pid, signal.SIGKILL)
        workers.processes["worker"].wait()
        try:
            job = market.job(job_id)
            assert buyer.settle(job_id).outcome == "challenged"  # nobody serves the result now
        finally:
            chains.end_all_sessions()
        workers.ready.clear()
        workers.start("worker", "honest", options)
        workers.wait_ready()
        wait_for_state(market, job_id, {"committed"})  # answered by the new process
        try:
            follow = buyer.follow_up(job_id)
            assert follow.outcome == "unresolved" and "answered correctly" in follow.detail
            assert buyer.settle(job_id).outcome == "released"  # its server is back
            assert market.job(job_id).state == "settled" and job.result_root
        finally:
            chains.end_all_sessions()


@pytest.mark.slow  # about 70 s: four provider processes, six jobs, ~40 guarded transactions
def test_compute_demo_pays_the_honest_and_slashes_the_cheaters(embedded_world):
    result = run_cli("market", "compute-demo", "--json", home=embedded_world, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout)
    outcomes = [(row["provider"], row["outcome"]) for row in facts["jobs"]]
    assert outcomes == [("compute-honest", "released"), ("compute-honest", "released"),
                        ("compute-cheat", "slashed"), ("compute-lazy", "slashed"),
                        ("compute-honest", "settled"), ("compute-spoof", "not hired")]
    stakes = {row["provider"]: row for row in facts["stakes"]}
    assert stakes["compute-cheat"]["stake_after_usdc"] == stakes["compute-cheat"][
        "stake_before_usdc"] - 20
    assert facts["buyer_change_usdc"] == pytest.approx(-3 * 5 + 2 * 20)
    assert [row["passed"] for row in facts["vetting"]] == [True, True, True, False]


def test_compute_cli_lists_jobs_and_providers_and_escapes_what_providers_write(world):
    w = world(honest="honest")
    honest = w.providers["honest"]
    honest.run([honest.call("update_listing", "[bold red]FREE GPUs[/] click", 5, w.servers[0].url,
                            description="a listing with markup")], "relist")
    job_id = w.post("honest")
    honest.tick()
    w.buyer.settle(job_id)
    chains.end_all_sessions()
    home = os.environ["STEWARD_HOME"]
    from pathlib import Path

    jobs = run_cli("market", "compute-jobs", "--json", home=Path(home))
    assert jobs.returncode == 0, jobs.stderr
    assert [(row["job_id"], row["state"], row["price"]) for row in json.loads(jobs.stdout)] == [
        (job_id, "settled", PRICE)]
    providers = run_cli("market", "compute-providers", home=Path(home), env={"COLUMNS": "250"})
    assert providers.returncode == 0, providers.stderr
    assert "[bold red]FREE GPUs[/] click" in providers.stdout  # shown as text, not as markup
    assert "1 settled, 0 slashed" in providers.stdout
