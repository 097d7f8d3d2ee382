"""Always on: standing orders evaluated around the clock, within the owner's mandate.

`orders` reads a wallet's standing orders (`<home>/orders/<wallet>.toml`, strictly, like the
mandate); `signals` and `risk` measure each stablecoin (reference feeds, pool time-weighted prices
on every chain, depth, issuer powers, dated ratings) and fail closed on stale or conflicting
data; `evaluate` turns an order and the measurements into one decision with its reason;
`store` keeps observations, firings (at most one per order and period, across crashes) and every
decision in `<home>/always-on.sqlite`; `worker` is `steward run`: each tick it proposes what the
orders call for through the same proposal queue a person uses (guard → a person's approval when
the mandate says confirm → execution).
"""
