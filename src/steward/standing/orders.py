"""Standing orders: what a wallet does on its own, around the clock, within its mandate.

One TOML file per wallet, `<home>/orders/<wallet>.toml`, holding `[[order]]` tables of four
kinds (dca, sweep, mix, risk) and an optional `[alerts]` table. Like the mandate it is read
strictly: an unknown key, a wrong type or a bad value is an `OrdersError` naming the file, the
dotted key (`order[2].below`), what was wrong and what is valid. Nothing is defaulted past a typo.

In the file, durations are text ("30m", "7d"), USD amounts and token amounts plain numbers.
Inside Steward, durations are int seconds, USD amounts int usd micros, token amounts canonical
decimal text and shares and prices `Decimal`. Numbers are read as exact decimals (TOML floats
never pass through binary floating point), so `spend = 0.1` is exactly one tenth.
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from steward.errors import StewardError
from steward.guard.mandate import _TOML_AT, USD, USD_DECIMALS, usd_text
from steward.home import home_path, steward_home, untrusted_because, write_private
from steward.wallets import check_name

if TYPE_CHECKING:
    from steward.chains.config import ChainConfig, StewardConfig

from steward.standing.facts import BUFFER_BPS
from steward.standing.order_models import (  # the models are part of this interface too
    Alerts, DURATION_PATTERN, DURATION_RULE, DcaOrder, KINDS,
    MAX_DIGITS, MAX_ORDERS, MAX_TEXT_CHARS, MAX_USD, MixOrder, Order,
    OrdersError, OrdersFile, RiskOrder, SweepOrder, TOP_LEVEL_KEYS, _At,
    _MODELS, _UNIT_SECONDS, _duration_text, _key, _shown)


# ---- reading the file's own notations ---------------------------------------------------------

def _bad(source: str, loc: tuple[str | int, ...], message: str) -> OrdersError:
    return OrdersError(f"{source}: {_key(loc)}: {message}")


def _number(value: Any, what: str, source: str, loc: tuple) -> Decimal:
    """A TOML number (int, or float read as Decimal) that is finite, non-negative and short."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise _bad(source, loc, f"must be {what}, got {_shown(value)}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise _bad(source, loc, f"must be a finite number, got {_shown(value)}")
    if number < 0:
        raise _bad(source, loc, f"must not be negative, got {_shown(value)}")
    sign, digits, exponent = number.as_tuple()
    if len(digits) > MAX_DIGITS or not -MAX_DIGITS <= exponent <= MAX_DIGITS:
        raise _bad(source, loc, f"{_shown(value)} has too many digits; at most {MAX_DIGITS} "
                                "digits and decimal places are accepted")
    return number.copy_abs()  # exact (abs() rounds to 28 digits); -0.0 is 0


def _usd_micros(value: Any, source: str, loc: tuple) -> int:
    """A USD number as exact usd micros, by integer arithmetic (never rounded)."""
    number = _number(value, "a USD amount written as a number like 1000 or 99.5", source, loc)
    if number > MAX_USD // USD:
        raise _bad(source, loc, f"{_shown(value)} is above {usd_text(MAX_USD)}")
    _, digits, exponent = number.as_tuple()
    whole = int("".join(map(str, digits)) or "0")
    shift = exponent + USD_DECIMALS
    if shift >= 0:
        return whole * 10**shift
    micros, rest = divmod(whole, 10**-shift)
    if rest:
        raise _bad(source, loc, f"{_shown(value)} has more than {USD_DECIMALS} decimal places; "
                                "the smallest step is 0.000001")
    return micros


def _amount_text(value: Any, source: str, loc: tuple) -> str:
    """A token amount as canonical decimal text ("50", "0.25")."""
    number = _number(value, "an amount written as a number like 50 or 0.5", source, loc)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _seconds(value: Any, source: str, loc: tuple) -> int:
    if not isinstance(value, str):
        raise _bad(source, loc, f"must be {DURATION_RULE}, got {_shown(value)}")
    found = DURATION_PATTERN.fullmatch(value.strip())
    if not found:
        raise _bad(source, loc, f"must be {DURATION_RULE}, got {_shown(value)}")
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2)]


def _unix_time(value: Any, source: str, loc: tuple) -> int:
    example = "a date and time with its zone, like 2026-12-01T00:00:00Z"
    if not isinstance(value, datetime):
        raise _bad(source, loc, f"must be {example} (no quotes), got {_shown(value)}")
    if value.tzinfo is None:
        raise _bad(source, loc, f"{_shown(value)} has no time zone; write {example}")
    if value.microsecond:
        raise _bad(source, loc, f"{_shown(value)}: give whole seconds; write {example}")
    seconds = int(value.timestamp())
    if seconds < 0:
        raise _bad(source, loc, f"{_shown(value)} is before 1970; write {example}")
    return seconds


_CONVERT = {
    "every": _seconds, "cooldown": _seconds, "for": _seconds, "start": _unix_time,
    "spend": _amount_text, "keep": _amount_text, "min_move": _amount_text,
    "max_step_usd": _usd_micros, "max_per_day_usd": _usd_micros,
}
_SYMBOL_KEYS = ("token_in", "token_out", "token", "into")
_CHAIN_KEYS = ("chain", "from_chain", "to_chain")


def _file_keys(kind: str) -> list[str]:
    return ["for" if name == "for_seconds" else name for name in _MODELS[kind].model_fields]


def _from_file(raw: dict[str, Any], kind: str, source: str, where: tuple) -> dict[str, Any]:
    """One order table in the model's terms: notations converted, symbols upper-cased."""
    valid = _file_keys(kind)
    for key in raw:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise _bad(source, (*where, key), f"unknown key for a {kind} order; valid keys: "
                                              f"{', '.join(valid)}{hint}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _CONVERT:
            value = _CONVERT[key](value, source, (*where, key))
        elif key in _SYMBOL_KEYS and isinstance(value, str):
            value = value.strip().upper()
        elif key in _CHAIN_KEYS and isinstance(value, str):
            value = value.strip().lower()
        elif key == "tokens" and isinstance(value, list):
            value = [v.strip().upper() if isinstance(v, str) else v for v in value]
        elif key == "max_share" and isinstance(value, dict):
            value = _upper_keys(value, source, (*where, key))
        out["for_seconds" if key == "for" else key] = value
    return out


def _upper_keys(table: dict[str, Any], source: str, loc: tuple) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key.strip().upper() in out:
            raise _bad(source, (*loc, key), f"{key.strip().upper()} is given twice (symbols are "
                                            "case-insensitive)")
        out[key.strip().upper()] = value
    return out


def _model_error(exc: ValidationError, source: str, where: tuple) -> OrdersError:
    """The first pydantic error as a one-line OrdersError naming the dotted key."""
    err = exc.errors(include_url=False)[0]
    # The model's for_seconds is the file's "for".
    loc = (*where, *("for" if part == "for_seconds" else part for part in err["loc"]))
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, _At):
        return _bad(source, (*loc, *cause.path), cause.message)
    if err["type"] == "value_error":
        return _bad(source, loc, str(cause))
    if err["type"] == "missing":
        return _bad(source, loc, "missing; it is required")
    return _bad(source, loc, err["msg"])


def _parse_order(raw: Any, index: int, source: str) -> Order:
    where = ("order", index)
    if not isinstance(raw, dict):
        raise _bad(source, where, f"must be an [[order]] table, got {_shown(raw)}")
    kind = raw.get("kind")
    if kind is None:
        raise _bad(source, (*where, "kind"), f"missing; it is required: one of {', '.join(KINDS)}")
    if kind not in KINDS:
        raise _bad(source, (*where, "kind"),
                   f"unknown kind {_shown(kind)}; valid kinds: {', '.join(KINDS)}")
    try:
        return _MODELS[kind].model_validate(_from_file(raw, kind, source, where))
    except ValidationError as exc:
        raise _model_error(exc, source, where) from None


# ---- checks against the chain registry and the stablecoin facts -------------------------------

def _evm_chain(name: str, source: str, loc: tuple, chains: "StewardConfig") -> "ChainConfig":
    evm = ", ".join(chain.name for chain in chains.of_family("evm")) or "none configured"
    try:
        chain = chains.chain(name)
    except StewardError:
        raise _bad(source, loc, f"unknown chain {_shown(name)}; valid chains: {evm}") from None
    if chain.family != "evm":
        raise _bad(source, loc, f"{chain.name} is a {chain.family.capitalize()} chain; standing "
                                f"orders run on EVM chains only for now; valid chains: {evm}")
    return chain


def _token_decimals(chain: "ChainConfig", symbol: str, source: str, loc: tuple,
                    native: bool = True) -> int | None:
    """The decimals of a registry token (or the native coin: 18) on `chain`; None: unrecorded."""
    if symbol == chain.native_symbol.upper():
        if native:
            return 18
        raise _bad(source, loc, f"{symbol} is {chain.name}'s native coin; this needs a "
                                f"registry token, like {', '.join(sorted(chain.tokens)[:5])}")
    for known in chain.tokens:
        if known.upper() == symbol:
            return chain.token_decimals.get(known)
    valid = ", ".join([chain.native_symbol] * native + sorted(chain.tokens)) or "none"
    raise _bad(source, loc, f"{chain.name} has no token {_shown(symbol)}; valid tokens on "
                            f"{chain.name}: {valid}")


def _fits(amount: str, decimals: int | None, symbol: str, source: str, loc: tuple) -> None:
    places = len(amount.partition(".")[2])
    if decimals is not None and places > decimals:
        raise _bad(source, loc, f"{amount} has {places} decimal places; {symbol} has "
                                f"{decimals}, so at most {decimals} are valid")


def _on_chains(order: Order, index: int, source: str, chains: "StewardConfig") -> Order:
    """The order with chain names resolved (aliases → names) once its chains and tokens exist."""
    at = ("order", index)
    if isinstance(order, SweepOrder):
        src = _evm_chain(order.from_chain, source, (*at, "from_chain"), chains)
        dst = _evm_chain(order.to_chain, source, (*at, "to_chain"), chains)
        if src.name == dst.name:
            raise _bad(source, (*at, "to_chain"), f"is {dst.name}, the same chain as from_chain")
        # The bridge moves registry tokens (lock and mint): the token must exist on both sides.
        decimals = _token_decimals(src, order.token, source, (*at, "token"), native=False)
        _token_decimals(dst, order.token, source, (*at, "token"), native=False)
        _fits(order.keep, decimals, order.token, source, (*at, "keep"))
        _fits(order.min_move, decimals, order.token, source, (*at, "min_move"))
        return order.model_copy(update={"from_chain": src.name, "to_chain": dst.name})
    chain = _evm_chain(order.chain, source, (*at, "chain"), chains)
    if isinstance(order, DcaOrder):
        decimals = _token_decimals(chain, order.token_in, source, (*at, "token_in"))
        _token_decimals(chain, order.token_out, source, (*at, "token_out"))
        _fits(order.spend, decimals, order.token_in, source, (*at, "spend"))
    elif isinstance(order, MixOrder):
        for i, symbol in enumerate(order.tokens):
            _token_decimals(chain, symbol, source, (*at, "tokens", i))
    else:
        _token_decimals(chain, order.token, source, (*at, "token"), native=False)
        _token_decimals(chain, order.into, source, (*at, "into"))
    return order.model_copy(update={"chain": chain.name})


def highest_below(symbol: str, facts: Any = None) -> Decimal:
    """The highest valid risk threshold for a stablecoin: its feed band plus the buffer below $1."""
    if facts is None:
        from steward.standing.facts import load_facts

        facts = load_facts()
    return 1 - Decimal(facts.get(symbol).feed_band_bps + BUFFER_BPS) / 10_000


def _check_feed_band(order: RiskOrder, index: int, source: str, facts: Any) -> None:
    highest = highest_below(order.token, facts)
    if order.below > highest:
        band = facts.get(order.token).feed_band_bps
        raise _bad(source, ("order", index, "below"),
                   f"{order.below} is too close to $1: {order.token}'s reference feed only "
                   f"moves past its {band} bps deviation band, plus a {BUFFER_BPS} bps buffer, so "
                   f"a threshold above {highest} would give false alarms; the highest valid "
                   f"value is {highest}")


# ---- the file ---------------------------------------------------------------------------------

def orders_path(wallet: str) -> Path:
    """`<home>/orders/<wallet>.toml` (the wallet name is checked, so no path tricks)."""
    return home_path("orders", f"{check_name(wallet)}.toml")


def _toml(text: str, source: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT_CHARS:
        raise OrdersError(f"{source}: the file has {len(text):,} characters; an orders file "
                          f"may have at most {MAX_TEXT_CHARS:,}")
    try:
        return tomllib.loads(text, parse_float=Decimal)  # exact decimals, never binary floats
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        if at:
            raise OrdersError(f"{source}: line {at.group(1)}: invalid TOML: "
                              f"{message[: at.start()]}") from None
        raise OrdersError(f"{source}: invalid TOML: {message}") from None
    except (RecursionError, ValueError):  # nesting or an integer too deep/long for Python
        raise OrdersError(f"{source}: invalid TOML: a value is nested too deeply or has too "
                          "many digits") from None


def parse_orders(text: str, wallet: str, source: str,
                 chains: "StewardConfig | None" = None) -> OrdersFile:
    """The orders of a wallet from TOML text. `source` names the file in errors and in the
    result; with a chain registry (`chains`), chains and tokens must exist there (EVM only)."""
    data = _toml(text, source)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise _bad(source, (key,), "unknown key; valid at the top level: [alerts] and "
                                       "[[order]] tables")
    alerts_table = data.get("alerts", {})
    if not isinstance(alerts_table, dict):
        raise _bad(source, ("alerts",), f"must be an [alerts] table, got {_shown(alerts_table)}")
    try:
        alerts = Alerts.model_validate(alerts_table)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] == "extra_forbidden":
            raise _bad(source, ("alerts", *err["loc"]), "unknown key; valid keys in alerts: "
                                                        "webhook_url") from None
        raise _model_error(exc, source, ("alerts",)) from None
    tables = data.get("order", [])
    if not isinstance(tables, list):
        raise _bad(source, ("order",), "must be [[order]] tables (double brackets), got "
                                       f"{_shown(tables)}")
    if len(tables) > MAX_ORDERS:
        raise _bad(source, ("order",), f"{len(tables)} orders; a file holds at most {MAX_ORDERS}")
    orders: list[Order] = []
    first_index: dict[str, int] = {}
    facts = None
    for index, table in enumerate(tables):
        order = _parse_order(table, index, source)
        if order.id in first_index:
            raise _bad(source, ("order", index, "id"),
                       f"{_shown(order.id)} is already the id of order[{first_index[order.id]}]; "
                       "ids must be unique in the file")
        first_index[order.id] = index
        if chains is not None:
            order = _on_chains(order, index, source, chains)
        if isinstance(order, RiskOrder):
            if facts is None:
                from steward.standing.facts import load_facts

                facts = load_facts()
            _check_feed_band(order, index, source, facts)
        orders.append(order)
    return OrdersFile(wallet=wallet, source=source, orders=orders, alerts=alerts)


def read_orders_file(path: Path, wallet: str, chains: "StewardConfig | None" = None) -> OrdersFile:
    """The orders in a given file, which must exist and be safe to trust (`untrusted_because`)."""
    try:
        problem = untrusted_because(Path(path))
        if problem:
            raise OrdersError(f"{path}: refusing to use this orders file: {problem}")
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_TEXT_CHARS + 1)  # never load a huge file whole
    except FileNotFoundError:
        raise OrdersError(f"{path}: no such orders file; create one with "
                          f"`steward orders init --wallet {wallet}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrdersError(f"{path}: cannot read the orders file: {type(exc).__name__}") from None
    return parse_orders(text, wallet, str(path), chains)


def load_orders(wallet: str, chains: "StewardConfig | None" = None) -> OrdersFile:
    """A wallet's standing orders; no file means no orders (a dangling link is an error)."""
    path = orders_path(wallet)
    if not path.exists() and not path.is_symlink():
        return OrdersFile(wallet=wallet, source=str(path), orders=[])
    return read_orders_file(path, wallet, chains)


def wallets_with_orders() -> list[str]:
    """The wallets that have an orders file, by name, sorted."""
    folder = steward_home() / "orders"
    if not folder.is_dir():
        return []
    names = []
    for path in folder.glob("*.toml"):
        try:
            names.append(check_name(path.stem))
        except StewardError:
            continue  # not a wallet's file (a stray or hand-named copy)
    return sorted(names)


# ---- for people -------------------------------------------------------------------------------

def _percent(share: Decimal) -> str:
    return f"{format((share * 100).normalize(), 'f')}%"


def describe(order: Order) -> str:
    """One line a person reads: "DCA: 50 USDC → ETH on sandbox-l1 every 7 d"."""
    if isinstance(order, DcaOrder):
        text = (f"DCA: {order.spend} {order.token_in} → {order.token_out} on {order.chain} "
                f"every {_duration_text(order.every)}")
    elif isinstance(order, SweepOrder):
        text = (f"Sweep: {order.token} above {order.keep} on {order.from_chain} → "
                f"{order.to_chain} every {_duration_text(order.every)}")
        if order.min_move != "0":
            text += f", at least {order.min_move} a move"
    elif isinstance(order, MixOrder):
        caps = ", ".join(f"{symbol} at most {_percent(share)} (acts above "
                         f"{_percent(share + order.band)})"
                         for symbol, share in order.max_share.items())
        text = (f"Mix: {caps} of {' + '.join(order.tokens)} on {order.chain}; at most "
                f"{usd_text(order.max_step_usd)} a step, {_duration_text(order.cooldown)} apart")
    else:
        text = (f"Risk: {order.token} below ${order.below} for "
                f"{_duration_text(order.for_seconds)} on {order.chain} → {order.into}; at most "
                f"{usd_text(order.max_per_day_usd)} a day")
        if order.max_step_usd is not None:
            text += f", {usd_text(order.max_step_usd)} a step"
    return text if order.enabled else f"{text} (paused)"




def sample_orders_toml(wallet: str) -> str:
    """A commented sample with one order of each kind for the sandbox chains; it parses back."""
    text = (resources.files("steward.standing") / "data" / "orders-sample.toml").read_text()
    return text.replace("{wallet}", check_name(wallet))


def write_sample_orders(wallet: str, overwrite: bool = False) -> Path:
    """Write the sample orders file (0600, atomically) unless one exists; return its path."""
    path = orders_path(wallet)
    if path.exists() and not overwrite:
        return path
    write_private(path, sample_orders_toml(wallet))
    return path
