"""Amounts: integers in base units inside Steward, decimal text only at the edges.

Amount text is canonical ASCII decimal: digits 0-9 with an optional dot and more digits. No
exponents (1e3), underscores (1_000), signs, spaces, NaN/Infinity or other scripts' digits
(١٠, ১০, １０ — `str.isdigit`, `\\d` and `Decimal()` all accept those, so the digit class
here is explicit). People may also group thousands with commas (1,000.5). Conversions are integer
arithmetic on the digits, so they are exact for every amount up to 2**256 - 1; nothing runs in
Decimal's default 28-digit context.
"""

import re
from decimal import Decimal

from steward.errors import StewardError

MAX_UINT256 = 2**256 - 1
# Longer texts cannot be a uint256 amount in any token Steward knows; the bound also keeps a
# hostile megabyte of digits away from int().
MAX_AMOUNT_CHARS = 160
VALID_AMOUNT = ("write a plain decimal number with the digits 0-9 and an optional dot, like 25 "
                "or 0.5")
CANONICAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Commas only as thousands separators: "1,000.5" is fine, "1,5" is refused rather than read as 15.
THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def canonical_amount(text: object) -> str:
    """`text` if it is canonical decimal text (no commas, no spaces), else a StewardError."""
    if not isinstance(text, str) or isinstance(text, bool):
        raise StewardError(f"{_show(text)} is not amount text: give a string of the digits "
                           '0-9 with an optional dot, like "25" or "0.5"')
    if len(text) > MAX_AMOUNT_CHARS:
        raise StewardError(f"the amount has {len(text)} characters; at most "
                           f"{MAX_AMOUNT_CHARS} are accepted")
    if not CANONICAL.fullmatch(text):
        if text[:1] in "-−" and CANONICAL.fullmatch(text[1:]):
            raise StewardError(f"the amount must be positive, got {_show(text)}")
        raise StewardError(f"{_show(text)} is not an amount: {VALID_AMOUNT}")
    return text


def human_amount(text: str | int) -> str:
    """A person's amount as canonical text: surrounding spaces dropped, thousands commas read."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise StewardError(f"{_show(text)} is not an amount: {VALID_AMOUNT}")
    raw = text.strip()
    if "," in raw:
        if not THOUSANDS.fullmatch(raw):
            raise StewardError(f"{_show(text)} is ambiguous: use a dot for decimals and commas "
                               "only between groups of three digits (1,000.50)")
        raw = raw.replace(",", "")
    return canonical_amount(raw)


def ratio(text: str) -> tuple[int, int]:
    """Canonical decimal text as an exact numerator / denominator (a power of ten)."""
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return int(whole + fraction), 10 ** len(fraction)


def is_zero(text: str) -> bool:
    return ratio(canonical_amount(text))[0] == 0


def compare(text: str, limit: int) -> int:
    """-1, 0 or 1 as canonical `text` is below, equal to or above the whole number `limit`."""
    numerator, denominator = ratio(canonical_amount(text))
    return (numerator > limit * denominator) - (numerator < limit * denominator)


def to_base_units(text: str | int, decimals: int, symbol: str = "") -> int:
    """Exact conversion of a human amount; more fractional digits than the token has is an error."""
    label = f" {symbol}" if symbol else ""
    raw = human_amount(text)
    numerator, denominator = ratio(raw)
    if numerator == 0:
        raise StewardError(f"the amount must be positive, got {text}{label}")
    scale = 10**decimals
    if (numerator * scale) % denominator:
        raise StewardError(
            f"{text}{label} has more decimal places than the token's {decimals}; "
            f"the smallest amount is {format_units(1, decimals)}{label}"
        )
    units = numerator * scale // denominator
    if units > MAX_UINT256:
        raise StewardError(f"{text}{label} is more than any token can hold (2**256 - 1 base "
                           "units)")
    return units


def scale_down(base_units: int, text: str) -> int:
    """floor(base_units × text) exactly, for shares of a balance and dollars → micro-dollars."""
    numerator, denominator = ratio(canonical_amount(text))
    return base_units * numerator // denominator


def format_units(base_units: int, decimals: int, places: int | None = None) -> str:
    """Base units as a plain decimal string with every digit; `places` rounds toward zero and
    groups thousands, for display only."""
    sign = "-" if base_units < 0 else ""
    whole, rest = divmod(abs(base_units), 10**decimals)
    digits = str(rest).rjust(decimals, "0") if decimals else ""
    if places is None:
        digits = digits.rstrip("0")
        return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"
    digits = digits[:places].ljust(places, "0")
    return f"{sign}{whole:,}.{digits}" if places else f"{sign}{whole:,}"


def to_decimal(base_units: int, decimals: int) -> Decimal:
    # Built from the exact text, so no context precision can round it.
    return Decimal(format_units(base_units, decimals))


def _show(value: object) -> str:
    # repr: quoted, with control and bidi characters escaped (the text came from outside).
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"
