"""Agents trading with agents on the embedded sandbox: signed offers, escrowed jobs through the
guard and the executor, evaluation, refunds, pools and payment-backed reputation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from eth_account import Account

from conftest import PASSPHRASE, run_cli, steward_home_at
from steward import sandbox
from steward.chains.config import load_config
from steward.commerce import (
    Agent,
    AgentCard,
    CommerceError,
    CommerceMandate,
    ExpiredOffer,
    ForgedOffer,
    Market,
    OfferRejected,
    OutsideMandate,
    ReplayedOffer,
    SignedOffer,
    Spec,
)
from steward.commerce.mandate import commerce_toml, load_commerce_mandate
from steward.commerce.offers import offer_digest, sign_offer
from steward.commerce.work import Deliverable
from steward.guard import GuardRefusal
from steward.guard.mandate import MandateError, load_mandate, mandate_path
from steward.home import write_private
from steward.journal import Journal
from steward.sandbox.agents import agent_mandate_toml, ensure_agent_wallets
from steward.sandbox.commerce import PLATFORM_FEE_BPS, treasury_address

USDC = 10**6
N = 1_000_003 * 998_244_353  # what the provider factorises
SPEC = Spec(kind="factorise", n=N)
OPEN_MANDATE = CommerceMandate(max_budget_usd=200 * USDC, tokens=["USDC"])
AGENTS = {
    "client": OPEN_MANDATE,
    "client2": OPEN_MANDATE,
    "provider": OPEN_MANDATE,
    "evaluator": OPEN_MANDATE,
}


@pytest.fixture(scope="module")
def market_template(embedded_template, tmp_path_factory) -> Path:
    """The sandbox plus four funded agent wallets, the provider registered, built once."""
    home = tmp_path_factory.mktemp("market-template") / "home"
    shutil.copytree(embedded_template, home)
    with steward_home_at(home):
        ensure_agent_wallets({name: commerce_toml(m) for name, m in AGENTS.items()}, PASSPHRASE)
        Agent.from_wallet("provider", PASSPHRASE).register("ipfs://provider")
    return home


@pytest.fixture
def market_home(market_template, steward_home) -> Path:
    shutil.copytree(market_template, steward_home)
    return steward_home


@pytest.fixture
def timeline() -> list:
    return []


@pytest.fixture
def agents(market_home, timeline) -> dict[str, Agent]:
    market = Market()
    found = {name: Agent.from_wallet(name, PASSPHRASE, market=market, on_event=timeline.append)
             for name in AGENTS}
    found["provider"].agent_id = 1
    found["provider"].asking_price = 50 * USDC
    return found


def usdc(market: Market) -> str:
    return market.token("USDC").address


def balances(market: Market, *who: str) -> list[int]:
    return [market.balance(usdc(market), address) for address in who]


def travel(market: Market, seconds: int) -> None:
    chain = market.w3.provider.embedded_chain
    chain.tester.time_travel(market.now() + seconds)


def negotiate(client: Agent, provider: Agent, evaluator: Agent, price: int, **kwargs):
    offer = client.propose(provider.card, evaluator.card, SPEC, "USDC", price, **kwargs)
    answer = provider.consider(offer, client.card)
    return offer, client.respond(answer, offer, provider.card)


# ---------------------------------------------------------------- the sandbox


def test_sandbox_up_deploys_and_records_the_market(embedded_world):
    l1 = load_config().chain("sandbox-l1")
    roles = ("agent_registry", "job_escrow", "alliance_pool", "reputation")
    assert set(roles) <= set(l1.contracts)
    market = Market()
    for role in roles:
        assert market.w3.eth.get_code(l1.contracts[role])
    assert market.escrow.functions.platformFeeBps().call() == PLATFORM_FEE_BPS
    assert market.escrow.functions.platformTreasury().call() == treasury_address()
    assert market.reputation.functions.escrow().call() == l1.contracts["job_escrow"]
    assert market.reputation.functions.registry().call() == l1.contracts["agent_registry"]
    before = dict(l1.contracts)
    sandbox.up()
    assert load_config().chain("sandbox-l1").contracts == before


# ---------------------------------------------------------------- the whole job


def test_negotiated_job_pays_out_and_earns_reputation(agents, timeline):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    market = client.market
    offer, agreed = negotiate(client, provider, evaluator, 40 * USDC)
    # the provider asked 50: a counter-offer that answers the client's offer by its digest
    assert agreed.price == 50 * USDC and agreed.proposer == provider.address
    assert agreed.previous == offer_digest(offer.offer, market.domain)
    who = (client.address, provider.address, evaluator.address, treasury_address(),
           market.addresses["escrow"])
    before = balances(market, *who)

    job_id = client.open_job(agreed)
    job = provider.check_job(job_id, agreed)
    assert (job.state, job.budget, job.spec_hash) == ("Funded", 50 * USDC, SPEC.hash)
    delivered = provider.deliver(job_id, SPEC)
    assert delivered.factors == [1_000_003, 998_244_353]
    accepted, reason = evaluator.evaluate(job_id, SPEC)
    assert accepted, reason
    assert market.job(job_id).state == "Completed"

    payout, evaluator_fee, platform_fee = market.fees(50 * USDC, agreed.evaluator_fee_bps)
    assert (evaluator_fee, platform_fee) == (50 * USDC // 100, 50 * USDC * PLATFORM_FEE_BPS // 10_000)
    after = balances(market, *who)
    assert [a - b for a, b in zip(after, before)] == [-50 * USDC, payout, evaluator_fee,
                                                      platform_fee, 0]

    client.rate(job_id, provider.card, 90, "correct factors")
    assert market.reputation.functions.summary(provider.agent_id).call() == [1, 90]
    assert market.standing(provider.agent_id, provider.address).average_x100 == 9000
    with pytest.raises(GuardRefusal, match="feedback already given"):
        client.rate(job_id, provider.card, 10)
    # the reputation now counts for (and against) the provider in other clients' mandates
    client2 = agents["client2"]
    client2.mandate = OPEN_MANDATE.model_copy(update={"min_jobs": 1, "min_reputation": 95})
    with pytest.raises(OutsideMandate, match=r"1 rated jobs, average 90.00"):
        client2.propose(provider.card, evaluator.card, SPEC, "USDC", 50 * USDC)
    client2.mandate = OPEN_MANDATE.model_copy(update={"min_jobs": 1, "min_reputation": 90})
    client2.propose(provider.card, evaluator.card, SPEC, "USDC", 50 * USDC)
    impostor = AgentCard(name="impostor", address=Account.create().address, agent_id=1)
    with pytest.raises(OutsideMandate, match="not registered"):  # borrowed id: no reputation
        client2.propose(impostor, evaluator.card, SPEC, "USDC", 50 * USDC)

    phases = [e.phase for e in timeline if e.phase]
    assert phases == ["createJob", "setBudget", "approve", "fund", "submit", "complete",
                      "giveFeedback"]
    assert all(e.gas_used > 0 for e in timeline if e.phase)
    # every step was judged by the guard and journaled with its verdict
    journal = Journal()
    verdicts = journal.verdicts(50, "client")
    assert sorted((v.decision, v.status) for v in verdicts) == [("allow", "executed")] * 3 + [
        ("deny", "judged")]  # create, fund, rate; the second rating was refused unsigned
    assert [v.status for v in journal.verdicts(50, "evaluator")] == ["executed"]


def test_wrong_deliverable_is_rejected_and_refunded(agents):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    market = client.market
    _, agreed = negotiate(client, provider, evaluator, 60 * USDC)
    assert agreed.price == 60 * USDC  # above the asking price: accepted as offered
    before = balances(market, client.address, provider.address, evaluator.address)
    job_id = client.open_job(agreed)
    provider.check_job(job_id, agreed)
    sloppy = Deliverable(spec_hash=SPEC.hash, factors=[N])  # N is not prime
    provider.deliver(job_id, SPEC, sloppy)
    accepted, reason = evaluator.evaluate(job_id, SPEC)
    assert not accepted and "not prime" in reason
    assert market.job(job_id).state == "Rejected"
    assert balances(market, client.address, provider.address, evaluator.address) == before


def test_silent_evaluator_job_is_refunded_after_expiry(agents):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    market = client.market
    _, agreed = negotiate(client, provider, evaluator, 55 * USDC, job_seconds=600)
    before = balances(market, client.address)[0]
    job_id = client.open_job(agreed)
    provider.deliver(job_id, SPEC)
    with pytest.raises(GuardRefusal, match="not expired"):
        client.claim_refund(job_id)
    travel(market, 601)  # the evaluator never answers
    assert client.claim_refund(job_id) == 55 * USDC
    assert market.job(job_id).state == "Expired"
    assert balances(market, client.address)[0] == before
    with pytest.raises(GuardRefusal, match="wrong state"):
        client.claim_refund(job_id)  # no double refund
    with pytest.raises(GuardRefusal, match="wrong state"):  # the escrow refuses a late payout
        evaluator._run([evaluator._call(market.addresses["escrow"], "JobEscrow", "complete", job_id,
                                        b"\x00" * 32, description="late completion")],
                       ["complete"], "late completion")


def test_job_not_matching_the_agreement_is_refused(agents):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    _, agreed = negotiate(client, provider, evaluator, 50 * USDC)
    cheaper = agreed.model_copy(update={"price": 49 * USDC})
    job_id = client.open_job(cheaper)
    with pytest.raises(CommerceError, match="budget"):
        provider.check_job(job_id, agreed)


# ---------------------------------------------------------------- signatures


def test_forged_expired_and_replayed_offers_are_rejected(agents):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    domain = client.market.domain
    offer = client.propose(provider.card, evaluator.card, SPEC, "USDC", 50 * USDC)

    intruder = Account.create()
    forged = SignedOffer(offer=offer.offer, signature=sign_offer(
        offer.offer.model_copy(update={"proposer": intruder.address, "client": intruder.address}),
        intruder, domain).signature)
    with pytest.raises(ForgedOffer, match="does not belong to the proposer"):
        provider.consider(forged, client.card)
    tampered = SignedOffer(offer=offer.offer.model_copy(update={"price": 500 * USDC}),
                           signature=offer.signature)
    with pytest.raises(ForgedOffer):
        provider.consider(tampered, client.card)
    garbage = SignedOffer(offer=offer.offer, signature="0x" + "11" * 65)
    with pytest.raises(ForgedOffer):
        provider.consider(garbage, client.card)
    other_escrow = sign_offer(offer.offer.model_copy(update={"nonce": 99}), client._account,
                              domain.model_copy(update={"escrow": intruder.address}))
    with pytest.raises(ForgedOffer):
        provider.consider(other_escrow, client.card)  # signed for another escrow

    assert provider.consider(offer, client.card) == offer  # genuine: accepted once
    with pytest.raises(ReplayedOffer, match="already used"):
        provider.consider(offer, client.card)

    stale = client.propose(provider.card, evaluator.card, SPEC, "USDC", 50 * USDC, valid_seconds=60)
    travel(client.market, 120)
    with pytest.raises(ExpiredOffer):
        provider.consider(stale, client.card)

    # a counter-offer must answer the client's own offer, and may not be replayed either
    mine = client.propose(provider.card, evaluator.card, SPEC, "USDC", 40 * USDC)
    counter = provider.consider(mine, client.card)
    other = client.propose(provider.card, evaluator.card, SPEC, "USDC", 41 * USDC)
    with pytest.raises(OfferRejected, match="does not answer"):
        client.respond(counter, other, provider.card)
    with pytest.raises(ReplayedOffer):
        client.respond(counter, mine, provider.card)  # its nonce was seen just above


def test_agent_refuses_offers_over_its_mandate(agents):
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    market = client.market
    stranger = Account.create().address
    strict = CommerceMandate(max_budget_usd=45 * USDC, max_budget={"USDC": "30"},
                             counterparties=[provider.address, evaluator.address],
                             tokens=["USDC"], min_reputation=50, min_jobs=1)
    client.mandate = strict
    chain_nonce = market.w3.eth.get_transaction_count(client.address)
    before = balances(market, client.address)
    used = client.offers.used

    # a new agent (no rated jobs) is refused when the mandate wants one or more
    with pytest.raises(OutsideMandate, match=r"no rated jobs yet; its mandate needs 1\+"):
        client.propose(provider.card, evaluator.card, SPEC, "USDC", 20 * USDC)
    client.mandate = strict.model_copy(update={"min_jobs": 0})
    with pytest.raises(OutsideMandate, match=r"above its mandate's 30 USDC"):
        client.propose(provider.card, evaluator.card, SPEC, "USDC", 31 * USDC)
    client.mandate = strict.model_copy(update={"min_jobs": 0, "max_budget": {}})
    with pytest.raises(OutsideMandate, match=r"\$45.00 per job"):
        client.propose(provider.card, evaluator.card, SPEC, "USDC", 46 * USDC)
    with pytest.raises(OutsideMandate, match="USDT"):
        client.propose(provider.card, evaluator.card, SPEC, "USDT", 20 * USDC)
    outsider = AgentCard(name="outsider", address=stranger)
    with pytest.raises(OutsideMandate, match="not among the counterparties"):
        client.propose(outsider, evaluator.card, SPEC, "USDC", 20 * USDC)
    with pytest.raises(OutsideMandate, match="evaluator"):
        client.propose(provider.card, outsider, SPEC, "USDC", 20 * USDC)

    # the provider's counter-offer (50) is over this client's 45 budget: refused too
    offer = client.propose(provider.card, evaluator.card, SPEC, "USDC", 40 * USDC)
    counter = provider.consider(offer, client.card)
    with pytest.raises(OutsideMandate, match=r"\$45.00"):
        client.respond(counter, offer, provider.card)

    # nothing was signed on-chain, and only the one offer within the mandate used a nonce
    assert client.offers.used == used + 1
    assert market.w3.eth.get_transaction_count(client.address) == chain_nonce
    assert balances(market, client.address) == before

    # a provider refuses a client its mandate does not list
    provider.mandate = OPEN_MANDATE.model_copy(update={"counterparties": [evaluator.address]})
    client.mandate = OPEN_MANDATE
    unwanted = client.propose(provider.card, evaluator.card, SPEC, "USDC", 60 * USDC)
    provider_used = provider.offers.used
    with pytest.raises(OutsideMandate, match="counterparty"):
        provider.consider(unwanted, client.card)
    assert provider.offers.used == provider_used


def test_guard_still_judges_every_step(agents):
    """The agent's guard mandate is separate from its commerce mandate: a funding above the
    wallet's per-transaction limit is refused by the guard, nothing signed."""
    client, provider, evaluator = agents["client"], agents["provider"], agents["evaluator"]
    write_private(mandate_path("client"), agent_mandate_toml(
        "client", commerce_toml(OPEN_MANDATE), per_transaction_usd=20, daily_usd=100))
    _, agreed = negotiate(client, provider, evaluator, 50 * USDC)
    balance = balances(client.market, client.address)
    with pytest.raises(GuardRefusal, match="per-transaction limit"):
        client.fund_job(client.open_job(agreed), agreed.price, agreed.token)
    assert balances(client.market, client.address) == balance


# ---------------------------------------------------------------- pools


def test_pool_of_two_clients_refunds_pro_rata(agents):
    client, client2 = agents["client"], agents["client2"]
    provider, evaluator = agents["provider"], agents["evaluator"]
    market = client.market
    target = 100 * USDC
    shares = {client.address: 33_333_333, client2.address: 66_666_670}  # 3 units above target
    before = dict(zip(shares, balances(market, *shares)))

    pool_id = client.create_pool("USDC", target)
    client.contribute(pool_id, shares[client.address])
    client2.contribute(pool_id, shares[client2.address])
    _, agreed = negotiate(client, provider, evaluator, target)
    job_id = client.fund_pool_job(pool_id, agreed)
    job = provider.check_job(job_id, agreed, pool_id=pool_id)
    assert job.client == market.addresses["pool"] and job.budget == target
    provider.deliver(job_id, SPEC, Deliverable(spec_hash=SPEC.hash, factors=[3, N // 3]))
    accepted, _ = evaluator.evaluate(job_id, SPEC)
    assert not accepted

    refunds = client2.settle_pool(pool_id)
    assert refunds == shares  # everything back, pro rata, nothing lost
    assert sum(refunds.values()) == sum(shares.values())
    assert dict(zip(shares, balances(market, *shares))) == before
    assert market.balance(usdc(market), market.addresses["pool"]) == 0
    assert market.pool_info(pool_id).state == "Settled"


def test_pool_completed_job_returns_the_excess(agents):
    client, client2 = agents["client"], agents["client2"]
    provider, evaluator = agents["provider"], agents["evaluator"]
    market = client.market
    target = 90 * USDC
    shares = {client.address: 33_333_333, client2.address: 66_666_670}
    before = dict(zip(shares, balances(market, *shares)))
    pool_id = client.create_pool("USDC", target)
    for agent in (client, client2):
        agent.contribute(pool_id, shares[agent.address])
    _, agreed = negotiate(client, provider, evaluator, target)
    job_id = client.fund_pool_job(pool_id, agreed)
    provider.check_job(job_id, agreed, pool_id=pool_id)
    provider.deliver(job_id, SPEC)
    assert evaluator.evaluate(job_id, SPEC)[0]
    refunds = client.settle_pool(pool_id)
    excess = sum(shares.values()) - target
    assert sum(refunds.values()) == excess
    assert refunds[client.address] == excess * shares[client.address] // sum(shares.values())
    spent = {a: before[a] - b for a, b in zip(shares, balances(market, *shares))}
    assert sum(spent.values()) == target


# ---------------------------------------------------------------- the mandate file


def test_commerce_mandate_lives_in_the_wallet_mandate_file(market_home):
    mandate = load_commerce_mandate("client")
    assert mandate.max_budget_usd == 200 * USDC and mandate.tokens == ["USDC"]
    assert mandate.min_jobs == 0 and mandate.reputation_ok(0, 0)  # new agents welcome
    assert not mandate.model_copy(update={"min_jobs": 1}).reputation_ok(0, 0)
    assert load_mandate("client").limits.per_transaction_usd == 1000 * USDC  # guard still reads it
    path = mandate_path("client")
    base = agent_mandate_toml("client", "")

    def check(table: str, match: str):
        write_private(path, base + table)
        with pytest.raises(MandateError, match=match):
            load_commerce_mandate("client")

    check("[commerce]\nmax_budget_usd = 10\nbudget = 5\n", "commerce.budget: unknown key; valid keys")
    check("[commerce]\ntokens = [\"USDC\"]\n", "commerce.max_budget_usd: missing")
    check("[commerce]\nmax_budget_usd = -1\n", "must not be negative")
    check("[commerce]\nmax_budget_usd = 10\nmin_reputation = 101\n", "0 to 100")
    check("[commerce]\nmax_budget_usd = 10\nmin_jobs = -1\n", "0 or more")
    check("[commerce]\nmax_budget_usd = 10\ncounterparties = [\"0xabc\"]\n",
          r"commerce.counterparties\[0\]: must be a 0x address")
    lower = "0x" + "ab" * 20
    check(f"[commerce]\nmax_budget_usd = 10\ncounterparties = [\"{lower}\"]\n", "checksummed")
    check("[commerce]\nmax_budget_usd = 10\nmax_budget = { USDC = \"lots\" }\n",
          "commerce.max_budget.USDC: must be a token amount")
    check("[commerce]\nmax_budget_usd = 10\ntokens = \"USDC\"\n", 'must be "any" or a list')
    check("", r"no \[commerce\] table")
    with pytest.raises(MandateError, match="no such mandate file"):
        load_commerce_mandate("nobody")
    write_private(path, base + "[commerce]\nmax_budget_usd = 12.5\nmax_budget = { usdc = 30 }\n")
    parsed = load_commerce_mandate("client")
    assert parsed.max_budget_usd == 12_500_000 and parsed.token_cap("USDC", 6) == 30 * USDC


# ---------------------------------------------------------------- the CLI


@pytest.mark.slow  # the whole demo in a process; its steps are tested above
def test_market_demo_cli_reports_real_outcomes(embedded_world):
    done = run_cli("market", "demo", "--json", home=embedded_world, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    job = out["job"]
    assert (job["state"], job["accepted"], job["offered"], job["price"]) == (
        "Completed", True, 40 * USDC, 50 * USDC)
    assert job["provider_payout"] + job["evaluator_fee"] + job["platform_fee"] == job["price"]
    assert out["balance_changes"] == {
        "market-client": -50 * USDC, "market-client2": 0,
        "market-provider": job["provider_payout"], "market-evaluator": job["evaluator_fee"],
        "treasury": job["platform_fee"]}
    assert out["reputation"]["jobs"] == out["reputation"]["jobs_before"] + 1 == 1
    assert out["reputation"]["average_x100"] == 9000
    assert "above its mandate" in out["refused_counter_offer"]
    pool = out["pool"]
    assert (pool["job_state"], pool["state"], pool["accepted"]) == ("Rejected", "Settled", False)
    assert pool["refunds"] == pool["contributions"] and len(pool["refunds"]) == 2
    phases = {event["phase"] for event in out["timeline"] if event["phase"]}
    assert {"register", "createJob", "fund", "submit", "complete", "reject", "giveFeedback",
            "contribute", "poolFundJob", "settle"} <= phases
    market_state = run_cli("market", "demo", "--json", home=embedded_world, timeout=600)
    assert market_state.returncode == 0, market_state.stderr  # runs again on the same world
    again = json.loads(market_state.stdout)
    assert again["reputation"]["jobs"] == 2 and again["agents"] == out["agents"]
