"""The guard on a Solana chain: the same mandate, the same verdict, read from LiteSVM's (or the
cluster's) simulation of the plan's one transaction.

What is judged is what the simulation shows — SOL and SPL balances of the owner and of every
counterparty, delegations — never descriptions, memos or token metadata. The mandate's limits
are the owner's, across families: the daily USD limit is one budget for the wallet's EVM and
Solana addresses together (`over_limits(..., wallet=)`), per-chain and per-token limits apply
by the registry's mint address. Programs outside the ones Steward's plans use need a mandate
that allows any contract; mints other than the registry's go through SPL due diligence.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from spl.memo.constants import MEMO_PROGRAM_ID
from spl.token.constants import ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID

from solders.pubkey import Pubkey

from steward.chains.config import ChainConfig
from steward.contacts import load_contacts
from steward.guard.mandate import Mandate, usd_text
from steward.guard.spending import (
    asset_key,
    kept_by_owner,
    outflows,
    over_limits,
    spend_limits,
)
from steward.guard.verdict import (
    Finding,
    Judging,
    Movement,
    Preview,
    Reason,
    Verdict,
    plan_digest,
    seal,
)
from steward.journal import Journal
from steward.plans import Plan
from steward.protocols.solana_pricing import SolanaPrices
from steward.simulation.results import AssetChange, SimulationResult
from steward.simulation.solana import simulate_plan
from steward.solana import solana_chain
from steward.solana.plans import SOL_DECIMALS
from steward.units import format_units

SYSTEM_PROGRAM = "11111111111111111111111111111111"
COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
MEMO_V1 = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"
PLAN_PROGRAMS = {SYSTEM_PROGRAM, COMPUTE_BUDGET, MEMO_V1, str(MEMO_PROGRAM_ID),
                 str(TOKEN_PROGRAM_ID), str(TOKEN_2022_PROGRAM_ID), str(ASSOCIATED_TOKEN_PROGRAM_ID)}
NEAR_TYPO_CHARACTERS = 2


def short(address: str) -> str:
    return f"{address[:4]}…{address[-4:]}" if len(address) > 12 else address


def lookalike(a: str, b: str) -> bool:
    """Address poisoning, base58 edition (case-sensitive): another key with the same first and
    last four characters, or one that differs from a known key in at most two characters."""
    if a == b:
        return False
    if a[:4] == b[:4] and a[-4:] == b[-4:]:
        return True
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= NEAR_TYPO_CHARACTERS


@dataclass
class _Review(Judging):
    plan: Plan
    chain: ChainConfig
    mandate: Mandate
    sim: SimulationResult
    prices: SolanaPrices
    own_wallets: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def contacts(self) -> dict[str, str]:
        """Solana address → contact name."""
        return {c.solana_address: c.name for c in load_contacts().values()
                if getattr(c, "solana_address", None)}

    def label(self, address: str) -> str:
        if name := self.contacts().get(address):
            return f"{name} ({short(address)}, in your address book)"
        for name, own in self.own_wallets.items():
            if own == address:
                return f"your wallet {name} ({short(address)})"
        return short(address)


def review_solana(plan: Plan, wallet: str, chain: ChainConfig, mandate: Mandate,
                  own_wallets: dict[str, str], journal: Journal) -> Verdict:
    """Simulate, judge, journal and seal, like `steward.guard.review` on the EVM."""
    sim = simulate_plan(solana_chain(chain), chain, plan)
    state = _Review(plan=plan, chain=chain, mandate=mandate, sim=sim,
                    prices=SolanaPrices(chain), own_wallets=own_wallets)
    if not sim.success:
        state.deny("simulation", f"the simulation fails: {sim.revert_reason}")
    _check_programs(state)
    _check_tokens(state)
    recipients = _recipients(state)
    _check_recipients(state, recipients, journal)
    recipients += _check_bridge_burns(state, journal)
    for approval in sim.approvals:
        if approval.owner == plan.sender:
            state.confirm("approval", f"lets {state.label(approval.spender)} move up to "
                          f"{format_units(approval.amount, approval.decimals)} {approval.symbol} "
                          "of yours")
    usd_outflow, moved, limits = _check_value(state, journal, wallet)
    decision = ("deny" if any(r.decision == "deny" for r in state.reasons)
                else "confirm" if state.reasons else "allow")
    verdict = Verdict(
        id=uuid.uuid4().hex, wallet=wallet, chain=chain.name,
        plan_digest=plan_digest(plan, chain.chain_id), decision=decision, reasons=state.reasons,
        findings=state.findings, simulation=sim, preview=_preview(state),
        usd_outflow=usd_outflow, recipients=recipients, outflows=moved, limits=limits,
        mandate_source=mandate.source)
    journal.record_verdict(id=verdict.id, wallet=wallet, sender=plan.sender, chain=chain.name,
                           summary=plan.summary, decision=decision,
                           reasons=[r.message for r in state.reasons], usd_outflow=usd_outflow,
                           recipients=recipients, outflows={o.token: o.amount for o in moved})
    return seal(verdict)


def _check_programs(state: _Review) -> None:
    for call in state.plan.calls:
        if call.to not in PLAN_PROGRAMS and state.mandate.allow.contracts != "any":
            state.deny("allow.contracts", f"calls program {short(call.to or '')}, which is not "
                                          "among the programs this mandate allows")


def _check_tokens(state: _Review) -> None:
    """Every mint the plan moves: allowed by the mandate (by registry address), and through
    SPL due diligence unless it is a trusted registry token."""
    allow = state.mandate.allow
    seen: set[str] = set()
    for change in state.sim.changes:
        if change.token is None or change.token in seen:
            continue
        seen.add(change.token)
        mine = change.holder == state.sim.sender
        if mine and not allow.token_allowed(state.chain, change.token):
            state.deny("allow.tokens", f"moves {change.symbol} ({short(change.token)}), which "
                                       "is not among the tokens this mandate allows")
        trusted = (state.chain.token_symbol(change.token) or "") in state.chain.trusted_tokens
        from steward.diligence.spl_mint import mint_report  # SPL diligence loads only here

        report = mint_report(solana_chain(state.chain), change.token, trusted=trusted)
        if report.verdict == "danger" and not allow.danger_tokens:
            reasons = "; ".join(f.message for f in report.findings if f.severity == "danger")
            state.note("danger_token", "danger", f"{change.symbol} failed due diligence: {reasons}")
            state.deny("allow.danger_tokens", f"{change.symbol} is a dangerous token ({reasons})")
        elif report.verdict == "caution":
            reasons = "; ".join(f.message for f in report.findings if f.severity != "info")
            state.note("caution_token", "warning", f"{change.symbol} needs care: {reasons}")


def _recipients(state: _Review) -> list[str]:
    """Every account other than the sender that ends up holding more."""
    found: dict[str, None] = {}
    for change in state.sim.changes:
        if change.delta > 0 and change.holder != state.sim.sender:
            found[change.holder] = None
    return list(found)


def _check_recipients(state: _Review, recipients: list[str], journal: Journal) -> None:
    contacts = state.contacts()
    own = set(state.own_wallets.values())
    past = {address.lower() for address in journal.past_recipients(state.sim.sender)}
    known = set(contacts) | own
    for recipient in recipients:
        label = state.label(recipient)
        for other in known:
            if lookalike(recipient, other):
                state.note("address_poisoning", "danger",
                           f"{recipient} looks like {other} ({contacts.get(other, 'your wallet')}) "
                           "but is a different address")
                state.deny("address_poisoning", f"{short(recipient)} imitates a known address")
                break
        if state.mandate.allow.recipients == "address_book" and recipient not in known:
            state.deny("allow.recipients", f"{short(recipient)} is not in the address book or "
                                           "your wallets, and this mandate allows only those")
        if recipient.lower() not in past and recipient not in own:
            state.note("first_time_recipient", "info", f"you have never sent to {label} before")
            if state.mandate.confirm.first_time_recipients:
                state.confirm("confirm.first_time_recipients", f"first payment to {label}")


def _check_bridge_burns(state: _Review, journal: Journal) -> list[str]:
    """A burn for the bridge sends the tokens to the EVM address its memo names: that address
    is judged as a recipient (the owner's own EVM wallets pass; any other is a first payment
    or not, like any recipient) and returned, so the journal remembers paying it."""
    from steward.solana.bridge import decode_burn
    from steward.solana.spl import mint_info
    from steward.wallets import WalletStore

    token_programs = {str(TOKEN_PROGRAM_ID), str(TOKEN_2022_PROGRAM_ID)}
    if not any(call.to in token_programs for call in state.plan.calls):
        return []
    backend = solana_chain(state.chain)
    own_evm = {w.address.lower(): w.name for w in WalletStore().list() if w.address}
    evm_contacts = {c.address.lower(): c.name for c in load_contacts().values() if c.address}
    past = {a.lower() for a in journal.past_recipients(state.sim.sender)}
    released_to = []
    for symbol, address in state.chain.tokens.items():
        mint = mint_info(backend, Pubkey.from_string(address))
        request = decode_burn(state.plan.calls, mint)
        if request is None:
            continue
        who = request.recipient
        released_to.append(who)
        name = own_evm.get(who.lower()) or evm_contacts.get(who.lower())
        shown = f"{name} ({who})" if name else who
        state.note("bridge_release", "info", f"the bridge releases "
                   f"{format_units(request.amount, mint.decimals)} {symbol} to {shown} on chain "
                   f"{request.dest_chain_id}")
        if who.lower() in own_evm:
            continue
        if state.mandate.allow.recipients == "address_book" and who.lower() not in evm_contacts:
            state.deny("allow.recipients", f"the bridge would release to {who}, which is not in "
                                           "the address book or your wallets")
        if who.lower() not in past and state.mandate.confirm.first_time_recipients:
            state.confirm("confirm.first_time_recipients", f"first payment to {shown} "
                                                           "(through the bridge)")
    return released_to


def _check_value(state: _Review, journal: Journal, wallet: str):
    """Like the EVM guard's: what leaves the wallet against every limit, except what one of the
    owner's own Solana wallets (from the wallet store) receives, which stays the owner's."""
    limits, confirm_rules = state.mandate.limits, state.mandate.confirm
    changes = state.sim.sender_changes()
    kept = kept_by_owner(state.sim, state.own_wallets.values(), case_sensitive=True)
    moved = outflows(changes, kept)
    if kept:
        parts = [f"{format_units(kept[asset_key(c.token)], c.decimals)} {c.symbol}"
                 for c in changes if asset_key(c.token) in kept]
        state.note("stays_yours", "info", f"{' and '.join(parts)} moved to your own wallets "
                                          "stay yours, so they do not count against the limits")
    mint_of = {asset_key(change.token): change.token for change in changes}
    total, unpriced, suspect = 0, [], []
    for outflow in moved:
        mint = mint_of[outflow.token]
        value = state.prices.usdc_value(mint, outflow.amount)
        if value is None:
            total += state.prices.ceiling_value(mint, outflow.amount) or 0
            price = state.prices.price(mint)
            (suspect if price.suspect else unpriced).append(f"{outflow.symbol} ({price.problem})")
        else:
            total += value
    if suspect:
        state.confirm("pricing.untrusted", f"no price that one transaction cannot move for "
                                           f"{'; '.join(suspect)}; a person must approve")
    if unpriced and confirm_rules.unpriced_assets:
        state.confirm("confirm.unpriced_assets", f"no trusted price for {'; '.join(unpriced)}; "
                                                 "a person must approve")
    in_force = spend_limits(limits, state.chain, moved)
    for rule, message in over_limits(journal, state.sim.sender, state.chain.name, total, moved,
                                     in_force, wallet=wallet):
        state.deny(rule, message)
    if confirm_rules.above_usd < total <= limits.per_transaction_usd:
        state.confirm("confirm.above_usd", f"moves {usd_text(total)}, above "
                                           f"{usd_text(confirm_rules.above_usd)}")
    return total, moved, in_force


def _movement(state: _Review, change: AssetChange, counterparty: str | None) -> Movement:
    amount = abs(change.delta)
    value = state.prices.usdc_value(change.token, amount)
    return Movement(symbol=change.symbol, amount=format_units(amount, change.decimals),
                    usd=None if value is None else usd_text(value), counterparty=counterparty)


def _preview(state: _Review) -> Preview:
    sim = state.sim
    sends, receives = [], []
    for change in sim.sender_changes():
        takers = [c.holder for c in sim.changes if c.token == change.token and c.delta > 0
                  and c.holder != sim.sender]
        if change.delta < 0:
            sends.append(_movement(state, change,
                                   state.label(takers[0]) if len(takers) == 1 else None))
        elif change.delta > 0:
            receives.append(_movement(state, change, None))
    phrase = lambda m: f"{m.amount} {m.symbol}" + (f" (≈ {m.usd})" if m.usd else "")  # noqa: E731
    parts = []
    if sends:
        parts.append("You send " + ", ".join(
            phrase(m) + (f" to {m.counterparty}" if m.counterparty else "") for m in sends))
    if receives:
        parts.append(("and receive " if sends else "You receive ")
                     + ", ".join(phrase(m) for m in receives))
    text = " ".join(parts or ["No balance of yours changes"]) + f" on {state.chain.name}."
    if not sim.success:
        text += f" The simulation fails: {sim.revert_reason}."
    fee = f"{format_units(sim.fee_wei, SOL_DECIMALS)} {state.chain.native_symbol}"
    text += f" Fee ≈ {fee}."
    return Preview(text=text, sends=sends, receives=receives, approvals=[
        f"let {state.label(a.spender)} move {format_units(a.amount, a.decimals)} {a.symbol}"
        for a in sim.approvals], fee=fee)


__all__ = ["lookalike", "review_solana"]
