"""The compute market on a sandbox chain: reads of `ComputeMarket.vy` and the guarded steps of
its two sides.

The contract is deployed by the sandbox operator on first use and recorded as
`contracts["compute:market"]`; the stake and the prices are the chain's USDC. Every step a
provider or a buyer takes on chain is one plan of its own wallet, judged by the guard under that
wallet's mandate and signed through the executor (`commerce.agent.run_guarded`): the one door.
A buyer's prices are also held to its `[commerce]` table before anything is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.logs import DISCARD

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.commerce.agent import run_guarded
from steward.contracts import abi
from steward.errors import StewardError
from steward.execution import Executor, PlanResult
from steward.plans import Call
from steward.protocols import erc20
from steward.protocols.pricing import PriceSource

L1 = "sandbox-l1"
ROLE = "compute:market"
MIN_STAKE = 10 * 10**6  # 10 USDC: the least a provider stakes to be listed
RESPONSE_SECONDS = 600  # how long a provider has to answer a row challenge on chain
KINDS = {"matmul": 1, "hashchain": 2}
KIND_NAMES = {value: name for name, value in KINDS.items()}
STATES = {1: "posted", 2: "accepted", 3: "committed", 4: "challenged", 5: "settled",
          6: "slashed", 7: "refunded"}
FINAL = {"settled", "slashed", "refunded"}


def ensure_market(chain: str = L1, progress=lambda message: None) -> ChainConfig:
    """ComputeMarket on `chain` over its USDC, deployed by the sandbox operator if missing."""
    from steward.sandbox import SandboxBuilder

    config = load_config().chain(chain)
    w3 = chain_registry.connect(config)
    if ROLE in config.contracts and w3.eth.get_code(config.contracts[ROLE]):
        return config
    address = SandboxBuilder(progress).deploy(config, "ComputeMarket",
                                              config.token_address("USDC"), MIN_STAKE,
                                              RESPONSE_SECONDS)
    current = load_config().chain(chain)
    return update_chain(chain, contracts=current.contracts | {ROLE: address})


@dataclass
class ProviderView:
    address: str
    registered: bool
    stake: int
    locked: int
    hardware: str
    claimed_gflops: int
    endpoint: str
    jobs_settled: int
    jobs_slashed: int

    @property
    def free(self) -> int:
        return self.stake - self.locked


@dataclass
class JobView:
    job_id: int
    buyer: str
    provider: str
    kind: str
    n: int
    rounds: int
    seed: bytes
    root_a: bytes
    root_b: bytes
    price: int
    collateral: int
    deliver_by: int
    challenge_seconds: int
    state: str
    result_root: bytes
    challenge_ends: int
    challenged_index: int
    response_deadline: int


class ComputeMarket:
    """Read access to the contract on one chain (no keys)."""

    def __init__(self, chain: str = L1):
        self.chain = ensure_market(chain)
        self.w3 = chain_registry.connect(self.chain)
        self.contract = self.w3.eth.contract(address=self.chain.contracts[ROLE],
                                             abi=abi("ComputeMarket"))
        self.token = Web3.to_checksum_address(self.contract.functions.token().call())

    @property
    def address(self) -> str:
        return self.contract.address

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def provider(self, address: str) -> ProviderView:
        fields = self.contract.functions.provider(Web3.to_checksum_address(address)).call()
        return ProviderView(Web3.to_checksum_address(address), *fields)

    def job(self, job_id: int) -> JobView:
        fields = list(self.contract.functions.job(job_id).call())
        state = fields[12]
        if state == 0:
            raise StewardError(f"there is no compute job {job_id} on {self.chain.name}")
        fields[2] = KIND_NAMES.get(fields[2], str(fields[2]))
        fields[12] = STATES.get(state, str(state))
        for index in (5, 6, 7, 13):
            fields[index] = bytes(fields[index])
        return JobView(job_id, *fields)

    def job_count(self) -> int:
        return self.contract.functions.next_job_id().call() - 1

    def events(self, name: str, from_block: int, to_block: int, **filters) -> list:
        event = getattr(self.contract.events, name)()
        return list(event.get_logs(from_block=from_block, to_block=to_block,
                                   argument_filters=filters or None))

    def event(self, name: str, tx_hash: str):
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        found = getattr(self.contract.events, name)().process_receipt(receipt, errors=DISCARD)
        if not found:
            raise StewardError(f"no {name} event in {tx_hash}")
        return found[0].args

    def balance(self, holder: str) -> int:
        return erc20.balance_of(self.w3, self.token, holder)

    # what `commerce.agent.check_budget` asks of a market
    def symbol_of(self, token: str) -> str | None:
        return self.chain.token_symbol(token)

    def usd_value(self, token: str, amount: int) -> int | None:
        return PriceSource(self.w3, self.chain).usdc_value(token, amount)


class MarketActor:
    """One wallet acting in the compute market; each action is a guarded plan of that wallet."""

    def __init__(self, wallet: str, executor: Executor, market: ComputeMarket):
        self.wallet = wallet
        self.executor = executor
        self.address = executor.address
        self.market = market

    def call(self, function: str, *args, description: str, gas_hint: int = 400_000) -> Call:
        contract = self.market.contract
        return Call(to=contract.address, description=description, gas_hint=gas_hint,
                    data=contract.encode_abi(function, args=list(args)))

    def approve(self, amount: int) -> Call:
        info = erc20.token_info(self.market.w3, self.market.token)
        return erc20.approve_call(self.market.w3, info, self.market.address, amount,
                                  f"let the compute market take {amount} base units of "
                                  f"{info.symbol}")

    def run(self, calls: list[Call], summary: str) -> PlanResult:
        return run_guarded(self.executor, self.market.chain.name, calls,
                           f"{self.wallet}: {summary}")


__all__ = ["FINAL", "KINDS", "KIND_NAMES", "L1", "MIN_STAKE", "RESPONSE_SECONDS", "ROLE",
           "STATES", "ComputeMarket", "JobView", "MarketActor", "ProviderView", "ensure_market"]
