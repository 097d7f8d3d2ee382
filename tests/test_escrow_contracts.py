"""JobEscrow and AlliancePool on an in-process eth-tester chain (py-evm)."""

from __future__ import annotations

import pytest
from web3 import EthereumTesterProvider, Web3
from web3.logs import DISCARD


from contract_helpers import deploy, now, reverts, send

OPEN, FUNDED, SUBMITTED, COMPLETED, REJECTED, EXPIRED = 1, 2, 3, 4, 5, 6
PLATFORM_BPS, EVAL_BPS = 250, 100
SPEC = b"\x01" * 32
DELIV = b"\x02" * 32
REASON = b"\x03" * 32
DAY = 86400










def travel(w3, ts: int):
    w3.provider.ethereum_tester.time_travel(ts)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def w3():
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def roles(w3):
    a = w3.eth.accounts
    return dict(owner=a[0], client=a[1], provider=a[2], evaluator=a[3], treasury=a[4],
                stranger=a[5], c1=a[6], c2=a[7], c3=a[8], creator=a[9])


@pytest.fixture(scope="module")
def usdc(w3, roles):
    token = deploy(w3, "ERC20", "USD Coin", "USDC", 6)
    for who in ("client", "c1", "c2", "c3"):
        send(token.functions.mint(roles[who], 10**15), roles["owner"])
    return token


@pytest.fixture(scope="module")
def escrow(w3, roles, usdc):
    e = deploy(w3, "JobEscrow", roles["treasury"], PLATFORM_BPS)
    send(usdc.functions.approve(e.address, 2**256 - 1), roles["client"])
    return e


@pytest.fixture(scope="module")
def pool(w3, roles, usdc):
    p = deploy(w3, "AlliancePool")
    for who in ("c1", "c2", "c3"):
        send(usdc.functions.approve(p.address, 2**256 - 1), roles[who])
    return p


def bal(token, who) -> int:
    return token.functions.balanceOf(who).call()


def new_job(w3, escrow, usdc, roles, budget=None, expires_in=DAY, fund=False):
    """Create (and optionally budget/fund) a job; returns its id."""
    fn = escrow.functions.createJob(roles["provider"], roles["evaluator"], now(w3) + expires_in,
                                    usdc.address, EVAL_BPS, SPEC)
    job_id = fn.call({"from": roles["client"]})
    send(fn, roles["client"])
    if budget is not None:
        send(escrow.functions.setBudget(job_id, budget), roles["client"])
    if fund:
        send(escrow.functions.fund(job_id), roles["client"])
    return job_id


def state(escrow, job_id) -> int:
    return escrow.functions.stateOf(job_id).call()


# ---------------------------------------------------------------- JobEscrow


def test_constructor_rejects_high_fee(w3, roles):
    with pytest.raises(Exception):
        deploy(w3, "JobEscrow", roles["treasury"], 1001)


def test_create_job_validation(w3, escrow, usdc, roles):
    f = escrow.functions
    t = now(w3) + DAY
    c, p, e = roles["client"], roles["provider"], roles["evaluator"]
    reverts(f.createJob(c, e, t, usdc.address, EVAL_BPS, SPEC), c, "provider is the client")
    reverts(f.createJob(p, p, t, usdc.address, EVAL_BPS, SPEC), c, "evaluator is the provider")
    reverts(f.createJob(p, e, now(w3) - 1, usdc.address, EVAL_BPS, SPEC), c, "expiry in the past")
    reverts(f.createJob(p, e, t, usdc.address, 1001, SPEC), c, "evaluator fee too high")


def test_full_lifecycle_exact_payouts(w3, escrow, usdc, roles):
    budget = 1_000_003
    job_id = new_job(w3, escrow, usdc, roles, budget=budget)
    f = escrow.functions
    job = f.getJob(job_id).call()
    assert job[0] == roles["client"] and job[8] == OPEN and job[4] == budget

    reverts(f.submit(job_id, DELIV), roles["provider"], "wrong state")  # not funded yet
    reverts(f.fund(job_id), roles["stranger"], "not the client")
    before = {k: bal(usdc, roles[k]) for k in ("client", "provider", "evaluator", "treasury")}
    r = send(f.fund(job_id), roles["client"])
    assert escrow.events.JobFunded().process_receipt(r, errors=DISCARD)[0].args.amount == budget
    assert state(escrow, job_id) == FUNDED
    assert bal(usdc, escrow.address) >= budget
    reverts(f.setBudget(job_id, 5), roles["client"], "wrong state")

    reverts(f.submit(job_id, DELIV), roles["stranger"], "not the provider")
    reverts(f.complete(job_id, REASON), roles["evaluator"], "wrong state")  # not submitted
    send(f.submit(job_id, DELIV), roles["provider"])
    assert state(escrow, job_id) == SUBMITTED
    assert f.getJob(job_id).call()[10] == DELIV

    reverts(f.complete(job_id, REASON), roles["stranger"], "not the evaluator")
    reverts(f.complete(job_id, REASON), roles["client"], "not the evaluator")
    reverts(f.claimRefund(job_id), roles["client"], "not expired")
    r = send(f.complete(job_id, REASON), roles["evaluator"])
    ev = escrow.events.JobCompleted().process_receipt(r, errors=DISCARD)[0].args

    eval_fee = budget * EVAL_BPS // 10_000  # 10_000
    plat_fee = budget * PLATFORM_BPS // 10_000  # 25_000
    assert (ev.evaluatorFee, ev.platformFee) == (eval_fee, plat_fee)
    assert ev.providerPayout == budget - eval_fee - plat_fee == 965_003
    assert ev.providerPayout + ev.evaluatorFee + ev.platformFee == budget
    assert bal(usdc, roles["provider"]) - before["provider"] == ev.providerPayout
    assert bal(usdc, roles["evaluator"]) - before["evaluator"] == eval_fee
    assert bal(usdc, roles["treasury"]) - before["treasury"] == plat_fee
    assert before["client"] - bal(usdc, roles["client"]) == budget
    assert f.fees(budget, EVAL_BPS, PLATFORM_BPS).call() == [965_003, eval_fee, plat_fee]
    assert state(escrow, job_id) == COMPLETED

    # paid out exactly once
    reverts(f.complete(job_id, REASON), roles["evaluator"], "wrong state")
    reverts(f.reject(job_id, REASON), roles["evaluator"], "wrong state")
    travel(w3, now(w3) + 2 * DAY)
    reverts(f.claimRefund(job_id), roles["client"], "wrong state")


def test_reject_refunds_whole_budget(w3, escrow, usdc, roles):
    f = escrow.functions
    for submitted in (False, True):
        budget = 777_777
        job_id = new_job(w3, escrow, usdc, roles, budget=budget, fund=True)
        if submitted:
            send(f.submit(job_id, DELIV), roles["provider"])
        before = bal(usdc, roles["client"])
        reverts(f.reject(job_id, REASON), roles["provider"], "not the evaluator")
        r = send(f.reject(job_id, REASON), roles["evaluator"])
        assert escrow.events.JobRejected().process_receipt(r, errors=DISCARD)[0].args.refund == budget
        assert bal(usdc, roles["client"]) - before == budget
        assert state(escrow, job_id) == REJECTED
        reverts(f.reject(job_id, REASON), roles["evaluator"], "wrong state")
        reverts(f.complete(job_id, REASON), roles["evaluator"], "wrong state")


def test_reject_open_job_reverts(w3, escrow, usdc, roles):
    job_id = new_job(w3, escrow, usdc, roles, budget=10)
    reverts(escrow.functions.reject(job_id, REASON), roles["evaluator"], "wrong state")


def test_fund_requires_budget(w3, escrow, usdc, roles):
    job_id = new_job(w3, escrow, usdc, roles)
    reverts(escrow.functions.fund(job_id), roles["client"], "zero budget")
    reverts(escrow.functions.setBudget(job_id, 5), roles["provider"], "not the client")


@pytest.mark.parametrize("phase", ["open", "funded", "submitted"])
def test_expiry_refund_every_phase(w3, escrow, usdc, roles, phase):
    f = escrow.functions
    budget = 123_457
    job_id = new_job(w3, escrow, usdc, roles, budget=budget, fund=phase != "open")
    if phase == "submitted":
        send(f.submit(job_id, DELIV), roles["provider"])  # evaluator then stays silent
    expires = f.getJob(job_id).call()[5]
    reverts(f.claimRefund(job_id), roles["client"], "not expired")
    travel(w3, expires + 1)
    if phase == "funded":
        reverts(f.submit(job_id, DELIV), roles["provider"], "expired")
    reverts(f.claimRefund(job_id), roles["stranger"], "not the client")
    reverts(f.claimRefund(job_id), roles["provider"], "not the client")
    before = bal(usdc, roles["client"])
    r = send(f.claimRefund(job_id), roles["client"])
    ev = escrow.events.JobRefunded().process_receipt(r, errors=DISCARD)[0].args
    expected = 0 if phase == "open" else budget
    assert ev.refund == expected
    assert bal(usdc, roles["client"]) - before == expected
    assert state(escrow, job_id) == EXPIRED
    reverts(f.claimRefund(job_id), roles["client"], "wrong state")  # double refund
    reverts(f.complete(job_id, REASON), roles["evaluator"], "wrong state")
    reverts(f.reject(job_id, REASON), roles["evaluator"], "wrong state")


def test_fund_after_expiry_reverts(w3, escrow, usdc, roles):
    job_id = new_job(w3, escrow, usdc, roles, budget=5, expires_in=100)
    travel(w3, now(w3) + 200)
    reverts(escrow.functions.fund(job_id), roles["client"], "expired")


def test_escrow_holds_nothing_after_all_jobs_final(w3, escrow, usdc):
    # every funded job above ended Completed/Rejected/Expired, and each paid out once
    assert bal(usdc, escrow.address) == 0


def test_unknown_job_reverts(escrow, roles):
    reverts(escrow.functions.submit(999, DELIV), roles["provider"], "no such job")


# ---------------------------------------------------------------- AlliancePool

AMOUNTS = (333_333, 500_001, 166_669)  # sum 1_000_003


def make_pool(w3, pool, roles, usdc, target, deadline_in=DAY, contribute=AMOUNTS):
    fn = pool.functions.createPool(usdc.address, target, now(w3) + deadline_in)
    pool_id = fn.call({"from": roles["creator"]})
    send(fn, roles["creator"])
    for who, amt in zip(("c1", "c2", "c3"), contribute):
        send(pool.functions.contribute(pool_id, amt), roles[who])
    return pool_id


def contributors_balances(usdc, roles):
    return [bal(usdc, roles[k]) for k in ("c1", "c2", "c3")]


def fund_pool_job(w3, pool, escrow, roles, pool_id, expires_in=DAY):
    fn = pool.functions.fundJob(pool_id, escrow.address, roles["provider"], roles["evaluator"],
                                now(w3) + expires_in, EVAL_BPS, SPEC)
    job_id = fn.call({"from": roles["creator"]})
    send(fn, roles["creator"])
    return job_id


def refunds_of(pool, receipt):
    return [e.args.amount for e in pool.events.Refunded().process_receipt(receipt, errors=DISCARD)]


def test_pool_rejected_job_refunds_everything(w3, pool, escrow, usdc, roles):
    total = sum(AMOUNTS)
    pool_id = make_pool(w3, pool, roles, usdc, target=total)
    assert pool.functions.contributors(pool_id).call() == [roles["c1"], roles["c2"], roles["c3"]]
    reverts(pool.functions.fundJob(pool_id, escrow.address, roles["provider"], roles["evaluator"],
                                   now(w3) + DAY, EVAL_BPS, SPEC), roles["c1"], "not the creator")
    job_id = fund_pool_job(w3, pool, escrow, roles, pool_id)
    job = escrow.functions.getJob(job_id).call()
    assert job[0] == pool.address and job[4] == total and job[8] == FUNDED
    reverts(pool.functions.settle(pool_id), roles["c1"], "job not finished")
    reverts(pool.functions.contribute(pool_id, 1), roles["c1"], "wrong state")

    send(escrow.functions.submit(job_id, DELIV), roles["provider"])
    send(escrow.functions.reject(job_id, REASON), roles["evaluator"])
    before = contributors_balances(usdc, roles)
    r = send(pool.functions.settle(pool_id), roles["stranger"])
    after = contributors_balances(usdc, roles)
    got = [a - b for a, b in zip(after, before)]
    assert got == list(AMOUNTS) == refunds_of(pool, r)
    assert sum(got) == total
    reverts(pool.functions.settle(pool_id), roles["c1"], "wrong state")  # double refund


def test_pool_completed_job_refunds_excess_pro_rata(w3, pool, escrow, usdc, roles):
    total = sum(AMOUNTS)
    target = 900_001  # excess 100_002 splits with rounding
    pool_id = make_pool(w3, pool, roles, usdc, target=target)
    job_id = fund_pool_job(w3, pool, escrow, roles, pool_id)
    assert escrow.functions.getJob(job_id).call()[4] == target
    send(escrow.functions.submit(job_id, DELIV), roles["provider"])
    send(escrow.functions.complete(job_id, REASON), roles["evaluator"])
    before = contributors_balances(usdc, roles)
    r = send(pool.functions.settle(pool_id), roles["c2"])
    got = [a - b for a, b in zip(contributors_balances(usdc, roles), before)]
    excess = total - target
    floors = [excess * a // total for a in AMOUNTS]
    assert got[:2] == floors[:2]
    assert got[2] == excess - floors[0] - floors[1]
    assert sum(got) == excess == sum(refunds_of(pool, r))
    assert sum(floors) < excess  # rounding remainder really existed and was not lost
    reverts(pool.functions.settle(pool_id), roles["c2"], "wrong state")


def test_pool_expired_job_claimed_through_pool(w3, pool, escrow, usdc, roles):
    total = sum(AMOUNTS)
    pool_id = make_pool(w3, pool, roles, usdc, target=total)
    job_id = fund_pool_job(w3, pool, escrow, roles, pool_id, expires_in=1000)
    send(escrow.functions.submit(job_id, DELIV), roles["provider"])  # evaluator silent
    reverts(pool.functions.claimRefund(pool_id), roles["c1"], "not expired")
    travel(w3, now(w3) + 2000)
    reverts(pool.functions.claimRefund(pool_id), roles["stranger"], "not a contributor")
    reverts(escrow.functions.claimRefund(job_id), roles["c1"], "not the client")
    reverts(pool.functions.settle(pool_id), roles["c1"], "job not finished")
    send(pool.functions.claimRefund(pool_id), roles["c3"])
    assert state(escrow, job_id) == EXPIRED
    reverts(pool.functions.claimRefund(pool_id), roles["c3"], "wrong state")  # escrow: once
    before = contributors_balances(usdc, roles)
    send(pool.functions.settle(pool_id), roles["c1"])
    got = [a - b for a, b in zip(contributors_balances(usdc, roles), before)]
    assert got == list(AMOUNTS) and sum(got) == total


def test_pool_deadline_refund_without_target(w3, pool, escrow, usdc, roles):
    pool_id = make_pool(w3, pool, roles, usdc, target=10**9, deadline_in=1000)
    reverts(pool.functions.fundJob(pool_id, escrow.address, roles["provider"], roles["evaluator"],
                                   now(w3) + DAY, EVAL_BPS, SPEC), roles["creator"], "target not reached")
    reverts(pool.functions.settle(pool_id), roles["c1"], "deadline not passed")
    travel(w3, now(w3) + 2000)
    reverts(pool.functions.contribute(pool_id, 1), roles["c1"], "deadline passed")
    before = contributors_balances(usdc, roles)
    send(pool.functions.settle(pool_id), roles["stranger"])
    got = [a - b for a, b in zip(contributors_balances(usdc, roles), before)]
    assert got == list(AMOUNTS)
    reverts(pool.functions.settle(pool_id), roles["c1"], "wrong state")


def test_pool_repeat_contributor_listed_once(w3, pool, usdc, roles):
    pool_id = make_pool(w3, pool, roles, usdc, target=10**9, contribute=(5, 7))
    send(pool.functions.contribute(pool_id, 11), roles["c1"])
    assert pool.functions.contributors(pool_id).call() == [roles["c1"], roles["c2"]]
    assert pool.functions.contributions(pool_id, roles["c1"]).call() == 16


def test_pool_holds_nothing_after_settlements(pool, usdc):
    # only the last (unsettled) pool's 23 units remain
    assert bal(usdc, pool.address) == 23
