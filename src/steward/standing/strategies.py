"""`steward strategies`: changes to the standing orders worth making, each with its reasoning and
the numbers behind it, sized within the owner's mandate.

It looks at what the wallet holds in stablecoins on every chain, the coins' measured relative
risk (`risk.risk_score`: peg, liquidity, issuer powers, dated ratings), the standing orders it
already has and the mandate. It recommends:

* **concentration**: a target mix when the riskier coin holds more than half of the stables;
* **depeg protection**: a risk rule for a held coin that scores riskier than another held coin
  and has none (threshold outside its feed's deviation band plus the buffer);
* **fixes**: orders the mandate will block or ask about (a step above the per-transaction limit
  or the confirmation threshold, a cap above the daily limit, a token the mandate does not allow).

Nothing here proposes or signs; each recommendation carries the TOML to paste into the orders file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from steward.standing.evaluate import USD, usd_text

# A coin holding more than this share of the stables is a concentration worth a rule.
CONCENTRATION = Fraction(1, 2)
# A score gap below this is noise, not a reason to move money.
MEANINGFUL_GAP = 10
DEPEG_THRESHOLD_BPS = 100  # "below 0.99": well outside a 25 bps feed band plus the 25 bps buffer


@dataclass
class Recommendation:
    kind: str  # "add-order" or "fix-order"
    title: str
    reasoning: list[str]
    numbers: dict[str, Any] = field(default_factory=dict)
    toml: str = ""


def recommend(wallet: str) -> list[Recommendation]:
    from steward import chains as chain_registry
    from steward.chains.config import load_config
    from steward.guard.mandate import load_mandate
    from steward.standing.facts import load_facts
    from steward.standing.orders import load_orders

    config = load_config()
    facts = load_facts()
    mandate = load_mandate(wallet)
    found = load_orders(wallet, config)
    try:
        held = _stable_holdings(wallet, config, facts)
        scores = _scores(sorted({s for s, _ in held}), config, facts)
    finally:
        chain_registry.end_all_sessions()
    out = _fixes(found.orders, mandate)
    out += _concentration(held, scores, found.orders, mandate)
    out += _depeg_rules(held, scores, found.orders, mandate, facts)
    return out


def _stable_holdings(wallet: str, config, facts) -> dict[tuple[str, str], int]:
    """(symbol, chain) → usd micros of each stablecoin the facts file knows, per EVM chain."""
    from steward.portfolio import chain_holdings
    from steward.wallets import WalletStore

    address = WalletStore().get(wallet).address
    held: dict[tuple[str, str], int] = {}
    for chain in config.chains.values():
        if chain.family != "evm":
            continue
        for holding in chain_holdings(chain, {wallet: address}):
            if holding.symbol in facts.coins and holding.balance and holding.usd_value:
                key = (holding.symbol, chain.name)
                held[key] = held.get(key, 0) + holding.usd_value
    return held


def _scores(symbols: list[str], config, facts) -> dict[str, Any]:
    from steward.standing.risk import issuer_powers, risk_score
    from steward.standing.signals import chain_now, read_peg

    chains = [c for c in config.chains.values() if c.family == "evm"]
    now = chain_now(chains)
    today = datetime.fromtimestamp(now, UTC).date()
    scores = {}
    for symbol in symbols:
        holding = [c for c in chains if symbol in c.tokens]
        if not holding:
            continue
        reading = read_peg(symbol, holding, now, facts=facts)
        scores[symbol] = risk_score(reading, facts, issuer_powers(symbol, holding[0]), today)
    return scores


def _step_within(mandate) -> int:
    """The largest step that the mandate lets run unattended (at or under its confirmation
    threshold), and never more than $1,000."""
    return max(USD, min(mandate.confirm.above_usd, mandate.limits.per_transaction_usd,
                        1000 * USD))


def _concentration(held, scores, orders, mandate) -> list[Recommendation]:
    by_chain: dict[str, dict[str, int]] = {}
    for (symbol, chain), usd in held.items():
        by_chain.setdefault(chain, {})[symbol] = usd
    out = []
    for chain, values in sorted(by_chain.items()):
        total = sum(values.values())
        scored = [(scores[s].score, s) for s in values if s in scores and not scores[s].problem]
        if total == 0 or len(scored) < 2:
            continue
        (low, safest), (high, riskiest) = min(scored), max(scored)
        share = Fraction(values[riskiest], total)
        covered = any(o.kind == "mix" and o.chain == chain and riskiest in o.max_share
                      for o in orders)
        if covered or high - low < MEANINGFUL_GAP or share <= CONCENTRATION:
            continue
        target = Fraction(3, 10) if high - low >= 2 * MEANINGFUL_GAP else CONCENTRATION
        excess = int((share - target) * total)
        step = _step_within(mandate)
        days = -(-excess // max(1, min(mandate.limits.daily_usd, 24 * step)))
        reasons = [f"{riskiest} is {float(share):.0%} of your {usd_text(total)} in stablecoins "
                   f"on {chain}.",
                   f"{riskiest} scores {high} of 100 for risk, {safest} {low} — "
                   + "; ".join(scores[riskiest].reasons[:3]) + ".",
                   f"Capping {riskiest} at {float(target):.0%} moves about {usd_text(excess)} "
                   f"into {safest}, in steps of {usd_text(step)} (your mandate asks you about "
                   f"anything above {usd_text(mandate.confirm.above_usd)}), one an hour: about "
                   f"{days} day(s) within your daily limit of "
                   f"{usd_text(mandate.limits.daily_usd)}."]
        toml = (f'[[order]]\nid = "{riskiest.lower()}-cap-{chain}"\nkind = "mix"\n'
                f'chain = "{chain}"\ntokens = ["{safest}", "{riskiest}"]\n'
                f'max_share = {{ {riskiest} = {float(target):g} }}\n'
                f'max_step_usd = {step // USD}\ncooldown = "1h"\n')
        out.append(Recommendation("add-order", f"Cap {riskiest} at {float(target):.0%} of your "
                                  f"stablecoins on {chain}", reasons,
                                  {"share": float(share), "target": float(target),
                                   "move_usd": excess, "step_usd": step,
                                   "scores": {riskiest: high, safest: low}}, toml))
    return out


def _depeg_rules(held, scores, orders, mandate, facts) -> list[Recommendation]:
    from steward.standing.facts import BUFFER_BPS

    out = []
    for (symbol, chain), usd in sorted(held.items()):
        others = [(scores[s].score, s) for (s, c) in held if c == chain and s != symbol
                  and s in scores and not scores[s].problem]
        if symbol not in scores or not others or any(
                o.kind == "risk" and o.token == symbol and o.chain == chain for o in orders):
            continue
        safest_score, safest = min(others)
        if scores[symbol].score - safest_score < MEANINGFUL_GAP:
            continue
        band = facts.get(symbol).feed_band_bps
        threshold_bps = max(DEPEG_THRESHOLD_BPS, band + BUFFER_BPS + 25)
        below = 1 - threshold_bps / 10_000
        cap = min(usd, mandate.limits.daily_usd // 2)
        reasons = [f"You hold {usd_text(usd)} of {symbol} on {chain} and no rule for a depeg.",
                   f"{symbol} scores {scores[symbol].score} of 100 for risk, {safest} "
                   f"{safest_score}.",
                   f"The threshold {below:.4f} sits outside the {symbol}/USD feed's ±{band / 100:g}% "
                   f"deviation band plus a {BUFFER_BPS / 100:g}% buffer, so ordinary feed noise "
                   "cannot trigger it; 30 minutes of debounce rides out a single bad block.",
                   f"At most {usd_text(cap)} a day moves (half your daily limit of "
                   f"{usd_text(mandate.limits.daily_usd)}), so the rule cannot crowd out your "
                   "own spending."]
        toml = (f'[[order]]\nid = "{symbol.lower()}-depeg-{chain}"\nkind = "risk"\n'
                f'chain = "{chain}"\ntoken = "{symbol}"\ninto = "{safest}"\n'
                f'below = {below:.4f}\nfor = "30m"\nmax_per_day_usd = {cap // USD}\n'
                f'max_step_usd = {_step_within(mandate) // USD}\n')
        out.append(Recommendation("add-order", f"Protect your {symbol} on {chain} from a depeg",
                                  reasons, {"held_usd": usd, "below": below, "cap_usd": cap},
                                  toml))
    return out


def _fixes(orders, mandate) -> list[Recommendation]:
    from steward.standing.orders import describe

    out = []
    limits, confirm = mandate.limits, mandate.confirm
    for order in orders:
        steps = {"mix": getattr(order, "max_step_usd", None),
                 "risk": getattr(order, "max_step_usd", None)
                 or getattr(order, "max_per_day_usd", None)}.get(order.kind)
        problems = []
        if steps is not None and steps > limits.per_transaction_usd:
            problems.append(f"one step may move {usd_text(steps)}, above the mandate's "
                            f"per-transaction limit of {usd_text(limits.per_transaction_usd)}: "
                            "such a step is blocked")
        elif steps is not None and steps > confirm.above_usd:
            problems.append(f"a step of {usd_text(steps)} is above the mandate's confirmation "
                            f"threshold of {usd_text(confirm.above_usd)}: each will wait for "
                            "your approval instead of running unattended")
        cap = getattr(order, "max_per_day_usd", None)
        if cap is not None and cap > limits.daily_usd:
            problems.append(f"its daily cap {usd_text(cap)} is above the mandate's daily limit "
                            f"{usd_text(limits.daily_usd)}: the mandate binds first")
        tokens = _order_tokens(order)
        if mandate.allow.tokens != "any":
            banned = [t for t in tokens if t not in mandate.allow.tokens]
            if banned:
                problems.append(f"the mandate does not allow {', '.join(banned)}: every action "
                                "is blocked")
        if problems:
            out.append(Recommendation("fix-order", f"Order {order.id}: {describe(order)}",
                                      problems, {"order": order.id}))
    return out


def _order_tokens(order) -> list[str]:
    if order.kind == "dca":
        return [order.token_in, order.token_out]
    if order.kind == "sweep":
        return [order.token]
    if order.kind == "mix":
        return list(order.tokens)
    return [order.token, order.into]
