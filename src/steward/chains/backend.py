"""One interface over the two kinds of chain Steward runs on: `backend_for(chain)`.

* `EmbeddedBackend`: the in-process py-evm chain persisted in the Steward home;
* `RpcBackend`: any JSON-RPC URL (its chain id checked on connect).

Each gives `connect()` (a `Web3`), `throwaway()` (a throwaway copy of the current state:
py-evm state or an anvil fork, see `steward.chains.throwaway`), `simulate_bundle(sender,
calls, ...)` (a list of calls simulated in one go on top of the latest block: `eth_simulateV1`
on an RPC node, the throwaway state on embedded), `label`, and the facts about a chain that
other layers used to branch on `chain.embedded` for: `can_set_balance` / `set_balance`,
`relays_in_process`, `transfer_logs`.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eth_utils import to_bytes, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.chains.rpc import CountingHTTPProvider
from steward.chains.throwaway import (
    Describe,
    EmbeddedThrowaway,
    ErrorText,
    ForkThrowaway,
    RawLog,
    ValueTransfer,
    plain_describe,
    plain_error_text,
)
from steward.errors import ChainConnectionError, StewardError
from steward.plans import Call

RPC_TIMEOUT_SECONDS = 15
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
# eth_simulateV1 with traceTransfers reports native coin moves as ERC-20 Transfer logs from here.
NATIVE_PSEUDO_TOKEN = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
READ_GAS = 1_000_000
_UNSUPPORTED = re.compile(r"method not found|not supported|unsupported|does not exist|"
                          r"not available|unknown method|not implemented", re.IGNORECASE)
_HEX = re.compile(r"0x[0-9a-fA-F]*")


class BundleUnsupported(StewardError):
    """The node has no eth_simulateV1 (remembered per URL for the life of the process)."""


class BundleRefused(StewardError):
    """The node answered this bundle with an error (e.g. a value above the sender's balance,
    or a contract creation it cannot simulate): simulate this plan another way."""


class MalformedAnswer(StewardError):
    """The node's answer does not have the shape eth_simulateV1 promises: never a pass."""


class BundleCall(BaseModel):
    """A read run with the plan: no sender (it changes nothing that is measured)."""

    to: str
    data: str = "0x"


class CallResult(BaseModel):
    success: bool
    gas_used: int
    output: bytes  # the return data, or the revert data
    logs: list[RawLog] = []
    transfers: list[ValueTransfer] = []  # native coin moved, frame by frame (step 0 here)
    error: str | None = None  # the node's words when a failure carries no revert data


class BundleResult(BaseModel):
    block: int  # the block the bundle ran on top of
    gas_price: int  # wei per gas now, for fees (the bundle itself ran without fees)
    before: list[CallResult]
    steps: list[CallResult]
    after: list[CallResult]


class ChainBackend(ABC):
    chain: ChainConfig
    label: str  # "embedded" or the URL
    can_simulate_bundle: bool = True
    # Whole plans are best simulated with `simulate_bundle` (RPC with eth_simulateV1); the
    # embedded chain's step-by-step throwaway state is as fast and traces more.
    prefers_bundle: bool = False
    relays_in_process: bool = False  # the bridge relayer runs in-process (embedded only)

    def __init__(self, chain: ChainConfig):
        self.chain = chain

    @abstractmethod
    def connect(self) -> Web3: ...

    def web3(self) -> Web3:
        """The process's shared connection (`steward.chains.connect`)."""
        from steward import chains

        return chains.connect(self.chain)

    @abstractmethod
    @contextmanager
    def throwaway(self, w3: Web3 | None = None, *, describe: Describe = plain_describe,
                  error_text: ErrorText = plain_error_text) -> Iterator[Any]: ...

    @abstractmethod
    def simulate_bundle(self, sender: str, calls: Sequence[Call], *,
                        before: Sequence[BundleCall] = (), after: Sequence[BundleCall] = (),
                        code: dict[str, bytes] | None = None,
                        block: int | None = None) -> BundleResult:
        """Run `before` (reads), the calls (all from `sender`, in order, without fees, each
        even when an earlier one failed) and `after` (reads) on top of the latest block (or
        `block`), with `code` placed at its addresses first. Nothing persists."""

    @property
    def can_set_balance(self) -> bool:
        return False

    def set_balance(self, address: str, wei: int) -> None:
        raise StewardError(f"{self.chain.name} ({self.label}) cannot set balances")

    @abstractmethod
    def transfer_logs(self, start: int, end: int) -> list[tuple[str, str, str, int]]:
        """(token, from, to, value), lower-case, of every ERC-20 Transfer log in blocks
        start..end inclusive."""


def backend_for(chain: ChainConfig) -> ChainBackend:
    return EmbeddedBackend(chain) if chain.rpc_url is None else RpcBackend(chain)


# --- embedded ------------------------------------------------------------------------------
class EmbeddedBackend(ChainBackend):
    label = "embedded"
    relays_in_process = True

    def connect(self) -> Web3:
        from steward.chains.embedded import embedded_world
        from steward.home import steward_home

        return embedded_world(steward_home() / "chains").web3(self.chain.name, self.chain.chain_id)

    @contextmanager
    def throwaway(self, w3=None, *, describe=plain_describe, error_text=plain_error_text):
        state = EmbeddedThrowaway(w3 or self.web3(), describe)
        try:
            yield state
        finally:
            state.close()

    def simulate_bundle(self, sender, calls, *, before=(), after=(), code=None, block=None):
        if block is not None:
            raise StewardError("the embedded chain simulates on its latest block only")
        with self.throwaway() as state:
            for address, runtime in (code or {}).items():
                state.set_code(address, runtime)
            reads_before = [self._read(state, read) for read in before]
            steps = []
            for call in calls:
                if call.to is None:
                    raise BundleRefused("a bundle cannot deploy contracts")
                # without fees, as eth_simulateV1 with validation off runs them
                run, _ = state.run(sender, call.to, to_bytes(hexstr=call.data), call.value,
                                   lend_gas=True)
                steps.append(CallResult(success=run.success, gas_used=run.gas_used, output=run.output,
                                        logs=run.logs, transfers=run.transfers, error=run.error))
            reads_after = [self._read(state, read) for read in after]
            return BundleResult(block=state.block_number, gas_price=state.base_fee + 1,
                                before=reads_before, steps=steps, after=reads_after)

    @staticmethod
    def _read(state: EmbeddedThrowaway, read: BundleCall) -> CallResult:
        output = state.read(read.to, to_bytes(hexstr=read.data))
        return CallResult(success=output is not None, gas_used=0, output=output or b"")

    def transfer_logs(self, start, end):
        """Straight from py-evm's receipts: eth-tester's get_logs is O(txs²)."""
        chain = getattr(self.web3().provider, "embedded_chain").backend.chain
        topic = int(TRANSFER_TOPIC, 16)
        found = []
        for number in range(start, end + 1):
            header = chain.get_canonical_block_header_by_number(number)
            builder = chain.get_vm_class(header).get_receipt_builder()
            for receipt in chain.chaindb.get_receipts(header, builder):
                for log in receipt.logs:
                    if len(log.topics) == 3 and log.topics[0] == topic:
                        found.append(("0x" + log.address.hex(),
                                      "0x" + log.topics[1].to_bytes(32, "big")[-20:].hex(),
                                      "0x" + log.topics[2].to_bytes(32, "big")[-20:].hex(),
                                      int.from_bytes(log.data[:32], "big")))
        return found


# --- RPC -----------------------------------------------------------------------------------
_no_simulate_v1: set[str] = set()  # URLs whose node said it has no eth_simulateV1
_dev_nodes: dict[str, str | None] = {}  # URL → "anvil" / "hardhat" / None
_facts_lock = threading.Lock()


def connect_rpc(url: str, expected_chain_id: int | None = None, name: str | None = None) -> Web3:
    """A `Web3` over HTTP JSON-RPC; the URL must answer and serve the expected chain id."""
    label = f"{name} at {url}" if name else url
    w3 = Web3(CountingHTTPProvider(url, timeout=RPC_TIMEOUT_SECONDS))
    try:
        served = w3.eth.chain_id
    except Exception as exc:  # requests/aiohttp/JSON errors all mean the same thing to a user
        reason = type(exc).__name__
        raise ChainConnectionError(f"cannot reach the RPC endpoint {label} ({reason})") from None
    if expected_chain_id is not None and served != expected_chain_id:
        raise ChainConnectionError(
            f"the RPC endpoint {label} serves chain id {served}, but "
            f"{name or 'the chain'} is configured with chain id {expected_chain_id}"
        )
    return w3


def note_no_simulate_v1(url: str) -> None:
    """Treat the node at `url` as one without eth_simulateV1 (what a "method not found"
    answer does; benchmarks use it to measure the anvil-fork path on the same node)."""
    with _facts_lock:
        _no_simulate_v1.add(url)


def forget_node_facts() -> None:
    """Forget what was learnt about nodes (eth_simulateV1 support, dev-node kind)."""
    with _facts_lock:
        _no_simulate_v1.clear()
        _dev_nodes.clear()


class RpcBackend(ChainBackend):
    def __init__(self, chain: ChainConfig):
        super().__init__(chain)
        self.url: str = chain.rpc_url  # type: ignore[assignment]
        self.label = self.url

    def connect(self) -> Web3:
        return connect_rpc(self.url, self.chain.chain_id, self.chain.name)

    @contextmanager
    def throwaway(self, w3=None, *, describe=plain_describe, error_text=plain_error_text):
        state = ForkThrowaway(self.chain, error_text, describe)
        try:
            yield state
        finally:
            state.close()

    @property
    def can_simulate_bundle(self) -> bool:  # type: ignore[override]
        return self.url not in _no_simulate_v1

    @property
    def prefers_bundle(self) -> bool:  # type: ignore[override]
        return self.can_simulate_bundle

    def simulate_bundle(self, sender, calls, *, before=(), after=(), code=None, block=None):
        if not self.can_simulate_bundle:
            raise BundleUnsupported(f"{self.url} has no eth_simulateV1")
        if any(call.to is None for call in calls):
            raise BundleRefused("eth_simulateV1 is not used for contract creation")
        sender = to_checksum_address(sender)
        sent = ([_read_call(read) for read in before]
                + [_plan_call(sender, call) for call in calls]
                + [_read_call(read) for read in after])
        block_state: dict[str, Any] = {"calls": sent}
        if code:
            block_state["stateOverrides"] = {address: {"code": "0x" + runtime.hex()}
                                             for address, runtime in code.items()}
        payload = {"blockStateCalls": [block_state], "traceTransfers": True, "validation": False}
        requests = [("eth_gasPrice", []),
                    ("eth_simulateV1", [payload, hex(block) if block is not None else "latest"])]
        if block is None:
            requests.insert(0, ("eth_blockNumber", []))
        answers = self._batch(requests)
        simulated = answers[-1]
        if "error" in simulated:
            self._refused(simulated["error"])
        base = block if block is not None else _quantity(_result(answers[0], "eth_blockNumber"))
        gas_price = _quantity(_result(answers[-2], "eth_gasPrice"))
        results = parse_simulation(simulated.get("result"), len(sent))
        first, last = len(before), len(before) + len(calls)
        return BundleResult(block=base, gas_price=gas_price, before=results[:first],
                            steps=results[first:last], after=results[last:])

    def _batch(self, requests: list[tuple[str, list]]) -> list[dict]:
        """One HTTP round trip for all of them (one each where the node refuses batches)."""
        provider = self.web3().provider
        try:
            answers = provider.make_batch_request(requests)
        except Exception as exc:
            raise ChainConnectionError(f"the RPC endpoint {self.url} did not answer a simulation "
                                       f"({type(exc).__name__}); nothing was signed") from None
        if isinstance(answers, list) and len(answers) == len(requests):
            if all(isinstance(answer, dict) for answer in answers):
                return answers
            raise MalformedAnswer(f"{self.url} answered a batch with something other than "
                                  "JSON-RPC responses; nothing was signed")
        if isinstance(answers, list):
            raise MalformedAnswer(f"{self.url} answered {len(answers)} of {len(requests)} "
                                  "batched requests; nothing was signed")
        return [provider.make_request(method, params) for method, params in requests]

    def _refused(self, error: Any) -> None:
        code = error.get("code") if isinstance(error, dict) else None
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if code == -32601 or _UNSUPPORTED.search(message):
            note_no_simulate_v1(self.url)
            raise BundleUnsupported(f"{self.url} has no eth_simulateV1 ({message[:120]})")
        raise BundleRefused(f"{self.url} refused the simulation: {message[:200]}")

    # dev-node facts
    def _dev_node(self) -> str | None:
        if self.url not in _dev_nodes:
            try:
                version = str(self.web3().client_version).lower()
            except Exception:
                version = ""
            kind = next((name for name in ("anvil", "hardhat") if name in version), None)
            with _facts_lock:
                _dev_nodes[self.url] = kind
        return _dev_nodes[self.url]

    @property
    def can_set_balance(self) -> bool:
        return self._dev_node() is not None

    def set_balance(self, address: str, wei: int) -> None:
        kind = self._dev_node()
        if kind is None:
            super().set_balance(address, wei)
        answer = self.web3().provider.make_request(f"{kind}_setBalance", [address, hex(wei)])
        if "error" in answer:
            raise StewardError(f"{self.url} refused {kind}_setBalance: {answer['error']}")

    def transfer_logs(self, start, end):
        found = []
        for log in self.web3().eth.get_logs({"fromBlock": start, "toBlock": end,
                                             "topics": [TRANSFER_TOPIC]}):
            if len(log["topics"]) == 3:
                found.append((log["address"].lower(), "0x" + bytes(log["topics"][1])[-20:].hex(),
                               "0x" + bytes(log["topics"][2])[-20:].hex(),
                               int.from_bytes(bytes(log["data"])[:32], "big")))
        return found


def _plan_call(sender: str, call: Call) -> dict:
    return {"from": sender, "to": to_checksum_address(call.to), "value": hex(call.value),
            "input": call.data}


def _read_call(read: BundleCall) -> dict:
    return {"to": to_checksum_address(read.to), "input": read.data, "gas": hex(READ_GAS)}


# --- the answer, checked -------------------------------------------------------------------
def _malformed(what: str) -> MalformedAnswer:
    return MalformedAnswer(f"malformed eth_simulateV1 answer: {what}; nothing was signed")


def _result(answer: dict, method: str) -> Any:
    if "error" in answer or "result" not in answer:
        raise _malformed(f"{method} in the same batch failed: {answer.get('error')}")
    return answer["result"]


def _quantity(value: Any) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{1,64}", value):
        raise _malformed(f"{value!r} is not a hex quantity")
    return int(value, 16)


def _data(value: Any, size: int | None = None) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) % 2:
        raise _malformed(f"{str(value)[:40]!r} is not hex data")
    raw = bytes.fromhex(value[2:])
    if size is not None and len(raw) != size:
        raise _malformed(f"{value[:70]} is not {size} bytes")
    return raw


def parse_simulation(result: Any, expected_calls: int) -> list[CallResult]:
    """The per-call results of a one-block eth_simulateV1 answer, checked field by field:
    anything missing, extra or of the wrong shape is a `MalformedAnswer`."""
    if not isinstance(result, list) or len(result) != 1 or not isinstance(result[0], dict):
        raise _malformed("not exactly one simulated block")
    calls = result[0].get("calls")
    if not isinstance(calls, list) or len(calls) != expected_calls:
        count = len(calls) if isinstance(calls, list) else "no"
        raise _malformed(f"{count} call results for {expected_calls} calls")
    return [_call_result(call) for call in calls]


def _call_result(call: Any) -> CallResult:
    if not isinstance(call, dict):
        raise _malformed("a call result is not an object")
    for key in ("status", "gasUsed", "returnData", "logs"):
        if key not in call:
            raise _malformed(f"a call result has no {key}")
    status = _quantity(call["status"])
    if status not in (0, 1):
        raise _malformed(f"status {call['status']}")
    if not isinstance(call["logs"], list):
        raise _malformed("logs is not a list")
    logs, transfers = [], []
    for log in call["logs"]:
        if not isinstance(log, dict) or not isinstance(log.get("topics"), list):
            raise _malformed("a log is not an object with topics")
        address = _data(log.get("address"), 20)
        topics = ["0x" + _data(topic, 32).hex() for topic in log["topics"]]
        data = _data(log.get("data"))
        if "0x" + address.hex() == NATIVE_PSEUDO_TOKEN:
            if len(topics) != 3 or topics[0] != TRANSFER_TOPIC or len(data) != 32:
                raise _malformed("a native transfer log is not Transfer(from, to, value)")
            transfers.append(ValueTransfer(step=0, sender=to_checksum_address("0x" + topics[1][-40:]),
                                           to=to_checksum_address("0x" + topics[2][-40:]),
                                           value=int.from_bytes(data, "big")))
        else:
            logs.append(RawLog(address=to_checksum_address(address), topics=topics,
                               data="0x" + data.hex()))
    error = call.get("error")
    message = str(error.get("message")) if isinstance(error, dict) and error.get("message") else None
    if status == 1 and error:
        raise _malformed("a successful call carries an error")
    return CallResult(success=status == 1, gas_used=_quantity(call["gasUsed"]),
                      output=_data(call["returnData"]), logs=logs if status else [],
                      transfers=transfers if status else [], error=None if status else message)


__all__ = ["BundleCall", "BundleRefused", "BundleResult", "BundleUnsupported", "CallResult",
           "ChainBackend", "EmbeddedBackend", "MalformedAnswer", "RpcBackend", "backend_for",
           "connect_rpc", "forget_node_facts", "note_no_simulate_v1", "parse_simulation"]
