"""Payments, swaps and bridge crossings through Steward's execution path, on both backends.

Every test asserts the balances that moved, to the base unit.
"""

from __future__ import annotations

import pytest

from steward import chains, sandbox
from steward.chains.config import load_config
from steward.chains.embedded import dev_account
from steward.contacts import resolve_recipient
from steward.errors import TransactionFailed
from steward.execution import Executor, PlanFailed
from steward.guard import approve, review
from steward.guard.mandate import unrestricted_mandate
from steward.journal import Journal
from steward.planning import Call, Plan
from steward.planning.builders import bridge_plan, swap_plan, transfer_plan
from steward.protocols import amm, erc20
from steward.protocols.bridge import bridge_contract, transfers_in_receipt
from steward.wallets import WalletStore

from conftest import PASSPHRASE

USDC = 10**6
ETH = 10**18


class Judged:
    """An executor that sends each plan through the guard first, as every caller must.

    These tests are about money mechanics, so the wallet runs under the unrestricted mandate;
    the guard's own rules are tested in test_guard.py.
    """

    def __init__(self, account, wallet: str):
        self.executor, self.wallet = Executor(account, wallet), wallet

    def execute(self, plan: Plan):
        verdict = review(plan, self.wallet, mandate=unrestricted_mandate(self.wallet))
        return self.executor.execute(plan, approve(verdict, by="test"))


def main_wallet():
    store = WalletStore()
    info = store.get("main")
    return info.address, Judged(store.unlock("main", PASSPHRASE), "main")


@pytest.mark.parametrize("chain_name", ["sandbox-l1", "sandbox-l2"])
def test_send_usdc_moves_exactly_the_amount(world, chain_name):
    chain = load_config().chain(chain_name)
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    bob = resolve_recipient("bob")
    token = chain.tokens["USDC"]
    before = erc20.balance_of(w3, token, sender), erc20.balance_of(w3, token, bob.address)
    result = executor.execute(transfer_plan(chain, sender, "usdc", "25.5", bob))
    after = erc20.balance_of(w3, token, sender), erc20.balance_of(w3, token, bob.address)
    assert after[0] == before[0] - 25_500_000
    assert after[1] == before[1] + 25_500_000
    entry = Journal().entries(limit=1)[0]
    assert (entry.tx_hash, entry.status, entry.wallet) == (result.tx_hashes[0], "success", "main")
    assert entry.gas_used == result.steps[0].gas_used > 0


def test_send_native_eth_costs_value_plus_the_fee(world):
    chain = load_config().chain("sandbox-l2")
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    carol = resolve_recipient("carol")
    before = w3.eth.get_balance(sender), w3.eth.get_balance(carol.address)
    result = executor.execute(transfer_plan(chain, sender, "ETH", "0.25", carol))
    fee = result.steps[0].fee_wei
    assert w3.eth.get_balance(sender) == before[0] - ETH // 4 - fee
    assert w3.eth.get_balance(carol.address) == before[1] + ETH // 4


def test_swap_pays_out_exactly_the_v2_formula(world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    usdc, weth = chain.tokens["USDC"], chain.tokens["WETH"]
    reserve_in, reserve_out = amm.reserves(w3, chain.contracts["uniswap-v2:factory"], usdc, weth)
    plan, quote = swap_plan(chain, sender, "USDC", "1000", "WETH", slippage_bps=50,
                            venue="uniswap-v2")
    expected = amm.amount_out(1000 * USDC, reserve_in, reserve_out)
    assert quote.quoted_out == expected
    assert quote.min_out == expected * 9950 // 10000
    assert [call.description.split()[0] for call in plan.calls] == ["approve", "swap"]
    before = erc20.balance_of(w3, usdc, sender), erc20.balance_of(w3, weth, sender)
    executor.execute(plan)
    assert erc20.balance_of(w3, usdc, sender) == before[0] - 1000 * USDC
    assert erc20.balance_of(w3, weth, sender) == before[1] + expected
    # the approval was exact, so nothing is left approved
    assert erc20.allowance(w3, usdc, sender, chain.contracts["uniswap-v2:router"]) == 0


def test_swap_eth_for_usdt_and_back_to_eth(world):
    chain = load_config().chain("sandbox-l2")
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    usdt = chain.tokens["USDT"]
    before = erc20.balance_of(w3, usdt, sender)
    plan, quote = swap_plan(chain, sender, "ETH", "0.5", "USDT")
    assert plan.calls[0].value == ETH // 2
    executor.execute(plan)
    assert erc20.balance_of(w3, usdt, sender) == before + quote.quoted_out
    eth_before = w3.eth.get_balance(sender)
    plan, quote = swap_plan(chain, sender, "USDT", "100", "ETH")
    result = executor.execute(plan)
    fees = sum(step.fee_wei for step in result.steps)
    assert w3.eth.get_balance(sender) == eth_before + quote.quoted_out - fees


def test_swap_below_min_out_reverts_and_nothing_moves(world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    # On the V2 pool, which a wallet-sized trade can move (the V3 pools are too deep for it).
    plan, quote = swap_plan(chain, sender, "USDC", "100", "WETH", venue="uniswap-v2")
    verdict = approve(review(plan, "main", mandate=unrestricted_mandate("main")), by="test")
    # A large trade in the same direction lands after the guard judged, and moves the price
    # past the slippage limit before the plan is signed.
    front_run, _ = swap_plan(chain, sender, "USDC", "9000", "WETH", venue="uniswap-v2")
    executor.execute(front_run)
    usdc_before = erc20.balance_of(w3, chain.tokens["USDC"], sender)
    weth_before = erc20.balance_of(w3, chain.tokens["WETH"], sender)
    with pytest.raises(TransactionFailed, match="INSUFFICIENT_OUTPUT_AMOUNT"):
        executor.executor.execute(plan, verdict)
    assert erc20.balance_of(w3, chain.tokens["USDC"], sender) == usdc_before
    assert erc20.balance_of(w3, chain.tokens["WETH"], sender) == weth_before


def relay_once():
    return sandbox.bridge_relayer().run_once()


def test_bridge_round_trip_and_no_double_mint(world):
    config = load_config()
    l1, l2 = config.chain("sandbox-l1"), config.chain("sandbox-l2")
    w1, w2 = chains.connect(l1), chains.connect(l2)
    sender, executor = main_wallet()
    usdc1, usdc2 = l1.tokens["USDC"], l2.tokens["USDC"]
    start = erc20.balance_of(w1, usdc1, sender), erc20.balance_of(w2, usdc2, sender)

    out = executor.execute(bridge_plan(l1, l2, sender, "USDC", "1234.5"))
    receipt = w1.eth.get_transaction_receipt(out.tx_hashes[-1])
    [transfer] = transfers_in_receipt(w1, l1, receipt)
    assert (transfer.kind, transfer.amount, transfer.recipient) == ("lock", 1_234_500_000, sender)
    assert erc20.balance_of(w1, usdc1, sender) == start[0] - 1_234_500_000
    assert erc20.balance_of(w2, usdc2, sender) == start[1]  # not yet relayed

    assert [t.nonce for t in relay_once()] == [transfer.nonce]
    assert erc20.balance_of(w2, usdc2, sender) == start[1] + 1_234_500_000
    assert relay_once() == []  # a second pass finds nothing to deliver

    # Replaying the event by hand: the destination refuses to mint twice (the guard's
    # simulation already sees the revert, so nothing is even signed).
    operator = dev_account(0)
    bridge2 = bridge_contract(w2, l2)
    replay = bridge2.encode_abi("mint", args=[l1.chain_id, transfer.nonce, usdc2, sender,
                                              transfer.amount])
    replay_plan = Plan(chain=l2.name, sender=operator.address, summary="replay",
                       calls=[Call(to=bridge2.address, data=replay, description="replayed mint")])
    verdict = review(replay_plan, "sandbox", mandate=unrestricted_mandate("sandbox"))
    assert verdict.decision == "deny" and "already processed" in verdict.explanation
    assert erc20.balance_of(w2, usdc2, sender) == start[1] + 1_234_500_000

    # And back: burn on L2, release on L1.
    back = executor.execute(bridge_plan(l2, l1, sender, "USDC", "1234.5"))
    [returned] = transfers_in_receipt(w2, l2, w2.eth.get_transaction_receipt(back.tx_hashes[-1]))
    assert returned.kind == "burn"
    relay_once()
    assert erc20.balance_of(w1, usdc1, sender) == start[0]
    assert erc20.balance_of(w2, usdc2, sender) == start[1]


def test_a_failing_step_stops_the_plan_and_says_what_was_done(embedded_world):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    sender, executor = main_wallet()
    bob = resolve_recipient("bob")
    token = chain.tokens["USDC"]
    held = erc20.balance_of(w3, token, sender)
    first = transfer_plan(chain, sender, "USDC", "5", bob)
    rest = transfer_plan(chain, sender, "USDC", str((held - 5 * USDC) / USDC), bob)
    plan = first.model_copy(update={"calls": [first.calls[0], rest.calls[0]]})
    verdict = approve(review(plan, "main", mandate=unrestricted_mandate("main")), by="test")
    assert verdict.decision == "allow"
    # After the guard judged, another payment spends some USDC, so step 2 now overdraws.
    executor.execute(transfer_plan(chain, sender, "USDC", "1", resolve_recipient("carol")))
    before = erc20.balance_of(w3, token, bob.address)
    with pytest.raises(PlanFailed) as failure:
        executor.executor.execute(plan, verdict)
    assert "step 2 of 2" in str(failure.value) and "insufficient balance" in str(failure.value)
    assert [step.description for step in failure.value.done] == [first.calls[0].description]
    assert [call.description for call in failure.value.remaining] == [rest.calls[0].description]
    assert erc20.balance_of(w3, token, bob.address) == before + 5 * USDC
