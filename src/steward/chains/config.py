"""The chain registry: which chains Steward knows, how to reach them, and their tokens and contracts.

It lives in `<home>/config.toml`. Without one, Steward knows the two embedded sandbox chains.
`steward sandbox up` records the tokens and contracts it deploys here, and a user adds a
production chain by giving it an `rpc_url`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tomli_w
from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from steward.errors import StewardError, UnknownNameError
from steward.home import home_path, write_private

if TYPE_CHECKING:
    from filelock import FileLock

CHAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SANDBOX_CHAINS = {"sandbox-l1": 1_337_001, "sandbox-l2": 1_337_002}
# The Solana sandbox (LiteSVM). Solana clusters have no chain id; Steward gives each one a
# number of its own so bridge transfer ids and the journal can name it like any chain.
SANDBOX_SOLANA = {"sandbox-sol": 1_337_101}
MAX_TOKEN_DECIMALS = 36
BASE58_PUBKEY = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {ch: i for i, ch in enumerate(_BASE58)}


def b58decode(text: str) -> bytes | None:
    """Bitcoin-alphabet base58 (Solana's), or None when `text` is not base58 (said without
    echoing it). Each leading '1' is a leading zero byte."""
    number = 0
    for ch in text:
        digit = _BASE58_INDEX.get(ch)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b58encode(raw: bytes) -> str:
    number, digits = int.from_bytes(raw, "big"), []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_BASE58[digit])
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + "".join(reversed(digits))


def is_solana_address(text: str) -> bool:
    """A base58 text that decodes to exactly 32 bytes (an ed25519 public key or a PDA), written
    in its one canonical form: what solders' `Pubkey.from_string` accepts and prints back the
    same (a test keeps the two equal), without loading solders at start-up."""
    if not isinstance(text, str) or not BASE58_PUBKEY.match(text):
        return False
    raw = b58decode(text)
    return raw is not None and len(raw) == 32 and b58encode(raw) == text


class ChainConfig(BaseModel):
    """One chain: `rpc_url` None means the embedded in-process py-evm chain."""

    name: str
    chain_id: int = Field(gt=0)
    # "evm": addresses are EIP-55 hex, calls are EVM transactions; "solana": addresses (token
    # mints, programs) are base58 public keys and plans are Solana instructions.
    family: Literal["evm", "solana"] = "evm"
    native_symbol: str = "ETH"
    rpc_url: str | None = None
    aliases: list[str] = []
    tokens: dict[str, str] = {}
    contracts: dict[str, str] = {}
    # Symbols of tokens the owner trusts (the chain's core assets); every other token a plan
    # would buy goes through due diligence first.
    trusted_tokens: list[str] = []
    # Decimals per token symbol, recorded when the token joined the registry (`sandbox up`, or
    # Steward's first use of a token the owner added): amounts are converted with these, and a
    # token whose simulated state reports other decimals is refused, so a lying RPC or a changed
    # contract cannot change what an amount means.
    token_decimals: dict[str, int] = {}

    @model_validator(mode="before")
    @classmethod
    def _legacy_roles(cls, data):
        """Homes written before protocol adapters named the V2 contracts "router"/"factory"."""
        if isinstance(data, dict) and isinstance(data.get("contracts"), dict):
            renames = {"router": "uniswap-v2:router", "factory": "uniswap-v2:factory"}
            data = {**data, "contracts": {renames.get(key, key): value
                                          for key, value in data["contracts"].items()}}
        return data

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not CHAIN_NAME.match(name):
            raise ValueError("chain names are lower-case letters, digits and dashes")
        return name

    @field_validator("tokens", "contracts")
    @classmethod
    def _checksummed(cls, entries: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        solana = info.data.get("family") == "solana"
        for label, address in entries.items():
            if solana and not is_solana_address(address):
                raise ValueError(f"{label}: {address} is not a base58 Solana public key")
            if not solana and not _is_checksummed(address):
                raise ValueError(f"{label}: {address} is not an EIP-55 checksummed address")
        return entries

    @field_validator("token_decimals")
    @classmethod
    def _decimals(cls, entries: dict[str, int]) -> dict[str, int]:
        for symbol, decimals in entries.items():
            if isinstance(decimals, bool) or not 0 <= decimals <= MAX_TOKEN_DECIMALS:
                raise ValueError(f"{symbol}: {decimals} decimals; a token has 0 to "
                                 f"{MAX_TOKEN_DECIMALS}")
        return entries

    @model_validator(mode="after")
    def _native_is_not_a_token(self) -> "ChainConfig":
        if self.native_symbol.upper() in {symbol.upper() for symbol in self.tokens}:
            raise ValueError(f"token symbol {self.native_symbol} clashes with the native coin")
        return self

    @property
    def embedded(self) -> bool:
        return self.rpc_url is None

    @property
    def backend_label(self) -> str:
        return "embedded" if self.embedded else self.rpc_url  # type: ignore[return-value]

    def token_address(self, symbol: str) -> str:
        """The address of an ERC-20 by symbol, case-insensitive."""
        for known, address in self.tokens.items():
            if known.upper() == symbol.upper():
                return address
        raise UnknownNameError("token", symbol, [self.native_symbol, *self.tokens], self.name)

    def token_symbol(self, address: str) -> str | None:
        for known, token in self.tokens.items():
            if token.lower() == address.lower():
                return known
        return None

    def recorded_decimals(self, address: str) -> int | None:
        """The decimals recorded for the registry's token at `address` (None: not recorded)."""
        symbol = self.token_symbol(address)
        return None if symbol is None else self.token_decimals.get(symbol)

    def contract(self, role: str) -> str:
        try:
            return self.contracts[role]
        except KeyError:
            raise StewardError(
                f"{self.name} has no {role} contract configured; run `steward sandbox up` "
                f"or add it under [chains.{self.name}.contracts] in config.toml"
            ) from None


class StewardConfig(BaseModel):
    chains: dict[str, ChainConfig]

    def chain(self, name_or_alias: str) -> ChainConfig:
        wanted = name_or_alias.strip().lower()
        for chain in self.chains.values():
            if wanted == chain.name or wanted in (alias.lower() for alias in chain.aliases):
                return chain
        raise UnknownNameError("chain", name_or_alias, list(self.chains))

    def of_family(self, family: str) -> list[ChainConfig]:
        """The configured chains of one family ("evm" or "solana"), in config order."""
        return [chain for chain in self.chains.values() if chain.family == family]

    def chain_or_first(self, name_or_alias: str | None) -> ChainConfig:
        """The named chain, or the first configured one when none was named."""
        if name_or_alias is not None:
            return self.chain(name_or_alias)
        if not self.chains:
            raise StewardError("no chain configured: run `steward sandbox up` or add one to "
                               "config.toml")
        return next(iter(self.chains.values()))


def default_config() -> StewardConfig:
    chains = {
        name: ChainConfig(name=name, chain_id=chain_id, aliases=[name.split("-")[1]])
        for name, chain_id in SANDBOX_CHAINS.items()
    }
    for name, chain_id in SANDBOX_SOLANA.items():
        chains[name] = sandbox_solana_config(name, chain_id)
    return StewardConfig(chains=chains)


def sandbox_solana_config(name: str, chain_id: int) -> ChainConfig:
    return ChainConfig(name=name, chain_id=chain_id, family="solana", native_symbol="SOL",
                       aliases=["solana"])


def config_path() -> Path:
    return home_path("config.toml")


def _config_lock() -> FileLock:
    from filelock import FileLock  # only writers lock: reading the config (every start) needs none

    return FileLock(str(home_path("locks", "config.lock")), thread_local=False)


_parsed: dict[Path, tuple[tuple[int, int, int], StewardConfig]] = {}


def load_config() -> StewardConfig:
    """The config, re-read only when the file changed (it is read on every plan)."""
    path = config_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return default_config()
    version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # save_config replaces the file
    cached = _parsed.get(path)
    if cached and cached[0] == version:
        return cached[1].model_copy(deep=True)
    config = _read_config(path)
    _parsed[path] = (version, config)
    return config.model_copy(deep=True)


def _read_config(path: Path) -> StewardConfig:
    try:
        raw = tomllib.loads(path.read_text())
        chains = {
            name: ChainConfig(name=name, **entry) for name, entry in raw.get("chains", {}).items()
        }
        return StewardConfig(chains=chains)
    except tomllib.TOMLDecodeError as exc:
        raise StewardError(f"{path} is not valid TOML: {exc}") from None
    except (ValidationError, TypeError) as exc:
        raise StewardError(f"{path} is invalid: {_first_error(exc)}") from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else error["msg"]
    return str(exc)


def save_config(config: StewardConfig) -> None:
    """Write the chains; other sections of the file ([llm], [proposals], …) are kept as they are."""
    path = config_path()
    try:
        raw = tomllib.loads(path.read_text())
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        raw = {}
    raw["chains"] = {
        name: chain.model_dump(exclude={"name"}, exclude_none=True)
        for name, chain in config.chains.items()
    }
    write_private(path, tomli_w.dumps(raw))


def update_chain(name: str, **changes) -> ChainConfig:
    """Read-modify-write one chain's entry under the config lock (safe against concurrent writers)."""
    with _config_lock():
        config = load_config()
        current = config.chains.get(name)
        data = current.model_dump() if current else {"name": name}
        data.update(changes)
        chain = ChainConfig(**data)
        config.chains[name] = chain
        save_config(config)
    return chain


# EIP-55 here rather than through eth-utils, which costs more start-up than the parser: these run
# on every start (the config's addresses, the wallets' keystores). Tests keep them equal to
# eth-utils' `is_hex_address`, `is_checksum_address` and `to_checksum_address`.
_HEX_ADDRESS = re.compile(r"(0[xX])?[0-9a-fA-F]{40}")


def is_hex_address(text: str) -> bool:
    """40 hex digits, with or without 0x (any case)."""
    return isinstance(text, str) and _HEX_ADDRESS.fullmatch(text) is not None


def eip55(address: str) -> str:
    """The EIP-55 checksummed form ("0x…") of a hex address (`is_hex_address` must hold)."""
    from Crypto.Hash import keccak  # pycryptodome: eth-hash's own Keccak backend

    digits = address[2:].lower() if address[:2] in ("0x", "0X") else address.lower()
    digest = keccak.new(digest_bits=256, data=digits.encode("ascii")).hexdigest()
    return "0x" + "".join(c.upper() if int(h, 16) >= 8 else c for c, h in zip(digits, digest))


def _is_checksummed(address: str) -> bool:
    return is_hex_address(address) and address == eip55(address)


def checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address)
