"""Reading a Governor (OpenZeppelin 5) on a chain: proposals, their actions and their state.

Proposals are read from the Governor's own `ProposalCreated` events (targets, values,
calldatas, the description as proposed), so nothing depends on an off-chain index. The sandbox
DAO's addresses come from the chain config (`steward.sandbox.dao.ROLES`); another DAO is
addressed by its Governor.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config
from steward.contracts import abi
from steward.errors import StewardError

STATES = ("pending", "active", "canceled", "defeated", "succeeded", "queued", "expired",
          "executed")
SUPPORT = {"against": 0, "for": 1, "abstain": 2}
FRACTIONAL = 255  # GovernorCountingFractional's vote type


@dataclass
class Proposal:
    proposal_id: int
    proposer: str
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    vote_start: int
    vote_end: int
    description: str
    state: str
    votes: dict[str, int]  # against / for / abstain weight

    @property
    def title(self) -> str:
        return self.description.strip().splitlines()[0].lstrip("# ").strip() if \
            self.description.strip() else f"proposal {self.proposal_id}"


class Governance:
    """The DAO's contracts on one chain (no keys)."""

    def __init__(self, chain: str | ChainConfig = "sandbox-l1"):
        from steward.sandbox.dao import CONTRACTS, ROLES

        self.chain = chain if isinstance(chain, ChainConfig) else load_config().chain(chain)
        missing = [role for role in ROLES.values() if role not in self.chain.contracts]
        if missing:
            raise StewardError(f"{self.chain.name} has no DAO ({', '.join(missing)} not "
                               "deployed); `steward dao proposals` on the sandbox deploys one")
        self.w3 = chain_registry.connect(self.chain)
        address = {key: Web3.to_checksum_address(self.chain.contracts[role])
                   for key, role in ROLES.items()}
        self.addresses = address
        self.governor = self.w3.eth.contract(address=address["governor"],
                                             abi=abi(CONTRACTS["governor"]))
        self.token = self.w3.eth.contract(address=address["token"], abi=abi(CONTRACTS["token"]))
        self.timelock_address = Web3.to_checksum_address(self.governor.functions.timelock().call())
        self._start_block: int | None = None

    @property
    def start_block(self) -> int:
        """The block the DAO's token was deployed in: every log worth reading is from there on
        (scanning a long chain from block 0 is what makes event reads slow)."""
        if self._start_block is None:
            from steward.chains.history import first_block

            token, latest = self.token.address, self.w3.eth.block_number
            self._start_block = first_block(
                latest, lambda number: bool(self.w3.eth.get_code(token, number)))
        return self._start_block

    def logs(self, event) -> list:
        return list(event().get_logs(from_block=self.start_block, to_block="latest"))

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def proposals(self) -> list[Proposal]:
        return [self._proposal(log.args) for log in self.logs(self.governor.events.ProposalCreated)]

    def proposal(self, proposal_id: int) -> Proposal:
        for found in self.logs(self.governor.events.ProposalCreated):
            if found.args.proposalId == proposal_id:
                return self._proposal(found.args)
        raise StewardError(f"no proposal {proposal_id} on the Governor "
                           f"{self.governor.address}; `steward dao proposals` lists them")

    def _proposal(self, args) -> Proposal:
        proposal_id = args.proposalId
        against, for_, abstain = self.governor.functions.proposalVotes(proposal_id).call()
        state = STATES[self.governor.functions.state(proposal_id).call()]
        return Proposal(proposal_id, args.proposer,
                        [Web3.to_checksum_address(t) for t in args.targets], list(args.values),
                        [bytes(c) for c in args.calldatas], args.voteStart, args.voteEnd,
                        args.description, state,
                        {"against": against, "for": for_, "abstain": abstain})

    def weight(self, voter: str, proposal_id: int) -> int:
        snapshot = self.governor.functions.proposalSnapshot(proposal_id).call()
        return self.governor.functions.getVotes(Web3.to_checksum_address(voter), snapshot).call()

    def has_voted(self, proposal_id: int, voter: str) -> bool:
        return self.governor.functions.hasVoted(proposal_id,
                                                Web3.to_checksum_address(voter)).call()

    def used_weight(self, proposal_id: int, voter: str) -> int:
        return self.governor.functions.usedVotes(proposal_id,
                                                 Web3.to_checksum_address(voter)).call()

    def min_delay(self) -> int:
        from steward.sandbox.dao import CONTRACTS

        timelock = self.w3.eth.contract(address=self.timelock_address,
                                        abi=abi(CONTRACTS["timelock"]))
        return timelock.functions.getMinDelay().call()


__all__ = ["FRACTIONAL", "Governance", "Proposal", "STATES", "SUPPORT"]
