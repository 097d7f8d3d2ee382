# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Compute market: staked providers whose wrong results can be proven on chain
@notice Providers register with a stake (in `token`) and the hardware they
        claim. A buyer posts a job to one provider, escrowing its price; the
        provider accepts it, locking `collateral` of its free stake, and
        commits the Merkle root of its result. The buyer releases the price,
        or anyone claims it for the provider once the challenge window has
        passed with no fraud proven.

        Two job kinds have results that a single entry of can be checked on
        chain:
          MATMUL     C = A.B mod P for n x n matrices. The buyer commits the
                     root of A's rows (`root_a`) and of B's columns
                     (`root_b`); the result root commits C's rows. A wrong
                     C[i][j] is proven with row i of C, row i of A and
                     column j of B, each under its root: the contract
                     recomputes the dot product mod P. A committed value
                     >= P is itself fraud.
          HASHCHAIN  n items; item i's output is h_rounds as a uint256, where
                     h_0 = keccak256(abi_encode(seed, i)) and
                     h_{t+1} = keccak256(h_t). The result root commits one
                     single-value leaf per item; the contract recomputes one
                     chain.

        Leaves are keccak256(abi_encode(index, values)), padded with zero
        words to a power of two and paired keccak256(left ++ right); a proof
        lists siblings from the leaf up, exactly ceil(log2(n)) of them
        (steward.compute.merkle builds the same trees).

        A buyer who never received the result challenges one row: the
        provider must reveal it with its proof within `response_seconds`
        (RowRevealed carries it), or anyone slashes it. Revealing extends the
        challenge window to at least `response_seconds` after the answer, so
        the buyer can still prove the revealed row wrong. A row is revealed
        at most once per job, so a buyer cannot keep a job open forever by
        challenging the same row again.

        A slash refunds the price to the buyer and moves the job's collateral
        out of the provider's stake to the buyer. A provider that accepts and
        never commits by `deliver_by` is slashed the same way when the buyer
        reclaims. Money moves by direct transfer at the step that settles a
        job (state is written first, and every function that moves tokens
        is nonreentrant). There is no owner and no fee.
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

# the prime field of matrix jobs (the largest prime below 2**20)
P: constant(uint256) = 1048573
MAX_N: constant(uint256) = 512
MAX_DEPTH: constant(uint256) = 16
MAX_ROUNDS: constant(uint256) = 4096

MATMUL: constant(uint8) = 1
HASHCHAIN: constant(uint8) = 2

# job states (0: no such job)
POSTED: constant(uint8) = 1
ACCEPTED: constant(uint8) = 2
COMMITTED: constant(uint8) = 3
CHALLENGED: constant(uint8) = 4
SETTLED: constant(uint8) = 5
SLASHED: constant(uint8) = 6
REFUNDED: constant(uint8) = 7

struct Provider:
    registered: bool
    stake: uint256
    locked: uint256
    hardware: String[64]
    claimed_gflops: uint256
    endpoint: String[128]
    jobs_settled: uint256
    jobs_slashed: uint256

struct Job:
    buyer: address
    provider: address
    kind: uint8
    n: uint256
    rounds: uint256
    seed: bytes32
    root_a: bytes32
    root_b: bytes32
    price: uint256
    collateral: uint256
    deliver_by: uint256
    challenge_seconds: uint256
    state: uint8
    result_root: bytes32
    challenge_ends: uint256
    challenged_index: uint256
    response_deadline: uint256

event ProviderRegistered:
    provider: indexed(address)
    stake: uint256
    hardware: String[64]
    claimed_gflops: uint256
    endpoint: String[128]

event ListingUpdated:
    provider: indexed(address)
    hardware: String[64]
    claimed_gflops: uint256
    endpoint: String[128]

event StakeAdded:
    provider: indexed(address)
    amount: uint256

event StakeWithdrawn:
    provider: indexed(address)
    amount: uint256

event JobPosted:
    job_id: indexed(uint256)
    buyer: indexed(address)
    provider: indexed(address)
    kind: uint8
    n: uint256
    rounds: uint256
    seed: bytes32
    root_a: bytes32
    root_b: bytes32
    price: uint256
    collateral: uint256
    deliver_by: uint256
    challenge_seconds: uint256

event JobAccepted:
    job_id: indexed(uint256)

event ResultCommitted:
    job_id: indexed(uint256)
    result_root: bytes32
    challenge_ends: uint256

event Settled:
    job_id: indexed(uint256)
    provider: indexed(address)
    price: uint256

event RowChallenged:
    job_id: indexed(uint256)
    index: uint256
    response_deadline: uint256

event RowRevealed:
    job_id: indexed(uint256)
    index: uint256
    values: DynArray[uint256, MAX_N]

event Slashed:
    job_id: indexed(uint256)
    provider: indexed(address)
    buyer: address
    collateral: uint256
    reason: String[32]

event Refunded:
    job_id: indexed(uint256)
    slashed_amount: uint256

token: public(immutable(address))
min_stake: public(immutable(uint256))
response_seconds: public(immutable(uint256))
next_job_id: public(uint256)
_providers: HashMap[address, Provider]
_jobs: HashMap[uint256, Job]
_revealed: HashMap[uint256, HashMap[uint256, bool]]


@deploy
def __init__(token_: address, min_stake_: uint256, response_seconds_: uint256):
    assert token_ != empty(address), "empty token"
    assert response_seconds_ > 0, "zero response time"
    token = token_
    min_stake = min_stake_
    response_seconds = response_seconds_
    self.next_job_id = 1


# ---------------------------------------------------------------- helpers

@internal
@view
def _job(job_id: uint256) -> Job:
    record: Job = self._jobs[job_id]
    assert record.state != 0, "no such job"
    return record


@internal
def _pull(amount: uint256):
    """Take `amount` of the token from the caller (who approved it)."""
    before: uint256 = staticcall IToken(token).balanceOf(self)
    assert extcall IToken(token).transferFrom(msg.sender, self, amount, default_return_value=True), "transferFrom failed"
    assert staticcall IToken(token).balanceOf(self) - before == amount, "fee-on-transfer token"


@internal
def _pay(receiver: address, amount: uint256):
    if amount > 0:
        assert extcall IToken(token).transfer(receiver, amount, default_return_value=True), "transfer failed"


@internal
@pure
def _depth(count: uint256) -> uint256:
    """Levels above the leaves of a `count`-leaf tree: ceil(log2(count))."""
    for level: uint256 in range(MAX_DEPTH):
        if (1 << level) >= count:
            return level
    return MAX_DEPTH


@internal
@pure
def _proves(root: bytes32, index: uint256, count: uint256, values: DynArray[uint256, MAX_N], proof: DynArray[bytes32, MAX_DEPTH]) -> bool:
    """Whether `values` is leaf `index` of a `count`-leaf tree with this root."""
    if index >= count or len(proof) != self._depth(count):
        return False
    node: bytes32 = keccak256(abi_encode(index, values))
    position: uint256 = index
    for sibling: bytes32 in proof:
        if position & 1 == 1:
            node = keccak256(concat(sibling, node))
        else:
            node = keccak256(concat(node, sibling))
        position = position >> 1
    return node == root


@internal
@pure
def _hash_chain(seed: bytes32, index: uint256, rounds: uint256) -> uint256:
    h: bytes32 = keccak256(abi_encode(seed, index))
    for _: uint256 in range(rounds, bound=MAX_ROUNDS):
        h = keccak256(h)
    return convert(h, uint256)


@internal
@view
def _check_dispute(record: Job):
    """The buyer may prove fraud while the challenge window is open (and, during a row
    challenge, before the provider's response deadline)."""
    assert msg.sender == record.buyer, "not the buyer"
    assert record.state == COMMITTED or record.state == CHALLENGED, "no result to dispute"
    assert block.timestamp < record.challenge_ends, "challenge window closed"
    if record.state == CHALLENGED:
        assert block.timestamp < record.response_deadline, "response deadline passed"


@internal
def _settle(job_id: uint256, record: Job):
    self._jobs[job_id].state = SETTLED
    self._providers[record.provider].locked -= record.collateral
    self._providers[record.provider].jobs_settled += 1
    log Settled(job_id=job_id, provider=record.provider, price=record.price)
    self._pay(record.provider, record.price)


@internal
def _forfeit(job_id: uint256, record: Job, reason: String[32]):
    """Move the job's collateral out of the provider's stake (it is locked) and count the slash;
    the caller pays it to the buyer."""
    self._providers[record.provider].stake -= record.collateral
    self._providers[record.provider].locked -= record.collateral
    self._providers[record.provider].jobs_slashed += 1
    log Slashed(job_id=job_id, provider=record.provider, buyer=record.buyer,
                collateral=record.collateral, reason=reason)


@internal
def _slash(job_id: uint256, record: Job, reason: String[32]):
    self._jobs[job_id].state = SLASHED
    self._forfeit(job_id, record, reason)
    self._pay(record.buyer, record.price + record.collateral)


# ---------------------------------------------------------------- views

@external
@view
def provider(account: address) -> Provider:
    """The provider's record; an unknown address reads as registered = False."""
    return self._providers[account]


@external
@view
def job(job_id: uint256) -> Job:
    """The job's record; an unknown id reads as state 0."""
    return self._jobs[job_id]


@external
@view
def row_revealed(job_id: uint256, index: uint256) -> bool:
    return self._revealed[job_id][index]


@external
@pure
def hash_chain(seed: bytes32, index: uint256, rounds: uint256) -> uint256:
    """A HASHCHAIN job's output for item `index` (for off-chain checks)."""
    assert rounds <= MAX_ROUNDS, "rounds out of range"
    return self._hash_chain(seed, index, rounds)


# IJobFacts, so Reputation.vy can take this market as its escrow

@external
@view
def jobClient(jobId: uint256) -> address:
    return self._jobs[jobId].buyer


@external
@view
def jobProvider(jobId: uint256) -> address:
    return self._jobs[jobId].provider


@external
@view
def jobFunded(jobId: uint256) -> bool:
    return self._jobs[jobId].state >= POSTED


@external
@view
def jobFinal(jobId: uint256) -> bool:
    state: uint8 = self._jobs[jobId].state
    return state == SETTLED or state == SLASHED or state == REFUNDED


# ---------------------------------------------------------------- providers

@external
@nonreentrant
def register(stake: uint256, hardware: String[64], claimed_gflops: uint256, endpoint: String[128]):
    """
    @notice Become a provider, staking `stake` of the token (approved beforehand).
    """
    assert not self._providers[msg.sender].registered, "already registered"
    assert stake >= min_stake, "stake below minimum"
    self._providers[msg.sender] = Provider(
        registered=True,
        stake=stake,
        locked=0,
        hardware=hardware,
        claimed_gflops=claimed_gflops,
        endpoint=endpoint,
        jobs_settled=0,
        jobs_slashed=0,
    )
    self._pull(stake)
    log ProviderRegistered(provider=msg.sender, stake=stake, hardware=hardware,
                           claimed_gflops=claimed_gflops, endpoint=endpoint)


@external
def update_listing(hardware: String[64], claimed_gflops: uint256, endpoint: String[128]):
    """
    @notice Change what a provider lists (a restarted worker's endpoint, a new claim). A claim
            is only a claim: buyers time it before trusting it.
    """
    assert self._providers[msg.sender].registered, "not registered"
    self._providers[msg.sender].hardware = hardware
    self._providers[msg.sender].claimed_gflops = claimed_gflops
    self._providers[msg.sender].endpoint = endpoint
    log ListingUpdated(provider=msg.sender, hardware=hardware, claimed_gflops=claimed_gflops,
                       endpoint=endpoint)


@external
@nonreentrant
def add_stake(amount: uint256):
    assert self._providers[msg.sender].registered, "not registered"
    assert amount > 0, "zero amount"
    self._providers[msg.sender].stake += amount
    self._pull(amount)
    log StakeAdded(provider=msg.sender, amount=amount)


@external
@nonreentrant
def withdraw_stake(amount: uint256):
    """
    @notice Take back stake that no accepted job holds as collateral.
    """
    prov: Provider = self._providers[msg.sender]
    assert prov.registered, "not registered"
    assert amount > 0, "zero amount"
    assert amount <= prov.stake - prov.locked, "stake is locked"
    self._providers[msg.sender].stake = prov.stake - amount
    log StakeWithdrawn(provider=msg.sender, amount=amount)
    self._pay(msg.sender, amount)


# ---------------------------------------------------------------- jobs

@external
@nonreentrant
def post_job(
    provider: address,
    kind: uint8,
    n: uint256,
    rounds: uint256,
    seed: bytes32,
    root_a: bytes32,
    root_b: bytes32,
    price: uint256,
    collateral: uint256,
    deliver_by: uint256,
    challenge_seconds: uint256,
) -> uint256:
    """
    @notice Post a job to `provider`, escrowing `price` from the caller (the buyer).
            For MATMUL, root_a commits A's rows and root_b B's columns.
    """
    assert self._providers[provider].registered, "unknown provider"
    assert provider != msg.sender, "provider cannot be the buyer"
    assert kind == MATMUL or kind == HASHCHAIN, "unknown kind"
    assert n >= 1 and n <= MAX_N, "n out of range"
    if kind == HASHCHAIN:
        assert rounds >= 1 and rounds <= MAX_ROUNDS, "rounds out of range"
    assert price > 0, "zero price"
    assert deliver_by > block.timestamp, "delivery deadline in the past"
    assert challenge_seconds > 0, "zero challenge window"
    job_id: uint256 = self.next_job_id
    self.next_job_id = job_id + 1
    self._jobs[job_id] = Job(
        buyer=msg.sender,
        provider=provider,
        kind=kind,
        n=n,
        rounds=rounds,
        seed=seed,
        root_a=root_a,
        root_b=root_b,
        price=price,
        collateral=collateral,
        deliver_by=deliver_by,
        challenge_seconds=challenge_seconds,
        state=POSTED,
        result_root=empty(bytes32),
        challenge_ends=0,
        challenged_index=0,
        response_deadline=0,
    )
    self._pull(price)
    log JobPosted(job_id=job_id, buyer=msg.sender, provider=provider, kind=kind, n=n,
                  rounds=rounds, seed=seed, root_a=root_a, root_b=root_b, price=price,
                  collateral=collateral, deliver_by=deliver_by,
                  challenge_seconds=challenge_seconds)
    return job_id


@external
def accept_job(job_id: uint256):
    record: Job = self._job(job_id)
    assert msg.sender == record.provider, "not the provider"
    assert record.state == POSTED, "job not posted"
    assert block.timestamp < record.deliver_by, "delivery deadline passed"
    prov: Provider = self._providers[msg.sender]
    assert prov.stake - prov.locked >= record.collateral, "free stake below collateral"
    self._providers[msg.sender].locked = prov.locked + record.collateral
    self._jobs[job_id].state = ACCEPTED
    log JobAccepted(job_id=job_id)


@external
def commit_result(job_id: uint256, result_root: bytes32):
    record: Job = self._job(job_id)
    assert msg.sender == record.provider, "not the provider"
    assert record.state == ACCEPTED, "job not accepted"
    assert block.timestamp < record.deliver_by, "delivery deadline passed"
    challenge_ends: uint256 = block.timestamp + record.challenge_seconds
    self._jobs[job_id].state = COMMITTED
    self._jobs[job_id].result_root = result_root
    self._jobs[job_id].challenge_ends = challenge_ends
    log ResultCommitted(job_id=job_id, result_root=result_root, challenge_ends=challenge_ends)


@external
@nonreentrant
def release(job_id: uint256):
    """
    @notice The buyer accepts the committed result: the provider is paid now.
    """
    record: Job = self._job(job_id)
    assert msg.sender == record.buyer, "not the buyer"
    assert record.state == COMMITTED, "job not committed"
    self._settle(job_id, record)


@external
@nonreentrant
def claim_payment(job_id: uint256):
    """
    @notice Anyone: pay the provider once the challenge window passed with no fraud proven.
    """
    record: Job = self._job(job_id)
    assert record.state == COMMITTED, "job not committed"
    assert block.timestamp >= record.challenge_ends, "challenge window open"
    self._settle(job_id, record)


@external
@nonreentrant
def reclaim(job_id: uint256):
    """
    @notice The buyer takes its price back from a job not delivered by `deliver_by`; a
            provider that accepted it forfeits the collateral to the buyer too.
    """
    record: Job = self._job(job_id)
    assert msg.sender == record.buyer, "not the buyer"
    assert record.state == POSTED or record.state == ACCEPTED, "job not open"
    assert block.timestamp >= record.deliver_by, "delivery deadline not passed"
    self._jobs[job_id].state = REFUNDED
    slashed: uint256 = 0
    if record.state == ACCEPTED:
        slashed = record.collateral
        self._forfeit(job_id, record, "no delivery")
    log Refunded(job_id=job_id, slashed_amount=slashed)
    self._pay(record.buyer, record.price + slashed)


# ---------------------------------------------------------------- disputes

@external
def challenge_row(job_id: uint256, index: uint256):
    """
    @notice The buyer asks the provider to reveal row (or item) `index` of its result.
    """
    record: Job = self._job(job_id)
    assert msg.sender == record.buyer, "not the buyer"
    assert record.state == COMMITTED, "job not committed"
    assert block.timestamp < record.challenge_ends, "challenge window closed"
    assert index < record.n, "index out of range"
    assert not self._revealed[job_id][index], "row already revealed"
    deadline: uint256 = block.timestamp + response_seconds
    self._jobs[job_id].state = CHALLENGED
    self._jobs[job_id].challenged_index = index
    self._jobs[job_id].response_deadline = deadline
    log RowChallenged(job_id=job_id, index=index, response_deadline=deadline)


@external
def answer_challenge(job_id: uint256, values: DynArray[uint256, MAX_N], proof: DynArray[bytes32, MAX_DEPTH]):
    """
    @notice The provider reveals the challenged row (n values; one for HASHCHAIN) with its
            proof under the result root.
    """
    record: Job = self._job(job_id)
    assert msg.sender == record.provider, "not the provider"
    assert record.state == CHALLENGED, "job not challenged"
    assert block.timestamp < record.response_deadline, "response deadline passed"
    width: uint256 = record.n if record.kind == MATMUL else 1
    assert len(values) == width, "wrong row length"
    index: uint256 = record.challenged_index
    assert self._proves(record.result_root, index, record.n, values, proof), "bad result proof"
    self._revealed[job_id][index] = True
    self._jobs[job_id].state = COMMITTED
    self._jobs[job_id].challenge_ends = max(record.challenge_ends, block.timestamp + response_seconds)
    log RowRevealed(job_id=job_id, index=index, values=values)


@external
@nonreentrant
def slash_unanswered(job_id: uint256):
    """
    @notice Anyone: slash a provider that let a row challenge's response deadline pass.
    """
    record: Job = self._job(job_id)
    assert record.state == CHALLENGED, "job not challenged"
    assert block.timestamp >= record.response_deadline, "response deadline not passed"
    self._slash(job_id, record, "unanswered challenge")


@external
@nonreentrant
def prove_matmul_fraud(
    job_id: uint256,
    i: uint256,
    j: uint256,
    c_row: DynArray[uint256, MAX_N],
    c_proof: DynArray[bytes32, MAX_DEPTH],
    a_row: DynArray[uint256, MAX_N],
    a_proof: DynArray[bytes32, MAX_DEPTH],
    b_col: DynArray[uint256, MAX_N],
    b_proof: DynArray[bytes32, MAX_DEPTH],
):
    """
    @notice The buyer proves C[i][j] wrong: row i of C under the result root, row i of A
            under root_a and column j of B under root_b; C[i][j] >= P is wrong by itself.
    """
    record: Job = self._job(job_id)
    assert record.kind == MATMUL, "not a matmul job"
    self._check_dispute(record)
    n: uint256 = record.n
    assert j < n, "index out of range"
    assert len(c_row) == n and len(a_row) == n and len(b_col) == n, "wrong row length"
    assert self._proves(record.result_root, i, n, c_row, c_proof), "bad result proof"
    assert self._proves(record.root_a, i, n, a_row, a_proof), "bad row proof"
    assert self._proves(record.root_b, j, n, b_col, b_proof), "bad column proof"
    claimed: uint256 = c_row[j]
    if claimed < P:
        total: uint256 = 0
        for k: uint256 in range(n, bound=MAX_N):
            assert a_row[k] < P and b_col[k] < P, "input out of field"
            total = uint256_addmod(total, uint256_mulmod(a_row[k], b_col[k], P), P)
        assert total != claimed, "result is correct"
    self._slash(job_id, record, "wrong result")


@external
@nonreentrant
def prove_hash_fraud(job_id: uint256, i: uint256, claimed: uint256, proof: DynArray[bytes32, MAX_DEPTH]):
    """
    @notice The buyer proves item i's committed output wrong by recomputing its chain.
    """
    record: Job = self._job(job_id)
    assert record.kind == HASHCHAIN, "not a hashchain job"
    self._check_dispute(record)
    assert self._proves(record.result_root, i, record.n, [claimed], proof), "bad result proof"
    assert self._hash_chain(record.seed, i, record.rounds) != claimed, "result is correct"
    self._slash(job_id, record, "wrong item")
