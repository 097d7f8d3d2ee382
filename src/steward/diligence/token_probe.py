"""The privilege probe: which addresses can do what to holders, judged by effect on a throwaway
copy of the chain."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from pydantic import BaseModel

from steward.chains.throwaway import Trial
from steward.diligence.bytecode import Bytecode, analyse_bytecode
from steward.diligence.candidates import argument_addresses, code_addresses, unpack_word
from steward.diligence.token_effects import (
    WRITE_GAS,
    Before,
    Judged,
    execution_gas,
    judge_known,
    judge_unknown,
    read_owner,
    snapshot,
    victim_blocked,
)
from steward.diligence.token_lab import (
    BURN_ADDRESSES,
    DEAD,
    EIP1967_ADMIN,
    EIP1967_IMPLEMENTATION,
    ETH,
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
    selector,
)
from steward.diligence.token_models import Holder
from steward.protocols import amm

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
    ("transferFrom(address,address,uint256)", "move", ("victim", "caller", "victim_tenth")),
    # an ordinary transfer that credits more than left the caller: a mint hidden in `transfer`
    ("transfer(address,uint256)", "transfer_mint", ("attacker", "big")),
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
# Argument shapes tried on a dispatched selector Steward has no name for: the ABI types and
# the roles their values take. Which shapes a selector decodes is learnt once per selector from
# a fresh address's calls (`_Prober.reachable`); privileged callers then try only those.
SHAPES: list[tuple[str, tuple]] = [
    ("", ()),
    ("address,uint256", ("attacker", "big")),
    ("address,uint256", ("victim", 0)),
    ("address,uint256", ("victim", 1)),
    ("address,uint256", ("pair", 0)),
    ("uint256", ("big",)),
    ("uint256", (100,)),
    ("uint256", (10_000,)),
    ("address", ("victim",)),
    ("address", ("veto",)),
    ("address", ("attacker",)),
    ("bool", (True,)),
    ("bool", (False,)),
    ("address,bool", ("victim", True)),
    ("address,bool", ("attacker", True)),
    ("address[]", (["victim"],)),
    ("address[],bool", (["victim"], True)),
    ("address,address,uint256", ("victim", "caller", "victim_balance")),
    ("uint256,uint256", (100, 100)),
]


# A call that reverted after this much more execution than the bare selector got past the
# ABI decoder and was refused by an access check (an SLOAD of the owner costs 2,100 cold).
GATE_GAS = 1_500
DECODED_GAS = 2_000  # a bare selector that used more got past any decoder
# Accepted calls judged per function and caller: enough for one function's several effects
# (mint with one shape, zero a holder with another, empty the pool with a third).
MAX_JUDGED_PER_FUNCTION = 5
# Functions a fresh address newly allowed by a grant gets judged on, and grants followed per
# token: a role that opens many functions shows its harm in the first few.
MAX_JUDGED_PER_GRANT = 8
MAX_GRANTS_FOLLOWED = 3
VETO_CODE = bytes.fromhex("60006000fd")  # revert(0, 0): a contract that refuses every call
MAX_CONSULTED = 3  # contracts a transfer consults whose own powers are probed
ROLE_WORDS = {"victim": "a holder", "attacker": "a fresh address", "veto": "a reverting contract",
              "caller": "the caller", "big": "1000 tokens", "pair": "the pool",
              "victim_balance": "the holder's balance", "impl": "the implementation",
              "victim_tenth": "a tenth of the holder's balance"}


# ---------------------------------------------------------------------------- privilege probe

class Power(BaseModel):
    category: str
    signature: str
    entry: tuple = ()
    address: str
    confirmed: bool
    detail: str
    call: str = ""  # the call as tried, arguments in words
    target: str = ""  # the contract called: the token, or a contract it consults
    unaccounted: bool = False  # credited a balance the total supply does not show


class Probe(BaseModel):
    owner: str | None = None
    owner_source: str | None = None
    candidates: list[str] = []
    candidate_sources: dict[str, str] = {}
    powers: list[Power] = []
    renounce_tested: bool = False
    survives_renounce: list[Power] = []
    takeback: str | None = None
    upgrade_admin: str | None = None
    consulted: dict[str, str] = {}  # contract a transfer calls -> who it answers to
    holders_free: bool = True  # an ordinary holder could transfer and sell before any call


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


def _words(template: tuple) -> str:
    def one(item) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(one(i) for i in item) + "]"
        if isinstance(item, str):
            return ROLE_WORDS.get(item, item)
        return str(item).lower()
    return ", ".join(one(i) for i in template)


def _grants(shape: tuple[str, tuple]) -> bool:
    """A call whose first argument is the fresh address may hand it a role: when one is
    accepted, what the fresh address can then do is probed too (an owner appoints an admin,
    the admin locks holders)."""
    types, template = shape
    return types.startswith("address") and bool(template) and template[0] == "attacker"


def _candidates(lab: Lab, probe: Probe, creator: str | None, creation_input: bytes,
                runtime: bytes, skip: set[str]) -> None:
    """Every address that may hold power, most likely first: the owner, the creator, the
    EIP-1967 admin, addresses alone in the first storage slots, code constants and
    immutables, constructor arguments, then addresses packed beside other fields."""
    sources: list[tuple[str | None, str]] = [(probe.owner, "owner()"), (creator, "creator")]
    aligned, packed = [], []
    for slot in [*range(STORAGE_SLOTS_SCANNED), EIP1967_ADMIN]:
        try:
            word = int.from_bytes(lab.w3.eth.get_storage_at(lab.token, slot), "big")
        except Exception:
            continue
        where = f"storage slot {slot if slot != EIP1967_ADMIN else 'EIP-1967 admin'}"
        for address in unpack_word(word):
            if looks_like_address(word):
                aligned.append((address, where))
            else:
                packed.append((address, where + " (packed beside other fields)"))
    sources += aligned
    sources += [(a, "runtime code (constant or immutable)") for a in code_addresses(runtime)]
    sources += [(a, "constructor argument")
                for a in argument_addresses(creation_input, len(runtime))]
    sources += packed
    for address, where in sources:
        if not address or address.lower() in skip:
            continue
        if address not in probe.candidate_sources:
            probe.candidate_sources[address] = where
    probe.candidates = list(probe.candidate_sources)[:MAX_PRIVILEGED_ADDRESSES]


class _Prober:
    """One probe's state: the roles, the throwaway checkpoints, the shapes learnt per selector."""

    def __init__(self, lab: Lab, probe: Probe, roles: dict, sell_path):
        self.lab, self.probe, self.roles, self.sell_path = lab, probe, roles, sell_path
        self.shapes: dict[tuple[str, str], list[int]] = {}
        # the fresh address's tried call per (contract, selector) and shape
        self.refusals: dict[tuple[tuple[str, str], int], Trial] = {}
        self.public: dict[tuple[str, str], list[int]] = {}  # shapes anyone's call succeeds in
        self.granting = False
        self.granted: set[tuple[str, str]] = set()  # setters whose grant was explored
        self.unknown: dict[str, list[tuple]] = {}  # per contract: the selectors without a name
        self.ordinary_owner = probe.owner
        self._before: dict[str, Before] = {}  # the marked state's balances, per caller

    def before(self, caller: str) -> Before:
        """Balances at the checkpoint every call starts from (a refused call moves no token,
        an accepted one is undone), read once per caller."""
        if caller not in self._before:
            self._before[caller] = snapshot(self.lab, self.roles, caller)
        return self._before[caller]

    def forget(self) -> None:
        """The checkpoint moved (`lab.mark()` on a new state): read balances afresh."""
        self._before.clear()

    def reachable(self, target: str, sel: str) -> list[int]:
        """The SHAPES this selector decodes: a fresh address's call got past the ABI decoder
        to an access check (revert data, or much more gas than the bare selector) — and did
        not succeed, since what anyone may call is no privilege."""
        key = (target.lower(), sel)
        if key not in self.shapes:
            attacker = self.roles["attacker"]
            bare = self.lab.trial(attacker, target, bytes.fromhex(sel))
            # Compilers before 0.5 never check calldata's length: the bare selector already
            # reaches the function's access check, and so does every shape.
            bare_reached = bool(bare.output) or bare.execution_gas > DECODED_GAS
            found, public = [], []
            for index, (types, template) in enumerate(SHAPES):
                data = self.encode(sel, types, template, attacker)
                if data is None:
                    continue
                trial = self.lab.trial(attacker, target, data)
                self.refusals[(key, index)] = trial
                if trial.success:
                    public.append(index)
                elif (trial.output or trial.execution_gas > bare.execution_gas + GATE_GAS
                      or (bare_reached and trial.execution_gas >= bare.execution_gas)):
                    found.append(index)
            self.shapes[key], self.public[key] = found, public
        return self.shapes[key]

    def refused_alike(self, target: str, sel: str, caller: str) -> bool:
        """Whether `caller` is turned away exactly as the fresh address was (the same revert
        data after the same execution): the same access check said no, so the function's
        other shapes need not be tried as it."""
        key = (target.lower(), sel)
        gated = self.reachable(target, sel)
        if not gated:
            return False
        types, template = SHAPES[gated[0]]
        data = self.encode(sel, types, template, caller)
        refusal = self.refusals.get((key, gated[0]))
        if data is None or refusal is None:
            return False
        trial = self.lab.trial(caller, target, data)
        return (not trial.success and trial.output == refusal.output
                and trial.execution_gas == refusal.execution_gas)

    def encode(self, sel: str, types: str, template: tuple, caller: str) -> bytes | None:
        """The calldata, or None where a role has no value here (no pool to name)."""
        args = _resolve(template, self.roles | {"caller": caller})
        if any(arg is None for arg in args):
            return None
        types_list = [t for t in types.split(",") if t]
        return bytes.fromhex(sel) + abi_encode(types_list, list(args))

    def variants(self, target: str, signature: str, category: str, template: tuple, caller: str):
        if category == "unknown":
            gated = self.reachable(target, signature[2:])
            shapes = self.public[(target.lower(), signature[2:])] if caller == self.roles[
                "attacker"] else gated
            for index in shapes:
                types, shape = SHAPES[index]
                data = self.encode(signature[2:], types, shape, caller)
                if data is not None:
                    yield (types, shape), data, f"{signature}({_words(shape)})"
            return
        values = FEE_VALUES if category == "fee" else (None,)
        for value in values:
            self.roles["fee"] = value
            args = _resolve(template, self.roles | {"caller": caller})
            words = _words(tuple(value if t == "fee" else t for t in template))
            yield ("", template), bytes.fromhex(calldata(signature, args)[2:]), \
                f"{signature.split('(')[0]}({words})"

    def try_entries(self, entries, callers, target: str | None = None) -> list[Power]:
        lab, roles = self.lab, self.roles
        target = target or lab.token
        self.unknown.setdefault(target.lower(), [e for e in entries if e[1] == "unknown"])
        roles["victim_balance"] = self.before(roles["attacker"]).victim
        roles["victim_tenth"] = roles["victim_balance"] // 10
        for signature, category, _template in entries:
            if category == "unknown":  # learnt now, at the checkpoint: never inside a grant
                self.reachable(target, signature[2:])
        found = []
        for signature, category, template in entries:
            for caller in callers:
                powers = self._try(target, signature, category, template, caller)
                if powers:
                    found += powers
                    break
        return found

    def _try(self, target, signature, category, template, caller) -> list[Power]:
        """What `caller` can do with one function: each kind of effect it had (one function
        can both mint and zero a holder), or the first accepted call's, unconfirmed."""
        lab, accepted, effects, judged_calls = self.lab, None, {}, 0
        if (category == "unknown" and caller != self.roles["attacker"]
                and self.refused_alike(target, signature[2:], caller)):
            return []
        for shape, data, call in self.variants(target, signature, category, template, caller):
            if judged_calls >= MAX_JUDGED_PER_FUNCTION:
                break
            before = self.before(caller)
            outcome = lab.send(caller, target, "0x" + data.hex())
            if not outcome.success:
                continue
            if (category == "ownership" and self.ordinary_owner
                    and caller.lower() == self.ordinary_owner.lower()):
                lab.restore()
                return []  # the visible owner handing over ownership is ordinary
            judged_calls += 1
            if category == "unknown":
                wrote = execution_gas(outcome, data) >= WRITE_GAS
                judged = judge_unknown(lab, self.roles, caller, before, self.sell_path, wrote,
                                       shape, self.probe.holders_free)
                if (not judged.confirmed and wrote and _grants(shape) and not self.granting
                        and (target.lower(), signature) not in self.granted
                        and len(self.granted) < MAX_GRANTS_FOLLOWED):
                    self.granted.add((target.lower(), signature))
                    judged = self._granted(target, signature, call) or judged
            else:
                judged = judge_known(lab, category, self.roles, before, self.sell_path, caller)
            lab.restore()
            power = Power(category=judged.category, signature=signature, address=caller,
                          confirmed=judged.confirmed, detail=judged.detail, call=call,
                          target=target, unaccounted=judged.unaccounted,
                          entry=(signature, category, template))
            if judged.confirmed:
                effects.setdefault(judged.category, power)
                if category != "unknown":
                    break  # a named function: its one effect
            elif accepted is None and judged.category != "unknown":
                accepted = power
        return list(effects.values()) or ([accepted] if accepted else [])

    def _granted(self, target: str, setter: str, setter_call: str) -> Judged | None:
        """After `setter_call` was accepted with a fresh address as its argument (the state
        still holds it): can that address now do harm with the other functions?"""
        lab, attacker = self.lab, self.roles["attacker"]
        self.granting = True
        try:
            before = snapshot(lab, self.roles, attacker)
            inner = lab.backend.checkpoint()
            judged_calls = 0
            for signature, _category, _template in self.unknown.get(target.lower(), []):
                if signature == setter or judged_calls >= MAX_JUDGED_PER_GRANT:
                    continue
                accepted = 0
                for index in self.reachable(target, signature[2:]):
                    types, shape = SHAPES[index]
                    data = self.encode(signature[2:], types, shape, attacker)
                    if data is None or accepted >= MAX_JUDGED_PER_FUNCTION:
                        continue
                    outcome = lab.send(attacker, target, "0x" + data.hex())
                    if not outcome.success:
                        continue
                    judged = judge_unknown(lab, self.roles, attacker, before, self.sell_path,
                                           execution_gas(outcome, data) >= WRITE_GAS,
                                           (types, shape), self.probe.holders_free)
                    lab.backend.revert_to(inner)
                    inner = lab.backend.checkpoint()
                    accepted += 1
                    if judged.confirmed:
                        judged.detail = (f"{setter_call} made a fresh address able to call "
                                         f"{signature}({_words(shape)}): {judged.detail}")
                        return judged
                judged_calls += accepted > 0
            return None
        finally:
            self.granting = False


def _unknown_entries(selectors: set[str]) -> list[tuple]:
    known = {selector(e[0]) for e in PRIVILEGED} | {selector(r) for r in RENOUNCE} | ORDINARY
    return [("0x" + sel, "unknown", ()) for sel in sorted(selectors - known)]


def _consulted(lab: Lab, prober: _Prober, skip: set[str], callers: list[str]) -> list[Power]:
    """Contracts an ordinary holder's transfer and sell consult (a "bridge", a sell guard, a
    bot list kept elsewhere): each is listed with who it answers to, and its own dispatched
    functions are probed by those and the token's candidates for their effect on holders."""
    victim, roles = prober.roles["victim"], prober.roles
    seen: list[str] = []
    pair = roles.get("pair")
    amount = max(lab.balance(victim) // 100, 1)
    for to in (fresh_address("bystander"), pair):
        if not to:
            continue
        outcome = lab.transfer(victim, to, amount)
        seen += [c for c in outcome.contracts_called if c.lower() not in skip and c not in seen]
    lab.restore()
    powers: list[Power] = []
    for contract in seen[:MAX_CONSULTED]:
        owner, getter = read_owner(lab, contract)
        prober.probe.consulted[contract] = (f"{getter} is {owner}" if owner
                                            else "no owner getter")
        code = analyse_bytecode(bytes(lab.w3.eth.get_code(contract)))
        helper_callers = [a for a in [owner, *callers] if a]
        for power in prober.try_entries(_unknown_entries(code.selectors), helper_callers,
                                        target=contract):
            power.detail += f" (through {contract}, which every transfer consults)"
            powers.append(power)
    return powers


def probe_privileges(lab: Lab, code: Bytecode, impl_code: Bytecode | None, sim: Sim,
                     holders: list[Holder], creator: str | None, creation_input: bytes = b"",
                     runtime: bytes = b"", progress=None) -> Probe:
    say = progress or (lambda _text: None)
    probe = Probe()
    probe.owner, probe.owner_source = read_owner(lab)
    selectors = set(code.selectors) | (impl_code.selectors if impl_code else set())
    scan_failed = selector("transfer(address,uint256)") not in selectors
    attacker, victim = fresh_address("attacker"), fresh_address("victim")
    route = sim.route or []
    pair_info = amm.pool(lab.w3, lab.factory, route[-2], route[-1]) if len(route) >= 2 else None
    infra = {a.lower() for a in (lab.token, ZERO, DEAD, lab.router, lab.factory, lab.weth,
                                 pair_info.address if pair_info else None, *route) if a}
    _candidates(lab, probe, creator, creation_input, runtime, infra)
    impl = as_address(lab.w3.eth.get_storage_at(lab.token, EIP1967_IMPLEMENTATION)) or lab.token
    sell_path = list(reversed(route)) if route and sim.sell_ok else None
    if acquire(lab, Sim(route=sim.route), victim, holders) <= 0:
        return probe
    roles = {"victim": victim, "attacker": attacker, "big": 1000 * 10**lab.decimals,
             "impl": impl, "veto": fresh_address("veto"), "owner": probe.owner,
             "pair": pair_info.address if pair_info else None}
    lab.set_code(roles["veto"], VETO_CODE)
    if not lab.backend.lends_probe_gas:  # the embedded lab pays the callers' gas itself
        for caller in [*probe.candidates, attacker]:
            if lab.backend.native_balance(caller) < ETH // 10:
                lab.fund(caller, ETH)
    lab.warp_past_cooldowns()
    lab.mark()
    probe.holders_free = victim_blocked(lab, victim, sell_path, roles["pair"]) is None
    lab.restore()
    prober = _Prober(lab, probe, roles, sell_path)
    entries = [e for e in PRIVILEGED if scan_failed or selector(e[0]) in selectors]
    entries += _unknown_entries(selectors)
    callers = [attacker, *probe.candidates]  # what a fresh address can do, anyone can
    say(f"probing {len(entries)} functions as {len(probe.candidates)} candidate addresses")
    probe.powers = prober.try_entries(entries, callers)
    say("checking the contracts a transfer consults")
    probe.powers += _consulted(lab, prober, infra | {roles["veto"].lower()}, probe.candidates)
    for power in probe.powers:
        if power.category == "upgrade":
            probe.upgrade_admin = power.address
    say("renouncing ownership and trying the powers again")
    _renounce_phase(lab, prober, probe, selectors, scan_failed, callers)
    lab.restore()
    return probe


def _renounce_phase(lab: Lab, prober: _Prober, probe: Probe, selectors, scan_failed,
                    callers) -> None:
    """Do powers survive renouncing, and can someone take ownership back?"""
    owner = probe.owner
    renounce = next((s for s in RENOUNCE if scan_failed or selector(s) in selectors), None)
    live_owner = owner is not None and owner.lower() not in BURN_ADDRESSES
    takeback = [e for e in PRIVILEGED if e[1] in ("takeback", "ownership")
                and (scan_failed or selector(e[0]) in selectors)]
    if live_owner and renounce and lab.send(owner, lab.token, calldata(renounce, ())).success:
        now, _ = read_owner(lab)
        if now is None or now.lower() in BURN_ADDRESSES:
            probe.renounce_tested = True
            lab.mark()
            prober.forget()
            again = [p.entry for p in probe.powers if p.category not in ("ownership", "takeback")
                     and p.target.lower() == lab.token.lower()]
            prober.ordinary_owner = None  # after renouncing, even the old owner may not hand over
            probe.survives_renounce = [p for p in prober.try_entries(again, callers)
                                       if p.confirmed]
            for power in prober.try_entries(takeback, callers):
                if power.confirmed:
                    probe.takeback = f"{power.address} via {power.signature}"
                    break
    elif not live_owner:
        for power in prober.try_entries(takeback, callers):
            if power.confirmed:
                probe.takeback = f"{power.address} via {power.signature}"
