"""The owner's mandate: what the guard lets a wallet sign without asking, with asking, or never.

One TOML file per wallet, `<home>/mandates/<wallet>.toml`; a wallet without one gets
`default_mandate`. USD amounts in the file are human numbers (`daily_usd = 5000`,
`above_usd = 99.5`); inside Steward they are integer "usd micros" (USDC base units, 6 decimals).

The file is a safety file, so it is read strictly: an unknown key, a wrong type, an amount
with more than 6 decimals, a negative amount or limits that contradict each other are a
`MandateError` naming the file, the dotted key, what was wrong and what is valid. Nothing is
ever silently ignored or defaulted past a typo.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from steward.errors import StewardError
from steward.home import home_path, untrusted_because, write_private
from steward.units import format_units
from steward.wallets import check_name

if TYPE_CHECKING:
    from steward.chains.config import ChainConfig, StewardConfig

USD_DECIMALS = 6
USD = 10**USD_DECIMALS  # one dollar in usd micros
MAX_SLIPPAGE_BPS = 5000
DEFAULT_SOURCE = "built-in default"
UNRESTRICTED_SOURCE = "built-in unrestricted (sandbox operator)"
# A trillion dollars: "no limit" for the sandbox operator while keeping limits plain integers.
UNRESTRICTED_USD = 10**12 * USD

TOKENS_RULE = ('"any" or a list of registry token symbols and EIP-55 checksummed token '
               'addresses like ["ETH", "USDC"]')
RECIPIENTS_RULE = '"any" or "address_book"'
CONTRACTS_RULE = '"known", "any" or a list of EIP-55 checksummed addresses'
APPROVAL_RULE = '"exact", "unlimited" or a USD amount like 500'
PER_TOKEN_RULE = "token symbol = amount in that token's units, like { USDC = 1000, ETH = 0.5 }"


class MandateError(StewardError):
    """A mandate file that cannot be used; the message names the file and the dotted key."""


def _show(value: Any) -> str:
    """A value as it would be written in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


# ---- models -----------------------------------------------------------------------------------

def _usd_micros(value: Any) -> int:
    """A limit in usd micros, as held in the model: a non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of usd micros, got {_show(value)}")
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return value


def _token_amount(value: Any, symbol: str) -> Decimal:
    """A per-token limit: a finite, non-negative number of the token's own units (a TOML
    float is taken by its repr, so 0.1 is exactly one tenth)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{symbol}: must be an amount of {symbol} written as a number like "
                         f"1000 or 0.5, got {_show(value)}")
    amount = Decimal(repr(value) if isinstance(value, float) else value)
    if not amount.is_finite():
        raise ValueError(f"{symbol}: must be a finite amount, got {_show(value)}")
    if amount < 0:
        raise ValueError(f"{symbol}: must not be negative, got {_show(value)}")
    return amount


class Limits(BaseModel):
    """Deny limits, in usd micros: a plan above them is refused, not asked about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_transaction_usd: int
    daily_usd: int
    per_chain_daily_usd: dict[str, int] = {}
    # Registry token symbol (upper-cased; the native coin by its symbol) → the most of that
    # token that may leave in 24 h, in the token's own units. On each chain it means that
    # chain's registry token (by address); a contract merely named alike is another token.
    per_token_daily: dict[str, Decimal] = {}

    @field_validator("per_transaction_usd", "daily_usd", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _usd_micros(value)

    @field_validator("per_chain_daily_usd", mode="before")
    @classmethod
    def _per_chain(cls, value: Any) -> dict[str, int]:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table of chain = USD amount, got {_show(value)}")
        out = {}
        for chain, amount in value.items():
            try:
                out[chain] = _usd_micros(amount)
            except ValueError as exc:
                raise ValueError(f"{chain}: {exc}") from None
        return out

    @field_validator("per_token_daily", mode="before")
    @classmethod
    def _per_token(cls, value: Any) -> dict[str, Decimal]:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table of {PER_TOKEN_RULE}, got {_show(value)}")
        out: dict[str, Decimal] = {}
        for symbol, amount in value.items():
            upper = symbol.strip().upper()
            if not upper or upper == "ANY":
                raise ValueError(f"{symbol}: must be a token symbol like USDC")
            if upper in out:
                raise ValueError(f"{symbol}: {upper} is limited twice (symbols are "
                                 "case-insensitive)")
            out[upper] = _token_amount(amount, symbol)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> "Limits":
        if self.per_transaction_usd > self.daily_usd:
            raise ValueError(
                f"per_transaction_usd: {usd_text(self.per_transaction_usd)} is above daily_usd "
                f"{usd_text(self.daily_usd)}; the per-transaction limit must be at most the "
                "daily limit"
            )
        return self


class ConfirmRules(BaseModel):
    """When the owner is asked before signing (within the limits)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    above_usd: int
    first_time_recipients: bool = True
    unpriced_assets: bool = True

    @field_validator("above_usd", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _usd_micros(value)

    @field_validator("first_time_recipients", "unpriced_assets", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool:
        return _strict_bool(value)


def _token_entry(text: str, index: int) -> str:
    """One `allow.tokens` entry: a symbol, upper-cased, or a checksummed token address."""
    if not text.lower().startswith("0x"):
        return text.upper()
    if not is_hex_address(text):
        raise ValueError(f"[{index}]: must be a 0x address of 40 hex digits, got {_show(text)}")
    if not is_checksum_address(text):
        raise ValueError(f"[{index}]: {text} is not an EIP-55 checksummed address; its "
                         f"checksummed form is {to_checksum_address(text)}")
    return text


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_show(value)}")
    return value


class Allow(BaseModel):
    """What a plan may touch at all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Registry symbols, upper-cased, and checksummed 0x addresses. A symbol means the token at
    # the chain registry's address for it ("ETH": the chain's native coin), never a contract that
    # merely calls itself that: tokens are matched by address (`token_allowed`).
    tokens: Literal["any"] | list[str]
    # "address_book" = contacts and the owner's own wallets.
    recipients: Literal["any", "address_book"]
    # "known" = contracts and tokens in the chain registry; a list = checksummed addresses.
    contracts: Literal["known", "any"] | list[str]
    max_slippage_bps: int
    # "exact" = an approval may not exceed what the same plan spends; an int = usd micros.
    max_approval: Literal["exact", "unlimited"] | int
    approvals_to_eoa: bool = False
    transfers_to_token_contracts: bool = False
    # Swapping into a token that diligence calls dangerous.
    danger_tokens: bool = False

    @field_validator("tokens", mode="before")
    @classmethod
    def _tokens(cls, value: Any) -> str | list[str]:
        if value == "any":
            return value
        if not isinstance(value, list):
            raise ValueError(f"must be {TOKENS_RULE}, got {_show(value)}")
        symbols: list[str] = []
        for i, symbol in enumerate(value):
            if not isinstance(symbol, str) or not symbol.strip() or symbol.strip().lower() == "any":
                raise ValueError(f"[{i}]: must be a token symbol like \"USDC\" or a token "
                                 f"address, got {_show(symbol)}"
                                 + ('; write tokens = "any" to allow every token'
                                    if isinstance(symbol, str) and symbol.strip().lower() == "any"
                                    else ""))
            entry = _token_entry(symbol.strip(), i)
            if entry not in symbols:
                symbols.append(entry)
        return symbols

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> str:
        if value not in ("any", "address_book"):
            raise ValueError(f"must be {RECIPIENTS_RULE}, got {_show(value)}")
        return value

    @field_validator("contracts", mode="before")
    @classmethod
    def _contracts(cls, value: Any) -> str | list[str]:
        if isinstance(value, str) and value in ("known", "any"):
            return value
        if not isinstance(value, list):
            raise ValueError(f"must be {CONTRACTS_RULE}, got {_show(value)}")
        addresses: list[str] = []
        for i, address in enumerate(value):
            if not isinstance(address, str) or not is_hex_address(address):
                raise ValueError(f"[{i}]: must be a 0x address of 40 hex digits, got {_show(address)}")
            if not is_checksum_address(address):
                raise ValueError(f"[{i}]: {address} is not an EIP-55 checksummed address; "
                                 f"its checksummed form is {to_checksum_address(address)}")
            if address not in addresses:
                addresses.append(address)
        return addresses

    @field_validator("max_slippage_bps", mode="before")
    @classmethod
    def _slippage(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SLIPPAGE_BPS:
            raise ValueError(f"must be a whole number of basis points from 0 to {MAX_SLIPPAGE_BPS} "
                             f"(100 = 1%), got {_show(value)}")
        return value

    @field_validator("max_approval", mode="before")
    @classmethod
    def _approval(cls, value: Any) -> str | int:
        if value in ("exact", "unlimited") and isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return _usd_micros(value)
        raise ValueError(f"must be {APPROVAL_RULE}, got {_show(value)}")

    @field_validator("approvals_to_eoa", "transfers_to_token_contracts", "danger_tokens",
                     mode="before")
    @classmethod
    def _flags(cls, value: Any) -> bool:
        return _strict_bool(value)

    # ---- helpers for the guard ----

    def token_allowed(self, chain: "ChainConfig", token: str | None) -> bool:
        """Whether the token at address `token` (None: the native coin) on `chain` is allowed.
        By address only: a listed symbol stands for the registry's token of that symbol, so a
        contract that declares itself "USDC" is not USDC."""
        if self.tokens == "any":
            return True
        if token is None:
            return "ETH" in self.tokens or chain.native_symbol.upper() in self.tokens
        return token.lower() in self.token_addresses(chain)

    def token_addresses(self, chain: "ChainConfig") -> set[str]:
        """The lower-cased addresses the token list allows on `chain` (explicit addresses, and
        the registry's address for each listed symbol the chain knows)."""
        if self.tokens == "any":
            return set()
        registry = {symbol.upper(): address for symbol, address in chain.tokens.items()}
        return {(entry if entry.startswith("0x") else registry.get(entry, "")).lower()
                for entry in self.tokens} - {""}

    def contract_listed(self, address: str) -> bool:
        """Whether an address is in an explicit contracts list (False for "known" and "any")."""
        if isinstance(self.contracts, str):
            return False
        return address.lower() in {a.lower() for a in self.contracts}


class Mandate(BaseModel):
    """The effective mandate of one wallet; `source` is the file it came from or DEFAULT_SOURCE."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wallet: str
    limits: Limits
    confirm: ConfirmRules
    allow: Allow
    source: str

    @model_validator(mode="after")
    def _confirm_before_deny(self) -> "Mandate":
        if self.confirm.above_usd > self.limits.per_transaction_usd:
            raise ValueError(
                f"confirm.above_usd: {usd_text(self.confirm.above_usd)} is above "
                f"limits.per_transaction_usd {usd_text(self.limits.per_transaction_usd)}, so a "
                "confirmation could never happen before the denial; it must be at most "
                "the per-transaction limit"
            )
        return self


# ---- display ----------------------------------------------------------------------------------

def usd_text(micros: int) -> str:
    """usd micros for people: "$1,000.00"; sub-cent limits keep their digits ("$0.000001")."""
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    if micros % (USD // 100) == 0:
        return f"{sign}${format_units(micros, USD_DECIMALS, places=2)}"
    whole, fraction = divmod(micros, USD)
    return f"{sign}${whole:,}.{fraction:06d}".rstrip("0")


def _bps_text(bps: int) -> str:
    return f"{Decimal(bps) / 100:.2f}% ({bps} bps)"


def mandate_summary(m: Mandate) -> list[tuple[str, str]]:
    """The mandate as (what, rule) rows for people."""
    limits, confirm, allow = m.limits, m.confirm, m.allow
    deny = f"{usd_text(limits.per_transaction_usd)} per transaction, {usd_text(limits.daily_usd)} per day"
    for chain, amount in sorted(limits.per_chain_daily_usd.items()):
        deny += f"; {usd_text(amount)} per day on {chain}"
    for symbol, amount in sorted(limits.per_token_daily.items()):
        deny += f"; {amount:,f} {symbol} per day on each chain"
    asks = [f"above {usd_text(confirm.above_usd)}"]
    if confirm.first_time_recipients:
        asks.append("first-time recipients")
    if isinstance(allow.max_approval, int):
        approval = f"up to {usd_text(allow.max_approval)}"
    elif allow.max_approval == "exact":
        approval = "exact (no more than the plan spends)"
    else:
        approval = "unlimited"
    contracts = {"known": "known (chain registry)", "any": "any"}.get(
        allow.contracts, ", ".join(allow.contracts) or "none")  # type: ignore[arg-type]
    recipients = {"any": "any", "address_book": "address book (contacts and own wallets)"}

    def allowed(flag: bool) -> str:
        return "allowed" if flag else "denied"

    return [
        ("deny above", deny),
        ("confirm", "; ".join(asks)),
        ("tokens", allow.tokens if allow.tokens == "any" else ", ".join(allow.tokens) or "none"),
        ("recipients", recipients[allow.recipients]),
        ("contracts", contracts),
        ("max slippage", _bps_text(allow.max_slippage_bps)),
        ("max approval", approval),
        ("approvals to EOAs", allowed(allow.approvals_to_eoa)),
        ("transfers to token contracts", allowed(allow.transfers_to_token_contracts)),
        ("dangerous tokens", allowed(allow.danger_tokens)),
    ]


# ---- built-in mandates ------------------------------------------------------------------------

def default_mandate(wallet: str) -> Mandate:
    """The conservative default for a person's wallet without a mandate file."""
    return Mandate(
        wallet=wallet,
        limits=Limits(per_transaction_usd=1_000 * USD, daily_usd=5_000 * USD),
        confirm=ConfirmRules(above_usd=100 * USD, first_time_recipients=True),
        allow=Allow(tokens="any", recipients="any", contracts="known", max_slippage_bps=100,
                    max_approval="exact", approvals_to_eoa=False,
                    transfers_to_token_contracts=False, danger_tokens=False),
        source=DEFAULT_SOURCE,
    )


def unrestricted_mandate(wallet: str) -> Mandate:
    """Everything allowed, nothing asked: ONLY for the sandbox operator/relayer wallets that
    deploy and fund the sandbox world. Never used for a person's wallet, and never what
    `load_mandate` returns: a person's wallet without a file gets `default_mandate`."""
    return Mandate(
        wallet=wallet,
        limits=Limits(per_transaction_usd=UNRESTRICTED_USD, daily_usd=UNRESTRICTED_USD),
        # Confirmation "above" the per-transaction limit can never trigger: no confirmations.
        confirm=ConfirmRules(above_usd=UNRESTRICTED_USD, first_time_recipients=False,
                             unpriced_assets=False),
        allow=Allow(tokens="any", recipients="any", contracts="any",
                    max_slippage_bps=MAX_SLIPPAGE_BPS, max_approval="unlimited",
                    approvals_to_eoa=True, transfers_to_token_contracts=True, danger_tokens=True),
        source=UNRESTRICTED_SOURCE,
    )


# ---- the file ---------------------------------------------------------------------------------

def mandate_path(wallet: str) -> Path:
    """`<home>/mandates/<wallet>.toml` (the wallet name is checked, so no path tricks)."""
    return home_path("mandates", f"{check_name(wallet)}.toml")


_DEFAULT_TOML = """\
# Steward mandate for wallet "{wallet}".
# The guard simulates every plan and checks it against this file before anything is signed.
# USD amounts are plain numbers (1000 or 99.5, at most 6 decimals). Unknown keys are errors.
# Check your edits with `steward mandate check --wallet {wallet}`.

[limits]
# Deny (never sign) a transaction worth more than this many USD.
per_transaction_usd = 1000
# Deny a transaction that would take the USD value spent in the last 24 hours above this.
daily_usd = 5000
# Optional per-chain daily limits in USD, e.g. {{ sandbox-l1 = 500 }}; {{}} = only daily_usd.
per_chain_daily_usd = {{}}
# Optional daily limits per token, in that token's own units, e.g. {{ USDC = 1000, ETH = 0.5 }}:
# on each chain the symbol means that chain's registry token (by address); {{}} = none.
per_token_daily = {{}}

[confirm]
# Ask the owner before signing a transaction worth more than this many USD (at most per_transaction_usd).
above_usd = 100
# Ask before the first payment to an address never paid before: true or false.
first_time_recipients = true
# Ask when an asset leaving the wallet has no pool price, so the limits cannot be checked.
unpriced_assets = true

[allow]
# Tokens a plan may move: "any", or a list like ["ETH", "USDC"]: "ETH" = the native coin, a symbol =
# the chain registry's token (by its address, never a look-alike), or a checksummed 0x token address.
tokens = "any"
# Who may receive funds: "any", or "address_book" (contacts and your own wallets).
recipients = "any"
# Contracts a plan may call: "known" (the chain registry), "any", or a list of checksummed addresses.
contracts = "known"
# Largest swap slippage in basis points, 0 to 5000 (100 = 1%).
max_slippage_bps = 100
# Largest token approval: "exact" (no more than the plan spends), "unlimited", or a USD amount.
max_approval = "exact"
# Allow approvals to addresses that are not contracts (EOAs): true or false.
approvals_to_eoa = false
# Allow sending tokens to a token contract's own address (usually a mistake): true or false.
transfers_to_token_contracts = false
# Allow swapping into tokens that diligence flags as dangerous: true or false.
danger_tokens = false
"""


def default_mandate_toml(wallet: str) -> str:
    """`default_mandate(wallet)` as a commented TOML document; it loads back to exactly that."""
    return _DEFAULT_TOML.format(wallet=wallet)


def write_default_mandate(wallet: str, overwrite: bool = False) -> Path:
    """Write the default mandate file (0600, atomically) unless one exists; return its path."""
    path = mandate_path(wallet)
    if path.exists() and not overwrite:
        return path
    write_private(path, default_mandate_toml(wallet))
    return path


# ---- parsing ----------------------------------------------------------------------------------

# Keys holding USD amounts in the file (human numbers) and usd micros in the model.
_USD_KEYS = {("limits", "per_transaction_usd"), ("limits", "daily_usd"), ("confirm", "above_usd")}
_SECTIONS = ("limits", "confirm", "allow")
COMMERCE_SECTION = "commerce"
PAYMENTS_SECTION = "payments"
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _usd_from_toml(value: Any, source: str, key: str) -> int:
    """A human USD number from the file as exact usd micros (floats via their repr: 99.5 is
    exactly 99_500_000)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MandateError(f"{source}: {key}: must be a USD amount written as a number "
                           f"like 100 or 99.5, got {_show(value)}")
    text = str(value) if isinstance(value, int) else repr(value)
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - TOML numbers are always valid decimals
        raise MandateError(f"{source}: {key}: {text} is not a number") from None
    if not amount.is_finite():
        raise MandateError(f"{source}: {key}: must be a finite USD amount, got {text}")
    if amount < 0:
        raise MandateError(f"{source}: {key}: must not be negative, got {text}")
    scaled = amount.scaleb(USD_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise MandateError(f"{source}: {key}: {text} has more than {USD_DECIMALS} decimal "
                           f"places; the smallest step is 0.000001")
    return int(scaled)


def _convert_usd(data: dict[str, Any], source: str) -> dict[str, Any]:
    """The parsed file with its USD numbers as usd micros (other values untouched)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for section, key in _USD_KEYS:
        table = out.get(section)
        if isinstance(table, dict) and key in table:
            table[key] = _usd_from_toml(table[key], source, f"{section}.{key}")
    limits = out.get("limits")
    if isinstance(limits, dict) and isinstance(limits.get("per_chain_daily_usd"), dict):
        limits["per_chain_daily_usd"] = {
            chain: _usd_from_toml(amount, source, f"limits.per_chain_daily_usd.{chain}")
            for chain, amount in limits["per_chain_daily_usd"].items()
        }
    allow = out.get("allow")
    if isinstance(allow, dict) and "max_approval" in allow:
        value = allow["max_approval"]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            allow["max_approval"] = _usd_from_toml(value, source, "allow.max_approval")
    return out


def read_table(path: Path, section: str, *, no_file: str, no_table: str,
               error: type[MandateError] = MandateError) -> Any:
    """The raw `[section]` table of the mandate file at `path` (`commerce`, `payments`: read
    and validated by their own modules). `no_file` / `no_table` end the error for a missing file
    or a file without the table, e.g. "an agent pays only within a [payments] mandate, for
    example: …"."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such mandate file; {no_file}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None
    if section not in data:
        raise error(f"{path}: no [{section}] table; {no_table}")
    return data[section]


def replace_table(text: str, section: str, table: str) -> str:
    """Mandate file `text` with its `[section]` table (and `[section.…]` sub-tables) replaced
    by `table` (TOML text starting with its header), appended where there was none. The rest of
    the file, comments included, is kept as written."""
    kept: list[str] = []
    inside = False
    pending: list[str] = []  # comments inside the table: they belong to what follows them
    for line in text.splitlines():
        header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]", line)
        if header:
            name = header.group(1).strip()
            was_inside, inside = inside, name == section or name.startswith(section + ".")
            if was_inside and not inside:
                kept.extend(pending)
            pending = []
        if not inside:
            kept.append(line)
        elif not line.strip() or line.lstrip().startswith("#"):
            pending.append(line)
        else:
            pending = []
    body = "\n".join(kept).rstrip()
    return (body + "\n\n" if body else "") + table.rstrip() + "\n"


def _dotted(loc: tuple[Any, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _first_error(exc: ValidationError, source: str) -> MandateError:
    """The first pydantic error as a one-line MandateError naming the dotted key."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    # Errors from our validators carry the rule; pydantic's own are rephrased where common.
    if err["type"] == "value_error":
        message = str(err["ctx"]["error"])
        # Messages may begin with a sub-key ("[1]: ..." or "name: ...").
        if message.startswith("["):
            index, _, rest = message.partition(": ")
            return MandateError(f"{source}: {_dotted(loc)}{index}: {rest}")
        if not loc:  # a cross-field check: the message names its key
            return MandateError(f"{source}: {message}")
        if loc[-1] in ("per_chain_daily_usd", "per_token_daily") and ": " in message:
            chain, _, rest = message.partition(": ")
            return MandateError(f"{source}: {_dotted(loc)}.{chain}: {rest}")
        if len(loc) == 1 and loc[0] == "limits" and message.startswith("per_transaction_usd: "):
            return MandateError(f"{source}: limits.{message}")
        return MandateError(f"{source}: {_dotted(loc)}: {message}")
    key = _dotted(loc)
    if err["type"] == "extra_forbidden":
        parent = _MODELS.get(loc[:-1])
        valid = ", ".join(parent.model_fields) if parent else ""
        where = f"{_dotted(loc[:-1])}" if len(loc) > 1 else "the top level"
        return MandateError(f"{source}: {key}: unknown key; valid keys in {where}: {valid}")
    if err["type"] == "missing":
        return MandateError(f"{source}: {key}: missing; it is required")
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return MandateError(f"{source}: {key}: must be a table [{key}], got {_show(err['input'])}")
    return MandateError(f"{source}: {key}: {err['msg']}")


class _FileMandate(BaseModel):
    """The shape of the file: three tables, no wallet or source (those come from outside)."""

    model_config = ConfigDict(extra="forbid")

    limits: Limits
    confirm: ConfirmRules
    allow: Allow


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): _FileMandate, ("limits",): Limits, ("confirm",): ConfirmRules, ("allow",): Allow,
}


def _check_chains(limits: Limits, source: str, chains: "StewardConfig") -> Limits:
    """Per-chain limits keyed by chain name or alias, resolved to the registry's names."""
    resolved: dict[str, int] = {}
    for name, amount in limits.per_chain_daily_usd.items():
        try:
            chain = chains.chain(name).name
        except StewardError:
            valid = ", ".join(sorted(chains.chains)) or "none configured"
            raise MandateError(f"{source}: limits.per_chain_daily_usd.{name}: unknown chain "
                               f"{_show(name)}; valid chains: {valid}") from None
        if chain in resolved:
            raise MandateError(f"{source}: limits.per_chain_daily_usd.{name}: {chain} is "
                               "limited twice (by name and by alias)")
        resolved[chain] = amount
    known = {c.native_symbol.upper() for c in chains.chains.values()}
    known |= {token.upper() for c in chains.chains.values() for token in c.tokens}
    for symbol in limits.per_token_daily:
        if symbol not in known:
            raise MandateError(f"{source}: limits.per_token_daily.{symbol}: no chain in the "
                               f"registry has a token {_show(symbol)}; known tokens: "
                               f"{', '.join(sorted(known)) or 'none'}")
    return limits.model_copy(update={"per_chain_daily_usd": resolved})


def parse_mandate(text: str, wallet: str, source: str,
                  chains: "StewardConfig | None" = None) -> Mandate:
    """A mandate from TOML text. `source` names the file in errors and in the result; with a
    chain registry (`chains`), per-chain limits must name known chains."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        if at:
            message = message[: at.start()]
            raise MandateError(f"{source}: line {at.group(1)}: invalid TOML: {message}") from None
        raise MandateError(f"{source}: invalid TOML: {message}") from None
    for section in _SECTIONS:
        if section in data and not isinstance(data[section], dict):
            raise MandateError(f"{source}: {section}: must be a table [{section}], "
                               f"got {_show(data[section])}")
    data = _convert_usd(data, source)
    # [commerce] (what the wallet's agent may negotiate) is read and strictly validated by
    # steward.commerce.mandate; the guard itself judges plans, not offers.
    data.pop(COMMERCE_SECTION, None)
    # [payments] (which x402 merchants the agent may pay) likewise by guard.payment_mandate.
    data.pop(PAYMENTS_SECTION, None)
    try:
        parsed = _FileMandate.model_validate(data)
        limits = parsed.limits if chains is None else _check_chains(parsed.limits, source, chains)
        return Mandate(wallet=wallet, limits=limits, confirm=parsed.confirm,
                       allow=parsed.allow, source=source)
    except ValidationError as exc:
        raise _first_error(exc, source) from None


def read_mandate_file(path: Path, wallet: str, chains: "StewardConfig | None" = None) -> Mandate:
    """A mandate from a given file (which must exist, and be safe to trust: `untrusted_because`)."""
    try:
        problem = untrusted_because(Path(path))
        if problem:
            raise MandateError(f"{path}: refusing to use this mandate file: {problem}")
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MandateError(f"{path}: no such mandate file; create one with "
                           f"`steward mandate init --wallet {wallet}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MandateError(f"{path}: cannot read the mandate file: {exc}") from None
    return parse_mandate(text, wallet, str(path), chains)


def _registry() -> "StewardConfig":
    from steward.chains.config import load_config

    return load_config()


def load_mandate(wallet: str) -> Mandate:
    """The effective mandate of a wallet: its file, validated (per-chain limits against the
    chain registry), or `default_mandate` with source "built-in default" when there is none."""
    path = mandate_path(wallet)
    if not path.exists() and not path.is_symlink():  # a dangling link is refused, not ignored
        return default_mandate(wallet)
    return read_mandate_file(path, wallet, _registry())
