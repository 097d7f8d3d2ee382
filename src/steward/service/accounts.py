"""Guarded accounts, for every face: make one, read it back with its worst case, pause it."""

from __future__ import annotations

from pydantic import BaseModel

from steward.accounts import manage
from steward.accounts.contract import NATIVE
from steward.accounts.manage import AccountView
from steward.guard.mandate import usd_text
from steward.service.errors import translated
from steward.units import format_units, to_base_units
from steward.wallets import WalletStore


class AssetLimitOut(BaseModel):
    symbol: str
    token: str | None  # None: the chain's coin
    limit: str  # per window, in the asset's units
    spent: str  # this window
    usd_rate: str  # what one unit counts as against the USD limits


class AccountOut(BaseModel):
    wallet: str
    chain: str
    mode: str  # "7702" (the wallet's own address) or "contract" (a deployed account)
    address: str
    owner: str
    agent: str
    agent_gas: str
    paused: bool
    batch_nonce: int
    window_seconds: int
    timelock_seconds: int
    window_usd_limit: str
    window_usd_spent: str
    batch_usd_limit: str
    assets: list[AssetLimitOut]
    allowlist_entries: int
    native_sends: bool
    worst_case_per_window_usd: str
    worst_case_per_day_usd: str
    worst_case_notes: list[str]
    looser_than_file: list[str]  # empty: the chain is at least as strict as the mandate
    notes: list[str]


def account_out(view: AccountView) -> AccountOut:
    state, compiled = view.state, view.compiled
    by_token = {a.token: a for a in compiled.assets}
    assets = []
    for rule in state.policy.tokens:
        known = by_token.get(rule.token)
        decimals = known.decimals if known else 18 if rule.token == NATIVE else 0
        symbol = known.symbol if known else rule.token
        assets.append(AssetLimitOut(
            symbol=symbol, token=None if rule.token == NATIVE else rule.token,
            limit=f"{format_units(rule.limit, decimals)} {symbol}",
            spent=f"{format_units(state.spent.get(rule.token, 0), decimals)} {symbol}",
            usd_rate=usd_text(rule.usd_rate * 10**decimals // 10**18)))
    return AccountOut(
        wallet=view.record.wallet, chain=view.record.chain, mode=view.record.mode,
        address=state.address, owner=state.owner, agent=state.agent,
        agent_gas=format_units(view.agent_gas_wei, 18), paused=state.paused,
        batch_nonce=state.nonce, window_seconds=state.policy.period_seconds,
        timelock_seconds=state.policy.delay_seconds,
        window_usd_limit=usd_text(state.policy.window_usd_limit),
        window_usd_spent=usd_text(state.usd_spent),
        batch_usd_limit=usd_text(state.policy.batch_usd_limit), assets=assets,
        allowlist_entries=len(compiled.policy.permissions),
        native_sends=state.policy.native_sends,
        worst_case_per_window_usd=usd_text(view.worst.per_window_usd),
        worst_case_per_day_usd=usd_text(view.worst.per_day_usd),
        worst_case_notes=view.worst.notes, looser_than_file=view.looser, notes=compiled.notes)


def _wallet(wallet: str | None) -> str:
    return WalletStore().resolve(wallet)


def _then_show(action, wallet: str | None, chain: str, *args) -> AccountOut:
    name = _wallet(wallet)
    action(name, chain, *args)
    return account_out(manage.show(name, chain))


@translated
def upgrade_account(wallet: str | None, chain: str, passphrase: str) -> AccountOut:
    return _then_show(manage.upgrade, wallet, chain, passphrase)


@translated
def create_account(wallet: str | None, chain: str, passphrase: str) -> AccountOut:
    return _then_show(manage.create, wallet, chain, passphrase)


@translated
def show_account(wallet: str | None, chain: str) -> AccountOut:
    return account_out(manage.show(_wallet(wallet), chain))


@translated
def fund_agent(wallet: str | None, chain: str, passphrase: str, amount: str) -> AccountOut:
    """Top up the agent key's gas money with `amount` of the chain's coin (e.g. "0.01")."""
    return _then_show(manage.fund, wallet, chain, passphrase, to_base_units(amount, 18))


@translated
def pause_account(wallet: str | None, chain: str, passphrase: str) -> AccountOut:
    return _then_show(manage.pause, wallet, chain, passphrase)


__all__ = ["AccountOut", "AssetLimitOut", "account_out", "create_account", "fund_agent",
           "pause_account", "show_account", "upgrade_account"]
