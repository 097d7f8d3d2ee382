"""The guarded account contract (`contracts/sources/GuardedAccount.vy`) from Python: its policy
as a model, the calls that create, drive and change it, and what it holds now.

Two ways in, one contract:
- **EIP-7702**: the owner's own address delegates to one shared implementation and initializes
  its policy in the same type-4 transaction; the address (and everything it holds) stays the
  same, and the owner's key stays the owner.
- **Deployed**: a contract per wallet, owned by the wallet's key, for chains without EIP-7702.

Nothing here signs: the owner's transactions (creating, delegating, initializing, changing the
policy) go through `Executor.administer` and plans through `Executor.execute`, both in the one
door to signing (`steward.execution`); which policy to set is decided by
`steward.accounts.policy`.
"""

from __future__ import annotations

from typing import Any, Iterable

from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, field_validator
from web3 import Web3
from web3.contract import Contract

from steward import contracts
from steward.errors import StewardError
from steward.plans import Call

NAME = "GuardedAccount"
NATIVE = "0x0000000000000000000000000000000000000000"
RATE_SCALE = 10**18  # usd_rate: USD micros per 10**18 base units
ALLOWED, VALUE = 1, 2
MAX_CALLS, MAX_DATA, MAX_TOKENS, MAX_ENTRIES = 8, 2048, 16, 96
WINDOW_MASK = (1 << 192) - 1
DELEGATION_PREFIX = bytes.fromhex("ef0100")  # EIP-7702 delegation designator
PLAIN_SEND = "0x00000000"  # the allowlist's selector for calls with empty calldata


class TokenRule(BaseModel):
    """A tracked asset: the most it may lose per window, in base units, and the USD rate its
    losses are valued at (USD micros per 10**18 base units; rounded up on chain)."""

    model_config = ConfigDict(frozen=True)

    token: str  # NATIVE for the chain's coin
    limit: int
    usd_rate: int

    @field_validator("token")
    @classmethod
    def _checksum(cls, value: str) -> str:
        return to_checksum_address(value)


class Permission(BaseModel):
    """An allowlist entry: a contract's function (`PLAIN_SEND` for empty calldata), and whether
    calls to it may carry native value."""

    model_config = ConfigDict(frozen=True)

    target: str
    selector: str
    value: bool = False

    @field_validator("target")
    @classmethod
    def _checksum(cls, value: str) -> str:
        return to_checksum_address(value)

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        raw = value.lower().removeprefix("0x")
        if len(raw) != 8 or any(c not in "0123456789abcdef" for c in raw):
            raise ValueError(f"a selector is 4 bytes as 8 hexadecimal digits, got {value!r}")
        return "0x" + raw

    @property
    def flags(self) -> int:
        return ALLOWED | (VALUE if self.value else 0)


class Policy(BaseModel):
    """Everything the account enforces. Windows are fixed: window k is
    [k * period_seconds, (k + 1) * period_seconds) of block time."""

    model_config = ConfigDict(frozen=True)

    period_seconds: int = 86_400
    delay_seconds: int = 86_400
    tokens: tuple[TokenRule, ...] = ()
    window_usd_limit: int = 0  # USD micros per window
    batch_usd_limit: int = 0  # USD micros per batch
    permissions: tuple[Permission, ...] = ()
    native_sends: bool = False

    def rule(self, token: str) -> TokenRule | None:
        wanted = to_checksum_address(token)
        return next((r for r in self.tokens if r.token == wanted), None)

    def permission(self, target: str, selector: str) -> Permission | None:
        wanted = to_checksum_address(target)
        return next((p for p in self.permissions
                     if p.target == wanted and p.selector == selector.lower()), None)


class OnChainState(BaseModel):
    """What an account holds now: its policy and its counters."""

    address: str
    owner: str
    agent: str
    initialized: bool
    paused: bool
    nonce: int
    policy: Policy
    spent: dict[str, int]  # token → lost in the current window
    usd_spent: int  # in the current window
    window: int


def abi() -> list[dict[str, Any]]:
    return contracts.abi(NAME)


def at(w3: Web3, address: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(address), abi=abi())


def _encoder() -> Contract:
    return Web3().eth.contract(abi=abi())


def initialize_data(agent: str, policy: Policy) -> bytes:
    args = [
        to_checksum_address(agent), policy.period_seconds, policy.delay_seconds,
        [r.token for r in policy.tokens], [r.limit for r in policy.tokens],
        [r.usd_rate for r in policy.tokens], policy.window_usd_limit, policy.batch_usd_limit,
        [p.target for p in policy.permissions],
        [bytes.fromhex(p.selector[2:]) for p in policy.permissions],
        [p.flags for p in policy.permissions], policy.native_sends,
    ]
    if len(policy.tokens) > MAX_TOKENS or len(policy.permissions) > MAX_ENTRIES:
        raise StewardError(f"a guarded account tracks at most {MAX_TOKENS} tokens and "
                           f"{MAX_ENTRIES} allowlist entries; this policy has "
                           f"{len(policy.tokens)} and {len(policy.permissions)}")
    return bytes.fromhex(_encoder().encode_abi("initialize", args=args)[2:])


def execute_data(calls: Iterable[Call], nonce: int) -> bytes:
    """`execute(calls, nonce)`: the batch the agent key signs, as calldata."""
    batch = []
    for call in calls:
        if call.to is None:
            raise StewardError("a guarded account cannot deploy contracts; nothing was signed")
        data = bytes.fromhex(call.data.removeprefix("0x"))
        if len(data) > MAX_DATA:
            raise StewardError(f"a call's data is {len(data)} bytes; a guarded account takes "
                               f"at most {MAX_DATA}; nothing was signed")
        batch.append((to_checksum_address(call.to), call.value, data))
    if not batch or len(batch) > MAX_CALLS:
        raise StewardError(f"a guarded account executes 1 to {MAX_CALLS} calls per batch, "
                           f"not {len(batch)}; nothing was signed")
    return bytes.fromhex(_encoder().encode_abi("execute", args=[batch, nonce])[2:])


def setter_data(function: str, *args: Any) -> bytes:
    """Calldata of an owner's policy setter (`set_token_limit`, `set_permission`, …)."""
    return bytes.fromhex(_encoder().encode_abi(function, args=list(args))[2:])


def change_hash(calldata: bytes) -> bytes:
    """What `schedule` takes for a loosening change: keccak256 of the setter's exact calldata."""
    return keccak(calldata)


def delegate_of(w3: Web3, address: str) -> str | None:
    """The EIP-7702 delegate an address's code points to, if it has one."""
    code = bytes(w3.eth.get_code(to_checksum_address(address)))
    if len(code) == 23 and code.startswith(DELEGATION_PREFIX):
        return to_checksum_address(code[3:])
    return None


def read_state(w3: Web3, address: str) -> OnChainState:
    """The account's policy and counters, read from the chain (not its permissions: a mapping
    cannot be listed; `read_permissions` checks given entries)."""
    account = at(w3, address)
    f = account.functions
    tracked: list[str] = []
    index = 0
    while index < MAX_TOKENS:
        try:
            tracked.append(to_checksum_address(f.tracked(index).call()))
        except Exception:  # noqa: BLE001 — past the end of the DynArray
            break
        index += 1
    period = f.period().call() or 1
    window = w3.eth.get_block("latest")["timestamp"] // period
    rules, spent = [], {}
    for token in tracked:
        rules.append(TokenRule(token=token, limit=f.token_limit(token).call(),
                               usd_rate=f.usd_rate(token).call()))
        spent[token] = _in_window(f.token_used(token).call(), window)
    policy = Policy(period_seconds=f.period().call(), delay_seconds=f.delay().call(),
                    tokens=tuple(rules), window_usd_limit=f.window_usd_limit().call(),
                    batch_usd_limit=f.batch_usd_limit().call(),
                    native_sends=f.native_sends().call())
    usd_spent = _in_window(f.usd_used().call(), window)
    return OnChainState(address=to_checksum_address(address), owner=f.owner().call(),
                        agent=f.agent().call(), initialized=f.initialized().call(),
                        paused=f.paused().call(), nonce=f.nonce().call(), policy=policy,
                        spent=spent, usd_spent=usd_spent, window=window)


def _in_window(used: int, window: int) -> int:
    """A packed counter (window << 192 | amount) as the amount used in `window`."""
    return used & WINDOW_MASK if used >> 192 == window else 0


def read_permissions(w3: Web3, address: str, entries: Iterable[Permission]) -> list[Permission]:
    """Which of `entries` the account grants now, as it grants them."""
    f = at(w3, address).functions
    granted = []
    for entry in entries:
        flags = f.permission(entry.target, bytes.fromhex(entry.selector[2:])).call()
        if flags & ALLOWED:
            granted.append(Permission(target=entry.target, selector=entry.selector,
                                      value=bool(flags & VALUE)))
    return granted


# ---- what the owner's administration may sign (checked by `Executor.administer`) ----------------

def is_account_creation(data: str) -> bool:
    """Whether `data` creates a GuardedAccount (its creation code, then constructor arguments)."""
    code = contracts.compiled(NAME).bytecode.hex()
    return data.lower().removeprefix("0x").startswith(code)


# The owner's functions that change no balance (`owner_call` and `execute` move money: never
# through administration).
ADMIN_FUNCTIONS = ("initialize", "schedule", "cancel", "set_token_limit", "set_usd_limits",
                   "set_permission", "set_native_sends", "set_agent", "set_delay", "pause",
                   "unpause")


def is_admin_call(data: str) -> bool:
    """Whether calldata calls one of ADMIN_FUNCTIONS."""
    try:
        function, _ = _encoder().decode_function_input(data)
    except ValueError:
        return False
    return function.fn_name in ADMIN_FUNCTIONS


def code_hash(w3: Web3, address: str) -> str:
    return "0x" + keccak(bytes(w3.eth.get_code(to_checksum_address(address)))).hex()


def owner_of(w3: Web3, address: str) -> str | None:
    """The owner a guarded account names, or None when `address` does not answer like one."""
    if not w3.eth.get_code(to_checksum_address(address)):
        return None
    try:
        return to_checksum_address(at(w3, address).functions.owner().call())
    except Exception:  # noqa: BLE001 — not a guarded account
        return None


def creation_call(owner: str, description: str) -> Call:
    """Deploy a GuardedAccount owned by `owner` (NATIVE: the shared EIP-7702 implementation)."""
    return Call(to=None, data="0x" + contracts.initcode(NAME, owner).hex(),
                description=description, gas_hint=3_000_000)


def account_call(account: str, data: bytes, description: str) -> Call:
    return Call(to=to_checksum_address(account), data="0x" + data.hex(), description=description,
                gas_hint=1_000_000)
