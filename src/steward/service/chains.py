"""The configured chains, for every face."""

from __future__ import annotations

from steward.chains.config import ChainConfig, load_config
from steward.service.errors import translated


@translated
def list_chains() -> list[ChainConfig]:
    """Every chain in the registry (`config.toml`), in its order."""
    return list(load_config().chains.values())


@translated
def get_chain(name_or_alias: str | None = None) -> ChainConfig:
    """A chain by name or alias; the first configured one when None."""
    return load_config().chain_or_first(name_or_alias)


__all__ = ["get_chain", "list_chains"]
