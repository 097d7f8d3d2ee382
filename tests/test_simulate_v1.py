"""eth_simulateV1: a whole plan simulated in one request on an RPC node, against the anvil-fork
path it replaces. For the same plans both must agree exactly (changes, approvals, native
transfers followed to their final holders, success, revert reason). A node without the method
sends plans to the fork (and is remembered); a node whose answer is malformed or truncated stops
the review: nothing is signed."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from web3 import Web3

from steward import chains
from steward.chains.backend import (
    BundleCall,
    MalformedAnswer,
    backend_for,
    forget_node_facts,
)
from steward.chains.config import load_config, update_chain
from steward.chains.rpc import count_round_trips
from steward.errors import StewardError
from steward.guard import review
from steward.journal import Journal
from steward.plans import Call, Plan
from steward.protocols import erc20
from steward.simulation import simulate, stop_idle_forks
from steward.wallets import WalletStore

from rpc_proxy import JsonRpcProxy, rpc_result, without_method

L1 = "sandbox-l1"
ETH = 10**18
USDC = 10**6
STRANGER = Web3.to_checksum_address("0x" + "5e1f5e1f" * 5)
COMPARED = ("success", "revert_reason", "changes", "approvals", "value_transfers")


@pytest.fixture(autouse=True)
def _fresh_node_facts():
    forget_node_facts()
    yield
    forget_node_facts()


@lru_cache(maxsize=1)
def _forwarder() -> tuple[list, str]:
    import vyper

    source = (Path(__file__).parent / "redteam" / "Forwarder.vy").read_text()
    with warnings.catch_warnings():  # `selfdestruct` is deprecated: leave() is there to use it
        warnings.simplefilter("ignore")
        out = vyper.compile_code(source, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


class World:
    def __init__(self):
        self.chain = load_config().chain(L1)
        self.w3 = chains.connect(self.chain)
        self.main = WalletStore().get("main").address
        self.bob = Web3.to_checksum_address("0x" + "b0b0b0b0" * 5)
        self.usdc = self.chain.tokens["USDC"]

    def plan(self, *calls: Call) -> Plan:
        return Plan(chain=L1, sender=self.main, calls=list(calls), summary="test")

    def erc20(self, token: str, function: str, *args) -> Call:
        return Call(to=token, data=erc20.encode(self.w3, token, "ERC20", function, *args),
                    description=function)

    def both(self, plan: Plan):
        """(eth_simulateV1 result, anvil-fork result), each checked for how it was made."""
        one = simulate(self.w3, self.chain, plan)
        fork = simulate(self.w3, self.chain, plan, one_call=False)
        assert one.method == f"eth_simulateV1 on {self.chain.rpc_url}"
        assert fork.method == f"anvil fork of {self.chain.rpc_url}"
        return one, fork

    def deploy_forwarder(self):
        abi, bytecode = _forwarder()
        operator = self.w3.eth.accounts[0]  # anvil's unlocked dev account: test set-up only
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_transaction({"from": operator, "data": bytecode}))
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=abi)


@pytest.fixture
def w(anvil_world) -> World:
    return World()


def agree(one, fork) -> None:
    for field in COMPARED:
        assert getattr(one, field) == getattr(fork, field), field
    assert [s.success for s in one.steps] == [s.success for s in fork.steps]
    assert [s.events for s in one.steps] == [s.events for s in fork.steps]


# --- the same answers as the fork ----------------------------------------------------------
def test_v1_erc20_transfer_matches_the_fork_in_one_round_trip(w):
    plan = w.plan(w.erc20(w.usdc, "transfer", w.bob, 7 * USDC))
    with count_round_trips() as trips:
        one = simulate(w.w3, w.chain, plan)
    assert trips.total == 1 and trips.methods["eth_simulateV1"] == 1
    one, fork = w.both(plan)
    agree(one, fork)
    assert one.success and one.delta(w.main, w.usdc) == -7 * USDC
    assert one.delta(w.bob, w.usdc) == 7 * USDC
    assert one.steps[0].gas_used == fork.steps[0].gas_used


def test_v1_native_transfer_matches_the_fork(w):
    one, fork = w.both(w.plan(Call(to=w.bob, value=ETH // 4, description="pay bob")))
    agree(one, fork)
    assert one.delta(w.main, None) == -(ETH // 4) and one.delta(w.bob, None) == ETH // 4
    assert [(t.sender, t.to, t.value) for t in one.value_transfers] == [(w.main, w.bob, ETH // 4)]
    assert one.fee_wei > 0  # priced at the node's gas price, though simulated without fees


def test_v1_second_step_needs_the_first(w):
    """approve(self) then transferFrom(self → bob): step 2 fails without step 1's allowance,
    and the allowance left afterwards is read on the simulated state."""
    approve = w.erc20(w.usdc, "approve", w.main, 5 * USDC)
    pull = w.erc20(w.usdc, "transferFrom", w.main, w.bob, 3 * USDC)
    one, fork = w.both(w.plan(approve, pull))
    agree(one, fork)
    assert one.success and one.delta(w.bob, w.usdc) == 3 * USDC
    [approval] = one.approvals
    assert (approval.spender, approval.amount, approval.remaining) == (w.main, 5 * USDC, 2 * USDC)
    alone, alone_fork = w.both(w.plan(pull))
    agree(alone, alone_fork)
    assert not alone.success and alone.revert_reason


def test_v1_approve_then_router_swap_matches_the_fork(w):
    router = w.chain.contracts["uniswap-v2:router"]
    weth = w.chain.tokens["WETH"]
    amount = 20 * USDC
    swap = Call(to=router, description="swap", data=erc20.encode(
        w.w3, router, "uniswap/UniswapV2Router02", "swapExactTokensForETH", amount, 1,
        [w.usdc, weth], w.main, 2**40))
    plan = w.plan(w.erc20(w.usdc, "approve", router, amount), swap)
    with count_round_trips() as trips:
        simulate(w.w3, w.chain, plan)
    assert trips.total <= 3
    one, fork = w.both(plan)
    agree(one, fork)
    assert one.success, one.revert_reason
    assert one.delta(w.main, w.usdc) == -amount and one.delta(w.main, None) > 0
    [approval] = one.approvals
    assert approval.remaining == 0
    # The pool that took the USDC is measured too (found from the events).
    assert any(c.token == w.usdc and c.delta == amount for c in one.changes)


def test_v1_planner_swap_matches_the_fork(w):
    """Whatever swap the planner makes today (its venue is being moved to an adapter registry)."""
    from steward.planning.builders import swap_plan

    try:
        plan = swap_plan(w.chain, w.main, "USDC", "3", "ETH")[0]
    except StewardError as exc:  # pragma: no cover - only while the planner is converted
        pytest.skip(f"the planner cannot make this swap now: {exc}")
    with count_round_trips() as trips:
        simulate(w.w3, w.chain, plan)
    assert trips.total <= 3
    one, fork = w.both(plan)
    agree(one, fork)
    assert one.success and one.delta(w.main, w.usdc) == -3 * USDC and one.delta(w.main, None) > 0


def test_v1_follows_native_value_through_a_contract(w):
    forwarder = w.deploy_forwarder()
    plan = w.plan(Call(to=forwarder.address, value=ETH // 10, description="forward",
                       data=forwarder.encode_abi("forward", [STRANGER])))
    one, fork = w.both(plan)
    agree(one, fork)
    assert one.delta(STRANGER, None) == ETH // 10
    assert one.delta(forwarder.address, None) == 0  # it only passed the coin on
    assert [t.to for t in one.value_transfers] == [forwarder.address, STRANGER]


def test_v1_reverting_step_stops_the_plan(w):
    too_much = w.erc20(w.usdc, "transfer", w.bob, 10**15 * USDC)
    later = Call(to=w.bob, value=ETH, description="never runs")
    one, fork = w.both(w.plan(too_much, later))
    agree(one, fork)
    assert not one.success and len(one.steps) == 1
    assert one.revert_reason == fork.revert_reason and "balance" in one.revert_reason
    assert one.delta(w.bob, None) == 0  # the later step's payment is not counted


def test_selfdestruct_payment_goes_to_the_fork(w):
    """anvil's traced transfers leave out SELFDESTRUCT: native coin does not add up among the
    accounts the trace names, so the plan is simulated on the fork, which sees the payee."""
    forwarder = w.deploy_forwarder()
    plan = w.plan(Call(to=forwarder.address, value=ETH // 10, description="leave",
                       data=forwarder.encode_abi("leave", [STRANGER])))
    result = simulate(w.w3, w.chain, plan)
    assert result.method.startswith("anvil fork of")
    assert result.delta(STRANGER, None) == ETH // 10


def test_value_above_the_balance_goes_to_the_fork(w):
    """The node refuses the whole bundle (insufficient funds): the fork says which step."""
    result = simulate(w.w3, w.chain, w.plan(Call(to=w.bob, value=10**9 * ETH, description="all")))
    assert result.method.startswith("anvil fork of")
    assert not result.success and result.revert_reason


def test_rpc_bundle_reads_before_and_after_the_calls(w):
    """`simulate_bundle` on the RPC node: reads before and after, steps in order."""
    balance = BundleCall(to=w.usdc, data=erc20.encode(w.w3, w.usdc, "ERC20", "balanceOf", w.bob))
    bundle = backend_for(w.chain).simulate_bundle(
        w.main, [w.erc20(w.usdc, "transfer", w.bob, USDC)], before=[balance], after=[balance])
    before, after = (int.from_bytes(r.output, "big") for r in (*bundle.before, *bundle.after))
    assert after - before == USDC and bundle.steps[0].success
    assert bundle.block == w.w3.eth.block_number and bundle.gas_price > 0


def test_embedded_bundle_runs_every_call_without_fees(embedded_world):
    """The embedded chain's `simulate_bundle`: the same shape, on its own throwaway state; like
    eth_simulateV1 it runs a call after a failed one and charges no fees."""
    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    main = WalletStore().get("main").address
    bob = Web3.to_checksum_address("0x" + "b0b0b0b0" * 5)
    usdc = chain.tokens["USDC"]
    balance = BundleCall(to=usdc, data=erc20.encode(w3, usdc, "ERC20", "balanceOf", bob))
    calls = [Call(to=usdc, data=erc20.encode(w3, usdc, "ERC20", "transfer", bob, 10**30),
                  description="too much"),
             Call(to=usdc, data=erc20.encode(w3, usdc, "ERC20", "transfer", bob, USDC),
                  description="pay"),
             Call(to=bob, value=ETH, description="pay")]
    eth_before = w3.eth.get_balance(main)
    bundle = backend_for(chain).simulate_bundle(main, calls, before=[balance], after=[balance])
    assert [step.success for step in bundle.steps] == [False, True, True]
    assert bundle.steps[0].output  # the revert data, for the simulation to decode
    before, after = (int.from_bytes(r.output, "big") for r in (*bundle.before, *bundle.after))
    assert after - before == USDC
    assert [(t.to, t.value) for t in bundle.steps[2].transfers] == [(bob, ETH)]
    assert w3.eth.get_balance(main) == eth_before  # nothing persisted
    assert erc20.balance_of(w3, usdc, bob) == before


# --- nodes that cannot, or lie ------------------------------------------------------------
def _malformed_simulate_v1(mode: str):
    """An `on_answer` that spoils eth_simulateV1's answer by `mode` (in a batch or not)."""

    def doctor(request: dict, answer: dict) -> dict:
        if request.get("method") != "eth_simulateV1":
            return answer
        calls = answer["result"][0]["calls"]
        if mode == "truncate":
            calls.pop()
        elif mode == "no_status":
            del calls[len(calls) // 2]["status"]
        elif mode == "bad_log":
            calls[len(calls) // 2]["logs"] = [{"address": "0x12", "topics": [], "data": "0x"}]
        return answer

    return doctor


@contextmanager
def proxied(mode: str):
    """sandbox-l1 reached through a proxy doing `mode` to eth_simulateV1, for the length of the
    block; yields the proxy (its `.asked` lists the methods asked)."""
    chain = load_config().chain(L1)
    hooks = ({"on_request": without_method("eth_simulateV1")} if mode == "no_method"
             else {"on_answer": _malformed_simulate_v1(mode)})
    with JsonRpcProxy(chain.rpc_url, **hooks) as proxy:
        update_chain(L1, rpc_url=proxy.url)
        chains.forget_connections()
        try:
            yield proxy
        finally:
            update_chain(L1, rpc_url=chain.rpc_url)
            chains.forget_connections()
            stop_idle_forks()  # forks of the proxy's URL


def test_node_without_simulate_v1_falls_back_to_the_fork_and_is_remembered(w):
    plan = w.plan(w.erc20(w.usdc, "transfer", w.bob, 2 * USDC))
    with proxied("no_method") as proxy:
        chain = load_config().chain(L1)
        verdict = review(plan, "main", own_wallets={"main": w.main})
        assert verdict.simulation.method == f"anvil fork of {chain.rpc_url}"
        assert verdict.simulation.success
        assert verdict.simulation.delta(w.main, w.usdc) == -2 * USDC
        assert verdict.simulation.delta(w.bob, w.usdc) == 2 * USDC
        review(plan, "main", own_wallets={"main": w.main})
        assert proxy.asked.count("eth_simulateV1") == 1  # not asked again


@pytest.mark.parametrize("mode", ["truncate", "no_status", "bad_log"])
def test_malformed_simulate_v1_answer_stops_the_review_and_nothing_is_signed(w, mode):
    plan = w.plan(w.erc20(w.usdc, "transfer", w.bob, 2 * USDC))
    nonce = w.w3.eth.get_transaction_count(w.main)
    usdc_before = erc20.balance_of(w.w3, w.usdc, w.bob)
    verdicts = len(Journal().verdicts(limit=10_000))
    with proxied(mode) as proxy:
        with pytest.raises(MalformedAnswer, match="nothing was signed"):
            review(plan, "main", own_wallets={"main": w.main})
        assert proxy.asked.count("eth_simulateV1") == 1
        # And the node is not written off as one without eth_simulateV1: no quiet fallback.
        assert backend_for(load_config().chain(L1)).prefers_bundle
    assert isinstance(MalformedAnswer("x"), StewardError)
    assert w.w3.eth.get_transaction_count(w.main) == nonce
    assert erc20.balance_of(w.w3, w.usdc, w.bob) == usdc_before
    assert len(Journal().verdicts(limit=10_000)) == verdicts  # no verdict: nothing to sign with


# --- the kept-alive transport ---------------------------------------------------------------
def test_keep_alive_transport_reconnects_when_the_node_dropped_the_connection():
    from steward.chains.rpc import CountingHTTPProvider

    # Answers one JSON-RPC request per connection and then drops it without saying so (as a
    # node or load balancer closing an idle keep-alive connection does).
    with JsonRpcProxy(on_request=lambda request: rpc_result(request, "0x2a"),
                      drop_connections=True) as node:
        provider = CountingHTTPProvider(node.url, timeout=5)
        with count_round_trips() as trips:
            answers = [provider.make_request("eth_blockNumber", []) for _ in range(3)]
        assert [a["result"] for a in answers] == ["0x2a"] * 3
        assert trips.total == 3 and node.connections == 3


def test_keep_alive_transport_leaves_proxies_to_requests(monkeypatch):
    from steward.chains.rpc import KeepAlivePoster

    assert KeepAlivePoster.handles("http://10.1.2.3:8545", {"timeout": 5})
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")
    assert not KeepAlivePoster.handles("http://10.1.2.3:8545", {"timeout": 5})
    assert not KeepAlivePoster.handles("https://user:secret@rpc.example/v1", {})
    assert not KeepAlivePoster.handles("http://10.1.2.3:8545", {"verify": False})


# --- the backend's facts ------------------------------------------------------------------
def _minted_to(backend, token: str, holder: str) -> bool:
    latest = backend.web3().eth.block_number
    return any(log[0] == token.lower() and log[2] == holder.lower()
               for log in backend.transfer_logs(0, latest))


def test_rpc_backend_facts(w):
    backend = backend_for(w.chain)
    assert backend.label == w.chain.rpc_url and not backend.relays_in_process
    assert backend.can_set_balance  # anvil
    backend.set_balance(STRANGER, 12_345)
    assert w.w3.eth.get_balance(STRANGER) == 12_345
    assert _minted_to(backend, w.usdc, w.main)


def test_embedded_backend_facts(embedded_world):
    chain = load_config().chain(L1)
    backend = backend_for(chain)
    assert backend.label == "embedded" and backend.relays_in_process
    assert not backend.can_set_balance and not backend.prefers_bundle
    with pytest.raises(StewardError, match="cannot set balances"):
        backend.set_balance(STRANGER, 1)
    assert _minted_to(backend, chain.tokens["USDC"], WalletStore().get("main").address)
