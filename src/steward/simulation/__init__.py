"""Simulation: run a whole plan on a throwaway copy of the current state, before signing.

Embedded chains run the plan on py-evm's in-memory state on top of the latest block, with the
sender spoofed (no key needed) and everything reverted afterwards. RPC chains run it on an
anvil fork of the RPC URL, impersonating the sender. Either way the result says what each
step did (success, gas, revert reason, decoded events) and how balances move: the sender's by
real `balanceOf` before and after, counterparties' from the same reads for every address that
the plan's Transfer events name. Native coin is followed through contracts (py-evm's call
frames, or the fork's call trace): every account a call frame paid is measured too, so a
contract that passes the coin on shows no change and whoever it paid does.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic, to_bytes, to_canonical_address, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.contacts import short
from steward.contracts import abi
from steward.display import reads_as
from steward.errors import StewardError
from steward.plans import Call, Plan
from steward.protocols import erc20
from steward.simulation.reverts import describe as decode_revert
from steward.simulation.reverts import revert_text

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
APPROVAL_TOPIC = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
SIMULATION_GAS = 15_000_000
READ_GAS = 1_000_000


class RawLog(BaseModel):
    address: str
    topics: list[str]
    data: str


class ValueTransfer(BaseModel):
    """Native coin moved by one call frame of a step (the step's own call included): CALL,
    CREATE and SELFDESTRUCT frames that did not revert. Delegate and static calls move nothing."""

    step: int  # index of the plan's call
    sender: str
    to: str
    value: int | None  # None: a SELFDESTRUCT, which hands over the whole balance


class Outcome(BaseModel):
    success: bool
    gas_used: int
    fee_wei: int
    revert_reason: str | None = None
    logs: list[RawLog] = []
    created: str | None = None
    transfers: list[ValueTransfer] = []  # step is 0 here; `_run` numbers them


class DecodedEvent(BaseModel):
    contract: str
    name: str
    args: dict[str, str]


class StepSimulation(BaseModel):
    description: str
    success: bool
    gas_used: int
    revert_reason: str | None = None
    events: list[DecodedEvent] = []


class AssetChange(BaseModel):
    holder: str
    symbol: str  # the registry's symbol, a safe label, or "USDC? (impostor, 0x1234…abcd)"
    token: str | None  # None is the native coin
    decimals: int
    delta: int  # for the sender's native coin: excluding the fee, which is reported apart
    # A token that is not the registry's but calls itself by a registry (or native) symbol:
    # the symbol it imitates, as the registry spells it.
    impostor_of: str | None = None
    # A registry token whose simulated state contradicts the registry (e.g. other decimals).
    metadata_problem: str | None = None


class Approval(BaseModel):
    token: str
    symbol: str
    decimals: int
    owner: str
    spender: str
    amount: int
    remaining: int | None  # the allowance left when the whole plan has run
    impostor_of: str | None = None  # as in AssetChange
    metadata_problem: str | None = None


class SimulationResult(BaseModel):
    chain: str
    sender: str
    success: bool
    revert_reason: str | None = None
    steps: list[StepSimulation]
    changes: list[AssetChange]
    approvals: list[Approval]
    gas_used: int
    fee_wei: int
    method: str  # "embedded snapshot" or "anvil fork of <url>"
    # Every native transfer inside the plan, followed through contracts: whoever ends up
    # holding the coin is in `changes` too, so the guard judges final beneficiaries.
    value_transfers: list[ValueTransfer] = []

    def delta(self, holder: str, token: str | None) -> int:
        return sum(c.delta for c in self.changes if c.holder.lower() == holder.lower()
                   and (c.token or "").lower() == (token or "").lower())

    def sender_changes(self) -> list[AssetChange]:
        return [c for c in self.changes if c.holder.lower() == self.sender.lower()]


class _EmbeddedBackend:
    """py-evm state on top of the latest block; nothing is persisted."""

    def __init__(self, w3: Web3):
        provider = w3.provider
        embedded_chain = getattr(provider, "embedded_chain", None)
        if embedded_chain is None:
            raise StewardError("internal: not an embedded chain")
        embedded_chain.world.begin_session()
        self.backend = embedded_chain.backend
        self.vm = self.backend.chain.get_vm()
        self.state = self.vm.state
        self.base_fee = self.vm.get_header().base_fee_per_gas
        self.start = self.state.snapshot()

    def _spoofed(self, sender: str, to: str | None, data: bytes, value: int, gas: int):
        from eth.vm.spoof import SpoofTransaction

        sender_bytes = to_canonical_address(sender)
        tx = {
            "from": sender_bytes, "to": to_canonical_address(to) if to else b"", "data": data,
            "value": value, "gas": gas, "nonce": self.state.get_nonce(sender_bytes),
            "max_fee_per_gas": self.base_fee + 1, "max_priority_fee_per_gas": 1,
        }
        unsigned = self.backend._get_normalized_and_unsigned_evm_transaction(tx, "pending")
        return SpoofTransaction(unsigned, from_=sender_bytes)

    def apply(self, sender: str, call: Call) -> Outcome:
        from eth_utils.exceptions import ValidationError as EVMValidationError

        data = to_bytes(hexstr=call.data)
        transaction = self._spoofed(sender, call.to, data, call.value, SIMULATION_GAS)
        try:
            computation = self.state.apply_transaction(transaction)
        except EVMValidationError as exc:
            return Outcome(success=False, gas_used=0, fee_wei=0, revert_reason=str(exc))
        # As py-evm's executor charges it: intrinsic gas plus execution, less the capped refund.
        used = transaction.intrinsic_gas + computation.get_gas_used()
        gas = used - min(computation.get_gas_refund(), used // 5)
        fee = gas * (self.base_fee + 1)
        if computation.is_error:
            error = computation.error
            payload = error.args[0] if error.args and isinstance(error.args[0], bytes) else b""
            reason = decode_revert(payload) if payload else type(error).__name__
            return Outcome(success=False, gas_used=gas, fee_wei=fee, revert_reason=reason)
        logs = [RawLog(address=to_checksum_address(address),
                       topics=["0x" + topic.to_bytes(32, "big").hex() for topic in topics],
                       data="0x" + payload.hex())
                for address, topics, payload in computation.get_log_entries()]
        created = None
        if call.to is None:
            created = to_checksum_address(computation.msg.storage_address)
        return Outcome(success=True, gas_used=gas, fee_wei=fee, logs=logs, created=created,
                       transfers=_computation_transfers(computation))

    def native_balance(self, address: str) -> int:
        return self.state.get_balance(to_canonical_address(address))

    def read(self, to: str, data: bytes) -> bytes | None:
        probe = "0x000000000000000000000000000000000000dEaD"
        snapshot = self.state.snapshot()
        try:
            self.state.set_balance(to_canonical_address(probe), 10**18)
            computation = self.state.apply_transaction(self._spoofed(probe, to, data, 0, READ_GAS))
            return None if computation.is_error else computation.output
        except Exception:
            return None
        finally:
            self.state.revert(snapshot)

    def rewind(self) -> None:
        self.state.revert(self.start)
        self.start = self.state.snapshot()

    def close(self) -> None:
        self.state.revert(self.start)


def _computation_transfers(root) -> list[ValueTransfer]:
    """Native transfers in a py-evm computation tree, frame by frame, depth first. A frame
    that errored was reverted with everything under it, so its subtree is skipped."""
    found: list[ValueTransfer] = []
    pending = [root]
    while pending:
        computation = pending.pop()
        if computation.is_error:
            continue
        msg = computation.msg
        # DELEGATECALL/STATICCALL do not transfer; CALLCODE "transfers" to the caller itself.
        if msg.should_transfer_value and msg.value and msg.sender != msg.storage_address:
            found.append(ValueTransfer(step=0, sender=to_checksum_address(msg.sender),
                                       to=to_checksum_address(msg.storage_address), value=msg.value))
        for beneficiary in computation.beneficiaries:
            found.append(ValueTransfer(step=0, sender=to_checksum_address(msg.storage_address),
                                       to=to_checksum_address(beneficiary), value=None))
        pending.extend(reversed(computation.children))
    return found


class _ForkBackend:
    """An anvil fork of an RPC chain; the sender is impersonated, nothing leaves the fork."""

    def __init__(self, chain: ChainConfig):
        from steward.chains.anvil import find_anvil

        try:
            find_anvil()
        except StewardError:
            raise StewardError(
                f"cannot simulate on {chain.name}: RPC chains are simulated on an anvil fork and "
                "anvil is not installed (run `make setup-anvil`); nothing was signed"
            ) from None
        self.chain = chain
        self.node, self.w3 = _take_fork(chain)
        self.impersonated: set[str] = set()
        self.start = self._request("evm_snapshot", [])

    def _request(self, method: str, params: list):
        response = self.w3.provider.make_request(method, params)
        if "error" in response:
            raise StewardError(f"the simulation fork refused {method}: {response['error']}")
        return response["result"]

    def apply(self, sender: str, call: Call) -> Outcome:
        from web3.exceptions import ContractLogicError, Web3RPCError

        if sender not in self.impersonated:
            self._request("anvil_impersonateAccount", [sender])
            self.impersonated.add(sender)
        tx = {"from": sender, "value": call.value, "data": call.data}
        if call.to:
            tx["to"] = call.to
        try:
            gas = self.w3.eth.estimate_gas(tx)
        except (ContractLogicError, Web3RPCError) as exc:
            return Outcome(success=False, gas_used=0, fee_wei=0, revert_reason=revert_text(exc))
        tx_hash = self.w3.eth.send_transaction(tx | {"gas": gas * 6 // 5})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        if receipt["status"] != 1:
            return Outcome(success=False, gas_used=receipt["gasUsed"], fee_wei=fee,
                           revert_reason="reverted on the fork")
        logs = [RawLog(address=log["address"], topics=["0x" + t.hex().removeprefix("0x")
                                                        for t in log["topics"]],
                       data="0x" + bytes(log["data"]).hex()) for log in receipt["logs"]]
        return Outcome(success=True, gas_used=receipt["gasUsed"], fee_wei=fee, logs=logs,
                       created=receipt.get("contractAddress"), transfers=self._transfers(tx_hash))

    def _transfers(self, tx_hash) -> list[ValueTransfer]:
        """Native transfers from the fork's call trace (geth's callTracer format). A trace
        that cannot be had is an error, never "nothing moved"."""
        trace = self._request("debug_traceTransaction",
                              ["0x" + bytes(tx_hash).hex(), {"tracer": "callTracer"}])
        found: list[ValueTransfer] = []
        pending = [trace]
        while pending:
            frame = pending.pop()
            if frame.get("error"):
                continue  # reverted, with everything under it
            kind = frame.get("type", "").upper()
            value = int(frame.get("value") or "0x0", 16)
            if kind in ("CALL", "CREATE", "CREATE2", "SELFDESTRUCT") and value and frame.get("to"):
                found.append(ValueTransfer(step=0, sender=to_checksum_address(frame["from"]),
                                           to=to_checksum_address(frame["to"]), value=value))
            pending.extend(reversed(frame.get("calls") or []))
        return found

    def native_balance(self, address: str) -> int:
        return self.w3.eth.get_balance(address)

    def read(self, to: str, data: bytes) -> bytes | None:
        try:
            return bytes(self.w3.eth.call({"to": to, "data": "0x" + data.hex()}))
        except Exception:
            return None

    def rewind(self) -> None:
        self._request("evm_revert", [self.start])
        self.start = self._request("evm_snapshot", [])

    def close(self) -> None:
        _return_fork(self.chain, self.node, self.w3)


# Idle forks per RPC URL, kept running between simulations: re-forking a running anvil at the
# node's latest block (`anvil_reset`) takes about a third of the time of starting a new one.
_idle_forks: dict[str, list[tuple]] = {}
_idle_forks_lock = threading.Lock()
MAX_IDLE_FORKS_PER_CHAIN = 2


def _take_fork(chain: ChainConfig):
    from web3 import HTTPProvider

    from steward.chains.anvil import AnvilNode

    with _idle_forks_lock:
        idle = _idle_forks.get(chain.rpc_url, [])
        node, w3 = idle.pop() if idle else (None, None)
    if node is not None:
        response = w3.provider.make_request("anvil_reset", [{"forking": {
            "jsonRpcUrl": chain.rpc_url}}]) if node.running else {"error": "stopped"}
        if "error" not in response:
            return node, w3
        node.stop()
    node = AnvilNode(chain_id=chain.chain_id, fork_url=chain.rpc_url).start()
    w3 = Web3(HTTPProvider(node.url))
    # The validation middleware asks the fork for its chain id before every call and
    # transaction; the fork is ours and its chain id was checked at start.
    w3.middleware_onion.remove("validation")
    return node, w3


def _return_fork(chain: ChainConfig, node, w3: Web3) -> None:
    with _idle_forks_lock:
        idle = _idle_forks.setdefault(chain.rpc_url, [])
        if node.running and len(idle) < MAX_IDLE_FORKS_PER_CHAIN:
            idle.append((node, w3))
            return
    node.stop()


def stop_idle_forks() -> None:
    """Stop the kept forks (they also stop when the process exits)."""
    with _idle_forks_lock:
        forks = [fork for idle in _idle_forks.values() for fork in idle]
        _idle_forks.clear()
    for node, _ in forks:
        node.stop()


@lru_cache(maxsize=1)
def _event_decoders() -> dict[str, tuple[str, list[dict]]]:
    decoders: dict[str, tuple[str, list[dict]]] = {}
    for contract in ("ERC20", "WETH9", "UniswapV2Pair", "UniswapV2Factory", "Bridge"):
        for item in abi(contract):
            if item.get("type") == "event":
                topic = "0x" + event_abi_to_log_topic(item).hex()
                decoders.setdefault(topic, (item["name"], item["inputs"]))
    return decoders


def decode_event(log: RawLog) -> DecodedEvent | None:
    known = _event_decoders().get(log.topics[0]) if log.topics else None
    if known is None:
        return None
    name, inputs = known
    indexed = [i for i in inputs if i.get("indexed")]
    plain = [i for i in inputs if not i.get("indexed")]
    if len(indexed) != len(log.topics) - 1:
        return None
    try:
        values = {}
        for item, topic in zip(indexed, log.topics[1:]):
            values[item["name"]] = abi_decode([item["type"]], bytes.fromhex(topic[2:]))[0]
        decoded = abi_decode([i["type"] for i in plain], bytes.fromhex(log.data[2:]))
        values.update({item["name"]: value for item, value in zip(plain, decoded)})
    except Exception:
        return None
    return DecodedEvent(contract=log.address, name=name,
                        args={key: _text(value) for key, value in values.items()})


def _text(value) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _topic_address(topic: str) -> str:
    return to_checksum_address("0x" + topic[-40:])


@contextmanager
def throwaway(w3: Web3, chain: ChainConfig):
    """A throwaway copy of the chain's current state for experiments, discarded on exit.

    It offers `apply(sender, call) -> Outcome` (any sender: nothing is signed), `read(to, data)
    -> bytes | None`, `native_balance(address)`, `rewind()` (back to the start) and `method`.
    """
    backend = _EmbeddedBackend(w3) if chain.embedded else _ForkBackend(chain)
    backend.method = "embedded snapshot" if chain.embedded else f"anvil fork of {chain.rpc_url}"
    try:
        yield backend
    finally:
        backend.close()


def simulate(w3: Web3, chain: ChainConfig, plan: Plan) -> SimulationResult:
    """Run `plan` on a throwaway state; stops at the first step that would fail."""
    with throwaway(w3, chain) as backend:
        return _run(w3, chain, plan, backend, backend.method)


def _run(w3: Web3, chain: ChainConfig, plan: Plan, backend, method: str) -> SimulationResult:
    sender = to_checksum_address(plan.sender)
    steps, outcomes, transfers = [], [], []
    for index, call in enumerate(plan.calls):
        outcome = backend.apply(sender, call)
        outcomes.append(outcome)
        transfers += [t.model_copy(update={"step": index}) for t in outcome.transfers]
        events = [event for event in map(decode_event, outcome.logs) if event]
        steps.append(StepSimulation(description=call.description, success=outcome.success,
                                    gas_used=outcome.gas_used, revert_reason=outcome.revert_reason,
                                    events=events))
        if not outcome.success:
            break
    success = all(o.success for o in outcomes) and len(outcomes) == len(plan.calls)
    fee = sum(o.fee_wei for o in outcomes)

    # Which (token, holder) pairs and which native holders to measure.
    # The sender's balance is read for every token the plan touches (by call or by event) and
    # for the chain's trusted core tokens, not for every token the registry knows.
    core = {chain.tokens[s] for s in chain.trusted_tokens if s in chain.tokens}
    called = {Web3.to_checksum_address(c.to) for c in plan.calls if c.to} & set(chain.tokens.values())
    pairs: set[tuple[str, str]] = {(token, sender) for token in core | called}
    # Native coin is measured wherever it went, through any contract, not only at the callees.
    natives = ({sender} | {to_checksum_address(c.to) for c in plan.calls if c.to}
               | {t.to for t in transfers})
    approvals_raw: list[tuple[str, str, str, int]] = []
    for outcome in outcomes:
        for log in outcome.logs:
            if not log.topics:
                continue
            if log.topics[0] == TRANSFER_TOPIC and len(log.topics) == 3:
                pairs.add((log.address, sender))
                pairs.add((log.address, _topic_address(log.topics[1])))
                pairs.add((log.address, _topic_address(log.topics[2])))
            elif log.topics[0] == APPROVAL_TOPIC and len(log.topics) == 3:
                amount = int(log.data, 16) if log.data not in ("0x", "") else 0
                approvals_raw.append((log.address, _topic_address(log.topics[1]),
                                      _topic_address(log.topics[2]), amount))
    zero = "0x0000000000000000000000000000000000000000"
    pairs = {(token, holder) for token, holder in pairs if holder != zero}

    def measure() -> tuple[dict, dict]:
        token_balances = {}
        for token, holder in pairs:
            raw = backend.read(token, to_bytes(hexstr=erc20._encoder("ERC20").encode_abi(
                "balanceOf", args=[holder])))
            token_balances[(token, holder)] = int.from_bytes(raw[:32], "big") if raw else None
        return token_balances, {holder: backend.native_balance(holder) for holder in natives}

    after_tokens, after_native = measure()
    remaining = {}
    for token, owner, spender, _ in approvals_raw:
        raw = backend.read(token, to_bytes(hexstr=erc20._encoder("ERC20").encode_abi(
            "allowance", args=[owner, spender])))
        remaining[(token, owner, spender)] = int.from_bytes(raw[:32], "big") if raw else None
    backend.rewind()
    before_tokens, before_native = measure()

    labels: dict[str, dict] = {}  # per simulation: read once on this state

    def label(token: str) -> dict:
        if token not in labels:
            labels[token] = _token_label(backend, chain, token)
        return labels[token]

    changes: list[AssetChange] = []
    for holder in sorted(natives):
        delta = after_native[holder] - before_native[holder]
        if holder == sender:
            delta += fee
        if delta:
            changes.append(AssetChange(holder=holder, symbol=chain.native_symbol, token=None,
                                       decimals=18, delta=delta))
    for token, holder in sorted(pairs):
        before, after = before_tokens.get((token, holder)), after_tokens.get((token, holder))
        if before is None or after is None or before == after:
            continue
        changes.append(AssetChange(holder=holder, token=token, delta=after - before,
                                   **label(token)))
    approvals = []
    for token, owner, spender, amount in approvals_raw:
        approvals.append(Approval(token=token, owner=owner, spender=spender, amount=amount,
                                  remaining=remaining.get((token, owner, spender)),
                                  **label(token)))
    failed = next((o for o in outcomes if not o.success), None)
    return SimulationResult(
        chain=chain.name, sender=sender, success=success,
        revert_reason=failed.revert_reason if failed else None, steps=steps, changes=changes,
        approvals=approvals, gas_used=sum(o.gas_used for o in outcomes), fee_wei=fee,
        method=method, value_transfers=transfers,
    )


def _token_label(backend, chain: ChainConfig, token: str) -> dict:
    """How a token is named and scaled in the result, read on the simulated state itself
    (`backend.read`), never from a separate RPC answer or a process-wide cache: symbol,
    decimals, impostor_of and metadata_problem (the AssetChange/Approval fields).

    A registry token is named by the registry and must report the decimals recorded there. Any
    other token is named by its own (made safe) symbol, unless that symbol reads as a registry
    or native symbol: then it is labelled as an impostor with its address, never by the name."""
    decimals = erc20.decode_decimals(backend.read(token, erc20.DECIMALS_CALL))
    registry = chain.token_symbol(token)
    if registry is not None:
        recorded = chain.token_decimals.get(registry)
        problem = None
        if recorded is not None and decimals != recorded:
            reported = "no valid decimals" if decimals is None else f"{decimals} decimals"
            problem = (f"{registry} ({short(token)}) reports {reported} on the simulated state, "
                       f"but the chain registry recorded {recorded}")
        elif decimals is None:
            problem = f"{registry} ({short(token)}) does not report valid decimals"
        return {"symbol": registry, "decimals": recorded if recorded is not None else decimals or 0,
                "impostor_of": None, "metadata_problem": problem}
    declared = erc20.decode_symbol(backend.read(token, erc20.SYMBOL_CALL))
    imitated = imitated_symbol(declared, chain) if declared else None
    if imitated:
        symbol = f"{imitated}? (impostor, {short(token)})"
    else:
        symbol = erc20.display_text(declared) if declared else token[:10]
    return {"symbol": symbol, "decimals": decimals or 0, "impostor_of": imitated,
            "metadata_problem": None}


def imitated_symbol(declared: str, chain: ChainConfig) -> str | None:
    """The registry (or native) symbol that `declared` reads as, spelled as the registry spells
    it; None when it reads as none of them. Only for tokens that are not the registry's own."""
    read = reads_as(declared)
    if not read:
        return None
    for known in (chain.native_symbol, *chain.tokens):
        if reads_as(known) == read:
            return known
    return None


__all__ = ["AssetChange", "Approval", "DecodedEvent", "Outcome", "SimulationResult",
           "StepSimulation", "ValueTransfer", "decode_revert", "revert_text", "simulate",
           "throwaway"]
