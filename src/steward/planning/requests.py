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
from steward.contacts import Recipient, resolve_recipient
from steward.errors import NoRouteError, StewardError
from steward.intents import (
    Amount,
    Approve,
    Batch,
    Bridge,
    Clarification,
    Revoke,
    Split,
    Step,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)
from steward.plans import Plan
from steward.planning.builders import (
    DEFAULT_SLIPPAGE_BPS,
    MAX_SLIPPAGE_BPS,
    Asset,
    Payment,
    SwapQuote,
    approve_plan,
    balance,
    batch_plan,
    bridge_plan,
    resolve_asset,
    revoke_plan,
    swap_plan,
    transfer_plan,
    unwrap_plan,
    wrap_plan,
)
from steward.protocols import registry
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
    if isinstance(step, (Batch, Split)):
        return plan_batch(step, address, previous, previous_output,
                          solana_address=solana_address)
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
        slippage = _slippage(step)
        require_venue(src, step.venue)
        try:
            plan, quote = swap_plan(src, address, step.token_in, amount, step.token_out,
                                    slippage, exact=exact, venue=step.venue,
                                    deadline_minutes=step.deadline_minutes)
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


# --- batches and splits: several payments, one plan ----------------------------------------
def plan_batch(step: Batch | Split, address: str, previous: PlannedStep | None = None,
               previous_output: int | None = None, *,
               solana_address: str | None = None) -> PlannedStep:
    """Several payments from one wallet on one chain as ONE plan (one preview, one verdict).
    A split's total is divided exactly in base units; the remainder goes one unit each to the
    first recipients and the summary says so."""
    config = load_config()
    if step.chain:
        src = config.chain(step.chain)
    elif previous is not None:
        src = config.chain(previous.destination or previous.source)
    else:
        src = batch_chain(_batch_symbols(step), address, solana_address)
    solana = src.family == "solana"
    if solana and solana_address is None:
        raise Need("This wallet has no Solana key yet: add one with `steward wallet add-solana "
                   "NAME`, then ask again.")
    payer = solana_address if solana else acting_address(address, src.name)
    measure = _amounts_on(src, payer, previous_output)
    own = {w.name: (w.solana_address if solana else w.address) for w in _wallets()
           if (getattr(w, "solana_address", None) if solana else w.address)}

    def to(recipient: str) -> Recipient:
        return resolve_recipient(recipient.removeprefix("wallet "), own, family=src.family)

    if isinstance(step, Split):
        asset, total = measure(step.token, step.amount)
        shares = split_shares(total, len(step.recipients), asset)
        payments = [Payment(asset=asset, amount=share, recipient=to(name))
                    for name, share in zip(step.recipients, shares)]
        summary = split_summary(payments, total, src.name)
    else:
        payments = []
        for line in step.payments:
            asset, amount = measure(line.token, line.amount)
            payments.append(Payment(asset=asset, amount=amount, recipient=to(line.recipient)))
        summary = batch_summary(payments, src.name)
    if solana:
        from steward.planning.solana import solana_batch_plan  # solders only where Solana is used

        plan = solana_batch_plan(src, payer, payments, summary, Need)
    else:
        plan = batch_plan(src, payer, payments, summary)
    return PlannedStep(intent=step, plan=plan, source=src.name)


def _batch_symbols(step: Batch | Split) -> list[str]:
    if isinstance(step, Split):
        return [step.token]
    return list(dict.fromkeys(line.token.upper() for line in step.payments))


def batch_chain(symbols: list[str], address: str,
                solana_address: str | None = None) -> ChainConfig:
    """The one chain where the wallet holds every token of a batch; a question otherwise."""
    config = load_config()
    candidates = list(config.chains.values())
    held = {symbol: holdings(symbol, address, candidates, solana_address) for symbol in symbols}
    common = [c.name for c in candidates if all(c.name in by_chain for by_chain in held.values())]
    tokens = " and ".join(symbols)
    if len(common) == 1:
        return config.chain(common[0])
    if not common:
        raise Need(f"No one chain holds all of {tokens} in this wallet; say which chain to pay "
                   "from.", [c.name for c in candidates])
    listing = " and ".join(
        f"{name} (" + ", ".join(f"{format_units(held[s][name][0], held[s][name][1].decimals, 2)}"
                                f" {s}" for s in symbols) + ")" for name in common)
    raise Need(f"{tokens} on which chain? You hold {'it' if len(symbols) == 1 else 'them'} on "
               f"{listing}.", common)


def _amounts_on(chain: ChainConfig, payer: str, previous_output: int | None):
    """A function (symbol, Amount) → (asset, base units) on `chain`, for the wallet `payer`."""
    if chain.family == "solana":
        from steward.planning.solana import solana_amount, solana_asset

        def measure_solana(symbol: str, amount: Amount) -> tuple[Asset, int]:
            name, mint, decimals = solana_asset(chain, symbol)
            value = solana_amount(amount, chain, payer, name, mint, decimals, previous_output,
                                  Need)
            return Asset(symbol=name, token=None, decimals=decimals), value

        return measure_solana
    w3 = chain_registry.connect(chain)

    def measure_evm(symbol: str, amount: Amount) -> tuple[Asset, int]:
        asset = resolve_asset(w3, chain, symbol)
        return asset, base_units(amount, asset, w3, chain, payer, previous_output)

    return measure_evm


def split_shares(total: int, count: int, asset: Asset) -> list[int]:
    """`total` base units in `count` shares that add up to exactly `total`: equal, with the
    remainder (fewer than `count` base units) one unit each to the first shares."""
    if total < count:
        raise Need(f"{asset.fmt(total)} cannot be shared among {count} recipients: that is less "
                   f"than one base unit each. Split a larger amount?")
    share, remainder = divmod(total, count)
    return [share + 1] * remainder + [share] * (count - remainder)


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def batch_summary(payments: list[Payment], chain: str) -> str:
    """'send 5 USDC to alice, 7 USDC to bob and 0.5 USDT to carol on sandbox-l1 (12 USDC and
    0.5 USDT in all)'."""
    lines = [f"{p.asset.fmt(p.amount)} to {p.recipient.label}" for p in payments]
    totals: dict[str, tuple[Asset, int]] = {}
    for p in payments:
        totals[p.asset.symbol] = (p.asset, totals.get(p.asset.symbol, (p.asset, 0))[1] + p.amount)
    in_all = _listed([asset.fmt(total) for asset, total in totals.values()])
    return f"send {_listed(lines)} on {chain} ({in_all} in all, {len(payments)} payments)"


def split_summary(payments: list[Payment], total: int, chain: str) -> str:
    """Each share, and who got the indivisible remainder (one base unit each)."""
    asset = payments[0].asset
    names = [p.recipient.label for p in payments]
    shares = _listed([f"{asset.fmt(p.amount)} to {p.recipient.label}" for p in payments])
    text = f"split {asset.fmt(total)} among {_listed(names)} on {chain}: {shares}"
    remainder = total % len(payments)
    if remainder:
        each = f" one each ({asset.fmt(1)})" if remainder > 1 else ""
        text += (f"; {asset.fmt(total)} does not divide exactly by {len(payments)}, so the "
                 f"remaining {remainder} base unit{'s' if remainder > 1 else ''} "
                 f"({asset.fmt(remainder)}) go{'' if remainder > 1 else 'es'}{each} to "
                 f"{_listed(names[:remainder])}")
    return text


def _slippage(step: Swap) -> int:
    """The slippage the person stated, in basis points, or the default; more than the most
    Steward accepts is a question, never silently capped."""
    if step.slippage_bps is None:
        return DEFAULT_SLIPPAGE_BPS
    if step.slippage_bps > MAX_SLIPPAGE_BPS:
        raise Need(f"A slippage of {step.slippage_bps / 100:g}% is more than Steward accepts "
                   f"(at most {MAX_SLIPPAGE_BPS / 100:g}%). What slippage should the swap allow?")
    return step.slippage_bps


def require_venue(chain: ChainConfig, venue: str | None) -> None:
    """A venue the person named must be one deployed on the chain: never a silent substitute."""
    if venue is None:
        return
    try:
        registry.dexes(chain, venue)
    except registry.VenueNotDeployed as missing:
        raise Need(f"{missing}. Swap on which of those?", missing.deployed) from None
    except StewardError:  # a venue Steward has no adapter for
        deployed = [dex.name for dex in registry.dexes(chain)]
        raise Need(f"Steward has no adapter for '{venue}'; on {chain.name} it can swap on "
                   f"{', '.join(deployed) or 'no venue'}. Use one of those?", deployed) from None


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
