"""The chain reads behind `steward.tokenomics.report`: calls and getters, balances, the block a
contract got its code, logs read in chunks, and the fee routers of a token (the chain registry's
``fee-router:<SYMBOL>``, else the contracts whose events name the token).
"""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from web3 import Web3

from steward.chains.history import first_block
from steward.chains.config import ChainConfig

ZERO = "0x0000000000000000000000000000000000000000"
DEAD = "0x000000000000000000000000000000000000dEaD"
# No key can be found for an address with 140 leading zero bits (0x0, the precompiles, 0x…dEaD):
# tokens sent there are out of circulation for good.
KEYLESS_BELOW = 2**20
LOG_CHUNK = 10_000  # blocks per eth_getLogs request
ROUTER_ROLE_PREFIX = "fee-router:"


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def _sel(signature: str) -> str:
    return function_signature_to_4byte_selector(signature).hex()


TRANSFER = _topic("Transfer(address,address,uint256)")
FEE_RECEIVED = _topic("FeeReceived(address,uint256)")
BUYBACK = _topic("Buyback(uint256,uint256,uint256)")
OBSERVED = _topic("Observed(uint256,uint256)")


def is_keyless(address: str) -> bool:
    """0x0, 0x…dEaD and every address below 2**20: tokens there are burned for good."""
    return int(address, 16) < KEYLESS_BELOW


def _word_address(topic) -> str:
    raw = bytes(topic)
    return to_checksum_address(raw[-20:])


def _uints(data, count: int) -> list[int]:
    raw = bytes(data)
    return list(abi_decode(["uint256"] * count, raw[:32 * count]))


def _call(w3: Web3, to: str, data: str) -> bytes | None:
    try:
        return bytes(w3.eth.call({"to": to, "data": data}))
    except Exception:
        return None


def _address_of(raw: bytes | None) -> str | None:
    if not raw or len(raw) != 32:
        return None
    value = int.from_bytes(raw, "big")
    if value == 0 or value >= 2**160:
        return None
    return to_checksum_address(value.to_bytes(20, "big"))


def _getter(w3: Web3, to: str, signature: str) -> str | None:
    return _address_of(_call(w3, to, "0x" + _sel(signature)))


def _uint_call(w3: Web3, to: str, data: str) -> int | None:
    raw = _call(w3, to, data)
    return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None


def _balance(w3: Web3, token: str, holder: str) -> int:
    return _uint_call(w3, token, "0x" + _sel("balanceOf(address)")
                      + abi_encode(["address"], [holder]).hex()) or 0


def _first_block(w3: Web3, address: str, notes: list[str]) -> int:
    """The block where `address` got its code (binary search), 0 on a node without history."""
    try:
        return first_block(w3.eth.block_number,
                           lambda number: bool(w3.eth.get_code(address, block_identifier=number)))
    except Exception:
        notes.append("the node keeps no historical state: logs were read from block 0")
        return 0


def _logs(w3: Web3, start: int, end: int, address: str | list[str] | None,
          topics: list) -> list:
    found = []
    for low in range(start, end + 1, LOG_CHUNK):
        query = {"fromBlock": low, "toBlock": min(end, low + LOG_CHUNK - 1), "topics": topics}
        if address is not None:
            query["address"] = address
        found.extend(w3.eth.get_logs(query))
    return found


def _topic_of(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def find_routers(w3: Web3, chain: ChainConfig, token: str, start: int, end: int,
                 symbol: str | None = None) -> tuple[list[str], str]:
    """The fee routers of `token`: the registry's ``fee-router:<SYMBOL>``, else every contract
    whose FeeReceived / Buyback / Observed events say it serves `token` (its `token()`)."""
    for role, address in chain.contracts.items():
        if not role.startswith(ROUTER_ROLE_PREFIX):
            continue
        served = _getter(w3, address, "token()")
        if served == token or (served is None and symbol
                               and role[len(ROUTER_ROLE_PREFIX):].upper() == symbol.upper()):
            return [to_checksum_address(address)], f"the chain registry ({role})"
    emitters = {log["address"] for log in _logs(w3, start, end, None,
                                                [[FEE_RECEIVED, BUYBACK, OBSERVED]])}
    routers = sorted(a for a in emitters if _getter(w3, a, "token()") == token)
    return routers, "its events (FeeReceived / Buyback / Observed naming this token)"
