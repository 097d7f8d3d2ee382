"""Explicit actions → plans: transfers, swaps and bridge crossings, with amounts in base units.

Each builder reads what it needs from the chain (decimals, quotes, balances) and returns a plan
whose calls are exact: approvals for the exact amount, `minOut` from the quote and the slippage
limit, and a deadline.
"""

from __future__ import annotations

from pydantic import BaseModel
from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.contacts import Recipient, checked_address, short
from steward.errors import InsufficientFundsError, StewardError
from steward.plans import Call, Plan
from steward.protocols import amm, bridge, erc20, registry
from steward.protocols.adapter import Exact, SwapOrder
from steward.protocols.erc20 import TokenInfo
from steward.units import format_units, to_base_units

DEFAULT_SLIPPAGE_BPS = 50
MAX_SLIPPAGE_BPS = 5_000


class Asset(BaseModel):
    """A token or the native coin on one chain; `token` None is the native coin."""

    symbol: str
    token: TokenInfo | None
    decimals: int

    def fmt(self, amount: int) -> str:
        return f"{format_units(amount, self.decimals)} {self.symbol}"


def resolve_asset(w3: Web3, chain: ChainConfig, symbol: str) -> Asset:
    if symbol.upper() == chain.native_symbol.upper():
        return Asset(symbol=chain.native_symbol, token=None, decimals=18)
    # The registry's token and recorded decimals: what the RPC says cannot rescale the amount.
    info = erc20.registry_token(w3, chain, symbol)
    return Asset(symbol=info.symbol, token=info, decimals=info.decimals)


def balance(w3: Web3, asset: Asset, holder: str) -> int:
    if asset.token is None:
        return w3.eth.get_balance(holder)
    return erc20.balance_of(w3, asset.token.address, holder)


def require_balance(w3: Web3, chain: ChainConfig, asset: Asset, holder: str, amount: int) -> None:
    held = balance(w3, asset, holder)
    if held < amount:
        raise InsufficientFundsError(
            f"insufficient {asset.symbol} on {chain.name}: you asked for {asset.fmt(amount)} "
            f"but {short(holder)} holds {asset.fmt(held)}; nothing was signed"
        )


AmountLike = str | int  # Decimal text as a person wrote it, or base units already resolved


def units(amount: AmountLike, asset: Asset) -> int:
    """Base units: an int is taken as base units; text is converted exactly (never rounded)."""
    if isinstance(amount, int):
        if amount <= 0:
            raise StewardError(f"the amount must be positive, got {asset.fmt(amount)}")
        return amount
    return to_base_units(amount, asset.decimals, asset.symbol)


def transfer_call(w3: Web3, chain: ChainConfig, asset: Asset, amount: int,
                  recipient: Recipient, sender: str) -> Call:
    """One payment's call: a plain value transfer of the native coin, or the token's
    `transfer`. The balance is the caller's to check (a batch checks each token's total)."""
    if recipient.address.lower() == sender.lower():
        raise StewardError(f"the recipient {recipient.label} is the sending wallet itself; "
                           "nothing to do")
    description = f"send {asset.fmt(amount)} to {recipient.label} on {chain.name}"
    if asset.token is None:
        return Call(to=recipient.address, value=amount, description=description, gas_hint=21_000)
    return erc20.transfer_call(w3, asset.token, recipient.address, amount, description)


def transfer_plan(chain: ChainConfig, sender: str, symbol: str, amount_text: AmountLike,
                  recipient: Recipient) -> Plan:
    w3 = chain_registry.connect(chain)
    asset = resolve_asset(w3, chain, symbol)
    amount = units(amount_text, asset)
    if recipient.address.lower() == sender.lower():
        raise StewardError("the recipient is the sending wallet itself; nothing to do")
    require_balance(w3, chain, asset, sender, amount)
    call = transfer_call(w3, chain, asset, amount, recipient, sender)
    return Plan(chain=chain.name, sender=sender, calls=[call], summary=call.description)


class Payment(BaseModel):
    """One resolved line of a batch: base units of an asset to a recipient."""

    asset: Asset
    amount: int
    recipient: Recipient


def batch_plan(chain: ChainConfig, sender: str, payments: list[Payment], summary: str) -> Plan:
    """Several payments as one plan (one preview, one verdict): one call each, in order. Each
    token's balance must cover the SUM of its payments, so nothing is signed that would run
    dry half-way."""
    w3 = chain_registry.connect(chain)
    totals: dict[str, tuple[Asset, int]] = {}
    for payment in payments:
        if payment.amount <= 0:
            raise StewardError("the amount must be positive, got "
                               f"{payment.asset.fmt(payment.amount)}")
        asset, total = totals.get(payment.asset.symbol, (payment.asset, 0))
        totals[asset.symbol] = (asset, total + payment.amount)
    for asset, total in totals.values():
        require_balance(w3, chain, asset, sender, total)
    calls = [transfer_call(w3, chain, p.asset, p.amount, p.recipient, sender) for p in payments]
    return Plan(chain=chain.name, sender=sender, calls=calls, summary=summary)


class SwapQuote(BaseModel):
    path_symbols: list[str]
    amount_in: int  # exact in: what is spent; exact out: what the quote says it costs
    quoted_out: int  # exact in: what the quote says it gives; exact out: what is bought
    min_out: int
    slippage_bps: int
    venue: str  # the adapter that quoted it
    exact: Exact = "in"
    max_in: int | None = None  # exact out: the most the swap may spend


def swap_plan(chain: ChainConfig, sender: str, symbol_in: str, amount_text: AmountLike,
              symbol_out: str, slippage_bps: int = DEFAULT_SLIPPAGE_BPS, *, exact: Exact = "in",
              venue: str | None = None,
              deadline_minutes: int | None = None) -> tuple[Plan, SwapQuote]:
    """Swap `amount_text` of `symbol_in` (exact "in"), or buy `amount_text` of `symbol_out`
    (exact "out"), on the venue and route that quote best (or on `venue` when one is named: an
    adapter or a family such as "uniswap"). The order expires after `deadline_minutes` (the
    default deadline when None)."""
    if not 0 <= slippage_bps <= MAX_SLIPPAGE_BPS:
        raise StewardError(f"slippage must be between 0 and {MAX_SLIPPAGE_BPS / 100:.0f}%")
    w3 = chain_registry.connect(chain)
    asset_in, asset_out = resolve_asset(w3, chain, symbol_in), resolve_asset(w3, chain, symbol_out)
    if asset_in.symbol == asset_out.symbol:
        raise StewardError(f"cannot swap {asset_in.symbol} for itself")
    amount = units(amount_text, asset_in if exact == "in" else asset_out)
    if exact == "in":
        require_balance(w3, chain, asset_in, sender, amount)
    weth = chain.contract("weth")
    token_in = asset_in.token.address if asset_in.token else weth
    token_out = asset_out.token.address if asset_out.token else weth
    hubs = [address for symbol, address in chain.tokens.items() if symbol in ("WETH", "USDC")]
    route = registry.best_route(w3, chain, token_in, token_out, amount, exact, hubs, venue)
    dex = registry.adapter(route.venue)
    path_symbols = [chain.token_symbol(address) or address for address in route.path]
    via = f"{' → '.join(path_symbols)} on {dex.label}"
    if exact == "in":
        limit = amm.min_out(route.amount_out, slippage_bps)
        quote = SwapQuote(path_symbols=path_symbols, amount_in=route.amount_in,
                          quoted_out=route.amount_out, min_out=limit, slippage_bps=slippage_bps,
                          venue=route.venue)
        description = (f"swap {asset_in.fmt(route.amount_in)} for at least "
                       f"{asset_out.fmt(limit)} (quoted {asset_out.fmt(route.amount_out)}) "
                       f"via {via}")
        spend = route.amount_in
    else:
        limit = -(-route.amount_in * (10_000 + slippage_bps) // 10_000)  # rounded up
        require_balance(w3, chain, asset_in, sender, limit)
        quote = SwapQuote(path_symbols=path_symbols, amount_in=route.amount_in,
                          quoted_out=route.amount_out, min_out=route.amount_out,
                          slippage_bps=slippage_bps, venue=route.venue, exact="out", max_in=limit)
        description = (f"buy {asset_out.fmt(route.amount_out)} for at most "
                       f"{asset_in.fmt(limit)} (quoted {asset_in.fmt(route.amount_in)}) via {via}")
        spend = limit
    seconds = deadline_minutes * 60 if deadline_minutes else amm.DEADLINE_SECONDS
    order = SwapOrder(route=route, recipient=sender, limit=limit,
                      deadline=amm.deadline(w3, seconds),
                      native_in=asset_in.token is None, native_out=asset_out.token is None)
    calls = []
    if asset_in.token is not None:
        calls.append(erc20.approve_call(w3, asset_in.token, dex.spender(chain), spend,
                                        f"approve {dex.label} to spend exactly "
                                        f"{asset_in.fmt(spend)}"))
    calls += dex.swap_calls(w3, chain, order, description)
    if asset_in.token is not None and exact == "out":  # nothing stays approved after the plan
        calls.append(erc20.approve_call(w3, asset_in.token, dex.spender(chain), 0,
                                        f"clear what the buy did not use of the {dex.label} "
                                        "allowance"))
    return Plan(chain=chain.name, sender=sender, calls=calls, summary=description), quote


def bridge_plan(src: ChainConfig, dest: ChainConfig, sender: str, symbol: str,
                amount_text: AmountLike,
                recipient: str | None = None) -> Plan:
    if src.name == dest.name:
        raise StewardError(f"source and destination are both {src.name}")
    w3 = chain_registry.connect(src)
    asset = resolve_asset(w3, src, symbol)
    if asset.token is None:
        raise StewardError(f"native {asset.symbol} cannot be bridged directly; wrap it to WETH "
                           f"first or bridge a token: "
                           f"{', '.join(bridge.bridgeable_symbols(w3, src, dest)) or 'none'}")
    amount = units(amount_text, asset)
    require_balance(w3, src, asset, sender, amount)
    to = recipient or sender
    description = f"bridge {asset.fmt(amount)} from {src.name} to {dest.name}"
    crossing = bridge.outbound_call(w3, src, dest, asset.token.address, amount, to, description)
    approval = erc20.approve_call(w3, asset.token, crossing.to, amount,
                                  f"approve the bridge to take exactly {asset.fmt(amount)}")
    return Plan(chain=src.name, sender=sender, calls=[approval, crossing], summary=description)


def wrap_plan(chain: ChainConfig, sender: str, amount_text: AmountLike) -> Plan:
    """Native coin → WETH through the chain's WETH9 `deposit`."""
    w3 = chain_registry.connect(chain)
    native = resolve_asset(w3, chain, chain.native_symbol)
    amount = units(amount_text, native)
    require_balance(w3, chain, native, sender, amount)
    weth = chain.contract("weth")
    description = f"wrap {native.fmt(amount)} into WETH on {chain.name}"
    call = Call(to=weth, data=erc20.encode(w3, weth, "uniswap/WETH9", "deposit"), value=amount,
                description=description, gas_hint=60_000)
    return Plan(chain=chain.name, sender=sender, calls=[call], summary=description)


def unwrap_plan(chain: ChainConfig, sender: str, amount_text: AmountLike) -> Plan:
    """WETH → the native coin through WETH9 `withdraw`."""
    w3 = chain_registry.connect(chain)
    weth = chain.contract("weth")
    symbol = chain.token_symbol(weth)
    info = erc20.registry_token(w3, chain, symbol) if symbol else erc20.token_info(w3, weth)
    asset = Asset(symbol="WETH", token=info, decimals=info.decimals)
    amount = units(amount_text, asset)
    require_balance(w3, chain, asset, sender, amount)
    description = f"unwrap {asset.fmt(amount)} into {chain.native_symbol} on {chain.name}"
    call = Call(to=weth, data=erc20.encode(w3, weth, "uniswap/WETH9", "withdraw", amount),
                description=description, gas_hint=60_000)
    return Plan(chain=chain.name, sender=sender, calls=[call], summary=description)


def spender_address(chain: ChainConfig, spender: str) -> tuple[str, str]:
    """(address, label) for "router" (the chain's default exchange), a venue by adapter name
    ("uniswap-v3"), "bridge" or a 0x address."""
    word = spender.lower()
    if word == "bridge":
        return chain.contract("bridge"), "the bridge"
    if word == "router" or word in {a.name for a in registry.ADAPTERS}:
        dex = registry.default_dex(chain) if word == "router" else registry.dexes(chain, word)[0]
        return dex.spender(chain), f"the {dex.label} router"
    address = checked_address(spender)
    return address, short(address)


def approve_plan(chain: ChainConfig, sender: str, symbol: str, spender: str,
                 amount_text: AmountLike) -> Plan:
    w3 = chain_registry.connect(chain)
    asset = resolve_asset(w3, chain, symbol)
    if asset.token is None:
        raise StewardError(f"{asset.symbol} is the native coin; approvals are for tokens")
    amount = units(amount_text, asset)
    address, label = spender_address(chain, spender)
    description = f"approve {label} to spend {asset.fmt(amount)} on {chain.name}"
    call = erc20.approve_call(w3, asset.token, address, amount, description)
    return Plan(chain=chain.name, sender=sender, calls=[call], summary=description)


def revoke_plan(chain: ChainConfig, sender: str, symbol: str, spender: str) -> Plan:
    w3 = chain_registry.connect(chain)
    asset = resolve_asset(w3, chain, symbol)
    if asset.token is None:
        raise StewardError(f"{asset.symbol} is the native coin; there is no approval to revoke")
    address, label = spender_address(chain, spender)
    current = erc20.allowance(w3, asset.token.address, sender, address)
    if current == 0:
        raise StewardError(f"{label} has no {asset.symbol} allowance on {chain.name}; nothing to revoke")
    description = f"revoke {label}'s {asset.fmt(current)} allowance on {chain.name}"
    call = erc20.approve_call(w3, asset.token, address, 0, description)
    return Plan(chain=chain.name, sender=sender, calls=[call], summary=description)
