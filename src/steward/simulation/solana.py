"""What a Solana plan does, read from a simulation: balance changes of the owner and every
counterparty, in base units, from the accounts before and after — never from descriptions.

SOL changes are lamport deltas of every account the transaction names (the fee is reported
apart); token changes are the deltas of every SPL / Token-2022 token account, credited to the
account's owner (a wallet), with the mint's decimals read from the mint account. Delegations
(`approve`) show as approvals. Symbols are the registry's for its mints; any other mint is
labelled by its address, whatever its metadata says.
"""

from __future__ import annotations

from solders.pubkey import Pubkey

from steward.chains.config import ChainConfig
from steward.plans import Plan
from steward.simulation.results import AssetChange, SimulationResult
from steward.simulation.results import Approval, StepSimulation
from steward.solana.chain import SolanaChain
from steward.solana.plans import SOL_DECIMALS, transaction
from steward.solana.spl import TOKEN_PROGRAMS, decode_mint, decode_token_account

LOG_TAIL = 6


def mint_label(config: ChainConfig, mint: str) -> str:
    symbol = config.token_symbol(mint)
    return symbol if symbol else f"SPL token {mint[:4]}…{mint[-4:]}"


def _tokens(address: Pubkey, account) -> tuple | None:
    if account is None or account.owner not in TOKEN_PROGRAMS:
        return None
    info = decode_token_account(address, account.owner, bytes(account.data))
    return None if info is None else info


def _decimals(chain: SolanaChain, mint: Pubkey, cache: dict[Pubkey, int]) -> int:
    if mint not in cache:
        account = chain.get_account(mint)
        cache[mint] = (decode_mint(mint, account.owner, bytes(account.data)).decimals
                       if account is not None and account.owner in TOKEN_PROGRAMS else 0)
    return cache[mint]


def simulate_plan(chain: SolanaChain, config: ChainConfig, plan: Plan) -> SimulationResult:
    """Simulate the plan's one transaction on the current state (nothing is kept)."""
    tx = transaction(plan, chain.latest_blockhash())
    keys = list(tx.message.account_keys)
    before = {key: chain.get_account(key) for key in keys}
    sim = chain.simulate(tx)
    after = sim.accounts_after if sim.success else before
    sender = plan.sender
    native: dict[str, int] = {}
    tokens: dict[tuple[str, str], int] = {}
    approvals: list[Approval] = []
    decimals: dict[Pubkey, int] = {}
    for key in keys:
        old, new = before.get(key), after.get(key)
        old_t, new_t = _tokens(key, old), _tokens(key, new)
        info = new_t or old_t
        lamports = (new.lamports if new else 0) - (old.lamports if old else 0)
        if str(key) == sender:
            lamports += sim.fee if sim.success else 0
        # A token account's rent belongs to whoever owns the account (it gets it back on close).
        holder = str(info.owner) if info is not None else str(key)
        if lamports:
            native[holder] = native.get(holder, 0) + lamports
        if info is None:
            continue
        amount = (new_t.amount if new_t else 0) - (old_t.amount if old_t else 0)
        if amount:
            slot = (str(info.owner), str(info.mint))
            tokens[slot] = tokens.get(slot, 0) + amount
        if new_t and new_t.delegate and new_t.delegated_amount and (
                old_t is None or old_t.delegate != new_t.delegate
                or old_t.delegated_amount != new_t.delegated_amount):
            mint = str(new_t.mint)
            approvals.append(Approval(
                token=mint, symbol=mint_label(config, mint),
                decimals=_decimals(chain, new_t.mint, decimals), owner=str(new_t.owner),
                spender=str(new_t.delegate), amount=new_t.delegated_amount,
                remaining=new_t.delegated_amount))
    changes = [AssetChange(holder=holder, symbol=config.native_symbol, token=None,
                           decimals=SOL_DECIMALS, delta=delta)
               for holder, delta in native.items()]
    changes += [AssetChange(holder=owner, symbol=mint_label(config, mint), token=mint,
                            decimals=_decimals(chain, Pubkey.from_string(mint), decimals),
                            delta=delta)
                for (owner, mint), delta in tokens.items()]
    reason = None
    if not sim.success:
        reason = sim.error + ("; logs: " + " | ".join(sim.logs[-LOG_TAIL:]) if sim.logs else "")
    steps = [StepSimulation(description=plan.summary, success=sim.success,
                            gas_used=sim.compute_units, revert_reason=reason)]
    return SimulationResult(
        chain=config.name, sender=sender, success=sim.success, revert_reason=reason, steps=steps,
        changes=changes, approvals=approvals, gas_used=sim.compute_units, fee_wei=sim.fee,
        method="LiteSVM simulation" if chain.embedded else f"simulateTransaction on {config.rpc_url}")


__all__ = ["mint_label", "simulate_plan"]
