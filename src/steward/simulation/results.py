"""What a simulation reports, and how a plan's outcomes become that report, whichever way the
plan was run (throwaway state step by step, or one eth_simulateV1 request).

`needs()` says what must be measured once the steps' outcomes are known (the sender's tokens,
every (token, holder) a Transfer event names, every account native coin reached, the
allowances Approval events set); `assemble()` turns the measurements into a `SimulationResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic, to_bytes, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.chains.throwaway import Outcome, RawLog, ValueTransfer
from steward.contacts import short
from steward.contracts import abi
from steward.display import reads_as
from steward.plans import Plan
from steward.protocols import erc20

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
APPROVAL_TOPIC = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
ZERO = "0x0000000000000000000000000000000000000000"


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
    method: str  # "embedded snapshot", "anvil fork of <url>" or "eth_simulateV1 on <url>"
    # Every native transfer inside the plan, followed through contracts: whoever ends up
    # holding the coin is in `changes` too, so the guard judges final beneficiaries.
    value_transfers: list[ValueTransfer] = []

    def delta(self, holder: str, token: str | None) -> int:
        return sum(c.delta for c in self.changes if c.holder.lower() == holder.lower()
                   and (c.token or "").lower() == (token or "").lower())

    def sender_changes(self) -> list[AssetChange]:
        return [c for c in self.changes if c.holder.lower() == self.sender.lower()]


@dataclass
class Needs:
    """What to measure: (token, holder) balances, native balances, and (token, owner,
    spender, amount) of each Approval event, whose remaining allowance is read after."""

    pairs: set[tuple[str, str]] = field(default_factory=set)
    natives: set[str] = field(default_factory=set)
    approvals: list[tuple[str, str, str, int]] = field(default_factory=list)

    @property
    def allowances(self) -> set[tuple[str, str, str]]:
        return {(token, owner, spender) for token, owner, spender, _ in self.approvals}


def steps_of(plan: Plan, outcomes: list[Outcome]) -> tuple[list[StepSimulation], list[ValueTransfer]]:
    steps, transfers = [], []
    for index, (call, outcome) in enumerate(zip(plan.calls, outcomes)):
        transfers += [t.model_copy(update={"step": index}) for t in outcome.transfers]
        events = [event for event in map(decode_event, outcome.logs) if event]
        steps.append(StepSimulation(description=call.description, success=outcome.success,
                                    gas_used=outcome.gas_used, revert_reason=outcome.revert_reason,
                                    events=events))
    return steps, transfers


def base_needs(chain: ChainConfig, plan: Plan, sender: str) -> Needs:
    """What is measured whatever the steps do: the sender's balance of the chain's trusted
    core tokens and of every registry token the plan calls (not of every token the registry
    knows), and the native balances of the sender and every account the plan calls."""
    core = {chain.tokens[s] for s in chain.trusted_tokens if s in chain.tokens}
    called = {Web3.to_checksum_address(c.to) for c in plan.calls if c.to} & set(chain.tokens.values())
    return Needs(pairs={(token, sender) for token in core | called},
                 natives={sender} | {to_checksum_address(c.to) for c in plan.calls if c.to})


def needs(chain: ChainConfig, plan: Plan, sender: str, outcomes: list[Outcome],
          transfers: list[ValueTransfer]) -> Needs:
    """`base_needs` plus what the outcomes name: every (token, holder) of a Transfer event,
    every account native coin reached (through any contract), every Approval event."""
    found = base_needs(chain, plan, sender)
    found.natives |= {t.to for t in transfers}
    for outcome in outcomes:
        for log in outcome.logs:
            if not log.topics:
                continue
            if log.topics[0] == TRANSFER_TOPIC and len(log.topics) == 3:
                found.pairs.add((log.address, sender))
                found.pairs.add((log.address, _topic_address(log.topics[1])))
                found.pairs.add((log.address, _topic_address(log.topics[2])))
            elif log.topics[0] == APPROVAL_TOPIC and len(log.topics) == 3:
                amount = int(log.data, 16) if log.data not in ("0x", "") else 0
                found.approvals.append((log.address, _topic_address(log.topics[1]),
                                        _topic_address(log.topics[2]), amount))
    found.pairs = {(token, holder) for token, holder in found.pairs if holder != ZERO}
    return found


def balance_call(holder: str) -> bytes:
    return to_bytes(hexstr=erc20._encoder("ERC20").encode_abi("balanceOf", args=[holder]))


def allowance_call(owner: str, spender: str) -> bytes:
    return to_bytes(hexstr=erc20._encoder("ERC20").encode_abi("allowance", args=[owner, spender]))


def uint_of(raw: bytes | None) -> int | None:
    return int.from_bytes(raw[:32], "big") if raw else None


@dataclass
class Measured:
    """Balances before and after the plan, and the allowances left after it."""

    before_tokens: dict[tuple[str, str], int | None]
    after_tokens: dict[tuple[str, str], int | None]
    before_native: dict[str, int]
    after_native: dict[str, int]
    remaining: dict[tuple[str, str, str], int | None]


def assemble(chain: ChainConfig, plan: Plan, sender: str, outcomes: list[Outcome], found: Needs,
             measured: Measured, label: Callable[[str], dict], method: str, *,
             fees_charged: bool) -> SimulationResult:
    """The report. `fees_charged`: the measured native balances already paid the steps' fees
    (a throwaway state), so the sender's fee is added back; eth_simulateV1 runs without fees."""
    steps, transfers = steps_of(plan, outcomes)
    success = all(o.success for o in outcomes) and len(outcomes) == len(plan.calls)
    fee = sum(o.fee_wei for o in outcomes)
    changes: list[AssetChange] = []
    for holder in sorted(found.natives):
        delta = measured.after_native[holder] - measured.before_native[holder]
        if holder == sender and fees_charged:
            delta += sum(o.fee_wei for o in outcomes if o.fee_charged)
        if delta:
            changes.append(AssetChange(holder=holder, symbol=chain.native_symbol, token=None,
                                       decimals=18, delta=delta))
    for token, holder in sorted(found.pairs):
        before = measured.before_tokens.get((token, holder))
        after = measured.after_tokens.get((token, holder))
        if before is None or after is None or before == after:
            continue
        changes.append(AssetChange(holder=holder, token=token, delta=after - before, **label(token)))
    approvals = [Approval(token=token, owner=owner, spender=spender, amount=amount,
                          remaining=measured.remaining.get((token, owner, spender)), **label(token))
                 for token, owner, spender, amount in found.approvals]
    failed = next((o for o in outcomes if not o.success), None)
    return SimulationResult(
        chain=chain.name, sender=sender, success=success,
        revert_reason=failed.revert_reason if failed else None, steps=steps, changes=changes,
        approvals=approvals, gas_used=sum(o.gas_used for o in outcomes), fee_wei=fee,
        method=method, value_transfers=transfers,
    )


@lru_cache(maxsize=1)
def _event_decoders() -> dict[str, tuple[str, list[dict]]]:
    decoders: dict[str, tuple[str, list[dict]]] = {}
    # The real contracts' ABIs (Uniswap's published artifacts); the first ABI wins per topic.
    for contract in ("ERC20", "uniswap/WETH9", "uniswap/UniswapV2Pair",
                     "uniswap/UniswapV2Factory", "uniswap/UniswapV3Pool",
                     "uniswap/UniswapV3Factory", "uniswap/NonfungiblePositionManager", "Bridge"):
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


def label_reads(chain: ChainConfig, token: str) -> list[bytes]:
    """The calls `token_label` makes for `token`: decimals, and the symbol of a token that is
    not the registry's."""
    if chain.token_symbol(token) is not None:
        return [erc20.DECIMALS_CALL]
    return [erc20.DECIMALS_CALL, erc20.SYMBOL_CALL]


def token_label(read: Callable[[str, bytes], bytes | None], chain: ChainConfig, token: str) -> dict:
    """How a token is named and scaled in the result, read on the simulated state itself
    (`read(to, data)`), never from a separate RPC answer or a process-wide cache: symbol,
    decimals, impostor_of and metadata_problem (the AssetChange/Approval fields).

    A registry token is named by the registry and must report the decimals recorded there. Any
    other token is named by its own (made safe) symbol, unless that symbol reads as a registry
    or native symbol: then it is labelled as an impostor with its address, never by the name."""
    decimals = erc20.decode_decimals(read(token, erc20.DECIMALS_CALL))
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
    declared = erc20.decode_symbol(read(token, erc20.SYMBOL_CALL))
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
