"""The standing orders' models and the checks of their values (`steward.standing.orders` reads
the file into them). Building a model directly is as strict as reading the file: durations in
int seconds, USD in int usd micros, token amounts as canonical decimal text, shares as Decimal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from steward.errors import StewardError
from steward.guard.mandate import MAX_SLIPPAGE_BPS, USD, _dotted, _show, usd_text
from steward.units import canonical_amount

MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 604800
MIN_PERIOD = MINUTE
MIN_RISK_FOR = 5 * MINUTE  # a shorter debounce acts on a single flapping observation
MAX_DURATION = 365 * DAY
MAX_USD = 10**12 * USD  # a trillion dollars: anything above is a typo
MAX_ORDERS = 100
MAX_MIX_TOKENS = 10
MAX_TEXT_CHARS = 256 * 1024  # a hundred commented orders fit many times over
MAX_DIGITS = 60  # digits in one number; more is never a real amount
MAX_URL_CHARS = 2048
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
ID_RULE = "1 to 40 lower-case letters, digits and dashes, starting with a letter or digit"
CHAIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # names and aliases (chains.config)
# Registry symbols (cli/chains_cmd.REGISTRY_SYMBOL), upper-cased: no spaces, markup or controls.
SYMBOL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9.+_-]{0,19}")
DURATION_PATTERN = re.compile(r"([0-9]{1,9})([smhdw])")
DURATION_RULE = 'a duration like "90s", "30m", "12h", "7d" or "2w" (a whole number and a unit)'
_UNIT_SECONDS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK}
KINDS = ("dca", "sweep", "mix", "risk")
TOP_LEVEL_KEYS = ("order", "alerts")


class OrdersError(StewardError):
    """An orders file that cannot be used; the message names the file and the dotted key."""


class _At(ValueError):
    """A validation problem at a key below (or beside) the field being validated."""

    def __init__(self, path: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.path, self.message = path, message


def _shown(value: Any) -> str:
    """A value from the file for a message: as TOML would write it, controls and non-ASCII
    escaped (json), and cut short, so hostile text cannot flood or redraw a terminal."""
    if isinstance(value, Decimal):
        text = str(value) if value.is_finite() else str(value).lower()
    elif isinstance(value, (datetime, date)):
        text = value.isoformat()
    elif isinstance(value, str):
        text = json.dumps(value[:80])
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(item) for item in value[:8]) + "]"
    else:
        text = _show(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key_part(part: str | int) -> str | int:
    """A key from the file for a dotted path: bare when plain, else quoted like TOML does."""
    if isinstance(part, int) or re.fullmatch(r"[A-Za-z0-9_-]{1,40}", part):
        return part
    return _shown(part)


def _key(loc: tuple[str | int, ...]) -> str:
    return _dotted(tuple(_key_part(part) for part in loc))


def _duration_text(seconds: int) -> str:
    for unit, size in (("d", DAY), ("h", HOUR), ("min", MINUTE)):
        if seconds and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


# ---- value checks (as pydantic "before" validators: the file's errors come out of them) -------

def _text(pattern: re.Pattern[str], rule: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"must be {rule}, got {_shown(value)}")
        return value
    return check


def _whole(rule: str, valid: Callable[[int], bool], optional: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> int | None:
        if optional and value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not valid(value):
            raise ValueError(f"must be {rule}, got {_shown(value)}")
        return value
    return check


def _check_seconds(value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of seconds, got {_shown(value)}")
    if not least <= value <= MAX_DURATION:
        raise ValueError(f"must be from {_duration_text(least)} to {_duration_text(MAX_DURATION)}"
                         f", got {_duration_text(value)}")
    return value


def _check_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_shown(value)}")
    return value


def _check_amount(value: Any, positive: bool = False) -> str:
    try:
        text = canonical_amount(value)
    except StewardError as exc:
        raise ValueError(str(exc)) from None
    if positive and not text.strip("0."):
        raise ValueError(f"must be more than 0, got {text}")
    return text


def _decimal(value: Any, rule: str, valid: Callable[[Decimal], bool]) -> Decimal:
    """An exact decimal number (a float by its repr, as typed) for which `valid` holds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"must be {rule}, got {_shown(value)}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if (not number.is_finite() or len(number.as_tuple().digits) > MAX_DIGITS
            or not valid(number)):
        raise ValueError(f"must be {rule}, got {_shown(value)}")
    return number


_check_symbol = _text(SYMBOL_PATTERN, 'a token symbol like "USDC" (letters, digits, ".", "+", '
                                      '"_" or "-", at most 20)')


def _check_usd(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of usd micros, got {_shown(value)}")
    if not 0 < value <= MAX_USD:
        raise ValueError(f"must be more than $0 and at most {usd_text(MAX_USD)}, "
                         f"got {usd_text(value)}")
    return value


def _check_share(value: Any) -> Decimal:
    return _decimal(value, "a share between 0 and 1 like 0.6 (60%)", lambda n: 0 < n < 1)


def _check_tokens(value: Any) -> list[str]:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_MIX_TOKENS:
        raise ValueError(f"must be a list of 2 to {MAX_MIX_TOKENS} token symbols like "
                         f'["USDC", "USDT"], got {_shown(value)}')
    symbols: list[str] = []
    for i, symbol in enumerate(value):
        try:
            symbol = _check_symbol(symbol)
        except ValueError as exc:
            raise _At((i,), str(exc)) from None
        if symbol in symbols:
            raise _At((i,), f"{symbol} is listed twice")
        symbols.append(symbol)
    return symbols


def _check_max_share(value: Any) -> dict[str, Decimal]:
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a table of token = largest share, with at least one entry, "
                         f"like {{ USDT = 0.6 }}, got {_shown(value)}")
    shares: dict[str, Decimal] = {}
    for symbol, share in value.items():
        try:
            shares[_check_symbol(symbol)] = _check_share(share)
        except ValueError as exc:
            raise _At((symbol,), str(exc)) from None
    return shares


Id = Annotated[str, BeforeValidator(_text(ID_PATTERN, f'{ID_RULE}, like "weekly-eth"'))]
ChainName = Annotated[str, BeforeValidator(_text(CHAIN_PATTERN, 'a chain name like "sandbox-l1"'))]
Symbol = Annotated[str, BeforeValidator(_check_symbol)]
Period = Annotated[int, BeforeValidator(lambda v: _check_seconds(v, MIN_PERIOD))]
Start = Annotated[int, BeforeValidator(_whole("a unix time in seconds", lambda n: n >= 0))]
Slippage = Annotated[Union[int, None], BeforeValidator(_whole(
    f"a whole number of basis points from 0 to {MAX_SLIPPAGE_BPS} (100 = 1%)",
    lambda n: 0 <= n <= MAX_SLIPPAGE_BPS, optional=True))]
Usd = Annotated[int, BeforeValidator(_check_usd)]
Amount = Annotated[str, BeforeValidator(_check_amount)]
Flag = Annotated[bool, BeforeValidator(_check_flag)]


# ---- models -----------------------------------------------------------------------------------

class _OrderBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    enabled: Flag = True


class DcaOrder(_OrderBase):
    """Spend `spend` of token_in on token_out once every `every` seconds (periods from `start`)."""

    kind: Literal["dca"] = "dca"
    chain: ChainName
    spend: Annotated[str, BeforeValidator(lambda v: _check_amount(v, positive=True))]
    token_in: Symbol
    token_out: Symbol
    every: Period
    start: Start = 0
    slippage_bps: Slippage = None

    @model_validator(mode="after")
    def _two_tokens(self) -> "DcaOrder":
        if self.token_in == self.token_out:
            raise _At(("token_out",), f"must differ from token_in ({self.token_in})")
        return self


class SweepOrder(_OrderBase):
    """Move what exceeds `keep` of a token from one chain to another, once per period."""

    kind: Literal["sweep"] = "sweep"
    token: Symbol
    from_chain: ChainName
    to_chain: ChainName
    keep: Amount
    min_move: Amount = "0"
    every: Period
    start: Start = 0

    @model_validator(mode="after")
    def _two_chains(self) -> "SweepOrder":
        if self.from_chain == self.to_chain:
            raise _At(("to_chain",), f"must differ from from_chain ({self.from_chain})")
        return self


class MixOrder(_OrderBase):
    """Keep each listed token's share of the group's USD value at most its `max_share`."""

    kind: Literal["mix"] = "mix"
    chain: ChainName
    tokens: Annotated[list[str], BeforeValidator(_check_tokens)]
    max_share: Annotated[dict[str, Decimal], BeforeValidator(_check_max_share)]
    band: Annotated[Decimal, BeforeValidator(lambda v: _decimal(
        v, "a share from 0 to 0.5 like 0.02 (2 points)", lambda n: 0 <= n <= Decimal("0.5")))
    ] = Decimal("0.02")
    max_step_usd: Usd
    cooldown: Period
    slippage_bps: Slippage = None

    @model_validator(mode="after")
    def _reachable(self) -> "MixOrder":
        for symbol in self.max_share:
            if symbol not in self.tokens:
                raise _At(("max_share", symbol), f"{symbol} is not in tokens; valid: "
                                                 f"{', '.join(self.tokens)}")
        if len(self.max_share) == len(self.tokens) and sum(self.max_share.values()) < 1:
            raise _At(("max_share",), "the largest shares of all the tokens add up to less "
                      "than 1, so no mix could ever satisfy them; raise one or leave one out")
        return self


class RiskOrder(_OrderBase):
    """Move out of a stablecoin that trades below `below` USD for `for_seconds` (TOML: `for`)."""

    kind: Literal["risk"] = "risk"
    chain: ChainName
    token: Symbol
    into: Symbol
    below: Annotated[Decimal, BeforeValidator(lambda v: _decimal(
        v, "a USD price between 0.5 and 1, like 0.99", lambda n: Decimal("0.5") < n < 1))]
    for_seconds: Annotated[int, BeforeValidator(lambda v: _check_seconds(v, MIN_RISK_FOR))]
    max_per_day_usd: Usd
    max_step_usd: Union[Usd, None] = None  # None: up to max_per_day_usd in one step
    slippage_bps: Slippage = None

    @model_validator(mode="after")
    def _consistent(self) -> "RiskOrder":
        if self.token == self.into:
            raise _At(("into",), f"must differ from token ({self.token}): it is the stablecoin "
                                 "to move into when the watched one falls")
        if self.max_step_usd is not None and self.max_step_usd > self.max_per_day_usd:
            raise _At(("max_step_usd",), f"{usd_text(self.max_step_usd)} is above "
                      f"max_per_day_usd {usd_text(self.max_per_day_usd)}; it must be at most that")
        return self

    @property
    def step_usd(self) -> int:
        """The most one action moves, in usd micros."""
        return self.max_per_day_usd if self.max_step_usd is None else self.max_step_usd


Order = Annotated[Union[DcaOrder, SweepOrder, MixOrder, RiskOrder], Field(discriminator="kind")]
_MODELS: dict[str, type[_OrderBase]] = {
    "dca": DcaOrder, "sweep": SweepOrder, "mix": MixOrder, "risk": RiskOrder}


def _check_webhook(value: Any) -> str | None:
    rule = 'an http:// or https:// address with a host, like "https://example.com/hook"'
    if value is None:
        return None
    if (not isinstance(value, str) or len(value) > MAX_URL_CHARS
            or not value.isascii() or any(ch <= " " or ch == "\x7f" for ch in value)):
        raise ValueError(f"must be {rule} (printable ASCII, no spaces, at most "
                         f"{MAX_URL_CHARS} characters), got {_shown(value)}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        raise ValueError(f"must be {rule}, got {_shown(value)} (not a valid address)") from None
    if not parts.scheme:
        raise ValueError(f"must be {rule}, got {_shown(value)} (no http:// or https://)")
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"must be {rule}, got a {_shown(parts.scheme + ':')} address")
    if not parts.hostname:
        raise ValueError(f"must be {rule}, got {_shown(value)} (no host)")
    return value


class Alerts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: Annotated[Union[str, None], BeforeValidator(_check_webhook)] = None


class OrdersFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    wallet: str
    source: str
    orders: list[Order] = []
    alerts: Alerts = Alerts()

    def get(self, order_id: str) -> Order | None:
        return next((order for order in self.orders if order.id == order_id), None)
