"""Intents → plans where a Solana chain is involved: transfers of SOL and SPL tokens on it, and
bridges between it and an EVM chain. Amounts become base units from the mint's decimals on the
chain (checked against the registry's), balances and prices; nothing is guessed.
"""

from __future__ import annotations

from solders.pubkey import Pubkey

from steward import chains as chain_registry
from steward.chains.config import ChainConfig
from steward.contacts import resolve_recipient
from steward.errors import StewardError
from steward.intents import Amount, Bridge, Step, Transfer
from steward.plans import Plan
from steward.protocols import erc20
from steward.protocols.solana_pricing import SolanaPrices
from steward.solana import solana_chain
from steward.solana.plans import SOL_DECIMALS, sol_transfer_plan, token_transfer_plan
from steward.solana.spl import MintInfo, mint_info, token_balance
from steward.units import format_units, scale_down, to_base_units

SOL_FEE_RESERVE = 10_000_000  # 0.01 SOL kept for fees when a person sends a share of their SOL


def solana_asset(chain: ChainConfig, symbol: str) -> tuple[str, MintInfo | None, int]:
    """(registry symbol, mint or None for SOL, decimals) — the registry's mint, by address."""
    if symbol.upper() == chain.native_symbol.upper():
        return chain.native_symbol, None, SOL_DECIMALS
    for known, address in chain.tokens.items():
        if known.upper() == symbol.upper():
            mint = mint_info(solana_chain(chain), Pubkey.from_string(address))
            recorded = chain.token_decimals.get(known)
            if recorded is not None and recorded != mint.decimals:
                raise StewardError(f"{known} on {chain.name} reports {mint.decimals} decimals but "
                                   f"the registry recorded {recorded}; nothing is planned")
            return known, mint, mint.decimals
    raise StewardError(f"{symbol} is not a token of {chain.name}; known: "
                       f"{', '.join([chain.native_symbol, *chain.tokens])}")


def solana_balance(chain: ChainConfig, owner: str, mint: MintInfo | None) -> int:
    backend, key = solana_chain(chain), Pubkey.from_string(owner)
    return backend.balance(key) if mint is None else token_balance(backend, key, mint)


def solana_amount(amount: Amount, chain: ChainConfig, owner: str, symbol: str,
                  mint: MintInfo | None, decimals: int, previous_output: int | None,
                  need) -> int:
    if amount.kind == "exact":
        return to_base_units(amount.value, decimals, symbol)
    if amount.kind == "previous":
        if previous_output is None:
            raise need("What does 'it' refer to? Say the amount and the token.")
        return scale_down(previous_output, amount.value)
    if amount.kind == "usd":
        unit = SolanaPrices(chain).usdc_value(None if mint is None else str(mint.address),
                                              10**decimals)
        if not unit:
            raise need(f"Nothing on {chain.name} prices {symbol}; say the amount in {symbol}.")
        return scale_down(10**6, amount.value) * 10**decimals // unit
    held = solana_balance(chain, owner, mint)
    if mint is None:
        held = max(held - SOL_FEE_RESERVE, 0)
    result = scale_down(held, amount.value)
    if result <= 0:
        raise need(f"You have no {symbol} to spare on {chain.name}.")
    return result


def plan_solana_step(step: Step, src: ChainConfig, dest: ChainConfig | None, evm_address: str,
                     solana_address: str | None, previous_output: int | None, need,
                     own_solana: dict[str, str]):
    """(plan, source, destination) for a step on or to a Solana chain."""
    if solana_address is None:
        raise need("This wallet has no Solana key yet: add one with `steward wallet add-solana "
                   "NAME`, then ask again.")
    if isinstance(step, Bridge) and src.family == "evm":
        return _bridge_to_solana(step, src, dest, evm_address, solana_address, previous_output,
                                 need), src.name, dest.name
    if isinstance(step, Bridge):
        return _bridge_from_solana(step, src, dest, evm_address, solana_address, previous_output,
                                   need), src.name, dest.name
    if not isinstance(step, Transfer):
        raise need(f"On {src.name} Steward can send SOL and SPL tokens and bridge USDC; it has no "
                   f"Solana venue for '{step.action}' yet.")
    symbol, mint, decimals = solana_asset(src, step.token)
    amount = solana_amount(step.amount, src, solana_address, symbol, mint, decimals,
                           previous_output, need)
    recipient = resolve_recipient(step.recipient.removeprefix("wallet "), own_solana,
                                  family="solana")
    to = Pubkey.from_string(recipient.address)
    sender = Pubkey.from_string(solana_address)
    if mint is None:
        held = solana_chain(src).balance(sender)
        if held < amount:
            raise need(f"You hold {format_units(held, SOL_DECIMALS)} SOL on {src.name}; "
                       f"{format_units(amount, SOL_DECIMALS)} SOL is more.")
        return sol_transfer_plan(src.name, sender, to, amount, recipient.label), src.name, None
    return token_transfer_plan(solana_chain(src), src.name, sender, to, mint, symbol, amount,
                               recipient.label), src.name, None


# A Solana transaction's size limit (bytes, the packet size): a batch must fit in one.
MAX_TRANSACTION_BYTES = 1232


def solana_batch_plan(src: ChainConfig, solana_address: str, payments: list, summary: str,
                      need) -> Plan:
    """Several payments (`builders.Payment`: asset symbol, base units, recipient) as the
    instructions of ONE Solana transaction. Each token's balance must cover the sum of its
    payments; a recipient's token account is opened once even when paid twice."""
    from solders.hash import Hash

    from steward.errors import InsufficientFundsError
    from steward.solana.plans import transaction

    backend, sender = solana_chain(src), Pubkey.from_string(solana_address)
    totals: dict[str, int] = {}
    for payment in payments:
        totals[payment.asset.symbol] = totals.get(payment.asset.symbol, 0) + payment.amount
    mints = {symbol: solana_asset(src, symbol) for symbol in totals}
    for symbol, total in totals.items():
        _, mint, decimals = mints[symbol]
        held = solana_balance(src, solana_address, mint)
        if held < total:
            raise InsufficientFundsError(
                f"insufficient {symbol} on {src.name}: the payments add up to "
                f"{format_units(total, decimals)} {symbol} but you hold "
                f"{format_units(held, decimals)} {symbol}; nothing was signed")
    calls, opened = [], set()
    for payment in payments:
        symbol, mint, _ = mints[payment.asset.symbol]
        to = Pubkey.from_string(payment.recipient.address)
        if to == sender:
            raise StewardError(f"the recipient {payment.recipient.label} is the sending wallet "
                               "itself; nothing to do")
        if mint is None:
            one = sol_transfer_plan(src.name, sender, to, payment.amount, payment.recipient.label)
        else:
            one = token_transfer_plan(backend, src.name, sender, to, mint, symbol,
                                      payment.amount, payment.recipient.label)
        for call in one.calls:
            if call is not one.calls[-1]:  # opening the recipient's token account
                if (call.to, call.data, str(call.accounts)) in opened:
                    continue
                opened.add((call.to, call.data, str(call.accounts)))
            calls.append(call)
    plan = Plan(chain=src.name, sender=solana_address, calls=calls, summary=summary)
    if len(bytes(transaction(plan, Hash.default()))) > MAX_TRANSACTION_BYTES:
        raise need(f"{len(payments)} payments do not fit in one {src.name} transaction; ask "
                   "for fewer at a time.")
    return plan


def _bridge_to_solana(step: Bridge, src: ChainConfig, dest: ChainConfig, evm_address: str,
                      solana_address: str, previous_output: int | None, need) -> Plan:
    from steward.planning.builders import require_balance, resolve_asset
    from steward.planning.requests import base_units
    from steward.solana.bridge import lock_call

    w3 = chain_registry.connect(src)
    asset = resolve_asset(w3, src, step.token)
    if asset.token is None:
        raise need(f"Only tokens cross to {dest.name}; {asset.symbol} does not.")
    amount = base_units(step.amount, asset, w3, src, evm_address, previous_output)
    require_balance(w3, src, asset, evm_address, amount)
    text = f"bridge {asset.fmt(amount)} from {src.name} to {dest.name}"
    crossing = lock_call(w3, src, dest, asset.token.address, amount,
                         Pubkey.from_string(solana_address), text)
    approval = erc20.approve_call(w3, asset.token, crossing.to, amount,
                                  f"approve the bridge to take exactly {asset.fmt(amount)}")
    return Plan(chain=src.name, sender=evm_address, calls=[approval, crossing], summary=text)


def _bridge_from_solana(step: Bridge, src: ChainConfig, dest: ChainConfig, evm_address: str,
                        solana_address: str, previous_output: int | None, need) -> Plan:
    from steward.protocols.bridge import bridge_contract
    from steward.solana.bridge import burn_calls, route_token

    symbol, mint, decimals = solana_asset(src, step.token)
    if mint is None:
        raise need(f"Only tokens cross from {src.name}; {symbol} does not.")
    amount = solana_amount(step.amount, src, solana_address, symbol, mint, decimals,
                           previous_output, need)
    held = solana_balance(src, solana_address, mint)
    if held < amount:
        raise need(f"You hold {format_units(held, decimals)} {symbol} on {src.name}; "
                   f"{format_units(amount, decimals)} is more.")
    w3 = chain_registry.connect(dest)
    token = route_token(w3, dest, src, mint.address)
    if token is None:
        raise need(f"{symbol} has no bridge route from {src.name} to {dest.name}.")
    # The bridge releases at most what was locked toward this route; a larger burn would wait
    # for a release that cannot come, so it is never planned.
    outstanding = bridge_contract(w3, dest).functions.solana_outstanding(
        token, src.chain_id).call()
    if amount > outstanding:
        raise need(f"The bridge on {dest.name} holds {format_units(outstanding, decimals)} "
                   f"{symbol} for {src.name}; it can release at most that much. Bridge at most "
                   "that amount.")
    text = f"bridge {format_units(amount, decimals)} {symbol} from {src.name} to {dest.name}"
    calls = burn_calls(solana_chain(src), mint, Pubkey.from_string(solana_address), amount, dest,
                       evm_address, text)
    return Plan(chain=src.name, sender=solana_address, calls=calls, summary=text)


__all__ = ["plan_solana_step", "solana_asset", "solana_balance", "solana_batch_plan"]
