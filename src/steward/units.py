"""Amounts: integers in base units inside Steward, Decimal text only at the edges."""

import re
from decimal import Decimal, InvalidOperation

from steward.errors import StewardError

# Commas only as thousands separators: "1,000.5" is fine, "1,5" is refused rather than read as 15.
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def to_base_units(text: str | int | Decimal, decimals: int, symbol: str = "") -> int:
    """Exact conversion of a human amount; more fractional digits than the token has is an error."""
    label = f" {symbol}" if symbol else ""
    raw = str(text).strip()
    if "," in raw:
        if not THOUSANDS.match(raw):
            raise StewardError(f"'{text}' is ambiguous: use a dot for decimals and commas only "
                               "between groups of three digits (1,000.50)")
        raw = raw.replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise StewardError(f"'{text}' is not an amount; write a number like 25 or 0.5") from None
    if not amount.is_finite():
        raise StewardError(f"'{text}' is not a finite amount")
    if amount <= 0:
        raise StewardError(f"the amount must be positive, got {text}{label}")
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise StewardError(
            f"{text}{label} has more decimal places than the token's {decimals}; "
            f"the smallest amount is {format_units(1, decimals)}{label}"
        )
    return int(scaled)


def format_units(base_units: int, decimals: int, places: int | None = None) -> str:
    """Base units as a plain decimal string; `places` rounds down for display only."""
    value = Decimal(base_units).scaleb(-decimals)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")
        return f"{value:,.{places}f}"
    text = format(value.normalize(), "f") if value else "0"
    return text


def to_decimal(base_units: int, decimals: int) -> Decimal:
    return Decimal(base_units).scaleb(-decimals)
