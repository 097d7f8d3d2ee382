"""The `[payments]` mandate: strict parsing with exact errors, merchants by origin, and the
chain-free rules of the payment guard (`check_terms`, `check_caps`)."""

from __future__ import annotations

import re
import tomllib

import pytest
from eth_utils import to_checksum_address

from steward.chains.config import load_config
from steward.guard.mandate import MandateError, default_mandate_toml, parse_mandate
from steward.guard.payment_mandate import (
    EXAMPLE,
    PaymentsMandate,
    PaymentsMandateError,
    load_payments_mandate,
    merchant_origin,
    parse_payments,
    payments_toml,
    read_payments_mandate,
)
from steward.guard.payments import PaymentRefused, PaymentRequest, check_caps, check_terms
from steward.service.wallets import wallet_address

SOURCE = "/home/x/mandates/main.toml"
LOCAL = "http://127.0.0.1:8402"
PINNED = "https://pinned.example"
PIN = to_checksum_address("0x" + "11" * 20)
OTHER = to_checksum_address("0x" + "22" * 20)
UNCHECKSUMMED = "0x" + "ab" * 20
CHECKSUMMED = to_checksum_address(UNCHECKSUMMED)

FULL = f"""
[payments]
networks = ["sandbox-l1"]
assets = ["USDC", "{CHECKSUMMED}"]
max_per_payment_usd = 0.5
max_validity_seconds = 120

[payments.merchants."{LOCAL}"]
max_per_period_usd = 5
period = "day"

[payments.merchants."{PINNED}/api"]
max_per_period_usd = 99.5
period = "week"
max_per_payment_usd = 0.1
pay_to = "{PIN}"
"""


def table(**changes) -> dict:
    """The FULL table as parsed TOML, with top-level keys changed (None: removed)."""
    data = tomllib.loads(FULL)["payments"]
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def with_local(**changes) -> dict:
    """The FULL table with keys of the LOCAL merchant changed."""
    data = table()
    data["merchants"][LOCAL].update(changes)
    return data


def refusal(data) -> str:
    with pytest.raises(PaymentsMandateError) as info:
        parse_payments(data, SOURCE)
    return str(info.value)


# ---- a valid table ---------------------------------------------------------------------------

def test_payments_full_table_parses_to_exact_rules():
    m = parse_payments(tomllib.loads(FULL)["payments"], SOURCE)
    assert m.networks == ["sandbox-l1"]
    assert m.assets == ["USDC", CHECKSUMMED]
    assert m.max_per_payment_usd == 500_000
    assert m.max_validity_seconds == 120
    assert list(m.merchants) == [LOCAL, PINNED]  # keys become origins: the path is dropped
    local, pinned = m.merchants[LOCAL], m.merchants[PINNED]
    assert (local.max_per_period_usd, local.period, local.max_per_payment_usd, local.pay_to) == \
        (5_000_000, "day", None, None)
    assert local.period_seconds == 86_400
    assert (pinned.max_per_period_usd, pinned.period, pinned.max_per_payment_usd,
            pinned.pay_to) == (99_500_000, "week", 100_000, PIN)
    assert m.source == SOURCE


def test_payments_toml_round_trips_to_an_equal_model():
    m = parse_payments(tomllib.loads(FULL)["payments"], SOURCE)
    text = payments_toml(m)
    assert "max_per_payment_usd = 0.1\n" in text and "max_per_period_usd = 99.5\n" in text
    assert parse_payments(tomllib.loads(text)["payments"], SOURCE) == m


def test_payments_usd_amounts_are_exact_micros_and_at_most_six_decimals():
    assert parse_payments(table(max_per_payment_usd=0.1), SOURCE).max_per_payment_usd == 100_000
    assert parse_payments(table(max_per_payment_usd=99.5), SOURCE).max_per_payment_usd == 99_500_000
    assert parse_payments(table(max_per_payment_usd=0.000001), SOURCE).max_per_payment_usd == 1
    with pytest.raises(MandateError) as info:
        parse_payments(table(max_per_payment_usd=0.1234567), SOURCE)
    assert str(info.value) == (f"{SOURCE}: payments.max_per_payment_usd: 0.1234567 has more than 6 "
                               "decimal places; the smallest step is 0.000001")
    with pytest.raises(MandateError) as info:
        parse_payments(with_local(max_per_period_usd="5"), SOURCE)
    assert str(info.value) == (f'{SOURCE}: payments.merchants."{LOCAL}".max_per_period_usd: must '
                               'be a USD amount written as a number like 100 or 99.5, got "5"')


# ---- every key's bad values --------------------------------------------------------------------

def test_payments_networks_must_be_a_non_empty_list():
    assert refusal(table(networks=[])) == (
        f'{SOURCE}: payments.networks: must be a non-empty list of chain names like '
        f'["sandbox-l1"], got []')
    assert refusal(table(networks=None)) == f"{SOURCE}: payments.networks: missing; it is required"


def test_payments_assets_must_be_a_list_without_any():
    assert refusal(table(assets="USDC")) == (
        f'{SOURCE}: payments.assets: must be a non-empty list of token symbols or checksummed '
        f'token addresses like ["USDC"], got "USDC"')
    assert refusal(table(assets=["USDC", "any"])) == (
        f'{SOURCE}: payments.assets[1]: must be a token symbol like "USDC" or a checksummed '
        f'token address, got "any"')


def test_payments_asset_address_must_be_checksummed_and_the_message_gives_the_form():
    assert refusal(table(assets=[UNCHECKSUMMED])) == (
        f"{SOURCE}: payments.assets[0]: {UNCHECKSUMMED} is not an EIP-55 checksummed address; "
        f"its checksummed form is {CHECKSUMMED}")


@pytest.mark.parametrize("value, shown", [(9, "9"), (3601, "3601"), (True, "true"),
                                          ("300", '"300"')])
def test_payments_max_validity_seconds_is_10_to_3600(value, shown):
    assert refusal(table(max_validity_seconds=value)) == (
        f"{SOURCE}: payments.max_validity_seconds: must be a whole number of seconds from 10 "
        f"to 3600, got {shown}")


def test_payments_max_validity_seconds_bounds_are_inclusive():
    assert parse_payments(table(max_validity_seconds=10), SOURCE).max_validity_seconds == 10
    assert parse_payments(table(max_validity_seconds=3600), SOURCE).max_validity_seconds == 3600


def test_payments_period_must_be_hour_day_week_or_month():
    assert refusal(with_local(period="year")) == (
        f'{SOURCE}: payments.merchants."{LOCAL}".period: must be one of hour, day, week, month, '
        f'got "year"')


def test_payments_unknown_keys_are_named_with_the_valid_ones():
    assert refusal(table(max_usd=1)) == (
        f"{SOURCE}: payments.max_usd: unknown key; valid keys: networks, assets, "
        f"max_per_payment_usd, max_validity_seconds, merchants")
    # `source` is the model's own bookkeeping, not a key the owner may set
    assert refusal(table(source="elsewhere")) == (
        f"{SOURCE}: payments.source: unknown key; valid keys in payments: networks, assets, "
        f"max_per_payment_usd, max_validity_seconds, merchants")
    assert refusal(with_local(per_day_usd=1)) == (
        f'{SOURCE}: payments.merchants."{LOCAL}".per_day_usd: unknown key; valid keys: '
        f"max_per_period_usd, period, max_per_payment_usd, pay_to")


def test_payments_merchant_must_be_a_table_with_a_period_cap():
    assert refusal(table(merchants={"http://a.com": 5})) == (
        f'{SOURCE}: payments.merchants."http://a.com": must be a table with max_per_period_usd '
        f"and period, got 5")
    data = with_local()
    del data["merchants"][LOCAL]["max_per_period_usd"]
    assert refusal(data) == (
        f'{SOURCE}: payments.merchants."{LOCAL}".max_per_period_usd: missing; it is required')


def test_payments_pay_to_must_be_a_checksummed_address():
    assert refusal(with_local(pay_to="0x12")) == (
        f'{SOURCE}: payments.merchants."{LOCAL}".pay_to: must be a 0x address of 40 hex digits, '
        f'got "0x12"')
    assert refusal(with_local(pay_to=UNCHECKSUMMED)) == (
        f'{SOURCE}: payments.merchants."{LOCAL}".pay_to: {UNCHECKSUMMED} is not an EIP-55 '
        f"checksummed address; its checksummed form is {CHECKSUMMED}")


@pytest.mark.parametrize("key, problem", [
    ("ftp://a.com", 'must be an http:// or https:// URL with a host, like '
                    '"https://api.example.com", got "ftp://a.com"'),
    ("http://", 'must be an http:// or https:// URL with a host, like '
                '"https://api.example.com", got "http://"'),
    ("a.com", 'must be an http:// or https:// URL with a host, like '
              '"https://api.example.com", got "a.com"'),
    ("http://user:pass@a.com", 'must not carry a user name or password, got '
                               '"http://user:pass@a.com"'),
])
def test_payments_merchant_key_must_be_an_http_origin(key, problem):
    assert refusal(table(merchants={key: {"max_per_period_usd": 5}})) == \
        f"{SOURCE}: payments.merchants: {key}: {problem}"


def test_payments_two_keys_for_one_origin_are_refused():
    merchants = {"http://a.com": {"max_per_period_usd": 5},
                 "http://A.com:80/x": {"max_per_period_usd": 500}}
    assert refusal(table(merchants=merchants)) == (
        f"{SOURCE}: payments.merchants: http://A.com:80/x: names the same merchant as another "
        f"entry (http://a.com)")


# ---- merchants are origins ---------------------------------------------------------------------

def test_merchant_origin_drops_default_ports_paths_and_case():
    assert merchant_origin("HTTPS://API.Example.com:443/a/b?c=1#d") == "https://api.example.com"
    assert merchant_origin("http://a.com:80") == "http://a.com"
    assert merchant_origin("http://a.com:443") == "http://a.com:443"  # not http's default
    assert merchant_origin("http://127.0.0.1:8402/checks") == LOCAL
    assert merchant_origin("http://[::1]:8402/x") == "http://[::1]:8402"


def test_merchant_origin_look_alike_unicode_host_is_another_merchant():
    look_alike = "http://\u0430pple.com"  # Cyrillic а
    assert merchant_origin(look_alike) == "http://xn--pple-43d.com"
    assert merchant_origin(look_alike) != merchant_origin("http://apple.com")
    m = parse_payments(table(merchants={"http://apple.com": {"max_per_period_usd": 5}}), SOURCE)
    assert m.merchant(look_alike + "/pay") == ("http://xn--pple-43d.com", None)
    assert m.merchant("http://apple.com/pay")[1] is not None


def test_merchant_origin_suffix_host_is_another_merchant():
    assert merchant_origin("https://api.example.com.evil.io/a") == "https://api.example.com.evil.io"
    m = parse_payments(table(merchants={"https://api.example.com": {"max_per_period_usd": 5}}),
                       SOURCE)
    assert m.merchant("https://api.example.com.evil.io/a")[1] is None
    assert m.merchant("https://api.example.com/b")[1] is not None


# ---- reading the file --------------------------------------------------------------------------

def test_read_payments_mandate_without_a_payments_table_pays_nobody(tmp_path):
    path = tmp_path / "main.toml"
    path.write_text(default_mandate_toml("main"), encoding="utf-8")
    with pytest.raises(PaymentsMandateError) as info:
        read_payments_mandate(path)
    assert str(info.value) == (f"{path}: no [payments] table; an agent pays only merchants its "
                               f"owner named, for example:\n{EXAMPLE}")
    assert '[payments.merchants."http://127.0.0.1:8402"]' in str(info.value)


def test_read_payments_mandate_missing_file_shows_the_example(tmp_path, steward_home):
    path = tmp_path / "absent.toml"
    with pytest.raises(PaymentsMandateError) as info:
        read_payments_mandate(path)
    assert str(info.value) == (f"{path}: no such mandate file; an agent pays only within a "
                               f"[payments] mandate, for example:\n{EXAMPLE}")
    with pytest.raises(PaymentsMandateError) as info:
        load_payments_mandate("main")
    assert str(info.value).startswith(f"{steward_home / 'mandates' / 'main.toml'}: no such "
                                      "mandate file")


def test_read_payments_mandate_reads_the_table_beside_the_rest(tmp_path):
    path = tmp_path / "main.toml"
    path.write_text(default_mandate_toml("main") + FULL, encoding="utf-8")
    m = read_payments_mandate(path)
    assert m.source == str(path) and list(m.merchants) == [LOCAL, PINNED]
    path.write_text("[payments\n", encoding="utf-8")
    with pytest.raises(PaymentsMandateError, match=re.escape(f"{path}: invalid TOML: ")):
        read_payments_mandate(path)


def test_main_mandate_parser_leaves_the_payments_table_to_payment_mandate():
    text = default_mandate_toml("main") + FULL
    mandate = parse_mandate(text, "main", SOURCE)
    plain = parse_mandate(default_mandate_toml("main"), "main", SOURCE)
    assert (mandate.limits, mandate.confirm, mandate.allow) == \
        (plain.limits, plain.confirm, plain.allow)


# ---- helpers for the guard ---------------------------------------------------------------------

def test_payments_per_payment_cap_is_the_stricter_of_table_and_merchant():
    m = parse_payments(tomllib.loads(FULL)["payments"], SOURCE)
    assert m.per_payment_cap(m.merchants[LOCAL]) == 500_000  # no merchant cap: the table's
    assert m.per_payment_cap(m.merchants[PINNED]) == 100_000  # merchant's is stricter
    loose = parse_payments(with_local(max_per_payment_usd=2), SOURCE)
    assert loose.per_payment_cap(loose.merchants[LOCAL]) == 500_000  # table's is stricter


def test_payments_describe_rows():
    m = parse_payments(tomllib.loads(FULL)["payments"], SOURCE)
    assert m.describe() == [
        ("networks", "sandbox-l1"),
        ("assets", f"USDC, {CHECKSUMMED}"),
        ("any one payment", "at most $0.50"),
        ("authorizations expire after", "120 s"),
        (LOCAL, "at most $5.00 a day"),
        (PINNED, f"at most $99.50 a week, $0.10 a payment, only to {PIN}"),
    ]


# ---- check_terms / check_caps against the chain registry ----------------------------------------

@pytest.fixture
def paying(embedded_world):
    """(mandate, a valid request to LOCAL in sandbox-l1 USDC, the sandbox-l1 config)."""
    chain = load_config().chain("sandbox-l1")
    mandate = parse_payments(table(assets=["USDC"]), SOURCE)
    request = PaymentRequest(wallet="main", payer=wallet_address("main"), url=f"{LOCAL}/checks",
                             chain="sandbox-l1", asset=chain.tokens["USDC"], pay_to=OTHER,
                             amount=10_000)
    return mandate, request, chain


def refused_terms(request: PaymentRequest, mandate: PaymentsMandate) -> str:
    with pytest.raises(PaymentRefused) as info:
        check_terms(request, mandate)
    return str(info.value)


def test_check_terms_passes_a_listed_payment(paying):
    mandate, request, chain = paying
    assert check_terms(request, mandate) is None
    pinned = request.model_copy(update={"url": f"{PINNED}/api/x", "pay_to": PIN})
    assert check_terms(pinned, mandate) is None
    # an asset listed by its registry address is the same asset as its symbol
    by_address = parse_payments(table(assets=[chain.tokens["USDC"]]), SOURCE)
    assert check_terms(request, by_address) is None


def test_check_terms_refuses_an_unlisted_network(paying):
    mandate, request, _ = paying
    l2 = load_config().chain("sandbox-l2")
    other = request.model_copy(update={"chain": "sandbox-l2", "asset": l2.tokens["USDC"]})
    assert refused_terms(other, mandate) == (
        "payments.networks: sandbox-l2 is not a network this wallet pays on (allowed: "
        "sandbox-l1); nothing was signed")


def test_check_terms_refuses_an_asset_not_allowed(paying):
    mandate, request, chain = paying
    usdt = chain.tokens["USDT"]
    assert refused_terms(request.model_copy(update={"asset": usdt}), mandate) == (
        f"payments.assets: {usdt} on sandbox-l1 is not an asset this wallet pays in (allowed: "
        f"USDC, by their registry addresses); nothing was signed")
    # a token that merely is not the registry's USDC address is refused the same way
    assert refused_terms(request.model_copy(update={"asset": CHECKSUMMED}), mandate).startswith(
        f"payments.assets: {CHECKSUMMED} on sandbox-l1 is not an asset")


def test_check_terms_refuses_an_unlisted_merchant(paying):
    mandate, request, _ = paying
    evil = request.model_copy(update={"url": "https://pinned.example.evil.io/api/x"})
    assert refused_terms(evil, mandate) == (
        f"payments.merchants: https://pinned.example.evil.io is not a merchant this wallet pays "
        f"(listed: {LOCAL}, {PINNED}); nothing was signed")
    other_port = request.model_copy(update={"url": "http://127.0.0.1:8403/checks"})
    assert refused_terms(other_port, mandate).startswith(
        "payments.merchants: http://127.0.0.1:8403 is not a merchant")


def test_check_terms_refuses_pay_to_other_than_the_pinned_one(paying):
    mandate, request, _ = paying
    diverted = request.model_copy(update={"url": f"{PINNED}/api/x", "pay_to": OTHER})
    assert refused_terms(diverted, mandate) == (
        f'payments.merchants."{PINNED}".pay_to: the merchant asked for payment to {OTHER}, but '
        f"this wallet pays it only at {PIN}; nothing was signed")


def test_check_caps_refuses_over_the_per_payment_cap(paying):
    mandate, request, _ = paying
    check_caps(request, mandate, 500_000, 0)  # exactly the cap is allowed
    with pytest.raises(PaymentRefused) as info:
        check_caps(request, mandate, 500_001, 0)
    assert str(info.value) == (
        f"payments.max_per_payment_usd: $0.500001 is above the $0.50 a payment this wallet "
        f"allows for {LOCAL}; nothing was signed")
    pinned = request.model_copy(update={"url": f"{PINNED}/api/x", "pay_to": PIN})
    with pytest.raises(PaymentRefused) as info:  # the merchant's stricter cap applies
        check_caps(pinned, mandate, 200_000, 0)
    assert str(info.value) == (
        f"payments.max_per_payment_usd: $0.20 is above the $0.10 a payment this wallet allows "
        f"for {PINNED}; nothing was signed")


def test_check_caps_refuses_over_the_per_period_cap(paying):
    mandate, request, _ = paying
    check_caps(request, mandate, 400_000, 4_600_000)  # exactly reaches the $5.00 a day
    with pytest.raises(PaymentRefused) as info:
        check_caps(request, mandate, 400_000, 4_600_001)
    assert str(info.value) == (
        f'payments.merchants."{LOCAL}".max_per_period_usd: $4.600001 already paid to {LOCAL} '
        f"this day; $0.40 more exceeds its $5.00; nothing was signed")


def test_write_payments_mandate_replaces_only_its_table_and_keeps_the_rest(steward_home):
    from steward.guard.mandate import load_mandate, mandate_path
    from steward.guard.payment_mandate import MerchantRule, PaymentsMandate, write_payments_mandate

    first = PaymentsMandate(networks=["sandbox-l1"], assets=["USDC"], max_per_payment_usd=100_000,
                            merchants={"https://a.example": MerchantRule(max_per_period_usd=1)})
    path = write_payments_mandate("main", first)  # no file yet: the default is written first
    limits = load_mandate("main").limits
    path.write_text(path.read_text() + '\n# the owner\'s note\n[commerce]\nmax_budget_usd = 5\n'
                    'counterparties = "any"\ntokens = ["USDC"]\nmin_reputation = 0\n'
                    'min_jobs = 0\n')
    second = first.model_copy(update={"merchants": {
        "https://b.example": MerchantRule(max_per_period_usd=2_000_000, period="week")}})
    write_payments_mandate("main", second)
    text = mandate_path("main").read_text()
    assert text.count("[payments]") == 1 and "https://a.example" not in text
    assert "# the owner's note" in text and "[commerce]" in text
    assert load_payments_mandate("main").merchants == second.merchants
    assert load_mandate("main").limits == limits
