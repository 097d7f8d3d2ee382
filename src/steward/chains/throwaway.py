"""Throwaway copies of a chain's current state, for simulations and experiments.

An embedded chain gives py-evm's in-memory state on top of the latest block, with any sender
spoofed (no key needed) and everything reverted afterwards. An RPC chain gives an anvil fork
of its URL, with any sender impersonated; forks are kept running between uses and re-forked at
the node's latest block. Nothing leaves either.

Revert data is put into words by the caller's `describe(data)` / `error_text(exc)` (the
simulation passes `steward.simulation.reverts`'s decoders: this layer sits below it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_utils import to_bytes, to_canonical_address, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.chains.rpc import CountingHTTPProvider
from steward.errors import StewardError
from steward.plans import Call

SIMULATION_GAS = 15_000_000
READ_GAS = 1_000_000
PROBE = "0x000000000000000000000000000000000000dEaD"

Describe = Callable[[bytes], str]
ErrorText = Callable[[BaseException], str]


def plain_describe(data: bytes) -> str:
    return f"reverted with data 0x{data.hex()}" if data else "reverted without a reason"


def plain_error_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


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
    transfers: list[ValueTransfer] = []  # step is 0 here; the simulation numbers them
    fee_charged: bool = True  # whether the sender's measured balance paid `fee_wei`
    # Contracts whose code ran beneath the call (delegate targets included), in call order:
    # what a token consults on a transfer.
    contracts_called: list[str] = []


class Trial(BaseModel):
    """A call tried and undone: whether it succeeded, the gas its execution used (calldata and
    the 21,000 base not counted) and its return or revert data."""

    success: bool
    execution_gas: int
    output: bytes
    gas_used: int = 0  # all of it (intrinsic and calldata too), where the backend reports it


@dataclass
class RawRun:
    """One call on the embedded throwaway state, as the EVM left it (for bundles)."""

    success: bool
    gas_used: int
    output: bytes  # return data, or the revert data
    logs: list[RawLog] = field(default_factory=list)
    transfers: list[ValueTransfer] = field(default_factory=list)
    contracts_called: list[str] = field(default_factory=list)
    error: str | None = None  # why it failed when there is no revert data to decode
    sender_paid_gas: bool = True  # False when the gas was lent (a guarded account; bundles)


class EmbeddedThrowaway:
    # Probes that hold no ETH are funded by the diligence lab itself here (the sandbox's actors
    # are funded accounts), so they pay their own gas as before.
    lends_probe_gas = False
    """py-evm state on top of the latest block; nothing is persisted."""

    method = "embedded snapshot"

    def __init__(self, w3: Web3, describe: Describe = plain_describe):
        embedded_chain = getattr(w3.provider, "embedded_chain", None)
        if embedded_chain is None:
            raise StewardError("internal: not an embedded chain")
        embedded_chain.world.begin_session()
        self.describe = describe
        self.backend = embedded_chain.backend
        self.vm = self.backend.chain.get_vm()
        self.state = self.vm.state
        self.base_fee = self.vm.get_header().base_fee_per_gas
        self.block_number = self.vm.get_header().block_number - 1  # the latest mined block
        self.start = self.state.snapshot()
        self.start_timestamp = self.state.execution_context.timestamp

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

    def run(self, sender: str, to: str | None, data: bytes, value: int,
            gas: int = SIMULATION_GAS, lend_gas: bool = False) -> tuple[RawRun, str | None]:
        """Apply one call; (what happened, the created contract's address for a deploy).
        `lend_gas`: the sender does not pay for gas — a guarded account, whose agent key pays,
        and bundles (like eth_simulateV1 without validation)."""
        from eth_utils.exceptions import ValidationError as EVMValidationError

        transaction = self._spoofed(sender, to, data, value, gas)
        account = to_canonical_address(sender)
        # Lent for the run and taken back: only gas, never value.
        lent = gas * (self.base_fee + 1) if lend_gas else 0
        if lent and value > self.state.get_balance(account):  # only gas is lent, never value
            return RawRun(success=False, gas_used=0, output=b"",
                          error=f"insufficient funds for the value sent ({value} wei)"), None
        self.state.delta_balance(account, lent)
        try:
            computation = self.state.apply_transaction(transaction)
        except EVMValidationError as exc:
            self.state.delta_balance(account, -lent)
            return RawRun(success=False, gas_used=0, output=b"", error=str(exc)), None
        # As py-evm's executor charges it: intrinsic gas plus execution, less the capped refund.
        used = transaction.intrinsic_gas + computation.get_gas_used()
        gas_used = used - min(computation.get_gas_refund(), used // 5)
        if lent:  # the loan back, less the gas it paid (the agent key's, not the account's)
            self.state.delta_balance(account, gas_used * (self.base_fee + 1) - lent)
        if computation.is_error:
            error = computation.error
            payload = error.args[0] if error.args and isinstance(error.args[0], bytes) else b""
            return RawRun(success=False, gas_used=gas_used, output=payload,
                          error=None if payload else type(error).__name__,
                          sender_paid_gas=not lent), None
        logs = [RawLog(address=to_checksum_address(address),
                       topics=["0x" + topic.to_bytes(32, "big").hex() for topic in topics],
                       data="0x" + payload.hex())
                for address, topics, payload in computation.get_log_entries()]
        created = None if to else to_checksum_address(computation.msg.storage_address)
        return RawRun(success=True, gas_used=gas_used, output=computation.output, logs=logs,
                      transfers=computation_transfers(computation),
                      contracts_called=computation_callees(computation),
                      sender_paid_gas=not lent), created

    def apply(self, sender: str, call: Call, lend_gas: bool = False) -> Outcome:
        run, created = self.run(sender, call.to, to_bytes(hexstr=call.data), call.value,
                                lend_gas=lend_gas)
        fee = run.gas_used * (self.base_fee + 1)
        if not run.success:
            reason = run.error if run.error and not run.output else self.describe(run.output)
            return Outcome(success=False, gas_used=run.gas_used,
                           fee_wei=fee if run.gas_used else 0, revert_reason=reason,
                           fee_charged=run.sender_paid_gas)
        return Outcome(success=True, gas_used=run.gas_used, fee_wei=fee, logs=run.logs,
                       created=created, transfers=run.transfers, fee_charged=run.sender_paid_gas,
                       contracts_called=run.contracts_called)

    def native_balance(self, address: str) -> int:
        return self.state.get_balance(to_canonical_address(address))

    @property
    def timestamp(self) -> int:
        return self.state.execution_context.timestamp

    def warp(self, timestamp: int) -> None:
        """Let the following calls run at `timestamp` (a governance simulation waits out voting
        periods and timelock delays this way); the clock is put back on close."""
        self.state.execution_context._timestamp = timestamp

    def set_code(self, address: str, code: bytes) -> None:
        self.state.set_code(to_canonical_address(address), code)

    def trial(self, sender: str, to: str, data: bytes) -> Trial:
        """Run a call and undo it, sender's balance topped up for the gas."""
        snapshot = self.state.snapshot()
        try:
            account = to_canonical_address(sender)
            self.state.delta_balance(account, READ_GAS * (self.base_fee + 1))
            computation = self.state.apply_transaction(self._spoofed(sender, to, data, 0, READ_GAS))
            output = (computation.error.args[0] if computation.is_error and computation.error.args
                      and isinstance(computation.error.args[0], bytes) else computation.output
                      if not computation.is_error else b"")
            return Trial(success=not computation.is_error,
                         execution_gas=computation.get_gas_used(), output=output)
        except Exception:
            return Trial(success=False, execution_gas=0, output=b"")
        finally:
            self.state.revert(snapshot)

    def read(self, to: str, data: bytes) -> bytes | None:
        snapshot = self.state.snapshot()
        try:
            self.state.set_balance(to_canonical_address(PROBE), 10**18)
            computation = self.state.apply_transaction(self._spoofed(PROBE, to, data, 0, READ_GAS))
            return None if computation.is_error else computation.output
        except Exception:
            return None
        finally:
            self.state.revert(snapshot)

    def rewind(self) -> None:
        self.state.revert(self.start)
        self.start = self.state.snapshot()
        self.warp(self.start_timestamp)

    def checkpoint(self):
        """A mark to come back to with `revert_to` (cheaper than a rewind and replay)."""
        return self.state.snapshot()

    def revert_to(self, mark) -> None:
        self.state.revert(mark)

    def close(self) -> None:
        self.state.revert(self.start)
        self.warp(self.start_timestamp)


def calldata_gas(data: bytes) -> int:
    """The intrinsic gas a transaction pays for its calldata: 16 a non-zero byte, 4 a zero."""
    return sum(16 if byte else 4 for byte in data)


def computation_callees(root) -> list[str]:
    """The contracts whose code ran beneath the top frame, in call order, once each."""
    seen: list[str] = []
    pending = list(reversed(root.children))
    while pending:
        computation = pending.pop()
        raw = computation.msg.code_address or computation.msg.storage_address
        if raw:  # a CREATE frame has no code address yet: its storage address is the new contract
            address = to_checksum_address(raw)
            if address not in seen:
                seen.append(address)
        pending.extend(reversed(computation.children))
    return seen


def computation_transfers(root) -> list[ValueTransfer]:
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


class ForkThrowaway:
    """An anvil fork of an RPC chain; the sender is impersonated, nothing leaves the fork."""

    # On a real chain an owner or an address found in storage often holds no ETH: a probe
    # calling as it gets the gas lent (`apply(..., lend_gas=True)`) instead of failing to send.
    lends_probe_gas = True

    def __init__(self, chain: ChainConfig, error_text: ErrorText = plain_error_text,
                 describe: Describe = plain_describe):
        from steward.chains.anvil import find_anvil

        try:
            find_anvil()
        except StewardError:
            raise StewardError(
                f"cannot simulate on {chain.name}: RPC chains are simulated on an anvil fork and "
                "anvil is not installed (run `make setup-anvil`); nothing was signed"
            ) from None
        self.chain = chain
        self.error_text = error_text
        self.method = f"anvil fork of {chain.rpc_url}"
        self.node, self.w3 = _take_fork(chain)
        self.impersonated: set[str] = set()
        self.describe = describe
        self._gas_price: int | None = None
        self.start = self._request("evm_snapshot", [])

    def _request(self, method: str, params: list):
        response = self.w3.provider.make_request(method, params)
        if "error" in response:
            raise StewardError(f"the simulation fork refused {method}: {response['error']}")
        return response["result"]

    def apply(self, sender: str, call: Call, lend_gas: bool = False) -> Outcome:
        """`lend_gas`: the sender does not pay for gas (a guarded account, whose agent key pays;
        a due-diligence probe calling as an address that holds no ETH): the gas money is set on
        the fork for the call and taken back after, so only value moves the sender's balance."""
        from web3.exceptions import ContractLogicError, Web3RPCError

        if sender not in self.impersonated:
            self._request("anvil_impersonateAccount", [sender])
            self.impersonated.add(sender)
        tx = {"from": sender, "value": call.value, "data": call.data}
        if call.to:
            tx["to"] = call.to
        gas = None
        if lend_gas and call.to and not call.value:
            # Tried first in one round trip (debug_traceCall, which needs no balance): a call
            # that reverts costs no loan, estimate or transaction; one that succeeds is sent
            # with the gas the trial used and room to spare.
            trial = self._trace_call(sender, call.to, to_bytes(hexstr=call.data), SIMULATION_GAS)
            if trial is not None and not trial.success:
                return Outcome(success=False, gas_used=0, fee_wei=0, fee_charged=False,
                               revert_reason=self.describe(trial.output) if trial.output
                               else "reverted on the fork")
            # No trace (the fork refused it): estimated and sent as before.
            gas = min(SIMULATION_GAS, trial.gas_used * 2 + 100_000) if trial else None
        balance = self.w3.eth.get_balance(sender) if lend_gas else 0
        if lend_gas and call.value > balance:  # only gas is lent, never value
            return Outcome(success=False, gas_used=0, fee_wei=0, fee_charged=False,
                           revert_reason=f"insufficient funds for the value sent ({call.value} wei)")
        # Enough for any call's estimate (which anvil caps by what the sender can pay) and fee.
        if lend_gas and self._gas_price is None:
            self._gas_price = max(self.w3.eth.gas_price, 1)
        lent = SIMULATION_GAS * self._gas_price * 4 if lend_gas else 0
        if lent:
            self._request("anvil_setBalance", [sender, hex(balance + lent)])
        receipt = None
        try:
            try:
                gas = gas or self.w3.eth.estimate_gas(tx) * 6 // 5
            except (ContractLogicError, Web3RPCError) as exc:
                return Outcome(success=False, gas_used=0, fee_wei=0, fee_charged=not lent,
                               revert_reason=self.error_text(exc))
            try:  # anvil estimates without checking the balance covers value and gas; sending does
                tx_hash = self.w3.eth.send_transaction(tx | {"gas": gas})
            except Web3RPCError as exc:
                return Outcome(success=False, gas_used=0, fee_wei=0, fee_charged=not lent,
                               revert_reason=self.error_text(exc))
            receipt = self._receipt(tx_hash)
        finally:
            if lent:  # the loan back: whatever the call moved stays moved, the gas was lent
                after = self.w3.eth.get_balance(sender)
                spent = 0 if receipt is None else receipt["gasUsed"] * receipt["effectiveGasPrice"]
                self._request("anvil_setBalance", [sender, hex(max(after + spent - lent, 0))])
        fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        if receipt["status"] != 1:
            return Outcome(success=False, gas_used=receipt["gasUsed"], fee_wei=fee,
                           revert_reason="reverted on the fork", fee_charged=not lent)
        logs = [RawLog(address=log["address"], topics=["0x" + t.hex().removeprefix("0x")
                                                        for t in log["topics"]],
                       data="0x" + bytes(log["data"]).hex()) for log in receipt["logs"]]
        transfers, callees = self._traced(tx_hash)
        return Outcome(success=True, gas_used=receipt["gasUsed"], fee_wei=fee, logs=logs,
                       created=receipt.get("contractAddress"), transfers=transfers,
                       contracts_called=callees, fee_charged=not lent)

    def _receipt(self, tx_hash, timeout: float = 30.0):
        """The fork mines each transaction as it is sent, so its receipt is there at once; a
        short poll instead of web3's tenth-of-a-second sleeps when it is not yet."""
        import time

        from web3.exceptions import TransactionNotFound

        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                if time.monotonic() > deadline:
                    raise StewardError("the simulation fork did not mine a transaction in "
                                       f"{timeout:.0f} s") from None
                time.sleep(0.002)

    def _traced(self, tx_hash) -> tuple[list[ValueTransfer], list[str]]:
        """Native transfers and the contracts called beneath the top frame, from the fork's
        call trace (geth's callTracer format). A trace that cannot be had is an error, never
        "nothing moved"."""
        trace = self._request("debug_traceTransaction",
                              ["0x" + bytes(tx_hash).hex(), {"tracer": "callTracer"}])
        callees: list[str] = []
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
            if frame is not trace and frame.get("to"):
                address = to_checksum_address(frame["to"])
                if address not in callees:
                    callees.append(address)
            pending.extend(reversed(frame.get("calls") or []))
        return found, callees

    def set_code(self, address: str, code: bytes) -> None:
        self._request("anvil_setCode", [address, "0x" + code.hex()])

    def _trace_call(self, sender: str, to: str, data: bytes, gas: int) -> Trial | None:
        """A call run on the fork's latest state and not kept (debug_traceCall); its
        `gas_used` counts everything, as a receipt would. None when the fork gives no trace
        (an RPC error is not a revert)."""
        try:
            trace = self._request("debug_traceCall", [
                {"from": sender, "to": to, "data": "0x" + data.hex(), "gas": hex(gas)},
                "latest", {"tracer": "callTracer"}])
        except StewardError:
            return None
        output = bytes.fromhex(str(trace.get("output") or "0x")[2:])
        used = int(str(trace.get("gasUsed") or "0x0"), 16)
        return Trial(success=not trace.get("error"), gas_used=used,
                     execution_gas=max(used - 21_000 - calldata_gas(data), 0), output=output)

    def trial(self, sender: str, to: str, data: bytes) -> Trial:
        """A call run on the fork's latest state and not kept (debug_traceCall)."""
        return (self._trace_call(sender, to, data, READ_GAS)
                or Trial(success=False, execution_gas=0, output=b""))

    def native_balance(self, address: str) -> int:
        return self.w3.eth.get_balance(address)

    @property
    def timestamp(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]

    def warp(self, timestamp: int) -> None:
        """Mine a block at `timestamp` on the fork so the following calls run after it."""
        self._request("evm_setNextBlockTimestamp", [timestamp])
        self._request("evm_mine", [])

    def read(self, to: str, data: bytes) -> bytes | None:
        try:
            return bytes(self.w3.eth.call({"to": to, "data": "0x" + data.hex()}))
        except Exception:
            return None

    def rewind(self) -> None:
        self._request("evm_revert", [self.start])
        self.start = self._request("evm_snapshot", [])

    def checkpoint(self):
        """A mark to come back to with `revert_to` (cheaper than a rewind and replay)."""
        return self._request("evm_snapshot", [])

    def revert_to(self, mark) -> None:
        self._request("evm_revert", [mark])

    def close(self) -> None:
        _return_fork(self.chain, self.node, self.w3)


# Idle forks per RPC URL, kept running between simulations: re-forking a running anvil at the
# node's latest block (`anvil_reset`) takes about a third of the time of starting a new one.
_idle_forks: dict[str, list[tuple]] = {}
_idle_forks_lock = threading.Lock()
MAX_IDLE_FORKS_PER_CHAIN = 2


def _take_fork(chain: ChainConfig):
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
    w3 = Web3(CountingHTTPProvider(node.url))
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


__all__ = ["EmbeddedThrowaway", "ForkThrowaway", "Outcome", "RawLog", "RawRun", "ValueTransfer",
           "computation_transfers", "stop_idle_forks"]
