# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Payment-backed agent reputation
@notice Feedback on an agent may be given only by the client of a job that
        was funded and reached a final state (completed, rejected or refunded)
        in the escrow, for the agent whose wallet or owner was that job's
        provider. One feedback per job; a client cannot rate its own agent.
        Job facts are read through IJobFacts, which the escrow must expose.
"""

interface IJobFacts:
    def jobClient(jobId: uint256) -> address: view
    def jobProvider(jobId: uint256) -> address: view
    def jobFunded(jobId: uint256) -> bool: view
    def jobFinal(jobId: uint256) -> bool: view

interface IAgentRegistry:
    def ownerOf(agentId: uint256) -> address: view
    def agentWallet(agentId: uint256) -> address: view

struct Feedback:
    agentId: uint256
    client: address
    score: uint8
    tagHash: bytes32
    commentHash: bytes32
    timestamp: uint256

event FeedbackGiven:
    agentId: indexed(uint256)
    jobId: indexed(uint256)
    client: indexed(address)
    score: uint8
    tagHash: bytes32
    commentHash: bytes32

MAX_SCORE: constant(uint8) = 100

registry: public(address)
escrow: public(address)
hasFeedback: public(HashMap[uint256, bool])
_feedback: HashMap[uint256, Feedback]
_count: HashMap[uint256, uint256]
_total: HashMap[uint256, uint256]


@deploy
def __init__(registry: address, escrow: address):
    assert registry != empty(address), "empty registry"
    assert escrow != empty(address), "empty escrow"
    self.registry = registry
    self.escrow = escrow


@external
def giveFeedback(agentId: uint256, jobId: uint256, score: uint8, tagHash: bytes32, commentHash: bytes32):
    assert score <= MAX_SCORE, "score above 100"
    assert not self.hasFeedback[jobId], "feedback already given"
    facts: IJobFacts = IJobFacts(self.escrow)
    client: address = staticcall facts.jobClient(jobId)
    assert client != empty(address), "unknown job"
    assert msg.sender == client, "not the job's client"
    assert staticcall facts.jobFunded(jobId), "job never funded"
    assert staticcall facts.jobFinal(jobId), "job not final"
    provider: address = staticcall facts.jobProvider(jobId)
    reg: IAgentRegistry = IAgentRegistry(self.registry)
    owner: address = staticcall reg.ownerOf(agentId)
    wallet: address = staticcall reg.agentWallet(agentId)
    assert provider != empty(address) and (provider == wallet or provider == owner), "agent was not the provider"
    assert client != provider and client != owner and client != wallet, "cannot rate yourself"

    self.hasFeedback[jobId] = True
    self._feedback[jobId] = Feedback(
        agentId=agentId,
        client=client,
        score=score,
        tagHash=tagHash,
        commentHash=commentHash,
        timestamp=block.timestamp,
    )
    self._count[agentId] += 1
    self._total[agentId] += convert(score, uint256)
    log FeedbackGiven(
        agentId=agentId,
        jobId=jobId,
        client=client,
        score=score,
        tagHash=tagHash,
        commentHash=commentHash,
    )


@external
@view
def feedbackOf(jobId: uint256) -> Feedback:
    """All zero when no feedback was given for the job."""
    return self._feedback[jobId]


@external
@view
def summary(agentId: uint256) -> (uint256, uint256):
    """(count, totalScore)."""
    return self._count[agentId], self._total[agentId]


@external
@view
def average(agentId: uint256) -> uint256:
    """Mean score x100 (e.g. 8750 = 87.50); 0 when there is no feedback."""
    count: uint256 = self._count[agentId]
    if count == 0:
        return 0
    return self._total[agentId] * 100 // count
