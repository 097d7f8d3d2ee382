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
from typing import Literal

from eth_utils import to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.tokenomics.ledger import (
    BUYBACK,
    FEE_RECEIVED,
    TRANSFER,
    ZERO,
    _balance,
    _first_block,
    _getter,
    _logs,
    _sel,
    _topic_of,
    _uint_call,
    _uints,
    _word_address,
    find_routers,
    is_keyless,
)
from steward.tokenomics.powers import Power, _RouterProbe, _token_powers
from steward.units import format_units

Verdict = Literal["verified", "diverted", "at risk"]


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
