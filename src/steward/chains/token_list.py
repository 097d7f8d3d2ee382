"""The Uniswap default token list, vendored for the five preset chains.

`scripts/vendor_token_list.py` writes `data/uniswap-default-tokenlist.json` from the npm package
`@uniswap/default-token-list` (which `make setup-tools` unpacks into `.tools/`): for each token on
a preset chain its chain id, checksummed address, symbol, name and decimals, plus the list's
version. A test checks that the file equals the package's tokens for those chains.

Symbols and names here are outside text: they help a person find a token (`--token LINK`), but
a token is identified by its address alone, and what a transaction does is never read from them.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any, Iterable

from eth_utils import is_checksum_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator

from steward.errors import StewardError

PACKAGE = "@uniswap/default-token-list"
PACKAGE_VERSION = "22.21.0"  # the version `make setup-tools` unpacks
PACKAGE_FILE = "build/uniswap-default.tokenlist.json"
DATA_FILE = "uniswap-default-tokenlist.json"
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class ListedToken(BaseModel):
    """One token of the list. `symbol` and `name` are the list's text (data, never trusted)."""

    model_config = ConfigDict(frozen=True)

    chain_id: int = Field(alias="chainId", gt=0)
    address: str
    symbol: str
    name: str
    decimals: int = Field(ge=0, le=255)

    @field_validator("address")
    @classmethod
    def _checksummed(cls, address: str) -> str:
        if not is_checksum_address(address):
            raise ValueError(f"{address} is not an EIP-55 checksummed address")
        return address


class TokenList(BaseModel):
    source: str
    name: str
    version: str
    tokens: list[ListedToken]

    def on_chain(self, chain_id: int) -> list[ListedToken]:
        return [token for token in self.tokens if token.chain_id == chain_id]


class AmbiguousTokenError(StewardError):
    """A symbol the list gives to several tokens on one chain; the message lists their addresses."""

    def __init__(self, chain_id: int, symbol: str, candidates: list[ListedToken]):
        addresses = ", ".join(token.address for token in candidates)
        super().__init__(
            f"'{symbol}' names {len(candidates)} tokens on chain {chain_id} in the Uniswap "
            f"default token list: {addresses}; give the address instead")
        self.candidates = candidates


def _version_text(version: dict[str, int]) -> str:
    return f"{version['major']}.{version['minor']}.{version['patch']}"


def from_npm(raw: dict[str, Any], chain_ids: Iterable[int]) -> dict[str, Any]:
    """The vendored document from the npm package's token list: the tokens on `chain_ids`
    (five fields each, addresses checksummed), sorted by chain id and address."""
    wanted = set(chain_ids)
    tokens = [
        {"chainId": token["chainId"], "address": to_checksum_address(token["address"]),
         "symbol": token["symbol"], "name": token["name"], "decimals": token["decimals"]}
        for token in raw["tokens"] if token["chainId"] in wanted
    ]
    tokens.sort(key=lambda token: (token["chainId"], token["address"].lower()))
    version = _version_text(raw["version"])
    return {"source": f"{PACKAGE}@{version}", "name": raw["name"], "version": version,
            "tokens": tokens}


@functools.lru_cache(maxsize=1)
def token_list() -> TokenList:
    """The vendored list (read once per process)."""
    text = resources.files(__package__).joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return TokenList.model_validate(json.loads(text))


def listed(chain_id: int, symbol_or_address: str) -> ListedToken | None:
    """The listed token on `chain_id` with this address (exact, any case; a mixed-case address
    must be a valid checksum) or this symbol (case-insensitive). None when the list has no such
    token; a symbol several tokens share raises `AmbiguousTokenError`."""
    wanted = symbol_or_address.strip()
    tokens = token_list().on_chain(chain_id)
    if _ADDRESS.match(wanted):
        mixed = wanted[2:] != wanted[2:].lower() and wanted[2:] != wanted[2:].upper()
        if mixed and not is_checksum_address(wanted):
            raise StewardError(f"{wanted} is not a valid EIP-55 checksummed address (a typo?)")
        return next((token for token in tokens if token.address.lower() == wanted.lower()), None)
    matches = [token for token in tokens if token.symbol.upper() == wanted.upper()]
    if len(matches) > 1:
        raise AmbiguousTokenError(chain_id, wanted, matches)
    return matches[0] if matches else None


__all__ = ["AmbiguousTokenError", "ListedToken", "PACKAGE", "PACKAGE_FILE", "PACKAGE_VERSION",
           "TokenList", "from_npm", "listed", "token_list"]
