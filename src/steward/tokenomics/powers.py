"""The powers that could divert a token's buyback-and-burn, for `steward.tokenomics.report`.

The fee router's: its EIP-1967 slots (an upgradeable proxy), its owner getter, the selectors its
bytecode dispatches; then, on a throwaway copy of the chain, the owner, the router's creator and
every address its first storage slots hold try every function that is not part of the honest
FeeRouter (known setters by name, and any other with an address argument, which counts only where
an outsider's same call fails). A confirmed setter is followed by re-reading the router's address
getters and, where the router holds USDC, by a buyback on the same throwaway state. The token's
own powers come from token due diligence (`steward.diligence.token`).
"""

from __future__ import annotations

from itertools import product
from typing import Literal

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.plans import Call
from steward.tokenomics.ledger import _address_of, _balance, _getter, _sel, is_keyless

EIP1967_IMPLEMENTATION = int("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc", 16)
EIP1967_ADMIN = int("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103", 16)
STORAGE_SLOTS_SCANNED = 20
MAX_HOLDERS = 8

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
