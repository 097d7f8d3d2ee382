"""Red team, class 5 ("value sent to a contract skips the recipient rules"): every party that
gains value is a recipient. The simulation follows native coin through contracts (py-evm's
call frames on embedded chains, anvil's call trace on RPC chains), so the recipient rules,
the first-time confirmation and the poisoning check judge the final beneficiary, and an
unknown contract that keeps the coin is a recipient itself.

Each test runs on the embedded sandbox and on the anvil one, under the wallet's mandate file
with `recipients = "address_book"` and `contracts = "any"` (so calling the forwarder is itself
allowed), and asserts the decision, the rule and, for denials, that signing is refused with
nothing signed and no balance moved."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

import pytest
from web3 import Web3

from steward import chains
from steward.chains.config import load_config
from steward.contacts import load_contacts, short
from steward.execution import Executor
from steward.guard import GuardRefusal, review
from steward.guard.mandate import mandate_path
from steward.journal import Journal
from steward.planning import Call, Plan
from steward.sandbox import SandboxBuilder
from steward.wallets import WalletStore

from conftest import PASSPHRASE

L1 = "sandbox-l1"
ETH = 10**18
ATTACKER = Web3.to_checksum_address("0x" + "a77ac4e5" * 5)  # nobody in the sandbox knows it


@lru_cache(maxsize=1)
def _forwarder_compiled() -> tuple[list, str]:
    import vyper

    source = Path(__file__).with_name("Forwarder.vy").read_text()
    with warnings.catch_warnings():  # `selfdestruct` is deprecated: that is the point of leave()
        warnings.simplefilter("ignore")
        out = vyper.compile_code(source, contract_path="Forwarder.vy",
                                 output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


class Setup:
    """The main wallet under a strict mandate file, and a forwarder deployed by the operator."""

    def __init__(self):
        path = mandate_path("main")
        path.write_text(path.read_text()
                        .replace('recipients = "any"', 'recipients = "address_book"')
                        .replace('contracts = "known"', 'contracts = "any"'))
        self.chain = load_config().chain(L1)
        self.w3 = chains.connect(self.chain)
        store = WalletStore()
        self.main = store.get("main").address
        self.own = {"main": self.main}
        self.executor = Executor(store.unlock("main", PASSPHRASE), "main")
        abi, bytecode = _forwarder_compiled()
        step = SandboxBuilder().send(self.chain, Call(to=None, data=bytecode, gas_hint=500_000,
                                                      description="deploy a forwarder"))
        self.forwarder = Web3.to_checksum_address(step.contract_address)
        self.contract = self.w3.eth.contract(address=self.forwarder, abi=abi)

    def forward(self, to: str, value: int, function: str = "forward") -> Plan:
        data = self.contract.encode_abi(function, args=[to])
        return self.plan(Call(to=self.forwarder, data=data, value=value,
                              description=function))

    def plan(self, *calls: Call) -> Plan:
        return Plan(chain=L1, sender=self.main, calls=list(calls), summary="pay")

    def review(self, plan: Plan):
        return review(plan, "main", own_wallets=self.own)  # the mandate file written above

    def holdings(self, *others: str) -> dict[str, int]:
        return {a: self.w3.eth.get_balance(a) for a in (self.main, self.forwarder, ATTACKER, *others)}

    def refused(self, plan: Plan, verdict, *others: str) -> None:
        """Signing is attempted and refused: no balance moves, nothing is journalled."""
        before, nonce = self.holdings(*others), self.w3.eth.get_transaction_count(self.main)
        txs = len([e for e in Journal().entries(limit=10_000) if e.sender == self.main])
        with pytest.raises(GuardRefusal):
            self.executor.execute(plan, verdict)
        assert self.holdings(*others) == before
        assert self.w3.eth.get_transaction_count(self.main) == nonce
        assert len([e for e in Journal().entries(limit=10_000) if e.sender == self.main]) == txs


def deny_rules(verdict) -> set[str]:
    return {r.rule for r in verdict.reasons if r.decision == "deny"}


def lookalike(address: str) -> str:
    """Same first 4 and last 4 hex digits, every digit between them changed."""
    digits = address[2:].lower()
    middle = "".join(f"{(int(c, 16) + 1) % 16:x}" for c in digits[4:-4])
    return Web3.to_checksum_address("0x" + digits[:4] + middle + digits[-4:])


@pytest.fixture
def s(world) -> Setup:
    return Setup()


def test_eth_forwarded_to_a_stranger_is_denied(s):
    plan = s.forward(ATTACKER, ETH // 10)
    verdict = s.review(plan)
    assert verdict.decision == "deny", verdict.explanation
    assert "allow.recipients" in deny_rules(verdict)
    assert any(r.rule == "allow.recipients" and short(ATTACKER) in r.message
               for r in verdict.reasons)
    # The forwarder only passed the coin on: the attacker is the recipient, not the forwarder.
    assert verdict.recipients == [ATTACKER]
    assert verdict.simulation.delta(ATTACKER, None) == ETH // 10
    assert [(t.sender, t.to, t.value) for t in verdict.simulation.value_transfers] == [
        (s.main, s.forwarder, ETH // 10), (s.forwarder, ATTACKER, ETH // 10)]
    s.refused(plan, verdict)


def test_eth_forwarded_to_a_lookalike_of_bob_is_poisoning(s):
    fake_bob = lookalike(load_contacts()["bob"].address)
    plan = s.forward(fake_bob, ETH // 10)
    verdict = s.review(plan)
    assert verdict.decision == "deny", verdict.explanation
    assert "address_poisoning" in deny_rules(verdict)
    assert "address_poisoning" in {f.code for f in verdict.findings}
    s.refused(plan, verdict, fake_bob)


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")
def test_eth_handed_over_by_selfdestruct_is_followed(s):
    plan = s.forward(ATTACKER, ETH // 10, function="leave")
    verdict = s.review(plan)
    assert verdict.recipients == [ATTACKER]
    assert verdict.decision == "deny" and "allow.recipients" in deny_rules(verdict)
    s.refused(plan, verdict)


def test_a_direct_payment_to_the_stranger_is_denied_as_before(s):
    plan = s.plan(Call(to=ATTACKER, value=ETH // 10, description="pay"))
    verdict = s.review(plan)
    assert verdict.decision == "deny" and "allow.recipients" in deny_rules(verdict)
    s.refused(plan, verdict)


def test_an_unknown_contract_that_keeps_the_coin_is_a_recipient(s):
    plan = s.plan(Call(to=s.forwarder, value=ETH // 10, description="pay the contract"))
    verdict = s.review(plan)
    assert verdict.recipients == [s.forwarder]
    assert "recipient_is_contract" in {f.code for f in verdict.findings}
    assert verdict.decision == "deny" and "allow.recipients" in deny_rules(verdict)
    s.refused(plan, verdict)


def test_eth_forwarded_to_a_contact_is_judged_as_a_payment_to_the_contact(s):
    bob = load_contacts()["bob"].address
    verdict = s.review(s.forward(bob, ETH // 10))
    assert not deny_rules(verdict), verdict.explanation
    assert verdict.recipients == [bob]  # the forwarder nets zero: not a recipient
    assert "first_time_recipient" in {f.code for f in verdict.findings}
    assert "to bob" in verdict.preview.text
