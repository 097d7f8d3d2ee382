"""What a privileged call did, judged by its effect on the throwaway chain.

The probe calls a function as a candidate privileged address and, when the call is accepted,
asks here what changed: the supply, an ordinary holder's balance, the caller's, the owner's, the
pool's, and whether the holder can still transfer and sell. A function is never judged by its
name: `airdropReserve` that credits its caller is a mint, `rebalanceLiquidity` that empties the
pair is a drain, `addBots([holder])` that stops the holder's sells is a blacklist.
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.chains.throwaway import calldata_gas
from steward.diligence.token_lab import (
    BURN_ADDRESSES,
    DANGER_TAX,
    ETH,
    Lab,
    as_address,
    calldata,
    fresh_address,
    pct,
    tax_rate,
)
from steward.simulation import Outcome

# A call whose execution (the 21,000 base and calldata not counted) used less changed no storage
# slot (an SSTORE that changes one costs at least 2,900, plus 2,100 to touch it cold): there
# is no need to test whether holders are stuck after it.
WRITE_GAS = 4_500


def execution_gas(outcome: Outcome, data: bytes) -> int:
    return outcome.gas_used - 21_000 - calldata_gas(data)
OWNER_GETTERS = ["owner()", "getOwner()", "admin()", "_owner()"]
FEE_SHAPES = {"uint256", "uint256,uint256"}  # a number set by the owner may be a tax


@dataclass
class Judged:
    confirmed: bool
    category: str
    detail: str
    unaccounted: bool = False  # a balance credited without the supply showing it


@dataclass
class Before:
    supply: int
    victim: int
    attacker: int
    caller: int
    owner: int
    pair: int


def read_owner(lab: Lab, target: str | None = None) -> tuple[str | None, str | None]:
    for getter in OWNER_GETTERS:
        address = as_address(lab.call(target or lab.token, calldata(getter, ())))
        if address is not None:
            return address, getter
    return None, None


def snapshot(lab: Lab, roles: dict, caller: str) -> Before:
    owner = roles.get("owner")
    pair = roles.get("pair")
    return Before(supply=lab.supply(), victim=lab.balance(roles["victim"]),
                  attacker=lab.balance(roles["attacker"]), caller=lab.balance(caller),
                  owner=lab.balance(owner) if owner else 0,
                  pair=lab.balance(pair) if pair else 0)


def victim_blocked(lab: Lab, victim: str, sell_path: list[str] | None,
                   pair: str | None = None) -> str | None:
    """Why an ordinary holder can no longer move or sell, or None. With the `pair` the sell is
    the token's side of it, a transfer into the pool (what a token's sell rules judge), a
    twentieth of the cost of a router swap on the embedded chain."""
    balance = lab.balance(victim)
    if balance <= 0:
        return "its balance is gone"
    outcome = lab.transfer(victim, fresh_address("bystander"), max(balance // 10, 1))
    if not outcome.success:
        return f"a plain transfer now reverts ({outcome.revert_reason})"
    if sell_path and pair:
        into_pool = lab.transfer(victim, pair, max(lab.balance(victim) // 2, 1))
        return None if into_pool.success else (f"selling now reverts: its transfer into the "
                                               f"pool is refused ({into_pool.revert_reason})")
    if sell_path:
        ok, *_rest, via = lab.sell(victim, lab.balance(victim) // 2, sell_path)
        if not ok:
            return f"selling now reverts ({via})"
    return None


def measured_tax(lab: Lab, victim: str, sell_path) -> tuple[float, str | None]:
    """The tax an ordinary holder now pays on a transfer, and on a sell; (1.0, why) when the
    transfer reverts."""
    amount = lab.balance(victim) // 2
    to = fresh_address("fee-probe")
    before_to = lab.balance(to)
    outcome = lab.transfer(victim, to, amount)
    if not outcome.success:
        return 1.0, outcome.revert_reason
    tax = tax_rate(lab.balance(to) - before_to, amount) or 0.0
    if sell_path and tax < DANGER_TAX:
        ok, _spent, out, fair, _via = lab.sell(victim, lab.balance(victim), sell_path)
        tax = max(tax, (tax_rate(out, fair) if ok else 1.0) or 0.0)
    return tax, None


def judge_known(lab: Lab, category: str, roles: dict, before: Before, sell_path,
                caller: str) -> Judged:
    """The effect of an accepted call to a function whose name said what it is for."""
    victim, attacker = roles["victim"], roles["attacker"]
    if category == "mint":
        grew = lab.supply() > before.supply or lab.balance(attacker) > before.attacker
        return Judged(grew, category, "total supply grew" if grew else "accepted, supply unchanged")
    if category == "transfer_mint":
        gained = lab.balance(attacker) - before.attacker
        left = before.caller - lab.balance(caller)
        if not (gained > 0 and gained > left):
            return Judged(False, "unknown", "an ordinary transfer")
        return Judged(True, "mint", f"a transfer credited {gained} while {max(left, 0)} left "
                      "the sender", unaccounted=lab.supply() == before.supply)
    if category == "balance":
        after = lab.balance(victim)
        return Judged(after < before.victim, category,
                      f"a holder's balance went from {before.victim} to {after}")
    if category == "move":
        lost = before.victim - lab.balance(victim)
        return Judged(lost > 0, category, f"{lost} of a holder's tokens moved without its "
                      "approval" if lost > 0 else "accepted, the holder lost nothing")
    if category in ("blacklist", "pause", "maxtx"):
        blocked = victim_blocked(lab, victim, sell_path, roles.get("pair"))
        return Judged(blocked is not None, category,
                      f"an ordinary holder is stuck: {blocked}" if blocked
                      else "accepted, but holders could still transfer and sell")
    if category == "fee":
        tax, reverted = measured_tax(lab, victim, sell_path)
        return Judged(tax >= DANGER_TAX, category,
                      f"after it transfers revert ({reverted})" if reverted
                      else f"afterwards the measured tax was {pct(tax)}")
    if category == "minter":
        outcome = lab.send(attacker, lab.token, calldata("mint(address,uint256)",
                                                          (attacker, roles["big"])))
        return Judged(outcome.success, category, "the new minter could mint" if outcome.success
                      else "accepted; the new minter could not mint")
    if category == "ownership":
        owner, _ = read_owner(lab)
        moved = owner is not None and owner.lower() == attacker.lower()
        return Judged(moved, category, "ownership moved" if moved else "accepted")
    if category == "takeback":
        owner, _ = read_owner(lab)
        return Judged(owner is not None and owner.lower() not in BURN_ADDRESSES, category,
                      f"owner() is now {owner}")
    return Judged(True, category, "accepted")


def judge_unknown(lab: Lab, roles: dict, caller: str, before: Before, sell_path,
                  wrote: bool, shape: tuple[str, tuple], holders_free: bool) -> Judged:
    """The effect of an accepted call to a function Steward has no name for, in the order a
    holder would care: tokens created, taken, moved or drained from the pool; then whether an
    ordinary holder is stuck, or taxed out, afterwards. `wrote`: the call changed storage
    (`execution_gas`); `holders_free`: the holder could transfer and sell before the call
    (otherwise being stuck proves nothing about it)."""
    victim, attacker = roles["victim"], roles["attacker"]
    supply = lab.supply()
    if supply > before.supply:
        return Judged(True, "mint", f"total supply grew by {supply - before.supply}")
    victim_after = lab.balance(victim)
    lost = before.victim - victim_after
    gains = {caller: lab.balance(caller) - before.caller,
             attacker: lab.balance(attacker) - before.attacker}
    if roles.get("owner"):
        gains[roles["owner"]] = lab.balance(roles["owner"]) - before.owner
    if lost > 0:
        taker = next((who for who, gain in gains.items() if gain * 10 >= lost * 9), None)
        if taker:
            return Judged(True, "move", f"{lost} of a holder's tokens moved to {taker} without "
                          "its approval")
        return Judged(True, "balance", f"a holder's balance went from {before.victim} to "
                      f"{victim_after}")
    pair = roles.get("pair")
    if pair:
        pair_lost = before.pair - lab.balance(pair)
        if pair_lost > 0:
            return Judged(True, "drain", f"the pool {pair} lost {pair_lost} tokens "
                          f"({pct(pair_lost / before.pair) if before.pair else 'all'} of its "
                          "reserve) without anyone trading")
    gainer = next(((who, gain) for who, gain in gains.items() if gain > 0), None)
    if gainer:
        return Judged(True, "mint", f"{gainer[0]}'s balance grew by {gainer[1]} from nothing "
                      "while totalSupply did not move", unaccounted=True)
    if not wrote or not holders_free:
        return Judged(False, "unknown", "accepted, no effect on holders seen")
    if shape[0] in FEE_SHAPES:  # a number the owner sets: measured as a tax first
        mark = lab.backend.checkpoint()
        tax, reverted = measured_tax(lab, victim, sell_path)
        if tax >= DANGER_TAX and not reverted:
            return Judged(True, "fee", f"afterwards the measured tax was {pct(tax)}")
        lab.backend.revert_to(mark)
        if not reverted:
            return Judged(False, "unknown", f"accepted; the measured tax stayed {pct(tax)}")
    blocked = victim_blocked(lab, victim, sell_path, roles.get("pair"))
    if blocked:
        types, template = shape
        aimed = "victim" in template or ["victim"] in template
        if aimed and not newcomers_blocked(lab, sell_path):
            return Judged(True, "blacklist", f"that holder is stuck: {blocked}")
        return Judged(True, "pause", f"every holder is stuck: {blocked}")
    return Judged(False, "unknown", "accepted, no effect on holders seen")


def newcomers_blocked(lab: Lab, sell_path) -> bool:
    """Whether a fresh address can no longer buy and move the token: the call stopped
    everyone, not only the holder it named."""
    if not sell_path:
        return False
    newcomer = fresh_address("newcomer")
    lab.fund(newcomer, ETH // 10)
    route = list(reversed(sell_path))
    bought = lab.buy(newcomer, ETH // 1000, route)
    got = lab.balance(newcomer)
    if not bought.success or got <= 0:
        return True
    return not lab.transfer(newcomer, fresh_address("bystander"), max(got // 10, 1)).success


__all__ = ["Before", "Judged", "WRITE_GAS", "execution_gas", "judge_known", "judge_unknown",
           "newcomers_blocked", "read_owner", "snapshot", "victim_blocked"]
