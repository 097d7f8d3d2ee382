"""Intents → plans: fill what the wallet's state decides, ask about the rest, then build.

A chain left unnamed is the one chain where the wallet holds the token; when several hold it,
the answer is a clarification that names them with the amounts held. Fractions and USD
amounts become base units here, from balances and pool prices read from the chain, and a
sequence's later steps take their amounts from what the earlier steps actually produced.
"""

from __future__ import annotations

from eth_abi import decode as abi_decode
from pydantic import BaseModel
from web3 import Web3

from steward import chains as chain_registry
from steward.accounts.store import acting_address
from steward.chains.config import ChainConfig, load_config
from steward.contacts import resolve_recipient
from steward.errors import NoRouteError, StewardError
from steward.intents import (
    Amount,
    Approve,
    Bridge,
    Clarification,
    Revoke,
    Step,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)
from steward.plans import Plan
from steward.planning.builders import (
    Asset,
    SwapQuote,
    approve_plan,
    balance,
    bridge_plan,
    resolve_asset,
    revoke_plan,
    swap_plan,
    transfer_plan,
    unwrap_plan,
    wrap_plan,
)
from steward.protocols.pricing import PriceSource
from steward.units import format_units, scale_down, to_base_units

# Left in the wallet when a person asks to send or swap "all" of the native coin, for gas.
NATIVE_GAS_RESERVE_WEI = 10**16


class Need(Exception):
    """Raised inside resolution when only the person can decide; carries the question."""

    def __init__(self, question: str, options: list[str] | None = None):
        super().__init__(question)
        self.clarification = Clarification(question=question, options=options or [])


class PlannedStep(BaseModel):
    intent: Step
    plan: Plan
    quote: SwapQuote | None = None
    source: str  # chain name
    destination: str | None = None  # for bridges


def spent_symbol(step: Step) -> str:
    """The token a step spends (what a chain must hold for it)."""
    if isinstance(step, Wrap):
        return "ETH"
    if isinstance(step, Unwrap):
        return "WETH"
    if isinstance(step, Swap):
        return step.token_in
    return step.token  # type: ignore[union-attr]


def holdings(symbol: str, address: str, chains: list[ChainConfig],
             solana_address: str | None = None) -> dict[str, tuple[int, Asset]]:
    """chain name → (balance, asset) for the chains where the wallet (`address` on EVM chains,
    `solana_address` on Solana ones) holds some `symbol`."""
    held = {}
    for chain in chains:
        if symbol.upper() != chain.native_symbol.upper() and symbol.upper() not in {
                s.upper() for s in chain.tokens}:
            continue
        if chain.family == "solana":
            if solana_address is None:
                continue
            from steward.planning.solana import solana_asset, solana_balance

            name, mint, decimals = solana_asset(chain, symbol)
            amount = solana_balance(chain, solana_address, mint)
            if amount > 0:
                held[chain.name] = (amount, Asset(symbol=name, token=None, decimals=decimals))
            continue
        w3 = chain_registry.connect(chain)
        asset = resolve_asset(w3, chain, symbol)
        amount = balance(w3, asset, acting_address(address, chain.name))
        if amount > 0:
            held[chain.name] = (amount, asset)
    return held


def choose_chain(step: Step, address: str, exclude: str | None = None,
                 solana_address: str | None = None) -> ChainConfig:
    config = load_config()
    if step.chain:
        return config.chain(step.chain)
    symbol = spent_symbol(step)
    candidates = [c for c in config.chains.values() if c.name != exclude]
    if isinstance(step, Bridge):  # only chains the bridge takes the token from
        dest = config.chain(step.to_chain)
        candidates = [c for c in candidates if _has_route(c, dest, symbol)]
    held = holdings(symbol, address, candidates, solana_address)
    if len(held) == 1:
        return config.chain(next(iter(held)))
    if not held:
        raise Need(f"You hold no {symbol} on {' or '.join(c.name for c in candidates)}.")
    listing = " and ".join(f"{name} ({format_units(amount, asset.decimals, 2)})"
                           for name, (amount, asset) in held.items())
    raise Need(f"{symbol} on which chain? You hold it on {listing}.", list(held))


def _has_route(src: ChainConfig, dest: ChainConfig, symbol: str) -> bool:
    """Whether a bridge takes `symbol` from `src` to `dest` (within or across families)."""
    if src.family == "solana":
        if dest.family != "evm" or "bridge" not in dest.contracts or symbol not in src.tokens:
            return False
        from solders.pubkey import Pubkey

        from steward.solana.bridge import route_token

        return route_token(chain_registry.connect(dest), dest, src,
                           Pubkey.from_string(src.tokens[symbol])) is not None
    if "bridge" not in src.contracts:
        return False
    w3 = chain_registry.connect(src)
    if dest.family == "solana":
        from steward.solana.bridge import bridgeable_symbols as across
    else:
        from steward.protocols.bridge import bridgeable_symbols as across
    return symbol.upper() in {s.upper() for s in across(w3, src, dest)}


def base_units(amount: Amount, asset: Asset, w3: Web3, chain: ChainConfig, address: str,
               previous_output: int | None) -> int:
    """The person's amount in the token's base units, from the chain's decimals and prices."""
    if amount.kind == "exact":
        return to_base_units(amount.value, asset.decimals, asset.symbol)
    # Exact integer shares (steward.units.scale_down): Decimal's 28-digit default context would
    # round an 18-decimal balance above 10**28 base units, sometimes up past the balance.
    if amount.kind == "previous":
        if previous_output is None:
            raise Need("What does 'it' refer to? Say the amount and the token.")
        return scale_down(previous_output, amount.value)
    if amount.kind == "usd":
        token = asset.token.address if asset.token else None
        unit_price = PriceSource(w3, chain).usdc_value(token, 10**asset.decimals)
        if not unit_price:
            raise Need(f"No pool on {chain.name} prices {asset.symbol}; say the amount in "
                       f"{asset.symbol} instead of dollars.")
        usd_micros = scale_down(10**6, amount.value)
        return usd_micros * 10**asset.decimals // unit_price
    held = balance(w3, asset, address)
    if asset.token is None:  # keep gas money when spending a share of the native coin
        held = max(held - NATIVE_GAS_RESERVE_WEI, 0)
    result = scale_down(held, amount.value)
    if result <= 0:
        raise Need(f"You have no {asset.symbol} to spare on {chain.name}.")
    return result


def plan_step(step: Step, address: str, previous: PlannedStep | None = None,
              previous_output: int | None = None, *,
              solana_address: str | None = None) -> PlannedStep:
    """One intent → one plan (sequences call this per step, with the previous step's output).
    `address` is the wallet's EVM address (on a chain where the wallet has a deployed guarded
    account, that account holds and spends the money); `solana_address` its Solana key's."""
    owner = address
    config = load_config()
    dest = None
    if isinstance(step, Bridge):
        dest = config.chain(step.to_chain)
        src = choose_chain(step, address, exclude=dest.name, solana_address=solana_address)
        if src.name == dest.name:
            raise Need(f"The {step.token} is already on {dest.name}. Bridge it to which chain?",
                       [c for c in config.chains if c != dest.name])
    elif previous is not None and not step.chain:
        src = config.chain(previous.destination or previous.source)
    else:
        src = choose_chain(step, address, solana_address=solana_address)
    if src.family == "solana" or (dest is not None and dest.family == "solana"):
        from steward.planning.solana import plan_solana_step  # solders only where Solana is used

        own = {w.name: w.solana_address for w in _wallets() if getattr(w, "solana_address", None)}
        plan, source, destination = plan_solana_step(step, src, dest, address, solana_address,
                                                     previous_output, Need, own)
        return PlannedStep(intent=step, plan=plan, source=source, destination=destination)
    address = acting_address(owner, src.name)
    w3 = chain_registry.connect(src)
    spent = resolve_asset(w3, src, spent_symbol(step))
    if isinstance(step, Revoke):
        return PlannedStep(intent=step, plan=revoke_plan(src, address, step.token, step.spender),
                           source=src.name)
    exact = "in"
    if isinstance(step, Swap) and step.amount_of == "out":  # "buy 1 ETH with USDC"
        wanted = resolve_asset(w3, src, step.token_out)
        amount = base_units(step.amount, wanted, w3, src, address, previous_output)
        exact = "out"
    else:
        amount = base_units(step.amount, spent, w3, src, address, previous_output)
    if isinstance(step, Transfer):
        own = {w.name: w.address for w in _wallets()}
        recipient = resolve_recipient(step.recipient.removeprefix("wallet "), own)
        return PlannedStep(intent=step, plan=transfer_plan(src, address, step.token, amount,
                                                           recipient), source=src.name)
    if isinstance(step, Swap):
        try:
            plan, quote = swap_plan(src, address, step.token_in, amount, step.token_out,
                                    exact=exact)
        except NoRouteError:
            if exact != "out":
                raise
            raise Need(f"No pool route on {src.name} buys {step.token_out} with "
                       f"{step.token_in}.") from None
        return PlannedStep(intent=step, plan=plan, quote=quote, source=src.name)
    if isinstance(step, Bridge):
        return PlannedStep(intent=step, plan=bridge_plan(src, dest, address, step.token, amount,
                                                         acting_address(owner, dest.name)),
                           source=src.name, destination=dest.name)
    if isinstance(step, Wrap):
        return PlannedStep(intent=step, plan=wrap_plan(src, address, amount), source=src.name)
    if isinstance(step, Unwrap):
        return PlannedStep(intent=step, plan=unwrap_plan(src, address, amount), source=src.name)
    if isinstance(step, Approve):
        return PlannedStep(intent=step, plan=approve_plan(src, address, step.token, step.spender,
                                                          amount), source=src.name)
    raise StewardError(f"{step.action} is a question, not a transaction")


def output_of(step: PlannedStep) -> int | None:
    """What a planned step is expected to produce, for a following "half of it"."""
    if step.quote is not None:
        return step.quote.quoted_out
    if isinstance(step.intent, (Bridge, Wrap, Unwrap)):
        return _amount_in_plan(step)
    return None


def _amount_in_plan(step: PlannedStep) -> int | None:
    call = step.plan.calls[-1]
    if call.accounts:  # a Solana instruction: the amount is the person's, in the plan's summary
        return None
    if call.value:
        return call.value
    data = call.data
    if len(data) >= 10 + 64 * 2:
        if isinstance(step.intent, Bridge):  # lock/burn/lock_to_solana(token, amount, …)
            return abi_decode(["address", "uint256"], bytes.fromhex(data[10:10 + 128]))[1]
        if isinstance(step.intent, Unwrap):
            return abi_decode(["uint256"], bytes.fromhex(data[10:74]))[0]
    return None


def _wallets():
    from steward.wallets import WalletStore

    return [w for w in WalletStore().list() if w.address]
