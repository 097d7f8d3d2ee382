"""The on-chain market an agent trades in: one chain's JobEscrow, AgentRegistry, AlliancePool and
Reputation, read-only. Everything that writes goes through `Agent` and the one door."""

from __future__ import annotations

import time

from pydantic import BaseModel
from web3 import Web3
from web3.logs import DISCARD

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.commerce.errors import CommerceError
from steward.commerce.offers import MarketDomain
from steward.protocols import contract_at, erc20
from steward.protocols.pricing import PriceSource

STATES = {0: "none", 1: "Open", 2: "Funded", 3: "Submitted", 4: "Completed", 5: "Rejected",
          6: "Expired"}
POOL_STATES = {0: "none", 1: "Raising", 2: "Funded", 3: "Settled"}
ROLES = {"escrow": "job_escrow", "registry": "agent_registry", "pool": "alliance_pool",
         "reputation": "reputation"}
EMPTY = "0x" + "00" * 20


class Job(BaseModel):
    job_id: int
    client: str
    provider: str
    evaluator: str
    token: str
    budget: int
    expires_at: int
    evaluator_fee_bps: int
    platform_fee_bps: int
    state: str
    spec_hash: str
    deliverable_hash: str
    reason_hash: str


class Pool(BaseModel):
    pool_id: int
    creator: str
    token: str
    target: int
    deadline: int
    raised: int
    escrow: str
    job_id: int
    state: str


class Standing(BaseModel):
    """An agent's payment-backed reputation: rated jobs and the average score x100."""

    agent_id: int | None
    jobs: int
    average_x100: int

    def describe(self) -> str:
        if self.agent_id is None:
            return "not registered (a new agent: 0 rated jobs)"
        if not self.jobs:
            return f"agent #{self.agent_id}, no rated jobs yet"
        return f"agent #{self.agent_id}, {self.jobs} rated jobs, average {self.average_x100 / 100:.2f}"


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class Market:
    def __init__(self, chain: str | ChainConfig = "sandbox-l1"):
        self.chain = chain if isinstance(chain, ChainConfig) else chain_registry.chain_config(chain)
        self.w3 = chain_registry.connect(self.chain)
        self.addresses = {key: self.chain.contract(role) for key, role in ROLES.items()}
        self.escrow = contract_at(self.w3, self.addresses["escrow"], "JobEscrow")
        self.registry = contract_at(self.w3, self.addresses["registry"], "AgentRegistry")
        self.pool = contract_at(self.w3, self.addresses["pool"], "AlliancePool")
        self.reputation = contract_at(self.w3, self.addresses["reputation"], "Reputation")
        self.domain = MarketDomain(chain_id=self.chain.chain_id, escrow=self.addresses["escrow"])

    def now(self) -> int:
        """Chain time, never behind the wall clock (a chain without new blocks lags it)."""
        return max(int(time.time()), self.w3.eth.get_block("latest")["timestamp"])

    # ---- tokens ----
    def token(self, symbol: str) -> erc20.TokenInfo:
        return erc20.token_info(self.w3, self.chain.token_address(symbol))

    def symbol_of(self, token: str) -> str | None:
        return self.chain.token_symbol(token)

    def usd_value(self, token: str, amount: int) -> int | None:
        return PriceSource(self.w3, self.chain).usdc_value(token, amount)

    def balance(self, token: str, holder: str) -> int:
        return erc20.balance_of(self.w3, token, holder)

    # ---- reads ----
    def job(self, job_id: int) -> Job:
        raw = self.escrow.functions.getJob(job_id).call()
        if raw[8] == 0:
            raise CommerceError(f"there is no job {job_id} on the escrow {self.addresses['escrow']}")
        return Job(job_id=job_id, client=raw[0], provider=raw[1], evaluator=raw[2], token=raw[3],
                   budget=raw[4], expires_at=raw[5], evaluator_fee_bps=raw[6],
                   platform_fee_bps=raw[7], state=STATES[raw[8]], spec_hash=_hex(raw[9]),
                   deliverable_hash=_hex(raw[10]), reason_hash=_hex(raw[11]))

    def pool_info(self, pool_id: int) -> Pool:
        raw = self.pool.functions.getPool(pool_id).call()
        if raw[7] == 0:
            raise CommerceError(f"there is no pool {pool_id} on {self.addresses['pool']}")
        return Pool(pool_id=pool_id, creator=raw[0], token=raw[1], target=raw[2], deadline=raw[3],
                    raised=raw[4], escrow=raw[5], job_id=raw[6], state=POOL_STATES[raw[7]])

    def fees(self, budget: int, evaluator_fee_bps: int) -> tuple[int, int, int]:
        """(provider payout, evaluator fee, platform fee), computed by the escrow itself."""
        platform = self.escrow.functions.platformFeeBps().call()
        return tuple(self.escrow.functions.fees(budget, evaluator_fee_bps, platform).call())  # type: ignore[return-value]

    def is_agent_of(self, agent_id: int, address: str) -> bool:
        """Whether `address` owns agent `agent_id` or is the wallet it proved it controls."""
        if not self.registry.functions.exists(agent_id).call():
            return False
        owner = self.registry.functions.ownerOf(agent_id).call()
        wallet = self.registry.functions.agentWallet(agent_id).call()
        return address.lower() in {owner.lower(), wallet.lower()} - {EMPTY}

    def agent_owned_by(self, address: str) -> int | None:
        """The first agent id registered by `address` (a scan: for small registries)."""
        total = self.registry.functions.totalAgents().call()
        for agent_id in range(1, total + 1):
            if self.registry.functions.ownerOf(agent_id).call().lower() == address.lower():
                return agent_id
        return None

    def standing(self, agent_id: int | None, address: str) -> Standing:
        """Reputation of the agent claimed for `address`; an id it does not own counts as none."""
        if agent_id is None or not self.is_agent_of(agent_id, address):
            return Standing(agent_id=None, jobs=0, average_x100=0)
        jobs, _ = self.reputation.functions.summary(agent_id).call()
        return Standing(agent_id=agent_id, jobs=jobs,
                        average_x100=self.reputation.functions.average(agent_id).call())

    def event(self, contract_name: str, event: str, tx_hash: str):
        """The first `event` of the market contract in a transaction's receipt."""
        contract = {"escrow": self.escrow, "registry": self.registry, "pool": self.pool,
                    "reputation": self.reputation}[contract_name]
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        found = getattr(contract.events, event)().process_receipt(receipt, errors=DISCARD)
        if not found:
            raise CommerceError(f"transaction {tx_hash} emitted no {event}")
        return found[0].args


def checksum(address: str) -> str:
    return Web3.to_checksum_address(address)


__all__ = ["Job", "Market", "Pool", "STATES", "Standing"]
