"""The data and model markets on a sandbox chain: tasks, commit-reveal contributions, a published
valuation, payouts, and models whose revenue is split among the contributors they learned from.

Contracts (`DataMarket.vy`, `ModelRegistry.vy`) are deployed by the sandbox operator on first use
and recorded as `contracts["data:market"]` / `["data:models"]`. Every step a buyer, a contributor
or a model's customer takes is one plan of its own wallet, judged by the guard under that
wallet's mandate and signed through the executor (`commerce.agent.run_guarded`).

Off chain, under `<home>/data/tasks/<task id>/`: `contributions/<data hash>.npz` (what each
contributor revealed) and `eval_bundle.npz` (the buyer's bundle, disclosed when it publishes), so
anyone can re-run the valuation (`verify.verify_task`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak
from web3 import Web3
from web3.logs import DISCARD

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.commerce.agent import run_guarded
from steward.contracts import abi
from steward.errors import StewardError
from steward.execution import Executor, PlanResult
from steward.home import home_path
from steward.plans import Call
from steward.protocols import erc20
from steward.wallets import WalletStore

L1 = "sandbox-l1"
MARKET_ROLE, MODELS_ROLE = "data:market", "data:models"
STATES = {0: "open", 1: "published", 2: "expired"}


def task_dir(task_id: int) -> Path:
    return home_path("data", "tasks", str(task_id))


def ensure_contracts(chain: str = L1, progress=lambda message: None) -> ChainConfig:
    """DataMarket and ModelRegistry on `chain`, deployed by the sandbox operator if missing."""
    from steward.sandbox import SandboxBuilder

    config = load_config().chain(chain)
    w3 = chain_registry.connect(config)
    missing = [(role, name) for role, name in ((MARKET_ROLE, "DataMarket"),
                                               (MODELS_ROLE, "ModelRegistry"))
               if role not in config.contracts or not w3.eth.get_code(config.contracts[role])]
    if not missing:
        return config
    builder = SandboxBuilder(progress)
    deployed = {role: builder.deploy(config, name) for role, name in missing}
    current = load_config().chain(chain)
    return update_chain(chain, contracts=current.contracts | deployed)


@dataclass
class TaskView:
    task_id: int
    buyer: str
    token: str
    budget: int
    commit_deadline: int
    reveal_deadline: int
    publish_deadline: int
    eval_hash: bytes
    spec_hash: bytes
    state: str
    total_score: int
    contributors: list[str]


class Markets:
    """Read access to the two contracts on one chain (no keys)."""

    def __init__(self, chain: str = L1):
        self.chain = ensure_contracts(chain)
        self.w3 = chain_registry.connect(self.chain)
        self.market = self.w3.eth.contract(address=self.chain.contracts[MARKET_ROLE],
                                           abi=abi("DataMarket"))
        self.models = self.w3.eth.contract(address=self.chain.contracts[MODELS_ROLE],
                                           abi=abi("ModelRegistry"))

    def task(self, task_id: int) -> TaskView:
        fields = self.market.functions.task(task_id).call()
        (buyer, token, budget, commit_deadline, reveal_deadline, publish_deadline, eval_hash,
         spec_hash, state, total_score) = fields[:10]
        if int(buyer, 16) == 0:
            raise StewardError(f"no data task {task_id} on {self.chain.name}")
        return TaskView(task_id, buyer, token, budget, commit_deadline, reveal_deadline,
                        publish_deadline, bytes(eval_hash), bytes(spec_hash),
                        STATES.get(state, str(state)), total_score,
                        list(self.market.functions.contributors(task_id).call()))

    def event(self, contract, name: str, tx_hash: str):
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        found = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
        if not found:
            raise StewardError(f"no {name} event in {tx_hash}")
        return found[0].args

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])


def commitment(task_id: int, contributor: str, data_hash: bytes, salt: bytes) -> bytes:
    """keccak256(abi.encode(task_id, contributor, data_hash, salt)): binds the sender."""
    return keccak(encode(["uint256", "address", "bytes32", "bytes32"],
                         [task_id, Web3.to_checksum_address(contributor), data_hash, salt]))


class Participant:
    """One wallet acting in the markets; each action is a guarded plan of that wallet."""

    def __init__(self, wallet: str, passphrase: str, markets: Markets | None = None):
        self.wallet = wallet
        self.executor = Executor(WalletStore().unlock(wallet, passphrase), wallet)
        self.address = self.executor.address
        self.markets = markets or Markets()

    def _call(self, contract, function: str, *args, description: str) -> Call:
        return Call(to=contract.address, description=description, gas_hint=700_000,
                    data=contract.encode_abi(function, args=list(args)))

    def _approve(self, token: str, spender: str, amount: int) -> Call:
        info = erc20.token_info(self.markets.w3, token)
        return erc20.approve_call(self.markets.w3, info, spender, amount,
                                  f"approve {amount} base units of {info.symbol}")

    def _run(self, calls: list[Call], summary: str) -> PlanResult:
        return run_guarded(self.executor, self.markets.chain.name, calls, summary)

    # ---- buyer ----------------------------------------------------------------------------
    def create_task(self, token: str, budget: int, eval_hash: bytes, spec_hash: bytes, *,
                    commit_seconds: int, reveal_seconds: int, publish_seconds: int) -> int:
        market = self.markets.market
        now = self.markets.now()
        commit_at = now + commit_seconds
        reveal_at = commit_at + reveal_seconds
        publish_at = reveal_at + publish_seconds
        result = self._run([self._approve(token, market.address, budget),
                            self._call(market, "create_task", token, budget, commit_at, reveal_at,
                                       publish_at, eval_hash, spec_hash,
                                       description="open a data task with an escrowed budget")],
                           f"{self.wallet}: open a data task, budget {budget} escrowed")
        return self.markets.event(market, "TaskCreated", result.steps[-1].tx_hash).task_id

    def publish(self, task_id: int, scores: list[int]) -> PlanResult:
        market = self.markets.market
        return self._run([self._call(market, "publish", task_id, scores,
                                     description=f"publish the valuation of task {task_id}")],
                         f"{self.wallet}: publish the valuation of data task {task_id}")

    # ---- contributor ----------------------------------------------------------------------
    def commit(self, task_id: int, data_hash: bytes, salt: bytes | None = None) -> bytes:
        """Commit to `data_hash`; returns the salt to reveal with (keep it)."""
        salt = salt or os.urandom(32)
        market = self.markets.market
        self._run([self._call(market, "commit", task_id,
                              commitment(task_id, self.address, data_hash, salt),
                              description=f"commit a contribution to task {task_id}")],
                  f"{self.wallet}: commit to data task {task_id}")
        return salt

    def reveal(self, task_id: int, data_hash: bytes, salt: bytes) -> PlanResult:
        market = self.markets.market
        return self._run([self._call(market, "reveal", task_id, data_hash, salt,
                                     description=f"reveal a contribution to task {task_id}")],
                         f"{self.wallet}: reveal to data task {task_id}")

    def claim(self, task_id: int) -> int:
        market = self.markets.market
        owed = market.functions.owed(task_id, self.address).call()
        if owed == 0:
            return 0
        self._run([self._call(market, "claim", task_id,
                              description=f"claim the payout of task {task_id}")],
                  f"{self.wallet}: claim from data task {task_id}")
        return owed

    # ---- models ---------------------------------------------------------------------------
    def register_model(self, model_hash: bytes, token: str, contributors: list[str],
                       weights: list[int], task_id: int) -> int:
        models = self.markets.models
        result = self._run([self._call(models, "register", model_hash, token, contributors,
                                       weights, task_id,
                                       description="register a model and its contributors")],
                           f"{self.wallet}: register a model trained on data task {task_id}")
        return self.markets.event(models, "ModelRegistered", result.steps[0].tx_hash).model_id

    def pay_model(self, model_id: int, token: str, amount: int) -> PlanResult:
        models = self.markets.models
        return self._run([self._approve(token, models.address, amount),
                          self._call(models, "pay", model_id, amount,
                                     description=f"pay model {model_id} for predictions")],
                         f"{self.wallet}: pay model {model_id} for its predictions")

    def claim_revenue(self, token: str) -> int:
        models = self.markets.models
        owed = models.functions.owed(self.address, token).call()
        if owed == 0:
            return 0
        self._run([self._call(models, "claim", token, description="claim model revenue")],
                  f"{self.wallet}: claim model revenue")
        return owed


def model_hash(data_hashes: list[bytes], params: str) -> bytes:
    """What identifies a model: the data it was trained on (in order) and how."""
    digest = hashlib.sha256(params.encode())
    for item in data_hashes:
        digest.update(item)
    return digest.digest()


__all__ = ["L1", "MARKET_ROLE", "MODELS_ROLE", "Markets", "Participant", "TaskView",
           "commitment", "ensure_contracts", "model_hash", "task_dir"]
