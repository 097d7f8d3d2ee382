"""The guard: simulate a plan, explain it, and judge it against the owner's mandate.

`review(plan, wallet)` returns a sealed `Verdict` (allow / confirm / deny, with reasons and
findings) and journals it. Execution signs only with a verdict for exactly that plan (see
`steward.guard.verdict.authorize`). The guard reads what the plan *does* from its simulation
and its calldata — never from descriptions, token names or any text a model or a web page
wrote — so instructions injected anywhere cannot change a verdict.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from eth_abi import decode as abi_decode
from web3 import Web3

from steward import chains as chain_registry
from steward.accounts import contract as guarded
from steward.accounts.store import guarded_account
from steward.chains.backend import BundleRefused, BundleUnsupported, backend_for
from steward.chains.config import ChainConfig
from steward.contacts import load_contacts, short
from steward.diligence.addresses import check_address, lookalike, lookalike_how
from steward.diligence.token import token_report
from steward.errors import StewardError
from steward.guard.mandate import Mandate, load_mandate, usd_text
from steward.guard.spending import (
    Outflow,
    SpendLimits,
    asset_key,
    kept_by_owner,
    outflows,
    over_limits,
    spend_limits,
)
from steward.guard.verdict import (
    Finding,
    GuardRefusal,
    Judging,
    Movement,
    Preview,
    Reason,
    Verdict,
    approve,
    authorize,
    plan_digest,
    seal,
)
from steward.journal import Journal
from steward.plans import Call, Plan
from steward.protocols import bridge, contract_answered, contract_at, erc20, registry
from steward.protocols.adapter import SwapEffect
from steward.protocols.pricing import PriceSource, forget_prices
from steward.simulation import AssetChange, SimulationResult, simulate
from steward.simulation.reverts import describe, revert_text
from steward.units import format_units

UNLIMITED = 2**255
TRANSFER_SELECTOR = "0xa9059cbb"
FAIR_PRICE_WARNING_BPS = 200
FAIR_PRICE_DANGER_BPS = 500


@dataclass
class _Review(Judging):
    """Working state while judging one plan."""

    plan: Plan
    chain: ChainConfig
    w3: Web3
    mandate: Mandate
    sim: SimulationResult
    prices: PriceSource
    own_wallets: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    _code: dict[str, bool] = field(default_factory=dict)
    _protocol: dict[str, str | None] = field(default_factory=dict)

    def has_code(self, address: str) -> bool:
        key = address.lower()
        if key not in self._code:
            self._code[key] = bool(self.w3.eth.get_code(Web3.to_checksum_address(address)))
        return self._code[key]

    @property
    def known_contracts(self) -> dict[str, str]:
        known = {address.lower(): registry.config_key_label(key)
                 for key, address in self.chain.contracts.items()}
        known |= {address.lower(): f"{symbol} token" for symbol, address in self.chain.tokens.items()}
        return known

    def contract_allowed(self, address: str) -> bool:
        rule = self.mandate.allow.contracts
        return (rule == "any" or (rule == "known" and address.lower() in self.known_contracts)
                or (isinstance(rule, list) and address.lower() in {a.lower() for a in rule}))

    def usd(self, change_token: str | None, amount: int) -> int | None:
        return self.prices.usdc_value(change_token, amount)

    def label(self, address: str) -> str:
        lowered = address.lower()
        for contact in load_contacts().values():
            if contact.address and contact.address.lower() == lowered:
                return f"{contact.name} ({short(address)}, in your address book)"
        for name, own in self.own_wallets.items():
            if own.lower() == lowered:
                return f"your wallet {name} ({short(address)})"
        name = self.known_contracts.get(lowered) or self.protocol_label(address)  # or a pool
        return f"the {name} ({short(address)})" if name else short(address)

    def protocol_label(self, address: str) -> str | None:
        """A registered protocol's contract or pool (asked of the adapters, cached per review)."""
        key = address.lower()
        if key not in self._protocol:
            self._protocol[key] = (registry.protocol_label(self.w3, self.chain, address)
                                   if self.has_code(address) else None)
        return self._protocol[key]


def forget_cached_facts() -> None:
    """For a chain that was reset: contracts at the same addresses may now be different ones."""
    _token_verdicts.clear()
    registry.forget_facts()
    forget_prices()
    bridge.forget_routes()
    erc20.forget_token_info()


def review(plan: Plan, wallet: str, *, mandate: Mandate | None = None,
           own_wallets: dict[str, str] | None = None, journal: Journal | None = None) -> Verdict:
    """Simulate `plan`, apply the mandate, journal and return the sealed verdict."""
    chain = chain_registry.chain_config(plan.chain)
    journal = journal or Journal()
    mandate = mandate or load_mandate(wallet)
    if chain.family == "solana":
        from steward.guard.solana_review import review_solana  # solders loads only for Solana

        return review_solana(plan, wallet, chain, mandate, own_wallets or {}, journal)
    w3 = chain_registry.connect(chain)
    sim = simulate(w3, chain, plan)
    state = _Review(plan=plan, chain=chain, w3=w3, mandate=mandate, sim=sim,
                    prices=PriceSource(w3, chain), own_wallets=own_wallets or {})
    if not sim.success:
        failed = len(sim.steps)
        state.deny("simulation", f"the simulation fails at step {failed} of {len(plan.calls)} "
                                 f"({sim.steps[-1].description}): {sim.revert_reason}")
    _check_contracts(state)
    _check_tokens(state)
    recipients = _recipients(state)
    _check_recipients(state, recipients, journal)
    _check_approvals(state)
    _check_swaps(state)
    _check_tokens_received(state)
    usd_outflow, moved, limits = _check_value(state, journal, wallet)
    if sim.success:
        _check_account_policy(state, wallet)
    decision = ("deny" if any(r.decision == "deny" for r in state.reasons)
                else "confirm" if state.reasons else "allow")
    verdict = Verdict(
        id=uuid.uuid4().hex, wallet=wallet, chain=chain.name, plan_digest=plan_digest(plan),
        decision=decision, reasons=state.reasons, findings=state.findings, simulation=sim,
        preview=_preview(state, recipients), usd_outflow=usd_outflow, recipients=recipients,
        outflows=moved, limits=limits, mandate_source=mandate.source,
    )
    journal.record_verdict(id=verdict.id, wallet=wallet, sender=plan.sender, chain=chain.name,
                           summary=plan.summary, decision=decision,
                           reasons=[r.message for r in state.reasons], usd_outflow=usd_outflow,
                           recipients=recipients,
                           outflows={o.token: o.amount for o in moved})
    return seal(verdict)


# --- the checks ------------------------------------------------------------------------------
def _check_account_policy(state: _Review, wallet: str) -> None:
    """Where the wallet is a guarded account, ask the account itself (the agent's batch, run on
    the current state without fees) whether its on-chain policy takes this plan: the guard never
    allows what the chain would refuse (its USD rates sit above today's prices, its windows are
    fixed UTC days; the guard's are rolling 24 h at the trusted price)."""
    record = guarded_account(wallet, state.chain.name)
    if record is None or record.address.lower() != state.plan.sender.lower():
        return
    try:
        nonce = guarded.at(state.w3, record.address).functions.nonce().call()
        batch = Call(to=record.address, data="0x" + guarded.execute_data(
            state.plan.calls, nonce).hex(), description="the agent's batch")
    except StewardError as exc:  # a batch the account cannot take at all (size, deployment)
        state.deny("account_policy", f"the guarded account cannot execute this plan: {exc}")
        return
    try:
        ran = backend_for(state.chain).simulate_bundle(record.agent, [batch]).steps[0]
        refusal = None if ran.success else (describe(ran.output) if ran.output or not ran.error
                                            else ran.error)
    except (BundleUnsupported, BundleRefused):  # no eth_simulateV1 here: a plain call
        try:
            state.w3.eth.call({"from": record.agent, "to": record.address, "data": batch.data})
            refusal = None
        except Exception as exc:  # noqa: BLE001 — the account's revert, decoded
            refusal = revert_text(exc)
    if refusal is not None:
        state.deny("account_policy", "the guarded account's on-chain policy refuses this plan: "
                                     f"{refusal}")


def _check_contracts(state: _Review) -> None:
    rule = state.mandate.allow.contracts
    for call in state.plan.calls:
        if call.to is None:
            if rule != "any":
                state.deny("allow.contracts", f"'{call.description}' deploys a new contract, "
                                              "which this mandate does not allow")
            continue
        if not state.has_code(call.to):
            continue  # a plain payment to an account; judged as a recipient
        if not state.contract_allowed(call.to):
            state.deny("allow.contracts", f"calls contract {short(call.to)}, which is not among "
                                          "the contracts this mandate allows")


def _check_tokens(state: _Review) -> None:
    """Tokens by address, never by the symbol a contract declares: the allowlist names registry
    tokens; a contract imitating a registry or native symbol is an impostor; a registry token
    whose simulated state contradicts the registry (decimals) is refused."""
    allow, sim = state.mandate.allow, state.sim
    problems = {item.metadata_problem for item in [*sim.changes, *sim.approvals]
                if item.metadata_problem}
    for problem in sorted(problems):
        state.deny("token_metadata", f"{problem}; amounts cannot be shown or judged reliably, "
                                     "so nothing is signed (check the RPC and the registry)")
    impostors: set[str] = set()
    for change in sim.sender_changes():
        if change.impostor_of and (change.token or "").lower() not in impostors:
            impostors.add((change.token or "").lower())
            real = state.chain.tokens.get(change.impostor_of) or "the native coin"
            state.note("impostor_token", "danger",
                       f"{change.token} calls itself {change.impostor_of} but is not the "
                       f"registry's {change.impostor_of} ({real}) on {state.chain.name}: treat "
                       "it as a different, unknown token")
            # Only a mandate that accepts dangerous tokens (the sandbox operator's) lets it pass.
            if change.delta > 0 and not allow.danger_tokens:
                state.deny("impostor_token", f"the plan gives you {change.symbol}, a token "
                                             f"imitating {change.impostor_of}")
            elif allow.tokens == "any" and not allow.danger_tokens:
                state.confirm("impostor_token", f"moves {change.symbol}, a token imitating "
                                                f"{change.impostor_of}; a person must look")
        if not allow.token_allowed(state.chain, change.token):
            where = short(change.token) if change.token else "the native coin"
            state.deny("allow.tokens", f"moves {change.symbol} ({where}), which is not among the "
                                       f"tokens this mandate allows ({', '.join(allow.tokens)}, "
                                       f"by the {state.chain.name} registry's addresses)")


def _recipients(state: _Review) -> list[str]:
    """Every account other than the sender that ends up holding more (tokens or native coin,
    followed through contracts by the simulation), except the chain's own protocol contracts
    (router, bridge, WETH and the registry's tokens, the factory's pools), whose part in a
    swap, wrap or bridge their own checks judge. A contract that only passes value on nets
    zero and is not a recipient; whoever it passed the value to is."""
    sender = state.sim.sender.lower()
    found: dict[str, None] = {}
    for change in state.sim.changes:
        holder = change.holder.lower()
        if change.delta <= 0 or holder == sender:
            continue
        if state.has_code(change.holder) and _is_protocol_contract(state, change.holder):
            continue
        found[Web3.to_checksum_address(change.holder)] = None
    for call in state.plan.calls:  # direct transfers name their recipient, even a contract
        if call.to and call.data.lower().startswith(TRANSFER_SELECTOR) and len(call.data) >= 74:
            to, _ = abi_decode(["address", "uint256"], bytes.fromhex(call.data[10:]))
            if to.lower() != sender:
                found[Web3.to_checksum_address(to)] = None
        elif call.to and call.value and not state.has_code(call.to):
            found[Web3.to_checksum_address(call.to)] = None
    return list(found)


def _is_protocol_contract(state: _Review, address: str) -> bool:
    return address.lower() in state.known_contracts or state.protocol_label(address) is not None


def _check_recipients(state: _Review, recipients: list[str], journal: Journal) -> None:
    contacts = {c.address.lower(): c.name for c in load_contacts().values() if c.address}
    own = {address.lower() for address in state.own_wallets.values()}
    past = journal.past_recipients(state.sim.sender)
    trusted = set(contacts) | own | past
    tokens = {address.lower() for address in state.chain.tokens.values()}
    known_by_name = {name: address for address, name in contacts.items()}
    for recipient in recipients:
        lowered = recipient.lower()
        label = state.label(recipient)
        _address_verdict(state, recipient, known_by_name)
        for known in trusted:
            if lookalike(recipient, known):
                state.note("address_poisoning", "danger",
                           f"{recipient} looks like {Web3.to_checksum_address(known)} "
                           f"({contacts.get(known, 'from your history')}) but is a different "
                           f"address: it {lookalike_how(recipient, known)}")
                state.deny("address_poisoning", f"{short(recipient)} imitates a known address")
                break
        is_token = lowered in tokens or (state.has_code(recipient)
                                         and _is_token(state.w3, recipient))
        if is_token is None:
            state.note("recipient_kind_unknown", "warning",
                       f"could not establish whether {label} is a token contract: the node did "
                       "not answer (an RPC error), so a person must look")
            state.confirm("could_not_establish", f"could not establish whether "
                                                 f"{short(recipient)} is a token contract")
        if is_token:
            state.note("recipient_is_token", "danger",
                       f"{label} is a token contract; tokens sent to it are usually lost")
            if not state.mandate.allow.transfers_to_token_contracts:
                state.deny("allow.transfers_to_token_contracts",
                           f"sends to the token contract {short(recipient)}")
            continue
        if state.has_code(recipient):
            state.note("recipient_is_contract", "warning",
                       f"{label} is a contract, not a personal account")
            state.confirm("recipient_is_contract", f"the recipient {short(recipient)} is a contract")
        if state.mandate.allow.recipients == "address_book" and lowered not in set(contacts) | own:
            state.deny("allow.recipients", f"{short(recipient)} is not in the address book or "
                                           "your wallets, and this mandate allows only those")
        if lowered not in past and lowered not in own:
            state.note("first_time_recipient", "info", f"you have never sent to {label} before")
            if state.mandate.confirm.first_time_recipients:
                state.confirm("confirm.first_time_recipients",
                              f"first payment to {state.label(recipient)}")


# Covered by the guard's own checks above, so not repeated from the address report.
_OWN_ADDRESS_CHECKS = {"address_poisoning", "token_contract"}


def _address_verdict(state: _Review, recipient: str, known: dict[str, str]) -> None:
    """The diligence address report's dangers for a recipient (history scans left to
    `steward check address`: the guard needs the facts, not the archaeology)."""
    report = check_address(state.w3, state.chain, recipient, state.sim.sender,
                           {name: Web3.to_checksum_address(a) for name, a in known.items()},
                           scan_blocks=0, log_blocks=0)
    for finding in report.findings:
        if finding.severity == "danger" and finding.code not in _OWN_ADDRESS_CHECKS:
            state.note(finding.code, "danger", finding.message)
            state.deny(f"address.{finding.code}", finding.message)


def _is_token(w3: Web3, address: str) -> bool | None:
    """Whether the contract answers like an ERC-20 token; None when the node failed to answer
    (that is not a "no": the caller must treat it as unknown)."""
    try:
        contract = contract_at(w3, address, "ERC20")
        contract.functions.decimals().call()
        contract.functions.totalSupply().call()
        return True
    except Exception as exc:
        return False if contract_answered(exc) else None


def _check_approvals(state: _Review) -> None:
    rule = state.mandate.allow.max_approval
    sender = state.sim.sender.lower()
    for approval in state.sim.approvals:
        if approval.owner.lower() != sender or approval.amount == 0:
            continue
        amount = format_units(approval.amount, approval.decimals) + f" {approval.symbol}"
        spender = state.label(approval.spender)
        if not state.has_code(approval.spender):
            state.note("approval_to_eoa", "danger",
                       f"approves {spender}, a personal account, to spend your {approval.symbol}: "
                       "only contracts should ever get approvals")
            if not state.mandate.allow.approvals_to_eoa:
                state.deny("allow.approvals_to_eoa", f"approval to the account {short(approval.spender)}")
        elif not state.contract_allowed(approval.spender):
            state.deny("allow.contracts", f"approves {spender}, a contract this mandate does not "
                                          "allow, to spend your " + approval.symbol)
        if approval.amount >= UNLIMITED:
            state.note("unlimited_approval", "danger",
                       f"grants {spender} unlimited access to your {approval.symbol}")
            if rule != "unlimited":
                state.deny("allow.max_approval", f"unlimited {approval.symbol} approval to {spender}")
            continue
        left = approval.remaining
        if rule == "exact" and (left is None or left > 0):
            what = ("an allowance that could not be read" if left is None else
                    f"{format_units(left, approval.decimals)} {approval.symbol}")
            state.deny("allow.max_approval",
                       f"approves {amount} to {spender} and leaves {what} approved after the "
                       "plan; the mandate allows exact approvals only")
        elif isinstance(rule, int):
            value = state.usd(approval.token, approval.amount)
            if value is None or value > rule:
                state.deny("allow.max_approval",
                           f"approves {amount} to {spender}, above the mandate's {usd_text(rule)}")


def _check_swaps(state: _Review) -> None:
    """Every swap a plan makes, decoded by the venue that owns the called contract (never from
    descriptions): who is paid, slippage against the venue's own quote now, and the output
    against the fair price of what goes in."""
    for call in state.plan.calls:
        effect = registry.decode_swap(state.w3, state.chain, call)
        if effect is not None:
            _judge_swap(state, effect)


def _judge_swap(state: _Review, effect: SwapEffect) -> None:
    venue = registry.venue_of(effect)
    for part in effect.unexplained:
        state.note("swap_unexplained", "warning", f"{venue.label}: {part}")
        state.confirm("swap_unexplained", f"part of a {venue.label} call is not a plain swap "
                                          f"({part}); a person must approve")
    if not effect.path:  # no swap to quote: an opaque router call, judged by what it moves
        return
    if effect.payee.lower() != state.sim.sender.lower():
        state.note("swap_to_other", "warning", f"the swap pays out to {state.label(effect.payee)}")
        state.confirm("swap_to_other", f"the swap pays {state.label(effect.payee)}, not you")
    # Slippage against the venue's own quote now, whoever the payee is.
    quoted = venue.requote(state.w3, state.chain, effect)
    if not quoted:
        state.deny("allow.max_slippage_bps", "the swap's expected output cannot be quoted")
        return
    if effect.exact == "in":
        slippage_bps = max(quoted - effect.amount_out, 0) * 10_000 // quoted
        spent, received = effect.amount_in, quoted
    else:  # the most it may spend, against what the pools say it costs now
        slippage_bps = max(effect.amount_in - quoted, 0) * 10_000 // quoted
        spent, received = effect.amount_in, effect.amount_out
    limit = state.mandate.allow.max_slippage_bps
    if slippage_bps > limit:
        side = "less than quoted" if effect.exact == "in" else "more than quoted"
        state.deny("allow.max_slippage_bps",
                   f"the swap accepts up to {slippage_bps / 100:.2f}% {side} "
                   f"(mandate maximum {limit / 100:.2f}%)")
    value_in, value_out = state.usd(effect.token_in, spent), state.usd(effect.token_out, received)
    if value_in and value_out is not None:
        loss_bps = (value_in - value_out) * 10_000 // value_in
        if loss_bps > FAIR_PRICE_DANGER_BPS:
            state.note("below_fair_price", "danger",
                       f"the swap returns {loss_bps / 100:.1f}% less than the pools' fair price")
            state.deny("below_fair_price", f"swap output {loss_bps / 100:.1f}% below fair price")
        elif loss_bps > FAIR_PRICE_WARNING_BPS:
            state.note("below_fair_price", "warning",
                       f"the swap returns {loss_bps / 100:.1f}% less than the pools' fair price")


# Token reports cost a simulation campaign; within a process they hold until the chain moves.
_token_verdicts: dict[tuple[int, str, int], tuple[str, list[str]]] = {}


def token_verdict(state: _Review, token: str) -> tuple[str, list[str]]:
    key = (state.chain.chain_id, token.lower(), state.w3.eth.block_number)
    if key not in _token_verdicts:
        report = token_report(state.w3, state.chain, token, creator_tokens=False)
        _token_verdicts[key] = (report.verdict, report.reasons)
    return _token_verdicts[key]


def _check_tokens_received(state: _Review) -> None:
    """Due diligence on every untrusted token the plan would give the owner (pool shares
    from adding liquidity are not bought tokens; a mandate that allows dangerous tokens skips
    the campaign altogether)."""
    if state.mandate.allow.danger_tokens:
        return
    trusted = {state.chain.tokens[s].lower() for s in state.chain.trusted_tokens
               if s in state.chain.tokens}
    for change in state.sim.sender_changes():
        if change.token is None or change.delta <= 0 or change.token.lower() in trusted:
            continue
        if state.protocol_label(change.token):
            continue
        verdict, reasons = token_verdict(state, change.token)
        summary = "; ".join(reasons[:3]) or verdict
        if verdict == "danger":
            state.note("danger_token", "danger", f"{change.symbol} failed due diligence: {summary}")
            state.deny("allow.danger_tokens", f"{change.symbol} is a dangerous token ({summary})")
        elif verdict == "caution":
            state.note("caution_token", "warning", f"{change.symbol} needs care: {summary}")


def _check_value(state: _Review, journal: Journal,
                 wallet: str) -> tuple[int, list[Outflow], SpendLimits]:
    """The USD value leaving the wallet (priced assets only: a lower bound) and the outflows by
    token address, against every limit (the same rules the executor applies at signing). What
    stays the owner's — wrapped or unwrapped through the registry's WETH, or received by one of
    the owner's own wallets — is no outflow (`spending.kept_by_owner`)."""
    limits, confirm_rules = state.mandate.limits, state.mandate.confirm
    changes = state.sim.sender_changes()
    kept = kept_by_owner(state.sim, state.own_wallets.values(), state.chain.contracts.get("weth"))
    moved = outflows(changes, kept)
    _note_kept(state, changes, kept)
    token_of = {asset_key(change.token): change.token for change in changes}
    total, unvalued, untrusted = 0, [], []
    for outflow in moved:
        token = token_of[outflow.token]
        value = state.usd(token, outflow.amount)
        if value is None:
            # Unpriced (see steward.protocols.pricing): the limits still count it at the highest
            # price any source gave, so it is never cheaper than it is.
            total += state.prices.ceiling_value(token, outflow.amount) or 0
            price = state.prices.price(token)
            (untrusted if price.suspect else unvalued).append(f"{outflow.symbol} ({price.problem})")
        else:
            total += value
    if untrusted:  # a price that may be manipulated: a person decides, whatever the mandate says
        state.confirm("pricing.untrusted",
                      f"no price that one transaction cannot move for {'; '.join(untrusted)}; "
                      "a person must approve")
    if unvalued and confirm_rules.unpriced_assets:
        state.confirm("confirm.unpriced_assets",
                      f"no trusted price for {'; '.join(unvalued)}; the limits count it at its "
                      "highest quoted price, if any, and a person must approve")
    in_force = spend_limits(limits, state.chain, moved)
    for rule, message in over_limits(journal, state.sim.sender, state.chain.name, total, moved,
                                     in_force, wallet=wallet):
        state.deny(rule, message)
    if total > confirm_rules.above_usd and total <= limits.per_transaction_usd:
        state.confirm("confirm.above_usd", f"moves {usd_text(total)}, above "
                                           f"{usd_text(confirm_rules.above_usd)}")
    return total, moved, in_force


def _note_kept(state: _Review, changes: list[AssetChange], kept: dict[str, int]) -> None:
    """Say what the limits leave out, so the preview's sends and the verdict's USD agree."""
    parts = [f"{_short_amount(kept[asset_key(c.token)], c.decimals)} {c.symbol}"
             for c in changes if asset_key(c.token) in kept]
    if parts:
        state.note("stays_yours", "info",
                   f"{' and '.join(parts)} stay yours (wrapped or unwrapped through the "
                   f"{state.chain.name} registry's WETH, or moved to your own wallets), so "
                   "they do not count against the limits")


# --- the preview ----------------------------------------------------------------------------
def _movement(state: _Review, change: AssetChange, counterparty: str | None) -> Movement:
    amount = abs(change.delta)
    value = state.usd(change.token, amount)
    return Movement(symbol=change.symbol, amount=format_units(amount, change.decimals),
                    usd=None if value is None else usd_text(value), counterparty=counterparty)


def _phrase(movement: Movement) -> str:
    usd = f" (≈ {movement.usd})" if movement.usd else ""
    return f"{movement.amount} {movement.symbol}{usd}"


def _short_amount(amount: int, decimals: int) -> str:
    """Display text with at most 10 decimal places (exact amounts stay in the structured data)."""
    places = min(decimals, 10)
    text = format_units(amount, decimals, places=places).rstrip("0").rstrip(".")
    if amount and text == "0":
        return "< " + format_units(1, places)
    return text


def _preview(state: _Review, recipients: list[str]) -> Preview:
    sim, sender = state.sim, state.sim.sender.lower()
    sends, receives = [], []
    for change in sim.sender_changes():
        if change.delta < 0:
            takers = [c for c in sim.changes if c.token == change.token and c.delta > 0
                      and c.holder.lower() != sender]
            if len(takers) > 1 and sum(c.delta for c in takers) == -change.delta:
                # a batch: each recipient's share, named, so the person sees who gets what
                sends += [_movement(state, taker, state.label(taker.holder)) for taker in takers]
                continue
            counterparty = state.label(takers[0].holder) if len(takers) == 1 else None
            sends.append(_movement(state, change, counterparty))
        elif change.delta > 0:
            receives.append(_movement(state, change, None))
    approvals = [f"approve {state.label(a.spender)} to spend "
                 + ("an unlimited amount" if a.amount >= UNLIMITED
                    else f"{format_units(a.amount, a.decimals)}")
                 + f" {a.symbol}" for a in sim.approvals if a.owner.lower() == sender and a.amount]
    fee_usd = state.usd(None, sim.fee_wei)
    fee = f"{_short_amount(sim.fee_wei, 18)} {state.chain.native_symbol}" + (
        f" ({usd_text(fee_usd)})" if fee_usd is not None else "")
    parts = []
    if sends:
        parts.append("You send " + ", ".join(
            _phrase(m) + (f" to {m.counterparty}" if m.counterparty else "") for m in sends))
    if receives:
        parts.append(("and receive " if sends else "You receive ")
                     + ", ".join(_phrase(m) for m in receives))
    if not parts:
        parts.append("No balance of yours changes")
    text = " ".join(parts) + f" on {state.chain.name}."
    if approvals:
        text += " Approvals: " + "; ".join(approvals) + "."
    if not sim.success:
        text += f" The simulation fails: {sim.revert_reason}."
    text += f" Fee ≈ {fee}."
    return Preview(text=text, sends=sends, receives=receives, approvals=approvals, fee=fee)


__all__ = ["Finding", "GuardRefusal", "Reason", "Verdict", "approve", "authorize", "review"]
