"""Standing orders files: the four kinds, strict validation with the dotted key and what is
valid, chains and tokens against the registry, and hostile files refused cleanly."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from steward.chains.config import ChainConfig, StewardConfig, load_config
from steward.errors import StewardError
from steward.guard.mandate import USD
from steward.standing.orders import (
    BUFFER_BPS,
    DcaOrder,
    MixOrder,
    OrdersError,
    RiskOrder,
    SweepOrder,
    describe,
    load_orders,
    orders_path,
    parse_orders,
    sample_orders_toml,
    wallets_with_orders,
    write_sample_orders,
)

SOURCE = "/somewhere/orders/main.toml"

DCA = """
[[order]]
id = "weekly-eth"
kind = "dca"
chain = "sandbox-l1"
spend = 50
token_in = "USDC"
token_out = "ETH"
every = "7d"
"""
SWEEP = """
[[order]]
id = "sweep-l2"
kind = "sweep"
token = "USDC"
from_chain = "sandbox-l2"
to_chain = "sandbox-l1"
keep = 5000
every = "1d"
"""
MIX = """
[[order]]
id = "stable-mix"
kind = "mix"
chain = "sandbox-l1"
tokens = ["USDC", "USDT"]
max_share = { USDT = 0.6 }
max_step_usd = 1000
cooldown = "1h"
"""
RISK = """
[[order]]
id = "usdt-depeg"
kind = "risk"
chain = "sandbox-l1"
token = "USDT"
into = "USDC"
below = 0.99
for = "30m"
max_per_day_usd = 2000
"""


def _address(n: int) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(f"0x{n:040x}")


# A registry like the sandbox's (addresses made up), plus a Solana chain and an L1-only token.
REGISTRY = StewardConfig(chains={
    "sandbox-l1": ChainConfig(
        name="sandbox-l1", chain_id=1_337_001, aliases=["l1"],
        tokens={"USDC": _address(1), "USDT": _address(2), "WETH": _address(3),
                "ZUSD": _address(4)},
        token_decimals={"USDC": 6, "USDT": 6, "WETH": 18, "ZUSD": 6}),
    "sandbox-l2": ChainConfig(
        name="sandbox-l2", chain_id=1_337_002, aliases=["l2"],
        tokens={"USDC": _address(11), "USDT": _address(12)},
        token_decimals={"USDC": 6, "USDT": 6}),
    "sandbox-sol": ChainConfig(name="sandbox-sol", chain_id=1_337_101, family="solana",
                               native_symbol="SOL", aliases=["solana"]),
})


def with_line(order: str, key: str, line: str | None) -> str:
    """`order` with the line of `key` replaced by `line` (None: removed), or `line` added."""
    rows = order.strip("\n").split("\n")
    found = [i for i, row in enumerate(rows) if row.startswith(f"{key} =")]
    if found:
        if line is None:
            del rows[found[0]]
        else:
            rows[found[0]] = line
    elif line is not None:
        rows.append(line)
    return "\n".join(rows) + "\n"


def error_of(text: str, chains: StewardConfig | None = None) -> str:
    with pytest.raises(OrdersError) as info:
        parse_orders(text, "main", SOURCE, chains)
    message = str(info.value)
    assert message.startswith(SOURCE + ": ")
    # One printable ASCII line, short enough to read, whatever the file held.
    assert message.isascii() and message.isprintable(), repr(message)
    assert len(message) < 700, len(message)
    return message


def one(text: str, chains: StewardConfig | None = None):
    parsed = parse_orders(text, "main", SOURCE, chains)
    assert len(parsed.orders) == 1
    return parsed.orders[0]


# ---- the four kinds ---------------------------------------------------------------------------


def test_orders_each_kind_parses_with_its_defaults():
    parsed = parse_orders(DCA + SWEEP + MIX + RISK, "main", SOURCE)
    assert (parsed.wallet, parsed.source, parsed.alerts.webhook_url) == ("main", SOURCE, None)
    dca, sweep, mix, risk = parsed.orders
    assert dca == DcaOrder(id="weekly-eth", chain="sandbox-l1", spend="50", token_in="USDC",
                           token_out="ETH", every=7 * 86400)
    assert (dca.kind, dca.start, dca.slippage_bps, dca.enabled) == ("dca", 0, None, True)
    assert sweep == SweepOrder(id="sweep-l2", token="USDC", from_chain="sandbox-l2",
                               to_chain="sandbox-l1", keep="5000", every=86400)
    assert sweep.min_move == "0" and sweep.start == 0
    assert mix.tokens == ["USDC", "USDT"] and mix.max_share == {"USDT": Decimal("0.6")}
    assert (mix.band, mix.max_step_usd, mix.cooldown) == (Decimal("0.02"), 1000 * USD, 3600)
    assert (risk.below, risk.for_seconds, risk.max_per_day_usd) == (Decimal("0.99"), 1800,
                                                                    2000 * USD)
    assert risk.max_step_usd is None and risk.step_usd == 2000 * USD
    assert parsed.get("usdt-depeg") is risk and parsed.get("nope") is None


def test_orders_optional_keys_are_read_exactly():
    dca = one(with_line(DCA, "start", "start = 2026-12-01T01:00:00+01:00")
              + "slippage_bps = 50\nenabled = false\n")
    assert dca.start == int(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    assert (dca.slippage_bps, dca.enabled) == (50, False)
    sweep = one(SWEEP + "min_move = 100.5\n")
    assert sweep.min_move == "100.5"
    mix = one(with_line(MIX, "band", "band = 0") + "slippage_bps = 30\n")
    assert mix.band == 0 and mix.slippage_bps == 30
    risk = one(RISK + "max_step_usd = 1000.25\n")
    assert risk.max_step_usd == 1_000_250_000 and risk.step_usd == 1_000_250_000


def test_orders_no_orders_and_alerts_only():
    assert parse_orders("", "main", SOURCE).orders == []
    parsed = parse_orders('[alerts]\nwebhook_url = "https://hooks.example.com/a?b=1"\n',
                          "main", SOURCE)
    assert parsed.alerts.webhook_url == "https://hooks.example.com/a?b=1"


@pytest.mark.parametrize("written, seconds", [
    ('"90s"', 90), ('"30m"', 1800), ('"12h"', 43200), ('"7d"', 604800), ('"2w"', 1209600),
    ('"365d"', 365 * 86400),
])
def test_orders_durations(written, seconds):
    assert one(with_line(DCA, "every", f"every = {written}")).every == seconds


@pytest.mark.parametrize("written, wanted", [
    ("7", "must be a duration like"), ('"7 days"', "must be a duration like"),
    ('"1.5h"', "must be a duration like"), ('"-1d"', "must be a duration like"),
    ('""', "must be a duration like"), ('"30s"', "must be from 1 min to 365 d, got 30 s"),
    ('"53w"', "must be from 1 min to 365 d, got 371 d"), ("2026-01-01", "must be a duration"),
])
def test_orders_bad_durations_name_the_key_and_the_form(written, wanted):
    message = error_of(with_line(DCA, "every", f"every = {written}"))
    assert f"{SOURCE}: order[0].every: " in message and wanted in message


def test_orders_risk_debounce_is_at_least_five_minutes():
    message = error_of(with_line(RISK, "for", 'for = "4m"'))
    assert "order[0].for: must be from 5 min to 365 d, got 4 min" in message
    assert one(with_line(RISK, "for", 'for = "5m"')).for_seconds == 300


@pytest.mark.parametrize("written, text", [
    ("0.1", "0.1"), ("50.0", "50"), ("1e3", "1000"), ("1e-7", "0.0000001"),
    ("0.123456789012345678", "0.123456789012345678"),  # beyond a float's 17 digits: exact
    ("1_000", "1000"),
])
def test_orders_token_amounts_become_exact_canonical_text(written, text):
    assert one(with_line(DCA, "spend", f"spend = {written}")).spend == text


@pytest.mark.parametrize("written, wanted", [
    ("0", "must be more than 0, got 0"), ('"50"', "must be an amount written as a number"),
    ("-1", "must not be negative"), ("nan", "must be a finite number"),
    ("inf", "must be a finite number"), ("1e999999999", "too many digits"),
    ("1" * 200, "too many digits; at most 60"), ("true", "must be an amount"),
])
def test_orders_bad_token_amounts(written, wanted):
    message = error_of(with_line(DCA, "spend", f"spend = {written}"))
    assert "order[0].spend: " in message and wanted in message


@pytest.mark.parametrize("written, micros", [
    ("99.5", 99_500_000), ("0.000001", 1), ("1000000000000", 10**12 * USD), ("2e3", 2000 * USD),
])
def test_orders_usd_amounts_become_exact_usd_micros(written, micros):
    assert one(with_line(RISK, "max_per_day_usd", f"max_per_day_usd = {written}")
               ).max_per_day_usd == micros


@pytest.mark.parametrize("written, wanted", [
    ("0.0000001", "more than 6 decimal places"), ("0", "must be more than $0"),
    ("-5", "must not be negative"), ('"2000"', "a USD amount written as a number"),
    ("1e13", "is above $1,000,000,000,000.00"), ("1.0000000000000000000000000000000001",
                                                  "more than 6 decimal places"),
])
def test_orders_bad_usd_amounts(written, wanted):
    message = error_of(with_line(RISK, "max_per_day_usd", f"max_per_day_usd = {written}"))
    assert "order[0].max_per_day_usd: " in message and wanted in message


# ---- common mistakes: the dotted key and what is valid ----------------------------------------


def test_orders_unknown_key_lists_the_valid_keys_and_a_guess():
    message = error_of(DCA + SWEEP.replace("keep =", "kep ="))
    assert "order[1].kep: unknown key for a sweep order; valid keys: " in message
    assert "from_chain, to_chain, keep, min_move" in message and 'did you mean "keep"' in message
    # A key of another kind is unknown too, and "for_seconds" is not how the file says "for".
    assert "order[0].max_share: unknown key for a dca order" in error_of(
        DCA + "max_share = { USDT = 0.5 }\n")
    assert "order[0].for_seconds: unknown key for a risk order" in error_of(
        with_line(RISK, "for", "for_seconds = 1800"))


def test_orders_unknown_top_level_and_alerts_keys():
    assert f"{SOURCE}: orders: unknown key; valid at the top level" in error_of(
        "[[orders]]\nid = 'x'\n")
    assert "alerts.webhook: unknown key; valid keys in alerts: webhook_url" in error_of(
        '[alerts]\nwebhook = "https://example.com"\n')
    assert "order: must be [[order]] tables (double brackets)" in error_of(
        "[order]\nid = 'x'\n")


def test_orders_kind_missing_or_wrong():
    assert "order[0].kind: unknown kind \"dcaa\"; valid kinds: dca, sweep, mix, risk" in error_of(
        DCA.replace('"dca"', '"dcaa"'))
    assert "order[0].kind: missing; it is required: one of dca, sweep, mix, risk" in error_of(
        with_line(DCA, "kind", None))
    assert "order[0].spend: missing; it is required" in error_of(with_line(DCA, "spend", None))


def test_orders_duplicate_ids_are_refused():
    message = error_of(DCA + MIX + DCA)
    assert 'order[2].id: "weekly-eth" is already the id of order[0]; ids must be unique' in message


@pytest.mark.parametrize("written", ['"Weekly"', '"-x"', '""', '"' + "a" * 41 + '"', "7",
                                     '"weekly eth"', '"weekly_eth"'])
def test_orders_bad_ids(written):
    message = error_of(with_line(DCA, "id", f"id = {written}"))
    assert "order[0].id: must be 1 to 40 lower-case letters, digits and dashes" in message


def test_orders_risk_threshold_must_sit_beyond_the_feed_band():
    # USDT's feed band is 25 bps; with the 25 bps buffer the highest valid threshold is 0.995.
    message = error_of(with_line(RISK, "below", "below = 0.997"))
    assert "order[0].below: 0.997 is too close to $1" in message
    assert "25 bps deviation band" in message and f"{BUFFER_BPS} bps buffer" in message
    assert message.endswith("the highest valid value is 0.995")
    assert one(with_line(RISK, "below", "below = 0.995")).below == Decimal("0.995")
    # An unknown stablecoin gets the default band (50 bps) plus the buffer: 0.9925 at most.
    unknown = with_line(with_line(RISK, "token", 'token = "ZUSD"'), "below", "below = 0.993")
    assert "the highest valid value is 0.9925" in error_of(unknown)
    for outside in ("1", "1.01", "0.5", "0.2", '"0.99"'):
        message = error_of(with_line(RISK, "below", f"below = {outside}"))
        assert "order[0].below: must be a USD price between 0.5 and 1, like 0.99" in message


def test_orders_owners_stablecoin_facts_widen_the_band(steward_home):
    # The owner's own facts file (a wider band for USDT) is what the threshold is checked against.
    steward_home.mkdir(parents=True, exist_ok=True)
    (steward_home / "stablecoins.toml").write_text("[USDT]\nfeed_band_bps = 100\n")
    assert "the highest valid value is 0.9875" in error_of(RISK)
    assert one(with_line(RISK, "below", "below = 0.9875")).below == Decimal("0.9875")


def test_orders_risk_into_must_differ_and_step_fit_the_day():
    assert "order[0].into: must differ from token (USDT)" in error_of(
        with_line(RISK, "into", 'into = "usdt"'))
    message = error_of(RISK + "max_step_usd = 2500\n")
    assert "order[0].max_step_usd: $2,500.00 is above max_per_day_usd $2,000.00" in message


def test_orders_same_tokens_or_chains_are_refused():
    assert "order[0].token_out: must differ from token_in (USDC)" in error_of(
        with_line(DCA, "token_out", 'token_out = "usdc"'))
    assert "order[0].to_chain: must differ from from_chain (sandbox-l2)" in error_of(
        with_line(SWEEP, "to_chain", 'to_chain = "sandbox-l2"'))


@pytest.mark.parametrize("written, key, wanted", [
    ("{ USDT = 1 }", "max_share.USDT", "must be a share between 0 and 1 like 0.6"),
    ("{ USDT = 0 }", "max_share.USDT", "must be a share between 0 and 1"),
    ("{ USDT = 1.5 }", "max_share.USDT", "must be a share between 0 and 1"),
    ("{ USDT = -0.1 }", "max_share.USDT", "must be a share between 0 and 1"),
    ('{ USDT = "60%" }', "max_share.USDT", 'got "60%"'),
    ("{ DAI = 0.5 }", "max_share.DAI", "DAI is not in tokens; valid: USDC, USDT"),
    ("{}", "max_share", "at least one entry"),
    ("{ USDC = 0.4, USDT = 0.5 }", "max_share", "add up to less than 1"),
    ("{ usdt = 0.5, USDT = 0.6 }", "max_share.USDT", "USDT is given twice"),
])
def test_orders_mix_shares(written, key, wanted):
    message = error_of(with_line(MIX, "max_share", f"max_share = {written}"))
    assert f"order[0].{key}: " in message and wanted in message


def test_orders_mix_tokens_and_band():
    assert "order[0].tokens[1]: USDC is listed twice" in error_of(
        with_line(MIX, "tokens", 'tokens = ["USDC", "usdc", "USDT"]'))
    assert "order[0].tokens: must be a list of 2 to 10 token symbols" in error_of(
        with_line(MIX, "tokens", 'tokens = ["USDT"]'))
    assert "order[0].band: must be a share from 0 to 0.5" in error_of(MIX + "band = 0.6\n")
    assert one(with_line(MIX, "max_share", "max_share = { usdc = 0.5, usdt = 0.5 }")
               ).max_share == {"USDC": Decimal("0.5"), "USDT": Decimal("0.5")}


@pytest.mark.parametrize("line, wanted", [
    ("slippage_bps = 5001", "order[0].slippage_bps: must be a whole number of basis points from "
                            "0 to 5000"),
    ("slippage_bps = 0.5", "order[0].slippage_bps: must be a whole number of basis points"),
    ('enabled = "yes"', 'order[0].enabled: must be true or false, got "yes"'),
    ('start = "2026-12-01"', "order[0].start: must be a date and time with its zone"),
    ("start = 2026-12-01T00:00:00", "has no time zone"),
    ("start = 2026-12-01", "order[0].start: must be a date and time with its zone"),
    ("start = 1969-12-31T00:00:00Z", "is before 1970"),
    ('token_in = "US DC"', "order[0].token_in: must be a token symbol like \"USDC\""),
    ('chain = "Sandbox L1"', 'order[0].chain: must be a chain name like "sandbox-l1"'),
])
def test_orders_bad_values(line, wanted):
    key = line.split(" =")[0]
    assert wanted in error_of(with_line(DCA, key, line))


@pytest.mark.parametrize("url, wanted", [
    ("file:///etc/passwd", 'got a "file:" address'),
    ("javascript:alert(1)", 'got a "javascript:" address'),
    ("ftp://example.com/hook", 'got a "ftp:" address'),
    ("data:text/html,<b>x</b>", 'got a "data:" address'),
    ("http://", "(no host)"), ("https:///hook", "(no host)"),
    ("example.com/hook", "(no http:// or https://)"),
    ("http://example.com:99999/", "not a valid address"),
    ("http://exa mple.com/", "no spaces"), ("http://exämple.com/", "printable ASCII"),
])
def test_orders_webhook_must_be_http_with_a_host(url, wanted):
    message = error_of(f'[alerts]\nwebhook_url = "{url}"\n')
    assert "alerts.webhook_url: must be an http:// or https:// address with a host" in message
    assert wanted in message


# ---- chains and tokens against the registry ---------------------------------------------------


def test_orders_chains_and_tokens_checked_when_a_registry_is_given():
    # Aliases resolve to the registry's names; symbols are case-insensitive.
    sweep = one(SWEEP.replace('"sandbox-l2"', '"L2"').replace('"sandbox-l1"', '"l1"'), REGISTRY)
    assert (sweep.from_chain, sweep.to_chain) == ("sandbox-l2", "sandbox-l1")
    assert one(DCA.replace('"USDC"', '"usdc"'), REGISTRY).token_in == "USDC"
    # Without a registry nothing is looked up: the same unknown chain passes.
    assert one(with_line(DCA, "chain", 'chain = "mainnet"')).chain == "mainnet"
    message = error_of(with_line(DCA, "chain", 'chain = "mainnet"'), REGISTRY)
    assert ('order[0].chain: unknown chain "mainnet"; valid chains: sandbox-l1, sandbox-l2'
            in message)
    message = error_of(with_line(DCA, "token_out", 'token_out = "DOGE"'), REGISTRY)
    assert ('order[0].token_out: sandbox-l1 has no token "DOGE"; valid tokens on sandbox-l1: '
            "ETH, USDC, USDT, WETH, ZUSD") in message
    assert "order[0].tokens[1]: sandbox-l2 has no token \"ZUSD\"" in error_of(
        with_line(MIX.replace('"sandbox-l1"', '"sandbox-l2"'), "tokens",
                  'tokens = ["USDT", "ZUSD"]'), REGISTRY)


def test_orders_solana_chains_are_refused():
    for chain in ("sandbox-sol", "solana"):
        message = error_of(with_line(DCA, "chain", f'chain = "{chain}"'), REGISTRY)
        assert ("order[0].chain: sandbox-sol is a Solana chain; standing orders run on EVM "
                "chains only for now; valid chains: sandbox-l1, sandbox-l2") in message
    assert "order[0].to_chain: sandbox-sol is a Solana chain" in error_of(
        with_line(SWEEP, "to_chain", 'to_chain = "sandbox-sol"'), REGISTRY)


def test_orders_sweep_needs_a_bridged_token_on_both_chains():
    l1_to_l2 = SWEEP.replace('from_chain = "sandbox-l2"', 'from_chain = "sandbox-l1"').replace(
        'to_chain = "sandbox-l1"', 'to_chain = "sandbox-l2"')
    assert one(l1_to_l2, REGISTRY).from_chain == "sandbox-l1"
    # ZUSD exists on the L1 only: nothing to mint it into on the L2.
    assert 'order[0].token: sandbox-l2 has no token "ZUSD"; valid tokens on sandbox-l2: USDC, ' \
        'USDT' in error_of(with_line(l1_to_l2, "token", 'token = "ZUSD"'), REGISTRY)
    assert "order[0].token: ETH is sandbox-l2's native coin; this needs a registry token" in (
        error_of(with_line(SWEEP, "token", 'token = "ETH"'), REGISTRY))
    # The same chain by alias and by name is still one chain.
    assert "order[0].to_chain: is sandbox-l2, the same chain as from_chain" in error_of(
        with_line(SWEEP, "to_chain", 'to_chain = "l2"'), REGISTRY)


def test_orders_amounts_fit_the_tokens_decimals():
    message = error_of(with_line(DCA, "spend", "spend = 0.0000001"), REGISTRY)
    assert "order[0].spend: 0.0000001 has 7 decimal places; USDC has 6" in message
    eth = with_line(with_line(DCA, "token_in", 'token_in = "ETH"'), "token_out",
                    'token_out = "USDC"')
    assert one(with_line(eth, "spend", "spend = 0.0000001"), REGISTRY).spend == "0.0000001"
    assert "order[0].keep: 1.1234567 has 7 decimal places" in error_of(
        with_line(SWEEP, "keep", "keep = 1.1234567"), REGISTRY)


def test_orders_risk_watches_a_token_not_the_native_coin():
    message = error_of(with_line(RISK, "token", 'token = "ETH"'), REGISTRY)
    assert "order[0].token: ETH is sandbox-l1's native coin" in message


def test_orders_against_the_real_sandbox_registry(embedded_world):
    chains = load_config()
    parsed = parse_orders(sample_orders_toml("main"), "main", SOURCE, chains)
    assert [o.kind for o in parsed.orders] == ["dca", "sweep", "mix", "risk"]
    assert one(DCA.replace('"sandbox-l1"', '"l2"'), chains).chain == "sandbox-l2"
    assert "valid chains: sandbox-l1, sandbox-l2" in error_of(
        with_line(DCA, "chain", 'chain = "sandbox-l3"'), chains)
    assert "sandbox-sol is a Solana chain; standing orders run on EVM chains only" in error_of(
        with_line(DCA, "chain", 'chain = "sandbox-sol"'), chains)
    message = error_of(with_line(MIX, "tokens", 'tokens = ["USDT", "DAI"]'), chains)
    assert 'order[0].tokens[1]: sandbox-l1 has no token "DAI"; valid tokens on sandbox-l1: ETH' in (
        message)
    # ZUSD is an L1-only token: it cannot be swept to or from the L2.
    assert 'order[0].token: sandbox-l2 has no token "ZUSD"' in error_of(
        with_line(SWEEP, "token", 'token = "ZUSD"'), chains)
    assert "USDC has 6" in error_of(with_line(DCA, "spend", "spend = 1.0000001"), chains)


# ---- the sample, the file on disk, descriptions -----------------------------------------------


def test_orders_sample_parses_back_to_the_four_kinds():
    text = sample_orders_toml("main")
    parsed = parse_orders(text, "main", SOURCE, REGISTRY)
    dca, sweep, mix, risk = parsed.orders
    assert (dca.spend, dca.token_in, dca.token_out, dca.every) == ("50", "USDC", "ETH", 604800)
    assert (sweep.token, sweep.keep, sweep.from_chain, sweep.to_chain) == (
        "USDC", "5000", "sandbox-l2", "sandbox-l1")
    assert mix.max_share == {"USDT": Decimal("0.6")} and mix.tokens == ["USDC", "USDT"]
    assert (risk.token, risk.below, risk.for_seconds, risk.into, risk.max_per_day_usd) == (
        "USDT", Decimal("0.99"), 1800, "USDC", 2000 * USD)
    assert all(order.enabled for order in parsed.orders) and parsed.alerts.webhook_url is None
    # Each order is introduced by a comment a person reads; the webhook is shown, commented out.
    assert text.count("\n# ") >= 20 and '# webhook_url = "http' in text
    uncommented = text.replace("# webhook_url", "webhook_url").replace("# [alerts]", "[alerts]")
    assert parse_orders(uncommented, "main", SOURCE).alerts.webhook_url.startswith("http://")
    with pytest.raises(StewardError):
        sample_orders_toml("main\n[[order]]")


def test_orders_describe_each_kind():
    parsed = parse_orders(sample_orders_toml("main"), "main", SOURCE)
    assert [describe(order) for order in parsed.orders] == [
        "DCA: 50 USDC → ETH on sandbox-l1 every 7 d",
        "Sweep: USDC above 5000 on sandbox-l2 → sandbox-l1 every 1 d, at least 100 a move",
        "Mix: USDT at most 60% (acts above 62%) of USDC + USDT on sandbox-l1; at most "
        "$1,000.00 a step, 1 h apart",
        "Risk: USDT below $0.99 for 30 min on sandbox-l1 → USDC; at most $2,000.00 a day, "
        "$1,000.00 a step",
    ]
    paused = one(DCA + "enabled = false\n")
    assert describe(paused) == "DCA: 50 USDC → ETH on sandbox-l1 every 7 d (paused)"


def test_orders_file_on_disk(steward_home):
    assert load_orders("main").orders == [] and wallets_with_orders() == []
    path = write_sample_orders("main")
    assert path == orders_path("main") == steward_home / "orders" / "main.toml"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = load_orders("main")
    assert len(loaded.orders) == 4 and loaded.source == str(path)
    path.write_text(DCA)
    assert write_sample_orders("main") == path and path.read_text() == DCA  # not overwritten
    write_sample_orders("main", overwrite=True)
    assert len(load_orders("main").orders) == 4
    (steward_home / "orders" / "Not A Wallet.toml").write_text(DCA)
    write_sample_orders("savings")
    assert wallets_with_orders() == ["main", "savings"]
    with pytest.raises(StewardError):
        orders_path("../mandates/main")


def test_orders_untrusted_files_are_refused(steward_home):
    path = write_sample_orders("main")
    os.chmod(path, 0o666)
    with pytest.raises(OrdersError, match="other users can write to it"):
        load_orders("main")
    os.chmod(path, 0o600)
    path.rename(steward_home / "elsewhere.toml")
    path.symlink_to(steward_home / "elsewhere.toml")
    with pytest.raises(OrdersError, match="symbolic link"):
        load_orders("main")
    path.unlink()
    path.symlink_to(steward_home / "gone.toml")  # a dangling link is not "no orders"
    with pytest.raises(OrdersError):
        load_orders("main")


def test_orders_models_are_strict_when_built_directly():
    with pytest.raises(ValidationError):
        DcaOrder(id="x", chain="sandbox-l1", spend="1e3", token_in="USDC", token_out="ETH",
                 every=3600)
    with pytest.raises(ValidationError):
        RiskOrder(id="x", chain="sandbox-l1", token="USDT", into="USDC", below=Decimal("0.99"),
                  for_seconds=60, max_per_day_usd=USD)
    with pytest.raises(ValidationError):
        MixOrder(id="x", chain="sandbox-l1", tokens=["USDC", "USDT"], max_share={},
                 max_step_usd=USD, cooldown=60)
    order = SweepOrder(id="x", token="USDC", from_chain="a", to_chain="b", keep="1", every=60)
    with pytest.raises(ValidationError):
        order.keep = "2"  # frozen


# ---- hostile files ----------------------------------------------------------------------------


@pytest.mark.parametrize("line, key", [
    ('id = "\\u001b[31mred\\u001b[0m"', "id"),
    ('id = "<script>alert(1)</script>"', "id"),
    ('id = "weekly\\neth"', "id"),
    ('token_in = "<b>USDC</b>"', "token_in"),
    ('token_in = "US\\u202eDC"', "token_in"),
    ('token_in = "USDC\\u0000"', "token_in"),
    ('chain = "sandbox-l1\\r\\nSet-Cookie: x"', "chain"),
])
def test_orders_hostile_text_is_refused_and_shown_escaped(line, key):
    message = error_of(with_line(DCA, key, line))
    assert f"order[0].{key}: must be" in message
    assert "\x1b" not in message and "\u202e" not in message and "\n" not in message


def test_orders_hostile_keys_are_quoted_in_messages():
    message = error_of(DCA + '"\\u001b[2Jevil" = 1\n')
    assert 'order[0]."\\u001b[2Jevil": unknown key for a dca order' in message
    message = error_of(with_line(MIX, "max_share", 'max_share = { "US DT\\u0007" = 0.5 }'))
    assert 'order[0].max_share."US DT\\u0007": must be a token symbol' in message


def test_orders_enormous_files_and_values_are_refused_quickly():
    started = time.monotonic()
    big = "# padding\n" * 30_000 + DCA
    assert "the file has 300," in error_of(big) and "at most 262,144" in error_of(big)
    message = error_of(with_line(DCA, "id", 'id = "' + "x" * 200_000 + '"'))
    assert "order[0].id: must be" in message and "..." in message
    assert "too many digits" in error_of(with_line(DCA, "spend", "spend = " + "9" * 5000))
    assert "nested too deeply" in error_of("x = " + "[" * 100_000)
    many = "".join(DCA.replace("weekly-eth", f"o{i}") for i in range(101))
    assert "order: 101 orders; a file holds at most 100" in error_of(many)
    assert "line 2: invalid TOML" in error_of("[alerts]\nwebhook_url = \n")
    assert time.monotonic() - started < 5


def test_orders_huge_file_on_disk_is_not_read_whole(steward_home):
    path = orders_path("main")
    with open(path, "w") as handle:
        handle.write("#" * (20 * 1024 * 1024))
    os.chmod(path, 0o600)
    with pytest.raises(OrdersError, match="an orders file may have at most 262,144"):
        load_orders("main")
    path.write_bytes(b"\xff\xfe[[order]]\n")
    with pytest.raises(OrdersError, match="cannot read the orders file: UnicodeDecodeError"):
        load_orders("main")
