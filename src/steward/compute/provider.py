"""A compute provider: a worker process that watches the chain for its jobs, computes, commits the
result's Merkle root, serves the result, answers row challenges and collects its pay.

The worker is level-triggered: every tick it reads the state of each of its unfinished jobs from
the chain and does what that state asks (accept a posted job, commit an accepted one, answer a
challenge, claim a payment whose challenge window closed). A worker killed at any point and
started again picks up where the chain says it is; results are kept on disk under
`<home>/compute/providers/<wallet>/` so a restarted worker can still answer for them.

Each tick holds the chains for one turn (`payments.chain_turn`): on the embedded sandbox other
processes (the buyer, other providers) take their turns in between.

A provider declines a job it cannot honour: a kind or size it does not run, input roots that do
not match the inputs the job's seed gives (a buyer who lied about its inputs could otherwise
"prove" fraud with rows of its own making), a collateral above its free stake, a price below its
asking price. `strategy` makes it honest or one of the cheaters the buyer must catch
(`strategies.STRATEGIES`); cheaters exist to test and demonstrate the market.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from steward.compute import strategies
from steward.compute.market import ComputeMarket, JobView, MarketActor
from steward.compute.merkle import MerkleTree
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import GuardRefusal
from steward.home import home_path

MAX_N = {"matmul": 512, "hashchain": 512}  # what ComputeMarket.vy can check on chain
MAX_ROUNDS = 4096


@dataclass
class Held:
    """A result this provider committed, as it will serve it."""

    kind: str
    values: np.ndarray | list[int] | None
    root: bytes
    _tree: MerkleTree | None = field(default=None, repr=False)

    @property
    def tree(self) -> MerkleTree | None:
        if self.values is None:
            return None
        if self._tree is None:
            self._tree = (MerkleTree.of_rows(self.values) if self.kind == "matmul"
                          else MerkleTree.of_items(self.values))
        return self._tree

    def row(self, index: int) -> list[int]:
        if self.values is None:
            raise KeyError(index)
        if self.kind == "matmul":
            return [int(value) for value in self.values[index]]
        return [int(self.values[index])]


class ResultStore:
    """Committed results on disk, so a restarted worker still serves and answers for them."""

    def __init__(self, wallet: str):
        self.directory = home_path("compute", "providers", wallet, "x").parent
        self._held: dict[int, Held] = {}

    def put(self, job_id: int, held: Held) -> None:
        self._held[job_id] = held
        meta = {"kind": held.kind, "root": held.root.hex(), "has_values": held.values is not None}
        if held.values is not None:
            if held.kind == "matmul":
                np.save(self.directory / f"{job_id}.npy", held.values)
            else:
                meta["items"] = [str(value) for value in held.values]
        (self.directory / f"{job_id}.json").write_text(json.dumps(meta))

    def get(self, job_id: int) -> Held | None:
        if job_id in self._held:
            return self._held[job_id]
        path = self.directory / f"{job_id}.json"
        if not path.exists():
            return None
        meta = json.loads(path.read_text())
        values = None
        if meta["has_values"]:
            values = (np.load(self.directory / f"{job_id}.npy") if meta["kind"] == "matmul"
                      else [int(item) for item in meta["items"]])
        self._held[job_id] = Held(meta["kind"], values, bytes.fromhex(meta["root"]))
        return self._held[job_id]


class Provider(MarketActor):
    def __init__(self, wallet: str, executor: Executor, market: ComputeMarket, *,
                 strategy: str = "honest", backend: str = "auto", min_price: int = 0,
                 log: Callable[[str], None] = lambda message: None):
        if strategy not in strategies.STRATEGIES:
            raise StewardError(f"unknown provider strategy {strategy!r}; one of: "
                               + ", ".join(strategies.STRATEGIES))
        super().__init__(wallet, executor, market)
        self.strategy = strategy
        self.backend = backend
        self.min_price = min_price
        self.log = log
        self.results = ResultStore(wallet)
        self.declined: set[int] = set()
        self.failed: set[int] = set()
        self.first_open = 1

    # ---- registry ------------------------------------------------------------------------------
    def register(self, stake: int, hardware: str, claimed_gflops: int, endpoint: str) -> None:
        self.run([self.approve(stake),
                  self.call("register", stake, hardware, claimed_gflops, endpoint,
                            description=f"stake and list as a provider ({hardware})")],
                 f"stake {stake} base units and register as a compute provider")

    # ---- deciding ------------------------------------------------------------------------------
    def reason_to_decline(self, job: JobView) -> str | None:
        if job.kind not in MAX_N or job.n > MAX_N[job.kind]:
            return f"a {job.kind} job of size {job.n} is not one this provider runs"
        if job.kind == "hashchain" and not 1 <= job.rounds <= MAX_ROUNDS:
            return f"{job.rounds} rounds is outside 1..{MAX_ROUNDS}"
        if job.price < self.min_price:
            return f"the price {job.price} is below the asking price {self.min_price}"
        if job.collateral > self.market.provider(self.address).free:
            return "the collateral asked is above this provider's free stake"
        if job.kind == "matmul" and (job.root_a, job.root_b) != strategies.input_roots(job.seed,
                                                                                     job.n):
            return "the job's input roots do not match the inputs its seed gives"
        return None

    # ---- one tick ------------------------------------------------------------------------------
    def tick(self) -> list[str]:
        """Do what each unfinished job of this provider needs now; returns what was done."""
        done: list[str] = []
        count = self.market.job_count()
        now = self.market.now()
        settled_before = self.market.provider(self.address).jobs_settled
        all_final = True
        for job_id in range(self.first_open, count + 1):
            if job_id in self.declined or job_id in self.failed:
                continue
            job = self.market.job(job_id)
            if job.provider != self.address or job.state in {"settled", "slashed", "refunded"}:
                if all_final:
                    self.first_open = job_id + 1
                continue
            all_final = False
            try:
                action = self._step(job, now, settled_before)
            except GuardRefusal as exc:
                self.failed.add(job_id)
                action = f"job {job_id}: the guard refused: {exc}"
            if action:
                done.append(action)
                self.log(action)
        return done

    def _step(self, job: JobView, now: int, settled: int) -> str | None:
        if job.state == "posted" and now < job.deliver_by:
            reason = self.reason_to_decline(job)
            if reason:
                self.declined.add(job.job_id)
                return f"job {job.job_id}: declined ({reason})"
            self.run([self.call("accept_job", job.job_id,
                                description=f"accept compute job {job.job_id}")],
                     f"accept compute job {job.job_id}, locking {job.collateral} of stake")
            job.state = "accepted"
        if job.state == "accepted" and now < job.deliver_by:
            return self._compute_and_commit(job, settled)
        if job.state == "challenged":
            return self._answer(job)
        if job.state == "committed" and now >= job.challenge_ends:
            self.run([self.call("claim_payment", job.job_id,
                                description=f"claim the price of job {job.job_id}")],
                     f"claim the price of compute job {job.job_id} (challenge window closed)")
            return f"job {job.job_id}: challenge window closed, price claimed"
        return None

    def _compute_and_commit(self, job: JobView, settled: int) -> str:
        started = time.perf_counter()
        output = strategies.produce(self.strategy, job.kind, job.seed, job.n, job.rounds,
                                    settled, backend=self.backend)
        seconds = time.perf_counter() - started
        held = Held(job.kind, output.values, output.root, output.tree)
        self.results.put(job.job_id, held)  # before the commitment: a crash can still serve it
        self.run([self.call("commit_result", job.job_id, output.root,
                            description=f"commit the result of job {job.job_id}")],
                 f"commit the result of compute job {job.job_id}")
        what = "cheated" if output.cheated else "computed"
        return f"job {job.job_id}: {what} {job.kind} n={job.n} in {seconds:.2f} s, committed"

    def _answer(self, job: JobView) -> str:
        held = self.results.get(job.job_id)
        if held is None or held.tree is None:
            self.failed.add(job.job_id)  # said once; there is nothing it could ever answer
            return f"job {job.job_id}: challenged on row {job.challenged_index}; nothing to answer"
        index = job.challenged_index
        proof = held.tree.proof(index)
        self.run([self.call("answer_challenge", job.job_id, held.row(index), proof,
                            description=f"answer the challenge on row {index} of job {job.job_id}",
                            gas_hint=2_000_000)],
                 f"answer the row challenge of compute job {job.job_id}")
        return f"job {job.job_id}: answered the challenge on row {index}"


__all__ = ["Held", "Provider", "ResultStore"]
