"""AgentRegistry (ERC-8004-style identity) and Reputation against the real JobEscrow, on an
in-process eth-tester chain."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import EthereumTesterProvider, Web3
from web3.logs import DISCARD


from contract_helpers import REVERTS, deploy, now, reverts, send

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TAG = b"\x0a" * 32
COMMENT = b"\x0b" * 32
SPEC, DELIV, REASON = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
PLATFORM_BPS, EVAL_BPS, BUDGET = 250, 100, 1_000_003
COMPLETED, REJECTED, EXPIRED = 4, 5, 6


@pytest.fixture(scope="module")
def w3():
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def registry(w3):
    return deploy(w3, "AgentRegistry")


@pytest.fixture(scope="module")
def usdc(w3):
    return deploy(w3, "ERC20", "USD Coin", "USDC", 6)


@pytest.fixture(scope="module")
def escrow(w3):
    return deploy(w3, "JobEscrow", w3.eth.accounts[0], PLATFORM_BPS)


@pytest.fixture(scope="module")
def reputation(w3, registry, escrow):
    return deploy(w3, "Reputation", registry.address, escrow.address)


def register(registry, owner, uri="ipfs://agent") -> int:
    agent_id = registry.functions.register(uri).call({"from": owner})
    send(registry.functions.register(uri), owner)
    return agent_id


def sign_wallet(w3, registry, key, agent_id, wallet, nonce, deadline) -> bytes:
    signed = Account.sign_typed_data(
        key,
        domain_data={
            "name": "Steward AgentRegistry",
            "version": "1",
            "chainId": w3.eth.chain_id,
            "verifyingContract": registry.address,
        },
        message_types={
            "AgentWallet": [
                {"name": "agentId", "type": "uint256"},
                {"name": "wallet", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ]
        },
        message_data={"agentId": agent_id, "wallet": wallet, "nonce": nonce, "deadline": deadline},
    )
    return bytes(signed.signature)


def set_wallet_for(w3, registry, owner, agent_id) -> Account:
    acct = Account.create()
    deadline = now(w3) + 3600
    nonce = registry.functions.nonces(acct.address).call()
    sig = sign_wallet(w3, registry, acct.key, agent_id, acct.address, nonce, deadline)
    send(registry.functions.setAgentWallet(agent_id, acct.address, deadline, sig), owner)
    return acct


# ---------------------------------------------------------------- registry


def test_register_ids_and_ownership(w3, registry):
    a = w3.eth.accounts
    first = register(registry, a[1], "ipfs://one")
    second = register(registry, a[2], "ipfs://two")
    assert first >= 1 and second == first + 1
    assert registry.functions.totalAgents().call() == second
    assert registry.functions.ownerOf(first).call() == a[1]
    assert registry.functions.ownerOf(second).call() == a[2]
    assert registry.functions.agentURI(first).call() == "ipfs://one"
    assert registry.functions.agentWallet(first).call() == "0x" + "00" * 20
    with pytest.raises(REVERTS):
        registry.functions.ownerOf(second + 100).call()

    receipt = send(registry.functions.register("ipfs://three"), a[3])
    ev = registry.events.Registered().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.owner, ev.agentURI) == (second + 1, a[3], "ipfs://three")

    # transfer: owner only
    reverts(registry.functions.transferAgent(first, a[5]), a[4], "not the agent owner")
    receipt = send(registry.functions.transferAgent(first, a[5]), a[1])
    ev = registry.events.OwnershipTransferred().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.previousOwner, ev.newOwner) == (first, a[1], a[5])
    assert registry.functions.ownerOf(first).call() == a[5]
    reverts(registry.functions.transferAgent(first, a[1]), a[1], "not the agent owner")


def test_only_owner_updates_uri(w3, registry):
    a = w3.eth.accounts
    agent_id = register(registry, a[1])
    reverts(registry.functions.setAgentURI(agent_id, "ipfs://evil"), a[2], "not the agent owner")
    receipt = send(registry.functions.setAgentURI(agent_id, "ipfs://new"), a[1])
    assert registry.functions.agentURI(agent_id).call() == "ipfs://new"
    ev = registry.events.URIUpdated().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.agentURI) == (agent_id, "ipfs://new")


def test_set_agent_wallet_with_valid_signature(w3, registry):
    a = w3.eth.accounts
    agent_id = register(registry, a[1])
    wallet = Account.create()
    deadline = now(w3) + 3600
    sig = sign_wallet(w3, registry, wallet.key, agent_id, wallet.address, 0, deadline)
    assert len(sig) == 65

    # only the owner may submit, even with the wallet's valid signature
    reverts(registry.functions.setAgentWallet(agent_id, wallet.address, deadline, sig), a[2],
            "not the agent owner")
    receipt = send(registry.functions.setAgentWallet(agent_id, wallet.address, deadline, sig), a[1])
    assert registry.functions.agentWallet(agent_id).call() == wallet.address
    assert registry.functions.nonces(wallet.address).call() == 1
    ev = registry.events.AgentWalletSet().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.wallet) == (agent_id, wallet.address)

    # replay of the very same signature: the nonce moved on
    reverts(registry.functions.setAgentWallet(agent_id, wallet.address, deadline, sig), a[1],
            "bad signature")
    # ... also on another agent of the same owner
    other = register(registry, a[1])
    reverts(registry.functions.setAgentWallet(other, wallet.address, deadline, sig), a[1],
            "bad signature")

    # a fresh signature with the next nonce works
    sig2 = sign_wallet(w3, registry, wallet.key, other, wallet.address, 1, deadline)
    send(registry.functions.setAgentWallet(other, wallet.address, deadline, sig2), a[1])
    assert registry.functions.agentWallet(other).call() == wallet.address

    # transferring the agent clears the wallet
    send(registry.functions.transferAgent(agent_id, a[3]), a[1])
    assert registry.functions.agentWallet(agent_id).call() == "0x" + "00" * 20


def test_forged_expired_and_malformed_signatures_revert(w3, registry):
    a = w3.eth.accounts
    agent_id = register(registry, a[1])
    wallet, intruder = Account.create(), Account.create()
    deadline = now(w3) + 3600
    fn = registry.functions.setAgentWallet

    # signed by another key
    forged = sign_wallet(w3, registry, intruder.key, agent_id, wallet.address, 0, deadline)
    reverts(fn(agent_id, wallet.address, deadline, forged), a[1], "bad signature")
    # signed for another agent id / another deadline
    wrong_id = sign_wallet(w3, registry, wallet.key, agent_id + 1, wallet.address, 0, deadline)
    reverts(fn(agent_id, wallet.address, deadline, wrong_id), a[1], "bad signature")
    good = sign_wallet(w3, registry, wallet.key, agent_id, wallet.address, 0, deadline)
    reverts(fn(agent_id, wallet.address, deadline + 1, good), a[1], "bad signature")

    # expired deadline (validly signed)
    past = now(w3) - 1
    expired = sign_wallet(w3, registry, wallet.key, agent_id, wallet.address, 0, past)
    reverts(fn(agent_id, wallet.address, past, expired), a[1], "signature expired")

    # malleable twin: (r, n - s, v flipped) recovers the same signer but must be refused
    r, s, v = good[:32], int.from_bytes(good[32:64], "big"), good[64]
    assert s <= SECP256K1_N // 2
    high_s = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])
    digest = registry.functions.agentWalletDigest(agent_id, wallet.address, 0, deadline).call()
    assert Account._recover_hash(digest, signature=good) == wallet.address
    assert Account._recover_hash(digest, vrs=(55 - v, int.from_bytes(r, "big"), SECP256K1_N - s)) == wallet.address
    reverts(fn(agent_id, wallet.address, deadline, high_s), a[1], "bad signature s")

    # v outside {27, 28}; short signature
    reverts(fn(agent_id, wallet.address, deadline, good[:64] + bytes([v - 27])), a[1], "bad signature v")
    reverts(fn(agent_id, wallet.address, deadline, good[:64]), a[1], "bad signature length")

    # none of the failures consumed the nonce: the good signature still works
    assert registry.functions.nonces(wallet.address).call() == 0
    send(fn(agent_id, wallet.address, deadline, good), a[1])
    assert registry.functions.agentWallet(agent_id).call() == wallet.address


# ---------------------------------------------------------------- reputation


def travel(w3, ts: int):
    w3.provider.ethereum_tester.time_travel(ts)


class Jobs:
    """Real JobEscrow jobs driven to a chosen phase; evaluator is one fixed account."""

    def __init__(self, w3, escrow, usdc, evaluator):
        self.w3, self.escrow, self.usdc, self.evaluator = w3, escrow, usdc, evaluator

    def open(self, client, provider, expires_in=86400) -> int:
        f = self.escrow.functions
        fn = f.createJob(provider, self.evaluator, now(self.w3) + expires_in, self.usdc.address,
                         EVAL_BPS, SPEC)
        job_id = fn.call({"from": client})
        send(fn, client)
        send(f.setBudget(job_id, BUDGET), client)
        return job_id

    def funded(self, client, provider, expires_in=86400) -> int:
        job_id = self.open(client, provider, expires_in)
        send(self.usdc.functions.mint(client, BUDGET), self.w3.eth.accounts[0])
        send(self.usdc.functions.approve(self.escrow.address, BUDGET), client)
        send(self.escrow.functions.fund(job_id), client)
        return job_id

    def completed(self, client, provider) -> int:
        job_id = self.funded(client, provider)
        send(self.escrow.functions.submit(job_id, DELIV), provider)
        send(self.escrow.functions.complete(job_id, REASON), self.evaluator)
        return job_id

    def rejected(self, client, provider) -> int:
        job_id = self.funded(client, provider)
        send(self.escrow.functions.reject(job_id, REASON), self.evaluator)
        return job_id


def test_escrow_exposes_job_facts(w3, escrow, usdc):
    a = w3.eth.accounts
    jobs = Jobs(w3, escrow, usdc, evaluator=a[3])
    f = escrow.functions
    done = jobs.completed(a[1], a[2])
    assert f.jobClient(done).call() == a[1] and f.jobProvider(done).call() == a[2]
    assert f.jobFunded(done).call() and f.jobFinal(done).call()
    assert f.stateOf(done).call() == COMPLETED
    running = jobs.funded(a[1], a[2])
    assert f.jobFunded(running).call() and not f.jobFinal(running).call()
    open_ = jobs.open(a[1], a[2])
    assert not f.jobFunded(open_).call() and not f.jobFinal(open_).call()
    rejected = jobs.rejected(a[1], a[2])
    assert f.jobFunded(rejected).call() and f.jobFinal(rejected).call()
    assert f.jobClient(10**6).call() == "0x" + "00" * 20
    assert not f.jobFunded(10**6).call() and not f.jobFinal(10**6).call()


def unlocked_wallet_for(w3, registry, owner, agent_id) -> str:
    """An agent wallet set by its own EIP-712 signature, then unlocked in eth-tester with gas."""
    acct = set_wallet_for(w3, registry, owner, agent_id)
    w3.provider.ethereum_tester.add_account("0x" + bytes(acct.key).hex())
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": acct.address, "value": 10**18}))
    return acct.address


def test_feedback_rules_and_summary(w3, registry, escrow, usdc, reputation):
    a = w3.eth.accounts
    owner, client, client2, stranger, evaluator, other_provider = a[6], a[7], a[8], a[9], a[3], a[5]
    agent_id = register(registry, owner, "ipfs://worker")
    wallet = unlocked_wallet_for(w3, registry, owner, agent_id)
    give = reputation.functions.giveFeedback
    assert reputation.functions.summary(agent_id).call() == [0, 0]
    assert reputation.functions.average(agent_id).call() == 0
    jobs = Jobs(w3, escrow, usdc, evaluator)

    done = jobs.completed(client, wallet)            # provider = agent wallet
    done2 = jobs.completed(client2, owner)           # provider = agent owner
    rejected = jobs.rejected(client, wallet)
    running = jobs.funded(client, wallet)
    other = jobs.completed(client, other_provider)   # someone else's job
    hired_by_owner = jobs.completed(owner, wallet)   # the owner hired its own agent
    hired_by_wallet = jobs.completed(wallet, owner)
    never_funded = jobs.open(client, wallet, expires_in=500)
    expired_funded = jobs.funded(client, wallet, expires_in=500)
    travel(w3, now(w3) + 1000)
    send(escrow.functions.claimRefund(never_funded), client)
    send(escrow.functions.claimRefund(expired_funded), client)
    assert escrow.functions.stateOf(never_funded).call() == EXPIRED
    assert escrow.functions.stateOf(expired_funded).call() == EXPIRED
    assert escrow.functions.stateOf(rejected).call() == REJECTED

    # strangers and non-clients (the provider and the evaluator included)
    for who in (stranger, owner, wallet, evaluator):
        reverts(give(agent_id, done, 90, TAG, COMMENT), who, "not the job's client")
    reverts(give(agent_id, 10**6, 90, TAG, COMMENT), client, "unknown job")
    # unfunded / unfinished
    reverts(give(agent_id, never_funded, 90, TAG, COMMENT), client, "job never funded")
    reverts(give(agent_id, running, 90, TAG, COMMENT), client, "job not final")
    # wrong agent, score range, self-rating (by the owner and by the agent's wallet)
    reverts(give(agent_id, other, 90, TAG, COMMENT), client, "agent was not the provider")
    reverts(give(agent_id, done, 101, TAG, COMMENT), client, "score above 100")
    reverts(give(agent_id, hired_by_owner, 100, TAG, COMMENT), owner, "cannot rate yourself")
    reverts(give(agent_id, hired_by_wallet, 100, TAG, COMMENT), wallet, "cannot rate yourself")

    receipt = send(give(agent_id, done, 90, TAG, COMMENT), client)
    ev = reputation.events.FeedbackGiven().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.jobId, ev.client, ev.score) == (agent_id, done, client, 90)
    assert ev.tagHash == TAG and ev.commentHash == COMMENT
    fb = reputation.functions.feedbackOf(done).call()
    assert tuple(fb[:5]) == (agent_id, client, 90, TAG, COMMENT) and fb[5] > 0
    assert reputation.functions.hasFeedback(done).call()

    # once per job
    reverts(give(agent_id, done, 10, TAG, COMMENT), client, "feedback already given")

    # rejected and refunded-after-funding jobs were paid for, so their clients may rate them
    send(give(agent_id, done2, 75, TAG, COMMENT), client2)
    send(give(agent_id, rejected, 0, TAG, COMMENT), client)
    send(give(agent_id, expired_funded, 20, TAG, COMMENT), client)
    assert reputation.functions.summary(agent_id).call() == [4, 185]
    assert reputation.functions.average(agent_id).call() == 4625
    assert not reputation.functions.hasFeedback(never_funded).call()
    assert reputation.functions.feedbackOf(never_funded).call()[0] == 0

    # the other job's provider owns another agent: the feedback goes to that agent only
    other_agent = register(registry, other_provider)
    send(give(other_agent, other, 50, TAG, COMMENT), client)
    assert reputation.functions.summary(other_agent).call() == [1, 50]
    assert reputation.functions.average(other_agent).call() == 5000
    assert reputation.functions.summary(agent_id).call() == [4, 185]
