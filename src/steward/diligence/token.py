"""Token security report, GoPlus-style, established locally from the deployed bytecode alone.

`token_report(w3, chain, token)` combines four methods and every field says which one found it:

* **simulation** – on a throwaway copy of the chain (nothing is signed, nothing persists): a fresh
  address buys through the best pool, transfers to a second fresh address, which sells back
  (router first; a fee-on-transfer sell goes straight through the pair as supporting-fee routers
  do); then two quick sells (cooldown), a whale-sized buy and sell (anti-whale), and every
  balance change is compared with what the Transfer events claim (a lying `balanceOf`).
* **privilege probe** (`token_probe`) – also on the throwaway state, judged by effect, never by
  a function's name: every address that may hold power (`candidates`: the owner getters, the
  creator, EIP-1967 admin, addresses in the first storage slots whether alone or packed beside
  other fields, PUSH20/immutable constants in the code, constructor arguments) and a fresh
  address call the named privileged functions and every other dispatched selector in the
  argument shapes its ABI decoder accepts; each accepted call's effect on the supply, the
  caller, the owner, an ordinary holder and the pool is measured (`token_effects`: minted,
  balances rewritten, tokens moved, the pool drained, holders stuck, a tax raised), then undone.
  A setter given a fresh address is followed (what can the appointee do?), a reverting contract
  is offered where an address is set, and contracts a transfer consults are probed through
  their owners. Powers that survive `renounceOwnership()` reveal a hidden owner; an address that
  can re-take a renounced ownership is reported too.
* **bytecode** – selectors from the PUSH4 immediates of the dispatcher (Solidity and Vyper),
  SELFDESTRUCT / DELEGATECALL / CALL opcodes (PUSH data and the metadata/data tail skipped),
  EIP-1967 slots and the EIP-1167 minimal-proxy pattern.
* **chain data** – holders from Transfer logs (capped), LP-token holders of each pool against the
  chain's configured tokens, liquidity in USD through `PriceSource`, the creator (binary search
  for the first block with code, then that block's transactions) and the creator's other tokens,
  each with a quick simulation-only verdict.

Every danger finding carries its evidence (the call, the caller, the effect); one danger signal
that no call or trade confirmed is a caution (`weigh_signals`). Score starts at 100 and loses
40 per danger finding, 15 per caution and 2 per notable info; the verdict is `danger` if any
danger finding, `caution` if any caution finding, else `safe`. An active minter that is the visible owner (as on the sandbox's own USDC/USDT on sandbox-l1) is
a *caution*, like any centralised issuer; minting by an address that is not the visible owner,
or that survives renouncing, is a *danger* (hidden mint).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from eth_utils import to_checksum_address
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.diligence.bytecode import Bytecode, analyse_bytecode
from steward.diligence.token_chain import (
    created_by,
    find_creator,
    quick_verdict,
    quick_verdicts,
    read_holders,
    read_pools,
)
from steward.diligence.token_fields import (
    CodeFacts,
    ScanFacts,
    Sheet,
    holder_fields,
    liquidity_fields,
    ownership_fields,
    power_fields,
    simulation_fields,
    verdict_of,
    weigh_signals,
)
from steward.diligence.token_lab import (
    CREATOR_NONCES,
    CREATOR_TOKENS_RATED,
    EIP1967_ADMIN,
    EIP1967_BEACON,
    EIP1967_IMPLEMENTATION,
    ZERO,
    Lab,
    as_address,
    simulate,
)
from steward.diligence.token_models import (
    FIELD_NAMES,
    LEAK_FIELDS,
    CreatorToken,
    Evidence,
    Field,
    Finding,
    Holder,
    PoolReport,
    TokenReport,
)
from steward.diligence.token_probe import probe_privileges
from steward.errors import StewardError
from steward.protocols import erc20
from steward.protocols.pricing import PriceSource
from steward.simulation import throwaway

# ------------------------------------------------------------------------------------ report

def token_report(w3: Web3, chain: ChainConfig, token: str, *, creator_tokens: bool = True,
                 progress: Callable[[str], None] | None = None) -> TokenReport:
    """A GoPlus-style security report for `token` on `chain`, established locally.
    `progress(text)` hears what the scan is doing, for a long scan's progress line."""
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    token = to_checksum_address(token)
    code_bytes = bytes(w3.eth.get_code(token))
    if not code_bytes:
        raise StewardError(f"{token} has no code on {chain.name}: it is not a token contract")
    try:
        info = erc20.token_info(w3, token)
        symbol, name, decimals = info.symbol, info.name, info.decimals
    except StewardError:
        symbol, name, decimals = "?", "?", 18
    sheet = Sheet()
    notes: list[str] = []
    code = _bytecode_fields(sheet, w3, token, code_bytes)
    with throwaway(w3, chain) as backend:
        lab = Lab(w3, chain, backend, token, decimals)
        supply = lab.supply()
        say("reading holders and the creator")
        holders, holder_count = read_holders(lab, token, supply, notes)
        creator, creator_how, creation_input = find_creator(w3, token, notes)
        say("buying, transferring and selling on a throwaway copy")
        sim = simulate(lab, holders)
        lab.rewind()
        runtime = code_bytes + (bytes(w3.eth.get_code(code.target)) if code.target else b"")
        probe = probe_privileges(lab, code.code, code.impl_code, sim, holders, creator,
                                 creation_input, runtime, say)
        lab.rewind()
        say("reading pools and the creator's other tokens")
        pools = read_pools(lab, PriceSource(w3, chain), token, probe.owner, creator)
        rated = (_rate_creator_tokens(w3, chain, backend, lab, creator, token, notes)
                 if creator and creator_tokens else [])
        method = backend.method
    scan = ScanFacts(w3=w3, chain=chain, token=token, symbol=symbol, supply=supply, code=code,
                 sim=sim, probe=probe, pools=pools, holders=holders, creator=creator,
                 creator_how=creator_how, method=method)
    simulation_fields(sheet, scan)
    ownership_fields(sheet, scan, power_fields(sheet, scan))
    holder_fields(sheet, scan)
    liquidity_fields(sheet, scan)
    weigh_signals(sheet.findings)
    score, verdict, reasons = verdict_of(sheet.findings)
    return TokenReport(
        chain=chain.name, token=token, symbol=symbol, name=name, decimals=decimals,
        total_supply=supply, fields=sheet.fields, holders=holders[:10],
        holder_count=holder_count, pools=pools, creator_tokens=rated, findings=sheet.findings,
        score=score, verdict=verdict, reasons=reasons, notes=notes, method=method,
        elapsed_s=round(time.perf_counter() - started, 3))


def _bytecode_fields(sheet: Sheet, w3: Web3, token: str, code_bytes: bytes) -> CodeFacts:
    flag, put = sheet.flag, sheet.put
    code = analyse_bytecode(code_bytes)
    impl_address = as_address(w3.eth.get_storage_at(token, EIP1967_IMPLEMENTATION))
    admin_slot = as_address(w3.eth.get_storage_at(token, EIP1967_ADMIN))
    beacon = as_address(w3.eth.get_storage_at(token, EIP1967_BEACON))
    impl_address = None if impl_address == ZERO else impl_address
    admin_slot = None if admin_slot == ZERO else admin_slot
    beacon = None if beacon == ZERO else beacon
    impl_code = None
    target = impl_address or code.minimal_proxy_target
    if target:
        impl_code = analyse_bytecode(bytes(w3.eth.get_code(target)))
    bytecode_method = "bytecode: opcode sweep"
    ops = code.opcodes | (impl_code.opcodes if impl_code else set())
    put("selfdestruct", 0xFF in ops, bytecode_method + " (SELFDESTRUCT 0xff)")
    if 0xFF in ops:
        flag("selfdestruct", "caution", "the code contains SELFDESTRUCT")
    calls = sorted({"CALL": 0xF1 in ops, "DELEGATECALL": 0xF4 in ops,
                    "CALLCODE": 0xF2 in ops}.items())
    put("external_call", 0xF1 in ops or 0xF4 in ops or 0xF2 in ops,
        bytecode_method + " (CALL/DELEGATECALL/CALLCODE)",
        ", ".join(k for k, v in calls if v) or None)
    is_proxy = bool(impl_address or beacon or code.minimal_proxy_target)
    proxy_detail = ("EIP-1967 implementation " + impl_address if impl_address else
                    "EIP-1967 beacon " + beacon if beacon else
                    "EIP-1167 minimal proxy to " + code.minimal_proxy_target
                    if code.minimal_proxy_target else None)
    put("is_proxy", is_proxy, "bytecode: EIP-1967 slots and EIP-1167 pattern", proxy_detail)
    return CodeFacts(code=code, impl_code=impl_code, target=target, admin_slot=admin_slot,
                 is_proxy=is_proxy, proxy_detail=proxy_detail)


def _rate_creator_tokens(w3: Web3, chain: ChainConfig, backend, lab: Lab, creator: str,
                         token: str, notes: list[str]) -> list[CreatorToken]:
    """The creator's other tokens, the latest few each with a quick simulation-only verdict."""
    rated: list[CreatorToken] = []
    others = created_by(w3, creator, token)
    erc20s = []
    for address in others:
        try:
            other = erc20.token_info(w3, address)
        except StewardError:
            continue
        erc20s.append(other)
    if len(erc20s) > CREATOR_TOKENS_RATED:
        notes.append(f"only the latest {CREATOR_TOKENS_RATED} of the creator's "
                     f"{len(erc20s)} other tokens were rated")
    head = bytes(w3.eth.get_block("latest")["hash"]).hex()
    for position, other in enumerate(reversed(erc20s)):
        key = (chain.chain_id, head, other.address)
        if position >= CREATOR_TOKENS_RATED:
            verdict, why = "unrated", "beyond the number of tokens rated per report"
        elif key in quick_verdicts:
            verdict, why = quick_verdicts[key]
        else:
            lab.rewind()
            other_lab = Lab(w3, chain, backend, other.address, other.decimals,
                             lab.deadline)
            verdict, why = quick_verdicts[key] = quick_verdict(other_lab)
        rated.append(CreatorToken(address=other.address, symbol=other.symbol,
                                  verdict=verdict, reason=why))
    if w3.eth.get_transaction_count(creator) > CREATOR_NONCES:
        notes.append(f"only the creator's last {CREATOR_NONCES} deployments were looked at")
    return rated


__all__ = ["FIELD_NAMES", "LEAK_FIELDS", "Bytecode", "CreatorToken", "Evidence", "Field", "Finding",
           "Holder", "PoolReport", "TokenReport", "analyse_bytecode", "token_report"]

