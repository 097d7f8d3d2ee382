"""A whole plan in one `eth_simulateV1` request (RPC chains): the plan's calls in order from
the sender (no key, no fees, `validation: false`), with the measurements in the same simulated
block, so they see exactly the state the plan leaves:

* before the calls: each token's `decimals()` (and `symbol()` for tokens outside the registry),
  every `balanceOf(holder)` and the native balances (the balance reader, `reader.py`, placed
  with stateOverrides);
* after the calls: the same balances, and `allowance(owner, spender)` for each approval.

What to measure is predicted from the plan (its calls, their calldata, the registry); when the
answer's events name a token or account the prediction missed, or a step fails before the last
one (later steps must not count), the request is repeated once with everything that is now
known, on the same block. `traceTransfers` reports every native move as a log from
0xEeee…EEeE; native coin must be conserved among the measured accounts (anvil's trace does not
report SELFDESTRUCT), otherwise the plan is simulated on the fork instead.

A node without eth_simulateV1, or one that refuses this bundle, sends the plan to the anvil-fork
path (`NeedsFork`); an answer that is malformed or inconsistent is a `StewardError`: the review
stops and nothing is signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from steward.chains.backend import BundleCall, BundleRefused, BundleUnsupported, CallResult, ChainBackend
from steward.chains.config import ChainConfig
from steward.chains.throwaway import Outcome
from steward.errors import StewardError
from steward.plans import Plan
from steward.simulation import reader
from steward.simulation.results import (
    Measured,
    Needs,
    SimulationResult,
    allowance_call,
    assemble,
    balance_call,
    base_needs,
    label_reads,
    needs,
    steps_of,
    token_label,
    uint_of,
)
from steward.simulation.reverts import describe

MAX_REQUESTS = 3
TRANSFER_SELECTOR = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
TRANSFER_FROM_SELECTOR = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256)
APPROVE_SELECTOR = bytes.fromhex("095ea7b3")  # approve(address,uint256)


class NeedsFork(Exception):
    """This plan is simulated on the anvil fork instead (the node cannot do it in one call)."""


class InconsistentAnswer(StewardError):
    pass


@dataclass
class Want:
    """What one request measures."""

    pairs: set[tuple[str, str]] = field(default_factory=set)
    natives: set[str] = field(default_factory=set)
    allowances: set[tuple[str, str, str]] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)

    def covers(self, other: Want) -> bool:
        return (other.pairs <= self.pairs and other.natives <= self.natives
                and other.allowances <= self.allowances and other.labels <= self.labels)

    def union(self, other: Want) -> Want:
        return Want(self.pairs | other.pairs, self.natives | other.natives,
                    self.allowances | other.allowances, self.labels | other.labels)


def _wanted(found: Needs) -> Want:
    tokens = {token for token, _ in found.pairs} | {token for token, _, _ in found.allowances}
    return Want(set(found.pairs), set(found.natives), found.allowances, tokens)


def predict(chain: ChainConfig, plan: Plan, sender: str) -> Want:
    """What the plan will most likely need measured, from its calls alone: `base_needs`, and
    the ERC-20 transfers and approvals its calldata spells out."""
    found = base_needs(chain, plan, sender)
    want = _wanted(found)
    for call in plan.calls:
        if not call.to:
            continue
        token = to_checksum_address(call.to)
        try:
            data = bytes.fromhex(call.data.removeprefix("0x"))
            selector, body = data[:4], data[4:]
            if selector == TRANSFER_SELECTOR:
                (to, _) = abi_decode(["address", "uint256"], body)
                want.pairs |= {(token, sender), (token, to_checksum_address(to))}
            elif selector == TRANSFER_FROM_SELECTOR:
                source, to, _ = abi_decode(["address", "address", "uint256"], body)
                want.pairs |= {(token, sender), (token, to_checksum_address(source)),
                               (token, to_checksum_address(to))}
            elif selector == APPROVE_SELECTOR:
                (spender, _) = abi_decode(["address", "uint256"], body)
                want.allowances.add((token, sender, to_checksum_address(spender)))
            else:
                continue
        except Exception:
            continue
        want.labels.add(token)
    want.labels |= {token for token, _ in want.pairs}
    return want


@dataclass
class _Request:
    before: list[BundleCall]
    after: list[BundleCall]
    pairs: list[tuple[str, str]]
    natives: list[str]
    allowances: list[tuple[str, str, str]]
    labels: list[tuple[str, bytes]]


def _request(chain: ChainConfig, want: Want) -> _Request:
    if len(want.natives) > reader.MAX_ACCOUNTS:
        raise StewardError(f"a plan that reaches more than {reader.MAX_ACCOUNTS} accounts cannot "
                           "be simulated; nothing was signed")
    pairs, natives = sorted(want.pairs), sorted(want.natives)
    allowances = sorted(want.allowances)
    labels = [(token, data) for token in sorted(want.labels) for data in label_reads(chain, token)]
    balances = [BundleCall(to=token, data="0x" + balance_call(holder).hex()) for token, holder in pairs]
    native = BundleCall(to=reader.READER_ADDRESS, data=reader.balances_call(natives))
    before = [BundleCall(to=token, data="0x" + data.hex()) for token, data in labels]
    before += balances + [native]
    after = balances + [native] + [BundleCall(to=token, data="0x" + allowance_call(owner, spender).hex())
                                   for token, owner, spender in allowances]
    return _Request(before, after, pairs, natives, allowances, labels)


def _outcomes(steps: list[CallResult], gas_price: int) -> list[Outcome]:
    """The plan's steps up to and including the first that fails (later ones do not count)."""
    outcomes = []
    for step in steps:
        if step.success:
            outcomes.append(Outcome(success=True, gas_used=step.gas_used,
                                    fee_wei=step.gas_used * gas_price, logs=step.logs,
                                    transfers=step.transfers))
            continue
        outcomes.append(Outcome(success=False, gas_used=step.gas_used,
                                fee_wei=step.gas_used * gas_price, revert_reason=_reason(step)))
        break
    return outcomes


def _reason(step: CallResult) -> str:
    if step.output or not step.error or "revert" in step.error.lower():
        return describe(step.output)
    return step.error


def _read(result: CallResult) -> bytes | None:
    return result.output if result.success else None


def _natives(result: CallResult, count: int) -> list[int]:
    if not result.success:  # e.g. a chain whose EVM lacks an opcode the reader uses
        raise NeedsFork(f"the balance reader failed: {result.error or describe(result.output)}")
    values = reader.decode_balances(result.output, count)
    if values is None:
        raise InconsistentAnswer("the node's answer to the balance reader is not the balances "
                                 "asked for; nothing was signed")
    return values


def _measure(request: _Request, before: list[CallResult], after: list[CallResult]):
    labels = {(token.lower(), data): _read(result)
              for (token, data), result in zip(request.labels, before)}
    before = before[len(request.labels):]
    count = len(request.pairs)
    measured = Measured(
        before_tokens={pair: uint_of(_read(r)) for pair, r in zip(request.pairs, before[:count])},
        after_tokens={pair: uint_of(_read(r)) for pair, r in zip(request.pairs, after[:count])},
        before_native=dict(zip(request.natives, _natives(before[count], len(request.natives)))),
        after_native=dict(zip(request.natives, _natives(after[count], len(request.natives)))),
        remaining={key: uint_of(_read(r)) for key, r in zip(request.allowances, after[count + 1:])},
    )
    return measured, labels


def simulate_v1(backend: ChainBackend, chain: ChainConfig, plan: Plan) -> SimulationResult:
    """The plan in one eth_simulateV1 request where the prediction holds, two where it does
    not (at most MAX_REQUESTS). Raises NeedsFork, or StewardError for a bad answer."""
    sender = to_checksum_address(plan.sender)
    want, calls, block = predict(chain, plan, sender), list(plan.calls), None
    code = {reader.READER_ADDRESS: reader.runtime_code()}
    for _ in range(MAX_REQUESTS):
        request = _request(chain, want)
        try:
            bundle = backend.simulate_bundle(sender, calls, before=request.before,
                                             after=request.after, code=code, block=block)
        except (BundleUnsupported, BundleRefused) as exc:
            raise NeedsFork(str(exc)) from None
        block = bundle.block
        outcomes = _outcomes(bundle.steps, bundle.gas_price)
        if len(calls) < len(plan.calls) and (len(outcomes) < len(calls) or outcomes[-1].success):
            raise InconsistentAnswer("the node's answers disagree on which step of the plan fails "
                                     "(on the same block); nothing was signed")
        _, transfers = steps_of(plan, outcomes)
        found = needs(chain, plan, sender, outcomes, transfers)
        required = _wanted(found)
        # Whoever paid native coin is measured too (not reported unless `needs` names it),
        # so that conservation can be checked over every account the trace names.
        required.natives |= {t.sender for t in transfers}
        if want.covers(required) and len(outcomes) == len(calls):
            measured, labels = _measure(request, bundle.before, bundle.after)
            _check_conserved(measured)

            def read(token: str, data: bytes) -> bytes | None:
                return labels[(token.lower(), data)]

            return assemble(chain, plan, sender, outcomes, found, measured,
                            lambda token: token_label(read, chain, token),
                            f"eth_simulateV1 on {backend.label}", fees_charged=False)
        want, calls = want.union(required), calls[:len(outcomes)]
    raise InconsistentAnswer(f"the node's answers kept naming new accounts after {MAX_REQUESTS} "
                             "simulation requests; nothing was signed")


def _check_conserved(measured: Measured) -> None:
    """Without fees, native coin only moves between accounts, and every account the trace
    names was measured: if they do not add up, some went where the trace did not say
    (anvil's traceTransfers leaves out SELFDESTRUCT, for one)."""
    moved = sum(after - measured.before_native[holder]
                for holder, after in measured.after_native.items())
    if moved:
        raise NeedsFork(f"native coin not accounted for by the trace ({moved} wei)")


__all__ = ["MAX_REQUESTS", "InconsistentAnswer", "NeedsFork", "predict", "simulate_v1"]
