"""Chains: the registry from config and `connect(name)`, which gives a web3.py `Web3`.

A chain is either embedded (in-process py-evm persisted in the Steward home) or any JSON-RPC
URL, whose chain id is checked on connect. `backend_for(chain)` (`steward.chains.backend`) is
the one place that knows the difference: connections, throwaway states, one-shot simulation of
a list of calls, and the dev-node facts other layers need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from steward.chains.config import (
    ChainConfig,
    StewardConfig,
    load_config,
    update_chain,
)
from steward.home import steward_home

if TYPE_CHECKING:
    from web3 import Web3

    from steward.chains.backend import (RPC_TIMEOUT_SECONDS, ChainBackend, backend_for,
                                        connect_rpc)
    from steward.chains.rpc import count_round_trips

# Loaded on first use: web3 and py-evm cost a second of start-up that reading the config, and
# so a command that only parses a request, never needs.
_LAZY = {
    "RPC_TIMEOUT_SECONDS": "steward.chains.backend",
    "ChainBackend": "steward.chains.backend",
    "backend_for": "steward.chains.backend",
    "connect_rpc": "steward.chains.backend",
    "count_round_trips": "steward.chains.rpc",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def end_all_sessions() -> None:
    """Commit and release every embedded chain this process opened (none opened: nothing to do,
    and py-evm is not loaded for it)."""
    import sys

    embedded = sys.modules.get("steward.chains.embedded")
    if embedded is not None:
        embedded.end_all_sessions()


_connections: dict[tuple[str, str, int, str | None], Web3] = {}


def chain_config(name_or_alias: str) -> ChainConfig:
    return load_config().chain(name_or_alias)


def connect(chain: str | ChainConfig) -> Web3:
    """A `Web3` for a chain by name, alias or config; connections are reused within a process."""
    config = chain if isinstance(chain, ChainConfig) else chain_config(chain)
    key = (str(steward_home()), config.name, config.chain_id, config.rpc_url)
    if key not in _connections:
        from steward.chains.backend import backend_for

        _connections[key] = backend_for(config).connect()
    return _connections[key]


def forget_connections() -> None:
    _connections.clear()


__all__ = [
    "RPC_TIMEOUT_SECONDS",
    "ChainBackend",
    "ChainConfig",
    "StewardConfig",
    "backend_for",
    "chain_config",
    "connect",
    "connect_rpc",
    "count_round_trips",
    "end_all_sessions",
    "forget_connections",
    "load_config",
    "update_chain",
]
