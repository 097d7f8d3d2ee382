"""The owner's mandate: the file format, strict validation with precise errors, and its CLI."""

from __future__ import annotations

import json
import stat

import pytest
import typer
from typer.testing import CliRunner

from steward.chains.config import default_config
from steward.cli.mandate_cmd import mandate_app
from steward.guard.mandate import (
    DEFAULT_SOURCE,
    USD,
    Allow,
    Limits,
    Mandate,
    MandateError,
    default_mandate,
    default_mandate_toml,
    load_mandate,
    mandate_path,
    mandate_summary,
    parse_mandate,
    unrestricted_mandate,
    usd_text,
    write_default_mandate,
)
from steward.wallets import WalletStore

SOURCE = "/somewhere/mandates/main.toml"
CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def with_change(section: str, line: str, new: str | None) -> str:
    """The default TOML with one line of a section replaced (None: removed) or added ("")."""
    text = default_mandate_toml("main")
    if line:
        old = next(row for row in text.splitlines() if row.startswith(line + " ="))
        return text.replace(old + "\n", "" if new is None else new + "\n")
    return text.replace(f"[{section}]\n", f"[{section}]\n{new}\n")


def error_of(text: str, chains=None) -> str:
    with pytest.raises(MandateError) as info:
        parse_mandate(text, "main", SOURCE, chains)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(SOURCE + ": ")
    return message


# ---- the default and its file ---------------------------------------------------------------


def test_default_mandate_values():
    m = default_mandate("main")
    assert m.wallet == "main" and m.source == DEFAULT_SOURCE
    assert m.limits.per_transaction_usd == 1_000 * USD == 1_000_000_000
    assert m.limits.daily_usd == 5_000 * USD and m.limits.per_chain_daily_usd == {}
    assert m.confirm.above_usd == 100 * USD and m.confirm.first_time_recipients
    a = m.allow
    assert (a.tokens, a.recipients, a.contracts, a.max_slippage_bps, a.max_approval) == (
        "any", "any", "known", 100, "exact")
    assert not (a.approvals_to_eoa or a.transfers_to_token_contracts or a.danger_tokens)


def test_default_toml_round_trips_to_the_default_model():
    text = default_mandate_toml("main")
    assert parse_mandate(text, "main", DEFAULT_SOURCE) == default_mandate("main")
    assert parse_mandate(text, "main", DEFAULT_SOURCE, default_config()) == default_mandate("main")
    # Every key is documented by a comment line just above it.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), line


def test_written_default_loads_back_with_its_path_as_source():
    path = write_default_mandate("main")
    assert path == mandate_path("main") and path.parent.name == "mandates"
    m = load_mandate("main")
    assert m.source == str(path)
    assert m.model_copy(update={"source": DEFAULT_SOURCE}) == default_mandate("main")


def test_missing_file_gives_the_builtin_default():
    assert not mandate_path("main").exists()
    m = load_mandate("main")
    assert m == default_mandate("main") and m.source == "built-in default"


def test_write_default_is_0600_and_does_not_overwrite():
    path = write_default_mandate("main")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text(with_change("limits", "daily_usd", "daily_usd = 7000"))
    assert write_default_mandate("main") == path
    assert load_mandate("main").limits.daily_usd == 7_000 * USD
    write_default_mandate("main", overwrite=True)
    assert load_mandate("main").limits.daily_usd == 5_000 * USD
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["main.toml"]  # no temp file left


def test_mandate_path_refuses_path_tricks():
    with pytest.raises(Exception):
        mandate_path("../evil")


# ---- amounts --------------------------------------------------------------------------------


def test_float_usd_is_converted_exactly():
    m = parse_mandate(with_change("confirm", "above_usd", "above_usd = 99.5"), "main", SOURCE)
    assert m.confirm.above_usd == 99_500_000
    m = parse_mandate(with_change("confirm", "above_usd", "above_usd = 0.1"), "main", SOURCE)
    assert m.confirm.above_usd == 100_000
    m = parse_mandate(with_change("confirm", "above_usd", "above_usd = 0.000001"), "main", SOURCE)
    assert m.confirm.above_usd == 1


def test_zero_amounts_are_allowed():
    text = with_change("confirm", "above_usd", "above_usd = 0")
    assert parse_mandate(text, "main", SOURCE).confirm.above_usd == 0


def test_usd_values_elsewhere():
    text = with_change("limits", "per_chain_daily_usd", "per_chain_daily_usd = { sandbox-l2 = 300 }")
    text = text.replace('max_approval = "exact"', "max_approval = 250.25")
    m = parse_mandate(text, "main", SOURCE)
    assert m.allow.max_approval == 250_250_000
    assert m.limits.per_chain_daily_usd == {"sandbox-l2": 300 * USD}


def test_usd_text():
    assert usd_text(1_000 * USD) == "$1,000.00"
    assert usd_text(99_500_000) == "$99.50"
    assert usd_text(1) == "$0.000001"
    assert usd_text(0) == "$0.00"


# ---- validation errors: file, dotted key, what was wrong and what is valid -----------------------


def test_unknown_key_is_an_error():
    message = error_of(with_change("allow", "", "max_slipage_bps = 50"))
    assert "allow.max_slipage_bps: unknown key" in message and "max_slippage_bps" in message
    message = error_of(default_mandate_toml("main") + "\n[extra]\nx = 1\n")
    assert "extra: unknown key" in message and "limits, confirm, allow" in message


def test_bad_enum_is_an_error():
    message = error_of(with_change("allow", "recipients", 'recipients = "everyone"'))
    assert message == f'{SOURCE}: allow.recipients: must be "any" or "address_book", got "everyone"'
    message = error_of(with_change("allow", "contracts", 'contracts = "all"'))
    assert "allow.contracts:" in message and '"known", "any"' in message
    message = error_of(with_change("allow", "max_approval", 'max_approval = "infinite"'))
    assert "allow.max_approval:" in message and '"exact", "unlimited"' in message


def test_negative_amount_is_an_error():
    message = error_of(with_change("limits", "daily_usd", "daily_usd = -5"))
    assert "limits.daily_usd: must not be negative" in message


def test_too_many_decimals_is_an_error():
    message = error_of(with_change("confirm", "above_usd", "above_usd = 99.1234567"))
    assert "confirm.above_usd: 99.1234567 has more than 6 decimal places" in message


def test_string_amount_is_an_error():
    message = error_of(with_change("limits", "per_transaction_usd", 'per_transaction_usd = "1000"'))
    assert "limits.per_transaction_usd: must be a USD amount written as a number" in message


def test_above_usd_over_per_transaction_is_an_error():
    message = error_of(with_change("confirm", "above_usd", "above_usd = 1500"))
    assert "confirm.above_usd: $1,500.00 is above limits.per_transaction_usd $1,000.00" in message
    assert "could never happen before the denial" in message


def test_per_transaction_over_daily_is_an_error():
    message = error_of(with_change("limits", "per_transaction_usd", "per_transaction_usd = 6000"))
    assert "limits.per_transaction_usd: $6,000.00 is above daily_usd $5,000.00" in message


def test_bad_checksum_address_in_contracts_is_an_error():
    lowered = CHECKSUMMED.lower()
    message = error_of(with_change("allow", "contracts", f'contracts = ["{CHECKSUMMED}", "{lowered}"]'))
    assert f"allow.contracts[1]: {lowered} is not an EIP-55 checksummed address" in message
    assert CHECKSUMMED in message
    message = error_of(with_change("allow", "contracts", 'contracts = ["0x1234"]'))
    assert "allow.contracts[0]: must be a 0x address" in message
    good = parse_mandate(with_change("allow", "contracts", f'contracts = ["{CHECKSUMMED}"]'),
                         "main", SOURCE)
    assert good.allow.contracts == [CHECKSUMMED]
    assert good.allow.contract_listed(lowered)


def test_toml_syntax_error_names_file_and_line():
    text = default_mandate_toml("main").replace("daily_usd = 5000", "daily_usd 5000")
    line = text.splitlines().index("daily_usd 5000") + 1
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: line {line}: invalid TOML")


def test_other_type_errors():
    assert "allow.max_slippage_bps: must be a whole number of basis points from 0 to 5000" in \
        error_of(with_change("allow", "max_slippage_bps", "max_slippage_bps = 6000"))
    assert "allow.danger_tokens: must be true or false" in \
        error_of(with_change("allow", "danger_tokens", 'danger_tokens = "no"'))
    assert "allow.tokens[1]: must be a token symbol" in \
        error_of(with_change("allow", "tokens", 'tokens = ["ETH", 5]'))
    assert "limits.daily_usd: missing" in error_of(with_change("limits", "daily_usd", None))
    no_table = "confirm = 5\n" + default_mandate_toml("main").replace("[confirm]\n", "[unused]\n")
    assert error_of(no_table) == f"{SOURCE}: confirm: must be a table [confirm], got 5"


def test_per_chain_limits_name_known_chains():
    text = with_change("limits", "per_chain_daily_usd", "per_chain_daily_usd = { l2 = 300 }")
    m = parse_mandate(text, "main", SOURCE, default_config())
    assert m.limits.per_chain_daily_usd == {"sandbox-l2": 300 * USD}  # alias resolved
    text = with_change("limits", "per_chain_daily_usd", "per_chain_daily_usd = { sandbox-l3 = 3 }")
    message = error_of(text, default_config())
    assert "limits.per_chain_daily_usd.sandbox-l3: unknown chain" in message
    assert "sandbox-l1, sandbox-l2" in message
    text = with_change("limits", "per_chain_daily_usd", "per_chain_daily_usd = { l1 = -3 }")
    assert "limits.per_chain_daily_usd.l1: must not be negative" in error_of(text)


def test_tokens_are_case_insensitive_and_matched_by_registry_address():
    from steward.chains.config import ChainConfig

    usdc, dai, fake = ("0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20)
    chain = ChainConfig(name="x", chain_id=1, tokens={"USDC": usdc, "DAI": dai})
    m = parse_mandate(with_change("allow", "tokens", f'tokens = ["eth", "Usdc", "{fake}"]'),
                      "main", SOURCE)
    assert m.allow.tokens == ["ETH", "USDC", fake]
    assert m.allow.token_allowed(chain, usdc) and m.allow.token_allowed(chain, None)
    assert m.allow.token_allowed(chain, fake)  # an explicit address
    assert not m.allow.token_allowed(chain, dai)
    lower = "0x" + "ab" * 20
    assert "not an EIP-55 checksummed address" in error_of(
        with_change("allow", "tokens", f'tokens = ["ETH", "{lower}"]'))


def test_models_validate_when_built_in_python():
    with pytest.raises(ValueError):
        Limits(per_transaction_usd=2, daily_usd=1)
    with pytest.raises(ValueError):
        Allow(tokens="any", recipients="all", contracts="known", max_slippage_bps=1,
              max_approval="exact")
    data = default_mandate("main").model_dump()
    assert Mandate.model_validate(data) == default_mandate("main")
    data["confirm"]["above_usd"] = 2_000 * USD
    with pytest.raises(ValueError, match="confirm.above_usd"):
        Mandate.model_validate(data)


def test_unrestricted_mandate_is_permissive():
    m = unrestricted_mandate("operator")
    assert m.allow.contracts == "any" and m.allow.max_approval == "unlimited"
    assert not m.confirm.first_time_recipients
    assert m.confirm.above_usd >= m.limits.per_transaction_usd  # never asks
    assert m.source != DEFAULT_SOURCE


def test_summary_rows():
    rows = dict(mandate_summary(default_mandate("main")))
    assert rows["deny above"] == "$1,000.00 per transaction, $5,000.00 per day"
    assert rows["confirm"] == "above $100.00; first-time recipients"
    assert rows["tokens"] == "any" and rows["contracts"].startswith("known")
    assert rows["max slippage"] == "1.00% (100 bps)"


# ---- the CLI --------------------------------------------------------------------------------


def cli(*args: str):
    app = typer.Typer()
    app.add_typer(mandate_app, name="mandate")
    return CliRunner().invoke(app, ["mandate", *args])


@pytest.fixture
def wallet():
    WalletStore().create("main", "correct horse battery staple")
    return "main"


def test_cli_init_show_check(wallet):
    result = cli("show")
    assert result.exit_code == 0, result.output
    assert "built-in default" in result.output and "$1,000.00" in result.output

    result = cli("init")
    assert result.exit_code == 0 and "wrote" in result.output
    assert mandate_path("main").exists()
    result = cli("init", "--wallet", "main")
    assert result.exit_code == 0 and "already exists" in result.output

    result = cli("show", "--json")
    data = json.loads(result.output)
    assert data["source"] == str(mandate_path("main"))
    assert data["limits"]["per_transaction_usd"] == 1_000_000_000

    result = cli("check")
    assert result.exit_code == 0 and f"ok: {mandate_path('main')}" in result.output


def test_cli_check_file_reports_the_error(tmp_path):
    bad = tmp_path / "other.toml"
    bad.write_text(with_change("allow", "recipients", 'recipients = "everyone"'))
    result = cli("check", str(bad))
    assert isinstance(result.exception, MandateError)
    assert str(bad) in str(result.exception) and "allow.recipients" in str(result.exception)
    good = tmp_path / "good.toml"
    good.write_text(default_mandate_toml("good"))
    result = cli("check", str(good))
    assert result.exit_code == 0 and "ok:" in result.output
