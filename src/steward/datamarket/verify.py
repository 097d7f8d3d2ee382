"""`steward data verify TASK`: re-run a published valuation from what was committed, and check it.

What the chain says is the reference: the task's evaluation hash (fixed when the budget was
escrowed), each contributor's revealed data hash (committed before anyone could see another's),
the published scores and the amounts owed. The files under `<home>/data/tasks/<id>/` are only
believed where their hashes match the chain. The valuation is run again with the disclosed
bundle, and every score and every payout must come out exactly as published.
"""

from __future__ import annotations

from pydantic import BaseModel

from steward.datamarket.market import Markets, task_dir
from steward.errors import StewardError


class ContributorCheck(BaseModel):
    contributor: str
    data_hash: str
    file_ok: bool
    published_score: int
    recomputed_score: int | None
    owed_on_chain: int
    recomputed_payout: int | None
    note: str = ""


class VerifyReport(BaseModel):
    task_id: int
    state: str
    eval_hash: str
    bundle_ok: bool
    ok: bool
    budget: int
    buyer_dust: int
    rows: list[ContributorCheck]
    problems: list[str]


def payouts(budget: int, scores: list[int]) -> tuple[list[int], int]:
    """What DataMarket.publish owes: budget * score // total each, the rest to the buyer."""
    total = sum(scores)
    if total == 0:
        return [0] * len(scores), budget
    paid = [budget * score // total for score in scores]
    return paid, budget - sum(paid)


def verify_task(task_id: int, chain: str = "sandbox-l1") -> VerifyReport:
    from steward.datamarket import valuation

    markets = Markets(chain)
    task = markets.task(task_id)
    if task.state != "published":
        raise StewardError(f"data task {task_id} is {task.state}: there is no published "
                           "valuation to verify")
    market = markets.market.functions
    directory = task_dir(task_id)
    problems: list[str] = []
    bundle_path = directory / valuation.BUNDLE_NAME
    spec = valuation.load_spec(bundle_path) if bundle_path.exists() else None
    bundle_ok = spec is not None and valuation.eval_hash(spec) == task.eval_hash
    if spec is None:
        problems.append(f"the evaluation bundle is missing ({bundle_path})")
    elif not bundle_ok:
        problems.append("the disclosed evaluation bundle does not hash to the task's eval_hash: "
                        "it is not what the buyer committed to when escrowing the budget")
    contributions, rows = [], []
    for contributor in task.contributors:
        on_chain = bytes(market.data_hash_of(task_id, contributor).call())
        path = directory / "contributions" / f"{on_chain.hex()}.npz"
        loaded = valuation.load_contribution(path) if path.exists() else None
        file_ok = loaded is not None and valuation.data_hash(loaded) == on_chain
        if not file_ok:
            problems.append(f"{contributor}: the stored contribution does not match the "
                            f"revealed data hash 0x{on_chain.hex()}")
        contributions.append(loaded)
        rows.append(ContributorCheck(
            contributor=contributor, data_hash="0x" + on_chain.hex(), file_ok=file_ok,
            published_score=market.score_of(task_id, contributor).call(),
            recomputed_score=None, owed_on_chain=market.owed(task_id, contributor).call(),
            recomputed_payout=None))
    if bundle_ok and all(row.file_ok for row in rows):
        result = valuation.value_contributions(contributions, spec)
        paid, dust = payouts(task.budget, result.scores)
        for row, score, payout, note in zip(rows, result.scores, paid, result.notes):
            row.recomputed_score, row.recomputed_payout, row.note = score, payout, note
            if score != row.published_score:
                problems.append(f"{row.contributor}: published score {row.published_score}, "
                                f"recomputed {score}")
            claimed = markets.market.events.Claimed().get_logs(
                from_block=0, argument_filters={"task_id": task_id, "account": row.contributor})
            owed_then = row.owed_on_chain + sum(e.args.amount for e in claimed)
            if payout != owed_then:
                problems.append(f"{row.contributor}: paid {owed_then} on chain, the published "
                                f"valuation gives {payout}")
    else:
        dust = 0
    return VerifyReport(task_id=task_id, state=task.state, eval_hash="0x" + task.eval_hash.hex(),
                        bundle_ok=bundle_ok, ok=not problems, budget=task.budget,
                        buyer_dust=dust, rows=rows, problems=problems)


__all__ = ["ContributorCheck", "VerifyReport", "payouts", "verify_task"]
