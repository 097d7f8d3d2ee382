"""One standing order at one moment → what to do now and why.

`decide(order, view)` answers an `Action` (an intent to propose, the period it belongs to, what it
moves in USD, and the reason with its numbers) or a `Skip` (why not; outcome "skipped", or "alert"
when data failed closed). It reads the chain only through `view` and never signs; the worker
claims the period and proposes the intent through the proposal queue.

The bounds, whatever the order says and before the mandate is consulted:
* DCA and sweeps act once per period (`every`, counted from `start`);
* a mix order moves at most `max_step_usd` per action and waits `cooldown` between actions
  (Chaos Labs' risk stewards: a delay and a maximum step);
* a risk rule acts only after the price held below its threshold for its whole `for` window on
  trusted, fresh, agreeing data, at most once per window, at most `max_per_day_usd` per UTC day,
  and only into a coin that is itself on its peg and scores as less risky;
* stale or conflicting data fails closed: no action, an alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from steward.standing.store import DAY, Store
from steward.units import format_units

USD = 10**6
# Below this a move is dust, not worth a transaction.
MIN_ACTION_USD = 1 * USD


@dataclass
class Action:
    order_id: str
    period: str
    intent: dict
    usd: int  # usd micros the action moves
    reason: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Skip:
    order_id: str
    reason: str
    outcome: str = "skipped"  # or "alert": data failed closed, a person should know
    numbers: dict[str, Any] = field(default_factory=dict)
    # What kind of skip this is, for not recording the same one every tick while its numbers
    # move (the worker records a skip again when its key changes, or after an hour).
    key: str = ""

    def __post_init__(self):
        self.key = self.key or self.reason


@dataclass
class View:
    """What an order may look at now. Balances and values are read lazily through callables
    so an order reads only what it needs."""

    wallet: str
    now: int
    store: Store
    interval: int  # seconds between ticks (the debounce tolerates gaps of a few ticks)
    pegs: dict[str, Any]  # symbol → signals.PegReading
    scores: dict[str, Any]  # symbol → risk.RiskScore
    balance: Callable[[str, str], int]  # (chain, symbol) → base units
    decimals: Callable[[str, str], int]  # (chain, symbol) → decimals
    usd_value: Callable[[str, str, int], int | None]  # (chain, symbol, amount) → usd micros


def usd_text(micros: int) -> str:
    return f"${micros / USD:,.2f}"


def price_text(price: Fraction | None) -> str:
    return "unknown" if price is None else f"${float(price):.4f}"


def _duration(seconds: int) -> str:
    for unit, size in (("d", DAY), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _amount(view: View, chain: str, symbol: str, base_units: int) -> str:
    return f"{format_units(base_units, view.decimals(chain, symbol))} {symbol}"


def _swap(order, chain: str, token_in: str, token_out: str, amount_text: str) -> dict:
    intent = {"action": "swap", "chain": chain, "token_in": token_in, "token_out": token_out,
              "amount": {"kind": "exact", "value": amount_text}}
    if getattr(order, "slippage_bps", None) is not None:
        intent["slippage_bps"] = order.slippage_bps
    return intent


def _period(order, now: int) -> int | None:
    """The index of the period `now` is in, counted from the order's start; None before it."""
    start = getattr(order, "start", 0) or 0
    return None if now < start else (now - start) // order.every


def _taken(order, view: View, period: int, done: str) -> Skip | None:
    """A skip when this period already has its firing, saying where that firing stands."""
    firing = view.store.firing(view.wallet, order.id, str(period))
    if firing is None:
        return None
    every = _duration(order.every)
    if firing.status == "waiting":
        why = f"this period's action waits for your approval (proposal {firing.proposal_id})"
    elif firing.status == "executed":
        why = f"already {done} in this period (every {every})"
    else:
        why = f"this period's action ended {firing.status} (every {every}; next period tries again)"
    return Skip(order.id, why, numbers={"period": period}, key=f"period {period}")


def decide(order, view: View):
    return {"dca": _dca, "sweep": _sweep, "mix": _mix, "risk": _risk}[order.kind](order, view)


# --- DCA ---------------------------------------------------------------------------------------
def _open_period(order, view: View, done: str) -> int | Skip:
    """The period `now` is in, or a skip: before the order's start, or the period is taken."""
    period = _period(order, view.now)
    if period is None:
        return Skip(order.id, f"starts at {order.start} (unix time)")
    return _taken(order, view, period, done) or period


def _dca(order, view: View):
    period = _open_period(order, view, "bought")
    if isinstance(period, Skip):
        return period
    decimals = view.decimals(order.chain, order.token_in)
    spend = _base_units(order.spend, decimals)
    have = view.balance(order.chain, order.token_in)
    numbers = {"period": period, "spend": order.spend, "balance": format_units(have, decimals)}
    if have < spend:
        return Skip(order.id, f"not enough {order.token_in} on {order.chain} for this period's "
                              f"buy: {_amount(view, order.chain, order.token_in, have)} held, "
                              f"{order.spend} {order.token_in} needed", "alert", numbers)
    usd = view.usd_value(order.chain, order.token_in, spend) or 0
    return Action(order.id, str(period), _swap(order, order.chain, order.token_in,
                                               order.token_out, order.spend), usd,
                  f"DCA period {period}: buy {order.token_out} with {order.spend} "
                  f"{order.token_in} (every {_duration(order.every)})", numbers | {"usd": usd})


def _base_units(text: str, decimals: int) -> int:
    from steward import units

    return 0 if units.is_zero(text) else units.to_base_units(text, decimals)


# --- sweep -------------------------------------------------------------------------------------
def _sweep(order, view: View):
    period = _open_period(order, view, "swept")
    if isinstance(period, Skip):
        return period
    decimals = view.decimals(order.from_chain, order.token)
    have = view.balance(order.from_chain, order.token)
    keep = _base_units(order.keep, decimals)
    excess = have - keep
    numbers = {"period": period, "balance": format_units(have, decimals), "keep": order.keep}
    if excess <= 0 or excess < _base_units(order.min_move, decimals):
        return Skip(order.id, f"{_amount(view, order.from_chain, order.token, have)} on "
                              f"{order.from_chain}: nothing above {order.keep} {order.token} "
                              f"to move (at least {order.min_move})", numbers=numbers)
    text = format_units(excess, decimals)
    usd = view.usd_value(order.from_chain, order.token, excess) or 0
    intent = {"action": "bridge", "chain": order.from_chain, "to_chain": order.to_chain,
              "token": order.token, "amount": {"kind": "exact", "value": text}}
    return Action(order.id, str(period), intent, usd,
                  f"sweep: {text} {order.token} above the {order.keep} kept on "
                  f"{order.from_chain} goes to {order.to_chain}", numbers | {"move": text})


# --- target mix --------------------------------------------------------------------------------
def _cooling(order, view: View, spacing: int) -> Skip | None:
    last = view.store.last_action_at(view.wallet, order.id)
    if last is not None and view.now - last < spacing:
        return Skip(order.id, f"last acted {_duration(view.now - last)} ago; waits "
                              f"{_duration(spacing)} between actions",
                    numbers={"next_at": last + spacing}, key="cooling down")
    return None


def _mix(order, view: View):
    values: dict[str, int] = {}
    held: dict[str, int] = {}
    for symbol in order.tokens:
        peg = view.pegs.get(symbol)
        if peg is not None and peg.problem:
            return Skip(order.id, f"{symbol}'s price cannot be trusted now ({peg.problem}); "
                                  "no rebalancing on doubtful data", "alert")
        held[symbol] = view.balance(order.chain, symbol)
        value = view.usd_value(order.chain, symbol, held[symbol]) if held[symbol] else 0
        if value is None:
            return Skip(order.id, f"{symbol} on {order.chain} has no trusted price now; no "
                                  "rebalancing on doubtful data", "alert")
        values[symbol] = value
    total = sum(values.values())
    shares = {s: Fraction(v, total) if total else Fraction(0) for s, v in values.items()}
    numbers = {"total_usd": total, "shares": {s: f"{float(x):.4f}" for s, x in shares.items()}}
    over = [(shares[s] - Fraction(str(limit)), s) for s, limit in order.max_share.items()
            if shares[s] > Fraction(str(limit)) + Fraction(str(order.band))]
    if not over:
        listed = ", ".join(f"{s} {float(x):.1%}" for s, x in shares.items())
        return Skip(order.id, f"mix within bounds ({listed} of {usd_text(total)})",
                    numbers=numbers, key="within bounds")
    excess, source = max(over)
    target = _mix_target(order, view, source, shares)
    if isinstance(target, Skip):
        return target
    cooling = _cooling(order, view, order.cooldown)
    if cooling:
        return cooling
    usd = min(int(excess * total), order.max_step_usd)
    if usd < MIN_ACTION_USD:
        return Skip(order.id, f"{source} is over its share by only {usd_text(usd)}",
                    numbers=numbers)
    amount = min(held[source], held[source] * usd // values[source])
    text = format_units(amount, view.decimals(order.chain, source))
    limit = Fraction(str(order.max_share[source]))
    return Action(order.id, str(view.now // order.cooldown),
                  _swap(order, order.chain, source, target, text), usd,
                  f"{source} is {float(shares[source]):.1%} of {usd_text(total)}, above its "
                  f"{float(limit):.0%} limit (+{float(order.band):.0%} band): swap {text} "
                  f"{source} (≈{usd_text(usd)}, at most {usd_text(order.max_step_usd)} a step) "
                  f"into {target}", numbers | {"move": text, "usd": usd, "into": target})


def _mix_target(order, view: View, source: str, shares: dict[str, Fraction]) -> str | Skip:
    """The least risky other token of the mix that still has room under its own limit."""
    candidates = []
    for symbol in order.tokens:
        limit = order.max_share.get(symbol)
        if symbol == source or (limit is not None and shares[symbol] >= Fraction(str(limit))):
            continue
        score = view.scores.get(symbol)
        candidates.append((score.score if score is not None else 50, symbol))
    if not candidates:
        return Skip(order.id, f"{source} is over its limit but every other token of the mix is "
                              "at its own limit", "alert")
    return min(candidates)[1]


# --- risk rule ---------------------------------------------------------------------------------
def _risk(order, view: View):
    from steward.standing.risk import held_below

    peg, into = view.pegs.get(order.token), view.pegs.get(order.into)
    below = Fraction(str(order.below))
    if peg is None or peg.problem:
        problem = peg.problem if peg else "no reading"
        return Skip(order.id, f"{order.token}'s peg data failed closed ({problem}): no action",
                    "alert", key=f"failed closed: {problem.split(':')[0]}")
    numbers = {"price": float(peg.price), "below": float(below)}
    since = view.now - order.for_seconds - 4 * view.interval
    history = view.store.history(order.token, since, view.now)
    max_gap = max(3 * view.interval, 300)
    if not held_below(history, below, order.for_seconds, view.now, max_gap):
        state = "at" if peg.price >= below else "below, not yet long enough, at"
        return Skip(order.id, f"{order.token} {state} {price_text(peg.price)} (acts below "
                              f"{price_text(below)} held for {_duration(order.for_seconds)})",
                    numbers=numbers, key=state)
    refusal = _refuse_target(order, view, peg, into)
    if refusal:
        return refusal
    cooling = _cooling(order, view, order.for_seconds)
    if cooling:
        return cooling
    day = view.now // DAY
    spent = view.store.spent_on_day(view.wallet, order.id, day)
    room = order.max_per_day_usd - spent
    numbers |= {"spent_today_usd": spent, "cap_usd": order.max_per_day_usd}
    if room < MIN_ACTION_USD:
        return Skip(order.id, f"{order.token} is below {price_text(below)}, but today's cap of "
                              f"{usd_text(order.max_per_day_usd)} is used "
                              f"({usd_text(spent)})", numbers=numbers, key=f"cap used {day}")
    held = view.balance(order.chain, order.token)
    decimals = view.decimals(order.chain, order.token)
    worth = held * peg.price * USD / 10**decimals
    usd = int(min(Fraction(room), Fraction(order.max_step_usd or order.max_per_day_usd), worth))
    if usd < MIN_ACTION_USD:
        return Skip(order.id, f"{order.token} is below {price_text(below)}, but the wallet holds "
                              f"only {_amount(view, order.chain, order.token, held)} on "
                              f"{order.chain}", numbers=numbers)
    amount = min(held, int(Fraction(usd) * 10**decimals / (peg.price * USD)))
    text = format_units(amount, decimals)
    return Action(order.id, str(view.now // order.for_seconds),
                  _swap(order, order.chain, order.token, order.into, text), usd,
                  f"{order.token} has traded below {price_text(below)} for "
                  f"{_duration(order.for_seconds)} (now {price_text(peg.price)} from "
                  f"{_sources(peg)}); {order.into} is on its peg and less risky "
                  f"({_scores(view, order)}): swap {text} {order.token} (≈{usd_text(usd)}; "
                  f"{usd_text(spent + usd)} of today's {usd_text(order.max_per_day_usd)} cap) "
                  f"into {order.into}", numbers | {"move": text, "usd": usd})


def _refuse_target(order, view: View, peg, into) -> Skip | None:
    if into is None or into.problem or into.price is None:
        problem = into.problem if into else "no reading"
        return Skip(order.id, f"{order.token} is below its threshold, but {order.into}'s own "
                              f"peg data failed closed ({problem}): no action", "alert")
    if into.price < Fraction(str(order.below)):
        return Skip(order.id, f"{order.token} is below its threshold, but so is {order.into} "
                              f"({price_text(into.price)}): moving would not reduce risk",
                    "alert")
    mine, theirs = view.scores.get(order.token), view.scores.get(order.into)
    if mine is not None and theirs is not None and theirs.score >= mine.score:
        return Skip(order.id, f"{order.token} is below its threshold, but {order.into} does not "
                              f"score as less risky ({_scores(view, order)})", "alert")
    return None


def _sources(peg) -> str:
    used = [s.label for s in peg.sources if s.usd is not None and s.kind != "spot"]
    return ", ".join(used) or "no source"


def _scores(view: View, order) -> str:
    mine, theirs = view.scores.get(order.token), view.scores.get(order.into)
    if mine is None or theirs is None:
        return "risk scores unavailable"
    return f"risk {order.token} {mine.score}, {order.into} {theirs.score} of 100"
