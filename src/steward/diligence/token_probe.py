"""The privilege probe: which addresses can do what to holders, judged by effect on a throwaway
copy of the chain."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address
from pydantic import BaseModel

from steward.diligence.bytecode import Bytecode
from steward.diligence.token_lab import (
    BURN_ADDRESSES,
    DANGER_TAX,
    DEAD,
    EIP1967_ADMIN,
    EIP1967_IMPLEMENTATION,
    MAX_PRIVILEGED_ADDRESSES,
    STORAGE_SLOTS_SCANNED,
    ZERO,
    Lab,
    Sim,
    acquire,
    as_address,
    calldata,
    fresh_address,
    looks_like_address,
    pct,
    selector,
    tax_rate,
)
from steward.diligence.token_models import Holder
from steward.simulation import Outcome

# ------------------------------------------------------------------------------ privileges


# (signature, category, argument template). Templates name roles resolved at probe time:
# "victim" (an ordinary holder), "attacker" (a fresh address), "big"/"amount"/"victim_balance",
# "impl" (current implementation), literal values otherwise.
PRIVILEGED: list[tuple[str, str, tuple]] = [
    ("mint(address,uint256)", "mint", ("attacker", "big")),
    ("mintTo(address,uint256)", "mint", ("attacker", "big")),
    ("mint(uint256)", "mint", ("big",)),
    ("issue(uint256)", "mint", ("big",)),
    ("setBalance(address,uint256)", "balance", ("victim", 0)),
    ("setBalances(address,uint256)", "balance", ("victim", 0)),
    ("changeBalance(address,uint256)", "balance", ("victim", 0)),
    ("updateBalance(address,uint256)", "balance", ("victim", 0)),
    ("set_balance(address,uint256)", "balance", ("victim", 0)),
    ("burnFrom(address,uint256)", "balance", ("victim", "victim_balance")),
    ("burn(address,uint256)", "balance", ("victim", "victim_balance")),
    ("blacklist(address)", "blacklist", ("victim",)),
    ("addToBlacklist(address)", "blacklist", ("victim",)),
    ("addBlacklist(address)", "blacklist", ("victim",)),
    ("addBlackList(address)", "blacklist", ("victim",)),
    ("blacklistAddress(address)", "blacklist", ("victim",)),
    ("setBlacklist(address,bool)", "blacklist", ("victim", True)),
    ("setBlackList(address,bool)", "blacklist", ("victim", True)),
    ("setBlacklisted(address,bool)", "blacklist", ("victim", True)),
    ("set_blacklist(address,bool)", "blacklist", ("victim", True)),
    ("setBlacklist(address[],bool)", "blacklist", (["victim"], True)),
    ("setBot(address,bool)", "blacklist", ("victim", True)),
    ("addBot(address)", "blacklist", ("victim",)),
    ("ban(address)", "blacklist", ("victim",)),
    ("freeze(address)", "blacklist", ("victim",)),
    ("pause()", "pause", ()),
    ("setPaused(bool)", "pause", (True,)),
    ("setPause(bool)", "pause", (True,)),
    ("set_paused(bool)", "pause", (True,)),
    ("pauseTrading()", "pause", ()),
    ("disableTrading()", "pause", ()),
    ("setTradingEnabled(bool)", "pause", (False,)),
    ("setTrading(bool)", "pause", (False,)),
    ("enableTrading(bool)", "pause", (False,)),
    ("setTax(uint256)", "fee", ("fee",)),
    ("setFee(uint256)", "fee", ("fee",)),
    ("setSellTax(uint256)", "fee", ("fee",)),
    ("setBuyTax(uint256)", "fee", ("fee",)),
    ("setSellFee(uint256)", "fee", ("fee",)),
    ("setBuyFee(uint256)", "fee", ("fee",)),
    ("setTransferTax(uint256)", "fee", ("fee",)),
    ("setTaxFeePercent(uint256)", "fee", ("fee",)),
    ("set_tax(uint256)", "fee", ("fee",)),
    ("set_fee(uint256)", "fee", ("fee",)),
    ("setTaxes(uint256,uint256)", "fee", ("fee", "fee")),
    ("setFees(uint256,uint256)", "fee", ("fee", "fee")),
    ("updateFees(uint256,uint256)", "fee", ("fee", "fee")),
    ("setMaxTxAmount(uint256)", "maxtx", (1,)),
    ("setMaxTx(uint256)", "maxtx", (1,)),
    ("setMaxTransactionAmount(uint256)", "maxtx", (1,)),
    ("setMaxWallet(uint256)", "maxtx", (1,)),
    ("setMaxWalletSize(uint256)", "maxtx", (1,)),
    ("set_max_tx(uint256)", "maxtx", (1,)),
    ("setCooldown(uint256)", "cooldown", (3600,)),
    ("setCooldownEnabled(bool)", "cooldown", (True,)),
    ("setTradeCooldown(uint256)", "cooldown", (3600,)),
    ("set_cooldown(uint256)", "cooldown", (3600,)),
    ("setWhitelist(address,bool)", "whitelist", ("attacker", True)),
    ("setWhitelisted(address,bool)", "whitelist", ("attacker", True)),
    ("set_whitelist(address,bool)", "whitelist", ("attacker", True)),
    ("addToWhitelist(address)", "whitelist", ("attacker",)),
    ("whitelist(address)", "whitelist", ("attacker",)),
    ("setWhitelistEnabled(bool)", "whitelist", (True,)),
    ("upgradeTo(address)", "upgrade", ("impl",)),
    ("upgradeToAndCall(address,bytes)", "upgrade", ("impl", b"")),
    ("upgrade_to(address)", "upgrade", ("impl",)),
    ("set_minter(address,bool)", "minter", ("attacker", True)),
    ("setMinter(address,bool)", "minter", ("attacker", True)),
    ("addMinter(address)", "minter", ("attacker",)),
    ("transferOwnership(address)", "ownership", ("attacker",)),
    ("transfer_ownership(address)", "ownership", ("attacker",)),
    ("setOwner(address)", "ownership", ("attacker",)),
    ("set_owner(address)", "ownership", ("attacker",)),
    ("claimOwnership()", "takeback", ()),
    ("unlock()", "takeback", ()),
]
RENOUNCE = ["renounceOwnership()", "renounce_ownership()"]
FEE_VALUES = (100, 10_000, 1_000, 99, 50, 25)  # percent, basis points, per mille, capped setters
# Selectors that are ordinary for a token; any other dispatched selector is tried generically
# with (address, uint256) arguments by the privileged addresses and judged by its effect.
ORDINARY = {selector(s) for s in (
    "name()", "symbol()", "decimals()", "totalSupply()", "balanceOf(address)",
    "allowance(address,address)", "transfer(address,uint256)", "approve(address,uint256)",
    "transferFrom(address,address,uint256)", "increaseAllowance(address,uint256)",
    "decreaseAllowance(address,uint256)", "burn(uint256)", "owner()", "getOwner()",
    "renounceOwnership()", "renounce_ownership()", "nonces(address)", "DOMAIN_SEPARATOR()",
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "eip712Domain()",
    "cap()", "version()", "pair()", "router()", "uniswapV2Pair()", "uniswapV2Router()",
    "factory()", "WETH()", "minters(address)", "paused()", "implementation()", "admin()",
)} | {"ffffffff", "08c379a0", "4e487b71", "00000000"}
GENERIC_SHAPES = (("attacker", "big"), ("victim", 0), ("victim", 1))
WRITE_GAS = 40_000  # a call that used less wrote no fresh storage slot: no need to test holders
OWNER_GETTERS = ["owner()", "getOwner()", "admin()", "_owner()"]



# ---------------------------------------------------------------------------- privilege probe

class Power(BaseModel):
    category: str
    signature: str
    entry: tuple = ()
    address: str
    confirmed: bool
    detail: str


class Probe(BaseModel):
    owner: str | None = None
    owner_source: str | None = None
    candidates: list[str] = []
    powers: list[Power] = []
    renounce_tested: bool = False
    survives_renounce: list[Power] = []
    takeback: str | None = None
    upgrade_admin: str | None = None


def _read_owner(lab: Lab) -> tuple[str | None, str | None]:
    for getter in OWNER_GETTERS:
        address = as_address(lab.call(lab.token, calldata(getter, ())))
        if address is not None:
            return address, getter
    return None, None


def _resolve(template: tuple, roles: dict) -> tuple:
    out = []
    for item in template:
        if isinstance(item, list):
            out.append([roles.get(i, i) if isinstance(i, str) else i for i in item])
        elif isinstance(item, str):
            out.append(roles[item])
        else:
            out.append(item)
    return tuple(out)


def _victim_blocked(lab: Lab, victim: str, sell_path: list[str] | None) -> str | None:
    """Why an ordinary holder can no longer move or sell, or None."""
    balance = lab.balance(victim)
    if balance <= 0:
        return "its balance is gone"
    outcome = lab.transfer(victim, fresh_address("bystander"), max(balance // 10, 1))
    if not outcome.success:
        return f"a plain transfer now reverts ({outcome.revert_reason})"
    if sell_path:
        ok, *_rest, via = lab.sell(victim, lab.balance(victim) // 2, sell_path)
        if not ok:
            return f"selling now reverts ({via})"
    return None


def _effect(lab: Lab, category: str, roles: dict, before: dict, sell_path,
            outcome: Outcome | None = None, shape: tuple = ()) -> tuple[bool, str, str]:
    """(confirmed, what happened, category): the effect of a privileged call just accepted."""
    confirmed, detail = _effect_of(lab, category, roles, before, sell_path, outcome, shape)
    if category == "unknown":
        return confirmed[0], detail, confirmed[1]
    return confirmed, detail, category


def _effect_of(lab: Lab, category: str, roles: dict, before: dict, sell_path, outcome, shape):
    victim, attacker = roles["victim"], roles["attacker"]
    if category == "unknown":
        if lab.supply() > before["supply"] or lab.balance(attacker) > before["attacker"]:
            return (True, "mint"), "it created tokens from nothing"
        after = lab.balance(victim)
        if after < before["victim"]:
            return (True, "balance"), f"a holder's balance went from {before['victim']} to {after}"
        if outcome is not None and outcome.gas_used >= WRITE_GAS:
            blocked = _victim_blocked(lab, victim, sell_path)
            if blocked:
                kind = "blacklist" if shape and shape[0] == "victim" else "pause"
                return (True, kind), f"an ordinary holder is stuck: {blocked}"
        return (False, "unknown"), "accepted, no effect on holders seen"
    if category == "mint":
        grew = lab.supply() > before["supply"] or lab.balance(attacker) > before["attacker"]
        return grew, "total supply grew" if grew else "accepted, supply unchanged"
    if category == "balance":
        after = lab.balance(victim)
        return after < before["victim"], (f"a holder's balance went from {before['victim']} to "
                                           f"{after}")
    if category in ("blacklist", "pause", "maxtx"):
        blocked = _victim_blocked(lab, victim, sell_path)
        return blocked is not None, (f"an ordinary holder is stuck: {blocked}" if blocked
                                     else "accepted, but holders could still transfer and sell")
    if category == "fee":
        amount = lab.balance(victim) // 2
        to = fresh_address("fee-probe")
        before_to = lab.balance(to)
        outcome = lab.transfer(victim, to, amount)
        if not outcome.success:
            return True, f"after it transfers revert ({outcome.revert_reason})"
        received = lab.balance(to) - before_to
        tax = tax_rate(received, amount) or 0.0
        if sell_path and tax < DANGER_TAX:
            ok, spent, out, fair, via = lab.sell(victim, lab.balance(victim), sell_path)
            sell_tax = tax_rate(out, fair) if ok else 1.0
            tax = max(tax, sell_tax or 0.0)
        return tax >= DANGER_TAX, f"afterwards the measured tax was {pct(tax)}"
    if category == "minter":
        outcome = lab.send(attacker, lab.token, calldata("mint(address,uint256)",
                                                          (attacker, roles["big"])))
        return outcome.success, ("the new minter could mint" if outcome.success
                                 else "accepted; the new minter could not mint")
    if category == "ownership":
        owner, _ = _read_owner(lab)
        moved = owner is not None and owner.lower() == attacker.lower()
        return moved, "ownership moved" if moved else "accepted"
    if category == "takeback":
        owner, _ = _read_owner(lab)
        return owner is not None and owner.lower() not in BURN_ADDRESSES, f"owner() is now {owner}"
    return True, "accepted"


def probe_privileges(lab: Lab, code: Bytecode, impl_code: Bytecode | None, sim: Sim, holders: list[Holder],
           creator: str | None) -> Probe:
    probe = Probe()
    probe.owner, probe.owner_source = _read_owner(lab)
    selectors = set(code.selectors) | (impl_code.selectors if impl_code else set())
    scan_failed = selector("transfer(address,uint256)") not in selectors
    # candidate privileged addresses
    slots: list[str] = []
    for slot in [*range(STORAGE_SLOTS_SCANNED), EIP1967_ADMIN]:
        try:
            word = int.from_bytes(lab.w3.eth.get_storage_at(lab.token, slot), "big")
        except Exception:
            continue
        if looks_like_address(word):
            slots.append(to_checksum_address(word.to_bytes(20, "big")))
    skip = {lab.token.lower(), ZERO.lower(), DEAD.lower()}
    ordered: list[str] = []
    for address in [probe.owner, creator, *slots]:
        if address and address.lower() not in skip and address.lower() not in map(str.lower, ordered):
            ordered.append(address)
    probe.candidates = ordered[:MAX_PRIVILEGED_ADDRESSES]
    attacker, victim = fresh_address("attacker"), fresh_address("victim")
    impl = as_address(lab.w3.eth.get_storage_at(lab.token, EIP1967_IMPLEMENTATION)) or lab.token
    sell_path = list(reversed(sim.route)) if sim.route and sim.sell_ok else None
    if acquire(lab, Sim(route=sim.route), victim, holders) <= 0:
        return probe
    roles = {"victim": victim, "attacker": attacker, "big": 1000 * 10**lab.decimals,
             "impl": impl}
    lab.mark()
    entries = [e for e in PRIVILEGED if scan_failed or selector(e[0]) in selectors]
    known = {selector(e[0]) for e in PRIVILEGED} | {selector(r) for r in RENOUNCE} | ORDINARY
    entries += [("0x" + sel, "unknown", ()) for sel in sorted(selectors - known)]
    callers = [*probe.candidates, attacker]

    def variants(signature: str, category: str, template: tuple):
        if category == "unknown":
            for shape in GENERIC_SHAPES:
                yield shape, "0x" + signature[2:] + abi_encode(
                    ["address", "uint256"], list(_resolve(shape, roles))).hex()
        elif category == "fee":
            for value in FEE_VALUES:
                roles["fee"] = value
                yield (), calldata(signature, _resolve(template, roles))
        else:
            yield (), calldata(signature, _resolve(template, roles))

    ordinary_owner = probe.owner

    def try_entries(entries, callers) -> list[Power]:
        found = []
        for signature, category, template in entries:
            roles["victim_balance"] = lab.balance(victim)
            for caller in callers:
                if category == "unknown" and caller == attacker:
                    continue
                accepted: Power | None = None
                for shape, data in variants(signature, category, template):
                    before = {"supply": lab.supply(), "attacker": lab.balance(attacker),
                              "victim": lab.balance(victim)}
                    outcome = lab.send(caller, lab.token, data)
                    if not outcome.success:
                        continue
                    if (category == "ownership" and ordinary_owner
                            and caller.lower() == ordinary_owner.lower()):
                        lab.restore()
                        break  # the visible owner handing over ownership is ordinary
                    confirmed, detail, kind = _effect(lab, category, roles, before, sell_path,
                                                      outcome, shape)
                    lab.restore()
                    power = Power(category=kind, signature=signature, address=caller,
                                   confirmed=confirmed, detail=detail,
                                   entry=(signature, category, template))
                    if confirmed:
                        accepted = power
                        break
                    if accepted is None and kind != "unknown":
                        accepted = power
                if accepted is not None:
                    found.append(accepted)
                    break
        return found

    probe.powers = try_entries(entries, callers)
    for power in probe.powers:
        if power.category == "upgrade":
            probe.upgrade_admin = power.address
    # renounce: do powers survive, and can someone take ownership back?
    owner = probe.owner
    renounce = next((s for s in RENOUNCE if scan_failed or selector(s) in selectors), None)
    live_owner = owner is not None and owner.lower() not in BURN_ADDRESSES
    if live_owner and renounce and lab.send(owner, lab.token, calldata(renounce, ())).success:
        now, _ = _read_owner(lab)
        if now is None or now.lower() in BURN_ADDRESSES:
            probe.renounce_tested = True
            lab.mark()
            again = [p.entry for p in probe.powers
                     if p.category not in ("ownership", "takeback")]
            ordinary_owner = None  # after renouncing, even the old owner may not hand it over
            takeback = [e for e in PRIVILEGED if e[1] in ("takeback", "ownership")
                        and (scan_failed or selector(e[0]) in selectors)]
            probe.survives_renounce = [p for p in try_entries(again, callers) if p.confirmed]
            for power in try_entries(takeback, callers):
                if power.confirmed:
                    probe.takeback = f"{power.address} via {power.signature}"
                    break
    elif not live_owner:
        takeback = [e for e in PRIVILEGED if e[1] in ("takeback", "ownership")
                    and (scan_failed or selector(e[0]) in selectors)]
        for power in try_entries(takeback, callers):
            if power.confirmed:
                probe.takeback = f"{power.address} via {power.signature}"
    lab.restore()
    return probe


