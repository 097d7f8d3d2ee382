"""One mandate, two enforcers: the guarded account's on-chain policy compiled from the same
`mandate.toml` the guard reads, the worst case a stolen agent key could still take under it,
and where a policy on chain is looser than the file.

How the file becomes the policy of one chain:
- tracked assets: the native coin and the registry tokens the mandate allows that have a
  trusted price (`protocols.pricing`) or a per-token limit (at most 16);
- each asset's USD rate is its trusted price now plus RATE_MARGIN_BPS, rounded up, so a loss is
  never valued below today's price (a token whose price later rises above its rate is flagged by
  `looser_than_file`);
- per-asset limit per window: `limits.per_token_daily` where given, and never more than what
  the chain's daily USD limit buys at the rate;
- USD per window: `limits.daily_usd` (and that chain's `per_chain_daily_usd`, the lower);
  USD per batch: `limits.per_transaction_usd`;
- allowlist: `transfer` and `approve` on the tracked tokens, WETH's `deposit`/`withdraw`, each
  exchange adapter's own swap functions (`DexAdapter.permissions`) and the bridge's `lock`,
  `lock_to_solana` and `burn`; plain coin sends when the mandate allows the native coin. `allow.contracts = "any"` or
  a list is compiled as "known": the chain cannot allow what it cannot name.
What the chain cannot do stays with the guard: recipients (address book, first-time, poisoning),
due diligence, slippage, confirmations.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel
from web3 import Web3

from steward.accounts.contract import NATIVE, RATE_SCALE, OnChainState, Permission, \
    Policy, TokenRule
from steward.chains.config import ChainConfig
from steward.guard.mandate import Mandate, usd_text
from steward.protocols import registry
from steward.protocols.adapter import selectors
from steward.protocols.pricing import PriceSource
from steward.units import format_units

RATE_MARGIN_BPS = 500  # rates sit 5 % above the trusted price
MAX_TRACKED = 16
WINDOW_SECONDS = 86_400
DEFAULT_DELAY_SECONDS = 86_400


class TrackedAsset(BaseModel):
    """A tracked asset as people read it."""

    symbol: str
    token: str  # NATIVE for the coin
    decimals: int
    limit: int  # base units per window
    usd_rate: int  # USD micros per 10**18 base units
    price_now: Fraction | None = None  # USD micros per base unit, when priced

    model_config = {"arbitrary_types_allowed": True}

    def limit_text(self) -> str:
        return f"{format_units(self.limit, self.decimals)} {self.symbol}"


class CompiledPolicy(BaseModel):
    chain: str
    policy: Policy
    assets: list[TrackedAsset]
    notes: list[str]  # what the file says that the chain does not enforce, and why


class WorstCase(BaseModel):
    per_window_usd: int  # USD micros at today's prices
    per_day_usd: int  # any 24 h: two fixed windows meet
    per_asset: dict[str, str]  # symbol → the most of it one window can lose
    notes: list[str]


def _conservative_rate(price: Fraction) -> int:
    """USD micros per 10**18 base units: the price plus the margin, rounded up."""
    raw = price * RATE_SCALE * (10_000 + RATE_MARGIN_BPS) / 10_000
    return -(-raw.numerator // raw.denominator)


def _window_usd(mandate: Mandate, chain: ChainConfig) -> int:
    limits = mandate.limits
    per_chain = limits.per_chain_daily_usd.get(chain.name)
    return min(limits.daily_usd, per_chain) if per_chain is not None else limits.daily_usd


def _candidates(mandate: Mandate, chain: ChainConfig) -> list[tuple[str, str | None]]:
    """(symbol, address or None for the coin) of every asset the mandate lets a plan move."""
    found: list[tuple[str, str | None]] = []
    if mandate.allow.token_allowed(chain, None):
        found.append((chain.native_symbol, None))
    for symbol, address in chain.tokens.items():
        if mandate.allow.token_allowed(chain, address):
            found.append((symbol, address))
    return found


def compile_policy(mandate: Mandate, chain: ChainConfig, w3: Web3,
                   delay_seconds: int = DEFAULT_DELAY_SECONDS) -> CompiledPolicy:
    prices = PriceSource(w3, chain)
    window_usd = _window_usd(mandate, chain)
    per_token = mandate.limits.per_token_daily
    assets: list[TrackedAsset] = []
    notes: list[str] = []
    for symbol, address in _candidates(mandate, chain):
        decimals = 18 if address is None else chain.token_decimals.get(symbol)
        if decimals is None:
            notes.append(f"{symbol}: its decimals were never recorded, so it is not tracked "
                         "and the agent key cannot move it")
            continue
        price = prices.price(address).value
        explicit = per_token.get(symbol.upper())
        explicit_units = None if explicit is None else int(explicit * Decimal(10) ** decimals)
        if price is None or price <= 0:
            if explicit_units is None:
                continue  # unpriced and unlimited in the file: not movable by the agent key
            rate = RATE_SCALE * 10**12  # unpriced: each base unit counts as a whole dollar
            limit = explicit_units
        else:
            rate = _conservative_rate(price)
            limit = window_usd * RATE_SCALE // rate
            if explicit_units is not None:
                limit = min(limit, explicit_units)
        assets.append(TrackedAsset(symbol=symbol, token=address or NATIVE, decimals=decimals,
                                   limit=limit, usd_rate=rate, price_now=price))
    if len(assets) > MAX_TRACKED:
        dropped = assets[MAX_TRACKED:]
        assets = assets[:MAX_TRACKED]
        notes.append("at most 16 assets are tracked; not movable by the agent key: "
                     + ", ".join(a.symbol for a in dropped))
    if mandate.allow.contracts != "known":
        notes.append('allow.contracts is compiled as "known": the account allows only the '
                     "registry's contracts, which is stricter than the file")
    if mandate.allow.recipients != "any":
        notes.append("recipients (address book, first-time payees) are checked by the guard "
                     "only: on chain, tracked tokens may go to any address within the limits")
    policy = Policy(
        period_seconds=WINDOW_SECONDS, delay_seconds=delay_seconds,
        tokens=tuple(TokenRule(token=a.token, limit=a.limit, usd_rate=a.usd_rate) for a in assets),
        window_usd_limit=window_usd, batch_usd_limit=mandate.limits.per_transaction_usd,
        permissions=tuple(_permissions(chain, assets)),
        native_sends=any(a.token == NATIVE for a in assets))
    return CompiledPolicy(chain=chain.name, policy=policy, assets=assets, notes=notes)


def _permissions(chain: ChainConfig, assets: list[TrackedAsset]) -> list[Permission]:
    erc20 = selectors("uniswap/WETH9", ["transfer", "approve"])
    entries: dict[tuple[str, str], Permission] = {}

    def grant(target: str, selector: str, value: bool = False) -> None:
        entries[(target.lower(), selector)] = Permission(target=target, selector=selector,
                                                         value=value)

    for asset in assets:
        if asset.token != NATIVE:
            for selector in erc20.values():
                grant(asset.token, selector)
    weth = chain.contracts.get("weth")
    if weth and any(a.token.lower() == weth.lower() for a in assets):
        wrap = selectors("uniswap/WETH9", ["deposit", "withdraw"])
        grant(weth, wrap["deposit"], value=True)
        grant(weth, wrap["withdraw"])
    for venue in registry.dexes(chain):
        for permit in venue.permissions(chain):
            grant(permit.target, permit.selector, permit.value)
    bridge = chain.contracts.get("bridge")
    if bridge:
        for selector in selectors("Bridge", ["lock", "burn", "lock_to_solana"]).values():
            grant(bridge, selector, value=True)
    return list(entries.values())


def worst_case(compiled: CompiledPolicy) -> WorstCase:
    """The most a stolen agent key could take in one window at today's prices: each asset up to
    its limit, all of them together up to the window's USD limit at their rates (the assets that
    give most per rated dollar first), and twice that in any 24 h (two fixed windows meet)."""
    budget = Fraction(compiled.policy.window_usd_limit)
    taken = Fraction(0)
    per_asset: dict[str, str] = {}
    for asset in compiled.assets:
        per_asset[asset.symbol] = asset.limit_text()
    order = sorted(compiled.assets, key=lambda a: -(_price(a) / Fraction(a.usd_rate, RATE_SCALE)))
    for asset in order:
        if budget <= 0:
            break
        rate = Fraction(asset.usd_rate, RATE_SCALE)
        amount = min(Fraction(asset.limit), budget / rate)
        budget -= amount * rate
        taken += amount * _price(asset)
    notes = [
        "windows are fixed UTC days ([k·86400, (k+1)·86400) of block time): a key used just "
        "before and just after midnight gets two windows' worth in minutes",
        "tokens outside the registry are not tracked: allowances this address granted before "
        "the upgrade can still be spent through the allowed routers",
    ]
    per_window = int(taken)
    return WorstCase(per_window_usd=per_window, per_day_usd=2 * per_window, per_asset=per_asset,
                     notes=notes)


def _price(asset: TrackedAsset) -> Fraction:
    # Unpriced assets are valued at their rate: the best the chain itself knows.
    return asset.price_now if asset.price_now else Fraction(asset.usd_rate, RATE_SCALE)


def looser_than_file(state: OnChainState, compiled: CompiledPolicy) -> list[str]:
    """Every way the policy on chain lets more out than the file (compiled now) would."""
    found: list[str] = []
    onchain, wanted = state.policy, compiled.policy
    for asset in compiled.assets:
        rule = onchain.rule(asset.token)
        if rule is None:
            continue  # not tracked on chain and not allowlisted by this compile: see notes
        if rule.limit > asset.limit:
            found.append(f"{asset.symbol}: {format_units(rule.limit, asset.decimals)} per window "
                         f"on chain, the file allows {asset.limit_text()}")
        if asset.price_now and Fraction(rule.usd_rate, RATE_SCALE) < asset.price_now:
            found.append(f"{asset.symbol}: valued on chain below today's price, so the USD "
                         "limits let more of it out than they say")
    if onchain.window_usd_limit > wanted.window_usd_limit:
        found.append(f"USD per window: {usd_text(onchain.window_usd_limit)} on chain, the file "
                     f"says {usd_text(wanted.window_usd_limit)}")
    if onchain.batch_usd_limit > wanted.batch_usd_limit:
        found.append(f"USD per batch: {usd_text(onchain.batch_usd_limit)} on chain, the file "
                     f"says {usd_text(wanted.batch_usd_limit)}")
    if onchain.native_sends and not wanted.native_sends:
        found.append("plain coin sends are allowed on chain; the file does not allow the coin")
    tracked = {r.token for r in wanted.tokens}
    for rule in onchain.tokens:
        if rule.token not in tracked and rule.limit > 0:
            found.append(f"{rule.token} may lose {rule.limit} base units per window on chain; "
                         "the file does not allow it")
    return found


__all__ = ["CompiledPolicy", "TrackedAsset", "WorstCase", "compile_policy",
           "looser_than_file", "worst_case"]
