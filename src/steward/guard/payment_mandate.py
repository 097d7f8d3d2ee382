"""The owner's payments mandate: which pay-per-request (x402) payments the agent may make alone.

It is the `[payments]` table of the wallet's mandate file (`<home>/mandates/<wallet>.toml`), read
as strictly as the rest of that file: an unknown key, a wrong type or an impossible value is a
`MandateError` naming the file, the dotted key, what was wrong and what is valid. A wallet
without the table pays nobody: an agent never pays a merchant its owner did not name.

```toml
[payments]
networks = ["sandbox-l1"]      # chains (registry names) a payment may be made on
assets = ["USDC"]              # registry symbols or checksummed token addresses
max_per_payment_usd = 0.5      # any one payment, whoever the merchant
max_validity_seconds = 300     # a signed authorization expires at most this long after signing

[payments.merchants."http://127.0.0.1:8402"]
max_per_period_usd = 5         # what this merchant may be paid in one period
period = "day"                 # "hour", "day", "week" or "month" (30 days), rolling
max_per_payment_usd = 0.1      # optional; the stricter of this and the table's applies
pay_to = "0x…"                 # optional: payments to this merchant may go only to this address
```

A merchant is an origin (scheme, host and port), so `https://api.example.com/a` and
`https://api.example.com/b` are one merchant, and `https://api.example.com.evil.io` another.
Every payment is also spending like any other: the wallet's `[limits]` (per transaction, daily,
per chain, per token) count it, and the guard reviews it as the transfer it authorizes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import idna
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from steward.guard.mandate import (
    PAYMENTS_SECTION,
    MandateError,
    _show,
    _token_entry,
    _usd_from_toml,
    mandate_path,
    read_table,
    replace_table,
    usd_text,
    write_default_mandate,
)

PERIOD_SECONDS = {"hour": 3600, "day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}
MAX_VALIDITY_SECONDS = 3600
EXAMPLE = ('[payments]\nnetworks = ["sandbox-l1"]\nassets = ["USDC"]\nmax_per_payment_usd = 0.5\n\n'
           '[payments.merchants."http://127.0.0.1:8402"]\nmax_per_period_usd = 5\nperiod = "day"')
_DEFAULT_PORTS = {"http": 80, "https": 443}


class PaymentsMandateError(MandateError):
    """A `[payments]` table that cannot be used."""


def merchant_origin(url: str) -> str:
    """The merchant a URL belongs to: ``scheme://host[:port]``, lower-cased, the host in IDNA
    (so a look-alike Unicode host is a different merchant, not the listed one), the default port
    left out. Raises ValueError for anything that is not an absolute http(s) URL."""
    if not isinstance(url, str):
        raise ValueError(f"must be an http(s) URL, got {_show(url)}")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host, like "
                         f"\"https://api.example.com\", got {_show(url)}")
    if parts.username or parts.password:
        raise ValueError(f"must not carry a user name or password, got {_show(url)}")
    scheme = parts.scheme.lower()
    try:
        host = idna.encode(parts.hostname, uts46=True).decode("ascii")
    except idna.IDNAError:
        host = parts.hostname.lower()
        if not host.replace(".", "").replace(":", "").replace("-", "").isalnum():
            raise ValueError(f"has a host that is not a valid domain name: {_show(url)}") from None
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"has an invalid port: {_show(url)}") from None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _usd_key(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a non-negative USD amount, got {_show(value)}")
    return value


class MerchantRule(BaseModel):
    """What one merchant may be paid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_per_period_usd: int  # usd micros
    period: Literal["hour", "day", "week", "month"] = "day"
    max_per_payment_usd: int | None = None  # usd micros
    pay_to: str | None = None

    @field_validator("max_per_period_usd", "max_per_payment_usd", mode="before")
    @classmethod
    def _usd(cls, value: Any) -> int | None:
        return value if value is None else _usd_key(value)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> str:
        if value not in PERIOD_SECONDS:
            raise ValueError(f"must be one of {', '.join(PERIOD_SECONDS)}, got {_show(value)}")
        return value

    @field_validator("pay_to", mode="before")
    @classmethod
    def _pay_to(cls, value: Any) -> str:
        if not isinstance(value, str) or not is_hex_address(value):
            raise ValueError(f"must be a 0x address of 40 hex digits, got {_show(value)}")
        if not is_checksum_address(value):
            raise ValueError(f"{value} is not an EIP-55 checksummed address; its checksummed "
                             f"form is {to_checksum_address(value)}")
        return value

    @property
    def period_seconds(self) -> int:
        return PERIOD_SECONDS[self.period]


class PaymentsMandate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    networks: list[str]
    assets: list[str]
    max_per_payment_usd: int
    max_validity_seconds: int = 300
    merchants: dict[str, MerchantRule]
    source: str = "built in"

    @field_validator("networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> list[str]:
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"must be a non-empty list of chain names like [\"sandbox-l1\"], "
                             f"got {_show(value)}")
        return list(dict.fromkeys(v.strip() for v in value))

    @field_validator("assets", mode="before")
    @classmethod
    def _assets(cls, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValueError(f"must be a non-empty list of token symbols or checksummed token "
                             f"addresses like [\"USDC\"], got {_show(value)}")
        entries = []
        for i, entry in enumerate(value):
            if not isinstance(entry, str) or not entry.strip() or entry.strip().lower() == "any":
                raise ValueError(f"[{i}]: must be a token symbol like \"USDC\" or a checksummed "
                                 f"token address, got {_show(entry)}")
            entries.append(_token_entry(entry.strip(), i))
        return list(dict.fromkeys(entries))

    @field_validator("max_per_payment_usd", mode="before")
    @classmethod
    def _usd(cls, value: Any) -> int:
        return _usd_key(value)

    @field_validator("max_validity_seconds", mode="before")
    @classmethod
    def _validity(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 10 <= value <= \
                MAX_VALIDITY_SECONDS:
            raise ValueError(f"must be a whole number of seconds from 10 to "
                             f"{MAX_VALIDITY_SECONDS}, got {_show(value)}")
        return value

    @field_validator("merchants", mode="before")
    @classmethod
    def _merchants(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table of merchant origins like "
                             f"[payments.merchants.\"https://api.example.com\"], got {_show(value)}")
        out: dict[str, Any] = {}
        for key, rule in value.items():
            try:
                origin = merchant_origin(key)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
            if origin in out:
                raise ValueError(f"{key}: names the same merchant as another entry ({origin})")
            out[origin] = rule
        return out

    # ---- helpers for the guard ----

    def merchant(self, url: str) -> tuple[str, MerchantRule | None]:
        origin = merchant_origin(url)
        return origin, self.merchants.get(origin)

    def asset_allowed(self, chain, token: str) -> bool:
        """By address only: a listed symbol stands for the registry's token of that symbol."""
        registry = {symbol.upper(): address.lower() for symbol, address in chain.tokens.items()}
        allowed = {(entry if entry.startswith("0x") else registry.get(entry, "")).lower()
                   for entry in self.assets} - {""}
        return token.lower() in allowed

    def per_payment_cap(self, rule: MerchantRule) -> int:
        caps = [self.max_per_payment_usd]
        if rule.max_per_payment_usd is not None:
            caps.append(rule.max_per_payment_usd)
        return min(caps)

    def describe(self) -> list[tuple[str, str]]:
        rows = [("networks", ", ".join(self.networks)), ("assets", ", ".join(self.assets)),
                ("any one payment", f"at most {usd_text(self.max_per_payment_usd)}"),
                ("authorizations expire after", f"{self.max_validity_seconds} s")]
        for origin, rule in self.merchants.items():
            text = f"at most {usd_text(rule.max_per_period_usd)} a {rule.period}"
            if rule.max_per_payment_usd is not None:
                text += f", {usd_text(rule.max_per_payment_usd)} a payment"
            if rule.pay_to:
                text += f", only to {rule.pay_to}"
            rows.append((origin, text))
        return rows


_USD_FIELDS = ("max_per_payment_usd", "max_per_period_usd")


def parse_payments(table: Any, source: str) -> PaymentsMandate:
    """The `[payments]` table of a mandate file, validated; `source` names the file in errors."""
    key = PAYMENTS_SECTION
    if not isinstance(table, dict):
        raise PaymentsMandateError(f"{source}: {key}: must be a table [{key}], got {_show(table)}")
    data = dict(table)
    if "source" in data:
        raise PaymentsMandateError(f"{source}: {key}.source: unknown key; valid keys in {key}: "
                                   f"{_valid_keys(PaymentsMandate)}")
    try:
        if "max_per_payment_usd" in data:
            data["max_per_payment_usd"] = _usd_from_toml(data["max_per_payment_usd"], source,
                                                         f"{key}.max_per_payment_usd")
        merchants = data.get("merchants")
        if isinstance(merchants, dict):
            data["merchants"] = {name: _merchant_usd(rule, source,
                                                     f"{key}.merchants.\"{name}\"")
                                 for name, rule in merchants.items()}
    except PaymentsMandateError:
        raise
    except MandateError as exc:  # the shared USD reader's error, as this table's own
        raise PaymentsMandateError(str(exc)) from None
    try:
        return PaymentsMandate.model_validate(data | {"source": source})
    except ValidationError as exc:
        raise _error(exc, source) from None


def _merchant_usd(rule: Any, source: str, where: str) -> Any:
    if not isinstance(rule, dict):
        raise PaymentsMandateError(f"{source}: {where}: must be a table with max_per_period_usd "
                                   f"and period, got {_show(rule)}")
    rule = dict(rule)
    for name in _USD_FIELDS:
        if name in rule:
            rule[name] = _usd_from_toml(rule[name], source, f"{where}.{name}")
    return rule


def _valid_keys(model: type[BaseModel]) -> str:
    return ", ".join(k for k in model.model_fields if k != "source")


def _error(exc: ValidationError, source: str) -> PaymentsMandateError:
    err = exc.errors(include_url=False)[0]
    loc = [str(part) for part in err["loc"]]
    if len(loc) >= 2 and loc[0] == "merchants":
        loc[1] = f'"{loc[1]}"'
    key = ".".join([PAYMENTS_SECTION, *loc])
    if err["type"] == "value_error":
        message = str(err["ctx"]["error"])
        if message.startswith("["):
            index, _, rest = message.partition(": ")
            return PaymentsMandateError(f"{source}: {key}{index}: {rest}")
        return PaymentsMandateError(f"{source}: {key}: {message}")
    if err["type"] == "extra_forbidden":
        model = MerchantRule if len(loc) > 2 else PaymentsMandate
        return PaymentsMandateError(f"{source}: {key}: unknown key; valid keys: "
                                    f"{_valid_keys(model)}")
    if err["type"] == "missing":
        return PaymentsMandateError(f"{source}: {key}: missing; it is required")
    if err["type"] in ("model_type", "dict_type"):
        return PaymentsMandateError(f"{source}: {key}: must be a table, got {_show(err['input'])}")
    return PaymentsMandateError(f"{source}: {key}: {err['msg']}")


def read_payments_mandate(path: Path) -> PaymentsMandate:
    table = read_table(path, PAYMENTS_SECTION, error=PaymentsMandateError, no_file=(
        f"an agent pays only within a [{PAYMENTS_SECTION}] mandate, for example:\n{EXAMPLE}"),
        no_table=f"an agent pays only merchants its owner named, for example:\n{EXAMPLE}")
    return parse_payments(table, str(path))


def load_payments_mandate(wallet: str) -> PaymentsMandate:
    """The `[payments]` table of `wallet`'s mandate file."""
    return read_payments_mandate(mandate_path(wallet))


def write_payments_mandate(wallet: str, mandate: PaymentsMandate) -> Path:
    """Set the `[payments]` table of `wallet`'s mandate file (the conservative default is
    written first if it has none); the rest of the file is kept as written. Returns the path."""
    path = mandate_path(wallet)
    if not path.exists():
        write_default_mandate(wallet)
    text = replace_table(path.read_text(encoding="utf-8"), PAYMENTS_SECTION,
                         payments_toml(mandate))
    parse_payments(tomllib.loads(text)[PAYMENTS_SECTION], str(path))  # reads back the same
    path.write_text(text, encoding="utf-8")
    return path


def payments_toml(mandate: PaymentsMandate) -> str:
    """The `[payments]` table for a mandate file (loads back to the same rules)."""
    def usd(micros: int) -> str:
        from decimal import Decimal
        return f"{(Decimal(micros) / Decimal(10**6)).normalize():f}"

    def listed(values: list[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    lines = [f"[{PAYMENTS_SECTION}]", f"networks = {listed(mandate.networks)}",
             f"assets = {listed(mandate.assets)}",
             f"max_per_payment_usd = {usd(mandate.max_per_payment_usd)}",
             f"max_validity_seconds = {mandate.max_validity_seconds}"]
    for origin, rule in mandate.merchants.items():
        lines += ["", f'[{PAYMENTS_SECTION}.merchants."{origin}"]',
                  f"max_per_period_usd = {usd(rule.max_per_period_usd)}",
                  f'period = "{rule.period}"']
        if rule.max_per_payment_usd is not None:
            lines.append(f"max_per_payment_usd = {usd(rule.max_per_payment_usd)}")
        if rule.pay_to:
            lines.append(f'pay_to = "{rule.pay_to}"')
    return "\n".join(lines) + "\n"


__all__ = ["PAYMENTS_SECTION", "PERIOD_SECONDS", "MerchantRule", "PaymentsMandate",
           "PaymentsMandateError", "load_payments_mandate", "merchant_origin", "parse_payments",
           "payments_toml", "read_payments_mandate", "write_payments_mandate"]
