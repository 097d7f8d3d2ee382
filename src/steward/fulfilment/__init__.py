"""Fulfilment: a request in plain language, carried through the whole flow.

text → intent (deterministic parser; the optional language model only when the parser asks)
→ plan (per step; a sequence's later steps use what earlier ones really produced) → guard
(simulation, preview, verdict) → the person's approval → signing → receipts → bridge delivery.
The CLI's `ask` and the proposal queue (API, dashboard, MCP server) use `fulfil` through
`steward.service`.

Bridge delivery: the caller supplies the relayer (a factory, called only when needed). Between
embedded chains nothing else can relay, so delivery runs it in-process; between RPC chains
Steward waits for whoever runs one (`steward relayer`). This layer never builds a relayer: that
needs the sandbox's operator, a layer above.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from steward import chains as chain_registry
from steward.chains.backend import backend_for
from steward.chains.config import ChainConfig, load_config
from steward.contacts import resolve_recipient
from steward.errors import NoRouteError, StewardError
from steward.execution import Executor, PlanFailed
from steward.guard import Verdict, approve, review
from steward.intents import Balance, Clarification, ParseResult, Quote, Sequence
from steward.intents.context import parse_context, understand
from steward.planning.builders import resolve_asset
from steward.planning.requests import (Need, PlannedStep, base_units, output_of, plan_step,
                                       require_venue)
from steward.portfolio import Portfolio, portfolio
from steward.protocols import registry
from steward.protocols.bridge import (BridgeTransfer, CrossTransfer, Relayer,
                                      transfers_in_receipt, wait_for_delivery)
from steward.units import format_units
from steward.wallets import WalletStore


class StepOutcome(BaseModel):
    planned: PlannedStep
    verdict: Verdict | None = None
    status: str = "planned"  # planned, done, denied, declined, failed
    tx_hashes: list[str] = []
    message: str = ""
    delivered: list[BridgeTransfer | CrossTransfer] = []


class QuoteLine(BaseModel):
    chain: str
    amount_in: str
    amount_out: str
    route: list[str]
    venue: str = ""  # the adapter that quoted it
    amount_of: str = "in"  # "out": amount_out is what was asked for, amount_in what it costs


class Reading(BaseModel):
    """The answer to a read-only step of a sequence (a balance or a quote), read in its turn:
    after the steps before it ran (in a dry run, before anything was signed: `note` says so)."""

    step: int  # its index in the sequence
    portfolio: Portfolio | None = None
    quotes: list[QuoteLine] = []
    note: str = ""


class Fulfilment(BaseModel):
    text: str
    intent: ParseResult
    clarification: Clarification | None = None
    steps: list[StepOutcome] = []
    portfolio: Portfolio | None = None
    quotes: list[QuoteLine] = []
    readings: list[Reading] = []  # a sequence's balance and quote steps, in order

    @property
    def done(self) -> bool:
        return bool(self.steps) and all(step.status == "done" for step in self.steps)


# The parser's context and the understanding of a request (light: shared with `steward ask`'s
# early answer in steward.service.understanding).
context_for = parse_context


# Decides whether a judged step may be signed: gets the outcome (plan, verdict), returns yes/no.
Approver = Callable[[StepOutcome], bool]
# Builds the bridge relayer that delivers in-process between embedded chains.
RelayerFactory = Callable[[], Relayer]


def fulfil(text: str, wallet: str | None, approver: Approver, *, dry_run: bool = False,
           intent: ParseResult | None = None,
           passphrase: Callable[[], str] | None = None,
           on_intent: Callable[[ParseResult], None] = lambda intent: None,
           on_step: Callable[[StepOutcome], None] = lambda outcome: None,
           relayer: RelayerFactory | None = None) -> Fulfilment:
    store = WalletStore()
    name = store.resolve(wallet)
    info = store.get(name)
    if info.error or not info.address:
        raise StewardError(f"wallet '{name}' cannot be read ({info.error})")
    if intent is None:  # a structured intent (API, MCP) skips only the parsing
        intent = understand(text, context_for(store))
    on_intent(intent)
    report = Fulfilment(text=text, intent=intent)
    if isinstance(intent, Clarification):
        report.clarification = intent
        return report
    if isinstance(intent, (Balance, Quote)):
        if _answer(report, intent, 0, name, info.address, dry_run):
            reading = report.readings.pop()
            report.portfolio, report.quotes = reading.portfolio, reading.quotes
        return report
    steps = intent.steps if isinstance(intent, Sequence) else [intent]
    wallets = store.list()
    solana_address = getattr(info, "solana_address", None)
    previous, previous_output = None, None
    executor = None
    for index, step in enumerate(steps):
        if step.wallet and step.wallet != name:
            raise StewardError(f"step {index + 1} names wallet '{step.wallet}' but this request "
                               f"runs from '{name}'; ask once per wallet")
        if isinstance(step, (Balance, Quote)):  # answered in its turn; nothing to sign
            if not _answer(report, step, index, name, info.address, dry_run):
                return report
            continue
        try:
            planned = plan_step(step, info.address, previous, previous_output,
                                solana_address=solana_address)
        except Need as need:
            report.clarification = need.clarification
            return report
        outcome = StepOutcome(planned=planned)
        report.steps.append(outcome)
        outcome.verdict = review(planned.plan, name,
                                 own_wallets=own_wallets_on(planned.source, wallets))
        on_step(outcome)
        if outcome.verdict.decision == "deny":
            outcome.status = "denied"
            outcome.message = f"denied by the mandate: {outcome.verdict.explanation}"
            return report
        if dry_run:
            previous, previous_output = planned, output_of(planned)
            continue
        if planned.destination and (problem := relay_problem(planned.source,
                                                             planned.destination, relayer)):
            outcome.status, outcome.message = "failed", problem
            return report
        chain_registry.end_all_sessions()  # approval may wait on a person
        if not approver(outcome):
            outcome.status = "declined"
            outcome.message = "not approved; nothing was signed"
            return report
        if executor is None:
            executor = Executor.unlock(name, passphrase() if passphrase else "", store)
        try:
            result = executor.execute(planned.plan, approve(outcome.verdict, by="person"))
        except PlanFailed as failure:
            outcome.status, outcome.message = "failed", str(failure)
            outcome.tx_hashes = [s.tx_hash for s in failure.done]
            return report
        except StewardError as failure:
            outcome.status, outcome.message = "failed", str(failure)
            return report
        outcome.tx_hashes = result.tx_hashes
        outcome.status = "done"
        if planned.destination:
            outcome.delivered = deliver(planned.source, planned.destination,
                                        result.tx_hashes[-1], relayer)
        previous, previous_output = planned, _produced(planned, outcome)
    return report


def own_wallets_on(chain: str, wallets: list) -> dict[str, str]:
    """Name → address of the owner's wallets in the family of `chain` (the guard's "your
    wallet" and first-payment rules)."""
    if load_config().chain(chain).family == "solana":
        return {w.name: w.solana_address for w in wallets if getattr(w, "solana_address", None)}
    return {w.name: w.address for w in wallets if w.address}


def relay_problem(source: str, destination: str, relayer: RelayerFactory | None) -> str | None:
    """Why a bridge step between these chains must not be signed, or None. Between embedded
    chains only an in-process relayer can deliver, so without one the funds would stay with
    the bridge."""
    config = load_config()
    if relayer is None and _in_process(config.chain(source), config.chain(destination)):
        return (f"no bridge relayer was given to deliver from {source} to {destination} (embedded "
                "chains are relayed in-process); nothing was signed")
    return None


def deliver(source: str, destination: str, tx_hash: str,
            relayer: RelayerFactory | None = None) -> list[BridgeTransfer]:
    """Wait until the bridge transfers in `tx_hash` arrive. Between embedded chains `relayer()`
    relays them in-process; otherwise whoever runs a relayer delivers them."""
    config = load_config()
    src, dest = config.chain(source), config.chain(destination)
    if "solana" in (src.family, dest.family):
        return _deliver_across_families(src, dest, tx_hash, relayer)
    w3_src, w3_dest = chain_registry.connect(src), chain_registry.connect(dest)
    receipt = w3_src.eth.get_transaction_receipt(tx_hash)
    if relay_problem(src.name, dest.name, relayer):
        raise StewardError(f"no bridge relayer was given to deliver from {src.name} to "
                           f"{dest.name}: the funds are held by the bridge until `steward "
                           "relayer --once` delivers them")
    relay = relayer().run_once if relayer is not None and _in_process(src, dest) else None
    transfers = transfers_in_receipt(w3_src, src, receipt)
    for transfer in transfers:
        wait_for_delivery(w3_dest, dest, transfer, relay)
    return transfers


def _deliver_across_families(src: ChainConfig, dest: ChainConfig, tx_hash: str,
                             relayer: RelayerFactory | None) -> list:
    """A crossing between an EVM chain and a Solana one: the lock's mint on Solana, or the
    burn's release on the EVM chain, each once-only on its destination."""
    from solders.pubkey import Pubkey

    from steward.solana import solana_chain
    from steward.solana import bridge as cross
    from steward.solana.spl import mint_info

    if relay_problem(src.name, dest.name, relayer):
        raise StewardError(f"no bridge relayer was given to deliver from {src.name} to "
                           f"{dest.name}: the funds wait until `steward relayer --once` runs")
    relay = relayer().run_once if relayer is not None and _in_process(src, dest) else None
    if src.family == "evm":
        w3 = chain_registry.connect(src)
        transfers = cross.locks_in_receipt(w3, src, w3.eth.get_transaction_receipt(tx_hash))
        for transfer in transfers:
            cross.wait_for_solana_delivery(solana_chain(dest), transfer, relay)
        return transfers
    w3 = chain_registry.connect(dest)
    chain = solana_chain(src)
    transfers = []
    for symbol, address in src.tokens.items():
        if symbol not in dest.tokens:
            continue
        mint = mint_info(chain, Pubkey.from_string(address))
        transfers += cross.burns_in_transaction(chain, src, tx_hash, mint, dest.tokens[symbol])
    for transfer in transfers:
        cross.wait_for_release(w3, dest, transfer, relay)
    return transfers


def _produced(planned: PlannedStep, outcome: StepOutcome) -> int | None:
    """What a finished step really produced: the arrived amount, or the simulated output."""
    if outcome.delivered:
        return sum(t.amount for t in outcome.delivered)
    if outcome.verdict and planned.quote is not None:
        sim = outcome.verdict.simulation
        token = None
        symbol = planned.quote.path_symbols[-1]
        chain = load_config().chain(planned.source)
        if not (symbol == "WETH" and planned.intent.token_out == chain.native_symbol):
            token = chain.tokens.get(symbol)
        return sim.delta(sim.sender, token) or planned.quote.quoted_out
    return output_of(planned)


def _answer(report: Fulfilment, step: Balance | Quote, index: int, wallet: str, address: str,
            dry_run: bool) -> bool:
    """Answer a read-only step now (after the steps before it ran) into `report.readings`;
    False when it needs a question instead (then in `report.clarification`)."""
    try:
        if isinstance(step, Balance):
            reading = Reading(step=index, portfolio=_balance(step, wallet, address))
        else:
            reading = Reading(step=index, quotes=_quote(step, address))
    except Need as need:
        report.clarification = need.clarification
        return False
    if dry_run and report.steps:
        reading.note = "dry run: read before the steps above were signed"
    report.readings.append(reading)
    return True


def _balance(intent: Balance, wallet: str, address: str) -> Portfolio:
    chains = [intent.chain] if intent.chain else None
    who, solana_who = {wallet: address}, None
    if intent.address:
        family = load_config().chain(intent.chain).family if intent.chain else "evm"
        target = resolve_recipient(intent.address, family=family)
        who = {target.label: target.address} if family == "evm" else {}
        solana_who = {target.label: target.address} if family == "solana" else {}
    result = portfolio(who, chains, solana_wallets=solana_who)
    if intent.token:
        result.holdings = [h for h in result.holdings if h.symbol.upper() == intent.token.upper()]
    return result


def _in_process(src: ChainConfig, dest: ChainConfig) -> bool:
    """Between chains only this process runs (embedded), the relayer must run in-process."""
    return all(chain.embedded if chain.family == "solana" else backend_for(chain).relays_in_process
               for chain in (src, dest))


def _quote(intent: Quote, address: str) -> list[QuoteLine]:
    """The pools' current answer on each chain (or the named one, on the named venue): what the
    amount buys, or with `amount_of` "out" what buying the amount costs. Reads only."""
    config = load_config()
    chains = [config.chain(intent.chain)] if intent.chain else list(config.chains.values())
    lines, missing = [], None
    for chain in chains:
        if not registry.dexes(chain):
            continue
        try:
            require_venue(chain, intent.venue)
        except Need as need:
            missing = missing or need
            continue
        line = _quote_on(chain, intent, address)
        if line is not None:
            lines.append(line)
    if not lines and missing is not None:
        raise missing
    if not lines:
        raise Need(f"No pool route on {' or '.join(c.name for c in chains)} connects "
                   f"{intent.token_in} and {intent.token_out} for that amount.")
    return lines


def _quote_on(chain: ChainConfig, intent: Quote, address: str) -> QuoteLine | None:
    w3 = chain_registry.connect(chain)
    asset_in = resolve_asset(w3, chain, intent.token_in)
    asset_out = resolve_asset(w3, chain, intent.token_out)
    asked = asset_out if intent.amount_of == "out" else asset_in
    amount = base_units(intent.amount, asked, w3, chain, address, None)
    weth = chain.contracts["weth"]
    hubs = [a for s, a in chain.tokens.items() if s in ("WETH", "USDC")]
    try:
        route = registry.best_route(w3, chain, asset_in.token.address if asset_in.token else weth,
                                    asset_out.token.address if asset_out.token else weth, amount,
                                    intent.amount_of, hubs, intent.venue)
    except NoRouteError:
        return None
    return QuoteLine(
        chain=chain.name, venue=route.venue, amount_of=intent.amount_of,
        amount_in=f"{format_units(route.amount_in, asset_in.decimals)} {asset_in.symbol}",
        amount_out=f"{format_units(route.amount_out, asset_out.decimals)} {asset_out.symbol}",
        route=[chain.token_symbol(a) or a for a in route.path])


__all__ = ["Approver", "Fulfilment", "QuoteLine", "Reading", "RelayerFactory", "StepOutcome",
           "deliver", "fulfil", "own_wallets_on", "relay_problem", "understand"]
