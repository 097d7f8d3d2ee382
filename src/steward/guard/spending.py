"""Spending limits: what a plan takes out of a wallet, against every limit that applies to it.

The guard judges a plan with `over_limits` when it reviews it, and the executor applies the
same rules again under the per-wallet spend lock right before signing (`limits_at_signing`,
then `over_limits` on the journal as it is then), so processes that were each judged within a
limit cannot together exceed it. Four limits apply: per transaction (USD), daily (USD, every
chain), daily per chain (USD) and daily per token (in the token's own units, by the token's
registry ADDRESS on the plan's chain, never by a symbol a contract declares).

Value that stays the owner's is not spending (`kept_by_owner`): what one of the owner's own
wallets (from the wallet store, never from a request) receives, and what the sender wraps into,
or unwraps from, the chain registry's WETH contract and keeps in the other form. Only the
matched amount is kept, read from the simulation (balances and the registry WETH contract's own
events, by address); a swap, and a bridge even to the owner's own address elsewhere, is spending.

What a verdict recorded is what is re-checked: its USD outflow (priced at judging), its chain,
its outflows per token address, and the limits in force when it was judged. At signing the
wallet's mandate is read again and the stricter of each limit applies, so tightening the
mandate between judging and signing takes effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from steward.chains.config import ChainConfig, load_config
from steward.guard.mandate import UNRESTRICTED_SOURCE, Limits, load_mandate, usd_text
from steward.journal import Journal
from steward.simulation import AssetChange, SimulationResult
from steward.units import format_units

NATIVE = "native"  # the token key of a chain's native coin
ZERO_ADDRESS = "0x" + "0" * 40


class Outflow(BaseModel):
    """One asset leaving the wallet in a plan, by address, in base units."""

    model_config = ConfigDict(frozen=True)

    token: str  # lower-case contract address, or NATIVE for the chain's coin
    symbol: str  # for messages only; never used to identify the token
    decimals: int
    amount: int


class TokenLimit(BaseModel):
    """A per-token daily limit resolved for one chain: base units of the token at `token`."""

    model_config = ConfigDict(frozen=True)

    symbol: str  # the mandate's (registry) symbol, for messages
    decimals: int
    amount: int


class SpendLimits(BaseModel):
    """The limits that apply to one plan, in usd micros and token base units."""

    model_config = ConfigDict(frozen=True)

    per_transaction_usd: int
    daily_usd: int
    chain_daily_usd: int | None = None
    token_daily: dict[str, TokenLimit] = {}  # token key (as in Outflow.token) → limit


def asset_key(token: str | None) -> str:
    """The key of an asset in outflows and limits: NATIVE, or the lower-case token address."""
    return NATIVE if token is None else token.lower()


def outflows(changes: list[AssetChange], kept: Mapping[str, int] | None = None) -> list[Outflow]:
    """The sender's negative balance changes (the fee excluded) as outflows by token address,
    less what `kept` (asset key → base units, see `kept_by_owner`) says stayed the owner's; an
    asset with nothing left over is no outflow."""
    kept = kept or {}
    found = []
    for change in changes:
        amount = -change.delta - kept.get(asset_key(change.token), 0)
        if change.delta < 0 and amount > 0:
            found.append(Outflow(token=asset_key(change.token), symbol=change.symbol,
                                 decimals=change.decimals, amount=amount))
    return found


def kept_by_owner(sim: SimulationResult, own_wallets: Iterable[str], weth: str | None = None,
                  *, case_sensitive: bool = False) -> dict[str, int]:
    """Asset key → how much of the sender's outflow of it stays the owner's: received by one of
    `own_wallets` (addresses from the wallet store), or wrapped into / unwrapped from `weth` (the
    chain registry's WETH contract; None where there is none) and kept in the other form.

    The owner's wallets are taken together: each asset's change is the sender's plus what own
    wallets gained. A wrap keeps the native coin that left only up to what the registry WETH
    contract itself says it minted to the sender (its Deposit, or a Transfer from the zero
    address) and only while that WETH is still the owner's when the plan ends; an unwrap the
    same way round. A token that calls itself WETH elsewhere, WETH passed on to anyone else, or
    a swap's output is never a wrap."""
    fold = (lambda address: address) if case_sensitive else str.lower
    sender, own = fold(sim.sender), {fold(address) for address in own_wallets} - {fold(sim.sender)}
    change: dict[str, int] = {}  # the owner's wallets together, per asset
    kept: dict[str, int] = {}
    for item in sim.changes:
        holder, key = fold(item.holder), asset_key(item.token)
        if holder == sender:
            change[key] = change.get(key, 0) + item.delta
        elif holder in own and item.delta > 0:
            change[key] = change.get(key, 0) + item.delta
            kept[key] = kept.get(key, 0) + item.delta
    sent = {key: -delta for key, delta in ((asset_key(i.token), i.delta)
                                            for i in sim.sender_changes()) if delta < 0}
    kept = {key: min(amount, sent[key]) for key, amount in kept.items() if key in sent}
    if weth:
        wrapped, unwrapped = wrapped_by_sender(sim, weth)
        native, token = change.get(NATIVE, 0), change.get(weth.lower(), 0)
        wrap = min(wrapped, max(-native, 0), max(token, 0))
        unwrap = min(unwrapped, max(-token, 0), max(native, 0))
        if wrap:
            kept[NATIVE] = kept.get(NATIVE, 0) + wrap
        if unwrap:
            kept[weth.lower()] = kept.get(weth.lower(), 0) + unwrap
    return {key: amount for key, amount in kept.items() if amount > 0}


def wrapped_by_sender(sim: SimulationResult, weth: str) -> tuple[int, int]:
    """(minted to, burned from) the sender by the contract at `weth`, from that contract's own
    events in the steps that ran: WETH9's Deposit / Withdrawal, or an ERC-20 Transfer from / to
    the zero address (wrapped coins that mint and burn that way). Both kinds describe the same
    wrap where a contract emits both, so the larger sum counts, never their total."""
    sender, weth = sim.sender.lower(), weth.lower()
    deposits = withdrawals = mints = burns = 0
    for step in sim.steps:
        if not step.success:
            continue
        for event in step.events:
            if event.contract.lower() != weth:
                continue
            # Arguments by position (indexed first, as decoded): ABIs name them differently.
            args = [value.lower() for value in event.args.values()]
            if event.name == "Deposit" and len(args) == 2 and args[0] == sender:
                deposits += _amount(args[1])
            elif event.name == "Withdrawal" and len(args) == 2 and args[0] == sender:
                withdrawals += _amount(args[1])
            elif event.name == "Transfer" and len(args) == 3:
                if args[0] == ZERO_ADDRESS and args[1] == sender:
                    mints += _amount(args[2])
                elif args[0] == sender and args[1] == ZERO_ADDRESS:
                    burns += _amount(args[2])
    return max(deposits, mints), max(withdrawals, burns)


def _amount(text: str) -> int:
    try:
        return max(int(text), 0)
    except ValueError:
        return 0


def token_key(chain: ChainConfig, symbol: str) -> str | None:
    """The registry token a mandate symbol means on `chain` (None: not on that chain)."""
    if symbol.upper() == chain.native_symbol.upper():
        return NATIVE
    for known, address in chain.tokens.items():
        if known.upper() == symbol.upper():
            return address.lower()
    return None


def spend_limits(limits: Limits, chain: ChainConfig, moved: list[Outflow]) -> SpendLimits:
    """The mandate's limits for a plan on `chain` that moves `moved`; per-token limits become
    base units with the decimals the simulation read (rounded down: never looser)."""
    decimals = {outflow.token: outflow.decimals for outflow in moved}
    token_daily: dict[str, TokenLimit] = {}
    for symbol, amount in limits.per_token_daily.items():
        key = token_key(chain, symbol)
        if key is None or key not in decimals:
            continue
        base = Fraction(amount) * 10 ** decimals[key]
        token_daily[key] = TokenLimit(symbol=symbol, decimals=decimals[key],
                                      amount=base.numerator // base.denominator)
    return SpendLimits(per_transaction_usd=limits.per_transaction_usd, daily_usd=limits.daily_usd,
                       chain_daily_usd=limits.per_chain_daily_usd.get(chain.name),
                       token_daily=token_daily)


def stricter(a: SpendLimits, b: SpendLimits) -> SpendLimits:
    """Each limit at the lower of the two (a limit only one of them has applies)."""
    chain = [x for x in (a.chain_daily_usd, b.chain_daily_usd) if x is not None]
    tokens = dict(a.token_daily)
    for key, limit in b.token_daily.items():
        if key not in tokens or limit.amount < tokens[key].amount:
            tokens[key] = limit
    return SpendLimits(per_transaction_usd=min(a.per_transaction_usd, b.per_transaction_usd),
                       daily_usd=min(a.daily_usd, b.daily_usd),
                       chain_daily_usd=min(chain) if chain else None, token_daily=tokens)


def limits_at_signing(wallet: str, chain: str, recorded: SpendLimits, source: str,
                      moved: list[Outflow]) -> SpendLimits:
    """The stricter of the limits a verdict recorded and the wallet's mandate now. The sandbox
    operator's unrestricted mandate is given by code, not read from a file, so it stands.
    An unreadable mandate raises its MandateError (the caller refuses to sign)."""
    if source == UNRESTRICTED_SOURCE:
        return recorded
    current = load_mandate(wallet)
    return stricter(recorded, spend_limits(current.limits, load_config().chain(chain), moved))


def over_limits(journal: Journal, sender: str, chain: str, usd: int, moved: list[Outflow],
                limits: SpendLimits, wallet: str | None = None) -> list[tuple[str, str]]:
    """(rule, sentence) for every limit this spending would exceed, counting what the journal
    says already left `sender` in the last 24 hours — and, for the daily USD limit, whatever
    left any address of `wallet` (its EVM and Solana keys share one daily budget)."""
    found: list[tuple[str, str]] = []
    if usd > limits.per_transaction_usd:
        found.append(("limits.per_transaction_usd",
                      f"moves {usd_text(usd)}, above the "
                      f"{usd_text(limits.per_transaction_usd)} per-transaction limit"))
    if usd:
        spent = journal.spent_usd(sender, wallet=wallet)
        if spent + usd > limits.daily_usd:
            found.append(("limits.daily_usd",
                          f"{usd_text(spent)} already moved in the last 24 h; {usd_text(usd)} "
                          f"more exceeds the {usd_text(limits.daily_usd)} daily limit"))
    if usd and limits.chain_daily_usd is not None:
        spent = journal.spent_usd(sender, chain=chain)
        if spent + usd > limits.chain_daily_usd:
            found.append(("limits.per_chain_daily_usd",
                          f"{usd_text(spent + usd)} in 24 h on {chain} exceeds its "
                          f"{usd_text(limits.chain_daily_usd)} limit"))
    for outflow in moved:
        limit = limits.token_daily.get(outflow.token)
        if limit is None:
            continue
        spent = journal.spent_token(sender, chain, outflow.token)
        if spent + outflow.amount > limit.amount:
            total = format_units(spent + outflow.amount, limit.decimals)
            found.append(("limits.per_token_daily",
                          f"{total} {limit.symbol} in 24 h on {chain} exceeds the "
                          f"{format_units(limit.amount, limit.decimals)} {limit.symbol} "
                          "daily limit for that token"))
    return found


__all__ = ["NATIVE", "Outflow", "SpendLimits", "TokenLimit", "asset_key", "kept_by_owner",
           "limits_at_signing", "outflows", "over_limits", "spend_limits", "stricter", "token_key",
           "wrapped_by_sender"]
