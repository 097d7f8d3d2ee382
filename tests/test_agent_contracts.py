"""AgentRegistry (ERC-8004-style identity) and Reputation on an in-process eth-tester chain."""

from __future__ import annotations

import pytest
import vyper
from eth_account import Account
from web3 import EthereumTesterProvider, Web3
from web3.logs import DISCARD


from contract_helpers import REVERTS, deploy, now, reverts, send

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TAG = b"\x0a" * 32
COMMENT = b"\x0b" * 32

# A stand-in escrow exposing the IJobFacts views Reputation reads, with settable values.
MOCK_ESCROW = """
# pragma version 0.4.3
# pragma evm-version cancun

jobClient: public(HashMap[uint256, address])
jobProvider: public(HashMap[uint256, address])
jobFunded: public(HashMap[uint256, bool])
jobFinal: public(HashMap[uint256, bool])

@external
def setJob(jobId: uint256, client: address, provider: address, funded: bool, final: bool):
    self.jobClient[jobId] = client
    self.jobProvider[jobId] = provider
    self.jobFunded[jobId] = funded
    self.jobFinal[jobId] = final
"""










@pytest.fixture(scope="module")
def w3():
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def registry(w3):
    return deploy(w3, "AgentRegistry")


@pytest.fixture(scope="module")
def escrow(w3):
    out = vyper.compile_code(MOCK_ESCROW, output_formats=["abi", "bytecode"])
    factory = w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": w3.eth.accounts[0]}))
    return w3.eth.contract(address=receipt.contractAddress, abi=out["abi"])


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


def test_feedback_rules_and_summary(w3, registry, escrow, reputation):
    a = w3.eth.accounts
    owner, client, client2, stranger = a[6], a[7], a[8], a[9]
    agent_id = register(registry, owner, "ipfs://worker")
    wallet = set_wallet_for(w3, registry, owner, agent_id)
    give = reputation.functions.giveFeedback
    assert reputation.functions.summary(agent_id).call() == [0, 0]
    assert reputation.functions.average(agent_id).call() == 0

    def job(job_id, client_, provider, funded=True, final=True):
        send(escrow.functions.setJob(job_id, client_, provider, funded, final), a[0])

    job(101, client, wallet.address)            # provider = agent wallet
    job(102, client2, owner)                    # provider = agent owner
    job(103, client, wallet.address, funded=False, final=True)   # never funded
    job(104, client, wallet.address, funded=True, final=False)   # still in progress
    job(105, client, a[5])                      # another provider
    job(106, owner, wallet.address)             # the owner hired its own agent
    job(107, client, wallet.address)

    # strangers and non-clients
    reverts(give(agent_id, 101, 90, TAG, COMMENT), stranger, "not the job's client")
    reverts(give(agent_id, 101, 90, TAG, COMMENT), owner, "not the job's client")
    reverts(give(agent_id, 999, 90, TAG, COMMENT), client, "unknown job")
    # unfunded / unfinished
    reverts(give(agent_id, 103, 90, TAG, COMMENT), client, "job never funded")
    reverts(give(agent_id, 104, 90, TAG, COMMENT), client, "job not final")
    # wrong agent, score range, self-rating
    reverts(give(agent_id, 105, 90, TAG, COMMENT), client, "agent was not the provider")
    reverts(give(agent_id, 101, 101, TAG, COMMENT), client, "score above 100")
    reverts(give(agent_id, 106, 100, TAG, COMMENT), owner, "cannot rate yourself")

    receipt = send(give(agent_id, 101, 90, TAG, COMMENT), client)
    ev = reputation.events.FeedbackGiven().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.agentId, ev.jobId, ev.client, ev.score) == (agent_id, 101, client, 90)
    assert ev.tagHash == TAG and ev.commentHash == COMMENT
    fb = reputation.functions.feedbackOf(101).call()
    assert tuple(fb[:5]) == (agent_id, client, 90, TAG, COMMENT) and fb[5] > 0
    assert reputation.functions.hasFeedback(101).call()

    # once per job
    reverts(give(agent_id, 101, 10, TAG, COMMENT), client, "feedback already given")

    send(give(agent_id, 102, 75, TAG, COMMENT), client2)
    send(give(agent_id, 107, 0, TAG, COMMENT), client)
    assert reputation.functions.summary(agent_id).call() == [3, 165]
    assert reputation.functions.average(agent_id).call() == 5500
    assert not reputation.functions.hasFeedback(103).call()
    assert reputation.functions.feedbackOf(103).call()[0] == 0

    # job 105's provider owns another agent: the feedback goes to that agent only
    other = register(registry, a[5])
    send(give(other, 105, 50, TAG, COMMENT), client)
    assert reputation.functions.summary(other).call() == [1, 50]
    assert reputation.functions.average(other).call() == 5000
    assert reputation.functions.summary(agent_id).call() == [3, 165]
