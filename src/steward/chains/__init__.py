"""Chains: the registry from config and `connect(name)`, which gives a web3.py `Web3`.

A chain is either embedded (in-process py-evm persisted in the Steward home) or any JSON-RPC
URL, whose chain id is checked on connect.
"""

from __future__ import annotations

from web3 import Web3
from web3.providers import HTTPProvider

from steward.chains.config import (
    ChainConfig,
    StewardConfig,
    load_config,
    update_chain,
)
from steward.chains.embedded import embedded_world, end_all_sessions
from steward.errors import ChainConnectionError
from steward.home import steward_home

RPC_TIMEOUT_SECONDS = 15

_connections: dict[tuple[str, str, int, str | None], Web3] = {}


def chain_config(name_or_alias: str) -> ChainConfig:
    return load_config().chain(name_or_alias)


def connect(chain: str | ChainConfig) -> Web3:
    """A `Web3` for a chain by name, alias or config; connections are reused within a process."""
    config = chain if isinstance(chain, ChainConfig) else chain_config(chain)
    key = (str(steward_home()), config.name, config.chain_id, config.rpc_url)
    if key not in _connections:
        if config.embedded:
            w3 = embedded_world(steward_home() / "chains").web3(config.name, config.chain_id)
        else:
            w3 = connect_rpc(config.rpc_url, config.chain_id, config.name)
        _connections[key] = w3
    return _connections[key]


def connect_rpc(url: str, expected_chain_id: int | None = None, name: str | None = None) -> Web3:
    """A `Web3` over HTTP JSON-RPC; the URL must answer and serve the expected chain id."""
    label = f"{name} at {url}" if name else url
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}))
    try:
        served = w3.eth.chain_id
    except Exception as exc:  # requests/aiohttp/JSON errors all mean the same thing to a user
        reason = type(exc).__name__
        raise ChainConnectionError(f"cannot reach the RPC endpoint {label} ({reason})") from None
    if expected_chain_id is not None and served != expected_chain_id:
        raise ChainConnectionError(
            f"the RPC endpoint {label} serves chain id {served}, but "
            f"{name or 'the chain'} is configured with chain id {expected_chain_id}"
        )
    return w3


def forget_connections() -> None:
    _connections.clear()


__all__ = [
    "ChainConfig",
    "StewardConfig",
    "chain_config",
    "connect",
    "connect_rpc",
    "end_all_sessions",
    "forget_connections",
    "load_config",
    "update_chain",
]
