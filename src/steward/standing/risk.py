"""How risky a stablecoin is, relative to the others, and whether a depeg has lasted.

`held_below` is the debounce of a risk order: it acts only when every observation over the
whole period was below the threshold, the history reaches back that far, and nothing is missing
(a gap, or a reading that failed closed, breaks it: the order waits rather than act on a guess).

`risk_score` adds four parts, each with the sentence that explains it: how far the peg is from
$1 now, how thin its pools are, what its issuer can do to holders (from due diligence on the
token's own bytecode, simulated), and an independent rating — used only while it is recent
enough; an old or missing rating counts as the middle, and says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.protocols.pricing import USD
from steward.standing.facts import FactsFile
from steward.standing.signals import PegReading

PEG_POINTS, PEG_FULL_BPS = 40, 500  # 5 % off $1 (either way) is the whole 40 points
LIQUIDITY_POINTS, LIQUID_DEPTH_USD = 15, 1_000_000  # depth under $1M scores up to 15
POWER_POINTS, POWERS_MAX = 5, 20
RATING_POINTS_PER_STEP, RATING_UNKNOWN = 5, 10  # rating 1..5 → 0..20
# The issuer's powers over holders, as token diligence names them.
POWER_FIELDS = {
    "is_blacklisted": "blacklist holders",
    "transfer_pausable": "pause transfers",
    "is_proxy": "replace the contract's code",
    "is_mintable": "mint new tokens",
    "owner_change_balance": "rewrite balances",
}
POWERS_CACHE_SECONDS = 24 * 3600


def held_below(history: list[tuple[int, Fraction | None]], threshold: Fraction, duration: int,
               now: int, max_gap: int) -> bool:
    """Whether the observations (at, price or None for a reading that failed closed) cover
    [now - duration, now] entirely below `threshold`: the newest one at or before
    now - duration and every later one strictly below, none None, and no two consecutive ones
    (the last and `now` included) more than `max_gap` seconds apart."""
    start = now - duration
    seen = sorted((entry for entry in history if entry[0] <= now), key=lambda entry: entry[0])
    anchors = [index for index, (at, _) in enumerate(seen) if at <= start]
    if not anchors:
        return False  # the history does not reach back far enough
    covering = seen[anchors[-1]:]
    if any(price is None or price >= threshold for _, price in covering):
        return False
    times = [at for at, _ in covering] + [now]
    return all(later - earlier <= max_gap for earlier, later in zip(times, times[1:]))


@dataclass(frozen=True)
class RiskScore:
    symbol: str
    score: int  # 0 (safest) .. 100; relative, for comparing stablecoins
    parts: dict[str, int]  # "peg", "liquidity", "issuer powers", "rating" → points
    reasons: tuple[str, ...]  # one plain sentence per part, with the numbers
    problem: str | None = None  # the peg reading's problem, when any (do not act on the score)


_powers: dict[tuple[int, str], tuple[float, dict[str, bool]]] = {}


def forget_powers() -> None:
    _powers.clear()


def issuer_powers(symbol: str, chain: ChainConfig) -> dict[str, bool]:
    """What the issuer of `symbol` on `chain` can do to holders (POWER_FIELDS → established
    True; not established counts as False), from `token_report`; kept a day per token."""
    from steward.diligence.token import token_report  # heavy: loaded when first needed

    token = chain.token_address(symbol)
    key = (chain.chain_id, token.lower())
    kept = _powers.get(key)
    if kept is not None and time.monotonic() - kept[0] < POWERS_CACHE_SECONDS:
        return dict(kept[1])
    report = token_report(chain_registry.connect(chain), chain, token, creator_tokens=False)
    powers = {field: report.value(field) is True for field in POWER_FIELDS}
    _powers[key] = (time.monotonic(), powers)
    return dict(powers)


def _peg_part(reading: PegReading) -> tuple[int, str]:
    if reading.price is None:
        return PEG_POINTS, (f"Its peg is unknown ({reading.problem}), so the peg counts "
                            f"the most, {PEG_POINTS} points.")
    off_bps = abs(reading.price - 1) * 10_000
    points = min(PEG_POINTS, round(off_bps * PEG_POINTS / PEG_FULL_BPS))
    return points, (f"It trades at ${float(reading.price):.4f}, {float(off_bps):.0f} bps from $1 "
                    f"({points} of {PEG_POINTS} points; {PEG_FULL_BPS} bps or more is all).")


def _liquidity_part(reading: PegReading) -> tuple[int, str]:
    depth = Fraction(reading.depth_usd, USD)
    short = max(Fraction(0), 1 - depth / LIQUID_DEPTH_USD)
    points = round(LIQUIDITY_POINTS * short)
    return points, (f"Its pools hold ${float(depth):,.0f} on their quote side ({points} of "
                    f"{LIQUIDITY_POINTS} points; ${LIQUID_DEPTH_USD:,} or more is none).")


def _powers_part(powers: dict[str, bool]) -> tuple[int, str]:
    held = [POWER_FIELDS.get(name, name.replace("_", " ")) for name, has in powers.items() if has]
    points = min(POWERS_MAX, POWER_POINTS * len(held))
    if not held:
        return 0, "Due diligence found no issuer power over holders (0 points)."
    return points, (f"Its issuer can {', '.join(held)} ({len(held)} × {POWER_POINTS} points, "
                    f"at most {POWERS_MAX}: {points}).")


def _rating_part(symbol: str, facts: FactsFile, today: date) -> tuple[int, str]:
    coin = facts.get(symbol)
    if coin.rating is None:
        return RATING_UNKNOWN, (f"{facts.source} holds no rating for {symbol}, so the rating "
                                f"counts as unknown ({RATING_UNKNOWN} points).")
    age = facts.rating_age_days(symbol, today)
    if age is None or age > facts.max_rating_age_days:
        when = "undated" if age is None else f"{age} days old on {today.isoformat()}"
        return RATING_UNKNOWN, (
            f"Its rating of {coin.rating} ({coin.rating_scale or 'scale not given'}) is {when}, "
            f"older than the {facts.max_rating_age_days} days trusted, so the rating counts as "
            f"unknown ({RATING_UNKNOWN} points).")
    points = (coin.rating - 1) * RATING_POINTS_PER_STEP
    return points, (f"It is rated {coin.rating} ({coin.rating_scale or 'scale not given'}) as of "
                    f"{coin.rating_date.isoformat()} ({points} of "
                    f"{4 * RATING_POINTS_PER_STEP} points).")


def risk_score(reading: PegReading, facts: FactsFile, powers: dict[str, bool],
               today: date) -> RiskScore:
    """A relative risk score (0 safest .. 100) with one reason per part."""
    parts, reasons = {}, []
    for name, (points, reason) in (("peg", _peg_part(reading)),
                                   ("liquidity", _liquidity_part(reading)),
                                   ("issuer powers", _powers_part(powers)),
                                   ("rating", _rating_part(reading.symbol, facts, today))):
        parts[name] = points
        reasons.append(reason)
    return RiskScore(symbol=reading.symbol, score=min(100, sum(parts.values())), parts=parts,
                     reasons=tuple(reasons), problem=reading.problem)


__all__ = ["POWER_FIELDS", "RiskScore", "forget_powers", "held_below", "issuer_powers",
           "risk_score"]
