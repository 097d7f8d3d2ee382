"""Does a token's buyback-and-burn happen as claimed? Established from the chain alone.

`tokenomics_report(w3, chain, token, router=None, claimed_share=Fraction(1))` reads:

* **logs** of the fee router (FeeReceived, Buyback) and of the token (Transfer into and out of
  the router, every mint from 0x0 and burn to 0x0) from the token's creation block on: the
  revenue paid in, the USDC each buyback spent, the tokens the router really received in its
  buyback transactions (not what its own Buyback event says), where they went — burned (0x0,
  0x…dEaD or another keyless address) or anywhere else — the USDC that left the router (into
  its buyback swaps, or any other way) and each buyback's gas (its receipt);
* **the supply**: totalSupply against the Transfer events (minted − burned to 0x0), so a burn
  that did not shrink the supply, or a supply that grew without a Transfer, shows;
* **the code**: the fee router's EIP-1967 slots (an upgradeable proxy), its owner getter, the
  selectors its bytecode dispatches; then, on a throwaway copy of the chain, the owner, the
  router's creator and every address its first storage slots hold try every function that is
  not part of the honest FeeRouter (known setters by name — destination, router, withdraw,
  upgrade, parameters, ownership — and any other with an address argument, which counts only
  where an outsider's same call fails). A confirmed setter is followed by re-reading the
  router's address getters (which one now returns the address given) and, where the router
  holds USDC, by a buyback on the same throwaway state to see whether the bought tokens now
  reach that address; the token's own powers (mint, upgradeable proxy, rewriting balances)
  come from token due diligence (`steward.diligence.token`).

Verdict: **diverted** when the router burned less of what it bought than claimed, its events
claim more than it received or spent, revenue left it other than through a buyback, or the
token's burns did not shrink its supply; **at risk**
when nothing is diverted yet but a power could divert it (or no router can be found); else
**verified**.
"""

from __future__ import annotations

import re
import time
from fractions import Fraction
from itertools import product
from typing import Literal

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.plans import Call
from steward.units import format_units

Verdict = Literal["verified", "diverted", "at risk"]
ZERO = "0x0000000000000000000000000000000000000000"
DEAD = "0x000000000000000000000000000000000000dEaD"
# No key can be found for an address with 140 leading zero bits (0x0, the precompiles, 0x…dEaD):
# tokens sent there are out of circulation for good.
KEYLESS_BELOW = 2**20
LOG_CHUNK = 10_000  # blocks per eth_getLogs request
ROUTER_ROLE_PREFIX = "fee-router:"
EIP1967_IMPLEMENTATION = int("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc", 16)
EIP1967_ADMIN = int("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103", 16)
STORAGE_SLOTS_SCANNED = 20
MAX_HOLDERS = 8


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def _sel(signature: str) -> str:
    return function_signature_to_4byte_selector(signature).hex()


TRANSFER = _topic("Transfer(address,address,uint256)")
FEE_RECEIVED = _topic("FeeReceived(address,uint256)")
BUYBACK = _topic("Buyback(uint256,uint256,uint256)")
OBSERVED = _topic("Observed(uint256,uint256)")

# What an honest FeeRouter dispatches: never probed as a power.
HONEST_FUNCTIONS = (
    "token()", "usdc()", "pair()", "router()", "twap_window()", "max_deviation_bps()",
    "max_slippage_bps()", "observed_cumulative()", "observed_at()", "fees_received()",
    "usdc_spent()", "tokens_burned()", "observe()", "twap()", "pay_fee(uint256)",
    "buyback(uint256,uint256)",
)
ORDINARY = {_sel(s) for s in (*HONEST_FUNCTIONS, "owner()", "destination()", "admin()",
                              "getOwner()", "implementation()", "treasury()", "recipient()",
                              "beneficiary()", "keeper()", "paused()", "renounceOwnership()",
                              "renounce_ownership()")} | {
    "ffffffff", "08c379a0", "4e487b71", "00000000"}
# (signature, kind, what the power does to the buyback). Kinds that can divert it: all but
# "ownership".
KNOWN_POWERS: list[tuple[str, str, str]] = [
    *((s, "destination", "can send the tokens bought somewhere else instead of burning them")
      for s in ("set_destination(address)", "setDestination(address)", "set_recipient(address)",
                "setRecipient(address)", "set_treasury(address)", "setTreasury(address)",
                "set_beneficiary(address)", "setBeneficiary(address)",
                "setBuybackRecipient(address)", "set_burn_address(address)",
                "setBurnAddress(address)")),
    *((s, "router", "can point the buyback's swap at any contract (which need not buy or burn)")
      for s in ("set_router(address)", "setRouter(address)", "set_swap_router(address)",
                "setSwapRouter(address)", "set_pair(address)", "setPair(address)",
                "set_dex(address)", "setDex(address)", "set_token(address)", "setToken(address)")),
    *((s, "withdraw", "can take the revenue (or the tokens) out of the router")
      for s in ("withdraw(address,uint256)", "withdraw(uint256)", "sweep(address)",
                "sweep(address,address)", "rescue(address,address,uint256)",
                "rescueTokens(address,uint256)", "recover(address,uint256)",
                "recoverERC20(address,uint256)", "emergency_withdraw(address)",
                "emergencyWithdraw(address)", "execute(address,uint256,bytes)")),
    *((s, "upgrade", "can replace the router's code")
      for s in ("upgradeTo(address)", "upgradeToAndCall(address,bytes)", "upgrade_to(address)")),
    *((s, "parameters", "can loosen the TWAP guard or the slippage cap")
      for s in ("set_twap_window(uint256)", "setTwapWindow(uint256)",
                "set_max_slippage_bps(uint256)", "setMaxSlippage(uint256)",
                "set_max_deviation_bps(uint256)", "setMaxDeviation(uint256)")),
    *((s, "ownership", "can hand the router's powers to another address")
      for s in ("transfer_ownership(address)", "transferOwnership(address)",
                "set_owner(address)", "setOwner(address)")),
]
OWNER_GETTERS = ("owner()", "admin()", "getOwner()", "governance()")
ADDRESS_GETTERS = {_sel(s): s for s in (
    "owner()", "destination()", "router()", "recipient()", "treasury()", "beneficiary()",
    "admin()", "token()", "pair()", "usdc()", "keeper()", "governance()")}
TOKEN_POWER_FIELDS = {  # token diligence field -> (kind, what it does to the burn)
    "is_mintable": ("mint", "can mint new tokens, undoing any burn"),
    "is_proxy": ("upgrade", "the token is an upgradeable proxy: its code (and supply) can change"),
    "owner_change_balance": ("balance", "can rewrite balances, undoing any burn"),
    "hidden_owner": ("hidden owner", "someone other than the visible owner holds token powers"),
}


class Power(BaseModel):
    contract: str
    of: Literal["router", "token"]
    kind: str  # destination, router, withdraw, upgrade, parameters, ownership, mint, ...
    function: str  # its signature, or 0x<selector>(address) where none is known
    holder: str | None  # who can use it ("anyone" for an unguarded one)
    confirmed: bool  # shown by a call on a throwaway state (or read from a slot)
    diverts: bool  # could take the revenue or the tokens bought away from the burn
    detail: str


class BuybackRecord(BaseModel):
    router: str
    tx_hash: str
    block: int
    usdc_in: int  # what the Buyback event says
    tokens_claimed: int  # what the Buyback event says
    tokens_received: int  # token Transfers into the router in that transaction
    tokens_burned: int  # from the router to 0x0 / 0x…dEaD / keyless in that transaction
    tokens_elsewhere: int  # from the router to anyone else in that transaction
    twap_price: int  # USDC base units per whole token, as the event says
    gas_used: int | None  # the receipt's


class TokenomicsReport(BaseModel):
    chain: str
    token: str
    symbol: str
    name: str
    decimals: int
    usdc: str | None
    usdc_decimals: int
    routers: list[str]
    router_found_by: str
    router_owners: dict[str, str | None]  # each router's owner()/admin() getter, if any
    from_block: int
    to_block: int
    total_supply: int
    minted: int  # Transfer from 0x0
    burned_to_zero: int  # Transfer to 0x0, by anyone
    supply_decrease: int  # minted − totalSupply
    fees_in: int  # FeeReceived, USDC base units
    fee_payments: int
    usdc_spent: int  # Buyback events' usdc_in
    usdc_swapped: int  # USDC Transfers out of the routers in their buyback transactions
    usdc_withdrawn: dict[str, int]  # USDC that left the routers any other way: address -> amount
    usdc_held: int  # USDC the routers hold now
    buybacks: list[BuybackRecord]
    tokens_claimed: int  # Buyback events' tokens_out
    tokens_bought: int  # what the routers received in their buyback transactions
    tokens_burned: int  # from the routers to 0x0 / 0x…dEaD / keyless, any transaction
    sent_elsewhere: dict[str, int]  # from the routers to anyone else: address -> amount
    tokens_held: int  # the routers' token balance now
    burned_share_bps: int | None  # tokens_burned / tokens_bought, floor, in basis points
    claimed_share: str  # as given, e.g. "1.0"
    claimed_share_bps: int
    powers: list[Power]
    token_verdict: str | None  # token due diligence's verdict
    verdict: Verdict
    reasons: list[str]
    notes: list[str]
    elapsed_s: float


# ---------------------------------------------------------------------------------- helpers

def is_keyless(address: str) -> bool:
    """0x0, 0x…dEaD and every address below 2**20: tokens there are burned for good."""
    return int(address, 16) < KEYLESS_BELOW


def parse_share(text: str | Fraction | int) -> Fraction:
    """A claimed share of the tokens bought that is burned: a decimal in (0, 1] ("1.0", "0.5")."""
    if isinstance(text, Fraction | int):
        share = Fraction(text)
    else:
        cleaned = str(text).strip()
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", cleaned):
            raise StewardError(f"a claimed burn share is a decimal between 0 and 1, like 1.0 or "
                               f"0.5, not {text!r}")
        share = Fraction(cleaned)
    if not 0 < share <= 1:
        raise StewardError(f"a claimed burn share is above 0 and at most 1, not {text}")
    return share


def _word_address(topic) -> str:
    raw = bytes(topic)
    return to_checksum_address(raw[-20:])


def _uints(data, count: int) -> list[int]:
    raw = bytes(data)
    return list(abi_decode(["uint256"] * count, raw[:32 * count]))


def _call(w3: Web3, to: str, data: str) -> bytes | None:
    try:
        return bytes(w3.eth.call({"to": to, "data": data}))
    except Exception:
        return None


def _address_of(raw: bytes | None) -> str | None:
    if not raw or len(raw) != 32:
        return None
    value = int.from_bytes(raw, "big")
    if value == 0 or value >= 2**160:
        return None
    return to_checksum_address(value.to_bytes(20, "big"))


def _getter(w3: Web3, to: str, signature: str) -> str | None:
    return _address_of(_call(w3, to, "0x" + _sel(signature)))


def _uint_call(w3: Web3, to: str, data: str) -> int | None:
    raw = _call(w3, to, data)
    return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None


def _balance(w3: Web3, token: str, holder: str) -> int:
    return _uint_call(w3, token, "0x" + _sel("balanceOf(address)")
                      + abi_encode(["address"], [holder]).hex()) or 0


def _first_block(w3: Web3, address: str, notes: list[str]) -> int:
    """The block where `address` got its code (binary search), 0 on a node without history."""
    latest = w3.eth.block_number
    try:
        low, high = 0, latest
        while low < high:
            mid = (low + high) // 2
            if w3.eth.get_code(address, block_identifier=mid):
                high = mid
            else:
                low = mid + 1
        return low
    except Exception:
        notes.append("the node keeps no historical state: logs were read from block 0")
        return 0


def _logs(w3: Web3, start: int, end: int, address: str | list[str] | None,
          topics: list) -> list:
    found = []
    for low in range(start, end + 1, LOG_CHUNK):
        query = {"fromBlock": low, "toBlock": min(end, low + LOG_CHUNK - 1), "topics": topics}
        if address is not None:
            query["address"] = address
        found.extend(w3.eth.get_logs(query))
    return found


def _topic_of(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def find_routers(w3: Web3, chain: ChainConfig, token: str, start: int, end: int,
                 symbol: str | None = None) -> tuple[list[str], str]:
    """The fee routers of `token`: the registry's ``fee-router:<SYMBOL>``, else every contract
    whose FeeReceived / Buyback / Observed events say it serves `token` (its `token()`)."""
    for role, address in chain.contracts.items():
        if not role.startswith(ROUTER_ROLE_PREFIX):
            continue
        served = _getter(w3, address, "token()")
        if served == token or (served is None and symbol
                               and role[len(ROUTER_ROLE_PREFIX):].upper() == symbol.upper()):
            return [to_checksum_address(address)], f"the chain registry ({role})"
    emitters = {log["address"] for log in _logs(w3, start, end, None,
                                                [[FEE_RECEIVED, BUYBACK, OBSERVED]])}
    routers = sorted(a for a in emitters if _getter(w3, a, "token()") == token)
    return routers, "its events (FeeReceived / Buyback / Observed naming this token)"


# --------------------------------------------------------------------------------- the probe

def _selectors(code: bytes) -> set[str]:
    from steward.diligence.token import analyse_bytecode

    return analyse_bytecode(code).selectors


def _fresh(label: str) -> str:
    return to_checksum_address(keccak(text=f"steward-tokenomics:{label}")[-20:])


def _creator(w3: Web3, address: str, block: int) -> str | None:
    """Who deployed `address` directly in `block` (None for a contract made by a contract)."""
    import rlp
    from eth_utils import to_canonical_address

    try:
        txs = w3.eth.get_block(block, full_transactions=True)["transactions"]
    except Exception:
        return None
    for tx in txs[:64]:
        if tx.get("to"):
            continue
        made = keccak(rlp.encode([to_canonical_address(tx["from"]), tx["nonce"]]))[-20:]
        if made.hex() == address[2:].lower():
            return to_checksum_address(tx["from"])
    return None


def _stored_addresses(w3: Web3, address: str) -> list[str]:
    found = []
    for slot in range(STORAGE_SLOTS_SCANNED):
        value = int.from_bytes(bytes(w3.eth.get_storage_at(address, slot)), "big")
        if 2**120 < value < 2**160:
            found.append(to_checksum_address(value.to_bytes(20, "big")))
    return found


def _args_for(signature: str, probe: str, usdc: str | None, amount: int) -> list[tuple]:
    """Argument tuples to try a known signature with: addresses are the probe address (and
    USDC, for withdraw-like functions naming a token), numbers `amount`, bytes empty."""
    types = [t for t in signature[signature.index("(") + 1:-1].split(",") if t]
    choices = []
    for kind in types:
        if kind == "address":
            choices.append([probe] + ([usdc] if usdc else []))
        elif kind.startswith("uint"):
            choices.append([amount])
        else:
            choices.append([b""])
    return [tuple(combo) for combo in product(*choices)][:4]


def _data(selector: str, types: list[str], args: tuple) -> str:
    return "0x" + selector + abi_encode(types, list(args)).hex()


class _RouterProbe:
    def __init__(self, w3: Web3, chain: ChainConfig, router: str, token: str, usdc: str | None,
                 first_block: int):
        self.w3, self.chain, self.router, self.token, self.usdc = w3, chain, router, token, usdc
        self.first_block = first_block
        self.probe = _fresh("destination")
        self.outsider = _fresh("outsider")
        self.keeper = _fresh("keeper")

    def run(self) -> tuple[list[Power], str | None]:
        w3, router = self.w3, self.router
        powers: list[Power] = []
        code = bytes(w3.eth.get_code(router))
        impl = _address_of(bytes(w3.eth.get_storage_at(router, EIP1967_IMPLEMENTATION)))
        admin = _address_of(bytes(w3.eth.get_storage_at(router, EIP1967_ADMIN)))
        selectors = _selectors(code)
        if impl:
            selectors |= _selectors(bytes(w3.eth.get_code(impl)))
        self._dispatched = selectors
        if impl:
            powers.append(Power(
                contract=router, of="router", kind="upgrade", function="EIP-1967 proxy",
                holder=admin, confirmed=True, diverts=True,
                detail=f"the fee router is an upgradeable proxy (implementation {impl}): "
                       f"{'its admin ' + admin if admin else 'whoever administers it'} can "
                       "replace its code"))
        owner = next((a for a in (_getter(w3, router, s) for s in OWNER_GETTERS) if a), None)
        holders = list(dict.fromkeys(a for a in (
            owner, admin, _creator(w3, router, self.first_block), *_stored_addresses(w3, router))
            if a and a not in (self.token, self.usdc, router)))[:MAX_HOLDERS]
        known = {_sel(sig): (sig, kind, what) for sig, kind, what in KNOWN_POWERS}
        candidates = sorted(s for s in selectors if s not in ORDINARY)
        if not candidates:
            return powers, owner
        from steward.simulation import throwaway

        with throwaway(w3, self.chain) as lab:
            self.lab = lab
            for selector in candidates:
                lab.rewind()
                power = self._try(selector, known.get(selector), holders)
                if power:
                    powers.append(power)
        return powers, owner

    # reads on the throwaway state
    def _read(self, to: str, data: str) -> bytes | None:
        return self.lab.read(to, bytes.fromhex(data[2:]))

    def _getters(self) -> dict[str, str | None]:
        return {sel: _address_of(self._read(self.router, "0x" + sel))
                for sel in ADDRESS_GETTERS if sel in self._dispatched}

    def _apply(self, sender: str, data: str):
        """`sender` calls the router on the throwaway state, given ETH for its gas first, so
        only the router's own checks can refuse it."""
        from eth_utils import to_canonical_address

        state = getattr(self.lab, "state", None)  # the embedded py-evm state
        if state is not None:
            state.set_balance(to_canonical_address(sender), 10**18)
        elif hasattr(self.lab, "_request"):  # an anvil fork
            self.lab._request("anvil_setBalance", [sender, hex(10**18)])
        return self.lab.apply(sender, Call(to=self.router, data=data, description="probe"))

    def _try(self, selector: str, known, holders: list[str]) -> Power | None:
        usdc_held = _balance(self.w3, self.usdc, self.router) if self.usdc else 0
        if known:
            signature, kind, what = known
            types = [t for t in signature[signature.index("(") + 1:-1].split(",") if t]
            attempts = [_data(selector, types, args)
                        for args in _args_for(signature, self.probe, self.usdc, usdc_held or 1)]
        else:
            signature, kind, what = (f"0x{selector}(address)", "unknown",
                                     "an owner-only function the honest router does not have")
            attempts = [_data(selector, ["address"], (self.probe,))]
        before = self._getters()
        for data in attempts:
            self.lab.rewind()
            anyone = self._apply(self.outsider, data).success
            self.lab.rewind()
            if anyone and not known:
                return None  # a function anyone may call with any address is no power
            for holder in ([self.outsider] if anyone else holders):
                self.lab.rewind()
                if not self._apply(holder, data).success:
                    continue
                return self._power(selector, signature, kind, what,
                                   "anyone" if anyone else holder, before)
        return None

    def _power(self, selector, signature, kind, what, holder, before) -> Power:
        after = self._getters()
        moved = [ADDRESS_GETTERS[sel] for sel, value in after.items()
                 if value == self.probe and before.get(sel) != self.probe]
        detail = what
        if moved:
            detail += f"; after it, {', '.join(moved)} returns the address given"
            if kind == "destination":
                now = [f"{ADDRESS_GETTERS[sel]} is {value} now" for sel, value in before.items()
                       if ADDRESS_GETTERS[sel] in moved and value and not is_keyless(value)]
                detail += f" ({'; '.join(now)})" if now else ""
        demonstrated = self._demonstrate() if kind in ("destination", "router", "unknown") else None
        if demonstrated:
            detail += f"; {demonstrated}"
        return Power(contract=self.router, of="router", kind=kind, function=signature,
                     holder=holder, confirmed=True, diverts=kind != "ownership", detail=detail)

    def _demonstrate(self) -> str | None:
        """After a setter: does a buyback on this throwaway state now send tokens to the
        address given? Only where the router holds USDC and its TWAP window allows one."""
        if not self.usdc or _sel("buyback(uint256,uint256)") not in self._dispatched:
            return None
        held = _balance(self.w3, self.usdc, self.router)
        if not held:
            return None
        before = self._read(self.token, "0x" + _sel("balanceOf(address)")
                            + abi_encode(["address"], [self.probe]).hex())
        outcome = self._apply(self.keeper, _data(_sel("buyback(uint256,uint256)"),
                                                 ["uint256", "uint256"], (min(held, 10**6), 0)))
        if not outcome.success:
            return None
        after = self._read(self.token, "0x" + _sel("balanceOf(address)")
                           + abi_encode(["address"], [self.probe]).hex())
        gained = int.from_bytes(after or b"\0", "big") - int.from_bytes(before or b"\0", "big")
        if gained > 0:
            return ("shown on a throwaway state: a buyback right after sent the address given "
                    f"{gained} token base units instead of burning them")
        return None


def _token_powers(w3: Web3, chain: ChainConfig, token: str, notes: list[str]
                  ) -> tuple[list[Power], str | None]:
    from steward.diligence.token import token_report

    try:
        report = token_report(w3, chain, token, creator_tokens=False)
    except StewardError as exc:
        notes.append(f"token due diligence failed: {exc}")
        return [], None
    powers = []
    for field, (kind, what) in TOKEN_POWER_FIELDS.items():
        entry = report.fields[field]
        if entry.value is True:
            powers.append(Power(contract=token, of="token", kind=kind, function=field,
                                holder=report.fields["owner_address"].value, confirmed=True,
                                diverts=True, detail=f"{what}" + (
                                    f" ({entry.detail})" if entry.detail else "")
                                + f" [{entry.method}]"))
    return powers, report.verdict


# -------------------------------------------------------------------------------- the report

def tokenomics_report(w3: Web3, chain: ChainConfig, token: str, *, router: str | None = None,
                      claimed_share: str | Fraction | int = "1.0") -> TokenomicsReport:
    """What the chain shows of `token`'s buyback-and-burn, against `claimed_share` of the
    tokens bought burned; `router` is the fee router (found from the registry or the chain's
    logs when None)."""
    from steward.protocols import erc20

    started = time.perf_counter()
    claimed = parse_share(claimed_share)
    token = to_checksum_address(token)
    if not w3.eth.get_code(token):
        raise StewardError(f"{token} has no code on {chain.name}: it is not a token contract")
    info = erc20.token_info(w3, token)
    notes: list[str] = []
    reasons: list[str] = []
    start = _first_block(w3, token, notes)
    end = w3.eth.block_number
    if router:
        routers = [to_checksum_address(router)]
        found_by = "given"
        if not w3.eth.get_code(routers[0]):
            raise StewardError(f"{routers[0]} has no code on {chain.name}: it is not a fee router")
        served = _getter(w3, routers[0], "token()")
        if served and served != token:
            raise StewardError(f"the fee router {routers[0]} buys back {served}, not {token}")
    else:
        routers, found_by = find_routers(w3, chain, token, start, end, info.symbol)
        if len(routers) > 1:
            raise StewardError(f"several contracts call themselves {info.symbol}'s fee router: "
                               f"{', '.join(routers)}; name the project's with --router")
    usdc = (_getter(w3, routers[0], "usdc()") if routers else None) or chain.tokens.get("USDC")
    usdc_decimals = erc20.token_info(w3, usdc).decimals if usdc else 6

    # ---- the supply
    total_supply = _uint_call(w3, token, "0x" + _sel("totalSupply()")) or 0
    minted = sum(_uints(log["data"], 1)[0] for log in _logs(
        w3, start, end, token, [TRANSFER, _topic_of(ZERO)]))
    burned_to_zero = sum(_uints(log["data"], 1)[0] for log in _logs(
        w3, start, end, token, [TRANSFER, None, _topic_of(ZERO)]))
    supply_decrease = minted - total_supply

    # ---- the routers' logs
    fees_in = fee_payments = usdc_spent = claimed_out = bought = burned = held = usdc_held = 0
    usdc_swapped = 0
    elsewhere: dict[str, int] = {}
    withdrawn: dict[str, int] = {}
    buybacks: list[BuybackRecord] = []
    first_blocks = {address: _first_block(w3, address, notes) for address in routers}
    for address in routers:
        router_start = first_blocks[address]
        for log in _logs(w3, router_start, end, address, [FEE_RECEIVED]):
            fees_in += _uints(log["data"], 1)[0]
            fee_payments += 1
        events = _logs(w3, router_start, end, address, [BUYBACK])
        incoming = _logs(w3, router_start, end, token, [TRANSFER, None, _topic_of(address)])
        outgoing = _logs(w3, router_start, end, token, [TRANSFER, _topic_of(address)])
        by_tx_in: dict[str, int] = {}
        for log in incoming:
            key = log["transactionHash"].hex()
            by_tx_in[key] = by_tx_in.get(key, 0) + _uints(log["data"], 1)[0]
        by_tx_out: dict[str, tuple[int, int]] = {}
        for log in outgoing:
            to = _word_address(log["topics"][2])
            value = _uints(log["data"], 1)[0]
            key = log["transactionHash"].hex()
            sunk, other = by_tx_out.get(key, (0, 0))
            if is_keyless(to):
                burned += value
                by_tx_out[key] = (sunk + value, other)
            else:
                elsewhere[to] = elsewhere.get(to, 0) + value
                by_tx_out[key] = (sunk, other + value)
        for log in events:
            usdc_in, tokens_out, twap_price = _uints(log["data"], 3)
            key = log["transactionHash"].hex()
            try:
                gas = w3.eth.get_transaction_receipt(log["transactionHash"])["gasUsed"]
            except Exception:
                gas = None
            sunk, other = by_tx_out.get(key, (0, 0))
            received = by_tx_in.get(key, 0)
            buybacks.append(BuybackRecord(
                router=address, tx_hash="0x" + key.removeprefix("0x"), block=log["blockNumber"],
                usdc_in=usdc_in, tokens_claimed=tokens_out, tokens_received=received,
                tokens_burned=sunk, tokens_elsewhere=other, twap_price=twap_price, gas_used=gas))
            usdc_spent += usdc_in
            claimed_out += tokens_out
            bought += received
        # The USDC that left the router: into its buyback swaps, or anywhere else.
        swaps = {log["transactionHash"].hex() for log in events}
        for log in (_logs(w3, router_start, end, usdc, [TRANSFER, _topic_of(address)])
                    if usdc else []):
            value = _uints(log["data"], 1)[0]
            if log["transactionHash"].hex() in swaps:
                usdc_swapped += value
            else:
                to = _word_address(log["topics"][2])
                withdrawn[to] = withdrawn.get(to, 0) + value
        held += _balance(w3, token, address)
        usdc_held += _balance(w3, usdc, address) if usdc else 0
    burned_bps = burned * 10_000 // bought if bought else None
    claimed_bps = claimed.numerator * 10_000 // claimed.denominator

    # ---- powers
    powers: list[Power] = []
    owners: dict[str, str | None] = {}
    for address in routers:
        found, owners[address] = _RouterProbe(w3, chain, address, token, usdc,
                                              first_blocks[address]).run()
        powers.extend(found)
    token_powers, token_verdict = _token_powers(w3, chain, token, notes)
    powers.extend(token_powers)

    # ---- verdict
    def tokens(amount: int) -> str:
        return f"{format_units(amount, info.decimals)} {info.symbol}"

    def dollars(amount: int) -> str:
        return f"{format_units(amount, usdc_decimals)} USDC"

    diverted: list[str] = []
    if bought and burned * claimed.denominator < claimed.numerator * bought:
        where = "; ".join(f"{tokens(amount)} went to {to}" for to, amount in
                          sorted(elsewhere.items(), key=lambda item: -item[1]))
        diverted.append(
            f"the fee router burned {tokens(burned)} of the {tokens(bought)} it bought "
            f"({_pct(burned, bought)}), less than the "
            f"{_pct(claimed.numerator, claimed.denominator)} claimed" + (f"; {where}" if where else "")
            + (f"; it still holds {tokens(held)}" if held else ""))
    if withdrawn:
        where = "; ".join(f"{dollars(amount)} to {to}" for to, amount in withdrawn.items())
        diverted.append(f"revenue left the fee router other than through a buyback: {where}")
    if usdc_spent > usdc_swapped:
        diverted.append(f"its Buyback events claim {dollars(usdc_spent)} spent, but the router "
                        f"paid only {dollars(usdc_swapped)} into its swaps")
    if claimed_out > bought:
        diverted.append(f"its Buyback events claim {tokens(claimed_out)} bought, but only "
                        f"{tokens(bought)} reached the fee router")
    if burned_to_zero > supply_decrease:
        diverted.append(f"{tokens(burned_to_zero)} were sent to 0x0 but the supply fell by only "
                        f"{tokens(max(supply_decrease, 0))}: the burn is not real")
    risks: list[str] = []
    if total_supply > minted - burned_to_zero:
        risks.append(f"the supply ({tokens(total_supply)}) is larger than its Transfer events "
                     f"account for ({tokens(minted - burned_to_zero)}): tokens were minted "
                     "without a Transfer")
    if not routers:
        risks.append("no fee router for this token was found on the chain: nothing there "
                     "backs a buyback claim")
    for power in powers:
        if power.diverts:
            risks.append(f"{power.of} {power.function}, usable by {power.holder or 'its admin'}: "
                         f"{power.detail}")
    if diverted:
        verdict: Verdict = "diverted"
        reasons = diverted + risks
    elif risks:
        verdict = "at risk"
        reasons = risks
    else:
        verdict = "verified"
        if bought:
            reasons.append(f"{len(buybacks)} buyback(s) spent {dollars(usdc_spent)} of "
                           f"{dollars(fees_in)} paid in and bought {tokens(bought)}; "
                           f"{tokens(burned)} were burned ({_pct(burned, bought)}), and the "
                           f"supply fell by {tokens(supply_decrease)}")
        else:
            reasons.append("no buyback yet: only the code and the supply could be checked")
        reasons.append("the fee router has no owner-only function and is not a proxy; the "
                       "token cannot be minted or its balances rewritten")
    if routers and found_by != "given":
        notes.append(f"fee router found from {found_by}")
    notes.append(f"logs read over blocks {start}–{end}")
    notes = list(dict.fromkeys(notes))
    return TokenomicsReport(
        chain=chain.name, token=token, symbol=info.symbol, name=info.name,
        decimals=info.decimals, usdc=usdc, usdc_decimals=usdc_decimals, routers=routers,
        router_found_by=found_by, router_owners=owners, from_block=start, to_block=end,
        total_supply=total_supply,
        minted=minted, burned_to_zero=burned_to_zero, supply_decrease=supply_decrease,
        fees_in=fees_in, fee_payments=fee_payments, usdc_spent=usdc_spent, usdc_held=usdc_held,
        usdc_swapped=usdc_swapped, usdc_withdrawn=withdrawn,
        buybacks=buybacks, tokens_claimed=claimed_out, tokens_bought=bought,
        tokens_burned=burned, sent_elsewhere=elsewhere, tokens_held=held,
        burned_share_bps=burned_bps, claimed_share=str(claimed_share).strip(),
        claimed_share_bps=claimed_bps, powers=powers, token_verdict=token_verdict,
        verdict=verdict, reasons=reasons, notes=notes,
        elapsed_s=round(time.perf_counter() - started, 3))


def _pct(part: int, whole: int) -> str:
    """An exact share as a percentage with two decimals (rounded down)."""
    if not whole:
        return "n/a"
    hundredths = part * 10_000 // whole
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


__all__ = ["BuybackRecord", "Power", "TokenomicsReport", "find_routers", "is_keyless",
           "parse_share", "tokenomics_report"]
