"""Turning a wallet into a guarded account on a chain, and what the owner does with it after.

`upgrade` (EIP-7702: the wallet's own address, unchanged) and `create` (a deployed account) both
compile the policy from the wallet's mandate (`policy.compile_policy`), make the agent key if
there is none, fund it with a little gas money, and record the account; from then on Steward's
one door to signing sends that chain's plans through the account, signed by the agent key.
`show` reads the account back: its policy, its counters, the worst case, and where the chain is
looser than the file. `pause` stops the agent key at once.
"""

from __future__ import annotations

from eth_utils import to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.accounts import contract, store
from steward.accounts.contract import OnChainState
from steward.accounts.policy import CompiledPolicy, WorstCase, compile_policy, looser_than_file, \
    worst_case
from steward.accounts.store import AccountRecord, AgentKeys, Implementation, Mode
from steward.chains import ChainConfig, chain_config, connect
from steward.contacts import Recipient
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import approve, review
from steward.guard.mandate import load_mandate
from steward.planning.builders import transfer_plan
from steward.units import format_units

AGENT_GAS_WEI = 10**16  # 0.01 of the coin: the agent key's gas money, sent by the owner


class AccountView(BaseModel):
    record: AccountRecord
    state: OnChainState
    compiled: CompiledPolicy
    worst: WorstCase
    looser: list[str]
    agent_gas_wei: int


def _implementation(w3: Web3, chain: ChainConfig, executor: Executor) -> str:
    """The chain's shared EIP-7702 implementation: the one Steward deployed here, if its code is
    still what was deployed; else a fresh one."""
    known = store.implementation(chain.name, chain.chain_id)
    if known is not None and contract.code_hash(w3, known.address) == known.code_hash:
        return known.address
    step = executor.administer(chain.name, contract.creation_call(
        contract.NATIVE, "deploy the guarded account implementation (EIP-7702)"))
    address = to_checksum_address(step.contract_address)
    store.save_implementation(chain.name, Implementation(
        chain_id=chain.chain_id, address=address, code_hash=contract.code_hash(w3, address)))
    return address


def _fund_agent(w3: Web3, chain: ChainConfig, wallet: str, executor: Executor,
                agent: str, amount_wei: int = AGENT_GAS_WEI, always: bool = False) -> None:
    """The agent key's gas money, sent by the owner as a plan like any other: simulated, judged
    by the guard (the owner running the command approves a confirm), signed by the one door
    with the owner's key (the agent cannot pay for a batch that funds itself)."""
    if not always and w3.eth.get_balance(agent) >= AGENT_GAS_WEI // 2:
        return
    recipient = Recipient(address=agent, label=f"{wallet}'s agent key", source="own wallet")
    plan = transfer_plan(chain, executor.address, chain.native_symbol,
                         format_units(amount_wei, 18), recipient)
    verdict = review(plan, wallet, own_wallets={f"{wallet} agent key": agent})
    executor.execute(plan, approve(verdict, by="owner (steward account)"))


def _prepare(wallet: str, chain_name: str, passphrase: str):
    executor = Executor.unlock(wallet, passphrase)
    chain = chain_config(chain_name)
    w3 = connect(chain)
    agent = AgentKeys().ensure(wallet, passphrase)
    compiled = compile_policy(load_mandate(wallet), chain, w3)
    return executor, chain, w3, agent, compiled


def _refuse_twice(wallet: str, chain_name: str) -> None:
    existing = store.guarded_account(wallet, chain_name)
    if existing is not None:
        raise StewardError(f"wallet '{wallet}' is already a guarded account on {chain_name} "
                           f"({existing.address}); see `steward account show`")


def upgrade(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """EIP-7702: the wallet's address becomes a guarded account, its policy from the mandate."""
    chain_name = chain_config(chain_name).name
    _refuse_twice(wallet, chain_name)
    executor, chain, w3, agent, compiled = _prepare(wallet, chain_name, passphrase)
    if w3.eth.get_code(executor.address):
        raise StewardError(f"{executor.address} already has code on {chain.name}; nothing was "
                           "signed")
    implementation = _implementation(w3, chain, executor)
    executor.administer(chain.name, contract.account_call(
        executor.address, contract.initialize_data(agent, compiled.policy),
        "upgrade the wallet to a guarded account (EIP-7702) and set its policy"),
        delegate_to=implementation)
    return _finish(w3, chain, wallet, "7702", executor.address, executor, agent)


def create(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """A deployed guarded account owned by the wallet's key (for chains without EIP-7702); the
    owner moves into it what the agent may manage."""
    chain_name = chain_config(chain_name).name
    _refuse_twice(wallet, chain_name)
    executor, chain, w3, agent, compiled = _prepare(wallet, chain_name, passphrase)
    step = executor.administer(chain.name, contract.creation_call(
        executor.address, "deploy a guarded account"))
    address = to_checksum_address(step.contract_address)
    executor.administer(chain.name, contract.account_call(
        address, contract.initialize_data(agent, compiled.policy), "set the account's policy"))
    return _finish(w3, chain, wallet, "contract", address, executor, agent)


def _finish(w3: Web3, chain: ChainConfig, wallet: str, mode: Mode, address: str,
            executor: Executor, agent: str) -> AccountRecord:
    _fund_agent(w3, chain, wallet, executor, agent)  # before the record: the owner's key pays
    record = AccountRecord(wallet=wallet, owner=executor.address, chain=chain.name,
                           chain_id=chain.chain_id, mode=mode, address=address, agent=agent)
    store.save_account(record)
    return record


def require(wallet: str, chain_name: str) -> AccountRecord:
    chain_name = chain_config(chain_name).name
    record = store.guarded_account(wallet, chain_name)
    if record is None:
        guarded = [r.chain for r in store.accounts_of(wallet)]
        raise StewardError(f"wallet '{wallet}' is not a guarded account on {chain_name}"
                           + (f" (it is on: {', '.join(guarded)})" if guarded else "")
                           + f"; make it one with `steward account upgrade --chain {chain_name}`")
    return record


def show(wallet: str, chain_name: str) -> AccountView:
    record = require(wallet, chain_name)
    chain = chain_config(chain_name)
    w3 = connect(chain)
    state = contract.read_state(w3, record.address)
    compiled = compile_policy(load_mandate(wallet), chain, w3)
    return AccountView(record=record, state=state, compiled=compiled, worst=worst_case(compiled),
                       looser=looser_than_file(state, compiled),
                       agent_gas_wei=w3.eth.get_balance(record.agent))


def fund(wallet: str, chain_name: str, passphrase: str,
         amount_wei: int = AGENT_GAS_WEI) -> AccountRecord:
    """The owner tops up the agent key's gas money (judged by the guard like any payment)."""
    record = require(wallet, chain_name)
    chain = chain_config(record.chain)
    executor = Executor.unlock(wallet, passphrase)
    _fund_agent(connect(chain), chain, wallet, executor, record.agent, amount_wei, always=True)
    return record


def pause(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """The owner stops the agent key at once (unpausing waits for the timelock)."""
    record = require(wallet, chain_name)
    executor = Executor.unlock(wallet, passphrase)
    executor.administer(record.chain, contract.account_call(
        record.address, contract.setter_data("pause"), "pause the guarded account"))
    return record
