"""The always-on commands as a person uses them: `steward orders init|list|check`, `steward
strategies`, `steward decisions` and `steward peg` (real processes on the embedded sandbox)."""

from __future__ import annotations

import json

from steward.sandbox import market
from steward.standing.orders import orders_path
from steward.wallets import WalletStore

from conftest import run_cli
from test_always_on import L1, USD6, calm_start, chain, chains, worker, write_mandate, write_orders


def test_always_on_cli_orders_init_list_check_and_a_broken_file(embedded_world):
    made = run_cli("orders", "init", home=embedded_world)
    assert made.returncode == 0, made.stderr
    assert orders_path("main").exists()
    listed = run_cli("orders", "list", "--json", home=embedded_world)
    assert listed.returncode == 0, listed.stderr
    kinds = [o["kind"] for o in json.loads(listed.stdout)["orders"]]
    assert sorted(kinds) == ["dca", "mix", "risk", "sweep"]
    again = run_cli("orders", "init", home=embedded_world)
    assert again.returncode == 1 and "--force" in again.stdout + again.stderr
    text = orders_path("main").read_text().replace("below = 0.99", "below = 0.999")
    orders_path("main").write_text(text)
    broken = run_cli("orders", "check", home=embedded_world)
    assert broken.returncode == 1
    said = broken.stdout + broken.stderr
    assert "below" in said and "0.995" in said  # the key, and the highest valid value


def test_always_on_cli_strategies_recommend_within_the_mandate(embedded_world):
    # Tilt main's stablecoins on sandbox-l1 to USDT: 20,000 USDT against 10,000 USDC.
    market.fund(chain(L1), WalletStore().get("main").address, "USDT", 10_000 * USD6)
    chains.end_all_sessions()
    write_orders("""
[[order]]
id = "too-big"
kind = "risk"
chain = "sandbox-l2"
token = "USDT"
into = "USDC"
below = 0.99
for = "30m"
max_per_day_usd = 9000
""")
    result = run_cli("strategies", "--json", home=embedded_world)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    titles = [r["title"] for r in found]
    cap = next(r for r in found if r["kind"] == "add-order" and "Cap USDT" in r["title"])
    assert "sandbox-l1" in cap["title"] and cap["numbers"]["share"] > 0.6
    # Steps sized to run unattended under the default mandate's $100 confirmation threshold.
    assert cap["numbers"]["step_usd"] == 100 * USD6 and 'kind = "mix"' in cap["toml"]
    assert any("depeg" in t and "sandbox-l1" in t for t in titles)
    fix = next(r for r in found if r["kind"] == "fix-order")
    assert any("per-transaction limit" in line for line in fix["reasoning"])
    assert any("daily limit" in line for line in fix["reasoning"])
    # A recommended order pasted into the file is a valid order.
    orders_path("main").write_text(cap["toml"])
    assert run_cli("orders", "check", home=embedded_world).returncode == 0


def test_always_on_cli_decisions_and_peg_chart(embedded_world):
    write_mandate()
    write_orders("""
[[order]]
id = "watch"
kind = "risk"
chain = "sandbox-l1"
token = "USDT"
into = "USDC"
below = 0.99
for = "30m"
max_per_day_usd = 100
""")
    w = worker()
    calm_start(w)
    decided = run_cli("decisions", "--json", home=embedded_world)
    assert decided.returncode == 0, decided.stderr
    rows = json.loads(decided.stdout)
    assert rows and rows[0]["order_id"] == "watch" and rows[0]["outcome"] == "skipped"
    chart = run_cli("peg", "usdt", home=embedded_world)
    assert chart.returncode == 0, chart.stderr
    assert "USDT peg" in chart.stdout and "$1.0" in chart.stdout
    unknown = run_cli("peg", "NOPE", home=embedded_world)
    assert unknown.returncode == 1 and "USDT" in unknown.stdout + unknown.stderr
