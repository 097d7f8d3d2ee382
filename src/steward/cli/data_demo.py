"""`steward data demo`: a data market that pays for quality, and a model that pays its sources.

On the embedded sandbox (built if the home has none), unattended, every on-chain step through the
acting wallet's guard and executor:

1. a buyer escrows 1,000 USDC in a data task on sandbox-l1, fixing the hash of its evaluation
   bundle (held-out digits, trap items, the valuation code and its parameters);
2. ten contributors of varied quality (clean, noisy, two copies of clean ones, one with flipped
   labels, one labelling at random) commit to their data's hash, then reveal it; a copier who
   commits only after the commit deadline is refused;
3. the buyer values the contributions (KNN-Shapley on the held-out set, duplicates dropped,
   traps checked), publishes the scores and discloses the bundle; the contract pays pro rata with
   no dust lost; `steward data verify` re-runs it from the committed inputs;
4. a model trained on the purchased data is registered with the contributors' scores as weights;
   a customer pays 100 USDC for its predictions and the registry splits it on chain.
"""

from __future__ import annotations

import hashlib
import time

from rich.rule import Rule
from rich.table import Table

from steward import sandbox
from steward.chains.config import load_config
from steward.cli.render import console, err_console, print_json
from steward.display import safe
from steward.errors import StewardError
from steward.sandbox import L1, market as sandbox_market

BUYER, CUSTOMER = "data-buyer", "model-customer"
CONTRIBUTORS = 10
BUDGET = 1_000 * 10**6
REVENUE = 100 * 10**6
PHASE_SECONDS = 3600
AGENT_COMMERCE = ('[commerce]\nmax_budget_usd = 2000\ncounterparties = "any"\n'
                  'tokens = ["USDC"]\nmin_reputation = 0\nmin_jobs = 0\n')


def _say(message: str) -> None:
    err_console.print(f"[dim]•[/] {safe(message)}")


def _wallets(passphrase: str) -> dict[str, str]:
    from steward.sandbox.agents import ensure_agent_wallets

    names = [BUYER, CUSTOMER] + [f"contributor-{i:02d}" for i in range(1, CONTRIBUTORS + 1)]
    # Agent limits: the buyer escrows $1,000 in one plan.
    return ensure_agent_wallets({name: AGENT_COMMERCE for name in names}, passphrase, _say)


def _ensure_world() -> None:
    chains = load_config().chains
    if L1 not in chains or not sandbox.SandboxBuilder().is_deployed(chains[L1]):
        sandbox.up(progress=_say)


def run_demo(seed: int = 0, as_json: bool = False) -> dict:
    from steward.datamarket import datasets, valuation
    from steward.datamarket.market import Markets, Participant, ensure_contracts, task_dir
    from steward.datamarket.verify import verify_task
    from steward.wallets import read_passphrase

    passphrase = read_passphrase()
    _ensure_world()
    addresses = _wallets(passphrase)
    ensure_contracts(L1, _say)
    markets = Markets(L1)
    chain = load_config().chain(L1)
    usdc = chain.tokens["USDC"]
    names = [f"contributor-{i:02d}" for i in range(1, CONTRIBUTORS + 1)]
    made = datasets.make_contributors(seed, CONTRIBUTORS, [addresses[n] for n in names])
    spec = datasets.make_spec(seed)
    started = time.monotonic()

    buyer = Participant(BUYER, passphrase, markets)
    task_id = buyer.create_task(usdc, BUDGET, valuation.eval_hash(spec),
                                hashlib.sha256(b"steward demo: labelled 8x8 digits, 0-9").digest(),
                                commit_seconds=PHASE_SECONDS, reveal_seconds=PHASE_SECONDS,
                                publish_seconds=PHASE_SECONDS)
    _say(f"{BUYER} opened data task {task_id}: 1,000 USDC escrowed, evaluation bundle fixed")
    people = {name: Participant(name, passphrase, markets) for name in names}
    salts = {}
    for name, (contribution, _, _) in zip(names, made):
        salts[name] = people[name].commit(task_id, valuation.data_hash(contribution))
    _say(f"{CONTRIBUTORS} contributors committed to the hashes of their data")

    sandbox_market.advance_time(chain, PHASE_SECONDS + 1)
    copier = _late_copier(people[names[-1]], task_id, made[0][0])
    revealed, refused = [], []
    for name, (contribution, kind, quality) in zip(names, made):
        try:
            people[name].reveal(task_id, valuation.data_hash(contribution), salts[name])
        except StewardError as exc:
            refused.append((name, kind, str(exc)))
            continue
        valuation.save_contribution(contribution, task_dir(task_id) / "contributions")
        revealed.append((name, contribution, kind, quality))
    _say(f"{len(revealed)} revealed; {len(refused)} refused at reveal")

    sandbox_market.advance_time(chain, PHASE_SECONDS + 1)
    on_chain = markets.task(task_id).contributors
    order = {address.lower(): i for i, address in enumerate(on_chain)}
    revealed.sort(key=lambda item: order[item[1].contributor.lower()])
    result = valuation.value_contributions([c for _, c, _, _ in revealed], spec)
    valuation.save_spec(spec, task_dir(task_id))
    buyer.publish(task_id, result.scores)
    _say(f"{BUYER} published the valuation and disclosed its evaluation bundle")
    claimed = {name: people[name].claim(task_id) for name, *_ in revealed}
    dust = buyer.claim(task_id)
    report = verify_task(task_id, L1)

    model_id, revenue = _model(buyer, markets, task_id, revealed, result, usdc, passphrase)
    rows = [{"wallet": name, "kind": kind, "true_quality": quality, "score": score,
             "paid_usdc": claimed[name] / 10**6, "note": note,
             "model_revenue_usdc": revenue.get(name, 0) / 10**6}
            for (name, _, kind, quality), score, note in zip(revealed, result.scores,
                                                             result.notes)]
    facts = {"task_id": task_id, "model_id": model_id, "contributors": rows,
             "refused": [{"wallet": n, "kind": k, "why": w} for n, k, w in refused],
             "late_copier": copier, "buyer_dust_usdc": dust / 10**6,
             "paid_total_usdc": sum(claimed.values()) / 10**6, "verified": report.ok,
             "seconds": round(time.monotonic() - started, 1)}
    if as_json:
        print_json(facts)
    else:
        _print(facts)
    if not report.ok or sum(claimed.values()) + dust != BUDGET:
        raise StewardError("the data market's books do not balance: see above")
    return facts


def _late_copier(participant, task_id: int, original) -> str:
    """A contributor who saw a reveal and tries to commit the same data after the deadline."""
    from steward.datamarket import valuation

    try:
        participant.commit(task_id, valuation.data_hash(original))
    except StewardError as exc:
        return f"refused: {exc}"
    return "NOT refused"


def _model(buyer, markets, task_id, revealed, result, usdc, passphrase):
    """Train on the paid-for data, register the model, sell predictions, split the revenue."""
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    from steward.datamarket import valuation
    from steward.datamarket.market import Participant, model_hash

    paid = [(name, c, score) for (name, c, _, _), score in zip(revealed, result.scores) if score]
    X = np.vstack([c.X for _, c, _ in paid])
    y = np.concatenate([c.y for _, c, _ in paid])
    model = KNeighborsClassifier(n_neighbors=5).fit(X, y)
    digest = model_hash([valuation.data_hash(c) for _, c, _ in paid], "knn k=5")
    model_id = buyer.register_model(digest, usdc, [c.contributor for _, c, _ in paid],
                                    [score for *_, score in paid], task_id)
    customer = Participant(CUSTOMER, passphrase, markets)
    customer.pay_model(model_id, usdc, REVENUE)
    _say(f"{CUSTOMER} paid model {model_id} 100 USDC for predictions "
         f"(it predicts {int(model.predict(X[:1])[0])} for the first training digit)")
    revenue = {}
    for name, _, _ in paid:
        revenue[name] = Participant(name, passphrase, markets).claim_revenue(usdc)
    return model_id, revenue


def _print(facts: dict) -> None:
    console.print(Rule(f"Data task {facts['task_id']}: paid for quality"))
    table = Table()
    for column in ("Contributor", "Kind", "True quality", "Score", "Paid (USDC)", "",
                   "Model revenue (USDC)", "Note"):
        table.add_column(column, overflow="fold")
    most = max((row["paid_usdc"] for row in facts["contributors"]), default=0) or 1
    for row in facts["contributors"]:
        bar = "█" * round(20 * row["paid_usdc"] / most)  # pay at a glance, beside the truth
        table.add_row(safe(row["wallet"]), row["kind"], f"{row['true_quality']:.2f}",
                      str(row["score"]), f"{row['paid_usdc']:.6f}", f"[green]{bar}[/]",
                      f"{row['model_revenue_usdc']:.6f}", safe(row["note"]))
    console.print(table)
    for item in facts["refused"]:
        console.print(f"refused at reveal: {safe(item['wallet'])} ({item['kind']}): "
                      f"{safe(item['why'])}")
    console.print(f"late copier: {safe(facts['late_copier'])}")
    console.print(f"paid out {facts['paid_total_usdc']:.6f} USDC + {facts['buyer_dust_usdc']:.6f} "
                  f"USDC of dust back to the buyer = the 1,000 USDC escrowed; "
                  f"`steward data verify {facts['task_id']}`: "
                  + ("[green]verified[/]" if facts["verified"] else "[red]NOT verified[/]"))
