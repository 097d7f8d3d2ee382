# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Alliance pool: several agents fund one JobEscrow budget
@notice Anyone contributes an ERC-20 to a pool before its deadline. Once the
        target is reached (and before the deadline) the creator turns the pool
        into the client of a JobEscrow job whose budget is the pool's target;
        anything raised above the target stays in the pool. `settle` then
        returns money to the contributors pro rata, with no dust lost (the last
        contributor receives the rounding remainder):
          - deadline passed and no job funded: everything raised;
          - job Rejected, or Expired after `claimRefund` (any contributor can
            make the pool claim the escrow refund): everything raised;
          - job Completed: the excess raised above the target.
        Each pool settles exactly once.
        Trust: contributors trust the creator's choice of escrow contract.
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable
    def approve(spender: address, amount: uint256) -> bool: nonpayable

interface IJobEscrow:
    def createJob(provider: address, evaluator: address, expiresAt: uint256, token: address, evaluatorFeeBps: uint256, specHash: bytes32) -> uint256: nonpayable
    def setBudget(jobId: uint256, amount: uint256): nonpayable
    def fund(jobId: uint256): nonpayable
    def claimRefund(jobId: uint256): nonpayable
    def stateOf(jobId: uint256) -> uint8: view

MAX_CONTRIBUTORS: constant(uint256) = 32

# pool states (0 = no such pool)
RAISING: constant(uint8) = 1
FUNDED: constant(uint8) = 2
SETTLED: constant(uint8) = 3

# JobEscrow job states
JOB_COMPLETED: constant(uint8) = 4
JOB_REJECTED: constant(uint8) = 5
JOB_EXPIRED: constant(uint8) = 6

struct Pool:
    creator: address
    token: address
    target: uint256
    deadline: uint256
    raised: uint256
    escrow: address
    jobId: uint256
    state: uint8

event PoolCreated:
    poolId: indexed(uint256)
    creator: indexed(address)
    token: address
    target: uint256
    deadline: uint256

event Contributed:
    poolId: indexed(uint256)
    contributor: indexed(address)
    amount: uint256
    raised: uint256

event PoolJobFunded:
    poolId: indexed(uint256)
    escrow: indexed(address)
    jobId: uint256
    budget: uint256

event PoolRefundClaimed:
    poolId: indexed(uint256)
    jobId: uint256
    caller: indexed(address)

event Refunded:
    poolId: indexed(uint256)
    contributor: indexed(address)
    amount: uint256

event PoolSettled:
    poolId: indexed(uint256)
    total: uint256

pools: public(HashMap[uint256, Pool])
contributions: public(HashMap[uint256, HashMap[address, uint256]])
refunds: public(HashMap[uint256, HashMap[address, uint256]])
contributorList: HashMap[uint256, DynArray[address, MAX_CONTRIBUTORS]]
nextPoolId: public(uint256)


@deploy
def __init__():
    self.nextPoolId = 1


@internal
@view
def _pool(poolId: uint256) -> Pool:
    pool: Pool = self.pools[poolId]
    assert pool.state != 0, "no such pool"
    return pool


@external
@view
def getPool(poolId: uint256) -> Pool:
    return self.pools[poolId]


@external
@view
def contributors(poolId: uint256) -> DynArray[address, MAX_CONTRIBUTORS]:
    return self.contributorList[poolId]


@external
def createPool(token: address, target: uint256, deadline: uint256) -> uint256:
    assert token != empty(address), "empty token"
    assert target > 0, "zero target"
    assert deadline > block.timestamp, "deadline in the past"
    poolId: uint256 = self.nextPoolId
    self.nextPoolId = poolId + 1
    self.pools[poolId] = Pool(
        creator=msg.sender,
        token=token,
        target=target,
        deadline=deadline,
        raised=0,
        escrow=empty(address),
        jobId=0,
        state=RAISING,
    )
    log PoolCreated(poolId=poolId, creator=msg.sender, token=token, target=target, deadline=deadline)
    return poolId


@external
@nonreentrant
def contribute(poolId: uint256, amount: uint256):
    pool: Pool = self._pool(poolId)
    assert pool.state == RAISING, "wrong state"
    assert block.timestamp < pool.deadline, "deadline passed"
    assert amount > 0, "zero amount"
    if self.contributions[poolId][msg.sender] == 0:
        assert len(self.contributorList[poolId]) < MAX_CONTRIBUTORS, "too many contributors"
        self.contributorList[poolId].append(msg.sender)
    self.contributions[poolId][msg.sender] += amount
    raised: uint256 = pool.raised + amount
    self.pools[poolId].raised = raised
    before: uint256 = staticcall IToken(pool.token).balanceOf(self)
    assert extcall IToken(pool.token).transferFrom(msg.sender, self, amount, default_return_value=True), "transferFrom failed"
    assert staticcall IToken(pool.token).balanceOf(self) - before == amount, "fee-on-transfer token"
    log Contributed(poolId=poolId, contributor=msg.sender, amount=amount, raised=raised)


@external
@nonreentrant
def fundJob(
    poolId: uint256,
    escrow: address,
    provider: address,
    evaluator: address,
    expiresAt: uint256,
    evaluatorFeeBps: uint256,
    specHash: bytes32,
) -> uint256:
    pool: Pool = self._pool(poolId)
    assert msg.sender == pool.creator, "not the creator"
    assert pool.state == RAISING, "wrong state"
    assert block.timestamp < pool.deadline, "deadline passed"
    assert pool.raised >= pool.target, "target not reached"
    assert escrow != empty(address), "empty escrow"
    self.pools[poolId].state = FUNDED
    self.pools[poolId].escrow = escrow
    before: uint256 = staticcall IToken(pool.token).balanceOf(self)
    assert extcall IToken(pool.token).approve(escrow, pool.target, default_return_value=True), "approve failed"
    jobId: uint256 = extcall IJobEscrow(escrow).createJob(provider, evaluator, expiresAt, pool.token, evaluatorFeeBps, specHash)
    self.pools[poolId].jobId = jobId
    extcall IJobEscrow(escrow).setBudget(jobId, pool.target)
    extcall IJobEscrow(escrow).fund(jobId)
    assert extcall IToken(pool.token).approve(escrow, 0, default_return_value=True), "approve failed"
    assert before - staticcall IToken(pool.token).balanceOf(self) == pool.target, "escrow took a wrong amount"
    log PoolJobFunded(poolId=poolId, escrow=escrow, jobId=jobId, budget=pool.target)
    return jobId


@external
@nonreentrant
def claimRefund(poolId: uint256):
    """Make the pool (the job's client) reclaim an expired job's budget from the escrow."""
    pool: Pool = self._pool(poolId)
    assert self.contributions[poolId][msg.sender] > 0, "not a contributor"
    assert pool.state == FUNDED, "wrong state"
    extcall IJobEscrow(pool.escrow).claimRefund(pool.jobId)
    log PoolRefundClaimed(poolId=poolId, jobId=pool.jobId, caller=msg.sender)


@external
@nonreentrant
def settle(poolId: uint256):
    pool: Pool = self._pool(poolId)
    amount: uint256 = 0
    if pool.state == RAISING:
        assert block.timestamp >= pool.deadline, "deadline not passed"
        amount = pool.raised
    elif pool.state == FUNDED:
        jobState: uint8 = staticcall IJobEscrow(pool.escrow).stateOf(pool.jobId)
        if jobState == JOB_REJECTED or jobState == JOB_EXPIRED:
            amount = pool.raised
        elif jobState == JOB_COMPLETED:
            amount = pool.raised - pool.target
        else:
            raise "job not finished"
    else:
        raise "wrong state"
    self.pools[poolId].state = SETTLED

    # pro rata over contributions; the last contributor takes the remainder
    members: DynArray[address, MAX_CONTRIBUTORS] = self.contributorList[poolId]
    n: uint256 = len(members)
    paid: uint256 = 0
    shares: DynArray[uint256, MAX_CONTRIBUTORS] = []
    for i: uint256 in range(n, bound=MAX_CONTRIBUTORS):
        share: uint256 = 0
        if i == n - 1:
            share = amount - paid
        else:
            share = amount * self.contributions[poolId][members[i]] // pool.raised
        paid += share
        shares.append(share)
        self.refunds[poolId][members[i]] = share
    for i: uint256 in range(n, bound=MAX_CONTRIBUTORS):
        if shares[i] > 0:
            assert extcall IToken(pool.token).transfer(members[i], shares[i], default_return_value=True), "transfer failed"
        log Refunded(poolId=poolId, contributor=members[i], amount=shares[i])
    log PoolSettled(poolId=poolId, total=amount)
