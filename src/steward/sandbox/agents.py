"""Wallets for trading agents on the sandbox: created if missing, given a mandate with the owner's
`[commerce]` table, and topped up on sandbox-l1 by the operator like every sandbox wallet.

An agent has no person at hand to answer a confirmation, so its mandate confirms nothing it
would have to ask about (first-time recipients: an evaluator's payout reaches the provider and
the treasury) and bounds each job by its `[commerce]` budget and the limits here instead.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import tomli_w

from steward.chains.config import load_config
from steward.guard.mandate import default_mandate_toml, mandate_path
from steward.home import write_private
from steward.wallets import WalletStore

L1 = "sandbox-l1"

def agent_mandate_toml(wallet: str, commerce_table: str, per_transaction_usd: int = 1000,
                       daily_usd: int = 10_000) -> str:
    """The default mandate with an agent's limits, nothing a person would be asked about below
    them, and its `[commerce]` table."""
    data = tomllib.loads(default_mandate_toml(wallet))
    data["limits"].update(per_transaction_usd=per_transaction_usd, daily_usd=daily_usd)
    data["confirm"].update(above_usd=per_transaction_usd, first_time_recipients=False)
    return (f'# Mandate of the trading agent "{wallet}" (sandbox): the default with agent limits; '
            f"check it with\n# `steward mandate check --wallet {wallet}`.\n\n"
            + tomli_w.dumps(data) + "\n" + commerce_table)


def ensure_agent_wallets(agents: dict[str, str], passphrase: str,
                         progress: Callable[[str], None] = lambda message: None) -> dict[str, str]:
    """For each wallet name → `[commerce]` table: the wallet (created if missing), its mandate
    file (rewritten), and sandbox-l1 funds. Returns name → address."""
    from steward.sandbox import SandboxBuilder

    store = WalletStore()
    builder = SandboxBuilder(progress)
    l1 = load_config().chain(L1)
    addresses: dict[str, str] = {}
    for name, commerce in agents.items():
        info = store.get(name) if store.exists(name) else store.create(name, passphrase)
        write_private(mandate_path(name), agent_mandate_toml(name, commerce))
        funded = builder.top_up(l1, info.address, f"agent {name}")
        if funded:
            progress(f"{L1}: funded agent {name} with {', '.join(funded)}")
        addresses[name] = info.address
    return addresses


__all__ = ["agent_mandate_toml", "ensure_agent_wallets"]
