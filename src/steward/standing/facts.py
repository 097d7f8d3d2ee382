"""Stablecoin facts the chain cannot tell (issuer, reference-feed deviation band, dated ratings),
from the package's `data/stablecoins.toml`, or from `<home>/stablecoins.toml` when the owner
keeps their own copy. Read as data: a missing or malformed entry is "unknown", never a guess."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources

from steward.errors import StewardError
from steward.home import steward_home

# Without a known band, a depeg threshold must sit at least this far from $1.
DEFAULT_FEED_BAND_BPS = 50
# Beyond a feed's own deviation band: the feed writes a new answer only past its band, so a
# threshold (or a disagreement between sources) inside band + buffer cannot be confirmed by it
# (yearn/monitoring #310); the buffer absorbs the feed's lag.
BUFFER_BPS = 25
DEFAULT_MAX_RATING_AGE_DAYS = 540


@dataclass(frozen=True)
class StablecoinFacts:
    symbol: str
    issuer: str | None = None
    feed_band_bps: int = DEFAULT_FEED_BAND_BPS
    feed_heartbeat_seconds: int | None = None
    rating: int | None = None  # 1 (very strong) .. 5 (weak)
    rating_scale: str | None = None
    rating_date: date | None = None


@dataclass(frozen=True)
class FactsFile:
    source: str
    max_rating_age_days: int
    coins: dict[str, StablecoinFacts]

    def get(self, symbol: str) -> StablecoinFacts:
        return self.coins.get(symbol.upper(), StablecoinFacts(symbol.upper()))

    def rating_age_days(self, symbol: str, today: date) -> int | None:
        found = self.get(symbol).rating_date
        return None if found is None else (today - found).days


def _text() -> tuple[str, str]:
    own = steward_home() / "stablecoins.toml"
    if own.exists():
        return own.read_text(), str(own)
    packaged = resources.files("steward.standing") / "data" / "stablecoins.toml"
    return packaged.read_text(), "steward's stablecoins.toml"


def load_facts() -> FactsFile:
    text, source = _text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StewardError(f"{source}: not valid TOML ({exc})") from None
    max_age = data.pop("max_rating_age_days", DEFAULT_MAX_RATING_AGE_DAYS)
    coins = {}
    for symbol, entry in data.items():
        if not isinstance(entry, dict):
            raise StewardError(f"{source}: {symbol} must be a table of facts")
        unknown = set(entry) - (set(StablecoinFacts.__dataclass_fields__) - {"symbol"})
        if unknown:
            raise StewardError(f"{source}: {symbol}: unknown keys {sorted(unknown)}; valid: "
                               "issuer, feed_band_bps, feed_heartbeat_seconds, rating, "
                               "rating_scale, rating_date")
        rating = entry.get("rating")
        if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
            raise StewardError(f"{source}: {symbol}.rating must be a whole number 1 to 5")
        coins[symbol.upper()] = StablecoinFacts(symbol=symbol.upper(), **entry)
    return FactsFile(source=source, max_rating_age_days=int(max_age), coins=coins)
