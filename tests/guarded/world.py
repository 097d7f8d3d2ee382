"""A plain eth-tester chain with guarded accounts on it, for the contract-level tests (the
owner's, agent's and thieves' transactions are signed straight through `guarded_tx`).

One `World` per test module: tokens, the test contracts of this folder, the shared EIP-7702
implementation and keys, built once; `World.fresh()` returns to that state (a chain snapshot)
so each test or Hypothesis example starts from the same chain. Block time is set far ahead
of the wall clock, so each transaction runs exactly one second after the previous block and
`at(ts)` makes the next one run at `ts`.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import guarded_tx
import pytest
import vyper
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from eth_utils import function_abi_to_4byte_selector, keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.providers.eth_tester import EthereumTesterProvider

from steward import contracts
from steward.accounts import contract as ga
from steward.errors import TransactionFailed
from steward.plans import Call

HERE = Path(__file__).parent
NATIVE = ga.NATIVE
PERIOD = 3_600  # one window, in seconds
DELAY = 600  # the owner's timelock for loosening
USD = 10**6  # USD micros
GOLD = 10**18  # one whole 18-decimal token
T0 = 4_000_000_000 // PERIOD * PERIOD  # a window boundary far ahead of any wall clock

USDC_RATE = 10**18  # 1 base unit = 1 USD micro
GOLD_RATE = 2_000 * 10**6  # $2000 per 10**18 base units
ETH_RATE = 2_000 * 10**6


def key(name: str) -> LocalAccount:
    """A fixed test key per role, so runs (and Hypothesis replays) see the same addresses."""
    return Account.from_key(keccak(text=f"guarded account tests: {name}"))


@functools.cache
def compiled(name: str) -> dict[str, Any]:
    with warnings.catch_warnings():  # the Destroyer's SELFDESTRUCT is deprecated, and meant
        warnings.simplefilter("ignore")
        source = (HERE / f"{name}.vy").read_text()
        return vyper.compile_code(source, output_formats=["bytecode", "abi"])


def usd_value(loss: int, rate: int) -> int:
    """A loss in USD micros as the contract values it: rounded up."""
    return -(-loss * rate // ga.RATE_SCALE)


def default_policy(world: "World") -> ga.Policy:
    """Per window: 100 USDC ($1), 0.1 GOLD ($2000) and 0.05 of the coin ($2000); $150 a batch
    and $250 a window. Allowed: transfers and approvals of both tokens, the puller, the
    forwarder with coin, and plain coin sends."""
    allow = [(world.usdc, "transfer"), (world.usdc, "approve"), (world.gold, "transfer"),
             (world.gold, "approve"), (world.puller, "pull")]
    permissions = [ga.Permission(target=c.address, selector=selector(c, f)) for c, f in allow]
    permissions.append(ga.Permission(target=world.forwarder.address,
                                     selector=selector(world.forwarder, "relay"), value=True))
    return ga.Policy(
        period_seconds=PERIOD, delay_seconds=DELAY,
        tokens=(ga.TokenRule(token=world.usdc.address, limit=100 * USD, usd_rate=USDC_RATE),
                ga.TokenRule(token=world.gold.address, limit=GOLD // 10, usd_rate=GOLD_RATE),
                ga.TokenRule(token=NATIVE, limit=GOLD // 20, usd_rate=ETH_RATE)),
        window_usd_limit=250 * USD, batch_usd_limit=150 * USD,
        permissions=tuple(permissions), native_sends=True)


def extended(policy: ga.Policy, tokens=(), permissions=(), **changes: Any) -> ga.Policy:
    """`policy` with more tracked tokens and allowlist entries, and other fields changed."""
    return policy.model_copy(update={"tokens": policy.tokens + tuple(tokens),
                                     "permissions": policy.permissions + tuple(permissions),
                                     **changes})


def selector(contract: Contract, function: str) -> str:
    entry = next(e for e in contract.abi if e.get("type") == "function" and e["name"] == function)
    return "0x" + function_abi_to_4byte_selector(entry).hex()


def encode(contract: Contract, function: str, *args: Any) -> bytes:
    return bytes.fromhex(contract.encode_abi(function, args=list(args))[2:])


def call(contract: Contract, function: str, *args: Any, value: int = 0) -> Call:
    return raw(contract.address, encode(contract, function, *args), value)


def raw(target: str, data: bytes = b"", value: int = 0) -> Call:
    return Call(to=target, data="0x" + data.hex(), value=value, description="test call")


class World:
    def __init__(self) -> None:
        self.tester = EthereumTester(PyEVMBackend())
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.funder = self.w3.eth.accounts[0]
        self.tester.time_travel(T0)
        self.agent, self.stranger, self.thief = key("agent"), key("stranger"), key("thief")
        for who in (self.agent, self.stranger, self.thief):
            self.fund(who.address, 10**21)
        self.usdc = self.deploy_repo("ERC20", "USD Coin", "USDC", 6)
        self.gold = self.deploy_repo("ERC20", "Gold", "GOLD", 18)
        self.puller = self.deploy_test("Puller")
        self.forwarder = self.deploy_test("Forwarder")
        self.implementation = guarded_tx.deploy_implementation(self.w3, self.stranger)
        self.snapshot = self.tester.take_snapshot()

    # ---- chain -------------------------------------------------------------------------

    def fresh(self) -> "World":
        self.tester.revert_to_snapshot(self.snapshot)
        return self

    def now(self) -> int:
        """The block time the next transaction runs at."""
        return self.tester.get_block_by_number("pending")["timestamp"]

    def at(self, timestamp: int) -> None:
        """Make the next transaction run at `timestamp` (never backwards)."""
        if timestamp != self.now():
            self.tester.time_travel(timestamp)

    def fund(self, address: str, wei: int) -> None:
        self.w3.eth.send_transaction({"from": self.funder, "to": address, "value": wei})

    def deploy_repo(self, name: str, *args: Any) -> Contract:
        return self._deploy(contracts.initcode(name, *args), contracts.abi(name))

    def deploy_test(self, name: str) -> Contract:
        out = compiled(name)
        return self._deploy(bytes.fromhex(out["bytecode"].removeprefix("0x")), out["abi"])

    def _deploy(self, initcode: bytes, abi: list) -> Contract:
        tx = self.w3.eth.send_transaction({"from": self.funder, "data": initcode})
        address = self.w3.eth.get_transaction_receipt(tx).contractAddress
        return self.w3.eth.contract(address=address, abi=abi)

    def mint(self, token: Contract, to: str, amount: int) -> None:
        token.functions.mint(to, amount).transact({"from": self.funder})

    def balance(self, token: "str | Contract", holder: str) -> int:
        token = token if isinstance(token, str) else token.address
        if token == NATIVE:
            return self.w3.eth.get_balance(holder)
        erc20 = self.w3.eth.contract(address=token, abi=contracts.abi("ERC20"))
        return erc20.functions.balanceOf(holder).call()

    def send(self, signer: LocalAccount, to: str, data: bytes, value: int = 0) -> dict:
        """Sign and send; one that would revert raises TransactionFailed with its reason."""
        return guarded_tx.send(self.w3, signer, to, data, value=value)

    def send_authorized(self, signer: LocalAccount, to: str, data: bytes,
                        authorizations: list) -> dict:
        """A type-4 transaction carrying EIP-7702 authorizations (anyone may relay them)."""
        return guarded_tx.send(self.w3, signer, to, data, authorizations=authorizations)

    def send_unchecked(self, signer: LocalAccount, to: str, data: bytes,
                       gas: int = 3_000_000) -> dict:
        """Sign and send without estimating first: one that reverts is mined (status 0)."""
        tx = {"to": to, "data": data, "value": 0, "gas": gas, "chainId": self.w3.eth.chain_id,
              "nonce": self.w3.eth.get_transaction_count(signer.address),
              "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
        signed = signer.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        return dict(self.w3.eth.wait_for_transaction_receipt(tx_hash))

    def open(self, mode: str, policy: ga.Policy, name: str = "owner",
             agent: str | None = None) -> "Guarded":
        """A guarded account under `policy`: the owner's own address delegating to the
        implementation ("7702") or a contract of its own ("deployed")."""
        owner = key(f"{name} ({mode})")
        self.fund(owner.address, 10**21)
        agent = agent or self.agent.address
        if mode == "7702":
            guarded_tx.upgrade_in_place(self.w3, owner, self.implementation, agent, policy)
            address = owner.address
        else:
            address = guarded_tx.deploy_account(self.w3, owner, agent, policy)
        return Guarded(self, mode, to_checksum_address(address), owner)

    def stock(self, account: "Guarded") -> None:
        """1000 USDC, 10 GOLD and 10 of the coin for `account` to lose."""
        self.mint(self.usdc, account.address, 1_000 * USD)
        self.mint(self.gold, account.address, 10 * GOLD)
        self.fund(account.address, 10 * GOLD)


@dataclass
class Guarded:
    world: World
    mode: str
    address: str
    owner: LocalAccount

    @property
    def contract(self) -> Contract:
        return ga.at(self.world.w3, self.address)

    def nonce(self) -> int:
        return self.contract.functions.nonce().call()

    def execute(self, *calls: Call, nonce: int | None = None,
                signer: LocalAccount | None = None) -> dict:
        batch = ga.execute_data(calls, self.nonce() if nonce is None else nonce)
        return self.world.send(signer or self.world.agent, self.address, batch)

    def owner_change(self, function: str, *args: Any, signer: LocalAccount | None = None) -> dict:
        return self.world.send(signer or self.owner, self.address, ga.setter_data(function, *args))

    def schedule(self, function: str, *args: Any) -> int:
        """Start the timelock of a loosening change; returns when it may be applied."""
        return guarded_tx.schedule_change(self.world.w3, self.owner, self.address, function, *args)

    def balance(self, token: "str | Contract") -> int:
        return self.world.balance(token, self.address)


def refused(reason: str, action, *args: Any, **kwargs: Any) -> None:
    """`action(*args)` is refused before signing, for `reason` (the contract's revert string)."""
    with pytest.raises(TransactionFailed) as info:
        action(*args, **kwargs)
    assert reason in str(info.value), str(info.value)
