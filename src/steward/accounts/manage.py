"""Turning a wallet into a guarded account on a chain, and what the owner does with it after.

`upgrade` (EIP-7702: the wallet's own address, unchanged) and `create` (a deployed account) both
compile the policy from the wallet's mandate (`policy.compile_policy`), make the agent key if
there is none, fund it with a little gas money, and record the account; from then on Steward's
one door to signing sends that chain's plans through the account, signed by the agent key.
`show` reads the account back: its policy, its counters, the worst case, and where the chain is
looser than the file. `pause` stops the agent key at once.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from pydantic import BaseModel
from web3 import Web3

from steward.accounts import contract, store
from steward.accounts.contract import OnChainState
from steward.accounts.policy import CompiledPolicy, WorstCase, compile_policy, looser_than_file, \
    worst_case
from steward.accounts.store import AccountRecord, AgentKeys, Implementation, Mode
from steward.chains import ChainConfig, chain_config, connect
from steward.chains.embedded import persist as persist_blocks
from steward.errors import StewardError
from steward.guard.mandate import load_mandate
from steward.wallets import WalletStore

AGENT_GAS_WEI = 5 * 10**16  # 0.05 of the coin: the agent key's gas money, sent by the owner


class AccountView(BaseModel):
    record: AccountRecord
    state: OnChainState
    compiled: CompiledPolicy
    worst: WorstCase
    looser: list[str]
    agent_gas_wei: int


def _implementation(w3: Web3, chain: ChainConfig, payer: LocalAccount) -> str:
    """The chain's shared EIP-7702 implementation: the one Steward deployed here, if its code is
    still what was deployed; else a fresh one."""
    known = store.implementation(chain.name, chain.chain_id)
    if known is not None:
        code = bytes(w3.eth.get_code(known.address))
        if code and "0x" + keccak(code).hex() == known.code_hash:
            return known.address
    address = contract.deploy_implementation(w3, payer)
    code_hash = "0x" + keccak(bytes(w3.eth.get_code(address))).hex()
    store.save_implementation(chain.name, Implementation(chain_id=chain.chain_id,
                                                         address=address, code_hash=code_hash))
    return address


def _fund_agent(w3: Web3, owner: LocalAccount, agent: str) -> None:
    if w3.eth.get_balance(agent) < AGENT_GAS_WEI // 2:
        contract.send(w3, owner, agent, b"", value=AGENT_GAS_WEI, what="funding the agent key's gas")


def _prepare(wallet: str, chain_name: str, passphrase: str):
    wallets = WalletStore()
    owner = wallets.unlock(wallet, passphrase)
    chain = chain_config(chain_name)
    w3 = connect(chain)
    agent = AgentKeys().ensure(wallet, passphrase)
    compiled = compile_policy(load_mandate(wallet), chain, w3)
    return owner, chain, w3, agent, compiled


def upgrade(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """EIP-7702: the wallet's address becomes a guarded account, its policy from the mandate."""
    chain_name = chain_config(chain_name).name
    existing = store.guarded_account(wallet, chain_name)
    if existing is not None:
        raise StewardError(f"wallet '{wallet}' is already a guarded account on {chain_name} "
                           f"({existing.address}); see `steward account show`")
    owner, chain, w3, agent, compiled = _prepare(wallet, chain_name, passphrase)
    if contract.delegate_of(w3, owner.address) is not None or w3.eth.get_code(owner.address):
        raise StewardError(f"{owner.address} already has code on {chain.name}; nothing was signed")
    implementation = _implementation(w3, chain, owner)
    contract.upgrade_in_place(w3, owner, implementation, agent, compiled.policy)
    return _finish(w3, chain, wallet, "7702", owner.address, owner, agent)


def create(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """A deployed guarded account owned by the wallet's key (for chains without EIP-7702); the
    owner moves into it what the agent may manage."""
    chain_name = chain_config(chain_name).name
    existing = store.guarded_account(wallet, chain_name)
    if existing is not None:
        raise StewardError(f"wallet '{wallet}' already has a guarded account on {chain_name} "
                           f"({existing.address}); see `steward account show`")
    owner, chain, w3, agent, compiled = _prepare(wallet, chain_name, passphrase)
    address = contract.deploy_account(w3, owner, agent, compiled.policy)
    return _finish(w3, chain, wallet, "contract", address, owner, agent)


def _finish(w3: Web3, chain: ChainConfig, wallet: str, mode: Mode, address: str,
            owner: LocalAccount, agent: str) -> AccountRecord:
    _fund_agent(w3, owner, agent)
    persist_blocks(w3)
    record = AccountRecord(wallet=wallet, owner=owner.address, chain=chain.name,
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


def pause(wallet: str, chain_name: str, passphrase: str) -> AccountRecord:
    """The owner stops the agent key at once (unpausing waits for the timelock)."""
    record = require(wallet, chain_name)
    chain = chain_config(chain_name)
    w3 = connect(chain)
    owner = WalletStore().unlock(wallet, passphrase)
    contract.owner_change(w3, owner, record.address, "pause")
    persist_blocks(w3)
    return record
