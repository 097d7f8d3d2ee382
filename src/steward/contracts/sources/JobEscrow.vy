# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Job escrow for agent-to-agent commerce (ERC-8183-style lifecycle)
@notice A client opens a job for a provider, names an evaluator, sets a budget
        in an ERC-20 and funds it. The provider submits a deliverable hash; the
        evaluator completes (provider paid, minus evaluator and platform fees)
        or rejects (client refunded in full). After `expiresAt` the client can
        always reclaim an unfinished job, from Open, Funded or Submitted, so a
        silent evaluator can never lock the budget. Each job pays out once.
        States: Open -> Funded -> Submitted -> Completed | Rejected | Expired.
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

# job states (0 = no such job)
OPEN: constant(uint8) = 1
FUNDED: constant(uint8) = 2
SUBMITTED: constant(uint8) = 3
COMPLETED: constant(uint8) = 4
REJECTED: constant(uint8) = 5
EXPIRED: constant(uint8) = 6

BPS: constant(uint256) = 10000
MAX_FEE_BPS: constant(uint256) = 1000
MAX_TOTAL_FEE_BPS: constant(uint256) = 2000

struct Job:
    client: address
    provider: address
    evaluator: address
    token: address
    budget: uint256
    expiresAt: uint256
    evaluatorFeeBps: uint256
    platformFeeBps: uint256
    state: uint8
    specHash: bytes32
    deliverableHash: bytes32
    reasonHash: bytes32

event JobCreated:
    jobId: indexed(uint256)
    client: indexed(address)
    provider: indexed(address)
    evaluator: address
    token: address
    expiresAt: uint256
    evaluatorFeeBps: uint256
    platformFeeBps: uint256
    specHash: bytes32

event BudgetSet:
    jobId: indexed(uint256)
    amount: uint256

event JobFunded:
    jobId: indexed(uint256)
    client: indexed(address)
    amount: uint256

event JobSubmitted:
    jobId: indexed(uint256)
    provider: indexed(address)
    deliverableHash: bytes32

event JobCompleted:
    jobId: indexed(uint256)
    evaluator: indexed(address)
    reasonHash: bytes32
    providerPayout: uint256
    evaluatorFee: uint256
    platformFee: uint256

event JobRejected:
    jobId: indexed(uint256)
    evaluator: indexed(address)
    reasonHash: bytes32
    refund: uint256

event JobRefunded:
    jobId: indexed(uint256)
    client: indexed(address)
    fromState: uint8
    refund: uint256

platformTreasury: public(immutable(address))
platformFeeBps: public(immutable(uint256))
jobs: public(HashMap[uint256, Job])
# set by fund(); an Expired job may have been refunded from Open, never funded
wasFunded: public(HashMap[uint256, bool])
nextJobId: public(uint256)


@deploy
def __init__(platform_treasury: address, platform_fee_bps: uint256):
    assert platform_treasury != empty(address), "empty treasury"
    assert platform_fee_bps <= MAX_FEE_BPS, "platform fee too high"
    platformTreasury = platform_treasury
    platformFeeBps = platform_fee_bps
    self.nextJobId = 1


# ---------------------------------------------------------------- helpers

@internal
def _job(jobId: uint256) -> Job:
    job: Job = self.jobs[jobId]
    assert job.state != 0, "no such job"
    return job


@internal
def _send(token: address, receiver: address, amount: uint256):
    if amount > 0:
        assert extcall IToken(token).transfer(receiver, amount, default_return_value=True), "transfer failed"


# ---------------------------------------------------------------- views

@external
@view
def getJob(jobId: uint256) -> Job:
    return self.jobs[jobId]


@external
@view
def stateOf(jobId: uint256) -> uint8:
    return self.jobs[jobId].state


# IJobFacts, read by Reputation: every rating must be backed by a funded job that ended.

@external
@view
def jobClient(jobId: uint256) -> address:
    """empty(address) for an unknown job."""
    return self.jobs[jobId].client


@external
@view
def jobProvider(jobId: uint256) -> address:
    return self.jobs[jobId].provider


@external
@view
def jobFunded(jobId: uint256) -> bool:
    """True once the budget was paid in; stays true after payout, rejection or refund."""
    return self.wasFunded[jobId]


@external
@view
def jobFinal(jobId: uint256) -> bool:
    state: uint8 = self.jobs[jobId].state
    return state == COMPLETED or state == REJECTED or state == EXPIRED


@external
@pure
def fees(budget: uint256, evaluatorFeeBps: uint256, platformFeeBps_: uint256) -> (uint256, uint256, uint256):
    """(providerPayout, evaluatorFee, platformFee) for a budget; they sum to the budget."""
    ev: uint256 = budget * evaluatorFeeBps // BPS
    pf: uint256 = budget * platformFeeBps_ // BPS
    return budget - ev - pf, ev, pf


# ---------------------------------------------------------------- client

@external
def createJob(
    provider: address,
    evaluator: address,
    expiresAt: uint256,
    token: address,
    evaluatorFeeBps: uint256,
    specHash: bytes32,
) -> uint256:
    assert provider != empty(address), "empty provider"
    assert evaluator != empty(address), "empty evaluator"
    assert token != empty(address), "empty token"
    assert provider != msg.sender, "provider is the client"
    assert evaluator != provider, "evaluator is the provider"
    assert expiresAt > block.timestamp, "expiry in the past"
    assert evaluatorFeeBps <= MAX_FEE_BPS, "evaluator fee too high"
    assert platformFeeBps + evaluatorFeeBps <= MAX_TOTAL_FEE_BPS, "fees too high"
    jobId: uint256 = self.nextJobId
    self.nextJobId = jobId + 1
    self.jobs[jobId] = Job(
        client=msg.sender,
        provider=provider,
        evaluator=evaluator,
        token=token,
        budget=0,
        expiresAt=expiresAt,
        evaluatorFeeBps=evaluatorFeeBps,
        platformFeeBps=platformFeeBps,
        state=OPEN,
        specHash=specHash,
        deliverableHash=empty(bytes32),
        reasonHash=empty(bytes32),
    )
    log JobCreated(
        jobId=jobId,
        client=msg.sender,
        provider=provider,
        evaluator=evaluator,
        token=token,
        expiresAt=expiresAt,
        evaluatorFeeBps=evaluatorFeeBps,
        platformFeeBps=platformFeeBps,
        specHash=specHash,
    )
    return jobId


@external
def setBudget(jobId: uint256, amount: uint256):
    job: Job = self._job(jobId)
    assert msg.sender == job.client, "not the client"
    assert job.state == OPEN, "wrong state"
    self.jobs[jobId].budget = amount
    log BudgetSet(jobId=jobId, amount=amount)


@external
@nonreentrant
def fund(jobId: uint256):
    job: Job = self._job(jobId)
    assert msg.sender == job.client, "not the client"
    assert job.state == OPEN, "wrong state"
    assert job.budget > 0, "zero budget"
    assert block.timestamp < job.expiresAt, "expired"
    self.jobs[jobId].state = FUNDED
    self.wasFunded[jobId] = True
    before: uint256 = staticcall IToken(job.token).balanceOf(self)
    assert extcall IToken(job.token).transferFrom(msg.sender, self, job.budget, default_return_value=True), "transferFrom failed"
    received: uint256 = staticcall IToken(job.token).balanceOf(self) - before
    assert received == job.budget, "fee-on-transfer token"
    log JobFunded(jobId=jobId, client=msg.sender, amount=job.budget)


@external
@nonreentrant
def claimRefund(jobId: uint256):
    job: Job = self._job(jobId)
    assert msg.sender == job.client, "not the client"
    assert job.state == OPEN or job.state == FUNDED or job.state == SUBMITTED, "wrong state"
    assert block.timestamp >= job.expiresAt, "not expired"
    refund: uint256 = 0
    if job.state != OPEN:
        refund = job.budget
    self.jobs[jobId].state = EXPIRED
    self._send(job.token, job.client, refund)
    log JobRefunded(jobId=jobId, client=job.client, fromState=job.state, refund=refund)


# ---------------------------------------------------------------- provider

@external
def submit(jobId: uint256, deliverableHash: bytes32):
    job: Job = self._job(jobId)
    assert msg.sender == job.provider, "not the provider"
    assert job.state == FUNDED, "wrong state"
    assert block.timestamp < job.expiresAt, "expired"
    self.jobs[jobId].state = SUBMITTED
    self.jobs[jobId].deliverableHash = deliverableHash
    log JobSubmitted(jobId=jobId, provider=msg.sender, deliverableHash=deliverableHash)


# ---------------------------------------------------------------- evaluator

@external
@nonreentrant
def complete(jobId: uint256, reasonHash: bytes32):
    job: Job = self._job(jobId)
    assert msg.sender == job.evaluator, "not the evaluator"
    assert job.state == SUBMITTED, "wrong state"
    ev: uint256 = job.budget * job.evaluatorFeeBps // BPS
    pf: uint256 = job.budget * job.platformFeeBps // BPS
    payout: uint256 = job.budget - ev - pf
    self.jobs[jobId].state = COMPLETED
    self.jobs[jobId].reasonHash = reasonHash
    self._send(job.token, job.provider, payout)
    self._send(job.token, job.evaluator, ev)
    self._send(job.token, platformTreasury, pf)
    log JobCompleted(
        jobId=jobId,
        evaluator=msg.sender,
        reasonHash=reasonHash,
        providerPayout=payout,
        evaluatorFee=ev,
        platformFee=pf,
    )


@external
@nonreentrant
def reject(jobId: uint256, reasonHash: bytes32):
    job: Job = self._job(jobId)
    assert msg.sender == job.evaluator, "not the evaluator"
    assert job.state == FUNDED or job.state == SUBMITTED, "wrong state"
    self.jobs[jobId].state = REJECTED
    self.jobs[jobId].reasonHash = reasonHash
    self._send(job.token, job.client, job.budget)
    log JobRejected(jobId=jobId, evaluator=msg.sender, reasonHash=reasonHash, refund=job.budget)
