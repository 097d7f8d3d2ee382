# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Data market: contributions paid for their published quality
@notice A buyer opens a data task, escrowing a budget in an ERC-20 and fixing,
        up front, the hash of its evaluation bundle (`eval_hash`: code version,
        held-out data, seed, parameters) and of what it asks for (`spec_hash`).
        Contributors commit to the hash of their data, then reveal it; the buyer
        publishes one score per revealed contribution, and the budget is paid
        pro rata to the scores. Anyone can re-run the disclosed evaluation
        bundle on the revealed data and check the scores off chain.

        Time splits into four windows, each closed on the left:
          [create, commit_deadline)           commit
          [commit_deadline, reveal_deadline)  reveal
          [reveal_deadline, publish_deadline) publish (the buyer only)
          [publish_deadline, ...)             expire (anyone), if never published

        Copying is useless: a commitment is keccak256(abi_encode(task_id,
        sender, data_hash, salt)), so it binds its sender, commits close before
        any data is revealed, and a data hash already revealed in a task is
        refused to a later revealer.

        Money: payout_i = budget * score_i // total; the rounding dust goes to
        the buyer, and a total of 0 returns the whole budget to it. A buyer who
        never publishes pays everyone: after publish_deadline the budget is
        split equally among the revealers (the remainder to the first), or
        refunded to the buyer when nobody revealed. Nothing is sent at
        publish or expire: amounts are recorded as owed and each account pulls
        its own with `claim` (which reverts with "nothing owed" once paid).
        Every unit of a budget ends owed to someone: no dust is lost.

        There is no owner and no fee. A task holds at most 64 contributors
        (the first 64 to reveal).
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

MAX_CONTRIBUTORS: constant(uint256) = 64

# task states (a task that does not exist has an empty buyer)
OPEN: constant(uint8) = 0
PUBLISHED: constant(uint8) = 1
EXPIRED: constant(uint8) = 2

struct Task:
    buyer: address
    token: address
    budget: uint256
    commit_deadline: uint256
    reveal_deadline: uint256
    publish_deadline: uint256
    eval_hash: bytes32
    spec_hash: bytes32
    state: uint8
    total_score: uint256

event TaskCreated:
    task_id: indexed(uint256)
    buyer: indexed(address)
    token: address
    budget: uint256
    eval_hash: bytes32
    spec_hash: bytes32

event Committed:
    task_id: indexed(uint256)
    contributor: indexed(address)
    commitment: bytes32

event Revealed:
    task_id: indexed(uint256)
    contributor: indexed(address)
    data_hash: bytes32

event Published:
    task_id: indexed(uint256)
    total_score: uint256

event Payout:
    task_id: indexed(uint256)
    account: indexed(address)
    amount: uint256

event Expired:
    task_id: indexed(uint256)

event Claimed:
    task_id: indexed(uint256)
    account: indexed(address)
    amount: uint256

tasks: HashMap[uint256, Task]
next_task_id: public(uint256)
_contributors: HashMap[uint256, DynArray[address, MAX_CONTRIBUTORS]]
_commitments: HashMap[uint256, HashMap[address, bytes32]]
_data_hashes: HashMap[uint256, HashMap[address, bytes32]]
# who revealed a data hash first in a task: a second revealer of the same hash is a copier
_revealer_of: HashMap[uint256, HashMap[bytes32, address]]
_scores: HashMap[uint256, HashMap[address, uint256]]
_owed: HashMap[uint256, HashMap[address, uint256]]


@deploy
def __init__():
    self.next_task_id = 1


# ---------------------------------------------------------------- helpers

@internal
@view
def _task(task_id: uint256) -> Task:
    task: Task = self.tasks[task_id]
    assert task.buyer != empty(address), "no such task"
    return task


@internal
def _credit(task_id: uint256, account: address, amount: uint256):
    """Record `amount` as owed to `account` (pull payment); silent for 0."""
    if amount > 0:
        self._owed[task_id][account] += amount
        log Payout(task_id=task_id, account=account, amount=amount)


# ---------------------------------------------------------------- views

@external
@view
def task(task_id: uint256) -> Task:
    """The task's record; an unknown id reads as an empty buyer."""
    return self.tasks[task_id]


@external
@view
def contributors(task_id: uint256) -> DynArray[address, MAX_CONTRIBUTORS]:
    """The revealed contributors, in reveal order (the order `publish` scores them in)."""
    return self._contributors[task_id]


@external
@view
def data_hash_of(task_id: uint256, contributor: address) -> bytes32:
    return self._data_hashes[task_id][contributor]


@external
@view
def score_of(task_id: uint256, contributor: address) -> uint256:
    return self._scores[task_id][contributor]


@external
@view
def owed(task_id: uint256, account: address) -> uint256:
    """What `account` can claim now (0 once claimed)."""
    return self._owed[task_id][account]


@external
@view
def commitment_of(task_id: uint256, account: address) -> bytes32:
    return self._commitments[task_id][account]


@external
@pure
def commitment_hash(task_id: uint256, contributor: address, data_hash: bytes32, salt: bytes32) -> bytes32:
    """The commitment `contributor` must send to later reveal `data_hash` with `salt`."""
    return keccak256(abi_encode(task_id, contributor, data_hash, salt))


# ---------------------------------------------------------------- buyer

@external
@nonreentrant
def create_task(
    token: address,
    budget: uint256,
    commit_deadline: uint256,
    reveal_deadline: uint256,
    publish_deadline: uint256,
    eval_hash: bytes32,
    spec_hash: bytes32,
) -> uint256:
    """
    @notice Open a task and escrow `budget` of `token` from the caller (the
            buyer), who must have approved this contract for it.
    """
    assert token != empty(address), "empty token"
    assert budget > 0, "zero budget"
    assert commit_deadline > block.timestamp, "commit deadline in the past"
    assert reveal_deadline > commit_deadline, "reveal deadline not after commit deadline"
    assert publish_deadline > reveal_deadline, "publish deadline not after reveal deadline"
    task_id: uint256 = self.next_task_id
    self.next_task_id = task_id + 1
    self.tasks[task_id] = Task(
        buyer=msg.sender,
        token=token,
        budget=budget,
        commit_deadline=commit_deadline,
        reveal_deadline=reveal_deadline,
        publish_deadline=publish_deadline,
        eval_hash=eval_hash,
        spec_hash=spec_hash,
        state=OPEN,
        total_score=0,
    )
    before: uint256 = staticcall IToken(token).balanceOf(self)
    assert extcall IToken(token).transferFrom(msg.sender, self, budget, default_return_value=True), "transferFrom failed"
    assert staticcall IToken(token).balanceOf(self) - before == budget, "fee-on-transfer token"
    log TaskCreated(
        task_id=task_id,
        buyer=msg.sender,
        token=token,
        budget=budget,
        eval_hash=eval_hash,
        spec_hash=spec_hash,
    )
    return task_id


@external
def publish(task_id: uint256, scores: DynArray[uint256, MAX_CONTRIBUTORS]):
    """
    @notice The buyer's valuation: one score per revealed contributor, in
            reveal order. Each is owed budget * score // total; the dust (or
            everything, when the total is 0) is owed to the buyer.
    """
    task: Task = self._task(task_id)
    assert msg.sender == task.buyer, "not the buyer"
    assert task.state == OPEN, "already settled"
    assert block.timestamp >= task.reveal_deadline, "reveal not over"
    assert block.timestamp < task.publish_deadline, "publish deadline passed"
    members: DynArray[address, MAX_CONTRIBUTORS] = self._contributors[task_id]
    assert len(scores) == len(members), "one score per contributor"
    total: uint256 = 0
    for score: uint256 in scores:
        total += score
    self.tasks[task_id].state = PUBLISHED
    self.tasks[task_id].total_score = total
    log Published(task_id=task_id, total_score=total)
    paid: uint256 = 0
    if total > 0:
        for i: uint256 in range(len(members), bound=MAX_CONTRIBUTORS):
            self._scores[task_id][members[i]] = scores[i]
            payout: uint256 = task.budget * scores[i] // total
            paid += payout
            self._credit(task_id, members[i], payout)
    self._credit(task_id, task.buyer, task.budget - paid)


# ---------------------------------------------------------------- contributors

@external
def commit(task_id: uint256, commitment: bytes32):
    """
    @notice Commit to a contribution: `commitment` must be
            keccak256(abi_encode(task_id, msg.sender, data_hash, salt)).
    """
    task: Task = self._task(task_id)
    assert block.timestamp < task.commit_deadline, "commit deadline passed"
    assert commitment != empty(bytes32), "empty commitment"
    assert self._commitments[task_id][msg.sender] == empty(bytes32), "already committed"
    self._commitments[task_id][msg.sender] = commitment
    log Committed(task_id=task_id, contributor=msg.sender, commitment=commitment)


@external
def reveal(task_id: uint256, data_hash: bytes32, salt: bytes32):
    """
    @notice Open the caller's commitment. The first revealer of a data hash
            keeps it; a later one (a copier) is refused.
    """
    task: Task = self._task(task_id)
    assert block.timestamp >= task.commit_deadline, "commit not over"
    assert block.timestamp < task.reveal_deadline, "reveal deadline passed"
    assert data_hash != empty(bytes32), "empty data hash"
    committed: bytes32 = self._commitments[task_id][msg.sender]
    assert committed != empty(bytes32), "no commitment"
    assert self._data_hashes[task_id][msg.sender] == empty(bytes32), "already revealed"
    assert keccak256(abi_encode(task_id, msg.sender, data_hash, salt)) == committed, "commitment mismatch"
    assert self._revealer_of[task_id][data_hash] == empty(address), "data already revealed"
    assert len(self._contributors[task_id]) < MAX_CONTRIBUTORS, "too many contributors"
    self._data_hashes[task_id][msg.sender] = data_hash
    self._revealer_of[task_id][data_hash] = msg.sender
    self._contributors[task_id].append(msg.sender)
    log Revealed(task_id=task_id, contributor=msg.sender, data_hash=data_hash)


# ---------------------------------------------------------------- anyone

@external
def expire(task_id: uint256):
    """
    @notice After publish_deadline, a task never published splits its budget
            equally among the revealers (the remainder to the first), or owes
            it all back to the buyer if nobody revealed.
    """
    task: Task = self._task(task_id)
    assert task.state == OPEN, "already settled"
    assert block.timestamp >= task.publish_deadline, "publish deadline not passed"
    self.tasks[task_id].state = EXPIRED
    log Expired(task_id=task_id)
    members: DynArray[address, MAX_CONTRIBUTORS] = self._contributors[task_id]
    n: uint256 = len(members)
    if n == 0:
        self._credit(task_id, task.buyer, task.budget)
        return
    share: uint256 = task.budget // n
    self._credit(task_id, members[0], share + task.budget - share * n)
    for i: uint256 in range(1, n, bound=MAX_CONTRIBUTORS):
        self._credit(task_id, members[i], share)


@external
@nonreentrant
def claim(task_id: uint256) -> uint256:
    """
    @notice Pay the caller everything it is owed in the task; reverts with
            "nothing owed" when that is 0 (so also on a second claim).
    """
    task: Task = self._task(task_id)
    amount: uint256 = self._owed[task_id][msg.sender]
    assert amount > 0, "nothing owed"
    self._owed[task_id][msg.sender] = 0
    assert extcall IToken(task.token).transfer(msg.sender, amount, default_return_value=True), "transfer failed"
    log Claimed(task_id=task_id, account=msg.sender, amount=amount)
    return amount
