"""A buyer of compute: a Steward agent that vets providers, posts jobs, verifies every result with
its own wallet's checks before paying, and proves fraud on chain when a check fails.

- Vetting: a timed capability challenge (`capability`) against the provider's claimed hardware;
  a provider that fails it is refused before any money moves.
- Posting: the job's price is held to the wallet's `[commerce]` table (provider among the allowed
  counterparties, token allowed, price within the per-job budget) before the guard sees the plan
  (approve + post_job), like every other step.
- Verifying a matrix job: the full result is fetched from the provider and hashed into the
  committed Merkle root; then Freivalds with k rounds, k from the collateral and the price so
  that cheating has a negative expected value (`verify.rounds_for`). A failing check is located
  to one wrong entry and proven on chain with three Merkle proofs: the provider's row, the
  buyer's row of A and column of B. The contract recomputes that entry and slashes.
- Verifying a hash-chain job: s random items (s from `verify.sample_size_for`) are fetched with
  their proofs and re-executed; a wrong one is proven on chain, where the contract re-executes it.
- A result that is withheld, or that does not hash to the commitment, is met with an on-chain
  row challenge; an unanswered challenge is slashed after the response deadline, an answered one
  gives the buyer a committed row to check (and to prove wrong).

Nothing the provider says is trusted: only what the chain holds (the roots) and what the buyer
recomputes. Responses are size-capped and fetched with timeouts.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import numpy as np

from steward.commerce.agent import check_budget, check_counterparty, check_token
from steward.commerce.mandate import CommerceMandate
from steward.compute import capability, strategies, verify
from steward.compute.field import P, inputs, matmul
from steward.compute.market import ComputeMarket, JobView, MarketActor
from steward.compute.merkle import MerkleTree
from steward.compute.merkle import verify as merkle_verify
from steward.errors import StewardError
from steward.execution import Executor

HTTP_TIMEOUT = 30.0
MAX_ITEM_RESPONSE = 64 * 1024


@dataclass
class Settlement:
    """What the buyer concluded about one job and did on chain."""

    job_id: int
    outcome: str  # released | slashed | challenged | unresolved
    detail: str
    checks: list[str] = field(default_factory=list)
    tx_hashes: list[str] = field(default_factory=list)


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise StewardError(f"a provider endpoint must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


class Buyer(MarketActor):
    def __init__(self, wallet: str, executor: Executor, market: ComputeMarket,
                 mandate: CommerceMandate, *, log: Callable[[str], None] = lambda message: None,
                 http_timeout: float = HTTP_TIMEOUT):
        super().__init__(wallet, executor, market)
        self.mandate = mandate
        self.log = log
        self.http = httpx.Client(timeout=http_timeout)
        self.vetted: dict[str, capability.CapabilityVerdict] = {}

    # ---- vetting -------------------------------------------------------------------------------
    def vet(self, provider: str, *, rows: int = 8) -> capability.CapabilityVerdict:
        """Time the provider on a fresh product sized to its claimed GFLOPS, then open `rows`
        random rows of the committed result and check each exactly."""
        listing = self.market.provider(provider)
        if not listing.registered:
            raise StewardError(f"{provider} is not a registered compute provider")
        url = _endpoint(listing.endpoint)
        challenge = capability.issue(max(listing.claimed_gflops, 1))
        started = time.perf_counter()
        try:
            answer = self.http.post(f"{url}/capability", timeout=challenge.deadline_seconds + 2,
                                    json={"seed": challenge.seed.hex(), "n": challenge.n})
            answer.raise_for_status()
            root = bytes.fromhex(answer.json()["root"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            elapsed = time.perf_counter() - started
            verdict = capability.CapabilityVerdict(
                passed=False, reason=f"no commitment within {challenge.deadline_seconds:.2f} s "
                f"({type(exc).__name__})", elapsed_seconds=elapsed,
                deadline_seconds=challenge.deadline_seconds, n=challenge.n)
            self.vetted[listing.address] = verdict
            return verdict
        elapsed = time.perf_counter() - started
        opened = {}
        for index in capability.pick_rows(challenge.n, rows):
            try:
                body = self.http.get(f"{url}/capability/{challenge.seed.hex()}/rows/{index}").json()
                opened[index] = ([int(v) for v in body["values"]],
                                 [bytes.fromhex(node) for node in body["proof"]])
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                continue  # a row not opened counts against the provider in `check`
        verdict = capability.check(challenge, elapsed, root, opened)
        self.vetted[listing.address] = verdict
        return verdict

    # ---- posting -------------------------------------------------------------------------------
    def post(self, provider: str, kind: str, n: int, *, price: int, collateral: int,
             rounds: int = 0, deliver_seconds: int = 3600, challenge_seconds: int = 3600,
             seed: bytes | None = None) -> int:
        """Escrow `price` for a job of `provider`; returns the job id."""
        from steward.compute.market import KINDS

        if kind not in KINDS:
            raise StewardError(f"unknown job kind {kind!r}; one of: {', '.join(KINDS)}")
        check_counterparty(self.wallet, self.mandate, "provider", provider)
        check_token(self.wallet, self.mandate, self.market, self.market.token)
        check_budget(self.wallet, self.mandate, self.market, self.market.token, price,
                     "a compute job's price")
        listing = self.market.provider(provider)
        if listing.free < collateral:
            raise StewardError(f"provider {provider} has {listing.free} free stake, less than the "
                               f"collateral {collateral} this job asks; nothing was signed")
        seed = seed or secrets.token_bytes(32)
        root_a, root_b = (strategies.input_roots(seed, n) if kind == "matmul"
                          else (b"\x00" * 32, b"\x00" * 32))
        deliver_by = self.market.now() + deliver_seconds
        result = self.run([self.approve(price),
                           self.call("post_job", listing.address, KINDS[kind], n, rounds, seed,
                                     root_a, root_b, price, collateral, deliver_by,
                                     challenge_seconds,
                                     description=f"post a {kind} job (n={n}) to {provider}")],
                          f"post a {kind} compute job, escrowing {price} base units")
        job_id = self.market.event("JobPosted", result.steps[-1].tx_hash).job_id
        self.log(f"job {job_id}: posted {kind} n={n} to {provider}, price {price}, "
                 f"collateral {collateral}")
        return job_id

    # ---- verifying -----------------------------------------------------------------------------
    def settle(self, job_id: int) -> Settlement:
        """Verify a committed job and release, prove fraud or challenge, as the checks say."""
        job = self.market.job(job_id)
        if job.state != "committed":
            raise StewardError(f"job {job_id} is {job.state}; only a committed result can be "
                               "verified")
        url = _endpoint(self.market.provider(job.provider).endpoint)
        if job.kind == "matmul":
            return self._settle_matmul(job, url)
        return self._settle_hashchain(job, url)

    def _fetch_matrix(self, job: JobView, url: str) -> np.ndarray | None:
        size = job.n * job.n * 8
        try:
            with self.http.stream("GET", f"{url}/jobs/{job.job_id}/result") as answer:
                if answer.status_code != 200:
                    return None
                body = b""
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > size:
                        return None
        except httpx.HTTPError:
            return None
        if len(body) != size:
            return None
        return np.frombuffer(body, dtype="<u8").reshape(job.n, job.n).astype(np.uint64)

    def _settle_matmul(self, job: JobView, url: str) -> Settlement:
        c = self._fetch_matrix(job, url)
        tree = MerkleTree.of_rows(c) if c is not None else None
        if tree is None or tree.root != job.result_root:
            why = ("the result was not served" if c is None
                   else "the served result does not hash to the committed root")
            return self.challenge(job, secrets.randbelow(job.n), why)
        a, b = inputs(job.seed, job.n)
        rounds = verify.rounds_for(job.collateral, job.price)
        check = verify.freivalds(a, b, c, rounds)
        checks = ["result hashes to the committed root",
                  f"Freivalds, {rounds} rounds: {'passed' if check.ok else 'failed'}"]
        if check.ok:
            return self._release(job, checks)
        i, j = verify.locate_fraud(a, b, c, check.bad_row)
        return self._prove_matmul(job, (a, b), i, j, [int(v) for v in c[i]], tree.proof(i),
                                  checks)

    def _prove_matmul(self, job: JobView, operands: tuple[np.ndarray, np.ndarray], i: int,
                      j: int, c_row: list[int], c_proof: list[bytes],
                      checks: list[str]) -> Settlement:
        a, b = operands  # regenerated once by the caller from the job's seed
        a_tree, b_tree = MerkleTree.of_rows(a), MerkleTree.of_rows(b.T)
        result = self.run([self.call("prove_matmul_fraud", job.job_id, i, j, c_row, c_proof,
                                     [int(v) for v in a[i]], a_tree.proof(i),
                                     [int(v) for v in b[:, j]], b_tree.proof(j),
                                     description=f"prove entry ({i}, {j}) of job {job.job_id} wrong",
                                     gas_hint=3_000_000)],
                          f"prove compute job {job.job_id} fraudulent and take the collateral")
        shown = c_row[j]
        checks.append(f"entry ({i}, {j}) is {shown}, should be "
                      f"{int(np.dot(a[i].astype(object), b[:, j].astype(object)) % P)}")
        self.log(f"job {job.job_id}: fraud proven at ({i}, {j}); provider slashed")
        return Settlement(job.job_id, "slashed", f"wrong entry ({i}, {j}) proven on chain", checks,
                          [step.tx_hash for step in result.steps])

    def _settle_hashchain(self, job: JobView, url: str) -> Settlement:
        samples = verify.sample_size_for(job.collateral, job.price, job.n)
        picked = sorted(secrets.SystemRandom().sample(range(job.n), min(samples, job.n)))
        checks = [f"{len(picked)} of {job.n} items re-executed"]
        for index in picked:
            opened = self._fetch_row(job, url, index, width=1)
            if opened is None:
                return self.challenge(job, index, f"item {index} was not served with a valid "
                                                  "proof", checks)
            (value,), proof = opened
            if verify.hash_item(job.seed, index, job.rounds) != value:
                checks.append(f"item {index} is wrong")
                return self._prove_item(job, index, value, proof, checks)
        return self._release(job, checks)

    def _prove_item(self, job: JobView, index: int, value: int, proof: list[bytes],
                    checks: list[str]) -> Settlement:
        result = self.run([self.call("prove_hash_fraud", job.job_id, index, value, proof,
                                     description=f"prove item {index} of job {job.job_id} wrong",
                                     gas_hint=3_000_000)],
                          f"prove compute job {job.job_id} fraudulent and take the collateral")
        self.log(f"job {job.job_id}: wrong item {index} proven; provider slashed")
        return Settlement(job.job_id, "slashed", f"wrong item {index} proven on chain", checks,
                          [step.tx_hash for step in result.steps])

    def _fetch_row(self, job: JobView, url: str, index: int, width: int
                   ) -> tuple[list[int], list[bytes]] | None:
        """Row `index` with a proof that it is under the committed root, or None."""
        try:
            answer = self.http.get(f"{url}/jobs/{job.job_id}/rows/{index}")
            if answer.status_code != 200 or len(answer.content) > MAX_ITEM_RESPONSE:
                return None
            body = answer.json()
            values = [int(v) for v in body["values"]]
            proof = [bytes.fromhex(node) for node in body["proof"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError, json.JSONDecodeError):
            return None
        if len(values) != width or not merkle_verify(job.result_root, index, values, proof,
                                                     job.n):
            return None
        return values, proof

    def _release(self, job: JobView, checks: list[str]) -> Settlement:
        result = self.run([self.call("release", job.job_id,
                                     description=f"pay the provider of job {job.job_id}")],
                          f"release the price of verified compute job {job.job_id}")
        self.log(f"job {job.job_id}: verified ({'; '.join(checks)}); price released")
        return Settlement(job.job_id, "released", "verified and paid", checks,
                          [step.tx_hash for step in result.steps])

    # ---- challenges ----------------------------------------------------------------------------
    def challenge(self, job: JobView, index: int, why: str,
                  checks: list[str] | None = None) -> Settlement:
        """Ask on chain for row `index` with its proof; the provider must answer in time."""
        result = self.run([self.call("challenge_row", job.job_id, index,
                                     description=f"challenge row {index} of job {job.job_id}")],
                          f"challenge row {index} of compute job {job.job_id}")
        self.log(f"job {job.job_id}: {why}; row {index} challenged on chain")
        return Settlement(job.job_id, "challenged", why, (checks or []) + [why],
                          [step.tx_hash for step in result.steps])

    def follow_up(self, job_id: int) -> Settlement:
        """After a challenge: slash an unanswered one once its deadline passed, or check the
        revealed row and prove it wrong if it is."""
        job = self.market.job(job_id)
        if job.state == "challenged":
            if self.market.now() < job.response_deadline:
                return Settlement(job_id, "challenged", "waiting for the provider's answer")
            result = self.run([self.call("slash_unanswered", job_id,
                                         description=f"slash job {job_id}: challenge unanswered")],
                              f"slash compute job {job_id}: the challenge went unanswered")
            self.log(f"job {job_id}: challenge unanswered by the deadline; provider slashed")
            return Settlement(job_id, "slashed", "row challenge unanswered",
                              ["row challenge unanswered"], [s.tx_hash for s in result.steps])
        if job.state != "committed":
            return Settlement(job_id, job.state, f"job is {job.state}")
        revealed = self.market.events("RowRevealed", 0, "latest", job_id=job_id)
        if not revealed:
            return Settlement(job_id, "unresolved", "no row revealed")
        # The answer's calldata holds the row and the proof the contract already accepted.
        answer = self.market.w3.eth.get_transaction(revealed[-1].transactionHash)
        _, args = self.market.contract.decode_function_input(answer["input"])
        index = revealed[-1].args["index"]
        row, proof = [int(v) for v in args["values"]], [bytes(node) for node in args["proof"]]
        checks = [f"row {index} revealed on chain"]
        if job.kind == "hashchain":
            if row[0] == verify.hash_item(job.seed, index, job.rounds):
                return Settlement(job_id, "unresolved", f"item {index} answered correctly; the "
                                  "rest of the result was not delivered", checks)
            return self._prove_item(job, index, row[0], proof, checks)
        a, b = inputs(job.seed, job.n)
        expected = matmul(a[index:index + 1], b)[0]
        wrong = np.nonzero(expected != np.asarray(row, dtype=np.uint64))[0]
        if wrong.size == 0:
            return Settlement(job_id, "unresolved", f"row {index} answered correctly; the rest "
                              "of the result was not delivered", checks)
        return self._prove_matmul(job, (a, b), index, int(wrong[0]), row, proof, checks)


__all__ = ["Buyer", "Settlement"]
