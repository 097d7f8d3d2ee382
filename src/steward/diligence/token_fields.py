"""The token report's sections: what the scan established (`ScanFacts`), turned into GoPlus-style
fields and findings on a `Sheet` — simulation, powers, ownership, holders, liquidity — then the
evidence rule (`weigh_signals`) and the score and verdict (`verdict_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from web3 import Web3

from steward.chains.config import ChainConfig
from steward.diligence.bytecode import Bytecode
from steward.diligence.token_lab import (
    BURN_ADDRESSES,
    CAUTION_TAX,
    DANGER_TAX,
    PENALTY,
    Sim,
    fresh_address,
    pct,
    selector,
)
from steward.diligence.token_models import (
    FIELD_NAMES,
    Evidence,
    Field,
    Finding,
    Holder,
    PoolReport,
    Severity,
    Verdict,
)
from steward.diligence.token_probe import PRIVILEGED, Power, Probe


class Sheet:
    """The report's fields and findings as the sections fill them in."""

    def __init__(self) -> None:
        self.fields: dict[str, Field] = {name: Field() for name in FIELD_NAMES}
        self.findings: list[Finding] = []

    def flag(self, field: str, severity: Severity, reason: str, method: str | None = None,
             evidence: list[Evidence] | None = None) -> None:
        method = method or self.fields[field].method
        self.fields[field].flagged = self.fields[field].flagged or severity != "info"
        self.findings.append(Finding(field=field, severity=severity, reason=reason,
                                     method=method, evidence=evidence or []))

    def put(self, field: str, value, method: str, detail: str | None = None) -> None:
        self.fields[field].value, self.fields[field].method = value, method
        if detail:
            self.fields[field].detail = detail


@dataclass
class CodeFacts:
    """What the bytecode and the EIP-1967 slots say."""

    code: Bytecode
    impl_code: Bytecode | None
    target: str | None  # the implementation, or the minimal proxy's target
    admin_slot: str | None
    is_proxy: bool
    proxy_detail: str | None


@dataclass
class ScanFacts:
    """What the scan established on the throwaway state, for the sections that report it."""

    w3: Web3
    chain: ChainConfig
    token: str
    symbol: str
    supply: int
    code: CodeFacts
    sim: Sim
    probe: Probe
    pools: list[PoolReport]
    holders: list[Holder]
    creator: str | None
    creator_how: str
    method: str


class PowerView(NamedTuple):
    """The probe's powers as the ownership fields read them."""

    method: str
    owner: str | None
    renounced: bool
    by_cat: dict[str, list[Power]]
    hidden: list[Power]
    kept_after_renounce: list[Power]
    hidden_owner: bool


def evidence_of(*powers: Power) -> list[Evidence]:
    return [Evidence(call=p.call or p.signature, caller=p.address, effect=p.detail)
            for p in powers]


def simulation_fields(sheet: Sheet, scan: ScanFacts) -> None:
    flag, put, fields = sheet.flag, sheet.put, sheet.fields
    sim, probe, chain, token, symbol = scan.sim, scan.probe, scan.chain, scan.token, scan.symbol
    pools, method = scan.pools, scan.method
    sim_method = f"simulation on a throwaway {method}"
    if sim.route:
        route = " → ".join(chain.token_symbol(a) or (symbol if a == token else a) for a in sim.route)
        sim_method += f" (route {route})"
    if not pools:
        put("is_in_dex", False, "chain data: factory pools")
        flag("is_in_dex", "caution", "no pool with liquidity: it cannot be bought or sold here")
    else:
        put("is_in_dex", True, "chain data: factory pools")
    put("cannot_buy", bool(sim.route) and not sim.buy_ok, sim_method, sim.buy_reason)
    buyer = "a fresh address"
    route_words = f"through {route}" if sim.route else "from a holder"
    if sim.route and not sim.buy_ok:
        flag("cannot_buy", "danger", f"buying reverts ({sim.buy_reason})", evidence=[Evidence(
            call=f"buy with ETH {route_words}", caller=buyer,
            effect=f"reverted ({sim.buy_reason})")])
    put("buy_tax", sim.buy_tax, sim_method + ": received vs the router's quote")
    put("transfer_tax", sim.transfer_tax, sim_method + ": recipient's balanceOf vs amount sent")
    put("sell_tax", sim.sell_tax, sim_method + f": proceeds vs quote, sold via {sim.sell_via}")
    for field, label in (("buy_tax", "buy"), ("sell_tax", "sell"), ("transfer_tax", "transfer")):
        tax = fields[field].value
        if tax is None:
            continue
        if tax >= DANGER_TAX:
            flag(field, "danger", f"{label} tax is {pct(tax)}", evidence=[Evidence(
                call=f"{label} {route_words}" if label != "transfer" else "a plain transfer",
                caller=buyer, effect=f"{pct(tax)} of it never arrived (measured against "
                f"{'the amount sent' if label == 'transfer' else 'the pool quote'})")])
        elif tax >= CAUTION_TAX:
            flag(field, "caution", f"{label} tax is {pct(tax)}")
        elif tax > 0.001:
            flag(field, "info", f"small {label} tax of {pct(tax)}")
    put("is_honeypot", sim.honeypot, sim_method + ": the buyer's tokens sold back", sim.sell_reason)
    if sim.honeypot:
        flag("is_honeypot", "danger", f"honeypot: holders cannot sell ({sim.sell_reason})",
             evidence=[Evidence(call=f"buy {route_words}, then sell all, half, then 1%",
                                caller=buyer, effect=f"{sim.acquired_via or 'acquired'}; every "
                                f"sell reverted ({sim.sell_reason})")])
    put("cannot_sell_all", sim.cannot_sell_all, sim_method + ": full balance, then half, then 1%")
    if sim.cannot_sell_all:
        flag("cannot_sell_all", "danger", "selling the whole balance reverts: only "
             f"{sim.sell_part or 'part'} of it would sell, so holders cannot fully exit",
             evidence=[Evidence(call="sell the whole balance, then half, then 1%", caller=buyer,
                                effect=f"the whole balance reverted ({sim.sell_reason}); "
                                f"{sim.sell_part or 'a part'} sold")])
    put("balance_inconsistent", bool(sim.inconsistent),
        sim_method + ": balanceOf deltas vs Transfer events", "; ".join(sim.inconsistent) or None)
    if sim.inconsistent:
        flag("balance_inconsistent", "danger", "balanceOf lies: " + sim.inconsistent[0],
             evidence=[Evidence(call="buy, then a plain transfer", caller=buyer,
                                effect=sim.inconsistent[0])])
    put("trading_cooldown", sim.cooldown, sim_method + ": two sells in a row")
    if sim.cooldown:
        fields["trading_cooldown"].detail = sim.cooldown_detail
        flag("trading_cooldown", "danger", f"{sim.cooldown_detail}: holders are rate-limited and "
             "cannot exit in a hurry (trading cooldown)", evidence=[Evidence(
                 call="two small sells in a row, then one a day later", caller=buyer,
                 effect=f"{sim.cooldown_detail}; a day later the same sell went through")]
             if sim.cooldown_confirmed else None)
    put("is_anti_whale", sim.anti_whale, sim_method + ": a whale-sized buy and sell",
        sim.anti_whale_detail)
    if sim.anti_whale:
        if sim.cannot_sell_all:  # the cap bites even an ordinary 0.1-ETH purchase
            flag("is_anti_whale", "danger", "sells are capped below an ordinary purchase: "
                 f"{sim.anti_whale_detail or 'large trades revert'}, and even a 0.1 ETH buy "
                 f"sells only {sim.sell_part or 'in part'} at once", evidence=[Evidence(
                     call="a whale-sized buy and sell, and an ordinary one", caller=buyer,
                     effect=f"{sim.anti_whale_detail}; the ordinary purchase sold only "
                     f"{sim.sell_part or 'in part'}")])
        else:
            flag("is_anti_whale", "caution", sim.anti_whale_detail or "large trades revert")
    if sim.external_logs:
        fields["external_call"].value = True
        fields["external_call"].detail = ((fields["external_call"].detail or "") +
                                          f"; a plain transfer made contracts {', '.join(sim.external_logs)} emit events").lstrip("; ")
    if probe.consulted:
        fields["external_call"].value = True
        fields["external_call"].detail = ((fields["external_call"].detail or "") + "; a holder's "
                                          "transfer consults " + ", ".join(
                                              f"{c} ({who})" for c, who in probe.consulted.items())
                                          ).lstrip("; ")
    if fields["external_call"].value:
        flag("external_call", "info", "the token calls other contracts"
             + (f" ({fields['external_call'].detail})" if fields["external_call"].detail else ""))


def power_fields(sheet: Sheet, scan: ScanFacts) -> PowerView:
    """Who can mint, rewrite or take balances, drain the pool, blacklist, pause, tax or cap."""
    flag, put, fields = sheet.flag, sheet.put, sheet.fields
    probe, w3, method, code, sim = (scan.probe, scan.w3, scan.method, scan.code.code,
                                    scan.sim)
    ev = evidence_of
    probe_method = (f"privilege probe on a throwaway {method}: {len(probe.candidates)} candidate "
                    "addresses (owner, creator, storage, code, constructor arguments) called "
                    "every dispatched selector in the argument shapes it decodes, each judged by "
                    "its effect on holders, the caller, the owner, the pool and the supply")

    owner = probe.owner
    renounced = owner is None or owner.lower() in BURN_ADDRESSES
    put("owner_address", owner, f"read {probe.owner_source}" if probe.owner_source
        else "no owner()/getOwner()/admin() getter")
    by_cat: dict[str, list[Power]] = {}
    for power in probe.powers:
        by_cat.setdefault(power.category, []).append(power)

    def visible(address: str) -> bool:
        return bool(owner) and not renounced and address.lower() == owner.lower()

    anyone = fresh_address("attacker").lower()
    hidden = [p for p in probe.powers if p.category not in ("ownership", "takeback", "unknown")
              and not visible(p.address) and p.address.lower() != anyone
              and (p.confirmed or renounced)]
    kept_after_renounce = [p for p in probe.survives_renounce if p.address.lower() != anyone]
    hidden_owner = bool(hidden or kept_after_renounce
                        or (by_cat.get("ownership") and not renounced))
    owner_is_contract = bool(owner and not renounced and w3.eth.get_code(owner))

    mints = [p for p in by_cat.get("mint", []) + by_cat.get("minter", []) if p.confirmed]
    mint_present = any(selector(s) in code.selectors for s, c, _ in PRIVILEGED if c == "mint")
    put("is_mintable", bool(mints) or (mint_present and None), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in mints) or None)
    if mints:
        hidden_mint = [p for p in mints if not visible(p.address)]
        survive = [p for p in probe.survives_renounce if p.category in ("mint", "minter")]
        unaccounted = [p for p in mints if p.unaccounted]
        if hidden_mint or survive:
            who = (hidden_mint or survive)[0]
            flag("is_mintable", "danger", f"anyone (a fresh address {who.address}) can mint new "
                 f"tokens ({who.signature})" if who.address.lower() == anyone else
                 f"{who.address}, which is not the visible owner, can "
                 f"mint new tokens ({who.signature})" if hidden_mint else
                 f"the owner can still mint after renouncing ({who.signature})",
                 evidence=ev(who))
        elif unaccounted:
            flag("is_mintable", "danger", f"{unaccounted[0].address} can credit itself tokens "
                 "that the total supply never shows", evidence=ev(unaccounted[0]))
        else:
            kind = "a contract" if owner_is_contract else "an externally owned account"
            flag("is_mintable", "caution", f"the owner ({kind}, {owner}) can mint new tokens at "
                 "will; the supply is only as fixed as that key is trusted")
    elif mint_present:
        fields["is_mintable"].value = None
        fields["is_mintable"].detail = "a mint selector is dispatched but no probed address could use it"
        flag("is_mintable", "info", "a mint function exists but none of the probed addresses "
             "could use it")
    else:
        fields["is_mintable"].value = False

    changes = by_cat.get("balance", [])
    put("owner_change_balance", any(p.confirmed for p in changes), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in changes) or None)
    if any(p.confirmed for p in changes):
        p = next(p for p in changes if p.confirmed)
        flag("owner_change_balance", "danger", f"{p.address} can rewrite holders' balances "
             f"({p.signature}: {p.detail})", evidence=ev(p))

    for field, category, words in (
            ("owner_can_move_holder_tokens", "move", "can move holders' tokens without their "
             "approval"),
            ("owner_can_drain_pool", "drain", "can take the pool's tokens without trading")):
        taken = [p for p in by_cat.get(category, []) if p.confirmed]
        put(field, bool(taken), probe_method,
            "; ".join(f"{p.call} by {p.address}: {p.detail}" for p in taken) or None)
        if taken:
            flag(field, "danger", f"{taken[0].address} {words} ({taken[0].call}: "
                 f"{taken[0].detail})", evidence=ev(taken[0]))

    blacklist = by_cat.get("blacklist", [])
    put("is_blacklisted", bool(blacklist), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in blacklist) or None)
    if blacklist:
        _flag_power(sheet, "is_blacklisted", blacklist,
                    "can blacklist holders so they cannot sell", "can blacklist addresses")

    whitelist = by_cat.get("whitelist", [])
    put("is_whitelisted", bool(whitelist), probe_method,
        "; ".join(f"{p.signature} by {p.address}" for p in whitelist) or None)
    if whitelist:
        flag("is_whitelisted", "caution", f"{whitelist[0].address} keeps a whitelist "
             f"({whitelist[0].signature}): some addresses are treated differently")

    pause = by_cat.get("pause", [])
    put("transfer_pausable", bool(pause), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in pause) or None)
    if pause:
        _flag_power(sheet, "transfer_pausable", pause, "can freeze every holder's tokens",
                    "can pause trading")

    cooldown_setters = by_cat.get("cooldown", [])
    if cooldown_setters:
        fields["trading_cooldown"].value = True
        fields["trading_cooldown"].detail = (f"{cooldown_setters[0].address} can set a cooldown "
                                             f"({cooldown_setters[0].signature})")
        if not sim.cooldown:
            flag("trading_cooldown", "caution", fields["trading_cooldown"].detail, probe_method)

    fee = by_cat.get("fee", [])
    put("slippage_modifiable", bool(fee), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in fee) or None)
    if fee:
        _flag_power(sheet, "slippage_modifiable", fee,
                    "can raise the tax to a level that traps holders", "can change the tax")

    maxtx = by_cat.get("maxtx", [])
    put("anti_whale_modifiable", bool(maxtx), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in maxtx) or None)
    if maxtx:
        p = maxtx[0]
        flag("anti_whale_modifiable", "caution", f"{p.address} can change the transaction or "
             f"wallet limit ({p.signature}: {p.detail})")
    return PowerView(method=probe_method, owner=owner, renounced=renounced, by_cat=by_cat,
                      hidden=hidden, kept_after_renounce=kept_after_renounce,
                      hidden_owner=hidden_owner)


def _flag_power(sheet: Sheet, field: str, powers: list[Power], harm: str, power: str) -> None:
    """A danger, with its evidence, when a call showed the harm; a caution when the call was
    only accepted."""
    p = next((p for p in powers if p.confirmed), powers[0])
    if p.confirmed:
        sheet.flag(field, "danger", f"{p.address} {harm} ({p.call or p.signature}: {p.detail})",
                   evidence=evidence_of(p))
    else:
        sheet.flag(field, "caution", f"{p.address} {power} ({p.signature}: {p.detail})")


def ownership_fields(sheet: Sheet, scan: ScanFacts, view: PowerView) -> None:
    """Upgrades, hidden owners, ownership taken back, and whether renouncing was real."""
    flag, put, fields = sheet.flag, sheet.put, sheet.fields
    probe, ev = scan.probe, evidence_of
    probe_method, owner, renounced, by_cat = view.method, view.owner, view.renounced, view.by_cat
    hidden, kept_after_renounce, hidden_owner = (view.hidden, view.kept_after_renounce,
                                                 view.hidden_owner)
    is_proxy, proxy_detail = scan.code.is_proxy, scan.code.proxy_detail
    admin_slot = scan.code.admin_slot
    upgraders = by_cat.get("upgrade", [])
    if is_proxy:
        admin = probe.upgrade_admin or admin_slot
        if admin and admin.lower() not in BURN_ADDRESSES:
            fields["is_proxy"].detail = f"{proxy_detail}; upgradeable by {admin}"
            flag("is_proxy", "danger", f"it is an upgradeable proxy ({proxy_detail}) and {admin} "
                 "can replace its code at any time", probe_method if upgraders else None,
                 evidence=ev(*upgraders[:1]))
        else:
            flag("is_proxy", "caution", f"it is a proxy ({proxy_detail}); its code lives elsewhere")
    elif upgraders:
        fields["is_proxy"].value = True
        fields["is_proxy"].detail = f"{upgraders[0].address} can call {upgraders[0].signature}"
        flag("is_proxy", "danger", f"{upgraders[0].address} can upgrade its code "
             f"({upgraders[0].signature})", probe_method, evidence=ev(upgraders[0]))

    put("hidden_owner", hidden_owner, probe_method + (
        "; then the owner renounced and the powers were tried again" if probe.renounce_tested else ""))
    if hidden_owner:
        who = (hidden or kept_after_renounce or by_cat.get("ownership", []))[0]
        fields["hidden_owner"].detail = f"{who.address}: {who.signature}"
        if renounced:
            reason = f"ownership looks renounced but {who.address} still holds powers ({who.signature})"
        elif who in probe.survives_renounce:
            reason = f"powers survive renouncing ownership ({who.signature} by {who.address})"
        elif who.category == "ownership":
            reason = f"{who.address}, not the owner, can seize ownership ({who.signature})"
        else:
            reason = (f"{who.address}, which is not the visible owner {owner}, holds powers "
                      f"({who.signature}: {who.detail})")
        where = probe.candidate_sources.get(who.address)
        flag("hidden_owner", "danger", reason + (f"; the address was found in {where}"
                                                 if where and where != "owner()" else ""),
             evidence=ev(who) if who.confirmed else None)

    put("can_take_back_ownership", bool(probe.takeback), probe_method + ": renounce, then retake",
        probe.takeback)
    if probe.takeback:
        flag("can_take_back_ownership", "danger", f"ownership can be taken back after renouncing "
             f"({probe.takeback})", evidence=[Evidence(
                 call=f"renounceOwnership(), then {probe.takeback.split(' via ')[-1]}",
                 caller=probe.takeback.split(" via ")[0],
                 effect="owner() is a live address again")])

    really = renounced and not hidden_owner and not probe.takeback
    put("owner_renounced", really if renounced else False,
        "owner() read, then checked by the privilege probe", None if not renounced else
        ("really renounced: no probed address kept any power" if really
         else "renounced in name only"))


def holder_fields(sheet: Sheet, scan: ScanFacts) -> None:
    flag, put, findings = sheet.flag, sheet.put, sheet.findings
    holders, pools, supply = scan.holders, scan.pools, scan.supply
    creator, creator_how, owner = scan.creator, scan.creator_how, scan.probe.owner
    renounced = owner is None or owner.lower() in BURN_ADDRESSES
    chain_method = "chain data: Transfer logs, then balanceOf"
    pool_addresses = {p.pair.lower() for p in pools}
    for holder in holders:
        if holder.address.lower() in pool_addresses:
            holder.kind = "pool"
        elif owner and holder.address.lower() == owner.lower():
            holder.kind = "owner"
        elif creator and holder.address.lower() == creator.lower():
            holder.kind = "creator"
    top10 = sum(h.share for h in holders[:10])
    put("top10_holder_percent", top10 if supply else None, chain_method)
    owner_share = sum(h.share for h in holders if owner and h.address.lower() == owner.lower())
    creator_share = sum(h.share for h in holders
                        if creator and h.address.lower() == creator.lower())
    put("owner_percent", owner_share if owner and not renounced else 0.0, chain_method)
    put("creator_address", creator, "chain data: first block with code (binary search), then "
        f"its transactions: the creator {creator_how if creator else 'is ' + creator_how}",
        None if creator else creator_how)
    put("creator_percent", creator_share, chain_method)
    for share, who, field in ((owner_share, "the owner", "owner_percent"),
                              (creator_share, "the creator", "creator_percent")):
        if share > 0.5:
            flag(field, "caution", f"{who} holds {pct(share)} of the supply")
    outside = [h for h in holders if h.kind not in ("pool", "burn")]
    if outside and outside[0].share > 0.5 and outside[0].kind not in ("owner", "creator"):
        findings.append(Finding(field="top10_holder_percent", severity="info",
                                reason=f"one address ({outside[0].address}) holds "
                                       f"{pct(outside[0].share)} of the supply",
                                method=chain_method))


def liquidity_fields(sheet: Sheet, scan: ScanFacts) -> None:
    flag, put, findings = sheet.flag, sheet.put, sheet.findings
    pools, symbol = scan.pools, scan.symbol
    total_usd = sum(p.liquidity_usd or 0.0 for p in pools)
    put("liquidity_usd", total_usd if pools else 0.0,
        "chain data: factory pools against the chain's tokens, valued with PriceSource")
    if pools and total_usd < 1_000:
        flag("liquidity_usd", "caution", f"thin liquidity: ${total_usd:,.0f} in all pools")
    for pool in pools:
        if pool.lp_owner_share > 0.5 and pool.lp_burned_share < 0.5:
            findings.append(Finding(
                field="liquidity_usd", severity="info", method="chain data: LP Transfer logs",
                reason=f"{pct(pool.lp_owner_share)} of the {symbol}/{pool.quote_symbol} LP "
                       "tokens sit with the owner or creator, unlocked: they can withdraw the "
                       "liquidity"))


def verdict_of(findings: list[Finding]) -> tuple[int, Verdict, list[str]]:
    """Score (100 less 40 per danger, 15 per caution, 2 per notable info), verdict, reasons."""
    score = 100
    for finding in findings:
        score -= PENALTY[finding.severity]
        if finding.severity == "info" and finding.field in ("buy_tax", "sell_tax",
                                                            "transfer_tax", "external_call"):
            score -= 2
    score = max(0, score)
    severities = {f.severity for f in findings}
    verdict: Verdict = ("danger" if "danger" in severities else
                        "caution" if "caution" in severities else "safe")
    order = {"danger": 0, "caution": 1, "info": 2}
    reasons = [f.reason for f in sorted(findings, key=lambda f: order[f.severity])]
    if not reasons:
        reasons = ["bought, transferred and sold back with no tax, and no privileged power "
                   "over holders was found"]
    return score, verdict, reasons


def weigh_signals(findings: list[Finding]) -> None:
    """A danger rests on evidence: a call or trade that did the harm. A danger finding without
    any, alone in its report, becomes a caution (it may be a limit of the simulation, an
    ambiguous revert); two independent ones corroborate each other and stay."""
    unconfirmed = [f for f in findings if f.severity == "danger" and not f.evidence]
    confirmed = [f for f in findings if f.severity == "danger" and f.evidence]
    if confirmed or len({f.field for f in unconfirmed}) >= 2:
        return
    for finding in unconfirmed:
        finding.severity = "caution"
        finding.reason += " (a single signal no call or trade confirmed: caution, not danger)"



__all__ = ["CodeFacts", "PowerView", "ScanFacts", "Sheet", "holder_fields", "liquidity_fields",
           "ownership_fields", "power_fields", "simulation_fields", "verdict_of", "weigh_signals"]
