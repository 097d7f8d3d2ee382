"""ERC-20 reads and call builders.

A registry token's symbol and decimals come from the chain registry (`registry_token`), where
its decimals were recorded when it was added; other tokens' come from the chain (`token_info`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import MAX_TOKEN_DECIMALS, ChainConfig, load_config, update_chain
from steward.contracts import abi
from steward.errors import StewardError
from steward.plans import Call
from steward.protocols import contract_at


SYMBOL_CHARS = re.compile(r"[^A-Za-z0-9.$_+-]")
NAME_CHARS = re.compile(r"[^A-Za-z0-9 .$_+-]")


def display_text(raw: str, limit: int = 11, disallowed: re.Pattern = SYMBOL_CHARS) -> str:
    """A token's self-reported name or symbol, made safe to show: it is attacker-controlled
    text, so anything but a short plain word is cut and marked rather than shown verbatim."""
    clean = disallowed.sub("", raw)[:limit]
    return clean if clean == raw and clean else f"{clean or 'UNNAMED'}?"


class TokenInfo(BaseModel):
    address: str
    symbol: str
    name: str
    decimals: int


def token_contract(w3: Web3, address: str):
    return contract_at(w3, address, "ERC20")


_info_cache: dict[tuple[int, str], TokenInfo] = {}


def forget_token_info() -> None:
    _info_cache.clear()


def token_info(w3: Web3, address: str) -> TokenInfo:
    """Symbol, name and decimals as the token reports them (cached: they are immutable)."""
    key = (w3.eth.chain_id, address.lower())
    if key not in _info_cache:
        token = token_contract(w3, address)
        if not w3.eth.get_code(token.address):
            raise StewardError(f"{address} is not a contract on chain {key[0]}")
        try:
            decimals = token.functions.decimals().call()
            symbol = token.functions.symbol().call()
            name = token.functions.name().call()
        except Exception:
            raise StewardError(f"{address} does not answer like an ERC-20 token") from None
        if not 0 <= decimals <= MAX_TOKEN_DECIMALS:
            raise StewardError(f"{address} reports {decimals} decimals, which Steward refuses")
        _info_cache[key] = TokenInfo(address=token.address, symbol=display_text(symbol),
                                     name=display_text(name, 40, NAME_CHARS), decimals=decimals)
    return _info_cache[key]


def registry_token(w3: Web3, chain: ChainConfig, symbol: str) -> TokenInfo:
    """The chain registry's token for `symbol`: its address and symbol from the registry and its
    decimals as recorded there, so an RPC that lies about `decimals()` cannot change how many
    base units an amount is. A token the owner added without decimals has them read once and
    recorded (trust on first use, like the address itself)."""
    address = chain.token_address(symbol)
    name = chain.token_symbol(address) or symbol
    decimals = chain.token_decimals.get(name)
    if decimals is None:
        decimals = token_info(w3, address).decimals
        record_decimals(chain, {name: decimals})
    return TokenInfo(address=Web3.to_checksum_address(address), symbol=name, name=name,
                     decimals=decimals)


def record_decimals(chain: ChainConfig, decimals: dict[str, int]) -> None:
    """Add recorded decimals to the chain's registry entry (existing records are kept)."""
    current = load_config().chains.get(chain.name)
    if current is None:  # a chain known only from the built-in defaults has no tokens to record
        return
    update_chain(chain.name, token_decimals=decimals | current.token_decimals)


def record_registry_decimals(w3: Web3, chain: ChainConfig) -> dict[str, int]:
    """Read and record the decimals of every registry token that has none recorded (used when
    Steward itself deploys the tokens, as `sandbox up` does); returns what was recorded."""
    missing = {symbol: token_info(w3, address).decimals for symbol, address in chain.tokens.items()
               if symbol not in chain.token_decimals}
    if missing:
        record_decimals(chain, missing)
    return missing


# Calldata of the metadata reads, for reading them on a simulated state (`throwaway().read`).
SYMBOL_CALL = function_signature_to_4byte_selector("symbol()")
DECIMALS_CALL = function_signature_to_4byte_selector("decimals()")


def decode_decimals(raw: bytes | None) -> int | None:
    """`decimals()`'s answer, or None when there is none or it is not a sane uint8."""
    if not raw or len(raw) < 32:
        return None
    value = int.from_bytes(raw[:32], "big")
    return value if value <= MAX_TOKEN_DECIMALS else None


def decode_symbol(raw: bytes | None) -> str | None:
    """`symbol()`'s raw answer as text (ABI string, or bytes32 as some old tokens return it);
    attacker-controlled: make it safe with `display_text` before showing it."""
    if not raw:
        return None
    try:
        return abi_decode(["string"], raw)[0]
    except Exception:
        pass
    if len(raw) == 32:
        return raw.rstrip(b"\0").decode("utf-8", "replace") or None
    return None


def balance_of(w3: Web3, token: str, holder: str) -> int:
    return token_contract(w3, token).functions.balanceOf(Web3.to_checksum_address(holder)).call()


def allowance(w3: Web3, token: str, owner: str, spender: str) -> int:
    return token_contract(w3, token).functions.allowance(owner, spender).call()


@lru_cache(maxsize=None)
def _encoder(abi_name: str):
    # Calldata depends only on the ABI, so one provider-less contract factory per ABI serves all
    # chains; building a contract object per call cost more than a JSON-RPC round trip.
    return Web3().eth.contract(abi=abi(abi_name))


def encode(w3: Web3, address: str, abi_name: str, function: str, *args) -> str:
    """Calldata for `function(*args)` of the contract at `address` (ABI named `abi_name`)."""
    return _encoder(abi_name).encode_abi(function, args=list(args))


def transfer_call(w3: Web3, token: TokenInfo, recipient: str, amount: int, description: str) -> Call:
    return Call(to=token.address, data=encode(w3, token.address, "ERC20", "transfer", recipient, amount),
                description=description, gas_hint=80_000)


def approve_call(w3: Web3, token: TokenInfo, spender: str, amount: int, description: str) -> Call:
    return Call(to=token.address, data=encode(w3, token.address, "ERC20", "approve", spender, amount),
                description=description, gas_hint=60_000)
