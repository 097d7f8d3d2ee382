"""The data market end to end on the embedded sandbox: the demo in a real process (ten
contributors of known quality, payouts, verification, a model's first revenue split), and what
`steward data verify` must catch — a tampered contribution, a tampered evaluation bundle, and a
buyer that publishes scores other than what its own committed evaluation gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from steward import chains
from steward.chains.config import load_config
from steward.datamarket import datasets, valuation
from steward.datamarket.market import Markets, Participant, task_dir
from steward.datamarket.verify import payouts, verify_task
from steward.errors import StewardError
from steward.protocols import erc20
from steward.sandbox import market as sandbox_market
from steward.sandbox.agents import ensure_agent_wallets

from conftest import PASSPHRASE, run_cli

L1 = "sandbox-l1"
COMMERCE = ('[commerce]\nmax_budget_usd = 2000\ncounterparties = "any"\ntokens = ["USDC"]\n'
            "min_reputation = 0\nmin_jobs = 0\n")


def _usdc(holder: str) -> int:
    chain = load_config().chain(L1)
    try:
        return erc20.balance_of(chains.connect(chain), chain.tokens["USDC"], holder)
    finally:
        chains.end_all_sessions()


@pytest.mark.slow  # about 90 s: twelve wallets, some 40 guarded transactions and the model
def test_data_demo_pays_for_quality_and_anyone_can_verify_it(embedded_world):
    result = run_cli("data", "demo", "--json", home=embedded_world, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout)
    rows = facts["contributors"]
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    clean = [r["score"] for r in by_kind["clean"]]
    noisy = [r["score"] for r in by_kind["noisy"]]
    assert min(clean) > max(noisy) > 0  # quality pays, in order
    for kind in ("duplicate", "poisoned", "low_effort"):
        assert all(r["score"] == 0 and r["paid_usdc"] == 0 for r in by_kind[kind]), kind
    # every unit of the escrow went somewhere: payouts plus the buyer's dust
    assert round((facts["paid_total_usdc"] + facts["buyer_dust_usdc"]) * 10**6) == 1_000 * 10**6
    assert facts["verified"] and "commit deadline passed" in facts["late_copier"]
    # the chain agrees with the demo: payouts as the contract computes them from the scores
    markets = Markets(L1)
    task = markets.task(facts["task_id"])
    scores = [markets.market.functions.score_of(task.task_id, c).call() for c in task.contributors]
    assert scores == [r["score"] for r in rows]
    expected, dust = payouts(task.budget, scores)
    assert [round(r["paid_usdc"] * 10**6) for r in rows] == expected
    assert round(facts["buyer_dust_usdc"] * 10**6) == dust
    # the model's first revenue: split by the scores, floors, the rest carried (no dust lost)
    weights = [s for s in scores if s]
    shares = [100 * 10**6 * w // sum(weights) for w in weights]
    assert [round(r["model_revenue_usdc"] * 10**6) for r in rows if r["score"]] == shares
    model = markets.models.functions.model(facts["model_id"]).call()
    assert model[5] == 100 * 10**6 - sum(shares)  # the carry
    chains.end_all_sessions()  # let the verifying process have the embedded chains
    verified = run_cli("data", "verify", str(facts["task_id"]), "--json", home=embedded_world)
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"]

    # tampering with what was revealed or disclosed is caught, naming what differs
    directory = task_dir(facts["task_id"])
    victim = task.contributors[0]
    path = directory / "contributions" / (
        bytes(markets.market.functions.data_hash_of(task.task_id, victim).call()).hex() + ".npz")
    original = valuation.load_contribution(path)
    forged = valuation.Contribution(original.contributor, original.X, (original.y + 1) % 10,
                                    original.trap_labels)
    np.savez(path, X=forged.X, y=forged.y, trap_labels=forged.trap_labels,
             contributor=np.array(forged.contributor))
    report = verify_task(facts["task_id"], L1)
    assert not report.ok and any(victim in p and "does not match the revealed data hash" in p
                                 for p in report.problems)
    valuation.save_contribution(original, directory / "contributions")
    spec = valuation.load_spec(directory)
    valuation.save_spec(valuation.EvalSpec(spec.X_test, (spec.y_test + 1) % 10, spec.trap_X,
                                           spec.trap_y, k=spec.k, seed=spec.seed),
                        directory)
    chains.end_all_sessions()
    tampered = run_cli("data", "verify", str(facts["task_id"]), home=embedded_world)
    assert tampered.returncode == 1 and "does not hash to the task's eval_hash" in tampered.stdout


def _small_task(seed: int = 3):
    """A buyer and three contributors through commit and reveal; the buyer has not published."""
    names = ["tiny-buyer", "tiny-a", "tiny-b", "tiny-c"]
    addresses = ensure_agent_wallets({n: COMMERCE for n in names}, PASSPHRASE)
    markets = Markets(L1)
    chain = load_config().chain(L1)
    made = datasets.make_contributors(seed, 3, [addresses[n] for n in names[1:]])
    spec = datasets.make_spec(seed)
    buyer = Participant("tiny-buyer", PASSPHRASE, markets)
    task_id = buyer.create_task(chain.tokens["USDC"], 10_000_001, valuation.eval_hash(spec),
                                b"\x01" * 32, commit_seconds=600, reveal_seconds=600,
                                publish_seconds=600)
    people = [Participant(n, PASSPHRASE, markets) for n in names[1:]]
    salts = [p.commit(task_id, valuation.data_hash(c)) for p, (c, _, _) in zip(people, made)]
    sandbox_market.advance_time(chain, 601)
    for person, (contribution, _, _), salt in zip(people, made, salts):
        person.reveal(task_id, valuation.data_hash(contribution), salt)
        valuation.save_contribution(contribution, task_dir(task_id) / "contributions")
    sandbox_market.advance_time(chain, 601)
    return markets, buyer, people, task_id, [c for c, _, _ in made], spec


def test_data_verify_rejects_scores_the_evaluation_does_not_give(embedded_world):
    markets, buyer, people, task_id, contributions, spec = _small_task()
    honest = valuation.value_contributions(contributions, spec).scores
    assert all(honest)  # three clean or noisy contributors: all valued
    favoured = [honest[0] + honest[1], 0, honest[2]]  # the buyer's friend takes the second's pay
    valuation.save_spec(spec, task_dir(task_id))
    buyer.publish(task_id, favoured)
    report = verify_task(task_id, L1)
    assert not report.ok and report.bundle_ok
    second = people[1].address
    assert f"{second}: published score 0, recomputed {honest[1]}" in report.problems
    expected, _ = payouts(10_000_001, honest)
    assert any(p.startswith(f"{second}: paid 0 on chain, the published valuation gives "
                            f"{expected[1]}") for p in report.problems)


def test_data_market_only_the_buyer_publishes_and_a_payout_is_claimed_once(embedded_world):
    markets, buyer, people, task_id, contributions, spec = _small_task(seed=4)
    before = _usdc(people[0].address)
    with pytest.raises(StewardError, match="nothing was signed"):
        people[0].publish(task_id, [1, 1, 1])  # only the buyer publishes
    scores = valuation.value_contributions(contributions, spec).scores
    buyer.publish(task_id, scores)
    paid = people[0].claim(task_id)
    assert paid > 0 and _usdc(people[0].address) == before + paid
    assert people[0].claim(task_id) == 0  # nothing more is owed


def test_data_verify_catches_a_tampered_contribution_or_bundle(embedded_world):
    markets, buyer, people, task_id, contributions, spec = _small_task(seed=5)
    directory = task_dir(task_id)
    valuation.save_spec(spec, directory)
    buyer.publish(task_id, valuation.value_contributions(contributions, spec).scores)
    assert verify_task(task_id, L1).ok
    victim = people[0].address
    path = directory / "contributions" / (
        bytes(markets.market.functions.data_hash_of(task_id, victim).call()).hex() + ".npz")
    original = valuation.load_contribution(path)
    np.savez(path, X=original.X, y=(original.y + 1) % 10, trap_labels=original.trap_labels,
             contributor=np.array(original.contributor))
    report = verify_task(task_id, L1)
    assert not report.ok and report.problems == [
        f"{victim}: the stored contribution does not match the revealed data hash 0x"
        f"{path.stem}"]
    valuation.save_contribution(original, directory / "contributions")
    assert verify_task(task_id, L1).ok
    valuation.save_spec(valuation.EvalSpec(spec.X_test, (spec.y_test + 1) % 10, spec.trap_X,
                                           spec.trap_y, k=spec.k, seed=spec.seed), directory)
    report = verify_task(task_id, L1)
    assert not report.ok and not report.bundle_ok
    assert "does not hash to the task's eval_hash" in report.problems[0]
