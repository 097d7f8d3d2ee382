"""The throwaway lab a token scan works in: buys, sells, transfers and checkpoints on a copy
of the chain, and the buy/transfer/sell simulation that measures taxes, honeypots, cooldowns
and anti-whale limits."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import rlp
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import (
    function_signature_to_4byte_selector,
    keccak,
    to_canonical_address,
    to_checksum_address,
)
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.chains.throwaway import Trial
from steward.diligence.token_models import Holder
from steward.plans import Call
from steward.protocols import amm, erc20, registry
from steward.simulation import TRANSFER_TOPIC, Outcome

Severity = Literal["danger", "caution", "info"]
Verdict = Literal["safe", "caution", "danger"]

ZERO = "0x0000000000000000000000000000000000000000"
DEAD = "0x000000000000000000000000000000000000dEaD"
BURN_ADDRESSES = {ZERO.lower(), DEAD.lower()}
EIP1967_IMPLEMENTATION = int("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc", 16)
EIP1967_ADMIN = int("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103", 16)
EIP1967_BEACON = int("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50", 16)
MINIMAL_PROXY_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
MINIMAL_PROXY_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")

STORAGE_SLOTS_SCANNED = 20
MAX_PRIVILEGED_ADDRESSES = 12
HOLDER_LOG_BLOCKS = 50_000  # Transfer logs are read over at most this many latest blocks
MAX_HOLDERS_READ = 200  # balanceOf is read for at most this many addresses seen in the logs
CREATION_SEARCH_TXS = 64  # transactions looked at in the creation block
CREATOR_NONCES = 64  # the creator's latest contract creations looked at
CREATOR_TOKENS_RATED = 8  # the latest ones; the others are listed unrated
DANGER_TAX = 0.50
CAUTION_TAX = 0.05
PENALTY = {"danger": 40, "caution": 15, "info": 0}
ETH = 10**18
COOLDOWN_WAIT_S = 86_400



# --------------------------------------------------------------------------------- helpers

def selector(signature: str) -> str:
    return function_signature_to_4byte_selector(signature).hex()


def fresh_address(label: str) -> str:
    return to_checksum_address(keccak(text=f"steward-diligence:{label}")[-20:])


def create_address(sender: str, nonce: int) -> str:
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[-20:])


_GET_RESERVES = bytes.fromhex("0902f1ac")


def calldata(signature: str, args: tuple) -> str:
    types = signature[signature.index("(") + 1:-1]
    types_list = [t for t in types.split(",") if t] if types else []
    return "0x" + selector(signature) + abi_encode(types_list, list(args)).hex()


def as_address(word: bytes | None) -> str | None:
    if not word or len(word) < 32:
        return None
    value = int.from_bytes(word[:32], "big")
    if value >= 2**160:
        return None
    return to_checksum_address(value.to_bytes(20, "big"))


def looks_like_address(value: int) -> bool:
    return 2**120 < value < 2**160


def pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value * 100:.1f}%"


QUOTE_SYMBOLS = ("WETH", "USDC", "USDT", "DAI")


def quote_tokens(chain: ChainConfig) -> dict[str, str]:
    """The tokens pools are looked up against: WETH and the chain's dollar stables."""
    quotes = {symbol: address for symbol, address in chain.tokens.items()
              if symbol.upper() in QUOTE_SYMBOLS}
    if chain.contracts.get("weth"):
        quotes.setdefault("WETH", chain.contracts["weth"])
    return quotes


@lru_cache(maxsize=1)
def _dev_operator() -> str:
    from steward.chains.embedded import dev_account

    return dev_account(0).address


def _fee_paid(outcome: Outcome) -> int:
    """What the sender's own balance paid for gas (nothing when the throwaway lent it)."""
    return outcome.fee_wei if outcome.fee_charged else 0


class Lab:
    """The throwaway state with token-specific moves; `mark()`/`restore()` give cheap
    checkpoints (py-evm journal snapshots, or anvil's evm_snapshot) falling back to rewinds."""

    def __init__(self, w3: Web3, chain: ChainConfig, backend, token: str, decimals: int,
                 deadline: int | None = None):
        self.w3, self.chain, self.backend, self.token, self.decimals = w3, chain, backend, token, decimals
        # Buys and sells are tried through the chain's Uniswap V2 venue, whose pairs every
        # V2-era token (and its hard-coded router) trades on.
        v2 = registry.adapter("uniswap-v2").addresses(chain)
        self.router = v2.get("router")
        self.factory = v2.get("factory")
        self.weth = chain.contracts.get("weth")
        self.operator = _dev_operator()
        self.deadline = deadline if deadline is not None else amm.deadline(w3)
        self._mark = None
        self._approved: set[str] = set()
        self._token0: dict[str, str | None] = {}

    # checkpoints
    def mark(self) -> None:
        state = getattr(self.backend, "state", None)
        if state is not None:
            self._mark = state.snapshot()
        elif hasattr(self.backend, "_request"):
            self._mark = self.backend._request("evm_snapshot", [])

    def rewind(self) -> None:
        self.backend.rewind()
        self._approved.clear()

    def restore(self) -> None:
        self._approved.clear()
        state = getattr(self.backend, "state", None)
        if state is not None:
            state.revert(self._mark)
        else:
            self.backend._request("evm_revert", [self._mark])
        self.mark()

    def warp_past_cooldowns(self) -> None:
        """Move the clock on a day, so a cooldown that a fresh purchase started has run out
        before the probe judges whether holders are stuck; swaps' deadline moves with it."""
        now = self.backend.timestamp
        self.backend.warp(now + COOLDOWN_WAIT_S)
        self.deadline = now + COOLDOWN_WAIT_S + 3600

    def set_code(self, address: str, code: bytes) -> None:
        self.backend.set_code(address, code)

    def trial(self, sender: str, to: str, data: bytes) -> Trial:
        """Run a call and keep nothing: success, execution gas and return or revert data."""
        return self.backend.trial(sender, to, data)

    # reads
    def call(self, to: str, data: str | bytes) -> bytes | None:
        return self.backend.read(to, data if isinstance(data, bytes) else bytes.fromhex(data[2:]))

    def uint(self, to: str, data: str) -> int | None:
        raw = self.call(to, data)
        return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None

    def balance(self, holder: str, token: str | None = None) -> int:
        value = self.uint(token or self.token, calldata("balanceOf(address)", (holder,)))
        return value or 0

    def supply(self) -> int:
        return self.uint(self.token, calldata("totalSupply()", ())) or 0

    def pair_reserves(self, pair: str, token_in: str) -> tuple[int, int] | None:
        raw = self.call(pair, _GET_RESERVES)
        t0 = self._token0.get(pair)
        if t0 is None:
            t0 = self._token0[pair] = as_address(self.call(pair, calldata("token0()", ())))
        if not raw or t0 is None:
            return None
        r0, r1, _ = abi_decode(["uint112", "uint112", "uint32"], raw[:96])
        return (r0, r1) if t0.lower() == token_in.lower() else (r1, r0)

    def quote(self, amount: int, path: list[str]) -> int:
        for a, b in zip(path, path[1:]):
            info = amm.pool(self.w3, self.factory, a, b)
            reserves = self.pair_reserves(info.address, a) if info else None
            if not reserves or not reserves[0] or not reserves[1]:
                return 0
            amount = amm.amount_out(amount, *reserves)
        return amount

    # moves
    def send(self, sender: str, to: str, data: str = "0x", value: int = 0) -> Outcome:
        # A probe calls as addresses that may hold no ETH (an owner, a stored address): on a
        # fork the gas is lent, so only what the call itself moves changes their balance.
        return self.backend.apply(sender, Call(to=to, data=data, value=value, description="probe"),
                                  lend_gas=self.backend.lends_probe_gas)

    def fund(self, address: str, wei: int) -> bool:
        return self.send(self.operator, address, value=wei).success

    def transfer(self, sender: str, to: str, amount: int) -> Outcome:
        return self.send(sender, self.token, calldata("transfer(address,uint256)", (to, amount)))

    def buy(self, buyer: str, wei: int, path: list[str]) -> Outcome:
        data = erc20.encode(self.w3, self.router, "uniswap/UniswapV2Router02", "swapExactETHForTokens",
                            0, path, buyer, self.deadline)
        return self.send(buyer, self.router, data, value=wei)

    def sell(self, seller: str, amount: int, path: list[str]) -> tuple[bool, int, int, int, str]:
        """Sell `amount` along `path` (token → … → WETH): the router first, the pair directly
        (supporting fee-on-transfer) if the router's exact-amount swap fails. Returns (sold,
        tokens that left the seller, what came out (ETH, or the first hop's token when sold
        through the pair), the fair quote for that same output, how it sold or why not).

        Why not is the token's own revert reason where it gave one: Uniswap's router replaces
        it with TransferHelper's "TRANSFER_FROM_FAILED", so a failed router sell is followed by
        the transfer the router would have made (the seller's tokens into the first pair),
        whose revert reason is the token's."""
        before_tokens = self.balance(seller)
        before_eth = self.backend.native_balance(seller)
        quote = self.quote(amount, path)
        if seller not in self._approved:
            approved = self.send(seller, self.token, calldata("approve(address,uint256)",
                                                               (self.router, 2**256 - 1)))
            if not approved.success:
                # No router, aggregator or wallet can sell for a holder who cannot approve it;
                # selling straight into the pair is no way out a holder has.
                return False, 0, 0, quote, ("a holder cannot approve the router "
                                            f"({approved.revert_reason})")
            self._approved.add(seller)
        data = erc20.encode(self.w3, self.router, "uniswap/UniswapV2Router02", "swapExactTokensForETH",
                            amount, 0, path, seller, self.deadline)
        outcome = self.send(seller, self.router, data)
        if outcome.success:
            received = self.backend.native_balance(seller) - before_eth + _fee_paid(outcome)
            spent = before_tokens - self.balance(seller)
            fair = quote
            if spent > amount and amount:
                fair = fair * amount // spent  # more left the seller than it sold: an extra tax
            return True, spent, received, fair, "router"
        # Fee-on-transfer: send to the first pair and swap out what it really received (a
        # token that refuses the transfer says why here, not behind the router's reason).
        info = amm.pool(self.w3, self.factory, path[0], path[1])
        if info is None:
            return False, 0, 0, quote, outcome.revert_reason or "reverted"
        reserves = self.pair_reserves(info.address, path[0])
        pair_before = self.balance(info.address)
        moved = self.transfer(seller, info.address, amount)
        if not moved.success or not reserves:
            return False, 0, 0, quote, moved.revert_reason or outcome.revert_reason or "reverted"
        received_by_pair = self.balance(info.address) - pair_before
        spent = before_tokens - self.balance(seller)
        out = amm.amount_out(max(received_by_pair, 0), *reserves) if received_by_pair > 0 else 0
        first_hop_quote = amm.amount_out(amount, *reserves)
        if out <= 0:
            return False, spent, 0, first_hop_quote, "the pool received nothing"
        token_is_0 = info.token0.lower() == path[0].lower()
        swap = self.send(seller, info.address, calldata(
            "swap(uint256,uint256,address,bytes)",
            (0, out, seller, b"") if token_is_0 else (out, 0, seller, b"")))
        if not swap.success:
            return False, spent, 0, first_hop_quote, swap.revert_reason or "swap reverted"
        fair = first_hop_quote * amount // spent if spent > amount else first_hop_quote
        return True, spent, out, fair, "pair (fee-on-transfer)"


def _event_net(outcome: Outcome, token: str, holder: str) -> int:
    net = 0
    for log in outcome.logs:
        if (log.address.lower() != token.lower() or len(log.topics) != 3
                or log.topics[0] != TRANSFER_TOPIC):
            continue
        value = int(log.data, 16) if log.data not in ("0x", "") else 0
        if log.topics[2][-40:].lower() == holder[2:].lower():
            net += value
        if log.topics[1][-40:].lower() == holder[2:].lower():
            net -= value
    return net


def _mismatch(delta: int, claimed: int) -> bool:
    if claimed == 0:
        return delta != 0 and abs(delta) > 0
    return abs(delta - claimed) * 100 > abs(claimed)  # beyond 1%: reflections stay within


# ------------------------------------------------------------------------------ simulation

class Sim(BaseModel):
    route: list[str] | None = None
    buy_ok: bool = False
    buy_reason: str | None = None
    acquired_via: str | None = None
    buy_tax: float | None = None
    transfer_tax: float | None = None
    sell_ok: bool | None = None
    sell_reason: str | None = None
    sell_via: str | None = None
    sell_tax: float | None = None
    cannot_sell_all: bool | None = None
    honeypot: bool | None = None
    cooldown: bool | None = None
    cooldown_detail: str | None = None
    cooldown_confirmed: bool = False
    holders_stuck: str | None = None  # an ordinary holder's transfer reverted, and why  # the refused sell went through once the clock moved on
    sell_part: str | None = None
    anti_whale: bool | None = None
    anti_whale_detail: str | None = None
    inconsistent: list[str] = []
    external_logs: list[str] = []


def tax_rate(received: int, fair: int) -> float | None:
    if fair <= 0:
        return None
    return max(0.0, min(1.0, 1 - received / fair))


def _best_buy_route(lab: Lab, wei: int) -> list[str] | None:
    """The direct or one-hop WETH → token path giving the most tokens (reserves read on the
    throwaway state; pool addresses are cached by `amm.pool`)."""
    if not (lab.router and lab.factory and lab.weth):
        return None
    hubs = [a for a in quote_tokens(lab.chain).values()
            if a.lower() not in (lab.token.lower(), lab.weth.lower())]
    best, best_out = None, 0
    for path in amm.candidate_paths(lab.weth, lab.token, hubs):
        out = lab.quote(wei, path)
        if out > best_out:
            best, best_out = path, out
    return best


def _buy_size(lab: Lab, path: list[str]) -> int:
    info = amm.pool(lab.w3, lab.factory, path[0], path[1])
    reserves = lab.pair_reserves(info.address, path[0]) if info else None
    if not reserves:
        return ETH // 10
    return max(min(ETH // 10, reserves[0] // 1000), 10**12)  # ≤ 0.1% of the first pool


def acquire(lab: Lab, sim: Sim, who: str, holders: list[Holder]) -> int:
    """Give `who` tokens: by buying (measuring the buy tax), else from the largest holder."""
    wei = _buy_size(lab, sim.route) if sim.route else 0
    lab.fund(who, 2 * ETH + wei)
    if lab.weth and lab.token.lower() == lab.weth.lower():  # "buying" WETH is wrapping ETH
        outcome = lab.send(who, lab.token, calldata("deposit()", ()), value=ETH // 10)
        got = lab.balance(who)
        if outcome.success and got:
            sim.buy_ok, sim.acquired_via, sim.buy_tax = True, "wrapped ETH", tax_rate(got, ETH // 10)
            return got
    if sim.route:
        quoted = lab.quote(wei, sim.route)
        before = lab.balance(who)
        outcome = lab.buy(who, wei, sim.route)
        if outcome.success:
            got = lab.balance(who) - before
            sim.buy_ok, sim.acquired_via = True, "bought through the router"
            sim.buy_tax = tax_rate(got, quoted)
            if _mismatch(got, _event_net(outcome, lab.token, who)):
                sim.inconsistent.append(
                    f"a buy moved the buyer's balanceOf by {got} while Transfer events claim "
                    f"{_event_net(outcome, lab.token, who)}")
            if got > 0:
                return got
        else:
            sim.buy_reason = outcome.revert_reason
    for holder in holders:  # spoof a transfer from an existing holder instead
        if holder.kind in ("burn",):
            continue
        amount = holder.balance // 100
        moved = lab.transfer(holder.address, who, amount) if amount else None
        if moved is not None and moved.success:
            sim.acquired_via = f"transferred from holder {holder.address}"
            return lab.balance(who)
        if moved is not None:
            sim.holders_stuck = (f"holder {holder.address}'s plain transfer reverts "
                                 f"({moved.revert_reason})")
    return 0


def _sell_down(lab: Lab, sim: Sim, seller: str, path: list[str]) -> None:
    """Sell the whole balance; if that reverts, half, then 1%: cannot_sell_all vs honeypot."""
    balance = lab.balance(seller)
    ok, spent, out, fair, via = lab.sell(seller, balance, path)
    if ok:
        sim.sell_ok, sim.cannot_sell_all, sim.sell_via = True, False, via
        sim.sell_tax = tax_rate(out, fair)
        sim.honeypot = False
        return
    sim.sell_reason = via
    for fraction in (2, 100):
        part = balance // fraction
        if not part:
            continue
        ok, spent, out, fair, via2 = lab.sell(seller, part, path)
        if ok:
            sim.sell_ok, sim.cannot_sell_all, sim.sell_via = True, True, via2
            sim.sell_tax = tax_rate(out, fair)
            sim.honeypot = False
            sim.sell_part = f"1/{fraction}"
            return
    sim.sell_ok, sim.honeypot = False, True


def simulate(lab: Lab, holders: list[Holder], full: bool = True) -> Sim:
    """buyer: buys (buy tax), sells everything back (sell tax, cannot_sell_all, honeypot).
    buyer2: buys, sends a quarter to `receiver` (transfer tax), then sells a quarter at once
    (a second send right after the first: cooldown). receiver: sells a quarter twice in a row
    (cooldown on sells). whale: buys ~3% of the supply and sells it back (anti-whale)."""
    sim = Sim()
    buyer, buyer2, receiver, whale = (fresh_address("buyer"), fresh_address("buyer2"), fresh_address("receiver"),
                                      fresh_address("whale"))
    is_weth = bool(lab.weth) and lab.token.lower() == lab.weth.lower()
    sim.route = None if is_weth else _best_buy_route(lab, ETH // 10)
    got = acquire(lab, sim, buyer, holders)
    if got <= 0:
        if sim.route and not sim.buy_ok and sim.holders_stuck:  # nobody gets in or out
            sim.honeypot, sim.sell_ok = True, False
            sim.sell_reason = f"buying reverts and {sim.holders_stuck}"
        return sim
    if is_weth:  # "selling" WETH is unwrapping it
        eth_before = lab.backend.native_balance(buyer)
        outcome = lab.send(buyer, lab.token, calldata("withdraw(uint256)", (got,)))
        received = lab.backend.native_balance(buyer) - eth_before + _fee_paid(outcome)
        sim.sell_ok = sim.honeypot is None and outcome.success
        sim.honeypot, sim.cannot_sell_all = not outcome.success, False if outcome.success else None
        sim.sell_via, sim.sell_reason = "unwrapped", outcome.revert_reason
        sim.sell_tax = tax_rate(received, got) if outcome.success else None
    elif sim.route:
        _sell_down(lab, sim, buyer, list(reversed(sim.route)))
    if not full:
        return sim
    # transfer tax (and cooldown on a second send) by a second buyer
    sub = Sim(route=sim.route)
    got2 = acquire(lab, sub, buyer2, holders) if not is_weth else 0
    if is_weth:
        lab.fund(buyer2, ETH)
        lab.send(buyer2, lab.token, calldata("deposit()", ()), value=ETH // 10)
        got2 = lab.balance(buyer2)
    if got2 <= 0:
        return sim
    lab.fund(receiver, ETH)
    quarter = got2 // 4
    before, sender_before = lab.balance(receiver), lab.balance(buyer2)
    outcome = lab.transfer(buyer2, receiver, quarter)
    if not outcome.success:
        sim.sell_reason = f"a plain transfer reverted: {outcome.revert_reason}"
        if sim.honeypot is None:
            sim.honeypot, sim.sell_ok = True, False
        return sim
    received = lab.balance(receiver) - before
    left = sender_before - lab.balance(buyer2)
    sim.transfer_tax = tax_rate(received, max(left, quarter))
    claimed = _event_net(outcome, lab.token, receiver)
    if _mismatch(received, claimed):
        sim.inconsistent.append(f"a transfer of {quarter} moved the recipient's balanceOf by "
                                f"{received} while Transfer events claim {claimed}")
    sim.external_logs = sorted({log.address for log in outcome.logs
                                if log.address.lower() != lab.token.lower()})
    if not full or not sim.route or not sim.sell_ok:
        return sim
    path = list(reversed(sim.route))
    divisor = {"1/100": 50, "1/2": 2}.get(sim.sell_part or "", 1)
    small = max(quarter // 4 // divisor, 1)  # no larger than what the buyer could sell at once
    second_send = lab.sell(buyer2, small, path)[0]
    first_sell = lab.sell(receiver, small, path)[0]
    second_sell = lab.sell(receiver, small, path)[0] if first_sell else None
    if not second_send or second_sell is False:
        sim.cooldown = True
        sim.cooldown_detail = ("a sell right after a transfer reverted" if not second_send else
                               "a second sell right after the first reverted")
        # A cooldown lets the same sell through once it has run out; anything else (a wallet
        # limit, a sell switch) does not, and stays a single unconfirmed signal.
        lab.warp_past_cooldowns()
        seller = buyer2 if not second_send else receiver
        sim.cooldown_confirmed = lab.sell(seller, small, path)[0]
    else:
        sim.cooldown = False
    # anti-whale: a buy of ~3% of the supply (capped by the pool and the operator's purse)
    supply = lab.supply()
    info = amm.pool(lab.w3, lab.factory, sim.route[-2], sim.route[-1])
    reserves = lab.pair_reserves(info.address, lab.token) if info else None
    if supply and reserves and len(sim.route) == 2:
        target = min(supply * 3 // 100, reserves[0] * 4 // 10)
        need = reserves[1] * target * 1000 // ((reserves[0] - target) * 997) + 1
        budget = min(need, lab.backend.native_balance(lab.operator) // 4)
        if target > 0 and lab.fund(whale, budget + ETH):
            big = lab.buy(whale, budget, sim.route)
            if not big.success:
                sim.anti_whale = True
                sim.anti_whale_detail = (f"a buy of about {pct(target / supply)} of the supply "
                                         f"reverted ({big.revert_reason}) while a small one "
                                         "went through")
            else:
                amount = lab.balance(whale) * 99 // 100
                sold = lab.sell(whale, amount, path)[0]
                sim.anti_whale = not sold
                if not sold:
                    sim.anti_whale_detail = (f"selling {pct(amount / supply)} of the supply at "
                                             "once reverted while small sells went through")
    return sim


