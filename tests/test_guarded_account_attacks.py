"""The guard switched off: a thief holds the AGENT KEY of a guarded account and talks to the
chain through web3.py alone — no Steward guard, no estimate — and tries what a thief would.

The wallet "main" is upgraded (EIP-7702) on sandbox-l1 under a tight mandate:
per_transaction_usd = 200, daily_usd = 500, per_token_daily = { USDC = 400, ETH = 0.05 },
so the account tracks ETH (0.05 per window), USDC (400), USDT and WETH (what $500 buys at the
rate), with $200 per batch and $500 per window, valued at the price + 5 % (USDC: $1.05).
Every attempt is a real transaction signed by the agent key with a fixed gas limit, mined:
what is over the policy must end with status 0 and the contract's "policy: ..." reason (read
by replaying it on the block before), with no balance moved; what the policy allows by design
(a payment or a swap to the thief within the limits) must lose exactly what the limits let go.

The core attacks run on the embedded chain and on anvil (`world`); the rest on embedded only.
Windows are fixed UTC days of block time: a run that straddles midnight UTC would see the
counters reset between two batches (each test takes seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from steward import chains, sandbox
from steward.accounts import contract as ga
from steward.accounts import manage, store
from steward.chains.embedded import persist
from steward.contacts import load_contacts
from steward.fulfilment import fulfil
from steward.journal import Journal
from steward.plans import Call
from steward.protocols import amm, erc20, registry
from steward.protocols.adapter import SwapOrder
from steward.simulation.reverts import revert_text
from steward.wallets import WalletStore

from conftest import PASSPHRASE, run_cli
import guarded_tx

L1, L2 = "sandbox-l1", "sandbox-l2"
USDC = 10**6
ETH = 10**18
MAX_UINT = 2**256 - 1
ATTACK_GAS = 1_500_000  # fixed: a thief does not ask for an estimate that would refuse first

OVER_TOKEN = "policy: over this token's limit for the window"
OVER_BATCH = "policy: over the per-batch USD limit"
OVER_WINDOW = "policy: over the USD limit for the window"
NOT_ALLOWED = "policy: this contract or function is not on the allowlist"
APPROVAL_LEFT = "policy: an approval was not used up within the batch"
ONLY_OWNER = "policy: only the owner"
SELF_CALL = "policy: a batch may not call the account itself"

# A thief's helper: when paid (a plain coin send, which the policy allows within the native
# limit), it pulls `amount` of `token` from the payer with whatever allowance the same batch
# granted it: an approval "used up" within the batch that moves the tokens to the thief.
PULLER_SOURCE = """
# pragma version 0.4.3
interface IERC20:
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

token: public(address)
thief: public(address)
amount: public(uint256)

@deploy
def __init__(token: address, thief: address, amount: uint256):
    self.token = token
    self.thief = thief
    self.amount = amount

@external
@payable
def __default__():
    extcall IERC20(self.token).transferFrom(msg.sender, self.thief, self.amount)
"""


def tighten_mandate() -> None:
    guarded_tx.set_limits("main", 200, 500, "{ USDC = 400, ETH = 0.05 }")


@dataclass
class Outcome:
    status: int
    reason: str | None  # the contract's reason, replayed on the block before; None if it passed


class Heist:
    """The upgraded account, its stolen agent key, and a thief's address."""

    def __init__(self):
        tighten_mandate()
        self.record = manage.upgrade("main", L1, PASSPHRASE)
        self.chain = chains.chain_config(L1)
        self.w3 = chains.connect(self.chain)
        self.account = self.record.address
        self.agent: LocalAccount = store.unlock_agent("main", PASSPHRASE)
        assert self.agent.address == self.record.agent != self.account
        self.thief = Account.create().address
        self.usdc, self.usdt = self.chain.tokens["USDC"], self.chain.tokens["USDT"]
        self.weth = self.chain.tokens["WETH"]
        self.contract = ga.at(self.w3, self.account)

    # ---- the policy as it stands on chain
    def state(self) -> ga.OnChainState:
        return ga.read_state(self.w3, self.account)

    def rule(self, token: str) -> ga.TokenRule:
        return self.state().policy.rule(token)

    def most_per_batch(self, token: str) -> int:
        """The most of `token` one batch may lose under the per-batch USD limit (a loss is
        valued rounded up: ceil(x * rate / 1e18) <= limit exactly when x * rate <= limit*1e18)."""
        return self.state().policy.batch_usd_limit * ga.RATE_SCALE // self.rule(token).usd_rate

    # ---- calls a thief encodes
    def transfer(self, token: str, to: str, amount: int) -> Call:
        return Call(to=token, data=erc20.encode(self.w3, token, "ERC20", "transfer", to, amount),
                    description="transfer")

    def approve(self, token: str, spender: str, amount: int) -> Call:
        return Call(to=token, data=erc20.encode(self.w3, token, "ERC20", "approve", spender,
                                                amount), description="approve")

    def pay(self, to: str, wei: int) -> Call:
        return Call(to=to, value=wei, description="plain coin send")

    def swap_to_thief(self, venue: str, amount_in: int) -> list[Call]:
        """approve + swap `amount_in` USDC for WETH on `venue`, paid to the thief, accepting
        any output at all (amountOutMinimum 0: a sandwich could take all of it)."""
        dex = registry.adapter(venue)
        route = registry.best_route(self.w3, self.chain, self.usdc, self.weth, amount_in, "in",
                                    [self.weth, self.usdc], venue)
        order = SwapOrder(route=route, recipient=self.thief, limit=0,
                          deadline=amm.deadline(self.w3))
        return [self.approve(self.usdc, dex.spender(self.chain), amount_in),
                *dex.swap_calls(self.w3, self.chain, order, "swap to the thief")]

    # ---- sending with the agent key, no guard
    def nonce(self) -> int:
        return self.contract.functions.nonce().call()

    def attempt(self, calls: list[Call], nonce: int | None = None) -> Outcome:
        """`execute(calls, nonce)` signed by the agent key and mined, whatever it does."""
        data = ga.execute_data(calls, self.nonce() if nonce is None else nonce)
        return self.direct(self.account, data, value=0)

    def direct(self, to: str, data: bytes | str, value: int = 0) -> Outcome:
        """One transaction from the agent key, signed and mined with a fixed gas limit."""
        base = self.w3.eth.get_block("latest")["baseFeePerGas"]
        tx = {"to": to, "data": data, "value": value, "gas": ATTACK_GAS,
              "maxFeePerGas": 2 * base + 1, "maxPriorityFeePerGas": 1,
              "chainId": self.chain.chain_id,
              "nonce": self.w3.eth.get_transaction_count(self.agent.address)}
        signed = self.agent.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction))
        persist(self.w3)
        assert receipt["from"] == self.agent.address
        if receipt["status"] == 1:
            return Outcome(1, None)
        try:
            self.w3.eth.call({"from": self.agent.address, "to": to, "data": data, "value": value},
                             receipt["blockNumber"] - 1)
        except Exception as exc:  # noqa: BLE001 — the revert, decoded
            return Outcome(0, revert_text(exc))
        return Outcome(0, "replaying it did not revert")

    def holdings(self) -> dict[tuple[str, str], int]:
        """Every tracked asset of the account and of the thief."""
        found = {}
        for who, address in (("account", self.account), ("thief", self.thief)):
            found[(who, "ETH")] = self.w3.eth.get_balance(address)
            for symbol in ("USDC", "USDT", "WETH"):
                found[(who, symbol)] = erc20.balance_of(self.w3, self.chain.tokens[symbol], address)
        return found

    def refused(self, calls: list[Call], reason: str, nonce: int | None = None) -> None:
        """The batch is mined and reverts with `reason`; nothing moves, no counter changes."""
        before, counters = self.holdings(), self.counters()
        outcome = self.attempt(calls, nonce)
        assert (outcome.status, outcome.reason) == (0, reason)
        assert self.holdings() == before
        assert self.counters() == counters

    def counters(self) -> tuple:
        state = self.state()
        return state.nonce, state.spent, state.usd_spent

    def lost(self, before: dict, symbol: str) -> int:
        return before[("account", symbol)] - self.holdings()[("account", symbol)]


@pytest.fixture
def heist(world) -> Heist:
    return Heist()


@pytest.fixture
def embedded_heist(embedded_world) -> Heist:
    return Heist()


# ---- both backends -------------------------------------------------------------------------

def test_ga_atk_policy_is_the_tight_mandate(heist):
    """What the attacks below are measured against (the per-token limits from the file, the
    USD limits from the file, the rates 5 % above the price)."""
    policy = heist.state().policy
    assert (policy.batch_usd_limit, policy.window_usd_limit) == (200 * USDC, 500 * USDC)
    assert heist.rule(heist.usdc).limit == 400 * USDC
    assert heist.rule(ga.NATIVE).limit == ETH // 20
    assert heist.rule(heist.usdc).usd_rate == 105 * ga.RATE_SCALE // 100  # $1.05 per USDC
    assert heist.most_per_batch(heist.usdc) == 190_476_190  # 190.476190 USDC = $199.9999995
    assert heist.state().agent == heist.agent.address and not heist.state().paused


def test_ga_atk_draining_usdc_in_one_batch_reverts(heist):
    held = erc20.balance_of(heist.w3, heist.usdc, heist.account)
    assert held == 10_000 * USDC
    heist.refused([heist.transfer(heist.usdc, heist.thief, held)], OVER_TOKEN)
    # Within the token's limit but over the batch's USD limit, even split inside the batch.
    most = heist.most_per_batch(heist.usdc)
    heist.refused([heist.transfer(heist.usdc, heist.thief, most + 1)], OVER_BATCH)
    half = (most + 2) // 2
    heist.refused([heist.transfer(heist.usdc, heist.thief, half),
                   heist.transfer(heist.usdc, heist.thief, most + 1 - half)], OVER_BATCH)


def test_ga_atk_several_batches_stop_exactly_at_the_window_limits(heist):
    """Batch after batch, the thief takes exactly what the window allows, and not one base
    unit (or one wei) more: 400 USDC (its token limit), then USDT and ETH up to $500 at the
    rates (the window's USD limit)."""
    start = heist.holdings()
    most = heist.most_per_batch(heist.usdc)
    for _ in range(2):
        assert heist.attempt([heist.transfer(heist.usdc, heist.thief, most)]).status == 1
    heist.refused([heist.transfer(heist.usdc, heist.thief, most)], OVER_TOKEN)
    rest = 400 * USDC - 2 * most
    assert heist.attempt([heist.transfer(heist.usdc, heist.thief, rest)]).status == 1
    heist.refused([heist.transfer(heist.usdc, heist.thief, 1)], OVER_TOKEN)

    state = heist.state()
    assert state.spent[heist.usdc] == 400 * USDC
    usd_left = state.policy.window_usd_limit - state.usd_spent
    usdt = usd_left * ga.RATE_SCALE // heist.rule(heist.usdt).usd_rate
    heist.refused([heist.transfer(heist.usdt, heist.thief, usdt + 1)], OVER_WINDOW)
    assert heist.attempt([heist.transfer(heist.usdt, heist.thief, usdt)]).status == 1
    left = heist.state().policy.window_usd_limit - heist.state().usd_spent
    valued = -(-usdt * heist.rule(heist.usdt).usd_rate // ga.RATE_SCALE)  # rounded up
    assert left == usd_left - valued < 2  # what the rounding leaves: under a micro-dollar
    if left:  # one wei of ETH is valued at one whole micro-dollar (rounded up)
        assert heist.attempt([heist.pay(heist.thief, 1)]).status == 1
    assert heist.state().usd_spent == 500 * USDC  # the window is exactly full
    heist.refused([heist.pay(heist.thief, 1)], OVER_WINDOW)

    now = heist.holdings()
    assert now[("thief", "USDC")] - start[("thief", "USDC")] == 400 * USDC
    assert now[("thief", "USDT")] - start[("thief", "USDT")] == usdt
    assert now[("thief", "ETH")] - start[("thief", "ETH")] == left
    assert heist.lost(start, "USDC") == 400 * USDC and heist.lost(start, "USDT") == usdt
    assert heist.lost(start, "ETH") == left and heist.lost(start, "WETH") == 0


def test_ga_atk_unlimited_approvals_revert(heist):
    router = registry.adapter("uniswap-v2").spender(heist.chain)
    heist.refused([heist.approve(heist.usdc, heist.thief, MAX_UINT)], APPROVAL_LEFT)
    heist.refused([heist.approve(heist.usdc, router, MAX_UINT)], APPROVAL_LEFT)  # left unused
    heist.refused([heist.approve(heist.usdt, heist.thief, 1)], APPROVAL_LEFT)
    for spender in (heist.thief, router):
        assert erc20.allowance(heist.w3, heist.usdc, heist.account, spender) == 0


def test_ga_atk_coin_beyond_the_native_limit_reverts(heist):
    limit = heist.rule(ga.NATIVE).limit
    heist.refused([heist.pay(heist.thief, limit + 1)], OVER_TOKEN)
    # Wrapped first, then sent as WETH: still the coin that left (gains never offset losses).
    deposit = Call(to=heist.weth, value=limit + 1, description="wrap",
                   data=erc20.encode(heist.w3, heist.weth, "uniswap/WETH9", "deposit"))
    heist.refused([deposit, heist.transfer(heist.weth, heist.thief, limit + 1)], OVER_TOKEN)
    # Exactly the limit goes (it is also within the batch's USD limit), then not one wei more.
    before = heist.holdings()
    assert heist.attempt([heist.pay(heist.thief, limit)]).status == 1
    heist.refused([heist.pay(heist.thief, 1)], OVER_TOKEN)
    assert heist.lost(before, "ETH") == limit == ETH // 20


def test_ga_atk_owner_functions_refuse_the_agent_key(heist):
    f = heist.contract.functions
    policy_before = heist.state()
    loosen = ga.setter_data("set_token_limit", heist.usdc, MAX_UINT >> 64, 1)
    attempts = {
        "set_token_limit": loosen,
        "set_usd_limits": ga.setter_data("set_usd_limits", MAX_UINT >> 64, MAX_UINT >> 64),
        "set_permission": ga.setter_data("set_permission", heist.thief, b"\xa9\x05\x9c\xbb", 3),
        "set_native_sends": ga.setter_data("set_native_sends", True),
        "set_agent": ga.setter_data("set_agent", heist.thief),
        "set_delay": ga.setter_data("set_delay", 0),
        "schedule": ga.setter_data("schedule", ga.change_hash(loosen)),
        "cancel": ga.setter_data("cancel", ga.change_hash(loosen)),
        "unpause": ga.setter_data("unpause"),
        "pause": ga.setter_data("pause"),
        "owner_call": ga.setter_data(
            "owner_call", heist.usdc, 0,
            bytes.fromhex(erc20.encode(heist.w3, heist.usdc, "ERC20", "transfer", heist.thief,
                                       1_000 * USDC)[2:])),
    }
    before = heist.holdings()
    for name, data in attempts.items():
        outcome = heist.direct(heist.account, data)
        assert (outcome.status, outcome.reason) == (0, ONLY_OWNER), name
        # The same call smuggled into a batch: the account never calls itself.
        heist.refused([Call(to=heist.account, data="0x" + data.hex(), description=name)],
                      SELF_CALL)
    again = ga.initialize_data(heist.thief, ga.Policy(window_usd_limit=MAX_UINT >> 64))
    assert heist.direct(heist.account, again).reason == "policy: already initialized"
    assert heist.holdings() == before
    after = heist.state()
    assert after.policy == policy_before.policy and after.agent == heist.agent.address
    assert (after.owner, after.paused, after.nonce) == (heist.account, False, policy_before.nonce)
    assert f.scheduled(ga.change_hash(loosen)).call() == 0
    assert f.permission(heist.thief, b"\xa9\x05\x9c\xbb").call() == 0


def test_ga_atk_an_old_or_future_batch_nonce_reverts(heist):
    pay = [heist.transfer(heist.usdc, heist.thief, 10 * USDC)]
    used = heist.nonce()
    assert heist.attempt(pay, used).status == 1
    heist.refused(pay, "policy: stale or replayed batch (nonce)", nonce=used)
    heist.refused(pay, "policy: stale or replayed batch (nonce)", nonce=used + 2)
    assert erc20.balance_of(heist.w3, heist.usdc, heist.thief) == 10 * USDC
    assert heist.nonce() == used + 1


def test_ga_atk_a_paused_account_refuses_the_agent_key(heist):
    manage.pause("main", L1, PASSPHRASE)
    assert heist.state().paused
    heist.refused([heist.transfer(heist.usdc, heist.thief, 1 * USDC)],
                  "policy: the account is paused")
    assert heist.direct(heist.account, ga.setter_data("unpause")).reason == ONLY_OWNER
    assert heist.state().paused


# ---- embedded only ------------------------------------------------------------------------

def test_ga_atk_many_small_batches_add_up_to_the_token_limit(embedded_heist):
    h = embedded_heist
    start = h.holdings()
    for _ in range(20):  # 20 × 20 USDC: each well within every limit alone
        assert h.attempt([h.transfer(h.usdc, h.thief, 20 * USDC)]).status == 1
    h.refused([h.transfer(h.usdc, h.thief, 1)], OVER_TOKEN)
    assert h.lost(start, "USDC") == 400 * USDC == h.rule(h.usdc).limit
    assert h.state().usd_spent == 20 * 21 * USDC  # $21.00 each at the rate


def test_ga_atk_contracts_and_functions_off_the_allowlist_revert(embedded_heist):
    h = embedded_heist
    zoo = {symbol: address for symbol, address in h.chain.tokens.items() if symbol.startswith("Z")}
    assert "ZHONEY" in zoo
    for symbol, token in sorted(zoo.items())[:4]:  # scam/zoo tokens are not tracked or allowed
        h.refused([h.transfer(token, h.thief, 1)], NOT_ALLOWED)

    def usdc(function: str, *args) -> str:
        return erc20.encode(h.w3, h.usdc, "ERC20", function, *args)

    tricks = [
        Call(to=h.usdc, data=usdc("transferFrom", h.account, h.thief, 10 * USDC),
             description="pull"),
        Call(to=h.chain.contracts["agent_registry"], data="0x12345678", description="any contract"),
        Call(to=h.chain.contracts["uniswap-v2:factory"],
             data=erc20.encode(h.w3, h.chain.contracts["uniswap-v2:factory"],
                               "uniswap/UniswapV2Factory", "createPair", h.usdc, h.thief),
             description="a registry contract's other function"),
        Call(to=h.thief, data="0xa9059cbb", description="calldata to an EOA"),
    ]
    for call in tricks:
        h.refused([call], NOT_ALLOWED)
    h.refused([Call(to=h.usdc, data="0xa905", description="short")], "policy: malformed calldata")
    h.refused([Call(to=h.usdc, value=1, data=usdc("transfer", h.thief, 1), description="value")],
              "policy: this call may not carry native value")
    # One forbidden call spoils the whole batch: the allowed transfer before it is undone.
    h.refused([h.transfer(h.usdc, h.thief, 5 * USDC), tricks[0]], NOT_ALLOWED)


@lru_cache(maxsize=1)
def _puller() -> tuple[list, str]:
    import vyper

    out = vyper.compile_code(PULLER_SOURCE, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


def test_ga_atk_transfer_from_inside_the_batch_is_counted_as_a_loss(embedded_heist):
    """The thief deploys a contract that, when paid a wei, pulls from the account what the same
    batch approved it: the approval IS used up by the end of the batch, so only the balance
    accounting stands between the thief and the tokens — and it counts them."""
    h = embedded_heist
    abi, bytecode = _puller()

    def puller(amount: int) -> str:
        initcode = Web3().eth.contract(abi=abi, bytecode=bytecode).constructor(
            h.usdc, h.thief, amount).data_in_transaction
        receipt = guarded_tx.send(h.w3, h.agent, None, bytes.fromhex(initcode[2:]), what="deploy")
        return receipt["contractAddress"]

    big = puller(1_000 * USDC)
    h.refused([h.approve(h.usdc, big, 1_000 * USDC), h.pay(big, 1)], OVER_TOKEN)
    most = h.most_per_batch(h.usdc) - 1  # one micro-dollar left for the wei (rounded up)
    small = puller(most)
    before = h.holdings()
    assert h.attempt([h.approve(h.usdc, small, most), h.pay(small, 1)]).status == 1
    assert h.lost(before, "USDC") == most and h.holdings()[("thief", "USDC")] == most
    assert h.state().spent[h.usdc] == most and h.state().usd_spent == 200 * USDC
    assert erc20.allowance(h.w3, h.usdc, h.account, small) == 0


@pytest.mark.parametrize("venue", ["uniswap-v2", "uniswap-v3"])
def test_ga_atk_swaps_paid_to_the_thief_lose_exactly_the_limit(embedded_heist, venue):
    """Through the allowlisted router, recipient = the thief, amountOutMinimum = 0: over the
    limits it reverts; within them it goes (by design), and the account loses exactly the USDC
    put in, whatever came out: the per-token limit bounds it however the pool was moved."""
    h = embedded_heist
    h.refused(h.swap_to_thief(venue, 400 * USDC), OVER_BATCH)
    h.refused(h.swap_to_thief(venue, 5_000 * USDC), OVER_TOKEN)
    start = h.holdings()
    most = h.most_per_batch(h.usdc)
    for _ in range(2):
        assert h.attempt(h.swap_to_thief(venue, most)).status == 1
    rest = h.rule(h.usdc).limit - 2 * most
    h.refused(h.swap_to_thief(venue, rest + 1), OVER_TOKEN)
    assert h.attempt(h.swap_to_thief(venue, rest)).status == 1
    now = h.holdings()
    assert h.lost(start, "USDC") == 400 * USDC  # the exact bound: USDC's limit per window
    assert h.lost(start, "WETH") == 0 and h.lost(start, "ETH") == 0
    assert now[("thief", "WETH")] > start[("thief", "WETH")]
    router = registry.adapter(venue).spender(h.chain)
    assert erc20.allowance(h.w3, h.usdc, h.account, router) == 0


# ---- paths without a guarded account ---------------------------------------------------------

def _last_tx(chain: str):
    return next(e for e in Journal().entries(100, "main") if e.chain == chain)


def test_ga_atk_a_plain_wallet_ask_signs_with_the_wallet_key(embedded_world):
    main = WalletStore().get("main").address
    bob = load_contacts()["bob"].address
    chain = chains.chain_config(L1)
    w3 = chains.connect(chain)
    nonce = w3.eth.get_transaction_count(main)
    bob_usdc = erc20.balance_of(w3, chain.tokens["USDC"], bob)
    chains.end_all_sessions()
    done = run_cli("ask", "send 2 USDC to bob on l1", "--yes", home=embedded_world)
    assert done.returncode == 0, done.stderr
    assert store.accounts_of("main") == [] and not store.unlock_agent("main", PASSPHRASE)
    w3 = chains.connect(chain)
    assert bytes(w3.eth.get_code(main)) == b""
    assert w3.eth.get_transaction_count(main) == nonce + 1
    assert erc20.balance_of(w3, chain.tokens["USDC"], bob) == bob_usdc + 2 * USDC
    entry = _last_tx(L1)
    assert (entry.sender, entry.to_address, entry.status) == (main, chain.tokens["USDC"], "success")


def ask(text: str):
    return fulfil(text, None, lambda outcome: True, passphrase=lambda: PASSPHRASE,
                  relayer=sandbox.bridge_relayer)


def test_ga_atk_a_wallet_guarded_on_l1_still_signs_itself_on_l2(embedded_world):
    tighten_mandate()
    record = manage.upgrade("main", L1, PASSPHRASE)
    main = WalletStore().get("main").address
    l1, l2 = (chains.connect(chains.chain_config(c)) for c in (L1, L2))
    nonces = l1.eth.get_transaction_count(main), l2.eth.get_transaction_count(main)
    assert ask("send 3 USDC to bob on l2").done
    entry = _last_tx(L2)
    assert entry.sender == main != record.agent
    assert l2.eth.get_transaction_count(main) == nonces[1] + 1
    assert ask("send 3 USDC to bob on l1").done
    entry = _last_tx(L1)
    assert (entry.sender, entry.to_address) == (record.agent, main)
    assert l1.eth.get_transaction_count(main) == nonces[0]  # the owner key signed nothing on l1
