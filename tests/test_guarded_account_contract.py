"""GuardedAccount.vy itself, both ways in (EIP-7702 and deployed), on a plain eth-tester chain:
who may execute, the allowlist, approvals used up within the batch, limits per fixed window,
the owner's timelock for loosening, and atomicity. Every refusal is checked by its reason and
every success by the balances it moved."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from guarded.world import (DELAY, GOLD, GOLD_RATE, NATIVE, PERIOD, USD, USDC_RATE, World, call,
                           default_policy, encode, extended, key, raw, refused, selector)
from steward.accounts import contract as ga

ZERO = ga.NATIVE


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(params=["7702", "deployed"])
def mode(request) -> str:
    return request.param


@pytest.fixture
def acct(world, mode):
    """A guarded account under the default policy, holding 1000 USDC, 10 GOLD and 10 coins."""
    world.fresh()
    account = world.open(mode, default_policy(world))
    world.stock(account)
    return account


def pay(world, token, amount):
    """A transfer of `token` from the account to the thief."""
    return call(token, "transfer", world.thief.address, amount)


def thief_has(world, token) -> int:
    return world.balance(token, world.thief.address)


def usd_charged(acct, receipt) -> int:
    executed = acct.contract.events.Executed().process_receipt(receipt, errors=DISCARD)
    return executed[0]["args"]["usd_micros"]


def block_time(world, receipt) -> int:
    return world.w3.eth.get_block(receipt["blockNumber"]).timestamp


# ---- who may execute ------------------------------------------------------------------------

def test_ga_only_the_agent_executes(world, acct):
    for intruder in (acct.owner, world.stranger, world.thief):
        refused("only the agent key may execute", acct.execute, pay(world, world.usdc, 5 * USD),
                signer=intruder)
    acct.execute(pay(world, world.usdc, 5 * USD))
    assert thief_has(world, world.usdc) == 5 * USD
    assert acct.balance(world.usdc) == 995 * USD


def test_ga_a_paused_account_refuses_batches(world, acct):
    acct.owner_change("pause")
    refused("the account is paused", acct.execute, pay(world, world.usdc, 1))
    assert acct.balance(world.usdc) == 1_000 * USD and acct.nonce() == 0


def test_ga_a_wrong_or_replayed_nonce_is_refused(world, acct):
    batch = pay(world, world.usdc, USD)
    refused("stale or replayed batch", acct.execute, batch, nonce=1)
    acct.execute(batch, nonce=0)
    refused("stale or replayed batch", acct.execute, batch, nonce=0)
    assert acct.nonce() == 1 and thief_has(world, world.usdc) == USD


# ---- the allowlist --------------------------------------------------------------------------

def test_ga_an_unknown_target_is_refused(world, acct):
    transfer = encode(world.usdc, "transfer", world.thief.address, 1)
    for target in (world.stranger.address, world.implementation):
        refused("not on the allowlist", acct.execute, raw(target, transfer))


def test_ga_a_known_target_with_an_unknown_function_is_refused(world, acct):
    refused("not on the allowlist", acct.execute, call(world.usdc, "mint", world.thief.address, 1))
    refused("not on the allowlist", acct.execute,
            call(world.puller, "drain", world.usdc.address, acct.address, world.thief.address, 1))
    assert thief_has(world, world.usdc) == 0


def test_ga_value_needs_the_entrys_value_flag(world, acct):
    refused("may not carry native value", acct.execute,
            call(world.usdc, "transfer", world.thief.address, 1, value=1))
    refused("may not carry native value", acct.execute,
            call(world.puller, "pull", world.usdc.address, 0, value=1))
    acct.execute(call(world.forwarder, "relay", [], value=10**15))  # the forwarder's entry has it
    assert world.balance(NATIVE, world.forwarder.address) == 10**15


def test_ga_plain_sends_need_native_sends(world, acct):
    acct.execute(raw(world.thief.address, b"", 10**15))
    acct.owner_change("set_native_sends", False)  # tightening: at once
    refused("plain value transfers are not allowed", acct.execute,
            raw(world.thief.address, b"", 10**15))
    assert world.balance(NATIVE, world.thief.address) == 10**21 + 10**15


def test_ga_a_plain_send_entry_without_the_value_flag_carries_no_coin(world, mode):
    """An entry for empty calldata (`PLAIN_SEND`) without VALUE allows a call to the target's
    fallback, not moving coin to it: with the coin untracked, that would be unlimited."""
    world.fresh()
    start = default_policy(world)  # the coin untracked, no plain sends
    policy = start.model_copy(update={"native_sends": False, "tokens": start.tokens[:2]})
    payee = world.stranger.address
    account = world.open(mode, extended(policy, permissions=[
        ga.Permission(target=world.forwarder.address, selector=ga.PLAIN_SEND),
        ga.Permission(target=payee, selector=ga.PLAIN_SEND, value=True)]), name="plain sends")
    world.stock(account)
    paid = world.balance(NATIVE, payee)
    account.execute(raw(world.forwarder.address))
    refused("may not carry native value", account.execute, raw(world.forwarder.address, b"", GOLD))
    refused("plain value transfers are not allowed", account.execute,
            raw(world.thief.address, b"", GOLD))
    account.execute(raw(payee, b"", GOLD))
    assert world.balance(NATIVE, world.forwarder.address) == 0
    assert world.balance(NATIVE, payee) == paid + GOLD


def test_ga_malformed_calldata_is_refused(world, acct):
    for data in (b"\xa9", b"\xa9\x05", b"\xa9\x05\x9c"):
        refused("malformed calldata", acct.execute, raw(world.usdc.address, data))


def test_ga_a_batch_may_not_call_the_account_itself(world, acct):
    loosen = ga.setter_data("set_token_limit", world.usdc.address, 10**30, USDC_RATE)
    refused("may not call the account itself", acct.execute, raw(acct.address, loosen))
    refused("may not call the account itself", acct.execute, raw(acct.address, b"", 1))
    refused("the account itself cannot be allowed", acct.owner_change,
            "set_permission", acct.address, loosen[:4], 1)
    assert acct.contract.functions.token_limit(world.usdc.address).call() == 100 * USD


# ---- approvals ------------------------------------------------------------------------------

def test_ga_an_approval_left_over_reverts(world, acct):
    for spender in (world.thief.address, world.puller.address):
        refused("an approval was not used up within the batch", acct.execute,
                call(world.usdc, "approve", spender, 10 * USD))
    assert world.usdc.functions.allowance(acct.address, world.thief.address).call() == 0


def test_ga_an_approval_pulled_in_full_passes_and_counts_as_spending(world, acct):
    acct.execute(call(world.usdc, "approve", world.puller.address, 60 * USD),
                 call(world.puller, "pull", world.usdc.address, 60 * USD))
    assert world.balance(world.usdc, world.puller.address) == 60 * USD
    assert world.usdc.functions.allowance(acct.address, world.puller.address).call() == 0
    acct.execute(pay(world, world.usdc, 40 * USD))
    refused("over this token's limit", acct.execute, pay(world, world.usdc, 1))


def test_ga_an_approval_pulled_in_part_reverts(world, acct):
    refused("an approval was not used up within the batch", acct.execute,
            call(world.usdc, "approve", world.puller.address, 60 * USD),
            call(world.puller, "pull", world.usdc.address, 59 * USD))
    refused("an approval was not used up within the batch", acct.execute,
            call(world.usdc, "approve", world.puller.address, 60 * USD),
            call(world.puller, "pull", world.usdc.address, 60 * USD),
            call(world.usdc, "approve", world.puller.address, 1))  # again, to the same spender
    assert world.balance(world.usdc, world.puller.address) == 0


def test_ga_an_approval_set_back_to_zero_passes(world, acct):
    acct.execute(call(world.usdc, "approve", world.thief.address, 10 * USD),
                 call(world.usdc, "approve", world.thief.address, 0))
    assert world.usdc.functions.allowance(acct.address, world.thief.address).call() == 0
    assert acct.balance(world.usdc) == 1_000 * USD


def test_ga_short_approve_calldata_cannot_leave_an_allowance(world, mode):
    """A token that does not check its calldata's length (any compiled before Solidity 0.5)
    reads a 67-byte approve as if zero-padded; if the account did not treat it as an approval,
    the spender could take everything after the batch, outside any limit."""
    world.fresh()
    lax = world.deploy_test("LaxToken")
    account = world.open(mode, extended(default_policy(world), tokens=[
        ga.TokenRule(token=lax.address, limit=100, usd_rate=0)], permissions=[
        ga.Permission(target=lax.address, selector="0x095ea7b3")]), name="lax token")
    lax.functions.mint(account.address, 10_000).transact({"from": world.funder})
    full = encode(world.usdc, "approve", world.puller.address, 2**255)  # its last byte is zero
    refused("an approval was not used up within the batch", account.execute, raw(lax.address, full))
    refused("malformed approval", account.execute, raw(lax.address, full[:67]))
    assert lax.functions.allowance(account.address, world.puller.address).call() == 0
    assert lax.functions.balanceOf(account.address).call() == 10_000


# ---- limits ---------------------------------------------------------------------------------

def test_ga_a_token_limit_is_exact(world, acct):
    refused("over this token's limit for the window", acct.execute,
            pay(world, world.usdc, 100 * USD + 1))
    acct.execute(pay(world, world.usdc, 60 * USD))
    acct.execute(pay(world, world.usdc, 40 * USD))
    refused("over this token's limit for the window", acct.execute, pay(world, world.usdc, 1))
    assert thief_has(world, world.usdc) == 100 * USD and acct.balance(world.usdc) == 900 * USD


def test_ga_the_usd_batch_limit_rounds_losses_up(world, acct):
    assert usd_charged(acct, acct.execute(pay(world, world.gold, 1))) == 1  # 1 wei is worth a micro
    at_limit = 75 * GOLD // 1_000  # $150 at $2000
    refused("over the per-batch USD limit", acct.execute, pay(world, world.gold, at_limit + 1))
    receipt = acct.execute(pay(world, world.gold, at_limit))
    assert usd_charged(acct, receipt) == 150 * USD
    assert thief_has(world, world.gold) == at_limit + 1


def test_ga_the_usd_window_limit_holds_across_batches(world, acct):
    acct.execute(pay(world, world.gold, 75 * GOLD // 1_000))  # $150
    acct.execute(pay(world, world.usdc, 100 * USD))  # $250: the window is full
    # a wei is worth a micro, rounded up
    refused("over the USD limit for the window", acct.execute, pay(world, world.gold, 1))
    refused("over the USD limit for the window", acct.execute, raw(world.thief.address, b"", 1))
    assert thief_has(world, world.gold) == 75 * GOLD // 1_000


def test_ga_the_native_coin_has_its_limit(world, acct):
    limit = GOLD // 20
    before = acct.balance(NATIVE)
    over = "over this token's limit for the window"
    refused(over, acct.execute, raw(world.thief.address, b"", limit + 1))
    acct.execute(raw(world.thief.address, b"", limit))
    assert acct.balance(NATIVE) == before - limit  # the agent pays the gas, not the account
    refused(over, acct.execute, raw(world.thief.address, b"", 1))
    refused(over, acct.execute, call(world.forwarder, "relay", [], value=1))


def test_ga_gains_never_offset_losses(world, acct):
    world.mint(world.gold, world.forwarder.address, GOLD)
    gift = (world.gold.address, 0, encode(world.gold, "transfer", acct.address, GOLD))
    receipt = acct.execute(pay(world, world.usdc, 60 * USD), call(world.forwarder, "relay", [gift]))
    assert usd_charged(acct, receipt) == 60 * USD  # the $2000 of GOLD received offsets nothing
    world.mint(world.usdc, acct.address, 60 * USD)  # the USDC comes back between batches
    refused("over this token's limit", acct.execute, pay(world, world.usdc, 60 * USD))
    acct.execute(pay(world, world.usdc, 40 * USD))
    assert acct.balance(world.usdc) == 960 * USD  # down 40 in all, yet the window's 100 is used


def test_ga_a_new_window_resets_the_limits(world, acct):
    k = world.now() // PERIOD
    acct.execute(pay(world, world.usdc, 100 * USD))
    world.at((k + 1) * PERIOD - 1)
    refused("over this token's limit for the window", acct.execute, pay(world, world.usdc, 1))
    world.at((k + 3) * PERIOD + 17)
    acct.execute(pay(world, world.usdc, 100 * USD))
    assert thief_has(world, world.usdc) == 200 * USD


def test_ga_fixed_windows_allow_twice_the_limit_across_a_boundary(world, acct):
    """The documented worst case of fixed windows: the whole limit at the last second of one
    window and again at the first second of the next, 2× the limit within two seconds."""
    boundary = (world.now() // PERIOD + 1) * PERIOD
    world.at(boundary - 1)
    first = acct.execute(pay(world, world.usdc, 100 * USD))
    second = acct.execute(pay(world, world.usdc, 100 * USD))
    assert (block_time(world, first), block_time(world, second)) == (boundary - 1, boundary)
    assert thief_has(world, world.usdc) == 200 * USD
    refused("over this token's limit for the window", acct.execute, pay(world, world.usdc, 1))


# ---- the owner ------------------------------------------------------------------------------

def test_ga_tightening_takes_effect_at_once(world, acct):
    acct.owner_change("set_token_limit", world.usdc.address, 10 * USD, USDC_RATE)
    refused("over this token's limit", acct.execute, pay(world, world.usdc, 10 * USD + 1))
    acct.execute(pay(world, world.usdc, 10 * USD))
    acct.owner_change("set_token_limit", world.gold.address, GOLD // 10, 2 * GOLD_RATE)  # rate up
    acct.owner_change("set_usd_limits", 250 * USD, 3 * USD)
    refused("over the per-batch USD limit", acct.execute, pay(world, world.gold, 10**15))  # $4 now
    transfer = bytes.fromhex(selector(world.gold, "transfer")[2:])
    acct.owner_change("set_permission", world.gold.address, transfer, 0)
    refused("not on the allowlist", acct.execute, pay(world, world.gold, 1))
    assert thief_has(world, world.gold) == 0


def test_ga_loosening_waits_for_its_scheduled_time(world, acct):
    change = ("set_token_limit", world.usdc.address, 200 * USD, USDC_RATE)
    refused("loosening the policy must be scheduled first", acct.owner_change, *change)
    start = world.now()
    eta = acct.schedule(*change)
    assert eta == start + DELAY
    world.at(eta - 1)
    refused("the timelock has not passed", acct.owner_change, *change)
    world.at(eta)
    acct.owner_change(*change)
    acct.execute(pay(world, world.usdc, 150 * USD))
    assert thief_has(world, world.usdc) == 150 * USD


def test_ga_a_schedule_is_used_once(world, acct):
    change = ("set_token_limit", world.usdc.address, 200 * USD, USDC_RATE)
    world.at(acct.schedule(*change))
    acct.owner_change(*change)
    acct.owner_change("set_token_limit", world.usdc.address, 100 * USD, USDC_RATE)  # back down
    refused("loosening the policy must be scheduled first", acct.owner_change, *change)
    assert acct.contract.functions.token_limit(world.usdc.address).call() == 100 * USD


def test_ga_a_cancelled_schedule_cannot_be_applied(world, acct):
    change = ("set_usd_limits", 10**12, 10**12)
    eta = acct.schedule(*change)
    acct.owner_change("cancel", ga.change_hash(ga.setter_data(*change)))
    world.at(eta + 1)
    refused("loosening the policy must be scheduled first", acct.owner_change, *change)
    assert acct.contract.functions.window_usd_limit().call() == 250 * USD


def test_ga_only_the_owner_changes_the_policy(world, acct):
    change = ga.change_hash(ga.setter_data("set_usd_limits", 10**12, 10**12))
    transfer = bytes.fromhex(selector(world.usdc, "transfer")[2:])
    attempts = [("schedule", change), ("cancel", change), ("set_usd_limits", 0, 0),
                ("set_token_limit", world.usdc.address, 0, USDC_RATE),
                ("set_permission", world.usdc.address, transfer, 0), ("set_native_sends", False),
                ("set_agent", ZERO), ("set_delay", 10**6), ("pause",), ("unpause",)]
    for intruder in (world.agent, world.stranger):
        for function, *args in attempts:
            refused("only the owner", acct.owner_change, function, *args, signer=intruder)
    acct.owner_change("schedule", change)  # the owner may
    assert acct.contract.functions.scheduled(change).call() > 0
    assert acct.contract.functions.agent().call() == world.agent.address


def test_ga_revoking_the_agent_is_immediate_a_new_agent_waits(world, acct):
    acct.owner_change("set_agent", ZERO)
    refused("only the agent key may execute", acct.execute, pay(world, world.usdc, 1))
    refused("loosening the policy must be scheduled first", acct.owner_change,
            "set_agent", world.agent.address)
    world.at(acct.schedule("set_agent", world.stranger.address))
    acct.owner_change("set_agent", world.stranger.address)
    acct.execute(pay(world, world.usdc, 1), signer=world.stranger)
    refused("only the agent key may execute", acct.execute, pay(world, world.usdc, 1))
    assert thief_has(world, world.usdc) == 1


def test_ga_unpausing_needs_the_timelock(world, acct):
    acct.owner_change("pause")
    refused("loosening the policy must be scheduled first", acct.owner_change, "unpause")
    eta = acct.schedule("unpause")
    refused("the timelock has not passed", acct.owner_change, "unpause")
    world.at(eta)
    acct.owner_change("unpause")
    acct.execute(pay(world, world.usdc, 1))
    assert thief_has(world, world.usdc) == 1


def test_ga_a_shorter_delay_is_a_loosening(world, acct):
    acct.owner_change("set_delay", 2 * DELAY)  # longer: at once
    refused("loosening the policy must be scheduled first", acct.owner_change, "set_delay", DELAY)
    start = world.now()
    eta = acct.schedule("set_delay", DELAY)
    assert eta == start + 2 * DELAY  # shortening waits for the longer delay
    world.at(eta)
    acct.owner_change("set_delay", DELAY)
    assert acct.contract.functions.delay().call() == DELAY


def test_ga_every_kind_of_loosening_needs_a_schedule(world, acct):
    acct.owner_change("set_native_sends", False)
    mint = bytes.fromhex(selector(world.usdc, "mint")[2:])
    transfer = bytes.fromhex(selector(world.usdc, "transfer")[2:])
    loosenings = [("set_token_limit", world.usdc.address, 100 * USD + 1, USDC_RATE),
                  ("set_token_limit", world.gold.address, GOLD // 10, GOLD_RATE - 1),
                  ("set_usd_limits", 250 * USD + 1, 150 * USD),
                  ("set_usd_limits", 250 * USD, 150 * USD + 1),
                  ("set_permission", world.usdc.address, mint, 1),
                  ("set_permission", world.usdc.address, transfer, 3), ("set_native_sends", True),
                  ("set_agent", world.stranger.address), ("set_delay", DELAY - 1), ("unpause",)]
    for change in loosenings:
        refused("loosening the policy must be scheduled first", acct.owner_change, *change)
    assert ga.read_state(world.w3, acct.address).policy == default_policy(world).model_copy(
        update={"native_sends": False, "permissions": ()})


def test_ga_initialize_only_once(world, acct):
    takeover = ga.initialize_data(world.stranger.address, default_policy(world).model_copy(
        update={"window_usd_limit": 10**30, "batch_usd_limit": 10**30}))
    for who in (acct.owner, world.stranger, world.agent):
        refused("already initialized", world.send, who, acct.address, takeover)
    assert acct.contract.functions.agent().call() == world.agent.address


def test_ga_a_stranger_cannot_claim_a_freshly_delegated_address(world):
    world.fresh()
    victim = key("fresh EIP-7702 owner")
    world.fund(victim.address, 10**19)
    authorization = victim.sign_authorization({
        "chainId": world.w3.eth.chain_id, "address": world.implementation,
        "nonce": world.w3.eth.get_transaction_count(victim.address)})
    # the authorization is public once sent: a stranger relays it on its own
    world.send_authorized(world.stranger, victim.address, b"", authorizations=[authorization])
    assert ga.delegate_of(world.w3, victim.address) == world.implementation
    claim = ga.initialize_data(world.stranger.address, default_policy(world))
    refused("only the address itself may initialize it", world.send, world.stranger,
            victim.address, claim)
    world.send(victim, victim.address,
               ga.initialize_data(world.agent.address, default_policy(world)))
    state = ga.read_state(world.w3, victim.address)
    assert (state.owner, state.agent, state.initialized) == (
        victim.address, world.agent.address, True)


def test_ga_the_implementation_cannot_be_initialized(world):
    world.fresh()
    implementation = ga.at(world.w3, world.implementation)
    for who in (world.stranger, world.agent):  # the stranger deployed it
        refused("only the address itself may initialize it", world.send, who, world.implementation,
                ga.initialize_data(who.address, default_policy(world)))
    refused("only the owner", world.send, world.stranger, world.implementation,
            ga.setter_data("pause"))
    assert implementation.functions.owner().call() == ZERO
    assert not implementation.functions.initialized().call()


def test_ga_owner_call_is_the_owners_alone(world, acct):
    door = ga.setter_data("owner_call", world.usdc.address, 0,
                          encode(world.usdc, "transfer", world.thief.address, 500 * USD))
    for intruder in (world.agent, world.stranger):
        refused("only the owner", world.send, intruder, acct.address, door)
    world.send(acct.owner, acct.address, door)  # the owner's own door has no limits
    acct.execute(pay(world, world.usdc, 100 * USD))  # and uses none of the agent's
    assert thief_has(world, world.usdc) == 600 * USD


# ---- atomicity and hostile contracts ------------------------------------------------------

def test_ga_a_failing_call_undoes_the_whole_batch(world, acct):
    batch = ga.execute_data([pay(world, world.usdc, 10 * USD),
                             pay(world, world.gold, 1_000 * GOLD)], 0)  # more than it holds
    receipt = world.send_unchecked(world.agent, acct.address, batch)  # mined, and reverted
    assert receipt["status"] == 0
    assert acct.balance(world.usdc) == 1_000 * USD and thief_has(world, world.usdc) == 0
    assert acct.nonce() == 0 and acct.contract.functions.token_used(world.usdc.address).call() == 0
    acct.execute(pay(world, world.usdc, 10 * USD), nonce=0)
    assert thief_has(world, world.usdc) == 10 * USD


def test_ga_a_reentrant_token_changes_nothing(world, mode):
    world.fresh()
    token = world.deploy_test("ReentrantToken")
    transfer = selector(token, "transfer")
    account = world.open(mode, extended(default_policy(world), tokens=[
        ga.TokenRule(token=token.address, limit=100, usd_rate=0)], permissions=[
        ga.Permission(target=token.address, selector=transfer)]), name="reentrant")
    token.functions.mint(account.address, 1_000).transact({"from": world.funder})
    greedy = ga.change_hash(ga.setter_data("set_token_limit", token.address, 10**30, 0))
    token.functions.arm(account.address, [
        ga.execute_data([pay(world, token, 500)], 1),
        ga.setter_data("set_token_limit", token.address, 10**30, 0),
        ga.setter_data("schedule", greedy), ga.setter_data("set_agent", token.address),
        ga.setter_data("unpause"),
        ga.setter_data("owner_call", token.address, 0,
                       encode(token, "transfer", world.thief.address, 500)),
    ]).transact({"from": world.funder})
    account.execute(pay(world, token, 100))
    assert token.functions.reentries().call() == 0
    assert world.balance(token.address, world.thief.address) == 100 and account.nonce() == 1
    assert account.contract.functions.token_limit(token.address).call() == 100
    assert account.contract.functions.scheduled(greedy).call() == 0
    refused("over this token's limit", account.execute, pay(world, token, 1))


def test_ga_execute_cannot_be_reentered_even_by_its_agent(world, mode):
    """With a contract as the agent, a token it moves calls `execute` again with the next
    nonce: the reentrancy lock refuses it, and the same batch alone passes afterwards."""
    world.fresh()
    token = world.deploy_test("ReentrantToken")
    account = world.open(mode, extended(default_policy(world), permissions=[
        ga.Permission(target=token.address, selector=selector(token, "transfer"))]),
        name="contract agent", agent=token.address)
    token.functions.mint(account.address, 100).transact({"from": world.funder})
    inner = ga.execute_data([pay(world, token, 7)], 1)
    token.functions.arm(account.address, [inner]).transact({"from": world.funder})
    outer = ga.execute_data([pay(world, token, 5)], 0)
    token.functions.act(account.address, outer).transact({"from": world.funder})
    assert token.functions.reentries().call() == 0 and account.nonce() == 1
    token.functions.arm(account.address, []).transact({"from": world.funder})
    token.functions.act(account.address, inner).transact({"from": world.funder})
    assert account.nonce() == 2 and world.balance(token.address, world.thief.address) == 12


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode present:DeprecationWarning")
def test_ga_delegatecall_and_selfdestruct_tricks_move_only_the_coin_sent(world, mode):
    world.fresh()
    destroyer = world.deploy_test("Destroyer")
    account = world.open(mode, extended(default_policy(world), permissions=[
        ga.Permission(target=destroyer.address, selector=selector(destroyer, "boom"), value=True)]),
        name="destroyer")
    world.stock(account)
    attempts = [ga.setter_data("owner_call", world.usdc.address, 0,
                               encode(world.usdc, "transfer", world.thief.address, 500 * USD)),
                ga.setter_data("set_agent", destroyer.address),
                ga.initialize_data(destroyer.address, ga.Policy()),
                ga.execute_data([pay(world, world.usdc, 500 * USD)], 1)]
    boom = ("boom", account.address, world.usdc.address, world.thief.address, attempts)
    coin_before, thief_before = account.balance(NATIVE), world.balance(NATIVE, world.thief.address)
    account.execute(call(destroyer, *boom, value=GOLD // 50))
    assert destroyer.functions.successes().call() == 0
    assert world.balance(NATIVE, world.thief.address) == thief_before + GOLD // 50
    assert account.balance(NATIVE) == coin_before - GOLD // 50
    assert account.balance(world.usdc) == 1_000 * USD and account.nonce() == 1
    refused("over this token's limit for the window", account.execute,
            call(destroyer, *boom, value=GOLD // 30))


def test_ga_the_timelock_is_capped_so_the_owner_cannot_lock_itself_out(world, acct):
    year = 365 * 86400
    refused("the timelock may be at most 365 days", acct.owner_change, "set_delay", year + 1)
    acct.owner_change("set_delay", year)  # the longest allowed: at once (a tightening)
    start = world.now()
    eta = acct.schedule("set_delay", DELAY)  # and a way back still exists
    assert eta == start + year
