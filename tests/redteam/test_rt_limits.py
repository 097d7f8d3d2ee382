"""Red team, issue 21 class 4: every limit is re-checked under the spend lock at signing.

Payments are judged side by side in several real processes (each review sees the same
journal, so each is within the limit alone), then signed; the per-wallet spend lock and the
re-check at signing must let through only what fits. Before the fix only the overall daily
limit was re-checked: six processes spent $55 against a per-chain daily limit of $30.
A mandate tightened between judging and signing also applies at signing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from steward import chains
from steward.chains.config import load_config
from steward.contacts import resolve_recipient
from steward.execution import Executor
from steward.guard import GuardRefusal, approve, review
from steward.guard.mandate import MandateError, default_mandate_toml, mandate_path, parse_mandate
from steward.home import write_private
from steward.journal import Journal
from steward.planning.builders import transfer_plan
from steward.protocols import erc20
from steward.wallets import WalletStore

from conftest import PASSPHRASE, TEST_ENV

L1 = "sandbox-l1"
USDC = 10**6
PAYMENTS, PAYMENT, LIMIT = 3, 10, 25  # three $10 payments against $25: exactly two fit
BACKENDS = ["embedded", pytest.param("anvil", marks=pytest.mark.anvil)]
# Each kind of limit as mandate lines ([section] key = value), all else the default mandate.
KINDS = {
    "daily": {"per_transaction_usd": str(LIMIT), "daily_usd": str(LIMIT)},
    "per_chain": {"per_chain_daily_usd": f"{{ {L1} = {LIMIT} }}"},
    "per_token": {"per_token_daily": f"{{ USDC = {LIMIT} }}"},
}
RULES = {"daily": "daily limit", "per_chain": f"on {L1} exceeds its",
         "per_token": "daily limit for that token"}


def write_mandate(**lines: str) -> None:
    """The default mandate for "main" with `key = value` lines replaced; nothing to confirm
    below the limits, so each process signs what the guard allows."""
    lines = {"above_usd": str(LIMIT), "first_time_recipients": "false"} | lines
    text = default_mandate_toml("main")
    for key, value in lines.items():
        [line] = [line for line in text.splitlines() if line.startswith(f"{key} = ")]
        text = text.replace(line, f"{key} = {value}")
    write_private(mandate_path("main"), text)


def _pay_from_another_process(home: str, barrier, amount: str, out: str) -> None:
    """A separate Python process: review, wait until every process has reviewed, then
    approve and execute. Writes what happened to `out`."""
    os.environ.update(TEST_ENV | {"STEWARD_HOME": home})
    from steward.simulation import stop_idle_forks

    result: dict = {}
    try:
        store = WalletStore()
        main = store.get("main").address
        chain = load_config().chain(L1)
        plan = transfer_plan(chain, main, "USDC", amount,
                             resolve_recipient("alice", {"main": main}))
        verdict = review(plan, "main", own_wallets={"main": main})
        result = {"id": verdict.id, "decision": verdict.decision}
        chains.end_all_sessions()  # commit and let the others in (embedded chains)
        barrier.wait(timeout=300)
        if verdict.decision != "deny":
            try:
                Executor(store.unlock("main", PASSPHRASE), "main").execute(
                    plan, approve(verdict, by="test"))
                result["outcome"] = "executed"
            except GuardRefusal as refusal:
                result |= {"outcome": "refused", "message": str(refusal)}
    except Exception as exc:  # reported to the test, which fails on it
        result |= {"outcome": "error", "message": f"{type(exc).__name__}: {exc}"}
    finally:
        chains.end_all_sessions()
        stop_idle_forks()
        Path(out).write_text(json.dumps(result))


def pay_concurrently(home: Path, count: int, amount: str) -> list[dict]:
    chains.end_all_sessions()  # the embedded chains are the other processes' now
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    outs = [home / f"payment-{i}.json" for i in range(count)]
    processes = [context.Process(target=_pay_from_another_process,
                                 args=(str(home), barrier, amount, str(out))) for out in outs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=600)
        assert process.exitcode == 0
    return [json.loads(out.read_text()) for out in outs]


def observe(main: str, alice: str) -> dict:
    chains.end_all_sessions()  # see the other processes' committed blocks (embedded chains)
    w3 = chains.connect(load_config().chain(L1))
    return {"alice": erc20.balance_of(w3, load_config().chain(L1).tokens["USDC"], alice),
            "nonce": w3.eth.get_transaction_count(main),
            "txs": len([e for e in Journal().entries(limit=10_000)
                        if e.sender.lower() == main.lower()])}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_concurrent_payments_cannot_exceed_the_limit(kind, backend, request):
    home = request.getfixturevalue(f"{backend}_world")
    write_mandate(**KINDS[kind])
    main = WalletStore().get("main").address
    alice = resolve_recipient("alice").address
    before = observe(main, alice)

    results = pay_concurrently(home, PAYMENTS, str(PAYMENT))

    assert [r for r in results if r.get("outcome") == "error"] == []
    # Each was judged within the limit alone: the limit can only bite at signing.
    assert {r["decision"] for r in results} == {"allow"}
    executed = [r for r in results if r["outcome"] == "executed"]
    refused = [r for r in results if r["outcome"] == "refused"]
    assert len(executed) == LIMIT // PAYMENT and len(refused) == PAYMENTS - len(executed)
    for r in refused:
        assert "refused at signing" in r["message"] and RULES[kind] in r["message"]
        assert "nothing was signed" in r["message"]
    after = observe(main, alice)
    moved = after["alice"] - before["alice"]
    assert moved == len(executed) * PAYMENT * USDC <= LIMIT * USDC
    assert after["nonce"] - before["nonce"] == len(executed)
    assert after["txs"] - before["txs"] == len(executed)
    statuses = {v.id: v.status for v in Journal().verdicts(limit=1000, wallet="main")}
    assert all(statuses[r["id"]] == "judged" for r in refused)  # never marked executing
    assert all(statuses[r["id"]] == "executed" for r in executed)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_mandate_tightened_after_judging_applies_at_signing(backend, request):
    request.getfixturevalue(f"{backend}_world")
    write_mandate(above_usd="100")  # $1,000 per transaction
    store = WalletStore()
    main = store.get("main").address
    alice = resolve_recipient("alice").address
    chain = load_config().chain(L1)
    plan = transfer_plan(chain, main, "USDC", "50", resolve_recipient("alice"))
    verdict = review(plan, "main", own_wallets={"main": main})
    assert verdict.decision == "allow"
    write_mandate(per_transaction_usd="20", above_usd="20")
    before = observe(main, alice)
    with pytest.raises(GuardRefusal, match=r"refused at signing: moves \$50.00, above the "
                                           r"\$20.00 per-transaction limit"):
        Executor(store.unlock("main", PASSPHRASE), "main").execute(plan, verdict)
    assert observe(main, alice) == before
    [entry] = [v for v in Journal().verdicts(wallet="main") if v.id == verdict.id]
    assert entry.status == "judged"


def test_a_per_token_limit_is_judged_by_address_in_token_units(embedded_world):
    write_mandate(per_token_daily="{ USDC = 25 }")
    main = WalletStore().get("main").address
    chain = load_config().chain(L1)
    plan = transfer_plan(chain, main, "USDC", "26", resolve_recipient("alice"))
    verdict = review(plan, "main", own_wallets={"main": main})
    assert verdict.decision == "deny"
    assert {r.rule for r in verdict.reasons} >= {"limits.per_token_daily"}
    assert "26 USDC in 24 h on sandbox-l1 exceeds the 25 USDC daily limit" in verdict.explanation
    usdc = chain.tokens["USDC"].lower()
    assert [(o.token, o.amount) for o in verdict.outflows] == [(usdc, 26 * USDC)]
    assert verdict.limits.token_daily[usdc].amount == 25 * USDC
    eth = transfer_plan(chain, main, "ETH", "0.001", resolve_recipient("alice"))
    assert "limits.per_token_daily" not in {r.rule for r in review(eth, "main").reasons}


@pytest.mark.parametrize("table, error", [
    ("{ USDC = -1 }", "limits.per_token_daily.USDC: must not be negative"),
    ("{ USDC = \"5\" }", "limits.per_token_daily.USDC: must be an amount of USDC written as"),
    ("{ USDC = nan }", "limits.per_token_daily.USDC: must be a finite amount"),
    ("{ USDC = 1, usdc = 2 }", "USDC is limited twice"),
    ("[1]", "limits.per_token_daily: must be a table of token symbol = amount"),
    ("{ NOPE = 1 }", "limits.per_token_daily.NOPE: no chain in the registry has a token"),
])
def test_per_token_limits_are_read_strictly(embedded_world, table, error):
    text = default_mandate_toml("main").replace("per_token_daily = {}", f"per_token_daily = {table}")
    with pytest.raises(MandateError) as raised:
        parse_mandate(text, "main", "main.toml", load_config())
    assert error in str(raised.value)
