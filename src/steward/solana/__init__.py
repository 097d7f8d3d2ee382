"""Solana: the second chain family, beside the EVM.

`solana_chain(config)` is the embedded LiteSVM chain of a sandbox or a JSON-RPC cluster (see
`chain.py`); `spl.py` reads mints and token accounts and builds SPL instructions; `plans.py`
turns a transfer into one Solana transaction's instructions; `simulate.py` reads what a plan
does from LiteSVM's (or the cluster's) simulation.
"""

from __future__ import annotations

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.home import steward_home
from steward.solana.chain import EmbeddedSolana, SolanaChain

_chains: dict[tuple[str, str, str | None], SolanaChain] = {}


def solana_chain(config: ChainConfig) -> SolanaChain:
    """The chain behind a Solana entry of the registry (reused within a process)."""
    if config.family != "solana":
        raise StewardError(f"{config.name} is an {config.family.upper()} chain, not a Solana one")
    key = (str(steward_home()), config.name, config.rpc_url)
    if key not in _chains:
        if config.rpc_url is None:
            _chains[key] = EmbeddedSolana(config.name,
                                          steward_home() / "chains" / f"{config.name}.svm.sqlite")
        else:
            from steward.solana.rpc import RpcSolana  # solana-py only where a cluster is used

            _chains[key] = RpcSolana(config.name, config.rpc_url)
    return _chains[key]


def forget_solana_chains() -> None:
    """Close the embedded chains (a reset deletes their files)."""
    for chain in _chains.values():
        close = getattr(chain, "close", None)
        if close:
            close()
    _chains.clear()


__all__ = ["SolanaChain", "forget_solana_chains", "solana_chain"]
